#!/usr/bin/env python3
"""Regenerates vendor/graph-permissions/permissions.json from Microsoft's permission data.

Usage: python3 vendor/graph-permissions/generate.py <path to a microsoft-graph-devx-content checkout> [commit]

Reads `permissions/new/permissions.json` at `commit` (default HEAD) with `git show`, so the
output names exactly the commit it came from. See README.md for the algorithm.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

SOURCE_REPO = "microsoftgraph/microsoft-graph-devx-content"
SOURCE_PATH = "permissions/new/permissions.json"
SCHEMES = ("DelegatedWork", "Application")

# Every (method, Graph path) the catalog sends, in the `/users/{id}` form the bundle always uses
# (it resolves `me` to the signed-in user's object id). The e2e `permissions` test fails when the
# catalog sends a path that is missing here.
PATHS = [
    ("GET", "/users"),
    ("POST", "/users"),
    ("GET", "/users/{id}"),
    ("PATCH", "/users/{id}"),
    ("DELETE", "/users/{id}"),
    ("GET", "/users/{id}/manager"),
    ("GET", "/users/{id}/directReports"),
    ("GET", "/users/{id}/memberOf"),
    ("GET", "/users/{id}/photo/$value"),
    ("GET", "/users/delta"),
    ("GET", "/users/{id}/calendars"),
    ("POST", "/users/{id}/calendars"),
    ("GET", "/users/{id}/calendars/{id}"),
    ("PATCH", "/users/{id}/calendars/{id}"),
    ("DELETE", "/users/{id}/calendars/{id}"),
    ("GET", "/users/{id}/events"),
    ("POST", "/users/{id}/events"),
    ("GET", "/users/{id}/calendars/{id}/events"),
    ("POST", "/users/{id}/calendars/{id}/events"),
    ("GET", "/users/{id}/events/{id}"),
    ("PATCH", "/users/{id}/events/{id}"),
    ("DELETE", "/users/{id}/events/{id}"),
    ("GET", "/users/{id}/calendars/{id}/events/{id}"),
    ("PATCH", "/users/{id}/calendars/{id}/events/{id}"),
    ("DELETE", "/users/{id}/calendars/{id}/events/{id}"),
]
for action in ("accept", "decline", "tentativelyAccept", "cancel", "forward"):
    PATHS.append(("POST", "/users/{id}/events/{id}/" + action))
    PATHS.append(("POST", "/users/{id}/calendars/{id}/events/{id}/" + action))
PATHS += [
    ("GET", "/users/{id}/events/{id}/instances"),
    ("GET", "/users/{id}/calendars/{id}/events/{id}/instances"),
    ("GET", "/users/{id}/calendarView"),
    ("GET", "/users/{id}/calendars/{id}/calendarView"),
    ("GET", "/users/{id}/calendarView/delta"),
    ("GET", "/users/{id}/calendars/{id}/calendarView/delta"),
    ("POST", "/users/{id}/findMeetingTimes"),
    ("POST", "/users/{id}/calendar/getSchedule"),
]


# Path forms Microsoft's data has no key for, and what the extract records instead. The catalog's
# lists for these come from here, and the bundle's scope pre-check lets Graph decide for them.
# `/$value` is the media stream of the entity at the path before it, read under the same permissions
# (one API reference page, profilephoto-get, covers both).
MEDIA_OF = {("GET", "/users/{id}/photo/$value"): ("GET", "/users/{id}/photo")}
# Not in the data at all: the lists of Microsoft's API reference pages (microsoft-graph-docs-contrib).
DOCUMENTED = {
    ("GET", "/users/{id}/calendars/{id}"): {
        "source": "api-reference/v1.0/api/calendar-get.md",
        "DelegatedWork": ["Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"],
        "Application": ["Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"],
    },
    ("PATCH", "/users/{id}/calendars/{id}"): {
        "source": "api-reference/v1.0/api/calendar-update.md",
        "DelegatedWork": ["Calendars.ReadWrite"],
        "Application": ["Calendars.ReadWrite"],
    },
}


# Application permissions whose app role (the `roles` claim, what an admin grants in Entra) has a
# different name from the permission the data's Application pathSets name. Microsoft's data lists
# `Calendars.ReadBasic` under Application, but the app role is `Calendars.ReadBasic.All`
# (permissions-descriptions.json applicationScopesList, id 8ba4a692-bc31-4128-9094-475872af8a53;
# `Calendars.ReadBasic.All` is in permissions.json with an Application scheme and no pathSets).
APP_ROLE_NAMES = {"Calendars.ReadBasic": "Calendars.ReadBasic.All"}


def app_role(scheme, name):
    return APP_ROLE_NAMES.get(name, name) if scheme == "Application" else name


def normalize(path):
    return re.sub(r"\{[^}]*\}", "{id}", path.lower())


def metadata(value):
    least, also = [], []
    for part in (value or "").split(";"):
        key, _, val = part.strip().partition("=")
        names = [v.strip() for v in val.split(",") if v.strip()]
        if key.strip().lower() == "least":
            least = names
        elif key.strip().lower() == "alsorequires":
            also = names
    return least, also


def main():
    checkout = Path(sys.argv[1])
    commit = sys.argv[2] if len(sys.argv) > 2 else "HEAD"
    git = ["git", "-C", str(checkout)]
    commit = subprocess.check_output(git + ["rev-parse", commit], text=True).strip()
    data = json.loads(subprocess.check_output(git + ["show", f"{commit}:{SOURCE_PATH}"]))
    permissions = data["permissions"]

    index = {}
    for name, perm in permissions.items():
        for path_set in perm.get("pathSets", []):
            for key, value in path_set.get("paths", {}).items():
                for method in path_set.get("methods", []):
                    index.setdefault((method.upper(), normalize(key)), []).append(
                        (key, name, path_set.get("schemeKeys", []), value)
                    )

    entries, used = [], set()
    for method, path in PATHS:
        hits = index.get((method, normalize(path)), [])
        entry = {"method": method, "path": path, "inFile": bool(hits)}
        if not hits and (method, path) in MEDIA_OF:
            parent = MEDIA_OF[(method, path)]
            entry["schemesFrom"] = " ".join(parent)
            hits = index.get((parent[0], normalize(parent[1])), [])
        elif not hits and (method, path) in DOCUMENTED:
            documented = DOCUMENTED[(method, path)]
            entry["schemesFrom"] = documented["source"]
            used.update(documented["DelegatedWork"] + documented["Application"])
            entry["schemes"] = {
                scheme: [
                    {
                        "permission": app_role(scheme, name),
                        "least": i == 0,
                        "requiresAdminConsent": permissions[name]["schemes"][scheme].get(
                            "requiresAdminConsent", False
                        ),
                        "privilegeLevel": permissions[name]["schemes"][scheme].get("privilegeLevel"),
                    }
                    for i, name in enumerate(documented[scheme])
                ]
                for scheme in SCHEMES
            }
            entry["filePathForms"] = []
            entries.append(entry)
            continue
        schemes = {}
        for scheme in SCHEMES:
            found = {}
            for _key, name, keys, value in hits:
                if scheme not in keys:
                    continue
                least, also = metadata(value)
                info = permissions[name]["schemes"][scheme]
                item = found.setdefault(
                    name,
                    {
                        "permission": app_role(scheme, name),
                        "least": False,
                        "requiresAdminConsent": info.get("requiresAdminConsent", False),
                        "privilegeLevel": info.get("privilegeLevel"),
                    },
                )
                if app_role(scheme, name) != name:
                    item["dataName"] = name
                item["least"] = item["least"] or scheme in least
                if also:
                    item["alsoRequires"] = sorted(set(item.get("alsoRequires", [])) | set(also))
                used.add(name)
            schemes[scheme] = sorted(
                found.values(),
                key=lambda p: (not p["least"], p["privilegeLevel"] or 0, p["permission"].lower()),
            )
        entry["filePathForms"] = sorted({key for key, *_ in hits})
        entry["schemes"] = schemes
        entries.append(entry)

    # Consent flags of every permission the entries name, plus the scopes the simulator knows.
    used |= {"Calendars.ReadBasic.All"}
    consent = {}
    for name in sorted(used, key=str.lower):
        consent[name] = {
            scheme: {
                "requiresAdminConsent": info.get("requiresAdminConsent", False),
                "privilegeLevel": info.get("privilegeLevel"),
            }
            for scheme, info in sorted(permissions[name].get("schemes", {}).items())
        }

    out = {
        "source": {
            "repository": SOURCE_REPO,
            "path": SOURCE_PATH,
            "commit": commit,
            "license": "MIT (Copyright (c) 2020 Microsoft Graph); see README.md",
        },
        "generatedBy": "vendor/graph-permissions/generate.py",
        "entries": entries,
        "permissions": consent,
    }
    target = Path(__file__).with_name("permissions.json")
    target.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

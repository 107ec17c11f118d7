"""Prints the installed size in bytes of the given distributions and everything they require
(at any depth, extras excluded): the Python baseline's counterpart of a binary's size."""

import importlib.metadata as metadata
import re
import sys


def requirement_names(dist):
    for requirement in dist.requires or []:
        if "extra ==" in requirement:
            continue
        yield re.match(r"[A-Za-z0-9._-]+", requirement).group(0)


def closure(names):
    seen = {}
    pending = list(names)
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = dist
        pending.extend(requirement_names(dist))
    return seen.values()


def installed_size(dist):
    return sum(
        path.stat().st_size
        for path in (file.locate() for file in dist.files or [])
        if path.is_file()
    )


print(sum(installed_size(dist) for dist in closure(sys.argv[1:])))

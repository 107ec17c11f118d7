"""The benchmark's Python baseline: `users-get` and `events-create` written the way most teams
would, with boto3 (settings secret, DynamoDB), MSAL (tokens) and requests (Graph), run by the AWS
runtime interface client (awslambdaric).

Events and responses have the shape of the Rust functions' direct invocations:
`{"userId", "authUserId"?, "query"?, "body"?}` -> `{"status", "body"}`. With `authUserId` the call is
made with delegated permissions, as that application user; without, with application permissions.

Two choices differ from the Rust functions and are documented in docs/benchmark.md:
- The stored refresh token is read from a plaintext copy of the link (`baseline-link#<authUserId>`,
  attributes `refreshToken` and `scopes`) that the benchmark seeds, instead of the AES-GCM
  encrypted link item; a rotated refresh token is written back to it.
- MSAL only accepts https authorities, so it is given the real one
  (https://login.microsoftonline.com) and an HTTP session that sends those requests to the local
  stand-ins: OpenID discovery documents to OIDC_DISCOVERY_URL (served by the benchmark, which
  counts them), everything else to LOGIN_BASE_URL (the Microsoft simulator).
"""

import functools
import json
import os
import time
from urllib.parse import quote

import boto3
import msal
import requests

MICROSOFT_LOGIN = "https://login.microsoftonline.com"
GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default"
# Access tokens are reused until this many seconds before they expire.
EXPIRY_MARGIN_SECONDS = 300
LINK_PREFIX = "baseline-link#"

GRAPH_BASE_URL = os.environ["GRAPH_BASE_URL"].rstrip("/")
LOGIN_BASE_URL = os.environ["LOGIN_BASE_URL"].rstrip("/")
OIDC_DISCOVERY_URL = os.environ["OIDC_DISCOVERY_URL"].rstrip("/")

# Cold start: AWS clients, the settings secret, one HTTP session for Graph.
SETTINGS = json.loads(
    boto3.client("secretsmanager").get_secret_value(
        SecretId=os.environ["SETTINGS_SECRET_ID"]
    )["SecretString"]
)
LINKS = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
GRAPH = requests.Session()
# Delegated access tokens by application user: (token, expires at epoch seconds).
DELEGATED_TOKENS = {}


class GraphCallFailed(Exception):
    """A token could not be had; carries the status and error code to answer with."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code


class LocalLogin(requests.Session):
    """Sends MSAL's requests for https://login.microsoftonline.com to the local stand-ins."""

    def request(self, method, url, *args, **kwargs):
        if url.startswith(MICROSOFT_LOGIN):
            local = OIDC_DISCOVERY_URL if "/.well-known/" in url else LOGIN_BASE_URL
            url = local + url[len(MICROSOFT_LOGIN) :]
        return super().request(method, url, *args, **kwargs)


@functools.cache
def msal_app(tenant):
    """One MSAL confidential client per authority (its token cache lives as long as the container)."""
    return msal.ConfidentialClientApplication(
        SETTINGS["clientId"],
        client_credential=SETTINGS["clientSecret"],
        authority=f"{MICROSOFT_LOGIN}/{tenant}",
        http_client=LocalLogin(),
    )


def application_token():
    result = msal_app(SETTINGS["appTenantId"]).acquire_token_for_client(
        scopes=[GRAPH_DEFAULT_SCOPE]
    )
    if "access_token" not in result:
        raise GraphCallFailed(500, "ConfigurationInvalid", result.get("error_description"))
    return result["access_token"]


def delegated_token(auth_user_id):
    cached = DELEGATED_TOKENS.get(auth_user_id)
    if cached and cached[1] - EXPIRY_MARGIN_SECONDS > time.time():
        return cached[0]
    key = {"pk": LINK_PREFIX + auth_user_id}
    link = LINKS.get_item(Key=key).get("Item")
    if link is None:
        raise GraphCallFailed(401, "RefreshTokenInvalid", "no stored sign-in")
    result = msal_app(SETTINGS["tenantId"]).acquire_token_by_refresh_token(
        link["refreshToken"], scopes=list(link["scopes"])
    )
    if "access_token" not in result:
        raise GraphCallFailed(401, "RefreshTokenInvalid", result.get("error_description"))
    rotated = result.get("refresh_token")
    if rotated and rotated != link["refreshToken"]:
        LINKS.update_item(
            Key=key,
            UpdateExpression="SET refreshToken = :token",
            ExpressionAttributeValues={":token": rotated},
        )
    DELEGATED_TOKENS[auth_user_id] = (
        result["access_token"],
        time.time() + int(result["expires_in"]),
    )
    return result["access_token"]


def call_graph(method, path, event):
    """Sends one Graph request for `event` and answers Graph's status and body."""
    auth_user_id = event.get("authUserId")
    try:
        token = delegated_token(auth_user_id) if auth_user_id else application_token()
    except GraphCallFailed as failure:
        return {"status": failure.status, "body": {"error": {"code": failure.code, "message": str(failure)}}}
    query = {
        name if name.startswith("$") else f"${name}": value
        for name, value in (event.get("query") or {}).items()
    }
    response = GRAPH.request(
        method,
        f"{GRAPH_BASE_URL}/v1.0{path}",
        params=query,
        json=event.get("body"),
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return {"status": response.status_code, "body": response.json() if response.content else None}


def user_path(event):
    user_id = event["userId"]
    if user_id == "me" and event.get("authUserId"):
        return "/me"
    return "/users/" + quote(user_id, safe="")


def users_get(event, context):
    """`users-get`: GET /users/{userId}."""
    return call_graph("GET", user_path(event), event)


def events_create(event, context):
    """`events-create`: POST /users/{userId}/events."""
    return call_graph("POST", user_path(event) + "/events", event)

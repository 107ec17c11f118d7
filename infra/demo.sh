#!/usr/bin/env bash
# The demo: brings the local stack up, signs the simulated user Adele in as application user
# `demo-user`, calls functions with application and with delegated permissions through
# `cargo lambda invoke`, subscribes to Adele's calendar, pretty-prints every result and the events
# the application received on its EventBridge bus (link events, change notifications), and takes
# the stack down on exit.
#
# Usage: infra/demo.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE="$ROOT/.stack"
APP_USER=demo-user

trap 'bash "$ROOT/infra/stack.sh" down' EXIT
bash "$ROOT/infra/stack.sh" up
# MOTO_URL, SIMULATOR_URL, INVOKE_PORT, ...; CALLBACK_URL, EVENTS_QUEUE_URL, ADELE_ID, ADELE_UPN, ...
# (see infra/stack.sh).
source "$STATE/stack.env"
source "$STATE/demo.env"

# The calls, in order: what it shows | function | direct invocation event. Application
# permissions first; delegated ones after $APP_USER has signed in.
MEETING='{"subject":"Quarterly plan","start":{"dateTime":"2026-12-01T09:00:00","timeZone":"UTC"},"end":{"dateTime":"2026-12-01T09:30:00","timeZone":"UTC"},"attendees":[{"emailAddress":{"address":"'"$ADELE_UPN"'"},"type":"required"}]}'
WEEK='"startDateTime":"2026-11-30T00:00:00Z","endDateTime":"2026-12-07T00:00:00Z"'
APPLICATION_CALLS=(
  "one user by userPrincipalName|users-get|{\"userId\":\"$ADELE_UPN\",\"query\":{\"\$select\":\"id,displayName,jobTitle\"}}"
  "every user|users-list|{\"query\":{\"\$select\":\"displayName,userPrincipalName\"}}"
  "Adele's manager|users-manager|{\"userId\":\"$ADELE_UPN\",\"query\":{\"\$select\":\"displayName\"}}"
  "a meeting Megan organises with Adele|events-create|{\"userId\":\"$MEGAN_UPN\",\"body\":$MEETING}"
  "Megan's week|calendar-view|{\"userId\":\"$MEGAN_UPN\",\"query\":{$WEEK,\"\$select\":\"subject,start,end\"}}"
)
DELEGATED_CALLS=(
  "the link's health|auth-status|{\"authUserId\":\"$APP_USER\"}"
  "the signed-in user's own profile|users-get|{\"userId\":\"me\",\"authUserId\":\"$APP_USER\"}"
  "the signed-in user's week, in Pacific time|calendar-view|{\"userId\":\"me\",\"authUserId\":\"$APP_USER\",\"query\":{$WEEK,\"timeZone\":\"Pacific Standard Time\",\"\$select\":\"subject,start,end,organizer\"}}"
  "a subscription to the signed-in user's calendar (Graph validates the notification URL first)|subscriptions-create|{\"authUserId\":\"$APP_USER\",\"body\":{\"resource\":\"events\",\"userId\":\"me\"}}"
  "an event in the signed-in user's calendar (Graph notifies the subscription)|events-create|{\"userId\":\"me\",\"authUserId\":\"$APP_USER\",\"body\":{\"subject\":\"Focus time\",\"start\":{\"dateTime\":\"2026-12-02T13:00:00\",\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":\"2026-12-02T15:00:00\",\"timeZone\":\"UTC\"}}}"
  "Megan's free/busy, as the signed-in user|get-schedule|{\"userId\":\"me\",\"authUserId\":\"$APP_USER\",\"body\":{\"schedules\":[\"$MEGAN_UPN\"],\"startTime\":{\"dateTime\":\"2026-12-01T08:00:00\",\"timeZone\":\"UTC\"},\"endTime\":{\"dateTime\":\"2026-12-01T12:00:00\",\"timeZone\":\"UTC\"},\"availabilityViewInterval\":30}}"
)
# After the calls: the keeper over every shard, then the link revoked and its status.
AFTER_CALLS=(
  "the token keeper over every shard (nothing is due yet: links fall due 14 days after their last refresh)|token-keeper|{\"shards\":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}"
  "forget the user's tokens|auth-revoke|{\"authUserId\":\"$APP_USER\"}"
  "the link after revoke (warm containers drop cached tokens within TOKEN_CACHE_TTL_SECONDS)|auth-status|{\"authUserId\":\"$APP_USER\"}"
)

# invoke FUNCTION EVENT: the function's JSON result, pretty-printed.
invoke() {
  "$ROOT/.venv/bin/cargo-lambda" lambda invoke "$1" --invoke-address 127.0.0.1 --invoke-port "$INVOKE_PORT" \
    --data-ascii "$2" --output-format json
}

# sign_in APP_USER MS_USER_ID: the sign-in flow as a browser and the application would go through
# it: auth-start answers the Microsoft sign-in URL, the user signs in at the simulator,
# auth-callback redeems the code and redirects the browser to the application's callback URL with
# a single-use handle, and the application's backend, in its session of APP_USER, completes the
# sign-in with auth-complete, which links the account.
sign_in() {
  local started sign_in_url landed handle completed
  started=$(invoke auth-start "{\"authUserId\":\"$1\"}")
  sign_in_url=$("$ROOT/.venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["body"]["authorizeUrl"])' <<<"$started") ||
    { echo "auth-start did not answer a sign-in URL: $started" >&2; return 1; }
  landed=$("$ROOT/.venv/bin/python" "$ROOT/infra/sign_in.py" "$SIMULATOR_URL" "$2" "$sign_in_url")
  # The handle is a single-use credential of this sign-in: it is passed on, never printed.
  echo "the browser of $1 arrived at ${landed%%\?*} with a handle for auth-complete"
  [[ "$landed" == "$CALLBACK_URL?"* ]] || { echo "the sign-in failed: $landed" >&2; return 1; }
  handle=$("$ROOT/.venv/bin/python" -c \
    'import sys, urllib.parse; print(urllib.parse.parse_qs(urllib.parse.urlsplit(sys.argv[1]).query)["handle"][0])' "$landed")
  echo
  echo "== the application completes the sign-in in its session of $1: auth-complete"
  completed=$(invoke auth-complete "{\"authUserId\":\"$1\",\"query\":{\"handle\":\"$handle\"}}")
  echo "$completed"
  "$ROOT/.venv/bin/python" -c 'import json, sys; sys.exit(0 if json.load(sys.stdin).get("status") == 200 else 1)' <<<"$completed" ||
    { echo "auth-complete refused the sign-in" >&2; return 1; }
}

# show_events EXPECTED_DETAIL_TYPE...: the events the application's queue received so far.
show_events() {
  echo
  echo "== the events the application received on its bus (rule -> SQS)"
  "$ROOT/.venv/bin/python" "$ROOT/infra/show_events.py" "$MOTO_URL" "$EVENTS_QUEUE_URL" "$@"
}

# run_calls MODE CALL...: invokes each call and pretty-prints its result.
run_calls() {
  local mode=$1 call title function event
  shift
  for call in "$@"; do
    IFS='|' read -r title function event <<<"$call"
    echo
    echo "== $mode, $title: $function $event"
    invoke "$function" "$event"
  done
}

run_calls "application permissions" "${APPLICATION_CALLS[@]}"
echo
echo "== signing Adele Vance in as application user $APP_USER"
sign_in "$APP_USER" "$ADELE_ID"
run_calls "delegated permissions" "${DELEGATED_CALLS[@]}"
show_events "Link Linked" "Graph Change"
run_calls "operations" "${AFTER_CALLS[@]}"
show_events "Link Revoked"

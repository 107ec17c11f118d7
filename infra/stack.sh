#!/usr/bin/env bash
# The local stack, all on 127.0.0.1: moto server (DynamoDB, Secrets Manager), the Microsoft
# simulator, and `cargo lambda watch` serving the function binaries behind the Lambda Runtime
# API. Pids, ports and logs are kept in .stack/.
#
# Usage: infra/stack.sh up|down|status
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE="$ROOT/.stack"
VENV="$ROOT/.venv"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug"
# Services in start order; `down` stops them in reverse.
SERVICES=(moto simulator lambda)
TABLE_NAME=graph-functions
SECRET_NAME=graph-functions-settings
STARTUP_TIMEOUT_SECONDS=60
STOP_GRACE_SECONDS=10

# shellcheck source=infra/venv.sh
source "$ROOT/infra/venv.sh"

pid_file() { echo "$STATE/$1.pid"; }
log_file() { echo "$STATE/$1.log"; }

# is_running SERVICE: its recorded process is alive.
is_running() {
  local file
  file=$(pid_file "$1")
  [[ -f "$file" ]] && kill -0 "$(cat "$file")" 2>/dev/null
}

# start_service SERVICE COMMAND...: runs COMMAND in a new session (its own process group, so
# `down` can stop it with everything it started), output to .stack/SERVICE.log.
start_service() {
  local service=$1
  shift
  setsid "$@" >"$(log_file "$service")" 2>&1 </dev/null &
  echo $! >"$(pid_file "$service")"
}

# wait_for_url SERVICE PREFIX: waits until the service logs a line `PREFIX<url>`; prints the url.
wait_for_url() {
  local service=$1 prefix=$2 line
  for _ in $(seq $((STARTUP_TIMEOUT_SECONDS * 10))); do
    line=$(grep -m1 "^$prefix" "$(log_file "$service")" || true)
    if [[ -n "$line" ]]; then
      echo "${line#"$prefix"}"
      return 0
    fi
    is_running "$service" || break
    sleep 0.1
  done
  echo "$service did not start; see $(log_file "$service")" >&2
  return 1
}

# wait_for_port SERVICE PORT: waits until 127.0.0.1:PORT accepts connections while SERVICE is alive.
wait_for_port() {
  local service=$1 port=$2
  for _ in $(seq $((STARTUP_TIMEOUT_SECONDS * 10))); do
    if "$VENV/bin/python" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
      "$port" 2>/dev/null; then
      return 0
    fi
    is_running "$service" || break
    sleep 0.1
  done
  echo "$service does not accept connections on port $port; see $(log_file "$service")" >&2
  return 1
}

free_port() {
  "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# process_tree PID: PID and all its descendants (function instances run in sessions of their own).
process_tree() {
  ps -A -o pid=,ppid= | awk -v root="$1" '
    { pid[NR] = $1; parent[NR] = $2 }
    END {
      tree[root] = 1
      for (grown = 1; grown;) {
        grown = 0
        for (i = 1; i <= NR; i++) if ((parent[i] in tree) && !(pid[i] in tree)) { tree[pid[i]] = 1; grown = 1 }
      }
      for (p in tree) print p
    }'
}

# stop_service SERVICE: SIGTERM to its process group and descendants, SIGKILL after a grace period.
stop_service() {
  local service=$1 file leader pids=() alive
  file=$(pid_file "$service")
  [[ -f "$file" ]] || return 0
  leader=$(cat "$file")
  if kill -0 "$leader" 2>/dev/null && [[ "$(ps -o pgid= -p "$leader" | tr -d ' ')" == "$leader" ]]; then
    mapfile -t pids < <(process_tree "$leader")
    kill -TERM -- "-$leader" "${pids[@]}" 2>/dev/null || true
    for _ in $(seq $((STOP_GRACE_SECONDS * 10))); do
      alive=$(ps -o pid= -p "$(IFS=,; echo "${pids[*]}")" || true)
      [[ -z "$alive" ]] && break
      sleep 0.1
    done
    kill -KILL -- "-$leader" "${pids[@]}" 2>/dev/null || true
    echo "stopped $service"
  fi
  rm -f "$file"
}

down() {
  local index
  for ((index = ${#SERVICES[@]} - 1; index >= 0; index--)); do
    stop_service "${SERVICES[index]}"
  done
  rm -f "$STATE/stack.env" "$STATE/demo.env"
}

status() {
  local service running=0
  for service in "${SERVICES[@]}"; do
    if is_running "$service"; then
      echo "$service: running (pid $(cat "$(pid_file "$service")"), log $(log_file "$service"))"
      running=$((running + 1))
    else
      echo "$service: stopped"
    fi
  done
  if [[ -f "$STATE/stack.env" ]]; then
    cat "$STATE/stack.env"
  fi
  [[ $running -eq ${#SERVICES[@]} ]]
}

up() {
  local service all_running=1
  for service in "${SERVICES[@]}"; do
    is_running "$service" || all_running=0
  done
  if [[ $all_running -eq 1 ]]; then
    echo "the local stack is already up"
    status
    return 0
  fi
  down
  mkdir -p "$STATE"
  ensure_venv "$ROOT"
  echo "building the simulator, xtask (stack-init) and the functions" >&2
  (cd "$ROOT" && cargo build --quiet -p ms-simulator -p xtask -p functions)

  # moto_server.py exits when its parent does; a shell that waits for it is that parent.
  start_service moto bash -c '"$@" & wait $!' moto-keeper "$VENV/bin/python" "$ROOT/infra/moto_server.py" 0
  local moto_url simulator_url invoke_port
  moto_url=$(wait_for_url moto "moto listening on ")
  start_service simulator "$BIN/ms-simulator" --port 0
  simulator_url=$(wait_for_url simulator "ms-simulator listening on ")

  invoke_port=$(free_port)
  "$BIN/xtask" stack-init --endpoint "$moto_url" --table "$TABLE_NAME" --secret "$SECRET_NAME" \
    --simulator "$simulator_url" --redirect-uri "http://127.0.0.1:$invoke_port/lambda-url/auth-callback" \
    --demo-env "$STATE/demo.env" \
    >"$STATE/functions.env" 2>"$(log_file stack-init)" ||
    { echo "stack-init failed; see $(log_file stack-init)" >&2; return 1; }
  # Graph's change notifications reach graph-notifications through its function URL.
  echo "NOTIFICATION_URL=http://127.0.0.1:$invoke_port/lambda-url/graph-notifications" >>"$STATE/functions.env"

  (cd "$ROOT" && start_service lambda "$VENV/bin/cargo-lambda" lambda watch --package functions \
    --invoke-address 127.0.0.1 --invoke-port "$invoke_port" --env-file "$STATE/functions.env" --ignore-changes)
  wait_for_port lambda "$invoke_port"

  cat >"$STATE/stack.env" <<ENV
MOTO_URL=$moto_url
SIMULATOR_URL=$simulator_url
INVOKE_PORT=$invoke_port
TABLE_NAME=$TABLE_NAME
SETTINGS_SECRET_ID=$SECRET_NAME
ENV
  cat <<SUMMARY
local stack up (logs in .stack/, stop with infra/stack.sh down):
  moto server (DynamoDB, Secrets Manager,
    EventBridge, SQS)                      $moto_url
  Microsoft simulator                      $simulator_url
  cargo lambda watch (functions)           http://127.0.0.1:$invoke_port
  function environment                     .stack/functions.env
invoke a function:
  .venv/bin/cargo-lambda lambda invoke users-list --invoke-address 127.0.0.1 --invoke-port $invoke_port --data-ascii '{}'
SUMMARY
}

case "${1:-}" in
  up)
    trap 'status=$?; if [[ $status -ne 0 ]]; then echo "stack start failed; stopping what was started" >&2; down; fi' EXIT
    up
    ;;
  down) down ;;
  status) status ;;
  *)
    echo "usage: $0 up|down|status" >&2
    exit 2
    ;;
esac

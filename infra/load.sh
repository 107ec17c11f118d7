#!/usr/bin/env bash
# A bounded load run on loopback (default 10,000 invocations over 50 containers of users-get,
# release build): prints the latency distribution and fails on any error.
#
# Usage: infra/load.sh [invocations] [containers]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=infra/venv.sh
source infra/venv.sh
ensure_venv "$ROOT"
cargo run --quiet --release -p xtask -- load "$@"

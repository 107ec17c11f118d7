#!/usr/bin/env bash
# The benchmark of the product's performance budgets, from a fresh checkout: `users-get` and `events-create` as
# the Rust binaries and as a Python MSAL + boto3 baseline under awslambdaric, against the same
# Microsoft simulator and moto server on loopback, then the token keeper over seeded links.
# Prints the report, writes it into docs/benchmark.md and its summary table into README.md.
#
# Usage: infra/bench.sh [--cold-starts N] [--warm-invocations N] [--keeper-links N]
#        (defaults 100, 500 and 10000; --keeper-links 0 skips the keeper)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=infra/venv.sh
source infra/venv.sh

ensure_venv "$ROOT"
# The baseline's packages, reinstalled whenever infra/bench-requirements.txt changes.
installed="$ROOT/.venv/installed-bench-requirements.txt"
if ! cmp -s infra/bench-requirements.txt "$installed"; then
  echo "installing infra/bench-requirements.txt into $ROOT/.venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    --only-binary awslambdaric -r infra/bench-requirements.txt
  cp infra/bench-requirements.txt "$installed"
fi

# Only what the benchmark runs, in release mode (LTO makes every binary a long link).
cargo build --release -p functions --bin users-get --bin users-list --bin events-create --bin token-keeper
# The arm64 bootstraps Lambda runs, for the binary size budget (skipped where the arm64 standard
# library is not installed; the report then says it measured this machine's binaries instead).
if [[ -d "$(rustc --print sysroot)/lib/rustlib/aarch64-unknown-linux-gnu/lib" ]]; then
  infra/package.sh --bin users-get --bin events-create
fi
cargo run --release -p bench -- --command "infra/bench.sh${*:+ $*}" --write-docs "$@"

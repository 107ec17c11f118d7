#!/usr/bin/env bash
# Builds every function for AWS Lambda on Graviton (arm64, provided.al2023), as deployed:
# `cargo lambda build --release --arm64` cross-compiles with zig (PyPI `ziglang`), both from
# infra/requirements.txt. Each function lands in target/lambda/<function>/bootstrap, which
# `cargo lambda deploy` uploads (infra/DEPLOY.md). `sam build` runs the same build per function.
#
# Usage: infra/package.sh [more `cargo lambda build` flags, e.g. --bin users-get]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=infra/venv.sh
source infra/venv.sh
TARGET=aarch64-unknown-linux-gnu

if [[ ! -d "$(rustc --print sysroot)/lib/rustlib/$TARGET/lib" ]]; then
  echo "infra/package.sh: the Rust standard library for $TARGET is not installed;" >&2
  echo "install it with \`rustup target add $TARGET\` (needs access to static.rust-lang.org)." >&2
  exit 1
fi
ensure_venv "$ROOT"
# cargo-lambda, and the python3 that has zig (cargo-lambda runs `python3 -m ziglang`).
export PATH="$ROOT/.venv/bin:$PATH"
cargo lambda build --release --arm64 --package functions "$@"
echo "the functions are in ${CARGO_TARGET_DIR:-$ROOT/target}/lambda/<function>/bootstrap"

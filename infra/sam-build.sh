#!/usr/bin/env bash
# `sam build` as deployed: every function (or the ones named) built with `cargo lambda build
# --release --arm64 --bin <function>` through the template's `BuildMethod: rust-cargolambda`, into
# .aws-sam/build, ready for `sam deploy`. SAM CLI comes from infra/sam-requirements.txt, in its own
# environment .venv-sam; cargo-lambda and zig (the cross linker) from .venv (infra/requirements.txt).
# CI does not run this.
#
# Usage: infra/sam-build.sh [--sam-build-flag ...] [FunctionLogicalId ...]   (flags without a value, e.g. --debug)
#   no id: every function, what `sam deploy` needs. Ids (e.g. UsersGetFunction): each one in turn,
#   to check it builds; SAM CLI builds one resource per run and empties .aws-sam/build first, so
#   only the last one is left there.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=infra/venv.sh
source infra/venv.sh
TARGET=aarch64-unknown-linux-gnu
SAM_VENV="$ROOT/.venv-sam"
SAM_REQUIREMENTS="$ROOT/infra/sam-requirements.txt"

if [[ ! -d "$(rustc --print sysroot)/lib/rustlib/$TARGET/lib" ]]; then
  echo "infra/sam-build.sh: the Rust standard library for $TARGET is not installed;" >&2
  echo "install it with \`rustup target add $TARGET\` (needs access to static.rust-lang.org)." >&2
  exit 1
fi
ensure_venv "$ROOT"

# .venv-sam: created with Python 3.11 when missing (ignored by git through its own .gitignore),
# refreshed whenever infra/sam-requirements.txt changes.
if [[ ! -x "$SAM_VENV/bin/python" ]]; then
  python=$(command -v python3.11 || command -v python3 || true)
  if [[ -z "$python" ]]; then
    echo "Python 3.11 is needed to create $SAM_VENV (python3.11 or python3 on PATH)" >&2
    exit 1
  fi
  echo "creating $SAM_VENV with $python" >&2
  "$python" -m venv "$SAM_VENV"
  echo '*' > "$SAM_VENV/.gitignore"
fi
if ! cmp -s "$SAM_REQUIREMENTS" "$SAM_VENV/installed-requirements.txt"; then
  echo "installing infra/sam-requirements.txt into $SAM_VENV" >&2
  "$SAM_VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$SAM_REQUIREMENTS"
  cp "$SAM_REQUIREMENTS" "$SAM_VENV/installed-requirements.txt"
fi

# cargo-lambda, and the python3 that has zig (cargo-lambda runs `python3 -m ziglang`).
export PATH="$ROOT/.venv/bin:$PATH"
export SAM_CLI_TELEMETRY=0
"$SAM_VENV/bin/sam" --version
options=()
ids=()
for arg in "$@"; do
  if [[ $arg == -* ]]; then options+=("$arg"); else ids+=("$arg"); fi
done
if [[ ${#ids[@]} -eq 0 ]]; then
  exec "$SAM_VENV/bin/sam" build "${options[@]}"
fi
for id in "${ids[@]}"; do
  echo "infra/sam-build.sh: sam build $id" >&2
  "$SAM_VENV/bin/sam" build "${options[@]}" "$id"
done
if [[ ${#ids[@]} -gt 1 ]]; then
  echo "infra/sam-build.sh: .aws-sam/build holds ${ids[-1]} only; \`infra/sam-build.sh\` with no id builds all for \`sam deploy\`" >&2
fi

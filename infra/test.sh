#!/usr/bin/env bash
# Every check and test, from a fresh checkout: the pinned Python tools (.venv), formatting,
# clippy, cfn-lint on template.yaml, and all unit, integration and end-to-end tests of the workspace.
#
# Usage: infra/test.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=infra/venv.sh
source infra/venv.sh

ensure_venv "$ROOT"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
# template.yaml against the CloudFormation and SAM schemas (tests/e2e/tests/e2e/template.rs keeps
# it in step with the catalog).
.venv/bin/cfn-lint template.yaml
# cargo deny (deny.toml): advisories from the vendored RustSec extract, offline; licences; bans; sources.
infra/deny.sh
# The function binaries as the tests run them (tests build them on demand too, but doing it here
# keeps that a no-op and the build output visible).
cargo build -p functions --bins
# Every test of the workspace; the output is kept, and the totals over all test binaries close the run.
mkdir -p target
cargo test --workspace 2>&1 | tee target/test-output.log
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "tests: %d passed, %d failed\n", passed, failed }' \
  target/test-output.log

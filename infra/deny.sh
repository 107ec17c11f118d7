#!/usr/bin/env bash
# `cargo deny check` (deny.toml: advisories, licenses, bans, sources), offline.
#
# - Installs the pinned cargo-deny when it is missing or another version (`cargo install --locked`
#   from crates.io, about 3 minutes on 2 cores; later runs reuse ~/.cargo/bin/cargo-deny).
# - Advisories come from vendor/advisory-db/, an extract of the RustSec advisory database made by
#   infra/advisory_extract.py. It fails when Cargo.lock names a crate the extract was not made for.
#   cargo-deny reads a database only from a git checkout at
#   <db-path>/advisory-db-<XxHash64 of the db-urls URL>, so this script turns the extract into a
#   throwaway git repository there, committed with the extract's upstream date. cargo-deny's
#   staleness limit (90 days after the checkout was written) therefore never fails the check: the
#   age of the extract is printed instead, with a warning past 90 days.
# - `cargo fetch --locked` (crates.io) first, so that `cargo metadata --offline` finds every crate.
#
# Usage: infra/deny.sh [more `cargo deny check` arguments, e.g. bans]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

CARGO_DENY_VERSION=0.20.2
EXTRACT=vendor/advisory-db
# url_to_db_path of cargo-deny 0.20.2 (src/advisories/helpers/db.rs) for deny.toml's
# db-urls = ["https://github.com/rustsec/advisory-db"] under db-path = "target/advisory-dbs".
DB=target/advisory-dbs/advisory-db-3157b0e258782691

if [[ "$(cargo deny --version 2>/dev/null || true)" != "cargo-deny $CARGO_DENY_VERSION" ]]; then
  echo "installing cargo-deny $CARGO_DENY_VERSION" >&2
  cargo install --locked "cargo-deny@$CARGO_DENY_VERSION"
fi

# Every crates.io crate in Cargo.lock must be covered by the extract.
uncovered=$(comm -23 \
  <(awk -F'"' '/^name = /{name=$2} /^source = "registry\+/{print name}' Cargo.lock | sort -u) \
  <(sort -u "$EXTRACT/covered-crates.txt"))
if [[ -n "$uncovered" ]]; then
  echo "infra/deny.sh: $EXTRACT has no advisories for these crates of Cargo.lock:" >&2
  sed 's/^/  /' <<<"$uncovered" >&2
  echo "regenerate it: python3 infra/advisory_extract.py <clone of the RustSec advisory-db>" >&2
  exit 1
fi

# One run at a time per checkout: the database folder is rebuilt below and read by cargo-deny.
mkdir -p "$(dirname "$DB")"
exec 9>"$(dirname "$DB")/infra-deny.lock"
flock 9

commit=$(sed -n 's/^- Commit: `\([0-9a-f]*\)` (\(.*\))$/\1 \2/p' "$EXTRACT/README.md")
date=${commit#* }
rm -rf "$DB"
mkdir -p "$DB"
cp -R "$EXTRACT/crates" "$DB/crates"
git -C "$DB" init --quiet
git -C "$DB" add crates
GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date git -C "$DB" \
  -c user.name=infra/deny.sh -c user.email=deny@localhost -c commit.gpgsign=false \
  commit --quiet --no-verify -m "RustSec advisory-db extract at ${commit%% *}"
age_days=$(( ($(date +%s) - $(date -d "$date" +%s)) / 86400 ))
echo "advisories: RustSec advisory-db ${commit:0:12} of $date ($age_days days old)" >&2
if (( age_days > 90 )); then
  echo "warning: the advisory extract is over 90 days old; refresh it (see $EXTRACT/README.md)" >&2
fi

cargo fetch --locked --quiet
cargo deny --offline --locked check "$@"

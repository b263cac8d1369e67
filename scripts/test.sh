#!/usr/bin/env bash
# Runs every check and test from nothing: installs what is missing, builds the SBF program, checks
# formatting, lints and the committed IDL, then runs all tests against the built .so.
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)

step "prerequisites";           ./scripts/prereqs.sh
step "SBF build";               ./scripts/build-sbf.sh
step "format";                  cargo fmt --all -- --check
step "lint";                    cargo clippy --workspace --all-targets -- -D warnings
step "IDL is current";          python3 scripts/idl.py check
step "tests (LiteSVM on target/deploy/data_pool.so)"
cargo test --workspace --no-fail-fast

echo
echo "all checks passed in $(( $(date +%s) - start ))s"

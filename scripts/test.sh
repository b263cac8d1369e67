#!/usr/bin/env bash
# Runs every check and test from nothing: installs what is missing, builds the SBF program, checks
# formatting, lints and the committed IDL, then runs all tests against the built .so.
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
step() { printf '\n==> %s\n' "$*"; }
start=$(date +%s)

step "prerequisites";           ./scripts/prereqs.sh --tests
step "SBF build";               ./scripts/build-sbf.sh
step "format";                  cargo fmt --all -- --check
step "lint";                    cargo clippy --workspace --all-targets -- -D warnings
step "IDL is current";          python3 scripts/idl.py check
step "tests (LiteSVM on target/deploy/data_pool.so, and the datapool binary as a process)"
cargo build -q -p data-pool-cli --bin datapool
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
set +e
cargo test --workspace --no-fail-fast 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e
passed=$(awk '/^test result:/ {s += $4} END {print s + 0}' "$LOG")
failed=$(awk '/^test result:/ {s += $6} END {print s + 0}' "$LOG")
[ "$status" = 0 ] || { echo "tests: $passed passed, $failed failed"; exit "$status"; }

step "TypeScript client: current with the IDL, and a whole sale cycle in npm litesvm"
./scripts/ts.sh | tee "$LOG"
ts_passed=$(awk '/^# pass/ {print $3}' "$LOG")
passed=$((passed + ${ts_passed:-0}))

step "local validator (agave 4.2.2; built once into ~/.cache, 35-40 min the first time)"
./scripts/build-localnet.sh >/dev/null
PROGRAM_ID=$(sed -n 's/^declare_id!("\([^"]*\)");/\1/p' programs/data_pool/src/lib.rs)
./scripts/localnet.sh -- python3 scripts/localnet_smoke.py "$PROGRAM_ID" | tee "$LOG"
smoke=$(grep -c '^ok ' "$LOG")

step "end to end: the datapool binary against the local validator"
set +e
./scripts/e2e.sh 2>&1 | tee "$LOG"
status=${PIPESTATUS[0]}
set -e
e2e_passed=$(awk '/^test result:/ {s += $4} END {print s + 0}' "$LOG")
e2e_failed=$(awk '/^test result:/ {s += $6} END {print s + 0}' "$LOG")
passed=$((passed + smoke + e2e_passed))
failed=$((failed + e2e_failed))
[ "$status" = 0 ] || { echo "tests: $passed passed, $failed failed"; exit "$status"; }

echo
echo "all checks passed in $(( $(date +%s) - start ))s"
echo "tests: $passed passed, $failed failed"

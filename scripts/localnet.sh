#!/usr/bin/env bash
# Runs COMMAND next to a fresh local validator (localnet/, data_pool.so preloaded), both inside a
# private network namespace that has only loopback: agave binds 0.0.0.0 whatever it is asked, so
# nothing it opens is reachable from outside. COMMAND sees DATAPOOL_RPC_URL, DATAPOOL_WS_URL and
# DATAPOOL_FAUCET. The validator and its ledger are removed when COMMAND exits.
#   scripts/localnet.sh [--] COMMAND [ARGS...]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: scripts/localnet.sh [--] COMMAND [ARGS...]" >&2; exit 2; }
BIN=$("$ROOT/scripts/build-localnet.sh")
SO="$ROOT/target/deploy/data_pool.so"
[ -f "$SO" ] || "$ROOT/scripts/build-sbf.sh" >&2
PROGRAM_ID=$(sed -n 's/^declare_id!("\([^"]*\)");/\1/p' "$ROOT/programs/data_pool/src/lib.rs")

if [ -z "${DATAPOOL_IN_NETNS:-}" ]; then
  command -v unshare >/dev/null && command -v ip >/dev/null || {
    echo "localnet: needs unshare (util-linux) and ip (iproute2)" >&2; exit 1; }
  exec unshare --net --fork env DATAPOOL_IN_NETNS=1 "$0" "$@"
fi
ip link set lo up
LEDGER=$(mktemp -d)
LOG="$LEDGER/validator.log"
"$BIN" --program "$SO" --program-id "$PROGRAM_ID" --ledger "$LEDGER/ledger" >"$LOG" 2>&1 &
VPID=$!
cleanup() { kill "$VPID" 2>/dev/null || true; wait "$VPID" 2>/dev/null || true; rm -rf "$LEDGER"; }
trap cleanup EXIT
for _ in $(seq 1 240); do
  if grep -q '^READY ' "$LOG"; then break; fi
  if ! kill -0 "$VPID" 2>/dev/null; then
    echo "localnet: the validator exited:" >&2; tail -20 "$LOG" >&2; exit 1
  fi
  sleep 0.5
done
line=$(grep '^READY ' "$LOG") || { echo "localnet: no ready line after 120 s" >&2; tail -20 "$LOG" >&2; exit 1; }
export DATAPOOL_RPC_URL=$(sed -n 's/.* rpc=\([^ ]*\).*/\1/p' <<<"$line")
export DATAPOOL_WS_URL=$(sed -n 's/.* ws=\([^ ]*\).*/\1/p' <<<"$line")
export DATAPOOL_FAUCET=$(sed -n 's/.* faucet=\([^ ]*\).*/\1/p' <<<"$line")
echo "localnet: $line" >&2
"$@"

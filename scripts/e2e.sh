#!/usr/bin/env bash
# End-to-end tests on a real validator: builds the local validator (once, cached), the datapool
# binary and the test, then runs tests/tests/e2e_localnet/ inside a private network namespace
# (loopback only: agave binds 0.0.0.0 whatever it is asked). The test starts and stops the
# validators itself.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
if [ -z "${DATAPOOL_IN_NETNS:-}" ]; then
  BIN=$(./scripts/build-localnet.sh)
  [ -f target/deploy/data_pool.so ] || ./scripts/build-sbf.sh >&2
  cargo build -q -p data-pool-cli --bin datapool
  cargo test -q -p data-pool-tests --test e2e_localnet --no-run
  command -v unshare >/dev/null && command -v ip >/dev/null || {
    echo "e2e: needs unshare (util-linux) and ip (iproute2)" >&2; exit 1; }
  exec unshare --net --fork env DATAPOOL_IN_NETNS=1 DATAPOOL_LOCALNET_BIN="$BIN" "$0" "$@"
fi
ip link set lo up
CARGO_NET_OFFLINE=true cargo test -p data-pool-tests --test e2e_localnet -- --ignored --test-threads=1 "$@"

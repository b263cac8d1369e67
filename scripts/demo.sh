#!/usr/bin/env bash
# The end-to-end demo: `datapool demo`, the Unwrapped story on an in-process chain (LiteSVM running
# the real data_pool.so). Installs what is missing and builds the program first.
# Usage: scripts/demo.sh [--contributors N] [--turnout PERCENT] [--seed N] [--price USDC]
#        scripts/demo.sh --url http://127.0.0.1:8899 ...   (against a validator; -k pays)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
./scripts/prereqs.sh
./scripts/build-sbf.sh
cargo build --quiet -p data-pool-cli --bin datapool
exec ./target/debug/datapool demo "$@"

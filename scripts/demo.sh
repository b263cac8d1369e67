#!/usr/bin/env bash
# The end-to-end demo: the Unwrapped story on an in-process chain (LiteSVM running the real
# data_pool.so). Installs what is missing and builds the program first.
# Usage: scripts/demo.sh [--contributors N] [--turnout PERCENT] [--seed N]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
./scripts/prereqs.sh
./scripts/build-sbf.sh
cargo run --quiet -p data-pool-tests --bin demo -- "$@"

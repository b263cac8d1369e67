#!/usr/bin/env bash
# Creates a pool from a config file, or brings an existing one in line with it (parameters,
# attestors). Re-runnable: a second run changes nothing. Extra arguments go to datapool
# (e.g. -u devnet -k ~/.config/solana/curator.json --output json).
#   migrations/setup-pool.sh migrations/pool.example.toml -u devnet -k curator.json
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: migrations/setup-pool.sh CONFIG.toml [datapool options]" >&2; exit 2; }
CONFIG=$1
shift
(cd "$ROOT" && cargo build --quiet -p data-pool-cli --bin datapool)
exec "$ROOT/target/debug/datapool" "$@" pool apply "$CONFIG"

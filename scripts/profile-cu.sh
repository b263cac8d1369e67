#!/usr/bin/env bash
# Where the compute units of the hot instructions go: builds data_pool with the `cu-profile`
# feature (each `cu_mark!()` logs the units left) into target/profile — the real program in
# target/deploy is untouched — and prints the units spent between marks: Anchor's entry
# (dispatch, account loading, constraints, `init` with its bump search), each part of the
# handler, and the exit (serializing `Account<T>`s back). See programs/data_pool/src/profile.rs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATAPOOL_SBF_OUT="$ROOT/target/profile" DATAPOOL_SBF_TARGET="$ROOT/target/sbf-profile" \
  DATAPOOL_SBF_PROGRAMS=data_pool "$ROOT/scripts/build-sbf.sh" --features cu-profile
cd "$ROOT"
DATA_POOL_SO="$ROOT/target/profile/data_pool.so" \
  cargo run --release -q -p data-pool-tests --bin cu-profile

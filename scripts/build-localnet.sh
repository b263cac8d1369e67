#!/usr/bin/env bash
# Builds the local validator (localnet/, agave 4.2.2) once into a cache outside the clone and
# prints the binary's path. ≈35-40 minutes cold on 2 cores; seconds when cached.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${DATAPOOL_CACHE:-$HOME/.cache/data-pool}
TARGET="$CACHE/localnet-target"
BIN="$TARGET/release/data-pool-localnet"
key=$(cat "$ROOT/localnet/Cargo.toml" "$ROOT/localnet/src/main.rs" | sha256sum | cut -c1-12)
if [ -x "$BIN" ] && [ "$(cat "$TARGET/.key" 2>/dev/null)" = "$key" ]; then
  echo "$BIN"
  exit 0
fi
missing=()
for p in clang libclang-dev protobuf-compiler pkg-config libudev-dev libssl-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "[build-localnet] installing ${missing[*]}" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi
echo "[build-localnet] building agave's test validator (35-40 min the first time)" >&2
(cd "$ROOT/localnet" && cargo +stable build --release --locked --target-dir "$TARGET" >&2) ||
  (cd "$ROOT/localnet" && cargo +stable build --release --target-dir "$TARGET" >&2)
echo "$key" > "$TARGET/.key"
echo "$BIN"

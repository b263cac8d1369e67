#!/usr/bin/env bash
# Builds programs/data_pool (and the benchmark's programs/cu_reference) into target/deploy/*.so with upstream rustc/LLVM and
# sbpf-linker (see docs/BUILD.md). Installs what it needs, idempotently:
#   - the pinned nightly with rust-src (rustup),
#   - sbpf-linker (cargo install, cached outside the clone),
#   - a copy of that nightly whose std source carries sbf/std-solana.patch, linked into rustup.
# Slow pieces live in $DATAPOOL_CACHE (default ~/.cache/data-pool); a fresh machine builds them.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NIGHTLY=nightly-2026-10-26
LINKER_VERSION=0.2.6
CACHE=${DATAPOOL_CACHE:-$HOME/.cache/data-pool}
TARGET_SPEC="$ROOT/sbf/bpfel-solana-solana.json"
PATCH="$ROOT/sbf/std-solana.patch"
# DATAPOOL_SBF_OUT / DATAPOOL_SBF_TARGET / DATAPOOL_SBF_PROGRAMS let scripts/profile-cu.sh build a
# profiling variant beside the real one. DATAPOOL_SBF_LINK_EXTRA adds sbpf-linker arguments (for
# example `--dump-module DIR` for scripts/size-report.py). docs/PERFORMANCE.md has what the
# size-optimised build costs in compute units.
SBF_TARGET_DIR=${DATAPOOL_SBF_TARGET:-$ROOT/target/sbf}
OUT_DIR=${DATAPOOL_SBF_OUT:-$ROOT/target/deploy}
PROGRAMS=${DATAPOOL_SBF_PROGRAMS:-data_pool cu_reference}

log() { printf '[build-sbf] %s\n' "$*" >&2; }

# 0. rustup itself must be there (it is on every machine of this kind).
command -v rustup >/dev/null || { log "rustup not found: install Rust with rustup first"; exit 1; }

# 1. Pinned nightly with rust-src.
host=$(rustc +stable -vV | sed -n 's/^host: //p')
nightly_dir="$(rustup home 2>/dev/null || echo "$HOME/.rustup")/toolchains/$NIGHTLY-$host"
if [ ! -d "$nightly_dir/lib/rustlib/src/rust/library/std" ]; then
  log "installing $NIGHTLY with rust-src"
  rustup toolchain install "$NIGHTLY" --profile minimal -c rust-src >&2
fi

# 2. sbpf-linker, built with stable into the cache.
linker_root="$CACHE/sbpf-linker-$LINKER_VERSION"
if ! "$linker_root/bin/sbpf-linker" --version >/dev/null 2>&1; then
  log "installing sbpf-linker $LINKER_VERSION into $linker_root (a few minutes, once)"
  cargo +stable install "sbpf-linker@$LINKER_VERSION" --locked --root "$linker_root" >&2
fi
export PATH="$linker_root/bin:$PATH"

# 3. The patched toolchain: a hard-linked copy of the nightly with a patched std source.
key=$( (echo "$NIGHTLY-$host"; cat "$PATCH") | sha256sum | cut -c1-12)
tc_name="datapool-sbf-$key"
tc_dir="$CACHE/toolchains/$tc_name"
if [ ! -f "$tc_dir/.complete" ]; then
  log "preparing patched toolchain $tc_name"
  rm -rf "$tc_dir" "$tc_dir.tmp"
  mkdir -p "$CACHE/toolchains"
  cp -al "$nightly_dir" "$tc_dir.tmp" 2>/dev/null || cp -a "$nightly_dir" "$tc_dir.tmp"
  src="$tc_dir.tmp/lib/rustlib/src/rust"
  # Replace the hard links of the std source with real files before patching.
  rm -rf "$src/library"
  cp -a "$nightly_dir/lib/rustlib/src/rust/library" "$src/library"
  patch -d "$src" -p1 --quiet --forward < "$PATCH"
  touch "$tc_dir.tmp/.complete"
  mv "$tc_dir.tmp" "$tc_dir"
  rm -rf "$SBF_TARGET_DIR" # cargo does not notice a changed std source
fi
# (Re)link when missing or pointing at another cache directory.
if [ "$(rustc "+$tc_name" --print sysroot 2>/dev/null)" != "$(cd "$tc_dir" && pwd -P)" ]; then
  rustup toolchain uninstall "$tc_name" >/dev/null 2>&1 || true
  rustup toolchain link "$tc_name" "$tc_dir"
fi

# 4. Build. `--deploy=false`: sbpf-linker would otherwise also write every program it links to
# ./target/deploy/, so a variant built elsewhere (DATAPOOL_SBF_OUT) would replace the real one;
# this script copies each program to OUT_DIR itself.
log "building data_pool.so and cu_reference.so"
export RUSTC_BOOTSTRAP_SYNTHETIC_TARGET=1
RUSTFLAGS="-Z unstable-options -C panic=immediate-abort -C passes=lower-atomic -A linker_messages"
RUSTFLAGS+=" -C relocation-model=static -C target-cpu=v4 -C target-feature=+allows-misaligned-mem-access"
for a in --arch=v3 --llvm-args=--bpf-stack-size=4096 --llvm-args=--disable-bswap \
  --llvm-args=--disable-movsx --llvm-args=--disable-ldsx --llvm-args=--disable-gotol \
  --llvm-args=--bpf-min-jump-table-entries=1000000 --deploy=false; do
  RUSTFLAGS+=" -C link-arg=$a"
done
export RUSTFLAGS
export CARGO_ENCODED_RUSTFLAGS=
unset CARGO_ENCODED_RUSTFLAGS
# no-log-ix-name: the deployed program does not log "Instruction: <Name>" (≈100+ CU each call;
# explorers and our clients decode the instruction from its data instead). cu_reference is the
# benchmark's floor (never deployed), built the same way.
mkdir -p "$OUT_DIR"
for program in $PROGRAMS; do
  # data_pool is compiled at opt-level "z" (Cargo.toml): rustc then asks sbpf-linker for -Oz,
  # which it no longer takes ("use O2 with the minsize attribute"), so its link runs at -O2.
  # Extra linker arguments go to the program's own link only, so changing them rebuilds nothing
  # else.
  link=(--)
  [ "$program" = data_pool ] && link+=(-C link-arg=-O2)
  for a in ${DATAPOOL_SBF_LINK_EXTRA:-}; do link+=(-C "link-arg=$a"); done
  (cd "$ROOT" && cargo "+$tc_name" rustc --release -p "$program" --lib --features no-log-ix-name \
    --target "$TARGET_SPEC" -Z build-std=std,panic_abort -Z json-target-spec \
    --target-dir "$SBF_TARGET_DIR" "$@" "${link[@]}")
  cp "$SBF_TARGET_DIR/bpfel-solana-solana/release/lib$program.so" "$OUT_DIR/$program.so"
  log "wrote $OUT_DIR/$program.so ($(stat -c %s "$OUT_DIR/$program.so") bytes)"
done

#!/usr/bin/env bash
# Installs, only when missing, the system tools the build and tests use: a C compiler (crates with
# C code), patch (the SBF std patch), python3 (IDL assembly), pkg-config and the OpenSSL headers
# (linked by the in-process chain's precompiles). Rust itself comes from rustup, which
# reads rust-toolchain.toml. With --tests also what only the tests use: headless Chromium (the
# audit report is rendered and screenshotted) and Node.js with npm (the TypeScript client's
# test). Safe to run again.
set -euo pipefail
missing=()
if [ "${1:-}" = "--tests" ]; then
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null || missing+=(chromium)
  # The TypeScript client's test (scripts/ts.sh) needs Node.js 20+ and npm.
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi
command -v cc >/dev/null || missing+=(gcc)
command -v patch >/dev/null || missing+=(patch)
command -v python3 >/dev/null || missing+=(python3)
command -v pkg-config >/dev/null || missing+=(pkg-config)
# The system OpenSSL that .cargo/config.toml links instead of compiling a vendored copy.
pkg-config --exists openssl 2>/dev/null || missing+=(libssl-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "[prereqs] installing ${missing[*]}" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi
if ! command -v rustup >/dev/null; then
  echo "[prereqs] rustup is required: https://rustup.rs (then run this again)" >&2
  exit 1
fi
# The host toolchain pinned in rust-toolchain.toml, with rustfmt and clippy.
(cd "$(dirname "${BASH_SOURCE[0]}")/.." && rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install)

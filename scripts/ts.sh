#!/usr/bin/env bash
# The TypeScript client (client/ts): installs its pinned packages (npm install against the
# committed lock file; skipped when node_modules matches it), checks that the generated client is current with
# idl/data_pool.json, and runs the Node test that drives target/deploy/data_pool.so in the npm
# litesvm package through the generated client. Needs Node.js 20+ and npm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../client/ts"
command -v node >/dev/null || { echo "error: Node.js 20+ is needed for the TypeScript client (https://nodejs.org)"; exit 2; }
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "error: Node.js $(node --version) is too old for the TypeScript client (litesvm and tsx need 20+)" >&2
  echo "  hint: install Node.js 20 or later (https://nodejs.org, or NodeSource's Debian packages)" >&2
  exit 2
fi
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || ! cmp -s <(sed -n '/"packages"/,$p' package-lock.json | sed 1d) <(sed -n '/"packages"/,$p' "$stamp" | sed 1d) 2>/dev/null; then
  npm install --no-audit --no-fund --loglevel=error
fi
npm run --silent check
npm test --silent

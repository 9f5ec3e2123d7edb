#!/usr/bin/env bash
# Installs js/node_modules (npm ci from the committed js/package-lock.json: @google/genai 3.3.0, playwright-core
# 1.65.1) for the SDK and browser tests. Idempotent and fast when done; the tests call it. Needs node + npm.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
command -v node >/dev/null 2>&1 || { echo "prepare-js: node is not on PATH" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "prepare-js: npm is not on PATH" >&2; exit 1; }
want="3.3.0 1.65.1"
have="$(cd "$here/js" && node -p "try { require('./node_modules/@google/genai/package.json').version + ' ' + require('./node_modules/playwright-core/package.json').version } catch (e) { '' }")"
if [[ "$have" != "$want" || "$here/js/package-lock.json" -nt "$here/js/node_modules/.package-lock.json" ]]; then
  echo "prepare-js: npm ci in js/" >&2
  # @google/genai 3.3.0 declares node>=22 but runs on Node 20: EBADENGINE is a warning only.
  (cd "$here/js" && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false) >&2
fi

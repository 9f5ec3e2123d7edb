#!/usr/bin/env bash
# Installs js-openai/node_modules for SdkOpenAiRealtimeConformanceTest: npm ci from the committed
# js-openai/package-lock.json (openai 7.55.0, @openai/agents-realtime 0.20.0, zod 4.6.7, ws 8.23.0). Idempotent and
# fast when done; .ci/run and the test call it. Needs node + npm (Node 20 works; openai 7.55.0 declares >=22, a warning).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/js-openai"
command -v node >/dev/null 2>&1 || { echo "prepare-openai-js: node is not on PATH" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "prepare-openai-js: npm is not on PATH" >&2; exit 1; }
want="7.55.0 0.20.0"
have="$(cd "$here" && node -p "try { require('./node_modules/openai/package.json').version + ' ' + require('./node_modules/@openai/agents-realtime/package.json').version } catch (e) { '' }")"
if [[ "$have" != "$want" || "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]]; then
  echo "prepare-openai-js: npm ci in js-openai/" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false) >&2
fi

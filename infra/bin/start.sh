#!/usr/bin/env bash
# npm start: install what is missing, build, then bring up the whole hub (infra/src/start.ts).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash infra/bin/ensure-deps.sh
echo "› building (tsc -b)…"
npx --no-install tsc -b
echo "› building the dashboard (vite build)…"
npm run --silent build -w web
exec node --enable-source-maps infra/dist/src/start.js

#!/usr/bin/env bash
# npm test: everything CI checks, on a fresh clone — install, generated-code check, lint, type check, build,
# then the unit tests and the integration tests against the real Kafka broker and embedded TimescaleDB.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
# HUB_TEST_CPU_HOG=1: one process keeps a core at 100 % for the whole run, to show the suite passes on a busy
# machine (no test may depend on how fast the machine is). A trap stops it however the run ends.
if [[ "${HUB_TEST_CPU_HOG:-}" == "1" ]]; then
  node -e 'for (;;) {}' &
  hog=$!
  trap 'kill "$hog" 2>/dev/null || true' EXIT
  echo "› HUB_TEST_CPU_HOG=1: process $hog keeps one core at 100 % until the tests end"
fi
bash infra/bin/ensure-deps.sh --browser
bash infra/bin/gen-check.sh
echo "› lint (biome) and type check (tsc)…"
npx --no-install biome check --error-on-warnings .
node --import tsx infra/src/boundaries.ts
npx --no-install tsc -b
npx --no-install tsc -p test/tsconfig.json
npx --no-install tsc -p web/tsconfig.json --noEmit
echo "› building the dashboard (vite build, for the browser tests)…"
npm run --silent build -w web
echo "› tests (vitest: unit, then integration)…"
mkdir -p test-results
status=0
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
# One plain closing line for CI: "N passed, N failed".
node -e '
  const r = require("./test-results/vitest.json");
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' || true
echo "› npm test finished in $(( $(date +%s) - started )) s"
exit "$status"

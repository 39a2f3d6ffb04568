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
mkdir -p test-results
rm -f test-results/vitest*.json
status=0
if [[ $# -gt 0 || -n "${KAFKA_BROKERS:-}" || -n "${DATABASE_URL:-}" || "${HUB_TEST_SHARDS:-2}" == "1" ]]; then
  # Named files, or a broker/database given from outside (which two processes would share): one process.
  echo "› tests (vitest: unit, then integration)…"
  npx --no-install vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" ||
    status=$?
else
  # Two processes side by side, each with its own Kafka broker and embedded database (test/shards.ts says which
  # integration files each runs); every line says which one it comes from.
  echo "› tests (vitest: unit, and the integration files in two shards side by side, [1] and [2])…"
  # Both shards start a broker: fetch the Kafka jars once first rather than twice at the same time.
  node --conditions=source --import tsx -e 'await (await import("@hub/infra")).ensureKafkaJars({})'
  shard() {
    HUB_TEST_SHARD="$1/2" npx --no-install vitest run "${@:2}" --reporter=default --reporter=json \
      --outputFile.json="test-results/vitest-$1.json" 2>&1 | sed -u "s/^/[$1] /"
    return "${PIPESTATUS[0]}"
  }
  shard 1 --project unit --project integration &
  first=$!
  shard 2 --project integration &
  second=$!
  wait "$first" || status=$?
  wait "$second" || status=$?
fi
# One plain closing line for CI: "N passed, N failed".
node -e '
  const { readdirSync } = require("node:fs");
  const reports = readdirSync("test-results").filter((f) => /^vitest.*\.json$/.test(f));
  const sum = (key) => reports.reduce((n, f) => n + require(`./test-results/${f}`)[key], 0);
  console.log(`${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed`);
' || true
echo "› npm test finished in $(( $(date +%s) - started )) s"
exit "$status"

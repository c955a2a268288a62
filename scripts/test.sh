#!/usr/bin/env bash
# The whole suite: types, lint, formatting, then unit and integration tests in one run of
# node's test runner (one summary at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== typecheck" && npx tsc --noEmit
echo "== lint" && npx eslint . --max-warnings=0
echo "== format" && npx prettier --check . >/dev/null
echo "== bench harness smoke (figures are not checked here; see BENCHMARKS.md)"
npx tsx bench/run.ts --quick --only pubsub-16 >/dev/null
echo "== console build (skipped when current)"
npx tsx scripts/build-console.ts
echo "== tests"
# The console test builds and starts the full product (npm start's path).
export MQ9_TEST_CONSOLE="${MQ9_TEST_CONSOLE:-1}"
shopt -s nullglob
files=(test/unit/*.test.ts test/integration/*.test.ts)
node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
echo "== end-to-end (Playwright in Debian's Chromium, against the real server)"
npx playwright test

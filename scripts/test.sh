#!/usr/bin/env bash
# The whole suite: types, lint, formatting, then unit and integration tests in one run of
# node's test runner (one summary at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== typecheck" && npx tsc --noEmit
echo "== lint" && npx eslint . --max-warnings=0
echo "== format" && npx prettier --check . >/dev/null
echo "== tests"
shopt -s nullglob
files=(test/unit/*.test.ts test/integration/*.test.ts)
node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"

#!/usr/bin/env bash
# Runs the dashboard's browser tests: builds the bundle (and installs chromium when missing),
# then every web/tests/*.test.mjs with node's test runner, one file at a time.
# Usage: web/tests/run.sh [path/to/complaints]   (default: build/complaints)
# Screenshots: $CT_TEST_OUTPUT/screenshots (default tests/output/screenshots).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$repo/scripts/setup-web" test
export COMPLAINTS_BIN="$(realpath "${1:-$repo/build/complaints}")"
cd "$repo/web"
exec node --test --test-concurrency=1 --test-reporter=spec tests/*.test.mjs

#!/usr/bin/env bash
# The browser fetcher benchmark (make bench-browser): pages per minute through BrowserFetcher
# (real chromedriver + Chromium) on the replay's JavaScript-rendered g2 page, and the peak RSS
# of the browser's process group, for browsers retired after 20 pages (the default) and after
# every page. Everything is done by bench_browser (bench/browser/browser_bench.cc).
#
#   bench/browser/run.sh BUILD_DIR
#
# Environment: BENCH_PAGES [60] pages per scenario; BENCH_OUT [bench/results] where browser.md
# is written.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="$(cd "$1" && pwd)"
BENCH="$BUILD/bench/browser/bench_browser"
[ -x "$BENCH" ] || { echo "run.sh: $BENCH missing: build it first (target bench_browser)" >&2; exit 1; }
OUT="${BENCH_OUT:-$ROOT/bench/results}"
mkdir -p "$OUT"
"$BENCH" --pages "${BENCH_PAGES:-60}" --out "$OUT/browser.md"
echo "wrote $OUT/browser.md"

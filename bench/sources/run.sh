#!/usr/bin/env bash
# The sources benchmark (make bench-sources): adapter parse throughput, then end-to-end
# ingestion (local HTTP -> fetch -> parse -> analyse -> upsert) into SQLite and into a throw-away
# PostgreSQL server. Everything is done by bench_sources (bench/sources/sources_bench.cc).
#
#   bench/sources/run.sh BUILD_DIR
#
# Environment (defaults in brackets):
#   BENCH_ITEMS [20000]          items per ingestion run (half Hacker News, half Reddit)
#   BENCH_PER_PAGE [100]         items per served page
#   BENCH_INGEST_RUNS [3]        ingestion runs per store (fresh database each)
#   BENCH_PARSE_RUNS [5]         parse runs per adapter;  BENCH_MIN_SECONDS [0.5] per run
#   BENCH_BACKENDS ["sqlite postgresql"]
#   BENCH_LABEL [""]             a note in the report
#   BENCH_OUT [bench/results]    where sources.md and sources.json are written
# Scratch (SQLite files, source state): bench/work/sources/. The PostgreSQL server (run as the
# `postgres` user when root) lives in a temp directory and is stopped and removed on exit.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="$(cd "$1" && pwd)"
BENCH="$BUILD/bench/sources/bench_sources"
[ -x "$BENCH" ] || { echo "run.sh: $BENCH missing: build it first (target bench_sources)" >&2; exit 1; }

BACKENDS="${BENCH_BACKENDS:-sqlite postgresql}"
WORK="$ROOT/bench/work/sources"
rm -rf "$WORK"
mkdir -p "$WORK"

args=(--fixtures "$ROOT/tests/fixtures/sources" --out "${BENCH_OUT:-$ROOT/bench/results}"
      --work "$WORK" --items "${BENCH_ITEMS:-20000}" --per-page "${BENCH_PER_PAGE:-100}"
      --ingest-runs "${BENCH_INGEST_RUNS:-3}" --parse-runs "${BENCH_PARSE_RUNS:-5}"
      --min-seconds "${BENCH_MIN_SECONDS:-0.5}" --stores "${BACKENDS// /,}")
[ -n "${BENCH_LABEL:-}" ] && args+=(--label "$BENCH_LABEL")
env_note=""
for v in BENCH_ITEMS BENCH_PER_PAGE BENCH_INGEST_RUNS BENCH_PARSE_RUNS BENCH_MIN_SECONDS BENCH_BACKENDS; do
  [ -n "${!v:-}" ] && env_note+="$v=${!v} "
done
BENCH_COMMAND="${env_note}bench/sources/run.sh $1" exec "$BENCH" "${args[@]}"

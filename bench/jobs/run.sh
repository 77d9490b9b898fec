#!/usr/bin/env bash
# The job-system benchmark (make bench-jobs):
#  1. test.noop throughput (pre-enqueued N jobs, the drain timed from the jobs' own timestamps)
#     and enqueue-to-start latency (jobs enqueued at a steady rate) through real
#     `complaints worker` processes, per queue backend, at concurrency 1 and 16;
#  2. BullMQ on the same Redis server, the same way (bullmq_bench.js);
#  3. recovery under `complaints serve`: SIGKILL a worker mid-job, 20 times;
#  4. API availability: wrk on /posts?limit=50 for 60 s while a worker is SIGKILLed every 2 s.
#
#   bench/jobs/run.sh BUILD_DIR
#
# Environment (defaults in brackets):
#   BENCH_JOBS [20000]            jobs per throughput run (PostgreSQL: BENCH_PG_JOBS [4000], its
#                                 enqueue is one fsync'd transaction per job)
#   BENCH_REPEATS [3]             throughput runs of the Redis backend and of BullMQ, alternated;
#                                 the table gives the median (the other backends run once)
#   BENCH_LATENCY_JOBS [1000]     jobs per latency run, enqueued at BENCH_LATENCY_RATE [100] /s
#   BENCH_BACKENDS ["sqlite postgresql redis fallback"]   fallback = jobs in the SQL queue,
#                                 drained by workers configured with REDIS_URL (degraded mode)
#   BENCH_CONCURRENCY ["1 16"]
#   BENCH_KILLS [20]              recovery drills;  BENCH_RECOVERY_WORKERS [4]
#   BENCH_WRK_SECONDS [60]        availability run; BENCH_KILL_EVERY_MS [2000]
#   BENCH_WRK_CONNECTIONS [16]    keep-alive connections (2 wrk threads)
#   BENCH_POSTS [20000]           synthetic posts in the availability run's database
#   BENCH_SECTIONS ["throughput recovery availability"]
#   BENCH_OUT [bench/results]     where jobs.md and jobs.json are written
# Scratch (databases, logs, raw outputs): bench/work/jobs/. Every process it starts (Redis,
# PostgreSQL, workers, serve, wrk) is stopped on exit.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="$(cd "$1" && pwd)"
HERE="$ROOT/bench/jobs"
COMPLAINTS="$BUILD/complaints"
BENCH="$BUILD/bench/jobs/bench_jobs"
GENERATOR="$BUILD/bench/api/bench_synthetic_posts"
WORK="$ROOT/bench/work/jobs"
OUT="${BENCH_OUT:-$ROOT/bench/results}"

N="${BENCH_JOBS:-20000}"
PG_N="${BENCH_PG_JOBS:-4000}"
REPEATS="${BENCH_REPEATS:-3}"
LAT_N="${BENCH_LATENCY_JOBS:-1000}"
LAT_RATE="${BENCH_LATENCY_RATE:-100}"
BACKENDS="${BENCH_BACKENDS:-sqlite postgresql redis fallback}"
CONCURRENCIES="${BENCH_CONCURRENCY:-1 16}"
KILLS="${BENCH_KILLS:-20}"
RECOVERY_WORKERS="${BENCH_RECOVERY_WORKERS:-4}"
WRK_SECONDS="${BENCH_WRK_SECONDS:-60}"
KILL_EVERY_MS="${BENCH_KILL_EVERY_MS:-2000}"
WRK_CONNS="${BENCH_WRK_CONNECTIONS:-16}"
POSTS="${BENCH_POSTS:-20000}"
SECTIONS="${BENCH_SECTIONS:-throughput recovery availability}"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"

for tool in wrk redis-server redis-cli node curl; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (scripts/install-deps all)" >&2; exit 1; }
done
for f in "$COMPLAINTS" "$BENCH" "$GENERATOR"; do
  [ -x "$f" ] || { echo "run.sh: $f missing: build it first" >&2; exit 1; }
done
[ -d "$HERE/node_modules/bullmq" ] || { echo "run.sh: run npm ci in bench/jobs first" >&2; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK/logs" "$OUT"
LOGS="$WORK/logs"
RESULTS="$WORK/results.jsonl"
: >"$RESULTS"

# --- processes, stopped on exit ---------------------------------------------------------------
REDIS_PID=""
PG_DATA=""
PG_PORT=""
WORKER_PID=""
SERVE_PID=""
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_pid() {  # stop_pid PID: SIGTERM, up to 30 s, then SIGKILL
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
stop_worker() { stop_pid "$WORKER_PID"; WORKER_PID=""; }
stop_serve() { stop_pid "$SERVE_PID"; SERVE_PID=""; }
stop_redis() { stop_pid "$REDIS_PID"; REDIS_PID=""; }
stop_pg() {
  if [ -n "$PG_DATA" ]; then
    as_postgres "$PGBIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DATA"
    PG_DATA=""
  fi
}
cleanup() {
  stop_worker
  stop_serve
  stop_redis
  stop_pg
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p=$1
  while port_in_use "$p"; do p=$((p + 1)); done
  echo "$p"
}
exec 3>&2
log() { echo "[bench-jobs $(date -u +%H:%M:%S)] $*" >&3; }
record() { echo "$1" >>"$RESULTS"; }  # one JSON object per line
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

wait_http() {  # wait_http URL SECONDS
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    curl -sf -o /dev/null --max-time 2 "$1" && return 0
    sleep 0.1
  done
  return 1
}

# --- servers ----------------------------------------------------------------------------------
start_redis() {
  local port
  port=$(free_port 46379)
  mkdir -p "$WORK/redis"
  # As production runs it (DESIGN.md §7): AOF on, noeviction.
  redis-server --port "$port" --bind 127.0.0.1 --dir "$WORK/redis" --save "" \
    --appendonly yes --appendfsync everysec --maxmemory-policy noeviction \
    >"$LOGS/redis.txt" 2>&1 &
  REDIS_PID=$!
  REDIS_URL="redis://127.0.0.1:$port"
  for _ in $(seq 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis-server did not start:" >&2
  cat "$LOGS/redis.txt" >&2
  return 1
}

start_pg() {
  PG_PORT=$(free_port 55442)
  PG_DATA=$(mktemp -d /tmp/ct-bench-jobs-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DATA"
  as_postgres "$PGBIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    >"$LOGS/pg-initdb.txt" 2>&1 || { cat "$LOGS/pg-initdb.txt" >&2; return 1; }
  as_postgres "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 start \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DATA -c max_connections=200" \
    >"$LOGS/pg-start.txt" 2>&1 || { cat "$LOGS/pg-start.txt" "$PG_DATA/server.log" >&2; return 1; }
}

pg_fresh_db() {  # a new empty database per run: no jobs of the previous run in the way
  "$PGBIN/dropdb" --if-exists -h 127.0.0.1 -p "$PG_PORT" -U postgres complaints_jobs_bench
  "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres complaints_jobs_bench
}

# Sets DB_URL / WORKER_REDIS / QUEUE_ARGS (how bench_jobs reaches the jobs) for a backend, on a
# fresh, empty queue.
fresh_queue() {
  local backend=$1
  rm -rf "$WORK/db"
  mkdir -p "$WORK/db"
  DB_URL="sqlite:$WORK/db/complaints.db"
  WORKER_REDIS=""
  case "$backend" in
    sqlite) QUEUE_ARGS=(--database-url "$DB_URL") ;;
    postgresql)
      pg_fresh_db
      DB_URL="postgresql://postgres@127.0.0.1:$PG_PORT/complaints_jobs_bench"
      QUEUE_ARGS=(--database-url "$DB_URL") ;;
    redis)
      redis-cli -u "$REDIS_URL" flushall >/dev/null
      WORKER_REDIS="$REDIS_URL"
      QUEUE_ARGS=(--redis-url "$REDIS_URL") ;;
    fallback)
      redis-cli -u "$REDIS_URL" flushall >/dev/null
      WORKER_REDIS="$REDIS_URL"
      QUEUE_ARGS=(--database-url "$DB_URL") ;;
    *) echo "unknown backend $backend" >&2; return 1 ;;
  esac
}

start_worker() {  # start_worker CONCURRENCY LOGFILE
  # warn: the per-job info lines are the operator's choice; BullMQ logs nothing per job either.
  env COMPLAINTS_TEST_JOBS=1 DATABASE_URL="$DB_URL" REDIS_URL="$WORKER_REDIS" \
    COMPLAINTS_DATA_DIR="$WORK/db" "$COMPLAINTS" --log-level warn worker --id bench-worker \
    --concurrency "$1" >"$2" 2>&1 &
  WORKER_PID=$!
}

# --- 1 + 2: throughput and latency -------------------------------------------------------------
run_ours() {  # run_ours BACKEND CONCURRENCY REPEAT
  local backend=$1 c=$2 rep=$3 tag="$1-c$2" out N=$N
  [ "$backend" = postgresql ] && N=$PG_N
  fresh_queue "$backend"
  log "$tag: enqueueing $N test.noop jobs"
  local enq
  enq=$("$BENCH" enqueue "${QUEUE_ARGS[@]}" --count "$N")
  start_worker "$c" "$LOGS/worker-$tag-throughput.txt"
  "$BENCH" wait "${QUEUE_ARGS[@]}" --count "$N" --timeout-s 900 >/dev/null
  stop_worker
  out=$("$BENCH" report "${QUEUE_ARGS[@]}")
  record "{\"section\":\"throughput\",\"system\":\"complaints\",\"backend\":\"$backend\",\"concurrency\":$c,\"repeat\":$rep,\"enqueue\":$enq,\"result\":$out,\"loadavg\":\"$(loadavg)\"}"
  log "$tag: $(echo "$out" | node -e 'const r=JSON.parse(require("fs").readFileSync(0));console.log(r.jobs_per_s.toFixed(0)+" jobs/s")')"
  [ "$rep" -eq 1 ] || return 0

  fresh_queue "$backend"
  start_worker "$c" "$LOGS/worker-$tag-latency.txt"
  sleep 1  # the worker is up and waiting for work
  log "$tag: $LAT_N jobs at $LAT_RATE/s"
  "$BENCH" enqueue "${QUEUE_ARGS[@]}" --count "$LAT_N" --rate "$LAT_RATE" >/dev/null
  "$BENCH" wait "${QUEUE_ARGS[@]}" --count "$LAT_N" --timeout-s 300 >/dev/null
  stop_worker
  out=$("$BENCH" report "${QUEUE_ARGS[@]}")
  record "{\"section\":\"latency\",\"system\":\"complaints\",\"backend\":\"$backend\",\"concurrency\":$c,\"rate\":$LAT_RATE,\"result\":$out,\"loadavg\":\"$(loadavg)\"}"
}

run_bullmq() {  # run_bullmq CONCURRENCY REPEAT
  local c=$1 rep=$2 out
  redis-cli -u "$REDIS_URL" flushall >/dev/null
  log "bullmq-c$c: $N jobs"
  out=$(node "$HERE/bullmq_bench.js" throughput "$REDIS_URL" "$N" "$c")
  record "{\"section\":\"throughput\",\"system\":\"bullmq\",\"backend\":\"redis\",\"concurrency\":$c,\"repeat\":$rep,\"result\":$out,\"loadavg\":\"$(loadavg)\"}"
  log "bullmq-c$c: $(echo "$out" | node -e 'const r=JSON.parse(require("fs").readFileSync(0));console.log(r.jobs_per_s.toFixed(0)+" jobs/s")')"
  [ "$rep" -eq 1 ] || return 0
  out=$(node "$HERE/bullmq_bench.js" latency "$REDIS_URL" "$LAT_N" "$c" "$LAT_RATE")
  record "{\"section\":\"latency\",\"system\":\"bullmq\",\"backend\":\"redis\",\"concurrency\":$c,\"rate\":$LAT_RATE,\"result\":$out,\"loadavg\":\"$(loadavg)\"}"
}

# --- 3 + 4: under complaints serve ------------------------------------------------------------
start_serve() {  # start_serve WORKERS CONCURRENCY LOGFILE; sets API
  local port
  port=$(free_port 18180)
  API="http://127.0.0.1:$port"
  env COMPLAINTS_TEST_JOBS=1 DATABASE_URL="$DB_URL" COMPLAINTS_DATA_DIR="$WORK/db" \
    COMPLAINTS_PUBLIC_READS=true "$COMPLAINTS" --log-level warn serve --listen "127.0.0.1:$port" \
    --workers "$1" --concurrency "$2" --no-scheduler --stop-grace-ms 8000 >"$3" 2>&1 &
  SERVE_PID=$!
  wait_http "$API/health" 60 || { echo "serve did not answer /health:" >&2; tail -20 "$3" >&2; return 1; }
}

run_recovery() {
  fresh_queue sqlite
  start_serve "$RECOVERY_WORKERS" 1 "$LOGS/serve-recovery.txt"
  log "recovery: $KILLS SIGKILLs of a worker running a job ($RECOVERY_WORKERS workers, each up >= 10 s when killed)"
  local out
  out=$("$BENCH" recovery "${QUEUE_ARGS[@]}" --data-dir "$WORK/db" --workers "$RECOVERY_WORKERS" \
        --kills "$KILLS" 2>"$LOGS/recovery.txt")
  curl -sf "$API/jobs/status" >"$LOGS/recovery-jobs-status.json" || true
  stop_serve
  record "{\"section\":\"recovery\",\"backend\":\"sqlite\",\"workers\":$RECOVERY_WORKERS,\"result\":$out,\"loadavg\":\"$(loadavg)\"}"
}

run_availability() {
  fresh_queue sqlite
  log "availability: importing $POSTS synthetic posts"
  "$GENERATOR" --count "$POSTS" --seed 42 >"$WORK/posts.jsonl" 2>/dev/null
  env DATABASE_URL="$DB_URL" COMPLAINTS_DATA_DIR="$WORK/db" COMPLAINTS_LOG_LEVEL=warn \
    "$COMPLAINTS" import "$WORK/posts.jsonl" >"$LOGS/import.txt" 2>&1
  start_serve 2 4 "$LOGS/serve-availability.txt"
  local jobs=$((WRK_SECONDS * 50))
  log "availability: wrk $WRK_SECONDS s on /posts?limit=50, a worker SIGKILLed every $KILL_EVERY_MS ms, $jobs jobs at 50/s"
  "$BENCH" enqueue "${QUEUE_ARGS[@]}" --count "$jobs" --rate 50 >"$LOGS/availability-enqueue.json" &
  local enq_pid=$!
  "$BENCH" kill-loop --data-dir "$WORK/db" --interval-ms "$KILL_EVERY_MS" \
    --duration-ms $((WRK_SECONDS * 1000)) >"$LOGS/availability-kills.json" &
  local kill_pid=$!
  wrk -t2 -c"$WRK_CONNS" -d"${WRK_SECONDS}s" --timeout 10s --latency \
    -s "$ROOT/bench/api/wrk_report.lua" "$API/posts?limit=50" >"$LOGS/availability-wrk.txt" 2>&1
  wait "$kill_pid"
  wait "$enq_pid"
  local waited succeeded
  # Every job must end succeeded; a dead one (crash budget spent) or a lost one shows here.
  waited=$("$BENCH" wait "${QUEUE_ARGS[@]}" --count "$jobs" --timeout-s 120 2>&1) || true
  succeeded=$(echo "$waited" | grep -o '"succeeded":[0-9]*' | cut -d: -f2)
  [ -n "$succeeded" ] || { log "availability: not every job succeeded: $waited"; succeeded=null; }
  cp "$WORK/db/supervisor.json" "$LOGS/availability-supervisor.json"
  stop_serve
  local line
  line=$(grep '^WRK_RESULT' "$LOGS/availability-wrk.txt") ||
    { echo "wrk gave no result:" >&2; cat "$LOGS/availability-wrk.txt" >&2; return 1; }
  local wrk_json
  wrk_json=$(echo "${line#WRK_RESULT }" | tr ' ' '\n' |
    awk -F= 'BEGIN{printf "{"} NR>1{printf ","} {printf "\"%s\":%s", $1, $2} END{printf "}"}')
  record "{\"section\":\"availability\",\"backend\":\"sqlite\",\"seconds\":$WRK_SECONDS,\"connections\":$WRK_CONNS,\"kill_every_ms\":$KILL_EVERY_MS,\"wrk\":$wrk_json,\"kills\":$(cat "$LOGS/availability-kills.json"),\"jobs\":$jobs,\"jobs_succeeded\":$succeeded,\"loadavg\":\"$(loadavg)\"}"
}

# --- the run ----------------------------------------------------------------------------------
START_LOAD=$(loadavg)
log "load average at start: $START_LOAD ($(nproc) CPUs)"
record "{\"section\":\"meta\",\"started\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"loadavg_start\":\"$START_LOAD\",\"nproc\":$(nproc),\"cpu\":\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')\",\"jobs\":$N,\"pg_jobs\":$PG_N,\"repeats\":$REPEATS,\"latency_jobs\":$LAT_N,\"latency_rate\":$LAT_RATE,\"redis\":\"$(redis-server --version | grep -o 'v=[^ ]*' | cut -d= -f2)\",\"node\":\"$(node --version)\",\"commit\":\"$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)\"}"

start_redis
if [[ " $SECTIONS " == *" throughput "* ]]; then
  [[ " $BACKENDS " == *" postgresql "* ]] && start_pg
  for c in $CONCURRENCIES; do
    for backend in $BACKENDS; do run_ours "$backend" "$c" 1; done
    run_bullmq "$c" 1
    # More runs of the pair the target compares, alternated so both see the same machine.
    for rep in $(seq 2 "$REPEATS"); do
      [[ " $BACKENDS " == *" redis "* ]] && run_ours redis "$c" "$rep"
      run_bullmq "$c" "$rep"
    done
  done
  stop_pg
fi
[[ " $SECTIONS " == *" recovery "* ]] && run_recovery
[[ " $SECTIONS " == *" availability "* ]] && run_availability

record "{\"section\":\"meta_end\",\"finished\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"loadavg_end\":\"$(loadavg)\"}"
node "$HERE/report.js" "$RESULTS" "$OUT/jobs.md" "$OUT/jobs.json"
log "wrote $OUT/jobs.md and $OUT/jobs.json"

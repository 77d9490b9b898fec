#!/usr/bin/env bash
# The API benchmark (make bench-api): SYNTHETIC posts imported into SQLite and PostgreSQL, then
# wrk against four GET endpoints of `complaints api`, and against nginx serving the very same
# response bytes as static files (the ceiling of this machine).
#
#   bench/api/run.sh BUILD_DIR
#
# Environment (defaults in brackets):
#   BENCH_POSTS [1000000]       posts generated and imported
#   BENCH_DURATION [30]         seconds per wrk run
#   BENCH_WARMUP [5]            seconds of wrk warm-up against the API before each measured run
#   BENCH_CONNECTIONS [64]      keep-alive connections;  BENCH_THREADS [2] wrk threads
#   BENCH_BACKENDS ["sqlite postgresql"]
#   BENCH_SEED [42]             generator seed
#   BENCH_QUERY_WORD [panne]    the q= word (~4% of posts contain it)
#   BENCH_FILTER [complaint=true&product=vps&answered=false]   the filtered /posts query
#   BENCH_OUT [bench/results]   where api.md and api.json are written
# Scratch (posts file, databases, nginx root and conf, raw wrk output, logs): bench/work/api/.
# Every process started here (API, nginx, PostgreSQL) is stopped on exit.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="$(cd "$1" && pwd)"
COMPLAINTS="$BUILD/complaints"
GENERATOR="$BUILD/bench/api/bench_synthetic_posts"
WORK="$ROOT/bench/work/api"
OUT="${BENCH_OUT:-$ROOT/bench/results}"
LUA="$ROOT/bench/api/wrk_report.lua"

POSTS="${BENCH_POSTS:-1000000}"
DURATION="${BENCH_DURATION:-30}"
WARMUP="${BENCH_WARMUP:-5}"
CONNS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
BACKENDS="${BENCH_BACKENDS:-sqlite postgresql}"
SEED="${BENCH_SEED:-42}"
QWORD="${BENCH_QUERY_WORD:-panne}"
FILTER="${BENCH_FILTER:-complaint=true&product=vps&answered=false}"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"

# name|path|kind: kind "page" targets p99 < 10 ms and >= 30% of nginx; "stats" p99 < 50 ms.
ENDPOINTS=(
  "page|/posts?limit=50|page"
  "search|/posts?q=${QWORD}&limit=50|page"
  "filtered|/posts?${FILTER}&limit=50|page"
  "stats|/posts/stats|stats"
)

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (scripts/install-deps all)" >&2; exit 1; }
done
for f in "$COMPLAINTS" "$GENERATOR"; do
  [ -x "$f" ] || { echo "run.sh: $f missing: build it first" >&2; exit 1; }
done

mkdir -p "$WORK/logs" "$OUT"
LOGS="$WORK/logs"
rm -f "$LOGS"/*

# --- processes, stopped on exit ---------------------------------------------------------------
API_PID=""
NGINX_PID=""
PG_DATA=""
PG_PORT=""
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_api() {
  if [ -n "$API_PID" ]; then
    kill -TERM "$API_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$API_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$API_PID" 2>/dev/null || true
    wait "$API_PID" 2>/dev/null || true
    API_PID=""
  fi
}
stop_nginx() {
  if [ -n "$NGINX_PID" ]; then
    kill -TERM "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=""
  fi
}
stop_pg() {
  if [ -n "$PG_DATA" ]; then
    as_postgres "$PGBIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DATA"
    PG_DATA=""
  fi
}
cleanup() {
  stop_api
  stop_nginx
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
now() { date +%s.%N; }
exec 3>&2  # progress goes to the terminal even while a backend's stderr is captured
log() { echo "[bench-api $(date -u +%H:%M:%S)] $*" >&3; }

# --- the synthetic posts ----------------------------------------------------------------------
POSTS_FILE="$WORK/synthetic-posts-$POSTS-seed$SEED.jsonl"
if [ ! -s "$POSTS_FILE" ] || [ "$GENERATOR" -nt "$POSTS_FILE" ]; then
  log "generating $POSTS synthetic posts (seed $SEED)"
  rm -f "$WORK"/synthetic-posts-*.jsonl "$WORK"/synthetic-posts-*.summary
  t0=$(now)
  "$GENERATOR" --count "$POSTS" --seed "$SEED" >"$POSTS_FILE.tmp" 2>"$POSTS_FILE.summary"
  mv "$POSTS_FILE.tmp" "$POSTS_FILE"
  log "generated in $(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}') s: $(head -1 "$POSTS_FILE.summary")"
else
  log "reusing $POSTS_FILE"
fi
cp "$POSTS_FILE.summary" "$LOGS/generator.txt"
POSTS_BYTES=$(stat -c %s "$POSTS_FILE")

# --- helpers ----------------------------------------------------------------------------------
wrk_field() { grep -o "$2=[^ ]*" "$1" | head -1 | cut -d= -f2; }

run_wrk() {  # run_wrk URL SECONDS OUTFILE
  wrk -t"$THREADS" -c"$CONNS" -d"$2s" --timeout 10s --latency -s "$LUA" "$1" >"$3" 2>&1
  grep -q '^WRK_RESULT' "$3"
}

start_nginx() {  # start_nginx ROOT PORT
  local root=$1 port=$2 conf="$WORK/nginx/nginx.conf"
  mkdir -p "$WORK/nginx/tmp"
  {
    echo "worker_processes 2;"
    echo "daemon off;"
    echo "pid $WORK/nginx/nginx.pid;"
    echo "error_log $WORK/nginx/error.log warn;"
    [ "$(id -u)" -eq 0 ] && echo "user root;"
    echo "events { worker_connections 4096; }"
    echo "http {"
    echo "  access_log off;"
    echo "  sendfile on; tcp_nopush on; tcp_nodelay on;"
    echo "  keepalive_timeout 75s; keepalive_requests 100000000;"
    echo "  client_body_temp_path $WORK/nginx/tmp/body; proxy_temp_path $WORK/nginx/tmp/proxy;"
    echo "  fastcgi_temp_path $WORK/nginx/tmp/fastcgi; uwsgi_temp_path $WORK/nginx/tmp/uwsgi;"
    echo "  scgi_temp_path $WORK/nginx/tmp/scgi;"
    echo "  types { } default_type application/json;"
    echo "  map_hash_bucket_size 256;"
    echo "  # GET /posts?QUERY -> the file saved from the API for that exact query string."
    echo "  map \$args \$bench_file {"
    echo "    default /missing;"
    local e name path
    for e in "${ENDPOINTS[@]}"; do
      IFS='|' read -r name path _ <<<"$e"
      [[ "$path" == /posts\?* ]] && echo "    \"${path#/posts\?}\" /$name.json;"
    done
    echo "  }"
    echo "  server {"
    echo "    listen 127.0.0.1:$port;"
    echo "    root $root;"
    echo "    location = /posts { try_files \$bench_file =404; }"
    echo "    location = /posts/stats { try_files /stats.json =404; }"
    echo "  }"
    echo "}"
  } >"$conf"
  nginx -t -q -p "$WORK/nginx" -c "$conf" 2>"$WORK/nginx/error.log" ||
    { cat "$WORK/nginx/error.log" >&2; return 1; }
  nginx -p "$WORK/nginx" -c "$conf" 2>>"$WORK/nginx/error.log" &
  NGINX_PID=$!
  wait_http "http://127.0.0.1:$port/posts/stats" 10 || { cat "$WORK/nginx/error.log" >&2; return 1; }
}

wait_http() {  # wait_http URL SECONDS
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    curl -sf -o /dev/null --max-time 2 "$1" && return 0
    sleep 0.2
  done
  return 1
}

start_pg() {
  PG_PORT=$(free_port 55432)
  PG_DATA=$(mktemp -d /tmp/ct-bench-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DATA"
  as_postgres "$PGBIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    >"$LOGS/pg-initdb.txt" 2>&1 || { cat "$LOGS/pg-initdb.txt" >&2; return 1; }
  # A modest production-like setup: durable (fsync on), more cache than the 128 MB default.
  as_postgres "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 start \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DATA -c shared_buffers=1GB \
        -c effective_cache_size=4GB -c max_connections=100 -c max_wal_size=4GB" \
    >"$LOGS/pg-start.txt" 2>&1 || { cat "$LOGS/pg-start.txt" "$PG_DATA/server.log" >&2; return 1; }
  "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres complaints_bench
}

fmt_ms() { awk -v us="$1" 'BEGIN{printf "%.2f", us/1000}'; }

# Results, kept as JSON fragments and Markdown rows per backend.
declare -A BACKEND_JSON BACKEND_MD

run_backend() {  # run_backend sqlite|postgresql; returns non-zero on failure (reason on stderr)
  local backend=$1 db_url
  stop_api
  stop_nginx
  case "$backend" in
    sqlite)
      rm -f "$WORK"/bench.db "$WORK"/bench.db-wal "$WORK"/bench.db-shm
      db_url="sqlite:$WORK/bench.db" ;;
    postgresql)
      stop_pg
      start_pg || return 1
      db_url="postgresql://postgres@127.0.0.1:$PG_PORT/complaints_bench" ;;
    *) echo "unknown backend $backend" >&2; return 1 ;;
  esac
  local -a env_vars=(DATABASE_URL="$db_url" COMPLAINTS_DATA_DIR="$WORK/data"
                     COMPLAINTS_LOG_LEVEL=warn COMPLAINTS_PUBLIC_READS=true)

  log "$backend: importing $POSTS posts"
  local t0 t1 import_s import_rate
  t0=$(now)
  env "${env_vars[@]}" "$COMPLAINTS" import --max-errors-shown 5 "$POSTS_FILE" \
    >"$LOGS/$backend-import.txt" 2>"$LOGS/$backend-import.err" ||
    { echo "$backend: import failed:" >&2; tail -5 "$LOGS/$backend-import.err" >&2; return 1; }
  t1=$(now)
  import_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
  import_rate=$(awk -v n="$POSTS" -v s="$import_s" 'BEGIN{printf "%.0f", n/s}')
  local inserted
  inserted=$(grep -o '[0-9]* inserted' "$LOGS/$backend-import.txt" | cut -d' ' -f1)
  log "$backend: imported in ${import_s} s (${import_rate} posts/s): $(cat "$LOGS/$backend-import.txt")"
  local db_bytes=0
  if [ "$backend" = sqlite ]; then
    db_bytes=$(du -cb "$WORK"/bench.db* 2>/dev/null | tail -1 | cut -f1)
  else
    # What autovacuum would do shortly after a bulk load; not part of the timed import.
    "$PGBIN/psql" -qAt -h 127.0.0.1 -p "$PG_PORT" -U postgres -d complaints_bench \
      -c "VACUUM ANALYZE" >/dev/null
    db_bytes=$("$PGBIN/psql" -qAt -h 127.0.0.1 -p "$PG_PORT" -U postgres -d complaints_bench \
      -c "SELECT pg_database_size('complaints_bench')")
  fi

  local api_port nginx_port
  api_port=$(free_port 18080)
  env "${env_vars[@]}" "$COMPLAINTS" api --listen "127.0.0.1:$api_port" \
    >"$LOGS/$backend-api.txt" 2>&1 &
  API_PID=$!
  wait_http "http://127.0.0.1:$api_port/health" 60 ||
    { echo "$backend: API did not answer /health:" >&2; tail -5 "$LOGS/$backend-api.txt" >&2; return 1; }
  local rss_start
  rss_start=$(awk '/^VmRSS/{print $2}' "/proc/$API_PID/status")

  # Save the exact bodies nginx will serve, and how many rows each query matches.
  local root="$WORK/nginx/root-$backend" e name path kind
  rm -rf "$root"
  mkdir -p "$root"
  declare -A matched bytes single_ms status
  for e in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name path kind <<<"$e"
    local code took
    read -r code took < <(curl -s -o "$root/$name.json" -w '%{http_code} %{time_total}\n' --max-time 600 \
      "http://127.0.0.1:$api_port$path")
    single_ms[$name]=$(awk -v t="$took" 'BEGIN{printf "%.1f", t*1000}')
    status[$name]=$code
    # A failing endpoint is still measured (every request counts as an error); the row says why.
    [ "$code" = 200 ] || log "$backend: GET $path -> $code: $(head -c 300 "$root/$name.json")"
    bytes[$name]=$(stat -c %s "$root/$name.json")
  done
  for e in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name path kind <<<"$e"
    local q="${path#*\?}"
    [ "$q" = "$path" ] && q=""
    q=$(echo "$q" | sed -E 's/(^|&)limit=[0-9]+//; s/^&//')
    if [ -z "$q" ]; then  # no filter: the saved /posts/stats body already says
      matched[$name]=$(grep -o '"total": *[0-9]*' "$root/stats.json" | head -1 | tr -dc '0-9')
    else
      matched[$name]=$(curl -sf --max-time 600 "http://127.0.0.1:$api_port/posts/stats?$q" |
        grep -o '"total": *[0-9]*' | head -1 | tr -dc '0-9')
    fi
  done

  nginx_port=$(free_port $((api_port + 1)))
  start_nginx "$root" "$nginx_port" || { echo "$backend: nginx did not start" >&2; return 1; }
  for e in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name path _ <<<"$e"
    cmp -s "$root/$name.json" <(curl -sf "http://127.0.0.1:$nginx_port$path") ||
      { echo "$backend: nginx does not serve the API's bytes for $path" >&2; return 1; }
  done

  local rows="" json_rows="" first=1
  for e in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name path kind <<<"$e"
    local api_out="$LOGS/$backend-$name-api.txt" ngx_out="$LOGS/$backend-$name-nginx.txt"
    log "$backend: $name: warm-up ${WARMUP} s, then ${DURATION} s against the API and nginx"
    run_wrk "http://127.0.0.1:$api_port$path" "$WARMUP" "$LOGS/$backend-$name-warmup.txt" ||
      { echo "$backend: wrk warm-up failed for $path" >&2; return 1; }
    run_wrk "http://127.0.0.1:$api_port$path" "$DURATION" "$api_out" ||
      { echo "$backend: wrk failed for $path" >&2; cat "$api_out" >&2; return 1; }
    run_wrk "http://127.0.0.1:$nginx_port$path" "$DURATION" "$ngx_out" ||
      { echo "$backend: wrk against nginx failed for $path" >&2; cat "$ngx_out" >&2; return 1; }
    local a_rps a_p50 a_p99 a_err n_rps n_p50 n_p99 n_err ratio met
    a_rps=$(wrk_field "$api_out" rps); a_p50=$(wrk_field "$api_out" p50_us); a_p99=$(wrk_field "$api_out" p99_us)
    n_rps=$(wrk_field "$ngx_out" rps); n_p50=$(wrk_field "$ngx_out" p50_us); n_p99=$(wrk_field "$ngx_out" p99_us)
    a_err=$(( $(wrk_field "$api_out" err_connect) + $(wrk_field "$api_out" err_read) + $(wrk_field "$api_out" err_write) + $(wrk_field "$api_out" err_status) + $(wrk_field "$api_out" err_timeout) ))
    n_err=$(( $(wrk_field "$ngx_out" err_connect) + $(wrk_field "$ngx_out" err_read) + $(wrk_field "$ngx_out" err_write) + $(wrk_field "$ngx_out" err_status) + $(wrk_field "$ngx_out" err_timeout) ))
    # wrk leaves requests slower than --timeout out of its histogram (counted as timeouts), so
    # when more than 1% (50%) of them timed out the real p99 (p50) is above the timeout.
    local a_p50_txt a_p99_txt a_to a_req a_p99_eff
    a_to=$(wrk_field "$api_out" err_timeout); a_req=$(wrk_field "$api_out" requests)
    a_p50_txt=$(fmt_ms "$a_p50"); a_p99_txt=$(fmt_ms "$a_p99"); a_p99_eff=$a_p99
    if [ "$a_req" -eq 0 ] || [ $((a_to * 100)) -gt "$a_req" ]; then a_p99_txt="> 10000"; a_p99_eff=10000000; fi
    if [ "$a_req" -eq 0 ] || [ $((a_to * 2)) -gt "$a_req" ]; then a_p50_txt="> 10000"; fi
    local a_err_txt="$a_err"
    [ "$a_to" -gt 0 ] && a_err_txt="$a_err ($a_to timeouts)"
    ratio=$(awk -v a="$a_rps" -v n="$n_rps" 'BEGIN{printf "%.1f", (n > 0) ? 100*a/n : 0}')
    if [ "$kind" = stats ]; then
      met=$(awk -v p="$a_p99_eff" -v e="$a_err" 'BEGIN{print ((p < 50000 && e == 0) ? "yes" : "no (p99 >= 50 ms or errors)")}')
    else
      met=$(awk -v p="$a_p99_eff" -v r="$ratio" -v e="$a_err" 'BEGIN{
        m = ""; if (p >= 10000) m = m "p99 >= 10 ms"; if (r < 30) m = m (m == "" ? "" : ", ") "< 30% of nginx";
        if (e > 0) m = m (m == "" ? "" : ", ") "errors";
        print ((m == "") ? "yes" : "no (" m ")")}')
    fi
    if [ "${status[$name]}" != 200 ]; then
      met="no (HTTP ${status[$name]}: $(grep -o '"code": *"[^"]*"' "$root/$name.json" | head -1 | cut -d'"' -f4))"
    fi
    log "$backend: $name: API $a_rps req/s p50 $a_p50_txt ms p99 $a_p99_txt ms, $a_err_txt errors | nginx $n_rps req/s | ${ratio}% | $met"
    rows+="| \`$name\` \`$path\` | ${matched[$name]:-?} | ${bytes[$name]} | ${single_ms[$name]} | $(printf '%.0f' "$a_rps") | $a_p50_txt | $a_p99_txt | $a_err_txt | $(printf '%.0f' "$n_rps") | $(fmt_ms "$n_p99") | ${ratio}% | $met |"$'\n'
    [ $first -eq 1 ] || json_rows+=","
    first=0
    json_rows+=$(printf '\n      {"name":"%s","path":"%s","kind":"%s","matched_rows":%s,"response_bytes":%s,"first_request_ms":%s,"api":{"rps":%s,"p50_us":%s,"p90_us":%s,"p99_us":%s,"max_us":%s,"requests":%s,"errors":%s,"timeouts":%s,"p99_above_timeout":%s},"nginx":{"rps":%s,"p50_us":%s,"p90_us":%s,"p99_us":%s,"max_us":%s,"requests":%s,"errors":%s},"ratio_pct":%s,"target_met":%s}' \
      "$name" "$path" "$kind" "${matched[$name]:-null}" "${bytes[$name]}" "${single_ms[$name]}" \
      "$a_rps" "$a_p50" "$(wrk_field "$api_out" p90_us)" "$a_p99" "$(wrk_field "$api_out" max_us)" "$a_req" "$a_err" "$a_to" "$([ "$a_p99_eff" = 10000000 ] && echo true || echo false)" \
      "$n_rps" "$n_p50" "$(wrk_field "$ngx_out" p90_us)" "$n_p99" "$(wrk_field "$ngx_out" max_us)" "$(wrk_field "$ngx_out" requests)" "$n_err" \
      "$ratio" "$([ "$met" = yes ] && echo true || echo false)")
  done

  local hwm rss_end rss_anon rss_file
  hwm=$(awk '/^VmHWM/{print $2}' "/proc/$API_PID/status")
  rss_end=$(awk '/^VmRSS/{print $2}' "/proc/$API_PID/status")
  rss_anon=$(awk '/^RssAnon/{print $2}' "/proc/$API_PID/status")
  rss_file=$(awk '/^RssFile/{print $2}' "/proc/$API_PID/status")
  stop_api
  stop_nginx
  [ "$backend" = postgresql ] && stop_pg
  log "$backend: API peak RSS (VmHWM) $((hwm / 1024)) MiB"

  BACKEND_MD[$backend]="### $backend

- Import: **$import_rate posts/s** ($POSTS posts in ${import_s} s, ${inserted:-?} inserted; database $((db_bytes / 1024 / 1024)) MiB)
- API peak RSS (VmHWM over the whole run): **$((hwm / 1024)) MiB** (RSS after start $((rss_start / 1024)) MiB, at the end $((rss_end / 1024)) MiB: $((rss_anon / 1024)) MiB anonymous, $((rss_file / 1024)) MiB file-backed such as a memory-mapped database)

| endpoint | rows matched | body bytes | first request ms (cold, alone) | API req/s | API p50 ms | API p99 ms | API errors | nginx req/s | nginx p99 ms | API / nginx | target met? |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
$rows"
  BACKEND_JSON[$backend]=$(printf '{"backend":"%s","status":"ok","import":{"posts":%s,"seconds":%s,"posts_per_s":%s,"inserted":%s,"db_bytes":%s},"api_rss_kib":{"after_start":%s,"end":%s,"end_anon":%s,"end_file":%s,"peak_vmhwm":%s},"endpoints":[%s\n    ]}' \
    "$backend" "$POSTS" "$import_s" "$import_rate" "${inserted:-null}" "$db_bytes" "$rss_start" "$rss_end" "$rss_anon" "$rss_file" "$hwm" "$json_rows")
}

# --- report (rewritten after each backend, so an interrupted run keeps what it measured) -------
write_report() {
  CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  MEM_GIB="$(awk '/MemTotal/{printf "%.1f", $2/1048576}' /proc/meminfo)"
  COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  WRK_VERSION="$( (wrk -v 2>&1 || true) | head -1 | awk '{print $2}')"
  NGINX_VERSION="$( (nginx -v 2>&1 || true) | sed 's|.*/||')"
  GEN_SUMMARY="$(head -1 "$LOGS/generator.txt" | sed 's/^bench_synthetic_posts: //')"

  {
    echo "# API benchmark"
    echo
    echo "Generated by \`make bench-api\` (\`bench/api/run.sh\`); how to read it: docs/benchmarks.md."
    echo
    echo "- Date: $STARTED; commit $COMMIT"
    echo "- Machine: $(nproc) CPUs ($CPU), $MEM_GIB GiB RAM, Linux $(uname -r); load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) when this was written (other work on the machine depresses every number, nginx's too)"
    echo "- Data: **$POSTS SYNTHETIC posts** from \`bench_synthetic_posts --seed $SEED\` ($((POSTS_BYTES / 1024 / 1024)) MiB of JSON lines; $GEN_SUMMARY)"
    echo "- Load: wrk $WRK_VERSION, $CONNS keep-alive connections, $THREADS threads, ${DURATION} s per run after a ${WARMUP} s warm-up, on the same machine as the server (they share the CPUs)"
    echo "- Ceiling: nginx $NGINX_VERSION (2 workers, access_log off) serving each endpoint's exact response body as a static file"
    echo "- Queries: \`q=$QWORD\` (a word of the French outage sentences); filter \`$FILTER\` (unanswered VPS complaints); stats over all posts. First pages only: keyset pagination makes every request of a run identical."
    echo "- Targets: \`/posts\` pages p99 < 10 ms and >= 30% of nginx's req/s; \`/posts/stats\` p99 < 50 ms."
    echo
    for backend in $BACKENDS; do
      echo "${BACKEND_MD[$backend]:-### $backend

Not measured yet (the run was interrupted before this backend).
}"
    done
    echo "Raw numbers: bench/results/api.json. Raw wrk output of the last run: bench/work/api/logs/."
  } >"$OUT/api.md"

  {
    printf '{\n  "date":"%s","commit":"%s","loadavg_start":"%s","loadavg_end":"%s",\n' "$STARTED" "$COMMIT" "$LOAD_START" "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf '  "machine":{"nproc":%s,"cpu":"%s","mem_gib":%s,"kernel":"%s"},\n' "$(nproc)" "$CPU" "$MEM_GIB" "$(uname -r)"
    printf '  "posts":%s,"posts_file_bytes":%s,"seed":%s,"synthetic":true,\n' "$POSTS" "$POSTS_BYTES" "$SEED"
    printf '  "wrk":{"version":"%s","connections":%s,"threads":%s,"duration_s":%s,"warmup_s":%s},"nginx_version":"%s",\n' \
      "$WRK_VERSION" "$CONNS" "$THREADS" "$DURATION" "$WARMUP" "$NGINX_VERSION"
    printf '  "query_word":"%s","filter":"%s",\n  "backends":[' "$QWORD" "$FILTER"
    sep=""
    for backend in $BACKENDS; do
      local entry="${BACKEND_JSON[$backend]:-}"
    [ -n "$entry" ] || entry="{\"backend\":\"$backend\",\"status\":\"not run\"}"
    printf '%s\n    %s' "$sep" "$entry"
      sep=","
    done
    printf '\n  ]\n}\n'
  } >"$OUT/api.json"
  log "wrote $OUT/api.md and $OUT/api.json"
}

STARTED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
for backend in $BACKENDS; do
  if ! run_backend "$backend" 2>"$LOGS/$backend-failure.txt"; then
    reason=$(tail -3 "$LOGS/$backend-failure.txt" | tr '\n' ' ' | sed 's/"/'"'"'/g')
    log "$backend: FAILED: $reason"
    BACKEND_MD[$backend]="### $backend

Not measured: $reason
"
    BACKEND_JSON[$backend]=$(printf '{"backend":"%s","status":"failed","reason":"%s"}' "$backend" "$reason")
  else
    cat "$LOGS/$backend-failure.txt" >&2
  fi
  stop_api
  stop_nginx
  stop_pg
  write_report
done


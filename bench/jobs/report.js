// Turns the JSON lines of bench/jobs/run.sh into bench/results/jobs.md (the table) and
// jobs.json (every number).   node report.js RESULTS.jsonl OUT.md OUT.json
'use strict';

const fs = require('node:fs');

const [input, mdPath, jsonPath] = process.argv.slice(2);
const rows = fs.readFileSync(input, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const meta = rows.find((r) => r.section === 'meta') || {};
const end = rows.find((r) => r.section === 'meta_end') || {};
const of = (section) => rows.filter((r) => r.section === section);

const f0 = (x) => (x === undefined || x === null ? '–' : Math.round(x).toLocaleString('en-US'));
const f1 = (x) => (x === undefined || x === null ? '–' : x.toFixed(1));
const lines = [];
const out = (s = '') => lines.push(s);

out('# Job-system benchmark');
out();
out(`Run ${meta.started} → ${end.finished} on ${meta.nproc} CPUs (${meta.cpu}), commit ${meta.commit}.`);
out(`Load average (1, 5, 15 min): ${meta.loadavg_start} at the start, ${end.loadavg_end} at the end — ` +
    'this machine is shared, so absolute numbers are low and noisy; the ratios within one run are the comparable figures.');
out(`Redis ${meta.redis} (AOF everysec, noeviction), PostgreSQL 15, SQLite (WAL), Node ${meta.node}. ` +
    'Produced by `make bench-jobs` (bench/jobs/run.sh); method in docs/benchmarks.md.');
out();

// --- throughput and latency --------------------------------------------------------------------
const key = (r) => `${r.system}|${r.backend}|${r.concurrency}`;
const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
// Repeated runs of one configuration: the first run's row, with the median jobs/s of all.
const thr = [];
const runsOf = new Map();
for (const r of of('throughput')) {
  if (!runsOf.has(key(r))) {
    runsOf.set(key(r), []);
    thr.push(r);
  }
  runsOf.get(key(r)).push(r);
}
for (const r of thr) {
  r.runs = runsOf.get(key(r)).map((x) => x.result.jobs_per_s);
  r.median_jobs_per_s = median(r.runs);
}
const lat = of('latency');
const latBy = new Map(lat.map((r) => [key(r), r]));
const bull = new Map(thr.filter((r) => r.system === 'bullmq').map((r) => [r.concurrency, r]));
const label = (r) => {
  if (r.system === 'bullmq') return `BullMQ ${r.result.bullmq} (Redis)`;
  return {
    sqlite: 'complaints, SQLite',
    postgresql: 'complaints, PostgreSQL',
    redis: 'complaints, Redis',
    fallback: 'complaints, fallback (REDIS_URL set, jobs in SQLite)',
  }[r.backend] || r.backend;
};
out(`## test.noop: throughput (${f0(meta.jobs)} pre-enqueued jobs) and enqueue-to-start latency ` +
    `(${f0(meta.latency_jobs)} jobs at ${meta.latency_rate}/s)`);
out();
out('| system | concurrency | jobs | jobs/s (median) | runs, jobs/s | vs BullMQ | enqueue jobs/s | latency p50 ms | p99 ms | max ms | load avg (1 min) |');
out('|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|');
const ratios = [];
for (const r of thr) {
  const l = latBy.get(key(r));
  const b = bull.get(r.concurrency);
  const ratio = b ? r.median_jobs_per_s / b.median_jobs_per_s : undefined;
  if (r.system === 'complaints' && r.backend === 'redis' && ratio !== undefined) {
    const pairs = r.runs.map((v, i) => (b.runs[i] ? (v / b.runs[i]).toFixed(2) : null)).filter(Boolean);
    ratios.push({ concurrency: r.concurrency, ratio, pairs });
  }
  const enq = r.enqueue ? r.enqueue.per_second : r.result.enqueue && r.result.enqueue.per_second;
  out(`| ${label(r)} | ${r.concurrency} | ${f0(r.result.jobs)} | ${f0(r.median_jobs_per_s)} | ` +
      `${r.runs.map(f0).join(', ')} | ` +
      `${r.system === 'bullmq' ? '1.00' : ratio === undefined ? '–' : ratio.toFixed(2)} | ${f0(enq)} | ` +
      `${l ? f0(l.result.latency_ms.p50) : '–'} | ${l ? f0(l.result.latency_ms.p99) : '–'} | ` +
      `${l ? f0(l.result.latency_ms.max) : '–'} | ${r.loadavg.split(' ')[0]} |`);
}
out();
for (const { concurrency, ratio, pairs } of ratios) {
  out(`- Redis backend vs BullMQ at concurrency ${concurrency}: **${ratio.toFixed(2)}×** (medians; ` +
      `run by run ${pairs.join(', ')}) — target ≥ 2×: ${ratio >= 2 ? 'met' : 'missed'}.`);
}
out('- jobs/s = jobs / (last finished_at − first started_at), from the timestamps each queue records ' +
    '(ours: the jobs\' started_at/finished_at; BullMQ: processedOn/finishedOn). Latency = started_at − ' +
    'created_at (BullMQ: processedOn − timestamp), millisecond resolution. "enqueue jobs/s": ours one ' +
    '`Enqueue` call per job from one connection; BullMQ `addBulk` of 1,000.');
out();

// --- recovery ----------------------------------------------------------------------------------
for (const r of of('recovery')) {
  const s = r.result;
  out(`## Recovery: ${s.kills.length} SIGKILLs of a worker running a job (complaints serve, ` +
      `${r.workers} workers, SQLite)`);
  out();
  out('| measure | median ms | max ms | target |');
  out('|---|---:|---:|---|');
  out(`| kill → replacement worker ready (its Worker started_at) | ${f0(s.ready_ms.p50)} | ${f0(s.ready_ms.max)} | ` +
      `< 1000: ${s.ready_ms.max < 1000 ? 'met' : 'missed'} |`);
  out(`| kill → interrupted job running again (its next \`claimed\` event) | ${f0(s.rerun_ms.p50)} | ` +
      `${f0(s.rerun_ms.max)} | < 2000: ${s.rerun_ms.max < 2000 ? 'met' : 'missed'} |`);
  out(`| kill → new pid in supervisor.json (polled every 5 ms) | ${f0(s.supervisor_json_new_pid_ms.p50)} | ` +
      `${f0(s.supervisor_json_new_pid_ms.max)} | |`);
  out();
  out(`Each killed worker had been up ≥ 10 s (serve restarts such a child at once; a child that keeps ` +
      `dying quickly is restarted with backoff instead). Load average at the end: ${r.loadavg}.`);
  out();
}

// --- availability ------------------------------------------------------------------------------
for (const r of of('availability')) {
  const w = r.wrk;
  const socket = w.err_connect + w.err_read + w.err_write + w.err_timeout;
  out(`## API availability: wrk on /posts?limit=50 for ${r.seconds} s, ${r.connections} keep-alive ` +
      `connections, a worker SIGKILLed every ${r.kill_every_ms / 1000} s`);
  out();
  out('| requests | req/s | p50 ms | p99 ms | non-2xx | socket errors (connect/read/write/timeout) | workers killed | kill ticks skipped (no worker running) | jobs succeeded |');
  out('|---:|---:|---:|---:|---:|---|---:|---:|---:|');
  out(`| ${f0(w.requests)} | ${f0(w.rps)} | ${f1(w.p50_us / 1000)} | ${f1(w.p99_us / 1000)} | ${w.err_status} | ` +
      `${socket} (${w.err_connect}/${w.err_read}/${w.err_write}/${w.err_timeout}) | ${r.kills.kills} | ` +
      `${r.kills.skipped_no_worker_running} | ${f0(r.jobs_succeeded)} of ${f0(r.jobs)} |`);
  out();
  out(`Target: 0 errors — ${w.err_status + socket === 0 ? 'met' : 'missed'}. A job stream (test.noop at 50/s) ` +
      `ran meanwhile${r.jobs_succeeded === r.jobs ? '; every job succeeded' : ': NOT every job succeeded'}. ` +
      'Workers killed every 2 s never stay up the 10 s after which serve restarts them at once, so ' +
      'serve backs off (100 ms, doubling); a tick that finds every worker in backoff kills nothing. ' +
      `Load average at the end: ${r.loadavg}.`);
  out();
}

fs.writeFileSync(mdPath, lines.join('\n'));
fs.writeFileSync(jsonPath, JSON.stringify({ meta, end, results: rows.filter((r) => !r.section.startsWith('meta')) }, null, 2) + '\n');

// The BullMQ baseline of the job-system benchmark (bench/jobs/run.sh), measured the way
// bench_jobs measures our queue: from the timestamps the queue itself records.
//
//   node bullmq_bench.js throughput REDIS_URL COUNT CONCURRENCY
//     a producer adds COUNT no-op jobs (addBulk, 1,000 a call), then a Worker with
//     `concurrency` drains them: jobs/s = COUNT / (last finishedOn - first processedOn).
//   node bullmq_bench.js latency REDIS_URL COUNT CONCURRENCY RATE
//     the Worker runs first; a producer in a child process adds COUNT jobs at RATE per second,
//     one `add` each: enqueue-to-start = processedOn - timestamp (ms).
//
// Prints one JSON object on stdout. Each run uses a fresh queue name and obliterates it after.
'use strict';

const { fork } = require('node:child_process');
const { Queue, Worker } = require('bullmq');

function connection(url) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

function summary(values) {
  const v = [...values].sort((a, b) => a - b);
  return { n: v.length, p50: percentile(v, 50), p99: percentile(v, 99), max: v[v.length - 1], min: v[0] };
}

// Runs a Worker until `count` jobs completed; returns [processedOn, finishedOn, timestamp] rows.
function drain(name, url, count, concurrency) {
  return new Promise((resolve, reject) => {
    const rows = [];
    const worker = new Worker(name, async () => ({ ok: true }), {
      connection: connection(url),
      concurrency,
      removeOnComplete: { count: count + 1 },
    });
    worker.on('completed', (job) => {
      rows.push([job.processedOn, job.finishedOn, job.timestamp]);
      if (rows.length === count) worker.close().then(() => resolve(rows), reject);
    });
    worker.on('failed', (job, err) => reject(new Error(`job ${job && job.id} failed: ${err}`)));
    worker.on('error', reject);
  });
}

async function produceBulk(queue, count) {
  for (let i = 0; i < count; i += 1000) {
    const n = Math.min(1000, count - i);
    await queue.addBulk(Array.from({ length: n }, () => ({ name: 'noop', data: {} })));
  }
}

async function produceAtRate(name, url, count, rate) {
  const queue = new Queue(name, { connection: connection(url) });
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await queue.add('noop', {});
  }
  await queue.close();
}

async function main() {
  const [mode, url, countArg, concArg, rateArg] = process.argv.slice(2);
  if (mode === 'produce') {
    // The child of a latency run: argv = produce URL COUNT NAME RATE
    await produceAtRate(concArg, url, Number(countArg), Number(rateArg));
    return;
  }
  const count = Number(countArg);
  const concurrency = Number(concArg);
  if (!['throughput', 'latency'].includes(mode) || !url || !(count > 0) || !(concurrency > 0)) {
    throw new Error('usage: bullmq_bench.js throughput|latency REDIS_URL COUNT CONCURRENCY [RATE]');
  }
  const name = `bench-${mode}-${concurrency}-${process.pid}`;
  const queue = new Queue(name, { connection: connection(url) });
  let rows;
  let enqueue = null;
  if (mode === 'throughput') {
    const t0 = performance.now();
    await produceBulk(queue, count);
    const s = (performance.now() - t0) / 1000;
    enqueue = { enqueued: count, seconds: s, per_second: count / s };
    rows = await drain(name, url, count, concurrency);
  } else {
    const rate = Number(rateArg);
    if (!(rate > 0)) throw new Error('latency needs RATE > 0');
    const done = drain(name, url, count, concurrency);
    await new Promise((r) => setTimeout(r, 500));  // the Worker is connected and waiting
    const child = fork(__filename, ['produce', url, String(count), name, String(rate)]);
    const exited = new Promise((resolve, reject) =>
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`producer exit ${code}`)))));
    rows = await done;
    await exited;
  }
  const firstStart = rows.reduce((m, r) => Math.min(m, r[0]), Infinity);
  const lastFinish = rows.reduce((m, r) => Math.max(m, r[1]), 0);
  const drainMs = Math.max(1, lastFinish - firstStart);
  const out = {
    jobs: rows.length,
    drain_ms: drainMs,
    jobs_per_s: (rows.length * 1000) / drainMs,
    latency_ms: summary(rows.map((r) => r[0] - r[2])),
    bullmq: require('bullmq/package.json').version,
    ioredis: require('ioredis/package.json').version,
  };
  if (enqueue) out.enqueue = enqueue;
  await queue.obliterate({ force: true });
  await queue.close();
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  process.stderr.write(`bullmq_bench: ${err.stack || err}\n`);
  process.exit(1);
});

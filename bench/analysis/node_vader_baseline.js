// Times vader-sentiment (the reference JavaScript implementation) on the texts of the eval
// set, the same texts analysis_bench uses. Prints {"runs":[posts per CPU second...]} as JSON.
// usage: node node_vader_baseline.js <eval.jsonl> <node_modules dir> [runs] [min seconds]
'use strict';
const fs = require('fs');
const path = require('path');
const [evalPath, modules, runsArg, minArg] = process.argv.slice(2);
const vader = require(path.join(modules, 'vader-sentiment'));
const texts = fs.readFileSync(evalPath, 'utf8').split('\n').filter((l) => l.trim())
  .map((l) => JSON.parse(l).content);
const runs = Number(runsArg || 5);
const minSeconds = Number(minArg || 1);
let sink = 0;
// Posts per CPU second of this process (user + system, GC threads included), as
// analysis_bench counts them: on a shared machine wall time measures the neighbours.
function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
function timed(seconds) {
  let done = 0;
  const start = cpuSeconds();
  let elapsed = 0;
  do {
    for (const t of texts) sink += vader.SentimentIntensityAnalyzer.polarity_scores(t).compound;
    done += texts.length;
    elapsed = cpuSeconds() - start;
  } while (elapsed < seconds);
  return done / elapsed;
}
timed(1);  // JIT warm-up, not reported
const rates = [];
for (let r = 0; r < runs; r++) rates.push(timed(minSeconds));
console.log(JSON.stringify({ runs: rates, node: process.version, sink: sink !== 0 }));

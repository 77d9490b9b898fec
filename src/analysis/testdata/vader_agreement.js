// vader_agreement: feeds the same sentences to our C++ VADER (ct_vader_score) and to the
// JavaScript reference (vader-sentiment from tools/lexicons/node_modules), and requires the
// compound scores to agree within 1e-4 on at least 99% of at least 2,000 sentences.
// usage: node vader_agreement.js <ct_vader_score> <node_modules dir> <output dir>
// Writes <output dir>/sentences.jsonl and <output dir>/report.txt (every disagreement).
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { generate } = require('./vader_sentences.js');

const [tool, modules, outDir] = process.argv.slice(2);
if (!tool || !modules || !outDir) {
  console.error('usage: node vader_agreement.js <ct_vader_score> <node_modules> <out dir>');
  process.exit(2);
}
const vader = require(path.join(modules, 'vader-sentiment'));
const sentences = generate(2500);
fs.mkdirSync(outDir, { recursive: true });
const input = sentences.map((s) => JSON.stringify(s)).join('\n') + '\n';
fs.writeFileSync(path.join(outDir, 'sentences.jsonl'), input);

const run = spawnSync(tool, [], { input, maxBuffer: 64 << 20 });
if (run.status !== 0) {
  console.error('ct_vader_score failed:', run.stderr.toString());
  process.exit(1);
}
const ours = run.stdout.toString().trim().split('\n').map(Number);
if (ours.length !== sentences.length) {
  console.error(`expected ${sentences.length} scores, got ${ours.length}`);
  process.exit(1);
}
let agree = 0;
const report = [];
for (let i = 0; i < sentences.length; i++) {
  const ref = vader.SentimentIntensityAnalyzer.polarity_scores(sentences[i]).compound;
  const diff = Math.abs(ours[i] - ref);
  if (diff <= 1e-4) {
    agree++;
  } else {
    report.push(`#${i} ref=${ref} ours=${ours[i].toFixed(6)} diff=${diff.toFixed(6)} ${JSON.stringify(sentences[i])}`);
  }
}
const rate = agree / sentences.length;
const summary = `vader_agreement: ${agree}/${sentences.length} compound scores within 1e-4 (${(100 * rate).toFixed(2)}%)`;
fs.writeFileSync(path.join(outDir, 'report.txt'), summary + '\n' + report.join('\n') + '\n');
console.log(summary);
for (const line of report.slice(0, 20)) console.log('  ' + line);
const failed = sentences.length - agree;
console.log(`${agree} passed, ${failed} failed`);
process.exit(sentences.length >= 2000 && rate >= 0.99 ? 0 : 1);

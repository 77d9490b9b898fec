// The posts-by-sentiment timeline: stacked bars (negative, neutral, positive) and a complaints
// line, drawn with uPlot. Buckets the API omits (no posts) are filled with zeros so the time
// axis is honest. A table with the same numbers sits beside the chart for screen readers.
import uPlot from 'uplot';

import { el } from './dom.js';
import { count } from './format.js';

const DAY = 86400;

// First second of the bucket that holds `t` (unix seconds, UTC). Weeks start on Monday.
export function bucketStart(t, bucket) {
  const d = new Date(t * 1000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  if (bucket === 'month') return Date.UTC(y, m, 1) / 1000;
  const midnight = Date.UTC(y, m, day) / 1000;
  if (bucket === 'week') return midnight - ((d.getUTCDay() + 6) % 7) * DAY;
  return midnight;
}

export function nextBucket(t, bucket) {
  if (bucket === 'month') {
    const d = new Date(t * 1000);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000;
  }
  return t + (bucket === 'week' ? 7 : 1) * DAY;
}

// API timeline points ("period": "YYYY-MM-DD") -> one row per bucket from `since` to `until`
// (unix seconds; either may be null to use the data's own range).
export function fillTimeline(points, bucket, since, until) {
  const byStart = new Map();
  for (const p of points) byStart.set(Date.parse(`${p.period}T00:00:00Z`) / 1000, p);
  const starts = [...byStart.keys()].sort((a, b) => a - b);
  if (!starts.length && (since === null || until === null)) return [];
  const first = bucketStart(since ?? starts[0], bucket);
  const last = until !== null ? until - 1 : starts[starts.length - 1];
  const rows = [];
  for (let t = first; t <= last && rows.length < 5000; t = nextBucket(t, bucket)) {
    const p = byStart.get(t) || {};
    rows.push({
      t,
      positive: p.positive || 0,
      neutral: p.neutral || 0,
      negative: p.negative || 0,
      complaints: p.complaints || 0,
      total: p.total || 0,
    });
  }
  return rows;
}

// Counts: whole-number ticks only.
const COUNT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];

const COLORS = {
  negative: '#c0392b',
  neutral: '#8a94a6',
  positive: '#2e8540',
  complaints: '#123f6d',
};

function periodLabel(t, bucket) {
  const d = new Date(t * 1000);
  const opts = bucket === 'month'
    ? { month: 'short', year: 'numeric', timeZone: 'UTC' }
    : { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' };
  const label = d.toLocaleDateString('en-GB', opts);
  return bucket === 'week' ? `week of ${label}` : label;
}

// Renders into `container`; returns a cleanup function.
export function renderTimeline(container, rows, bucket) {
  container.replaceChildren();
  if (!rows.length) {
    container.append(el('p', { class: 'empty' }, 'No posts in this period.'));
    return () => {};
  }
  const xs = rows.map((r) => r.t);
  const neg = rows.map((r) => r.negative);
  const neu = rows.map((r) => r.neutral);
  const pos = rows.map((r) => r.positive);
  const raw = [xs, pos, neu, neg, rows.map((r) => r.complaints)];
  // Stacked by drawing the cumulative bars tallest first; the legend shows the raw values.
  const stackPos = rows.map((r) => r.negative + r.neutral + r.positive);
  const stackNeu = rows.map((r) => r.negative + r.neutral);
  const data = [xs, stackPos, stackNeu, neg, raw[4]];
  const bars = uPlot.paths.bars({ size: [0.7, 60], align: 0 });
  const halfBucket = (t) => (nextBucket(t, bucket) - t) / 2;
  const rawValue = (si) => (u, v, s, idx) => (idx === null || idx === undefined ? '–' : count(raw[si][idx]));

  const chartBox = el('div', { class: 'chart', 'aria-hidden': 'true' });
  container.append(chartBox);
  const width = () => Math.max(280, chartBox.clientWidth || container.clientWidth || 600);
  const height = () => (width() < 500 ? 220 : 280);
  const opts = {
    width: width(),
    height: height(),
    cursor: { points: { show: false }, drag: { x: false, y: false } },
    legend: { live: true },
    scales: {
      // Half a bucket of margin on each side, so the first and last bars are not cut.
      x: { time: true, range: () => [xs[0] - halfBucket(xs[0]), xs[xs.length - 1] + halfBucket(xs[xs.length - 1])] },
      y: { range: (u, min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
    },
    axes: [
      { stroke: '#44505f', grid: { stroke: '#e3e7ed' }, ticks: { stroke: '#cfd6df' } },
      { stroke: '#44505f', grid: { stroke: '#e3e7ed' }, ticks: { stroke: '#cfd6df' }, size: 50, incrs: COUNT_INCRS, values: (u, vals) => vals.map((v) => count(v)) },
    ],
    series: [
      { label: bucket === 'month' ? 'Month' : bucket === 'week' ? 'Week' : 'Day', value: (u, t) => (t ? periodLabel(t, bucket) : '–') },
      { label: 'Positive', fill: COLORS.positive, stroke: COLORS.positive, width: 0, paths: bars, points: { show: false }, value: rawValue(1) },
      { label: 'Neutral', fill: COLORS.neutral, stroke: COLORS.neutral, width: 0, paths: bars, points: { show: false }, value: rawValue(2) },
      { label: 'Negative', fill: COLORS.negative, stroke: COLORS.negative, width: 0, paths: bars, points: { show: false }, value: rawValue(3) },
      { label: 'Complaints', stroke: COLORS.complaints, width: 2, dash: [6, 4], points: { show: rows.length < 40, size: 5 }, value: rawValue(4) },
    ],
  };
  const plot = new uPlot(opts, data, chartBox);
  const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: height() }));
  observer.observe(container);

  const table = el('table', { class: 'data-table' },
    el('caption', {}, 'Posts by sentiment per period'),
    el('thead', {}, el('tr', {},
      ['Period', 'Posts', 'Positive', 'Neutral', 'Negative', 'Complaints'].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, rows.filter((r) => r.total > 0).map((r) => el('tr', {},
      el('th', { scope: 'row' }, periodLabel(r.t, bucket)),
      [r.total, r.positive, r.neutral, r.negative, r.complaints].map((n) => el('td', { class: 'num' }, count(n)))))));
  container.append(el('details', { class: 'table-toggle' }, el('summary', {}, 'Show the numbers as a table'), table));
  return () => {
    observer.disconnect();
    plot.destroy();
  };
}

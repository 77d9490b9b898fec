// Overview: key figures with their change from the previous period, the timeline by sentiment
// and the breakdowns, all from GET /posts/stats (aggregates computed by the database; the
// browser never loads the posts themselves).
import { explain, get, query } from '../api.js';
import { el, field, select } from '../dom.js';
import { count, isoSeconds, percent, share, unknownKey } from '../format.js';
import { pageLink, replaceParams } from '../nav.js';
import { fillTimeline, renderTimeline } from '../timeline.js';

const DAY = 86400;
const PERIODS = [
  ['7d', 'Last 7 days', 7],
  ['30d', 'Last 30 days', 30],
  ['90d', 'Last 90 days', 90],
  ['365d', 'Last 12 months', 365],
  ['all', 'All time', null],
];
const DEFAULT_BUCKET = { '7d': 'day', '30d': 'day', '90d': 'week', '365d': 'month', all: 'month' };

// [since, until) of the period and of the one before it, aligned on UTC midnights.
export function periodRange(periodKey, nowMs = Date.now()) {
  const days = PERIODS.find((p) => p[0] === periodKey)?.[2] ?? null;
  if (!days) return { current: { since: null, until: null }, previous: null };
  const today = Math.floor(nowMs / 1000 / DAY) * DAY;
  const until = today + DAY;
  const since = until - days * DAY;
  return { current: { since, until }, previous: { since: since - days * DAY, until: since } };
}

function rangeParams(range) {
  return {
    since: range.since === null ? null : isoSeconds(new Date(range.since * 1000)),
    until: range.until === null ? null : isoSeconds(new Date(range.until * 1000)),
  };
}

function figures(stats) {
  return {
    total: stats.total,
    complaints: stats.complaints,
    negativeShare: share(stats.negative, stats.total),
    unanswered: stats.unanswered_complaints,
    unansweredShare: share(stats.unanswered_complaints, stats.complaints),
  };
}

// A change line: "▲ 12 (+25 %) vs previous period". `higherIsWorse` colours it.
function changeLine(cur, prev, { isShare = false, higherIsWorse = true } = {}) {
  if (prev === undefined) return el('p', { class: 'kpi-change' }, 'no previous period to compare');
  if (cur === null || prev === null) return el('p', { class: 'kpi-change' }, 'no change to show');
  const delta = cur - prev;
  let text;
  if (isShare) {
    const pts = delta * 100;
    text = `${pts >= 0 ? '+' : '−'}${Math.abs(pts).toFixed(1)} pts`;
  } else {
    const rel = prev > 0 ? ` (${delta >= 0 ? '+' : '−'}${percent(Math.abs(delta) / prev)})` : '';
    text = `${delta >= 0 ? '+' : '−'}${count(Math.abs(delta))}${rel}`;
  }
  const trend = delta === 0 ? 'flat' : (delta > 0) === higherIsWorse ? 'worse' : 'better';
  const arrow = delta === 0 ? '→' : delta > 0 ? '▲' : '▼';
  return el('p', { class: `kpi-change trend-${trend}` },
    el('span', { 'aria-hidden': 'true' }, `${arrow} `), text, ' vs previous period');
}

function kpi(label, value, detail, change, testId) {
  return el('div', { class: 'kpi', 'data-testid': testId },
    el('h3', { class: 'kpi-label' }, label),
    el('p', { class: 'kpi-value' }, value),
    detail ? el('p', { class: 'kpi-detail' }, detail) : null,
    change);
}

function breakdown(title, rows, dimension, range, extra) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  const total = rows.reduce((s, r) => s + r.count, 0);
  const shown = rows.slice(0, 12);
  const list = el('ol', { class: 'bars' }, shown.map((r) => {
    const name = unknownKey(r.key);
    const bar = el('span', { class: 'bar-fill' });
    bar.style.width = `${(100 * r.count) / max}%`;
    const params = { ...rangeParams(range), ...extra, [dimension]: r.key };
    const label = r.key
      ? el('a', { href: pageLink('posts', Object.fromEntries(Object.entries(params).filter(([, v]) => v))) }, name)
      : el('span', { class: 'muted' }, name);
    return el('li', {},
      el('span', { class: 'bar-label' }, label),
      el('span', { class: 'bar-track', 'aria-hidden': 'true' }, bar),
      el('span', { class: 'bar-value' }, count(r.count), el('span', { class: 'muted' }, ` · ${percent(share(r.count, total))}`)));
  }));
  return el('section', { class: 'card breakdown', 'aria-label': title, 'data-testid': `breakdown-${dimension}` },
    el('h3', {}, title),
    rows.length ? list : el('p', { class: 'empty' }, 'Nothing yet.'),
    rows.length > shown.length ? el('p', { class: 'muted' }, `and ${rows.length - shown.length} more`) : null);
}

export function mount(main, params) {
  const state = {
    period: PERIODS.some((p) => p[0] === params.get('period')) ? params.get('period') : '30d',
    bucket: ['day', 'week', 'month'].includes(params.get('bucket')) ? params.get('bucket') : null,
    source: params.get('source') || '',
  };
  let disposeChart = () => {};
  let abort = null;

  const periodSel = select('period', PERIODS.map(([v, l]) => [v, l]), state.period);
  const bucketSel = select('bucket', [['day', 'Day'], ['week', 'Week'], ['month', 'Month']],
    state.bucket || DEFAULT_BUCKET[state.period]);
  const sourceSel = select('source', [['', 'All sources']], state.source);
  const controls = el('form', { class: 'controls', 'aria-label': 'Overview period' },
    field('Period', periodSel), field('Timeline by', bucketSel), field('Source', sourceSel));
  controls.addEventListener('submit', (e) => e.preventDefault());

  const status = el('p', { class: 'status-line', role: 'status' });
  const kpis = el('div', { class: 'kpis' });
  const timelineBox = el('div', { class: 'timeline' });
  const breakdowns = el('div', { class: 'breakdowns' });
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Overview'), controls),
    status,
    el('section', { 'aria-labelledby': 'kpi-title' }, el('h2', { id: 'kpi-title', class: 'visually-hidden' }, 'Key figures'), kpis),
    el('section', { class: 'card', 'aria-labelledby': 'tl-title' }, el('h2', { id: 'tl-title' }, 'Posts by sentiment'), timelineBox),
    el('section', { 'aria-labelledby': 'bd-title' }, el('h2', { id: 'bd-title' }, 'Breakdowns'), breakdowns),
  );

  async function load() {
    if (abort) abort.abort();
    abort = new AbortController();
    const { signal } = abort;
    const range = periodRange(state.period);
    const filter = state.source ? { source: state.source } : {};
    status.textContent = 'Loading…';
    status.classList.remove('error');
    try {
      const [cur, prev, all] = await Promise.all([
        get(`/posts/stats${query({ ...filter, ...rangeParams(range.current), bucket: bucketSel.value })}`, { signal }),
        range.previous ? get(`/posts/stats${query({ ...filter, ...rangeParams(range.previous) })}`, { signal }) : null,
        get('/posts/stats?bucket=month', { signal }),
      ]);
      fillSources(all.by_source);
      renderFigures(cur, prev);
      disposeChart();
      disposeChart = renderTimeline(timelineBox,
        fillTimeline(cur.timeline, bucketSel.value, range.current.since, range.current.until), bucketSel.value);
      breakdowns.replaceChildren(
        breakdown('By source', cur.by_source, 'source', range.current, filter),
        breakdown('By product', cur.by_product, 'product', range.current, filter),
        breakdown('By language', cur.by_language, 'language', range.current, filter),
        breakdown('By country', cur.by_country, 'country', range.current, filter));
      const label = PERIODS.find((p) => p[0] === state.period)[1];
      status.textContent = `${label}${state.source ? ` · ${state.source}` : ''}: ${count(cur.total)} posts.`;
    } catch (err) {
      if (err.name === 'AbortError') return;
      status.textContent = explain(err);
      status.classList.add('error');
    }
  }

  function fillSources(bySource) {
    const keys = bySource.map((r) => r.key).filter(Boolean);
    if (state.source && !keys.includes(state.source)) keys.push(state.source);
    const current = sourceSel.value;
    sourceSel.replaceChildren(el('option', { value: '' }, 'All sources'),
      ...keys.sort().map((k) => el('option', { value: k }, k)));
    sourceSel.value = current;
  }

  function renderFigures(cur, prev) {
    const c = figures(cur);
    const p = prev ? figures(prev) : undefined;
    kpis.replaceChildren(
      kpi('Posts', count(c.total), null, changeLine(c.total, p?.total, { higherIsWorse: false }), 'kpi-posts'),
      kpi('Complaints', count(c.complaints), `${percent(share(c.complaints, c.total))} of posts`,
        changeLine(c.complaints, p?.complaints), 'kpi-complaints'),
      kpi('Negative', percent(c.negativeShare), `${count(cur.negative)} negative posts`,
        changeLine(c.negativeShare, p?.negativeShare, { isShare: true }), 'kpi-negative'),
      kpi('Unanswered complaints', count(c.unanswered),
        c.unansweredShare === null ? 'no complaints' : `${percent(c.unansweredShare)} of complaints`,
        changeLine(c.unanswered, p?.unanswered), 'kpi-unanswered'));
  }

  const onChange = (e) => {
    if (e.target === periodSel && !state.bucket) bucketSel.value = DEFAULT_BUCKET[periodSel.value];
    if (e.target === bucketSel) state.bucket = bucketSel.value;
    state.period = periodSel.value;
    state.source = sourceSel.value;
    const p = new URLSearchParams();
    if (state.period !== '30d') p.set('period', state.period);
    if (state.bucket) p.set('bucket', state.bucket);
    if (state.source) p.set('source', state.source);
    replaceParams('overview', p);
    load();
  };
  controls.addEventListener('change', onChange);
  load();
  return () => {
    if (abort) abort.abort();
    disposeChart();
  };
}

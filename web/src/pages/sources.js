// Sources: for each source its last success, last error, circuit-breaker state and the posts it
// collected. GET /sources belongs to the sources module; until it answers 200 this page shows
// what GET /posts/stats gives per source and says so plainly.
import { explain, get, probe, send } from '../api.js';
import { el } from '../dom.js';
import { ago, count, dateTime } from '../format.js';
import { pageLink } from '../nav.js';
import { notify, withToken } from '../notify.js';

// Tolerant reading of a /sources item: the field names below are the ones the dashboard looks
// for (docs/dashboard.md lists them).
export function readSource(item) {
  const breaker = item.circuit_breaker ?? item.breaker ?? item.circuit ?? null;
  const lastError = item.last_error ?? item.error ?? null;
  return {
    name: item.name ?? item.id ?? item.source ?? '?',
    kind: item.kind ?? item.type ?? item.adapter ?? '',
    enabled: item.enabled ?? null,
    lastSuccess: item.last_success_at ?? item.last_success ?? null,
    lastError: lastError && typeof lastError === 'object' ? lastError.message ?? JSON.stringify(lastError) : lastError,
    lastErrorAt: item.last_error_at ?? (lastError && typeof lastError === 'object' ? lastError.at : null) ?? null,
    breaker: breaker && typeof breaker === 'object' ? breaker.state ?? null : breaker ?? item.circuit_state ?? null,
    breakerUntil: breaker && typeof breaker === 'object' ? breaker.open_until ?? null : null,
    breakerFailures: breaker && typeof breaker === 'object' ? breaker.consecutive_failures ?? null : null,
    lastRun: item.last_run_at ?? item.last_run ?? null,
    schedule: item.schedule ?? null,
    queries: Array.isArray(item.queries) ? item.queries.length : null,
    posts: item.posts ?? item.post_count ?? item.posts_collected ?? null,
  };
}

function scrapeButton(name) {
  const b = el('button', { type: 'button', 'aria-label': `Scrape ${name} now` }, 'Scrape now');
  b.addEventListener('click', async () => {
    const job = await withToken(() => send('POST', '/jobs/scrape', { source: name }), 'Starting a scrape');
    if (job) notify(`Scrape of ${name} queued (job ${job.id}). Follow it on the Jobs page.`);
  });
  return b;
}

export function mount(main) {
  const notice = el('div', { class: 'sources-notice', 'data-testid': 'sources-notice' });
  const body = el('div', { class: 'table-wrap' }, el('p', { class: 'muted' }, 'Loading…'));
  main.append(el('div', { class: 'page-head' }, el('h1', {}, 'Sources')), notice, body);
  let disposed = false;

  async function load() {
    let stats = null;
    try {
      stats = await get('/posts/stats?bucket=month');
    } catch (err) {
      notice.append(el('p', { class: 'notice error', role: 'alert' }, `Post counts are unavailable: ${explain(err)}`));
    }
    const postsBySource = new Map((stats?.by_source || []).map((r) => [r.key, r.count]));
    let r;
    try {
      r = await probe('/sources');
    } catch (err) {
      r = { status: 0, body: { error: { message: err.message } } };
    }
    if (disposed) return;
    if (r.status === 200 && r.body) {
      const items = (Array.isArray(r.body) ? r.body : r.body.items || r.body.sources || []).map(readSource);
      renderFull(items, postsBySource);
    } else {
      const why = r.status === 404 ? 'this server has no GET /sources yet'
        : r.status === 0 ? 'the server could not be reached'
          : `GET /sources answered ${r.status}${r.body?.error?.message ? `: ${r.body.error.message}` : ''}`;
      notice.replaceChildren(el('p', { class: 'notice warn', role: 'status' },
        `Source health (last success, last error, circuit breaker) is not available: ${why}. `,
        'Below: the posts collected per source, from /posts/stats.'));
      renderCountsOnly(postsBySource);
    }
  }

  function renderFull(items, postsBySource) {
    if (!items.length) {
      body.replaceChildren(el('p', { class: 'empty' }, 'No source is configured.'));
      return;
    }
    body.replaceChildren(el('table', { class: 'data-table sources' },
      el('caption', { class: 'visually-hidden' }, 'Sources and their health'),
      el('thead', {}, el('tr', {}, ['Source', 'Last run', 'Last success', 'Last error', 'Circuit breaker', 'Posts', ''].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, items.map((s) => {
        const posts = s.posts ?? postsBySource.get(s.name) ?? 0;
        return el('tr', { 'data-source': s.name },
          el('th', { scope: 'row' }, s.name, s.kind ? el('small', { class: 'muted' }, ` ${s.kind}`) : null,
            s.enabled === false ? [' ', el('span', { class: 'badge state-cancelled' }, 'disabled')] : null,
            s.schedule || s.queries ? el('small', { class: 'muted block' },
              [s.schedule ? `schedule ${s.schedule}` : '', s.queries ? `${s.queries} quer${s.queries > 1 ? 'ies' : 'y'}` : ''].filter(Boolean).join(' · ')) : null),
          el('td', {}, s.lastRun ? el('time', { datetime: s.lastRun, title: dateTime(s.lastRun) }, ago(s.lastRun)) : 'never'),
          el('td', {}, s.lastSuccess ? el('time', { datetime: s.lastSuccess, title: dateTime(s.lastSuccess) }, ago(s.lastSuccess)) : 'never'),
          el('td', { class: s.lastError ? 'error-cell' : '' }, s.lastError ? [s.lastError, s.lastErrorAt ? el('small', { class: 'muted' }, ` (${ago(s.lastErrorAt)})`) : null] : '–'),
          el('td', {}, s.breaker ? [el('span', { class: `badge breaker-${String(s.breaker).replace(/[^a-z_]/gi, '')}` }, s.breaker),
            s.breakerUntil ? el('small', { class: 'muted block' }, `until ${dateTime(s.breakerUntil)}`) : null,
            s.breakerFailures ? el('small', { class: 'muted block' }, `${s.breakerFailures} failures in a row`) : null] : '–'),
          el('td', { class: 'num' }, posts ? el('a', { href: pageLink('posts', { source: s.name }) }, count(posts)) : '0'),
          el('td', {}, scrapeButton(s.name)));
      }))));
  }

  function renderCountsOnly(postsBySource) {
    const rows = [...postsBySource.entries()].filter(([k]) => k);
    if (!rows.length) {
      body.replaceChildren(el('p', { class: 'empty' }, 'No post has been collected yet.'));
      return;
    }
    body.replaceChildren(el('table', { class: 'data-table sources narrow' },
      el('caption', { class: 'visually-hidden' }, 'Posts collected per source'),
      el('thead', {}, el('tr', {}, ['Source', 'Posts collected', ''].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows.map(([name, n]) => el('tr', { 'data-source': name },
        el('th', { scope: 'row' }, name),
        el('td', { class: 'num' }, el('a', { href: pageLink('posts', { source: name }) }, count(n))),
        el('td', {}, scrapeButton(name)))))));
  }

  load();
  return () => {
    disposed = true;
  };
}

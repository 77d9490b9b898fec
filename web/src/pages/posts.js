// Posts explorer: full-text search and every filter of GET /posts, kept in the URL; keyset
// "load more" (the cursor of the previous page, never an offset or a cap); a card per post with
// its analysis and evidence; triage (answered, false positive) with the operator token; CSV
// export of the same filter, streamed by the server.
import { explain, get, query, send } from '../api.js';
import { el, field, select, uid } from '../dom.js';
import { count, dateOnly, dateTime, score, unknownKey } from '../format.js';
import { replaceParams } from '../nav.js';
import { notify, withToken } from '../notify.js';
import { renderEvidence } from '../evidence.js';

const PAGE_SIZE = 25;
const LIST_FILTERS = ['source', 'product', 'language', 'country'];
// Every parameter the filter understands, in the API's own names and forms.
const FILTER_KEYS = ['q', ...LIST_FILTERS, 'sentiment', 'complaint', 'answered', 'false_positive', 'since', 'until'];

// URL params -> the API's filter params (only known keys, no empty values).
export function filterFrom(params) {
  const f = {};
  for (const k of FILTER_KEYS) {
    const v = params.get(k);
    if (v) f[k] = v;
  }
  return f;
}

const DAY_MS = 86400000;
// "2024-01-31" (inclusive end date of the form) <-> until=2024-02-01 (exclusive, the API's).
function untilFromDate(date) {
  return date ? new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10) : '';
}
function dateFromUntil(until) {
  if (!until) return '';
  const t = Date.parse(until.length === 10 ? `${until}T00:00:00Z` : until);
  if (Number.isNaN(t)) return '';
  const midnight = t % DAY_MS === 0;
  return new Date(midnight ? t - DAY_MS : t).toISOString().slice(0, 10);
}
function dateFromSince(since) {
  const t = Date.parse(since && since.length === 10 ? `${since}T00:00:00Z` : since);
  return Number.isNaN(t) ? '' : new Date(t).toISOString().slice(0, 10);
}

function badge(text, kind, title) {
  return el('span', { class: `badge ${kind || ''}`, title }, text);
}

function sentimentBadge(post) {
  const label = post.sentiment_label || 'unknown';
  return badge(`${label} ${score(post.sentiment_score)}`, `sentiment-${label}`, 'Sentiment label and score (−1..1)');
}

export function mount(main, params) {
  const state = { filter: filterFrom(params), sort: params.get('sort') || 'newest', cursor: null, loaded: 0, total: null };
  let abort = null;

  // --- the filter form ---
  const q = el('input', { type: 'search', name: 'q', value: state.filter.q || '', placeholder: 'outage, facture, support…', autocomplete: 'off' });
  const lists = Object.fromEntries(LIST_FILTERS.map((k) => [k, select(k, [['', 'Any']], '')]));
  const sentiment = select('sentiment', [['', 'Any'], ['negative', 'Negative'], ['neutral', 'Neutral'], ['positive', 'Positive']], state.filter.sentiment || '');
  const complaint = select('complaint', [['', 'Any'], ['true', 'Complaints only'], ['false', 'Not complaints']], state.filter.complaint || '');
  const answered = select('answered', [['', 'Any'], ['false', 'Unanswered'], ['true', 'Answered']], state.filter.answered || '');
  const fp = select('false_positive', [['', 'Hidden'], ['true', 'Only false positives'], ['any', 'Shown']], state.filter.false_positive || '');
  const since = el('input', { type: 'date', name: 'since', value: dateFromSince(state.filter.since) });
  const until = el('input', { type: 'date', name: 'until', value: dateFromUntil(state.filter.until) });
  const sort = select('sort', [['newest', 'Newest first'], ['oldest', 'Oldest first'], ['relevance', 'Most relevant']], state.sort);
  for (const k of LIST_FILTERS) {
    if (state.filter[k]) lists[k].append(el('option', { value: state.filter[k] }, state.filter[k]));
    lists[k].value = state.filter[k] || '';
  }

  const form = el('form', { class: 'filters', role: 'search', 'aria-label': 'Search and filter posts' },
    el('div', { class: 'search-row' },
      field('Search title and content', q, 'Every word must appear.'),
      el('button', { type: 'submit', class: 'primary' }, 'Search')),
    el('div', { class: 'filter-grid' },
      field('Source', lists.source), field('Product', lists.product),
      field('Language', lists.language), field('Country', lists.country),
      field('Sentiment', sentiment), field('Complaint', complaint),
      field('Answered', answered), field('False positives', fp),
      field('From', since), field('To (inclusive)', until), field('Sort', sort)),
    el('div', { class: 'filter-actions' },
      el('button', { type: 'reset' }, 'Clear filters')));

  const summary = el('p', { class: 'status-line', role: 'status', 'data-testid': 'posts-summary' });
  const exportLink = el('a', { class: 'button', download: 'posts.csv' }, 'Export CSV');
  const list = el('ol', { class: 'post-list', 'aria-label': 'Posts' });
  const more = el('button', { type: 'button', class: 'load-more', hidden: true }, 'Load more');
  const endNote = el('p', { class: 'muted end-note' });
  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Posts')),
    form,
    el('div', { class: 'results-head' }, summary, exportLink),
    list, more, endNote);

  function readForm() {
    const f = {};
    if (q.value.trim()) f.q = q.value.trim();
    for (const k of LIST_FILTERS) if (lists[k].value) f[k] = lists[k].value;
    if (sentiment.value) f.sentiment = sentiment.value;
    if (complaint.value) f.complaint = complaint.value;
    if (answered.value) f.answered = answered.value;
    if (fp.value) f.false_positive = fp.value;
    if (since.value) f.since = since.value;
    if (until.value) f.until = untilFromDate(until.value);
    state.filter = f;
    state.sort = sort.value;
    const p = new URLSearchParams(f);
    if (state.sort !== 'newest') p.set('sort', state.sort);
    replaceParams('posts', p);
  }

  async function fillOptions() {
    try {
      const all = await get('/posts/stats?bucket=month');
      const keys = { source: all.by_source, product: all.by_product, language: all.by_language, country: all.by_country };
      for (const k of LIST_FILTERS) {
        const values = keys[k].map((r) => r.key).filter(Boolean);
        if (state.filter[k] && !values.includes(state.filter[k])) values.push(state.filter[k]);
        lists[k].replaceChildren(el('option', { value: '' }, 'Any'), ...values.map((v) => el('option', { value: v }, v)));
        lists[k].value = state.filter[k] || '';
      }
    } catch {
      // the list stays usable with "Any" and the current value
    }
  }

  async function load(reset) {
    if (reset) {
      if (abort) abort.abort();
      abort = new AbortController();
      state.cursor = null;
      state.loaded = 0;
      list.replaceChildren();
      summary.textContent = 'Searching…';
      endNote.textContent = '';
      const csvQuery = query({ ...state.filter, sort: state.sort });
      exportLink.href = `/posts/export.csv${csvQuery}`;
    }
    const { signal } = abort;
    more.disabled = true;
    try {
      const pageReq = get(`/posts${query({ ...state.filter, sort: state.sort, limit: PAGE_SIZE, cursor: state.cursor })}`, { signal });
      const totalReq = reset ? get(`/posts/stats${query({ ...state.filter, bucket: 'month' })}`, { signal }) : null;
      const [page, stats] = await Promise.all([pageReq, totalReq]);
      if (stats) state.total = stats.total;
      const firstNew = state.loaded;
      for (const post of page.items) list.append(card(post));
      state.loaded += page.items.length;
      state.cursor = page.next_cursor;
      more.hidden = !state.cursor;
      summary.textContent = state.total === 0
        ? 'No post matches these filters.'
        : `${count(state.total)} ${state.total === 1 ? 'post matches' : 'posts match'} · showing ${count(state.loaded)}`;
      endNote.textContent = !state.cursor && state.loaded > 1 ? `All ${count(state.loaded)} matching posts are shown.`
        : !state.cursor && state.loaded === 1 ? 'The only matching post is shown.' : '';
      // After "load more", move focus to the first new card so keyboard users continue there.
      if (!reset && page.items.length) list.children[firstNew]?.querySelector('h3 a, h3')?.focus();
    } catch (err) {
      if (err.name === 'AbortError') return;
      summary.textContent = explain(err);
      summary.classList.add('error');
      return;
    } finally {
      more.disabled = false;
    }
    summary.classList.remove('error');
  }

  function card(post) {
    const titleText = post.title || (post.content || '').slice(0, 90) || `Post ${post.id}`;
    const titleId = uid('post');
    const heading = el('h3', { id: titleId, tabindex: '-1' },
      post.url
        ? el('a', { href: post.url, target: '_blank', rel: 'noopener noreferrer' }, titleText,
          el('span', { class: 'visually-hidden' }, ' (original post, opens in a new tab)'))
        : titleText);
    const meta = el('p', { class: 'post-meta' },
      badge(post.source || 'unknown source', 'source'),
      ' ', post.author ? `by ${post.author} · ` : '',
      el('time', { datetime: post.created_at }, dateTime(post.created_at)),
      post.rating !== null && post.rating !== undefined ? ` · rated ${post.rating}` : '');
    const analysis = el('ul', { class: 'analysis', 'aria-label': 'Analysis' },
      el('li', {}, sentimentBadge(post)),
      el('li', {}, badge(post.is_complaint ? `complaint ${score(post.complaint_score)}` : `not a complaint ${score(post.complaint_score)}`,
        post.is_complaint ? 'complaint' : 'muted-badge', 'Complaint score (0..1)')),
      el('li', {}, badge(`product: ${unknownKey(post.product)}`, 'plain')),
      el('li', {}, badge(`country: ${unknownKey(post.country)}`, 'plain')),
      el('li', {}, badge(`language: ${unknownKey(post.language)}`, 'plain')),
      el('li', {}, badge(`relevance ${score(post.relevance_score)}`, 'plain', 'How much the post is about the company (0..1)')),
      post.engagement && (post.engagement.likes || post.engagement.score || post.engagement.comments)
        ? el('li', {}, badge(`${post.engagement.score || post.engagement.likes || 0} points · ${post.engagement.comments || 0} comments`, 'plain'))
        : null);
    const content = post.content || '';
    const body = content.length > 600
      ? el('details', { class: 'post-content' }, el('summary', {}, `${content.slice(0, 400)}…`), el('p', {}, content))
      : el('p', { class: 'post-content' }, content);

    const triage = el('p', { class: 'triage-state', 'data-testid': 'triage-state' },
      post.answered
        ? `Answered${post.answered_by ? ` by ${post.answered_by}` : ''}${post.answered_at ? ` on ${dateOnly(post.answered_at)}` : ''}${post.answered_method ? ` (${post.answered_method})` : ''}.`
        : 'Not answered yet.',
      post.false_positive ? ' Marked as a false positive (hidden from default lists).' : '');
    const answerBtn = el('button', { type: 'button', class: 'action', dataset: { action: 'answered' } },
      post.answered ? 'Mark unanswered' : 'Mark answered');
    const fpBtn = el('button', { type: 'button', class: 'action', dataset: { action: 'false_positive' } },
      post.false_positive ? 'Not a false positive' : 'False positive');
    answerBtn.addEventListener('click', () => triageAction(post, { answered: !post.answered }, 'answered'));
    fpBtn.addEventListener('click', () => triageAction(post, { false_positive: !post.false_positive }, 'false_positive'));

    const article = el('article', {
      class: `post-card${post.is_complaint ? ' is-complaint' : ''}${post.false_positive ? ' is-fp' : ''}`,
      'aria-labelledby': titleId, 'data-post-id': post.id,
    },
    heading, meta, analysis, body,
    el('details', { class: 'evidence-box' }, el('summary', {}, 'Why: the analysis evidence'), renderEvidence(post.evidence)),
    el('div', { class: 'post-actions' }, triage, el('div', { class: 'buttons' }, answerBtn, fpBtn)));
    return el('li', {}, article);
  }

  async function triageAction(post, patch, action) {
    const updated = await withToken(() => send('PATCH', `/posts/${post.id}`, patch), 'Triage');
    if (!updated) return;
    const old = list.querySelector(`[data-post-id="${post.id}"]`)?.parentElement;
    if (!old) return;
    const fresh = card(updated);
    old.replaceWith(fresh);
    fresh.querySelector(`button[data-action="${action}"]`)?.focus();
    notify(action === 'answered'
      ? (updated.answered ? 'Marked as answered.' : 'Marked as not answered.')
      : (updated.false_positive ? 'Marked as a false positive.' : 'No longer a false positive.'));
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    readForm();
    load(true);
  });
  form.addEventListener('change', (e) => {
    if (e.target === q) return;  // the search box applies on submit (Enter)
    readForm();
    load(true);
  });
  form.addEventListener('reset', () => {
    setTimeout(() => {
      for (const k of LIST_FILTERS) lists[k].value = '';
      readForm();
      load(true);
    });
  });
  more.addEventListener('click', () => load(false));

  fillOptions();
  load(true);
  return () => {
    if (abort) abort.abort();
  };
}

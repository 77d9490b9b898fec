// Jobs, live: GET /jobs/stream (server-sent events) pushes every job event with the job's new
// state, so progress bars move as the workers report real units done / total. Queue depth,
// workers (heartbeats) and supervisor children (restarts) come from GET /jobs/status, refreshed
// after events and every few seconds for the heartbeat ages.
import { explain, get, probe, query, send } from '../api.js';
import { el, field, replace, uid } from '../dom.js';
import { ago, count, dateTime, duration } from '../format.js';
import { notify, withToken } from '../notify.js';

const ACTIVE = new Set(['queued', 'scheduled', 'running', 'retrying', 'cancelling']);
const RETRYABLE = new Set(['dead', 'cancelled']);
const STATUS_EVERY_MS = 5000;
const RECENT_LIMIT = 30;

function stateBadge(state) {
  return el('span', { class: `badge state state-${state}` }, state);
}

function jobTitle(job) {
  const p = job.payload && typeof job.payload === 'object' ? job.payload : {};
  const what = p.source ? ` ${p.source}${p.query ? ` “${p.query}”` : ''}` : '';
  return `${job.type}${what}`;
}

// One job, as a list item whose parts are updated in place (buttons keep their focus).
class JobRow {
  constructor(job, handlers) {
    this.id = job.id;
    this.title = el('span', { class: 'job-title' });
    this.state = el('span', { class: 'job-state' });
    this.progress = el('progress', { max: 1, 'aria-label': `Progress` });
    this.progressText = el('span', { class: 'progress-text' });
    this.message = el('p', { class: 'job-message' });
    this.meta = el('p', { class: 'job-meta muted' });
    this.error = el('p', { class: 'job-error', hidden: true });
    this.cancelBtn = el('button', { type: 'button', class: 'danger' }, 'Cancel');
    this.retryBtn = el('button', { type: 'button' }, 'Retry');
    this.eventsBtn = el('button', { type: 'button', 'aria-haspopup': 'false' }, 'Event log');
    this.cancelBtn.addEventListener('click', () => handlers.cancel(this.id));
    this.retryBtn.addEventListener('click', () => handlers.retry(this.id));
    this.eventsBtn.addEventListener('click', () => handlers.events(this.id));
    this.li = el('li', { class: 'job', 'data-job-id': job.id },
      el('div', { class: 'job-head' }, this.title, this.state),
      el('div', { class: 'job-progress' }, this.progress, this.progressText),
      this.message, this.error, this.meta,
      el('div', { class: 'buttons' }, this.cancelBtn, this.retryBtn, this.eventsBtn));
    this.update(job);
  }

  update(job) {
    this.job = job;
    const name = jobTitle(job);
    this.title.textContent = name;
    this.state.replaceChildren(stateBadge(job.state));
    this.li.dataset.state = job.state;
    const pr = job.progress || {};
    const done = job.state === 'succeeded';
    if (pr.total > 0) {
      this.progress.max = pr.total;
      this.progress.value = Math.min(pr.done, pr.total);
      this.progressText.textContent = `${count(pr.done)} / ${count(pr.total)} (${Math.round((100 * pr.done) / pr.total)} %)`;
    } else if (done) {
      this.progress.max = 1;
      this.progress.value = 1;
      this.progressText.textContent = 'done';
    } else if (job.state === 'running') {
      this.progress.removeAttribute('value');  // indeterminate: running, no total reported yet
      this.progressText.textContent = 'started';
    } else {
      this.progress.max = 1;
      this.progress.value = 0;
      this.progressText.textContent = job.state === 'queued' ? 'waiting for a worker' : job.state;
    }
    this.progress.setAttribute('aria-label', `Progress of ${name}`);
    this.message.textContent = pr.message || '';
    this.message.hidden = !pr.message;
    this.error.textContent = job.last_error ? `Last error: ${job.last_error}` : '';
    this.error.hidden = !job.last_error;
    const timing = job.finished_at
      ? `finished ${ago(job.finished_at)}${job.started_at ? `, ran ${duration(Date.parse(job.finished_at) - Date.parse(job.started_at))}` : ''}`
      : job.started_at ? `started ${ago(job.started_at)}` : `created ${ago(job.created_at)}`;
    this.meta.textContent = `${job.id} · attempt ${job.attempts}/${job.max_attempts}` +
      `${job.crashes ? ` · ${job.crashes} crash${job.crashes > 1 ? 'es' : ''}` : ''} · ${timing}` +
      `${job.worker_id ? ` · ${job.worker_id}` : ''}`;
    this.cancelBtn.hidden = !ACTIVE.has(job.state) || job.state === 'cancelling';
    this.retryBtn.hidden = !RETRYABLE.has(job.state);
    this.cancelBtn.setAttribute('aria-label', `Cancel ${name}`);
    this.retryBtn.setAttribute('aria-label', `Retry ${name}`);
    this.eventsBtn.setAttribute('aria-label', `Event log of ${name}`);
  }
}

export function mount(main) {
  const jobs = new Map();  // id -> job
  const rows = new Map();  // id -> JobRow
  let selected = null;     // job id whose event log is open
  let source = null;
  let statusTimer = null;
  let statusSoon = null;
  let disposed = false;
  let lostConnection = false;

  const live = el('span', { class: 'live-indicator', role: 'status', 'data-testid': 'live' }, 'Connecting…');

  // --- actions ---
  const sourceInput = el('input', { name: 'source', list: uid('sources'), required: true, autocomplete: 'off', placeholder: 'e.g. reddit' });
  const sourcesList = el('datalist', { id: sourceInput.getAttribute('list') });
  const queryInput = el('input', { name: 'query', autocomplete: 'off', placeholder: 'optional search query' });
  const scrapeForm = el('form', { class: 'inline-form', 'aria-label': 'Scrape one source' },
    field('Source', sourceInput), sourcesList, field('Query', queryInput),
    el('button', { type: 'submit', class: 'primary' }, 'Scrape source'));
  const scrapeAll = el('button', { type: 'button' }, 'Scrape all sources');
  const backup = el('button', { type: 'button' }, 'Back up now');
  const typeInput = el('input', { name: 'type', required: true, autocomplete: 'off', placeholder: 'e.g. auto_scrape' });
  const payloadInput = el('textarea', { name: 'payload', rows: 2, spellcheck: 'false', placeholder: '{}' });
  const otherForm = el('form', { class: 'inline-form', 'aria-label': 'Enqueue a job of any type' },
    field('Job type', typeInput), field('Payload (JSON object)', payloadInput),
    el('button', { type: 'submit' }, 'Enqueue'));

  const queueBox = el('div', { class: 'queue-box', 'data-testid': 'queue' }, el('p', { class: 'muted' }, 'Loading…'));
  const workersBox = el('div', { class: 'table-wrap' });
  const supervisorBox = el('div', { class: 'table-wrap' });
  const activeList = el('ol', { class: 'job-list', 'aria-label': 'Running and queued jobs', 'data-testid': 'active-jobs' });
  const activeEmpty = el('p', { class: 'empty' }, 'No job is running or waiting.');
  const recentList = el('ol', { class: 'job-list recent', 'aria-label': 'Finished jobs', 'data-testid': 'recent-jobs' });
  const recentEmpty = el('p', { class: 'empty' }, 'No finished job yet.');
  const logTitle = el('h2', { id: uid('log') }, 'Event log');
  const logBody = el('div', { class: 'event-log', 'data-testid': 'event-log' },
    el('p', { class: 'muted' }, 'Choose “Event log” on a job to see what happened to it.'));
  const logSection = el('section', { class: 'card log-card', 'aria-labelledby': logTitle.id, tabindex: '-1' }, logTitle, logBody);

  main.append(
    el('div', { class: 'page-head' }, el('h1', {}, 'Jobs'), live),
    el('section', { class: 'card', 'aria-label': 'Start jobs' },
      el('h2', {}, 'Start'),
      scrapeForm,
      el('div', { class: 'buttons' }, scrapeAll, backup),
      el('details', { class: 'other-job' }, el('summary', {}, 'Another job type…'), otherForm)),
    el('div', { class: 'jobs-grid' },
      el('div', { class: 'jobs-main' },
        el('section', { class: 'card', 'aria-label': 'Running and queued' }, el('h2', {}, 'Running and queued'), activeEmpty, activeList),
        el('section', { class: 'card', 'aria-label': 'Recent' }, el('h2', {}, 'Recent'), recentEmpty, recentList)),
      el('div', { class: 'jobs-side' },
        el('section', { class: 'card', 'aria-label': 'Queue' }, el('h2', {}, 'Queue'), queueBox),
        el('section', { class: 'card', 'aria-label': 'Workers' }, el('h2', {}, 'Workers'), workersBox),
        el('section', { class: 'card', 'aria-label': 'Supervisor' }, el('h2', {}, 'Supervised processes'), supervisorBox),
        logSection)));

  const handlers = {
    cancel: (id) => act(() => send('DELETE', `/jobs/${encodeURIComponent(id)}`), 'Cancel requested.', 'Cancelling a job'),
    retry: (id) => act(() => send('POST', `/jobs/${encodeURIComponent(id)}/retry`), 'Job queued again.', 'Retrying a job'),
    events: (id) => openLog(id),
  };

  async function act(write, message, what) {
    const job = await withToken(write, what);
    if (!job) return null;
    upsert(job);
    notify(job.duplicate ? `${message} (an identical job was already active: ${job.id})` : message);
    refreshStatusSoon();
    return job;
  }

  function upsert(job) {
    if (!job || !job.id) return;
    jobs.set(job.id, job);
    const row = rows.get(job.id);
    if (row) row.update(job);
    else rows.set(job.id, new JobRow(job, handlers));
    renderLists();
  }

  function placeRows(list, ids) {
    const current = [...list.children].map((li) => li.dataset.jobId);
    if (current.length === ids.length && current.every((id, i) => id === ids[i])) return;
    list.replaceChildren(...ids.map((id) => rows.get(id).li));
  }

  function renderLists() {
    const all = [...jobs.values()];
    const by = (key) => (a, b) => (b[key] || b.created_at || '').localeCompare(a[key] || a.created_at || '');
    const active = all.filter((j) => ACTIVE.has(j.state)).sort(by('created_at'));
    const recent = all.filter((j) => !ACTIVE.has(j.state)).sort(by('finished_at')).slice(0, RECENT_LIMIT);
    placeRows(activeList, active.map((j) => j.id));
    placeRows(recentList, recent.map((j) => j.id));
    activeEmpty.hidden = active.length > 0;
    recentEmpty.hidden = recent.length > 0;
  }

  async function loadJobs() {
    try {
      const [activePage, recentPage] = await Promise.all([
        get(`/jobs${query({ state: [...ACTIVE].join(','), limit: 200 })}`),
        get(`/jobs${query({ limit: 50 })}`),
      ]);
      for (const j of [...recentPage.items, ...activePage.items]) upsert(j);
    } catch (err) {
      if (!disposed) notify(`Jobs could not be loaded: ${explain(err)}`, 'error');
    }
  }

  async function loadStatus() {
    try {
      renderStatus(await get('/jobs/status'));
    } catch (err) {
      queueBox.replaceChildren(el('p', { class: 'notice error' }, explain(err)));
    }
  }

  function refreshStatusSoon() {
    if (statusSoon) return;
    statusSoon = setTimeout(() => {
      statusSoon = null;
      if (!disposed) loadStatus();
    }, 400);
  }

  function renderStatus(s) {
    const counts = s.counts || {};
    const depth = (counts.queued || 0) + (counts.retrying || 0) + (counts.scheduled || 0);
    replace(queueBox,
      s.degraded ? el('p', { class: 'notice warn', role: 'alert' }, `Degraded: ${s.degraded}`) : null,
      el('dl', { class: 'stats-dl' },
        el('dt', {}, 'Backend'), el('dd', {}, `${s.backend} (${s.status})`),
        el('dt', {}, 'Queue depth'), el('dd', { 'data-testid': 'queue-depth' }, `${count(depth)} waiting`,
          s.oldest_queued_age_s ? ` · oldest ${duration(s.oldest_queued_age_s * 1000)}` : ''),
        ...Object.entries(counts).sort().flatMap(([k, n]) => [el('dt', {}, k), el('dd', {}, count(n))])));

    const workers = s.workers || [];
    workersBox.replaceChildren(workers.length
      ? el('table', { class: 'data-table' },
        el('thead', {}, el('tr', {}, ['Worker', 'Jobs', 'Heartbeat'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, workers.map((w) => {
          const age = Date.now() - Date.parse(w.heartbeat_at);
          return el('tr', { class: age > 30000 ? 'stale' : '' },
            el('th', { scope: 'row' }, el('span', { class: 'mono' }, w.id), el('br'), el('small', { class: 'muted' }, `${w.host} pid ${w.pid}`)),
            el('td', { class: 'num' }, `${w.current_jobs} / ${w.concurrency}`),
            el('td', {}, ago(w.heartbeat_at), age > 30000 ? el('span', { class: 'badge state-dead' }, ' stale') : null));
        })))
      : el('p', { class: 'empty' }, 'No worker has reported. Jobs wait in the queue until one starts (complaints serve or complaints worker).'));

    const sup = s.supervisor;
    supervisorBox.replaceChildren(sup && Array.isArray(sup.children)
      ? el('table', { class: 'data-table' },
        el('caption', {}, `Supervisor pid ${sup.pid}, ${sup.state}`),
        el('thead', {}, el('tr', {}, ['Process', 'State', 'Restarts', 'Last exit'].map((h) => el('th', { scope: 'col' }, h)))),
        el('tbody', {}, sup.children.map((c) => el('tr', {},
          el('th', { scope: 'row' }, c.name, el('br'), el('small', { class: 'muted' }, `${c.role}${c.pid ? ` pid ${c.pid}` : ''}`)),
          el('td', {}, stateBadge(c.state)),
          el('td', { class: 'num' }, count(c.restarts)),
          el('td', {}, c.last_exit ? `${c.last_exit.status}, ${ago(c.last_exit.at)}` : '–')))))
      : el('p', { class: 'empty' }, 'Not supervised: this API runs on its own (complaints api), so its workers are managed elsewhere.'));
  }

  async function openLog(id) {
    selected = id;
    logTitle.textContent = 'Event log';
    logBody.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
    logSection.focus();
    try {
      const job = await get(`/jobs/${encodeURIComponent(id)}`);
      if (selected !== id) return;
      logTitle.textContent = `Event log: ${jobTitle(job)}`;
      const list = el('ol', { class: 'events' }, (job.events || []).map(eventItem));
      replace(logBody,
        el('p', { class: 'muted mono' }, job.id),
        job.last_error ? el('p', { class: 'job-error' }, `Last error: ${job.last_error}`) : null,
        list);
    } catch (err) {
      logBody.replaceChildren(el('p', { class: 'notice error' }, explain(err)));
    }
  }

  function eventItem(e) {
    const detail = e.detail && typeof e.detail === 'object'
      ? Object.entries(e.detail).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ')
      : e.detail || '';
    return el('li', {}, el('time', { datetime: e.at }, dateTime(e.at).replace(' UTC', '')),
      ' ', el('strong', {}, e.kind), detail ? el('span', { class: 'muted' }, ` ${detail}`) : null);
  }

  function connect() {
    source = new EventSource('/jobs/stream');
    source.addEventListener('open', () => {
      live.textContent = 'Live';
      live.classList.add('on');
      if (lostConnection) {
        lostConnection = false;
        loadJobs();  // events sent while we were away are not replayed: catch up
        loadStatus();
      }
    });
    source.addEventListener('error', () => {
      live.textContent = 'Reconnecting…';
      live.classList.remove('on');
      lostConnection = true;
    });
    source.addEventListener('job', (msg) => {
      let data;
      try {
        data = JSON.parse(msg.data);
      } catch {
        return;
      }
      if (data.job) upsert(data.job);
      if (selected && data.job_id === selected) {
        logBody.querySelector('ol.events')?.append(eventItem(data));
      }
      if (data.kind !== 'progress') refreshStatusSoon();
    });
  }

  // --- forms ---
  scrapeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = { source: sourceInput.value.trim() };
    if (queryInput.value.trim()) body.query = queryInput.value.trim();
    if (!body.source) return;
    act(() => send('POST', '/jobs/scrape', body), `Scrape of ${body.source} queued.`, 'Starting a scrape');
  });
  scrapeAll.addEventListener('click', () => act(() => send('POST', '/jobs/scrape-all', {}), 'Scrape of every source queued.', 'Scraping all sources'));
  backup.addEventListener('click', () => act(() => send('POST', '/jobs/backup'), 'Backup queued.', 'A backup'));
  otherForm.addEventListener('submit', (e) => {
    e.preventDefault();
    let payload = {};
    if (payloadInput.value.trim()) {
      try {
        payload = JSON.parse(payloadInput.value);
      } catch (err) {
        notify(`The payload is not valid JSON: ${err.message}`, 'error');
        payloadInput.focus();
        return;
      }
    }
    act(() => send('POST', '/jobs', { type: typeInput.value.trim(), payload }), `${typeInput.value.trim()} queued.`, 'Enqueuing a job');
  });

  async function loadSourceNames() {
    const names = new Set();
    const r = await probe('/sources').catch(() => ({ status: 0 }));
    if (r.status === 200 && r.body) {
      const items = Array.isArray(r.body) ? r.body : r.body.items || r.body.sources || [];
      for (const s of items) if (s && (s.name || s.id)) names.add(s.name || s.id);
    }
    try {
      for (const row of (await get('/posts/stats?bucket=month')).by_source) if (row.key) names.add(row.key);
    } catch {
      // names are only suggestions
    }
    sourcesList.replaceChildren(...[...names].sort().map((n) => el('option', { value: n })));
  }

  connect();
  loadJobs();
  loadStatus();
  loadSourceNames();
  statusTimer = setInterval(() => {
    if (!document.hidden) loadStatus();
    for (const row of rows.values()) if (ACTIVE.has(row.job.state)) row.update(row.job);  // "started 5 s ago"
  }, STATUS_EVERY_MS);
  return () => {
    disposed = true;
    if (source) source.close();
    clearInterval(statusTimer);
    clearTimeout(statusSoon);
  };
}

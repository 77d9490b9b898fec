// Entry point: hash routing between the four pages. Each page module exports
// mount(main, params) and returns a cleanup function (closing its event source, timers...).
import 'uplot/dist/uPlot.min.css';
import './styles.css';

import { el } from './dom.js';
import { initTokenDialog } from './token.js';
import * as overview from './pages/overview.js';
import * as posts from './pages/posts.js';
import * as jobs from './pages/jobs.js';
import * as sources from './pages/sources.js';

const pages = { overview, posts, jobs, sources };
const titles = { overview: 'Overview', posts: 'Posts', jobs: 'Jobs', sources: 'Sources' };

let cleanup = null;
let current = '';

// "#/posts?q=x" -> {page: 'posts', params: URLSearchParams('q=x')}
function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#\/?/, '');
  const [name, qs = ''] = raw.split('?');
  const page = pages[name] ? name : 'overview';
  return { page, params: new URLSearchParams(qs) };
}

function route() {
  const { page, params } = parseHash();
  if (cleanup) {
    try {
      cleanup();
    } catch (err) {
      console.error(err);
    }
    cleanup = null;
  }
  const main = document.getElementById('main');
  const pageChanged = page !== current;
  current = page;
  main.replaceChildren();
  document.title = `${titles[page]} · Complaints tracker`;
  for (const a of document.querySelectorAll('.nav-list a')) {
    if (a.dataset.page === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  try {
    cleanup = pages[page].mount(main, params) || null;
  } catch (err) {
    main.append(el('p', { class: 'notice error', role: 'alert' }, `This page failed: ${err.message}`));
  }
  // Move focus to the new page for keyboard and screen-reader users (not on first load).
  if (pageChanged && document.activeElement && document.activeElement.closest('nav')) {
    main.focus({ preventScroll: false });
  }
}

function start() {
  initTokenDialog();
  window.addEventListener('hashchange', route);
  if (!location.hash) history.replaceState(null, '', '#/overview');
  route();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();

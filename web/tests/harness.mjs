// Browser-test harness: the product in demo mode — `complaints demo`, i.e. the fixture replay
// server plus a real `complaints serve` (supervisor + API + workers + scheduler) whose sources
// all point at that replay server — on a free port with a temporary data dir seeded from
// fixtures/posts.jsonl, and Debian's chromium driven by playwright-core. The demo's own first
// scrape is off (--no-kickoff) and its auto_scrape schedule yearly, so the store holds only the
// seed until a test starts a scrape. A missing binary or browser is a failure, never a skip.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const webRoot = resolve(repoRoot, 'web', 'dist');
export const screenshotDir = resolve(process.env.CT_TEST_OUTPUT || join(repoRoot, 'tests', 'output'), 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function binaryPath() {
  const bin = process.env.COMPLAINTS_BIN || join(repoRoot, 'build', 'complaints');
  if (!existsSync(bin)) throw new Error(`complaints binary not found at ${bin} (build it, or set COMPLAINTS_BIN)`);
  return bin;
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The fixture's posts, shifted so the newest is an hour old: the Overview's "last 30 days" and
// its previous period both hold posts whatever today's date is.
function shiftedFixture(path) {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim());
  const posts = lines.map((l) => JSON.parse(l));
  const newest = Math.max(...posts.map((p) => Date.parse(p.created_at)));
  const shift = Date.now() - 3600_000 - newest;
  for (const p of posts) {
    p.created_at = new Date(Date.parse(p.created_at) + shift).toISOString().replace(/\.\d{3}Z$/, 'Z');
    delete p.collected_at;
  }
  return posts;
}

export async function startServer({ fixture = join(here, 'fixtures', 'posts.jsonl') } = {}) {
  if (!existsSync(join(webRoot, 'index.html'))) {
    throw new Error(`${webRoot}/index.html is missing: run scripts/setup-web (npm run build in web/)`);
  }
  const bin = binaryPath();
  const dir = mkdtempSync(join(tmpdir(), 'ct-web-'));
  const port = await freePort();
  const env = {
    ...process.env,
    COMPLAINTS_DATA_DIR: dir,
    DATABASE_URL: `sqlite:${join(dir, 'complaints.db')}`,
    COMPLAINTS_LISTEN: `127.0.0.1:${port}`,
    COMPLAINTS_WEB_ROOT: webRoot,
    COMPLAINTS_TEST_JOBS: '1',
    COMPLAINTS_LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: '2',
  };
  delete env.REDIS_URL;
  const run = (...args) => {
    const r = spawnSync(bin, args, { env, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`complaints ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout.trim();
  };
  const posts = shiftedFixture(fixture);
  const seeded = join(dir, 'posts.jsonl');
  writeFileSync(seeded, posts.map((p) => JSON.stringify(p)).join('\n') + '\n');
  run('import', seeded);
  const token = run('token', 'create', '--role', 'operator', '--name', 'browser-test');
  const revokedToken = run('token', 'create', '--role', 'operator', '--name', 'to-revoke');
  const viewerToken = run('token', 'create', '--role', 'viewer', '--name', 'viewer-test');

  const logPath = join(dir, 'serve.log');
  const demoArgs = ['demo', '--no-kickoff', '--data-dir', dir, '--listen', `127.0.0.1:${port}`, '--cron', '0 0 1 1 *'];
  const child = spawn(bin, demoArgs, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`complaints demo exited (${child.exitCode}):\n${log}`);
    try {
      const r = await fetch(`${base}/ready`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`complaints demo not ready after 30 s:\n${log}`);
    await sleep(150);
  }
  return {
    base,
    dir,
    token,
    revokedToken,
    viewerToken,
    posts,
    run,
    log: () => log,
    async api(method, path, body, tok = token) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${tok}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async stop() {
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        // demo stops its serve (its own process group) with a drain of up to 30 s.
        const until = Date.now() + 40_000;
        while (child.exitCode === null && Date.now() < until) await sleep(100);
        if (child.exitCode === null) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      writeFileSync(logPath, log);
      if (!process.env.CT_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  if (!existsSync(chromiumPath)) {
    throw new Error(`chromium not found at ${chromiumPath}: run scripts/setup-web test (apt-get install chromium)`);
  }
  // playwright gives every launch() a fresh temporary profile (its own --user-data-dir) and
  // removes it on close; it refuses a --user-data-dir argument.
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

// A page that records console errors, CSP violations and failed requests, so a test can assert
// the dashboard ran cleanly under its Content-Security-Policy.
export async function newPage(browser, { width = 1280, height = 900, isMobile = false } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, isMobile, hasTouch: isMobile, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.problems.push(`console: ${msg.text()} @ ${msg.location().url}`);
  });
  page.on('pageerror', (err) => page.problems.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => {
    const failure = req.failure()?.errorText || '';
    // EventSource and aborted fetches (filters changed mid-flight) are cancelled on purpose.
    if (failure.includes('ERR_ABORTED')) return;
    page.problems.push(`requestfailed: ${req.url()} ${failure}`);
  });
  return page;
}

// Problems other than the expected ones (a refused token is a 401 on purpose in the token
// tests; those pass their own `allow` patterns).
export function unexpectedProblems(page, { allow = [] } = {}) {
  return page.problems.filter((p) => !allow.some((re) => re.test(p)));
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

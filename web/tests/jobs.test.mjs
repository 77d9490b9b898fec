// The Jobs page, live through server-sent events, against a real `complaints serve` with its
// workers: real progress to completion, cancel and retry, the event log, workers and
// supervised processes, and a scrape started from the page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, newPage, screenshot, startServer, unexpectedProblems } from './harness.mjs';

let server;
let browser;
let page;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = await newPage(browser, { width: 1280, height: 1000 });
  // The token once, as a user would type it; it stays in sessionStorage for the whole tab.
  await page.goto(`${server.base}/#/jobs`);
  await page.getByRole('button', { name: /^Token:/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Operator token' });
  await dialog.getByLabel('Token').fill(server.token);
  await dialog.getByRole('button', { name: 'Save token' }).click();
  await page.getByTestId('live').filter({ hasText: 'Live' }).waitFor();
});

after(async () => {
  await page?.context().close();
  await browser?.close();
  await server?.stop();
});

async function enqueueFromPage(type, payload) {
  const details = page.locator('details.other-job');
  if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
  await page.getByLabel('Job type').fill(type);
  await page.getByLabel('Payload (JSON object)').fill(JSON.stringify(payload));
  const created = page.waitForResponse((r) => r.url().endsWith('/jobs') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Enqueue' }).click();
  const res = await created;
  assert.equal(res.status(), 201, await res.text());
  return (await res.json()).id;
}

describe('jobs page', () => {
  test('a job started from the page shows its real progress to completion', async () => {
    const id = await enqueueFromPage('test.progress', { steps: 12, step_ms: 400 });
    const row = page.locator(`li.job[data-job-id="${id}"]`);
    await row.waitFor();
    // Mid-way: a determinate bar, part done, pushed by the event stream.
    await page.waitForFunction((jobId) => {
      const p = document.querySelector(`li.job[data-job-id="${jobId}"] progress`);
      return p && p.hasAttribute('value') && p.max === 12 && p.value > 0 && p.value < 12;
    }, id, { timeout: 30_000 });
    assert.match(await row.locator('.progress-text').textContent(), /\d+ \/ 12/);
    assert.equal(await row.getAttribute('data-state'), 'running');
    assert.ok(await page.getByTestId('active-jobs').locator(`[data-job-id="${id}"]`).count() === 1);
    await screenshot(page, 'jobs-desktop-running');
    await page.getByTestId('recent-jobs').locator(`li.job[data-job-id="${id}"][data-state="succeeded"]`).waitFor({ timeout: 30_000 });
    assert.match(await row.locator('.job-message').textContent(), /step 12/);

    await row.getByRole('button', { name: /^Event log/ }).click();
    const log = page.getByTestId('event-log');
    await log.locator('li', { hasText: 'succeeded' }).waitFor();
    const kinds = await log.locator('li strong').allTextContents();
    for (const kind of ['enqueued', 'claimed', 'progress', 'succeeded']) assert.ok(kinds.includes(kind), `${kind} in ${kinds}`);
  });

  test('queue, workers with heartbeats and supervised processes are shown', async () => {
    await page.locator('.jobs-side table').first().waitFor();
    const workers = page.locator('section[aria-label="Workers"] tbody tr');
    assert.ok(await workers.count() >= 1, 'at least one worker');
    assert.match(await workers.first().textContent(), /s ago/);
    const children = page.locator('section[aria-label="Supervisor"] tbody tr');
    assert.ok(await children.count() >= 2, 'api and worker processes');
    assert.match(await page.locator('section[aria-label="Supervisor"]').textContent(), /api/);
    assert.match(await page.getByTestId('queue').textContent(), /Queue depth/);
  });

  test('a running job can be cancelled, then retried', async () => {
    const id = await enqueueFromPage('test.progress', { steps: 200, step_ms: 300 });
    const row = page.locator(`li.job[data-job-id="${id}"]`);
    await page.waitForFunction((jobId) => document.querySelector(`li.job[data-job-id="${jobId}"]`)?.dataset.state === 'running', id, { timeout: 30_000 });
    await row.getByRole('button', { name: /^Cancel/ }).click();
    await page.locator(`li.job[data-job-id="${id}"][data-state="cancelled"]`).waitFor({ timeout: 30_000 });
    await row.getByRole('button', { name: /^Retry/ }).click();
    await page.waitForFunction((jobId) => ['queued', 'running'].includes(document.querySelector(`li.job[data-job-id="${jobId}"]`)?.dataset.state), id, { timeout: 30_000 });
    await row.getByRole('button', { name: /^Cancel/ }).click();
    await page.locator(`li.job[data-job-id="${id}"][data-state="cancelled"]`).waitFor({ timeout: 30_000 });
  });

  test('a scrape started from the page shows its progress to completion; its new posts then appear', async () => {
    // Demo mode: the reddit source points at the replay server, which serves its fixtures.
    const before = (await server.api('GET', '/posts/stats')).body.total;
    const beforeReddit = (await server.api('GET', '/posts/stats?source=reddit')).body.total;
    await page.getByLabel('Source', { exact: true }).fill('reddit');
    const created = page.waitForResponse((r) => r.url().endsWith('/jobs/scrape'));
    await page.getByRole('button', { name: 'Scrape source' }).click();
    const res = await created;
    assert.ok([200, 201].includes(res.status()), await res.text());
    const id = (await res.json()).id;
    const row = page.locator(`li.job[data-job-id="${id}"]`);
    await row.waitFor();
    await page.waitForFunction((jobId) => ['succeeded', 'dead', 'failed', 'cancelled'].includes(document.querySelector(`li.job[data-job-id="${jobId}"]`)?.dataset.state), id, { timeout: 120_000 });
    await screenshot(page, 'jobs-desktop');
    const state = await row.getAttribute('data-state');
    const error = state === 'succeeded' ? '' : await row.locator('.job-error').textContent();
    assert.equal(state, 'succeeded', `the scrape ended ${state}: ${error}`);
    // Its progress was real: the event log holds progress events with the pages and items done.
    await row.getByRole('button', { name: /^Event log/ }).click();
    const log = page.getByTestId('event-log');
    await log.locator('li', { hasText: 'succeeded' }).waitFor();
    const kinds = await log.locator('li strong').allTextContents();
    assert.ok(kinds.includes('progress'), `progress events in ${kinds}`);
    const job = (await server.api('GET', `/jobs/${id}`)).body;
    assert.ok(job.result && job.result.new > 0, `the job's result counts new posts: ${JSON.stringify(job.result)}`);
    const after = (await server.api('GET', '/posts/stats')).body.total;
    const afterReddit = (await server.api('GET', '/posts/stats?source=reddit')).body.total;
    assert.ok(after > before, `the scrape added posts (${before} -> ${after})`);
    assert.equal(afterReddit - beforeReddit, after - before, 'every new post is from reddit');
    await page.goto(`${server.base}/#/posts?source=reddit`);
    await page.waitForFunction((n) => new RegExp(`^${n} posts? match`).test(document.querySelector('[data-testid="posts-summary"]')?.textContent || ''), afterReddit);
    assert.ok(await page.locator('.post-card').count() > 0);
    // The Sources page now shows the scrape: a last success, a closed breaker, reddit's posts.
    await page.goto(`${server.base}/#/sources`);
    const reddit = page.locator('table.sources tr[data-source="reddit"]');
    await reddit.waitFor();
    const cells = await reddit.locator('td').allTextContents();
    assert.notEqual(cells[1], 'never', `reddit has a last success: ${cells}`);
    assert.match(cells[3], /closed/, `reddit's breaker: ${cells}`);
    assert.equal(cells[4].replace(/\D/g, ''), String(afterReddit), `reddit's posts: ${cells}`);
    await screenshot(page, 'sources-after-scrape');
    await page.goto(`${server.base}/#/jobs`);
  });

  test('the page ran without errors', () => {
    assert.deepEqual(unexpectedProblems(page), []);
  });
});

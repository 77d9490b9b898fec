// The dashboard in a real browser against a real `complaints serve`: loading under the CSP,
// search and filters narrowing the list, load more, triage that survives a reload, refused
// tokens, CSV export, the Sources page's degraded mode, and a screenshot of each page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launchBrowser, newPage, screenshot, startServer, unexpectedProblems } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function cardCount(page) {
  return page.locator('.post-card').count();
}

async function summaryTotal(page) {
  const text = await page.getByTestId('posts-summary').textContent();
  const m = /([\d,]+) posts? match/.exec(text);
  return m ? Number(m[1].replace(/,/g, '')) : text.includes('No post matches') ? 0 : NaN;
}

async function waitForResults(page) {
  await page.waitForFunction(() => {
    const s = document.querySelector('[data-testid="posts-summary"]')?.textContent || '';
    return /posts? match|No post matches/.test(s);
  });
}

describe('dashboard', () => {
  test('the overview loads under the CSP with figures, timeline and breakdowns', async () => {
    const page = await newPage(browser);
    const response = await page.goto(`${server.base}/`);
    assert.equal(response.status(), 200);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    await page.waitForSelector('[data-testid="kpi-posts"] .kpi-value');
    await page.waitForSelector('.timeline canvas');
    const posts = Number((await page.getByTestId('kpi-posts').locator('.kpi-value').textContent()).replace(/,/g, ''));
    assert.ok(posts > 0, 'posts in the last 30 days');
    assert.match(await page.getByTestId('kpi-complaints').locator('.kpi-change').textContent(), /vs previous period/);
    assert.ok(await page.getByTestId('breakdown-source').locator('li').count() >= 3);
    assert.ok(await page.getByTestId('breakdown-product').locator('li').count() >= 3);
    assert.equal(await page.locator('nav a[aria-current="page"]').textContent(), 'Overview');
    await screenshot(page, 'overview-desktop');
    assert.deepEqual(unexpectedProblems(page), []);
    await page.context().close();
  });

  test('a search narrows the list and load more continues with the cursor', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.base}/#/posts`);
    await waitForResults(page);
    const all = await summaryTotal(page);
    assert.ok(all > 25, `fixture has more than one page (${all})`);
    assert.equal(await cardCount(page), 25);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('.post-card').length === n, all);
    assert.match(await page.locator('.end-note').textContent(), /All \d+ matching posts are shown/);
    await screenshot(page, 'posts-desktop');

    await page.getByLabel('Search title and content').fill('invoice');
    await page.getByLabel('Search title and content').press('Enter');
    await page.waitForFunction(() => /q=invoice/.test(location.hash));
    await waitForResults(page);
    const found = await summaryTotal(page);
    assert.ok(found > 0 && found < all, `search narrows: ${found} of ${all}`);
    assert.equal(await cardCount(page), found);
    for (const text of await page.locator('.post-card').allTextContents()) assert.match(text, /invoice/i);
    assert.match(page.url(), /q=invoice/, 'the search is kept in the URL');
    assert.deepEqual(unexpectedProblems(page), []);
    await page.context().close();
  });

  test('a filter narrows the list, and the CSV export follows the filter', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.base}/#/posts`);
    await waitForResults(page);
    const all = await summaryTotal(page);
    await page.getByLabel('Language').selectOption('fr');
    await page.waitForFunction(() => /language=fr/.test(location.hash));
    await waitForResults(page);
    await page.waitForFunction(() => [...document.querySelectorAll('.post-card')].every((c) => c.textContent.includes('language: fr')));
    const fr = await summaryTotal(page);
    assert.ok(fr > 0 && fr < all, `language filter narrows: ${fr} of ${all}`);
    await page.getByLabel('Complaint').selectOption('true');
    await page.waitForFunction(() => /complaint=true/.test(location.hash));
    await waitForResults(page);
    const frComplaints = await summaryTotal(page);
    assert.ok(frComplaints > 0 && frComplaints < fr, `complaint filter narrows further: ${frComplaints} of ${fr}`);
    for (const text of await page.locator('.post-card').allTextContents()) assert.match(text, /language: fr/);
    assert.equal(await page.locator('.post-card:not(.is-complaint)').count(), 0, 'only complaints');
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    assert.match(href, /^\/posts\/export\.csv\?/);
    const csv = await (await fetch(`${server.base}${href}`)).text();
    assert.equal(csv.trim().split('\n').length, frComplaints + 1, 'header + one line per matching post');
    await page.context().close();
  });

  test('evidence is shown on each card with a link to the original', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.base}/#/posts?q=outage`);
    await waitForResults(page);
    const card = page.locator('.post-card').first();
    const link = card.locator('h3 a');
    assert.match(await link.getAttribute('href'), /^https:\/\/example\.org\//);
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    await card.getByText('Why: the analysis evidence').click();
    const evidence = card.locator('.evidence');
    await evidence.waitFor();
    const text = await evidence.textContent();
    assert.match(text, /complaint/);
    assert.match(text, /sentiment/);
    assert.match(text, /outage/, 'the term that drove the verdict');
    await page.context().close();
  });

  test('marking a post answered needs the token once and survives a reload', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.base}/#/posts?answered=false&q=Kimsufi`);
    await waitForResults(page);
    const card = page.locator('.post-card').first();
    const id = await card.getAttribute('data-post-id');
    await card.getByRole('button', { name: 'Mark answered' }).click();
    const dialog = page.getByRole('dialog', { name: 'Operator token' });
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /needs an operator token/);
    await dialog.getByLabel('Token').fill(server.token);
    await dialog.getByRole('button', { name: 'Save token' }).click();
    const fresh = page.locator(`[data-post-id="${id}"]`);
    await fresh.getByTestId('triage-state').filter({ hasText: 'Answered by browser-test' }).waitFor();
    assert.equal(await page.locator('#token-state').textContent(), 'set');

    await page.goto(`${server.base}/#/posts?q=Kimsufi`);
    await page.reload();
    await waitForResults(page);
    const after = page.locator(`[data-post-id="${id}"]`);
    assert.match(await after.getByTestId('triage-state').textContent(), /Answered by browser-test/);
    assert.equal(await page.locator('#token-state').textContent(), 'set', 'the token is kept in sessionStorage');
    // And the other way: undo with the kept token, no dialog.
    await after.getByRole('button', { name: 'Mark unanswered' }).click();
    await page.locator(`[data-post-id="${id}"]`).getByTestId('triage-state').filter({ hasText: 'Not answered yet' }).waitFor();
    assert.equal(await page.getByRole('dialog').count(), 0);
    assert.deepEqual(unexpectedProblems(page), []);
    await page.context().close();
  });

  test('a wrong token and a revoked token each show a clear message', async () => {
    server.run('token', 'revoke', 'to-revoke');
    await new Promise((r) => setTimeout(r, 1200));  // verified tokens are cached for 1 s
    for (const [label, token] of [['wrong', 'ct_999_not-a-real-secret'], ['revoked', server.revokedToken]]) {
      const page = await newPage(browser);
      await page.goto(`${server.base}/#/posts?q=Kimsufi`);
      await waitForResults(page);
      await page.getByRole('button', { name: /^Token:/ }).click();
      const dialog = page.getByRole('dialog', { name: 'Operator token' });
      await dialog.getByLabel('Token').fill(token);
      await dialog.getByRole('button', { name: 'Save token' }).click();
      await page.locator('.post-card').first().getByRole('button', { name: 'False positive' }).click();
      const alert = page.locator('.toast-error');
      await alert.waitFor();
      assert.match(await alert.textContent(), /token was refused: it is wrong, revoked or expired/, label);
      await dialog.waitFor();
      assert.match(await dialog.locator('.dialog-reason').textContent(), /token was refused/, label);
      assert.equal(await page.locator('#token-state').textContent(), 'not set', `${label}: the refused token is forgotten`);
      await screenshot(page, `token-refused-${label}`);
      assert.deepEqual(unexpectedProblems(page, { allow: [/status of 401/] }), [], label);
      await page.context().close();
    }
    const fp = await server.api('GET', '/posts?q=Kimsufi&false_positive=true');
    assert.equal(fp.body.items.length, 0, 'nothing was changed with a refused token');
  });

  test('the sources page shows every configured source with its health and posts', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.base}/#/sources`);
    await page.waitForSelector('table.sources tbody tr');
    const configured = (await server.api('GET', '/sources')).body;
    const names = (configured.items ?? configured.sources ?? configured).map((s) => s.name);
    assert.ok(names.length >= 4, `GET /sources lists the demo's sources: ${names}`);
    for (const name of names) assert.equal(await page.locator(`tr[data-source="${name}"]`).count(), 1, `a row for ${name}`);
    assert.equal(await page.getByTestId('sources-notice').textContent(), '', 'no degraded-mode notice');
    // Nothing scraped yet: reddit has never succeeded, and its breaker is closed.
    const cells = await page.locator('tr[data-source="reddit"] td').allTextContents();
    assert.equal(cells[1], 'never');
    assert.match(cells[3], /closed/);
    await screenshot(page, 'sources-desktop');
    assert.deepEqual(unexpectedProblems(page), []);
    await page.context().close();
  });

  test('every page is readable on a phone and operable from the keyboard', async () => {
    const page = await newPage(browser, { width: 390, height: 844, isMobile: true });
    for (const name of ['overview', 'posts', 'jobs', 'sources']) {
      await page.goto(`${server.base}/#/${name}`);
      await page.waitForLoadState('networkidle').catch(() => {});
      await page.waitForTimeout(500);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `${name}: no horizontal scrolling on a phone (${overflow}px)`);
      await screenshot(page, `${name}-phone`);
    }
    // Keyboard: the skip link comes first and the nav is reachable with Tab.
    await page.goto(`${server.base}/#/overview`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Posts');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.startsWith('#/posts'));
    assert.deepEqual(unexpectedProblems(page), []);
    await page.context().close();
  });
});

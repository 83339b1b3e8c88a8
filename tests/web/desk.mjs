// A desk officer's session in a real browser (Debian's chromium, headless, driven by playwright-core):
// a wrong password is refused, sign in, paste the provider's lines, read them, resolve, read the verdict
// on the page, download the evidence bundle, see a post without the anti-forgery token refused, sign out.
// Run by tests/CeIsp.Tests/Desk/BrowserTests.cs, which starts
// `ce-isp serve` over real stored data and passes what to type in the environment:
//   DESK_URL, DESK_USER, DESK_PASSWORD, DESK_TEXT (CSV lines), DESK_ACCURACY_MS, DESK_EXPECT_VERDICT,
//   DESK_EXPECT_LINE, DESK_OUT (a directory for the download and the screenshots)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const env = (name) => { const v = process.env[name]; assert.ok(v, `${name} is not set`); return v; };
const out = env('DESK_OUT');
const profile = mkdtempSync(join(tmpdir(), 'ce-desk-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  acceptDownloads: true,
  viewport: { width: 1200, height: 900 },
  locale: 'ja-JP',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const external = [];
try {
  const page = context.pages()[0] ?? await context.newPage();
  const base = new URL(env('DESK_URL'));
  // The page must load nothing from anywhere but the desk itself.
  page.on('request', (r) => { if (new URL(r.url()).host !== base.host) external.push(r.url()); });

  await page.goto(base.href);
  assert.match(page.url(), /\/login$/, 'not signed in: sent to the sign-in form');
  await page.fill('#user', env('DESK_USER'));
  await page.fill('#password', 'not the password');
  await page.click('#signin');
  await page.waitForSelector('#failed', { state: 'visible' });
  await page.screenshot({ path: join(out, 'desk-login.png') });

  await page.fill('#user', env('DESK_USER'));
  await page.fill('#password', env('DESK_PASSWORD'));
  await page.click('#signin');
  await page.waitForFunction(() => document.getElementById('me').textContent.length > 0);
  assert.match(await page.textContent('#me'), new RegExp(env('DESK_USER')));

  await page.fill('#reference', 'browser case 1');
  await page.selectOption('#format', 'csv');
  await page.fill('#accuracy', env('DESK_ACCURACY_MS'));
  await page.fill('#text', env('DESK_TEXT'));
  await page.click('#parse');
  await page.waitForSelector('#observations', { state: 'visible' });
  const rows = await page.locator('#observations tbody tr').count();
  assert.equal(rows, env('DESK_TEXT').trim().split('\n').length, 'every pasted line became an observation');
  await page.click('#resolve');
  await page.waitForSelector('#answer', { state: 'visible' });
  const verdict = await page.getAttribute('#verdict', 'class');
  const lines = await page.locator('#candidates td.line').allTextContents();
  const ja = await page.textContent('#explanationJa');
  const en = await page.textContent('#explanationEn');
  assert.equal(verdict, `badge ${env('DESK_EXPECT_VERDICT')}`);
  assert.deepEqual(lines, [env('DESK_EXPECT_LINE')]);
  assert.match(ja, new RegExp(env('DESK_EXPECT_LINE')));
  await page.screenshot({ path: join(out, 'desk-verdict.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#bundle')]);
  const zip = join(out, 'evidence.zip');
  await download.saveAs(zip);
  assert.equal(readFileSync(zip).subarray(0, 2).toString(), 'PK', 'the download is a zip');
  // A post the page did not make (no anti-forgery token) is refused, even with the session cookie.
  const forged = await page.evaluate(async () => {
    const r = await fetch('/api/v1/requests', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    return { status: r.status, error: (await r.json()).error };
  });
  assert.equal(forged.status, 403);
  assert.match(forged.error, /anti-forgery token/);
  // Signing out is a form post with the session's token: it ends the session.
  await Promise.all([page.waitForURL(/\/login$/), page.click('form[action="/logout"] button')]);
  assert.equal((await page.evaluate(async () => (await fetch('/api/v1/me')).status)), 401);
  assert.deepEqual(external, [], 'requests left the desk');
  console.log(JSON.stringify({ verdict, lines, ja, en, zip, rows }));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

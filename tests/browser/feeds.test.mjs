// feeds.test.mjs — a researcher creates a link to their own bookings, sees the
// per-app instructions, finds it on #/feeds, revokes it; works at phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DEMO_PASSWORD } from '../http/lib.mjs';
import { launch, newPage, signIn } from './lib.mjs';

let srv, browser;
before(async () => { srv = await startServer({ demo: true }); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.stop(); });

test('create, list and revoke a calendar link on a phone-sized screen', async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await page.goto(srv.url + '/');
  await page.click('.lang button[data-lang=en]');
  await signIn(page, srv.url, 'researcher@labshare.demo', DEMO_PASSWORD);
  await page.goto(srv.url + '/#/feeds');
  await page.waitForSelector('.feeds-empty');

  await page.click('.subscribe .feed-create');
  await page.waitForSelector('.subscribe .feed-url');
  const url = await page.inputValue('.subscribe .feed-url');
  assert.match(url, /\/ical\/[0-9a-f]{64}\.ics$/);
  assert.equal(await page.getAttribute('.subscribe .feed-webcal', 'href'), url.replace(/^https?:/, 'webcal:'));
  assert.equal(await page.locator('.subscribe .feed-app').count(), 4);
  await page.click('.subscribe .feed-app[data-app=google] summary');
  assert.match(await page.textContent('.subscribe .feed-app[data-app=google] p'), /From URL/);
  const ics = await fetch(url);
  assert.equal(ics.status, 200);
  assert.match(await ics.text(), /^BEGIN:VCALENDAR\r\n/);

  await page.goto(srv.url + '/#/');
  await page.goto(srv.url + '/#/feeds');
  await page.waitForSelector('.feeds-table tbody tr');
  assert.equal(await page.locator('.feeds-table tbody tr').count(), 1);
  assert.match(await page.textContent('.feeds-table tbody tr'), /My bookings/);
  assert.match(await page.textContent('.feeds-table tbody tr'), /not yet|\d/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);

  await page.click('.feed-revoke');
  await page.click('.feed-revoke-yes');
  await page.waitForSelector('.feeds-empty');
  assert.equal((await fetch(url)).status, 404);
  assert.deepEqual(page.errors, []);
});

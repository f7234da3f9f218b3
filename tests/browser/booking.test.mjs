// booking.test.mjs — the daily flow in the browser: a researcher requests a
// confocal slot next week, the owner approves it in the inbox, the
// researcher sees it approved and cancels it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from '../http/lib.mjs';
import { launch, newPage, signIn, until, pickFreeSlot } from './lib.mjs';

let srv, browser, setup;
before(async () => {
  srv = await startServer({ demo: true });
  browser = await launch();
  setup = await findSetup();
});
after(async () => { await browser?.close(); await srv?.stop(); });

/** The demo's confocal resource to book (one needing approval if there is
 * one the researcher may book) and who manages it. */
async function findSetup() {
  const researcher = new Client(srv.url);
  await researcher.login('researcher@labshare.demo', DEMO_PASSWORD);
  const list = await researcher.get('/api/v1/resources?q=confocal&limit=100');
  assert.equal(list.status, 200, list.text);
  const me = researcher.user;
  const usable = list.json.items.filter((r) => (!r.requires_training || r.trained) && (r.shared || r.organisation_id === me.organisation_id));
  const resource = usable.find((r) => r.requires_approval) || usable[0];
  assert.ok(resource, 'the demo has a confocal resource the demo researcher may book');
  const from = new Date(), to = new Date(Date.now() + 7 * 86400000);
  const av = await researcher.get(`/api/v1/resources/${resource.id}/availability?from=${from.toISOString()}&to=${to.toISOString()}`);
  assert.equal(av.status, 200, av.text);
  // Who approves: a demo owner of the resource's organisation (else staff).
  const staff = new Client(srv.url);
  await staff.login('staff@labshare.demo', DEMO_PASSWORD);
  const users = await staff.get('/api/v1/users?limit=500');
  assert.equal(users.status, 200, users.text);
  const owners = users.json.items.filter((u) => u.role === 'owner' && u.organisation_id === resource.organisation_id);
  const approver = (owners.find((u) => u.email === 'owner@labshare.demo') || owners[0])?.email || 'staff@labshare.demo';
  return { resource, approver, researcher };
}

test('researcher requests a slot, owner approves it in the inbox, researcher cancels', async () => {
  const { resource, approver, researcher } = setup;
  const page = await newPage(browser);
  await signIn(page, srv.url, 'researcher@labshare.demo', DEMO_PASSWORD);
  await page.click('.lang button[data-lang=en]');
  await page.goto(`${srv.url}/#/book/${resource.id}`);
  await page.waitForSelector('.week-grid .wk-day');
  assert.match(await page.textContent('h1'), new RegExp(resource.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.match(await page.textContent('.tz-note'), /Kraków/);
  await pickFreeSlot(page);
  const chosen = await page.getAttribute('.week-grid button.slot[aria-pressed=true]', 'aria-label');
  assert.match(chosen, /, selected$/);
  await page.fill('textarea[name=purpose]', 'Live-cell imaging, browser test');
  await page.click('.book-submit');
  await page.waitForSelector('.book-done');
  const done = await page.textContent('.book-done');
  const expect = resource.requires_approval ? 'pending' : 'approved';
  assert.match(done, new RegExp(expect));
  const href = await page.getAttribute('.book-done a[href^="#/bookings/"]', 'href');
  const id = Number(href.split('/').pop());
  assert.ok(id > 0);
  const viaApi = await researcher.get(`/api/v1/bookings/${id}`);
  assert.equal(viaApi.json.status, expect);
  assert.equal(viaApi.json.purpose, 'Live-cell imaging, browser test');

  await page.click('.book-done a.to-mine');
  await page.waitForSelector(`.booking-item[data-id="${id}"][data-status=${expect}]`);
  assert.match(await page.textContent(`.booking-item[data-id="${id}"]`), new RegExp(expect));

  if (resource.requires_approval) {
    const owner = await newPage(browser);
    await signIn(owner, srv.url, approver, DEMO_PASSWORD);
    await owner.goto(`${srv.url}/#/inbox`);
    const row = `.inbox-item[data-id="${id}"]`;
    await owner.waitForSelector(row);
    assert.match(await owner.textContent(row), /Live-cell imaging, browser test/);
    await owner.click(`${row} button.approve`);
    await owner.waitForSelector(`${row}[data-status=approved]`);
    assert.equal((await researcher.get(`/api/v1/bookings/${id}`)).json.status, 'approved');
    assert.deepEqual(owner.errors, []);
    await owner.context().close();

    await page.goto(`${srv.url}/#/bookings/${id}`);
    await page.waitForSelector('.booking-detail .badge.approved');
    await page.goto(`${srv.url}/#/bookings`);
    await page.waitForSelector(`.booking-item[data-id="${id}"][data-status=approved]`);
  }

  await page.click(`.booking-item[data-id="${id}"] .cancel-open`);
  await page.fill(`.booking-item[data-id="${id}"] input[name=reason]`, 'plans changed');
  await page.click(`.booking-item[data-id="${id}"] .cancel-yes`);
  await page.waitForSelector(`.booking-item[data-id="${id}"][data-status=cancelled]`);
  assert.equal((await researcher.get(`/api/v1/bookings/${id}`)).json.status, 'cancelled');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('on a phone the week shows one day at a time and slots work from the keyboard', async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await signIn(page, srv.url, 'researcher@labshare.demo', DEMO_PASSWORD);
  await page.goto(`${srv.url}/#/book/${setup.resource.id}`);
  // Only the chosen day is visible (today's, unless the week starts later):
  // wait for that one, not for the first of the seven, which may be hidden.
  await page.waitForSelector('.week-grid .wk-day:visible');
  assert.equal(await page.locator('.week-grid .wk-day:visible').count(), 1);
  // Switch to each day until one has a free slot; choose it with Enter.
  const label = await page.textContent('.week-label');
  await page.click('.week-next');
  await until(page, (l) => document.querySelector('.week-label').textContent !== l, label);
  await page.waitForSelector('.week-grid .wk-day:visible, .week-grid .closed-week');
  let done = false;
  for (let d = 0; d < 7 && !done; d++) {
    await page.click(`.day-switch button >> nth=${d}`);
    assert.equal(await page.getAttribute(`.day-switch button >> nth=${d}`, 'aria-pressed'), 'true');
    assert.equal(await page.locator('.week-grid .wk-day:visible').count(), 1);
    const free = page.locator('.week-grid button.slot.free:visible').first();
    if (!(await free.count())) continue;
    assert.match(await free.getAttribute('aria-label'), /\d{2}:\d{2}, free$/);
    await free.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.week-grid button.slot[aria-pressed=true]');
    assert.notEqual(await page.textContent('.sel-start'), '—');
    done = true;
  }
  assert.ok(done, 'no free slot next week');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

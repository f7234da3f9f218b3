// changes.test.mjs — the owner's day in the browser (issue 17):
//   - a blackout over two approved bookings: the warning lists them (who,
//     when), the owner writes the bookers a message and confirms; the
//     bookers' mail arrives at the SMTP sink and their own feeds show the
//     events CANCELLED; narrower hours warn the same way in Polish, and
//     going back changes nothing;
//   - the inbox lists only what the owner may decide (not their own
//     outgoing request), a series as one block approved all at once, and a
//     decline needs a reason;
//   - a researcher asks for training on the resource page; the owner finds
//     them with the type-ahead (no address shown) and records it.
// Dates are relative to today; the catalogue is written with sqlite3.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { startServer, Client, addUser, sqlite, futureDay as day, localAt as at, PASSWORD } from '../http/lib.mjs';
import { startSmtpSink } from '../http/smtp-sink.mjs';
import { launch, newPage, signIn } from './lib.mjs';

let srv, sink, browser;
const users = {};
const api = {};

const sql = (q) => sqlite(srv.db, q);

before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({
    env: { LABSHARE_SMTP_URL: sink.url, LABSHARE_SMTP_FROM: 'labshare <noreply@owner.test>', LABSHARE_NOTIFY_INTERVAL_MS: '100' },
  });
  sql(`
    INSERT INTO organisations(id, name, grp, created, updated) VALUES
      (1, 'Jagiellonian Centre of Innovation', 'BIZ', 0, 0), (2, 'Institute of Catalysis', 'R&D', 0, 0),
      (3, 'Life Science Garage', 'BioF', 0, 0);
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES
      (1, 1, 'Imaging lab', 'scientific', 80, 0, 0), (2, 2, 'Spectroscopy lab', 'scientific', 60, 0, 0);
    INSERT INTO resources(id, lab_id, type, name, shared, requires_approval, requires_training, created, updated) VALUES
      (1, 1, 'instrument', 'Confocal microscope', 1, 0, 0, 0, 0),
      (2, 1, 'instrument', 'Flow cytometer', 1, 1, 0, 0, 0),
      (3, 1, 'instrument', 'Cell sorter', 1, 0, 1, 0, 0),
      (4, 2, 'instrument', 'NMR 600 MHz', 1, 1, 0, 0, 0);
    WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 5)
      INSERT INTO opening_hours(resource_id, weekday, open_min, close_min) SELECT r.id, d.n, 480, 1080 FROM d, resources r;
  `);
  for (const [name, s] of Object.entries({
    owner: { role: 'owner', organisation: 1, name: 'Olga Owner' },
    ana: { role: 'researcher', organisation: 2, name: 'Ana Booker' },
    ben: { role: 'researcher', organisation: 3, name: 'Ben Booker' },
  })) {
    users[name] = addUser(srv, { email: `${name}@owner.test`, password: PASSWORD, ...s });
    api[name] = new Client(srv.url);
    await api[name].login(`${name}@owner.test`, PASSWORD);
  }
  assert.equal((await api.ana.patch('/api/v1/me', { lang: 'en' })).status, 200);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  await sink?.close();
});

async function book(c, body) {
  const r = await c.post('/api/v1/bookings', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

/** The user's own feed, parsed: VEVENTs by booking id. */
async function feedOf(name) {
  const f = await api[name].post('/api/v1/feeds', { scope: 'user', id: users[name] });
  assert.equal(f.status, 201, f.text);
  const r = await api[name].get(new URL(f.json.url).pathname);
  assert.equal(r.status, 200);
  const comp = new ICAL.Component(ICAL.parse(r.text));
  return new Map(comp.getAllSubcomponents('vevent').map((v) => [Number(v.getFirstPropertyValue('uid').match(/^booking-(\d+)@/)[1]), v]));
}

test('an owner lays a blackout over two approved bookings: warning, message, confirm; the bookers are told and their feeds say CANCELLED', async () => {
  const d = day(1, 2);
  const a = await book(api.ana, { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:00'), purpose: 'imaging' });
  const b = await book(api.ben, { resource_id: 1, start: at(d, '13:00'), end: at(d, '14:00'), purpose: 'screening' });
  assert.equal(a.status, 'approved');
  assert.equal(b.status, 'approved');

  const page = await newPage(browser);
  await signIn(page, srv.url, 'owner@owner.test', PASSWORD);
  await page.click('.lang button[data-lang=en]');
  await page.goto(`${srv.url}/#/manage/resources/1`);
  await page.waitForSelector('#blackout-form');
  await page.fill('#blackout-form input[name=start]', `${d}T09:00`);
  await page.fill('#blackout-form input[name=end]', `${d}T15:00`);
  await page.fill('#blackout-form input[name=reason]', 'Laser replacement');
  await page.click('#blackout-form button[type=submit]');

  // The warning: both bookings, who and when, before anything changes.
  await page.waitForSelector('.impact .impact-list li');
  assert.match(await page.textContent('.impact h2'), /cancels 2 bookings/);
  const items = await page.$$eval('.impact-list li', (lis) => lis.map((li) => [Number(li.dataset.id), li.textContent]));
  assert.deepEqual(items.map(([id]) => id), [a.id, b.id]);
  assert.match(items[0][1], /Ana Booker.*10:00–11:00/);
  assert.match(items[1][1], /Ben Booker.*13:00–14:00/);
  assert.match(await page.textContent('.impact'), /blackout’s reason/);
  assert.equal(sql(`SELECT count(*) FROM blackouts WHERE resource_id = 1`), '0');
  assert.equal(sql(`SELECT group_concat(status) FROM bookings WHERE id IN (${a.id}, ${b.id})`), 'approved,approved');

  await page.fill('.impact textarea[name=message]', 'The laser is replaced that day; sorry — please book another day.');
  await page.click('.impact-confirm');
  await page.waitForSelector('.impact-done:has-text("Bookings cancelled: 2")');
  assert.equal(await page.locator('.impact').count(), 0);
  await page.waitForSelector('#blackouts li:has-text("Laser replacement")');
  for (const id of [a.id, b.id]) {
    const r = (await api.owner.get(`/api/v1/bookings/${id}`)).json;
    assert.equal(r.status, 'cancelled');
    assert.equal(r.reason, 'The laser is replaced that day; sorry — please book another day.');
    assert.equal(r.decided_by, users.owner);
  }

  // Their mail, each in their language, with the calendar's cancellation.
  const [ma] = await sink.waitFor((m) => m.to.includes('ana@owner.test') && /Booking cancelled/.test(m.subject));
  assert.match(ma.text, /Reason: The laser is replaced that day/);
  const [mb] = await sink.waitFor((m) => m.to.includes('ben@owner.test') && /Rezerwacja odwołana/.test(m.subject));
  assert.match(mb.text, /Powód: The laser is replaced that day/);
  // Their own feeds keep the events, cancelled.
  assert.equal((await feedOf('ana')).get(a.id).getFirstPropertyValue('status'), 'CANCELLED');
  assert.equal((await feedOf('ben')).get(b.id).getFirstPropertyValue('status'), 'CANCELLED');

  // Narrower hours warn in Polish; going back changes nothing.
  const c = await book(api.ana, { resource_id: 1, start: at(day(2, 1), '08:00'), end: at(day(2, 1), '09:00') });
  await page.click('.lang button[data-lang=pl]');
  await page.waitForSelector('.hours-editor');
  await page.fill('.hours-day[data-weekday="1"] .hours-open', '10:00');
  await page.click('form.cat-form button[type=submit]');
  await page.waitForSelector('.impact .impact-list li');
  assert.match(await page.textContent('.impact h2'), /Ta zmiana odwoła rezerwacje: 1/);
  assert.match(await page.textContent('.impact'), /Ana Booker/);
  await page.click('.impact-back');
  await page.waitForFunction(() => !document.querySelector('.impact'));
  assert.equal(sql(`SELECT open_min FROM opening_hours WHERE resource_id = 1 AND weekday = 1`), '480');
  assert.equal((await api.ana.get(`/api/v1/bookings/${c.id}`)).json.status, 'approved');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the inbox lists only what the owner may decide, a series as one block approved at once; a decline needs a reason', async () => {
  const d = day(3, 1);
  const s = await book(api.ana, { resource_id: 2, start: at(d, '09:00'), end: at(d, '10:00'), rrule: 'FREQ=WEEKLY;COUNT=3', purpose: 'weekly sorting' });
  const single = await book(api.ben, { resource_id: 2, start: at(d, '12:00'), end: at(d, '13:00'), purpose: 'one-off' });
  const outgoing = await book(api.owner, { resource_id: 4, start: at(d, '12:00'), end: at(d, '13:00') });
  assert.equal(outgoing.status, 'pending');

  const page = await newPage(browser);
  await signIn(page, srv.url, 'owner@owner.test', PASSWORD);
  await page.click('.lang button[data-lang=en]');
  await page.goto(`${srv.url}/#/inbox`);
  await page.waitForSelector(`.inbox-series[data-series="${s.series_id}"]`);
  assert.equal(await page.locator(`.inbox-item[data-id="${outgoing.id}"]`).count(), 0, 'own outgoing request is not in the inbox');
  const block = `.inbox-series[data-series="${s.series_id}"]`;
  assert.match(await page.textContent(`${block} .series-head`), /Ana Booker — 3 pending/);
  assert.equal(await page.locator(`${block} .inbox-item`).count(), 3);

  // a decline without a reason is not sent
  await page.click(`.inbox-item[data-id="${single.id}"] .decline-open`);
  await page.click(`.inbox-item[data-id="${single.id}"] .decline-form button[type=submit]`);
  await page.waitForSelector(`.inbox-item[data-id="${single.id}"] .decline-form .field-error:has-text("Give a reason")`);
  assert.equal((await api.ben.get(`/api/v1/bookings/${single.id}`)).json.status, 'pending');
  await page.fill(`.inbox-item[data-id="${single.id}"] input[name=reason]`, 'The cytometer is being serviced.');
  await page.click(`.inbox-item[data-id="${single.id}"] .decline-form button[type=submit]`);
  await page.waitForSelector(`.inbox-item[data-id="${single.id}"][data-status=declined]`);
  assert.equal((await api.ben.get(`/api/v1/bookings/${single.id}`)).json.reason, 'The cytometer is being serviced.');

  await page.click(`${block} button.approve-all`);
  for (const b of s.bookings) await page.waitForSelector(`.inbox-item[data-id="${b.id}"][data-status=approved]`);
  const now = (await api.ana.get(`/api/v1/bookings?series_id=${s.series_id}`)).json.items.map((b) => b.status);
  assert.deepEqual(now, ['approved', 'approved', 'approved']);
  assert.match(await page.textContent('.inbox-count'), /Nothing awaits your decision/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a researcher asks for training on the resource page; the owner finds them by name and records it', async () => {
  const page = await newPage(browser);
  await signIn(page, srv.url, 'ben@owner.test', PASSWORD);
  await page.click('.lang button[data-lang=pl]');
  await page.goto(`${srv.url}/#/resources/3`);
  await page.waitForSelector('#training-ask summary');
  await page.click('#training-ask summary');
  await page.fill('#training-ask textarea[name=message]', 'Sortuję komórki co tydzień.');
  await page.click('#training-ask button[type=submit]');
  await page.waitForSelector('#training-ask p:has-text("opiekunowie dostali wiadomość")');
  // In the owner's language: English, which they chose with the switch (it
  // is saved to their account) in the first test.
  const [m] = await sink.waitFor((x) => x.to.includes('owner@owner.test') && /Training request: Cell sorter/.test(x.subject));
  assert.match(m.text, /Asked by: Ben Booker/);
  assert.ok(!m.text.includes('ben@owner.test'));
  await page.context().close();

  const owner = await newPage(browser);
  await signIn(owner, srv.url, 'owner@owner.test', PASSWORD);
  await owner.click('.lang button[data-lang=en]');
  await owner.goto(`${srv.url}/#/manage/resources/3`);
  await owner.waitForSelector(`.training-requests li[data-user="${users.ben}"]`);
  assert.match(await owner.textContent('.training-requests'), /Ben Booker · Life Science Garage/);
  assert.ok(!(await owner.textContent('#trained')).includes('ben@owner.test'));
  await owner.fill('#trained-form input[name=user]', 'ben b');
  await owner.waitForSelector(`#train-options li[data-user="${users.ben}"]`);
  assert.match(await owner.textContent('#train-options'), /Ben Booker · Life Science Garage \(asks for training\)/);
  await owner.click(`#train-options li[data-user="${users.ben}"] button`);
  await owner.click('#trained-form button[type=submit]');
  await owner.waitForSelector(`#trained .cat-list li[data-user="${users.ben}"]`);
  await owner.waitForSelector('.training-requests p.muted');
  assert.equal((await api.ben.get('/api/v1/resources/3')).json.trained, true);
  assert.deepEqual(owner.errors, []);
  await owner.context().close();
});

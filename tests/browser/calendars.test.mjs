// calendars.test.mjs — an owner subscribes a resource to a service calendar
// served on loopback (the server runs with --import-allow-private), sees its
// status, blackouts and a clash in Polish, uploads a broken file and reads
// which line is wrong, removes the calendar; a researcher sees no such card.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, DEMO_PASSWORD, sqlite } from '../http/lib.mjs';
import { launch, newPage, signIn } from './lib.mjs';

let srv, browser, cal, resource;
const stamp = (t) => new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const start = Date.now() + 9 * 86400000 - (Date.now() % 3600000);

before(async () => {
  cal = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/calendar' });
    res.end(`BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:svc\r\nDTSTART:${stamp(start)}\r\nDTEND:${stamp(start + 7200000)}\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Serwis\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`);
  });
  await new Promise((r) => cal.listen(0, '127.0.0.1', r));
  srv = await startServer({ demo: true, args: ['--import-allow-private'] });
  // a resource of the owner's organisation (JCI), and a booking in the first window
  resource = Number(sqlite(srv.db, `SELECT r.id FROM resources r JOIN labs l ON l.id = r.lab_id
    JOIN organisations o ON o.id = l.organisation_id WHERE o.short_name = 'JCI' ORDER BY r.id LIMIT 1`));
  sqlite(srv.db, `INSERT INTO bookings(id, resource_id, user_id, organisation_id, start, end, status, created, updated)
    SELECT 900001, ${resource}, id, organisation_id, ${Math.floor(start / 1000) + 1800}, ${Math.floor(start / 1000) + 3600}, 'approved', 0, 0
    FROM users WHERE email = 'researcher@labshare.demo'`);
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.stop(); await new Promise((r) => cal.close(r)); });

test('an owner subscribes, sees status and clashes, gets a line-numbered error, removes it', async () => {
  const page = await newPage(browser, { locale: 'pl-PL' });
  await page.goto(srv.url + '/');
  await page.click('.lang button[data-lang=pl]');
  await signIn(page, srv.url, 'owner@labshare.demo', DEMO_PASSWORD);
  await page.goto(`${srv.url}/#/resources/${resource}`);
  await page.waitForSelector('#calendars');
  assert.match(await page.textContent('#calendars h2'), /Importowane kalendarze/);
  await page.waitForSelector('#calendars .cal-sources li');
  assert.match(await page.textContent('#calendars .cal-sources'), /Brak importowanych kalendarzy/);

  await page.fill('#calendars .cal-add input[name=url]', `http://127.0.0.1:${cal.address().port}/serwis.ics`);
  await page.fill('#calendars .cal-add input[name=name]', 'Serwis producenta');
  await page.click('#calendars .cal-add button[type=submit]');
  await page.waitForSelector('#calendars .cal-source');
  const row = await page.textContent('#calendars .cal-source');
  assert.match(row, /Serwis producenta/);
  assert.match(row, /subskrypcja/);
  assert.match(row, /pobrano/);
  assert.match(await page.textContent('#calendars .cal-source dd:nth-of-type(3)'), /^3$/);
  // Our booking is among the clashes (the demo's own bookings may clash too, by the hour the test runs).
  const clashes = await page.locator('#calendars .cal-conflicts a').evaluateAll((a) => a.map((x) => x.getAttribute('href')));
  assert.ok(clashes.includes('#/bookings/900001'), clashes.join(' '));

  // a broken file: the line is named next to the file field
  await page.setInputFiles('#calendars .cal-upload input[type=file]', {
    name: 'zly.ics', mimeType: 'text/calendar',
    buffer: Buffer.from('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:jutro\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'),
  });
  await page.click('#calendars .cal-upload button[type=submit]');
  await page.waitForSelector('#calendars .cal-upload .field-error:not(:empty)');
  assert.match(await page.textContent('#calendars .cal-upload .field-error'), /4/);

  page.on('dialog', (d) => d.accept());
  await page.click('#calendars .cal-remove');
  await page.waitForFunction(() => !document.querySelector('#calendars .cal-source'));
  assert.equal(sqlite(srv.db, 'SELECT count(*) FROM blackouts WHERE source_id IS NOT NULL'), '0');
  assert.deepEqual(page.errors, []);
});

test('a researcher sees no calendar card', async () => {
  const page = await newPage(browser);
  await page.goto(srv.url + '/');
  await signIn(page, srv.url, 'researcher@labshare.demo', DEMO_PASSWORD);
  await page.goto(`${srv.url}/#/resources/${resource}`);
  await page.waitForSelector('.cat-detail h1');
  assert.equal(await page.locator('#calendars').count(), 0);
});

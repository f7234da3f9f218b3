// stats.test.mjs — the dashboard: staff see the strategy's indicator table
// and the charts; an owner sees their organisation without indicators; it
// fits a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, addUser, PASSWORD } from '../http/lib.mjs';
import { launch, newPage, signIn, until } from './lib.mjs';

let srv, browser;
const YEAR = new Date().getFullYear();

before(async () => {
  srv = await startServer();
  const sec = (s) => Math.floor(Date.parse(s) / 1000);
  const r = spawnSync('sqlite3', [srv.db], { encoding: 'utf8', input: `
    INSERT INTO organisations(id, name, grp, member, created, updated) VALUES (1, 'Instytut', 'R&D', 1, 0, 0), (2, 'Firma', 'BioF', 1, 0, 0);
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES (1, 1, 'Lab A', 'scientific', 120, 0, 0), (2, 2, 'Lab B', 'commercial', 80, 0, 0);
    INSERT INTO resources(id, lab_id, type, name, shared, power_kw, created, updated) VALUES (1, 1, 'instrument', 'Mikroskop', 1, 1, 0, 0), (2, 2, 'instrument', 'Sekwenator', 1, 2, 0, 0);
    INSERT INTO opening_hours(resource_id, weekday, open_min, close_min) SELECT r.id, d.value, 480, 1080 FROM resources r, generate_series(1, 5) d;` });
  assert.equal(r.status, 0, r.stderr);
  addUser(srv, { email: 'staff@x.pl', role: 'staff', name: 'Koordynator' });
  const owner = addUser(srv, { email: 'owner@x.pl', role: 'owner', organisation: 2, name: 'Opiekun' });
  const b = spawnSync('sqlite3', [srv.db], { encoding: 'utf8', input: `
    INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, status, created, updated) VALUES
      (1, ${owner}, 2, ${sec(`${YEAR}-01-12T09:00:00+01:00`)}, ${sec(`${YEAR}-01-12T13:00:00+01:00`)}, 'approved', 0, 0);` });
  assert.equal(b.status, 0, b.stderr);
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.stop(); });

// The dashboard's own GET of the indicators (not a CSV link fetched by hand).
const indicatorsGet = (r) => r.request().method() === 'GET' && /\/api\/v1\/stats\/indicators\?/.test(r.url()) && !/format=csv/.test(r.url());
const gridFactorPut = (r) => r.request().method() === 'PUT' && r.url().includes(`/api/v1/stats/grid-factors/${YEAR}`);
// This year's cell of the carbon-footprint row, once the table shows it.
const carbonThisYear = (page) => page.locator('table.dash-ind tbody tr', { hasText: 'Ślad węglowy infrastruktury' }).locator('td').nth(1);

test('staff see the indicator table, charts and CSV links', async () => {
  const page = await newPage(browser);
  await signIn(page, srv.url, 'staff@x.pl', PASSWORD);
  await page.click('.lang button[data-lang=pl]');
  // Every wait is for the answer and what it renders, never for a time: a
  // busy machine only makes them come later.
  const shown = page.waitForResponse(indicatorsGet);
  await page.goto(srv.url + '/#/dashboard');
  assert.equal((await shown).status(), 200);
  await page.waitForSelector('table.dash-ind');
  const table = await page.textContent('table.dash-ind');
  assert.match(table, /Powierzchnia laboratoriów komercyjnych/);
  assert.match(table, /Ślad węglowy infrastruktury B&R&I/);
  assert.match(await carbonThisYear(page).textContent(), /wstępne/); // no grid factor for this year yet
  assert.ok(await page.locator('svg.chart.line polyline').count() === 1);
  assert.equal(await page.locator('svg.chart.heat rect.cell').count(), 7 * 24);
  const csv = await page.getAttribute('a.csv >> nth=0', 'href');
  assert.match(csv, /format=csv/);
  const res = await page.evaluate(async (u) => (await fetch(u)).headers.get('content-type'), csv);
  assert.match(res, /text\/csv/);
  // Grid factor settings: a bad value is shown next to its field.
  await page.fill('.dash-gf input[name=year]', String(YEAR));
  let put = page.waitForResponse(gridFactorPut);
  await page.click('.dash-gf button[type=submit]');
  assert.equal((await put).status(), 422);
  await page.waitForSelector('.dash-gf [data-field=kg_per_kwh] .field-error:not(:empty)');
  await page.fill('.dash-gf input[name=kg_per_kwh]', '0.5');
  const before = await page.$('table.dash-ind');
  put = page.waitForResponse(gridFactorPut);
  const reloaded = page.waitForResponse(indicatorsGet);
  await page.click('.dash-gf button[type=submit]');
  assert.equal((await put).status(), 201); // a new year's factor
  assert.equal((await reloaded).status(), 200);
  // The table drawn from that answer replaces the old one: this year's
  // footprint is final now.
  await until(page, (el) => !el.isConnected, before);
  await page.waitForSelector('table.dash-ind');
  assert.doesNotMatch(await carbonThisYear(page).textContent(), /wstępne/);
  assert.deepEqual(page.errors, []);
});

test('an owner sees their own figures without the indicators, on a phone', async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await signIn(page, srv.url, 'owner@x.pl', PASSWORD);
  await page.click('.lang button[data-lang=en]');
  await page.goto(srv.url + '/#/dashboard');
  await page.waitForSelector('svg.chart.heat');
  assert.equal(await page.locator('table.dash-ind').count(), 0);
  const names = await page.locator('.dash-panel table.data a[href^="#/resources/"]').allTextContents();
  assert.deepEqual([...new Set(names)], ['Sekwenator']);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page overflows by ${overflow}px`);
  assert.deepEqual(page.errors, []);
});

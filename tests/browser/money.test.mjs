// money.test.mjs — prices in the browser: the booking form shows the quote
// before the request is sent (for a series, its total) on next year's spring
// DST night, the booking keeps it, the owner's statement page lists it with
// its totals in Polish, and the dashboard's State-aid panel shows the funded
// resource with the table behind its chart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, addUser, PASSWORD } from '../http/lib.mjs';
import { launch, newPage, signIn } from './lib.mjs';

const Y = new Date().getUTCFullYear() + 1;
const S = 31 - new Date(Date.UTC(Y, 2, 31)).getUTCDay(); // the last Sunday of March
const pad = (n) => String(n).padStart(2, '0');

/** The instant of a Warsaw wall time, as a Date (day overflow allowed). */
function local(y, m, d, h) {
  const want = new Date(Date.UTC(y, m - 1, d, h));
  const text = `${want.getUTCFullYear()}-${pad(want.getUTCMonth() + 1)}-${pad(want.getUTCDate())}, ${pad(want.getUTCHours())}:00`;
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  for (const off of [1, 2]) {
    const t = new Date(want.getTime() - off * 3600000);
    if (fmt.format(t) === text) return t;
  }
  throw new Error(`no such local time ${text}`);
}
const netMinor = (rate, secs) => Math.round((rate * secs) / 3600);

let srv, browser, staff, res = {}, org = {};

before(async () => {
  srv = await startServer();
  addUser(srv, { email: 'staff@x.pl', role: 'staff' });
  staff = new Client(srv.url);
  await staff.login('staff@x.pl');
  const post = async (path, body) => {
    const r = await staff.post(path, body);
    assert.equal(r.status, 201, r.text);
    return r.json;
  };
  org.P = (await post('/api/v1/organisations', { name: 'Uniwersytet – dostawca', group: 'EDU' })).id;
  org.A = (await post('/api/v1/organisations', { name: 'Instytut Badawczy', group: 'R&D', package: 'silver' })).id;
  const lab = await post('/api/v1/labs', { organisation_id: org.P, name: 'Lab NMR', kind: 'scientific', area_m2: 60 });
  res.R1 = (await post('/api/v1/resources', {
    lab_id: lab.id, type: 'instrument', name: 'NMR 600', requires_approval: false, slot_minutes: 60, min_minutes: 60,
    max_minutes: 600, opening_hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, open: '00:00', close: '24:00' })),
    prices: { currency: 'PLN', internal: 40, member_academic: 100.5, member_commercial: 123.45, non_member: null },
  })).id;
  res.R3 = (await post('/api/v1/resources', {
    lab_id: lab.id, type: 'room', name: 'Pracownia BSL-2', funding: { programme: 'FENG 2.1', economic_cap: 0.2 },
  })).id;
  for (const [email, role, organisation_id] of [['a@x.pl', 'researcher', org.A], ['owner.p@x.pl', 'owner', org.P]])
    await post('/api/v1/users', { email, name: email, role, organisation_id, password: PASSWORD });
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.stop(); });

test('the booking form shows the price before sending, a series its total, and the booking keeps it', async () => {
  const page = await newPage(browser);
  await signIn(page, srv.url, 'a@x.pl', PASSWORD);
  await page.click('.lang button[data-lang=en]');
  await page.goto(`${srv.url}/#/book/${res.R1}?week=${Y}-03-${pad(S)}`);
  // Sunday of the change, 00:00 → 04:00 local: 3 real hours.
  const start = local(Y, 3, S, 0);
  await page.click(`.week-grid button.slot[data-start="${start.toISOString()}"]`);
  await page.selectOption('select[name=end]', '180');
  const rate = Math.round(10050 * 0.9); // member_academic, silver: 10 % off
  const one = netMinor(rate, 3 * 3600);
  await page.waitForFunction((net) => document.querySelector('.book-quote .quote-line')?.textContent.includes(net), (one / 100).toFixed(2));
  const line = await page.textContent('.book-quote .quote-line');
  assert.match(line, /90\.45/);
  assert.match(line, /× 3 h/);
  assert.match(await page.textContent('.book-quote'), /cluster member, academic/);
  // Weekly, twice: the next Sunday 00:00–04:00 has 4 real hours.
  await page.selectOption('select[name=rrule]', 'count');
  await page.fill('input[name=count]', '2');
  const total = one + netMinor(rate, 4 * 3600);
  await page.waitForFunction((net) => document.querySelector('.book-quote .quote-line')?.textContent.includes(net), (total / 100).toFixed(2));
  assert.match(await page.textContent('.book-quote .quote-line'), /Series: 2 occurrences, 7 h/);
  await page.fill('input[name=project]', 'Grant NCN 7');
  await page.click('.book-submit');
  await page.waitForSelector('.book-done');
  assert.match(await page.textContent('.book-done-price'), new RegExp((total / 100).toFixed(2).replace('.', '\\.')));
  const researcher = new Client(srv.url);
  await researcher.login('a@x.pl');
  const mine = (await researcher.get('/api/v1/bookings?mine=1')).json.items;
  assert.deepEqual(mine.map((b) => [b.price.hours, b.price.net, b.project]), [[3, one / 100, 'Grant NCN 7'], [4, (total - one) / 100, 'Grant NCN 7']]);
  // The booking's page shows the kept price.
  await page.goto(`${srv.url}/#/bookings/${mine[0].id}`);
  await page.waitForSelector('.booking-price');
  assert.match(await page.textContent('.booking-price'), new RegExp((one / 100).toFixed(2).replace('.', '\\.')));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the owner reads the month\'s statement in Polish, with its totals and CSV links', async () => {
  const page = await newPage(browser, { locale: 'pl-PL' });
  await signIn(page, srv.url, 'owner.p@x.pl', PASSWORD);
  await page.click('.lang button[data-lang=pl]');
  await page.goto(`${srv.url}/#/statements?month=${Y}-03`);
  await page.waitForSelector('table.statement-lines');
  assert.match(await page.textContent('h1'), /Zestawienie miesięczne/);
  const first = (await staff.get('/api/v1/bookings?limit=10')).json.items[0];
  const row = await page.textContent(`table.statement-lines tr[data-booking="${first.id}"]`);
  const pl = (x) => x.toFixed(2).replace('.', ',');
  assert.match(row, new RegExp(pl(first.price.net)));
  assert.match(row, /Grant NCN 7/);
  assert.match(row, /członek klastra – nauka/);
  assert.match(await page.textContent(`table.statement-totals.customers tr[data-organisation="${org.A}"]`), new RegExp(pl(first.price.net)));
  assert.match(await page.textContent(`table.statement-totals.providers tr[data-organisation="${org.P}"]`), new RegExp(pl(first.price.net)));
  assert.match(await page.textContent('.statement-provisional'), /wstępne/);
  const links = await page.$$eval('.statement .csv-links a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(links.some((h) => h.includes('format=csv') && h.includes('locale=pl')));
  // The statement API answers the same link with CSV.
  const csv = await staff.get(links.find((h) => h.includes('locale=pl')));
  assert.equal(csv.status, 200);
  assert.ok(csv.text.includes(`;${pl(first.price.net)};`));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the dashboard\'s State-aid panel shows each funded resource in a chart and its table', async () => {
  const page = await newPage(browser);
  await signIn(page, srv.url, 'staff@x.pl', PASSWORD);
  await page.click('.lang button[data-lang=en]');
  await page.goto(`${srv.url}/#/dashboard?year=${Y}`);
  await page.waitForSelector('.economic-panel table.economic-table');
  const row = await page.textContent(`.economic-panel tr[data-resource="${res.R3}"]`);
  assert.match(row, /Pracownia BSL-2/);
  assert.match(row, /FENG 2\.1/);
  assert.match(row, /20\.0%/);
  assert.match(row, /within the cap/);
  assert.equal(await page.locator('.economic-panel svg.chart.economic line.cap').count(), 1);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// money.test.mjs — prices, statements and the State-aid tracker over real
// HTTP (API.md § Prices, accounts and State aid). Every price, statement
// total and economic share is recomputed here by hand from the rates, the
// discounts and the real length of each span, on a fixture in next year's
// March: a weekly series across the spring DST night and a booking across
// the month's end. Bad inputs are 422s naming the field with nothing
// half-written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, Client, assertError, addUser, sqlite, BIN, PASSWORD } from './lib.mjs';

const Y = new Date().getUTCFullYear() + 1; // next year: always ahead, always bookable
const pad = (n) => String(n).padStart(2, '0');
const MARCH = `${Y}-03`, APRIL = `${Y}-04`;

/** The UTC instant (ISO) of a Warsaw wall time (day 32 is the next month's 1st). */
function local(y, m, d, h, min = 0) {
  const want = new Date(Date.UTC(y, m - 1, d, h, min)); // the wall time, normalised
  const text = `${want.getUTCFullYear()}-${pad(want.getUTCMonth() + 1)}-${pad(want.getUTCDate())}, ${pad(want.getUTCHours())}:${pad(want.getUTCMinutes())}`;
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  for (const off of [1, 2]) {
    const t = new Date(want.getTime() - off * 3600000);
    if (fmt.format(t) === text) return t.toISOString().replace('.000', '');
  }
  throw new Error(`no such local time ${text}`);
}
/** The last Sunday of March of year y: the spring change. */
function springSunday(y) {
  const d = new Date(Date.UTC(y, 2, 31));
  return 31 - d.getUTCDay();
}
/** Local h:00 on the first Monday of month m of year y (R3 opens Mondays). */
function mondayOf(y, m, h) {
  const d = new Date(Date.UTC(y, m - 1, 1));
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  return local(y, m, d.getUTCDate(), h);
}
const seconds = (a, b) => (Date.parse(b) - Date.parse(a)) / 1000;
/** Minor units, half away from zero (every amount here is positive). */
const rateMinor = (list, discount = 0) => Math.round((Math.round(list * 100) * (100 - discount)) / 100);
const netMinor = (rate, secs) => Math.round((rate * secs) / 3600);

/** The CLI, run without blocking: a synchronous child process would stall
 * the clients past the server's keep-alive timeout. */
function cli(args) {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { env: { ...process.env, LABSHARE_TZ: 'Europe/Warsaw' } });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

let srv, staff, ownerP, ownerC, bookerA, bookerC, bookerN, guest;
const org = {}, res = {};
const PRICES = { currency: 'PLN', internal: 40, member_academic: 100.5, member_commercial: 123.45, non_member: null };
const ALL_DAY = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, open: '00:00', close: '24:00' }));

async function client(email) {
  const c = new Client(srv.url);
  await c.login(email);
  return c;
}

async function created(r) {
  assert.equal(r.status, 201, r.text);
  return r.json;
}

before(async () => {
  srv = await startServer();
  addUser(srv, { email: 'staff@x.pl', role: 'staff' });
  staff = await client('staff@x.pl');
  const orgs = {
    P: { name: 'Uniwersytet – dostawca', group: 'EDU', package: 'standard' },
    A: { name: 'Instytut Badawczy', group: 'R&D', package: 'silver' },
    C: { name: 'Biotech Sp. z o.o.', group: 'BioF', package: 'gold', requires_cost_centre: true },
    N: { name: 'Firma spoza klastra', group: 'BIZ', member: false },
  };
  for (const [k, o] of Object.entries(orgs)) org[k] = (await created(await staff.post('/api/v1/organisations', o))).id;
  const lab = await created(await staff.post('/api/v1/labs', { organisation_id: org.P, name: 'Lab NMR', kind: 'scientific', area_m2: 60 }));
  // R1: 24/7, priced, approved at once, every cancellation by the booker
  // within the horizon is late. R2: no-shows and cancellations never charged.
  // R3: Mondays 08–18, free, funded with a cap of 2 %, needs approval.
  res.R1 = (await created(await staff.post('/api/v1/resources', {
    lab_id: lab.id, type: 'instrument', name: 'NMR 600', requires_approval: false, power_kw: 2,
    slot_minutes: 60, min_minutes: 60, max_minutes: 2880, opening_hours: ALL_DAY, prices: PRICES,
    late_cancel_hours: 17544,
  }))).id;
  res.R2 = (await created(await staff.post('/api/v1/resources', {
    lab_id: lab.id, type: 'instrument', name: 'PCR', requires_approval: false, slot_minutes: 60,
    min_minutes: 60, opening_hours: ALL_DAY, prices: { ...PRICES, currency: 'EUR' }, charge_no_show: false, late_cancel_hours: 0,
  }))).id;
  res.R3 = (await created(await staff.post('/api/v1/resources', {
    lab_id: lab.id, type: 'room', name: 'Pracownia BSL-2', slot_minutes: 60, min_minutes: 60, max_minutes: 600,
    opening_hours: [{ weekday: 1, open: '08:00', close: '18:00' }], funding: { programme: 'FENG 2.1', economic_cap: 0.02 },
  }))).id;
  // Through the API, not the CLI: a synchronous child process would stall
  // this client past the server's keep-alive timeout.
  const users = [
    ['owner.p@x.pl', 'Olga Opiekun', 'owner', org.P], ['owner.c@x.pl', 'Cezary Opiekun', 'owner', org.C],
    ['a@x.pl', 'Anna Akademicka', 'researcher', org.A], ['c@x.pl', 'Celina Komercyjna', 'researcher', org.C],
    ['n@x.pl', 'Norbert Spoza', 'researcher', org.N], ['guest@x.pl', 'Gość', 'researcher', null],
  ];
  for (const [email, name, role, organisation_id] of users)
    await created(await staff.post('/api/v1/users', { email, name, role, organisation_id, password: PASSWORD }));
  ownerP = await client('owner.p@x.pl');
  ownerC = await client('owner.c@x.pl');
  bookerA = await client('a@x.pl');
  bookerC = await client('c@x.pl');
  bookerN = await client('n@x.pl');
  guest = await client('guest@x.pl');
});
after(async () => { await srv.stop(); });

const S = springSunday(Y); // Sunday: 02:00 → 03:00
// Saturday 22:00 → Sunday 04:00 local, the week before the change and the
// night of it (both in March whatever the year: S ≥ 25).
const SERIES = { start: local(Y, 3, S - 8, 22), end: local(Y, 3, S - 7, 4), rrule: 'FREQ=WEEKLY;COUNT=2' };

test('quotes: each class at its rate, member rates discounted, real hours across DST', async () => {
  const q = (c, start, end, extra = '') => c.get(`/api/v1/resources/${res.R1}/quote?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}${extra}`);
  const night = [local(Y, 3, S - 1, 22), local(Y, 3, S, 4)];
  assert.equal(seconds(...night), 5 * 3600, 'the spring night is an hour short');
  const cases = [
    [bookerA, 'member_academic', rateMinor(100.5, 10)], // silver
    [bookerC, 'member_commercial', rateMinor(123.45, 20)], // gold
    [ownerP, 'internal', rateMinor(40)],
  ];
  for (const [c, cls, rate] of cases) {
    const r = await q(c, ...night);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { currency: 'PLN', class: cls, rate: rate / 100, hours: 5, net: netMinor(rate, 5 * 3600) / 100, occurrences: 1 });
  }
  assert.equal(rateMinor(100.5, 10), 9045);
  assert.equal(netMinor(9045, 5 * 3600), 45225); // 452.25
  // Non-members and guests: the price list gives them no rate.
  for (const c of [bookerN, guest]) assert.deepEqual((await q(c, ...night)).json,
    { currency: 'PLN', class: 'non_member', rate: null, hours: 5, net: null, occurrences: 1 });
  // A series: each occurrence's net, summed (6 h, then 5 h over the change).
  const r = await q(bookerA, SERIES.start, SERIES.end, `&rrule=${encodeURIComponent(SERIES.rrule)}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.occurrences, 2);
  assert.equal(r.json.hours, 11);
  assert.equal(r.json.net, (netMinor(9045, 6 * 3600) + netMinor(9045, 5 * 3600)) / 100);
  // A free resource costs nothing.
  const free = await bookerA.get(`/api/v1/resources/${res.R3}/quote?start=${encodeURIComponent(local(Y, 5, 3, 8))}&end=${encodeURIComponent(local(Y, 5, 3, 10))}`);
  assert.deepEqual(free.json, { currency: 'PLN', class: 'member_academic', rate: 0, hours: 2, net: 0, occurrences: 1 });
});

test('bookings keep the quoted price; a class without a rate may not book (403)', async () => {
  const r = await bookerA.post('/api/v1/bookings', { resource_id: res.R1, ...SERIES, project: 'Grant NCN 7' });
  assert.equal(r.status, 201, r.text);
  const hours = [6, 5];
  r.json.bookings.forEach((b, i) => {
    assert.deepEqual(b.price, { currency: 'PLN', class: 'member_academic', rate: 90.45, hours: hours[i], net: netMinor(9045, hours[i] * 3600) / 100 });
    assert.equal(b.project, 'Grant NCN 7');
    assert.equal(b.economic, false); // an R&D member
  });
  res.series = r.json.bookings.map((b) => b.id);
  // Prices change; kept prices do not.
  const changed = await staff.patch(`/api/v1/resources/${res.R1}`, { prices: { ...PRICES, member_academic: 200 } });
  assert.equal(changed.status, 200, changed.text);
  assert.equal((await bookerA.get(`/api/v1/bookings/${res.series[0]}`)).json.price.rate, 90.45);
  assert.equal((await staff.patch(`/api/v1/resources/${res.R1}`, { prices: PRICES })).status, 200);
  // A non-member's class has no rate: refused, nothing written.
  const before = sqlite(srv.db, 'SELECT count(*) FROM bookings');
  const n = await bookerN.post('/api/v1/bookings', { resource_id: res.R1, start: local(Y, 3, 2, 10), end: local(Y, 3, 2, 11) });
  assertError(n, 403, 'forbidden', 'resource_id');
  assert.match(n.json.message, /non_member/);
  assertError(await guest.post('/api/v1/bookings', { resource_id: res.R1, start: local(Y, 3, 2, 10), end: local(Y, 3, 2, 11) }), 403, 'forbidden', 'resource_id');
  assert.equal(sqlite(srv.db, 'SELECT count(*) FROM bookings'), before);
});

test('cost centre required where the organisation says so; economic flag by default and by managers', async () => {
  const span = { resource_id: res.R1, start: local(Y, 3, 31, 22), end: local(Y, 4, 1, 2) }; // March into April
  assertError(await bookerC.post('/api/v1/bookings', span), 422, 'validation', 'cost_centre');
  const ok = await created(await bookerC.post('/api/v1/bookings', { ...span, cost_centre: 'MPK-9', project: 'P-1' }));
  assert.equal(ok.cost_centre, 'MPK-9');
  assert.equal(ok.economic, true); // a BioF member
  assert.equal(ok.price.net, netMinor(rateMinor(123.45, 20), 4 * 3600) / 100);
  res.boundary = ok.id;
  // Only the resource's managers decide `economic`.
  assertError(await bookerC.post('/api/v1/bookings', { ...span, start: local(Y, 4, 10, 10), end: local(Y, 4, 10, 11), cost_centre: 'X', economic: false }), 403, 'forbidden', 'economic');
  assertError(await bookerC.patch(`/api/v1/bookings/${ok.id}`, { economic: false }), 403, 'forbidden');
  assertError(await ownerP.patch(`/api/v1/bookings/${ok.id}`, { economic: false, purpose: 'x' }), 422, 'validation', 'economic');
  const off = await ownerP.patch(`/api/v1/bookings/${ok.id}`, { economic: false });
  assert.equal(off.status, 200, off.text);
  assert.equal(off.json.economic, false);
  assert.equal((await ownerP.patch(`/api/v1/bookings/${ok.id}`, { economic: true })).json.economic, true);
  assertError(await ownerP.patch(`/api/v1/bookings/${ok.id}`, { economic: true, override_economic_cap: true }), 403, 'forbidden', 'override_economic_cap');
  assertError(await bookerC.post('/api/v1/bookings', { ...span, cost_centre: 'x'.repeat(101) }), 422, 'validation', 'cost_centre');
  assertError(await bookerC.post('/api/v1/bookings', { ...span, cost_centre: 'a\u202Eb' }), 422, 'validation', 'cost_centre');
  assertError(await bookerC.post('/api/v1/bookings', { ...span, cost_centre: 'c', project: 'p'.repeat(201) }), 422, 'validation', 'project');
  assertError(await ownerP.post('/api/v1/bookings', { ...span, economic: 'yes' }), 422, 'validation', 'economic');
});

test('monthly statement: charged lines, no-shows, late cancellations, totals by hand; CSV and CLI agree', async () => {
  // More of March: a no-show and a late cancellation on R1 (charged), a
  // no-show and a late cancellation on R2 (never charged), one cancelled by
  // the owner, one starting in April.
  const book = async (c, r, start, end, extra = {}) => created(await c.post('/api/v1/bookings', { resource_id: r, start, end, ...extra }));
  const noShow = await book(bookerC, res.R1, local(Y, 3, 11, 10), local(Y, 3, 11, 11), { cost_centre: 'MPK-9' });
  const late = await book(bookerC, res.R1, local(Y, 3, 10, 10), local(Y, 3, 10, 12), { cost_centre: 'MPK-9' });
  const byOwner = await book(bookerA, res.R1, local(Y, 3, 12, 10), local(Y, 3, 12, 11));
  const r2NoShow = await book(bookerA, res.R2, local(Y, 3, 13, 10), local(Y, 3, 13, 11));
  const r2Late = await book(bookerA, res.R2, local(Y, 3, 14, 10), local(Y, 3, 14, 11));
  const april = await book(bookerC, res.R1, local(Y, 4, 2, 10), local(Y, 4, 2, 12), { cost_centre: 'MPK-9' });
  assert.equal((await bookerC.post(`/api/v1/bookings/${late.id}/cancel`, {})).status, 200);
  assert.equal((await bookerA.post(`/api/v1/bookings/${r2Late.id}/cancel`, {})).status, 200);
  assert.equal((await ownerP.post(`/api/v1/bookings/${byOwner.id}/cancel`, {})).status, 200);
  // No-shows are marked after the end; these lie ahead, so the mark is set
  // as booking.c would set it.
  sqlite(srv.db, `UPDATE bookings SET no_show = 1 WHERE id IN (${noShow.id}, ${r2NoShow.id})`);

  const r = await staff.get(`/api/v1/statements?month=${MARCH}`);
  assert.equal(r.status, 200, r.text);
  const st = r.json;
  assert.equal(st.month, MARCH);
  assert.equal(st.provisional, true);
  assert.equal(st.from, local(Y, 3, 1, 0));
  assert.equal(st.to, local(Y, 4, 1, 0));
  const ids = st.lines.map((l) => l.booking_id);
  assert.deepEqual(ids, [late.id, noShow.id, res.series[0], res.series[1], res.boundary]);
  const rateA = 9045, rateC = rateMinor(123.45, 20);
  const want = {
    [late.id]: [rateC, 2 * 3600], [noShow.id]: [rateC, 3600], [res.series[0]]: [rateA, 6 * 3600],
    [res.series[1]]: [rateA, 5 * 3600], [res.boundary]: [rateC, 4 * 3600],
  };
  for (const l of st.lines) {
    const [rate, secs] = want[l.booking_id];
    assert.equal(l.price.rate, rate / 100);
    assert.equal(l.price.hours, secs / 3600);
    assert.equal(l.price.net, netMinor(rate, secs) / 100);
    assert.equal(l.no_show, l.booking_id === noShow.id);
    assert.equal(l.late_cancellation, l.booking_id === late.id);
    // 2 kW × the latest grid factor (2024's 0.553) for the hours; nothing for a late cancellation.
    const kg = l.late_cancellation ? 0 : (seconds(l.start, l.end) / 3600) * 2 * 0.553;
    assert.ok(Math.abs(l.kg_co2e - kg) < 1e-9, `kg of ${l.booking_id}`);
  }
  const line = st.lines.find((l) => l.booking_id === res.boundary);
  assert.equal(line.cost_centre, 'MPK-9');
  assert.equal(line.project, 'P-1');
  assert.equal(line.customer_organisation_id, org.C);
  assert.equal(line.provider_organisation_id, org.P);
  // Totals, recomputed from the lines' nets in grosze.
  const sum = (list) => list.reduce((a, [rate, secs]) => a + netMinor(rate, secs), 0);
  const netA = sum([want[res.series[0]], want[res.series[1]]]);
  const netC = sum([want[late.id], want[noShow.id], want[res.boundary]]);
  assert.deepEqual(st.customers.map((t) => [t.organisation_id, t.currency, t.lines, t.hours, t.net]),
    [[org.A, 'PLN', 2, 11, netA / 100], [org.C, 'PLN', 3, 7, netC / 100]].sort((a, b) => a[0] - b[0]));
  assert.deepEqual(st.providers.map((t) => [t.organisation_id, t.currency, t.lines, t.hours, t.net]),
    [[org.P, 'PLN', 5, 18, (netA + netC) / 100]]);
  // April holds the booking that starts there.
  const apr = (await staff.get(`/api/v1/statements?month=${APRIL}`)).json;
  assert.deepEqual(apr.lines.map((l) => l.booking_id), [april.id]);

  // CSV: the same lines and totals; the Polish dialect with BOM, ; and ,.
  const csv = await staff.get(`/api/v1/statements?month=${MARCH}&format=csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const rows = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
  const head = rows[0];
  const col = (row, name) => row[head.indexOf(name)];
  const lineRows = rows.filter((x) => x[0] === 'line');
  assert.equal(lineRows.length, 5);
  for (const x of lineRows) assert.equal(Number(col(x, 'net')), st.lines.find((l) => l.booking_id === Number(col(x, 'booking_id'))).price.net);
  const provider = rows.find((x) => x[0] === 'provider_total');
  assert.equal(Number(col(provider, 'net')), (netA + netC) / 100);
  const pl = await staff.get(`/api/v1/statements?month=${MARCH}&format=csv&locale=pl`);
  assert.ok(pl.text.startsWith('row;booking_id;'));
  const raw = await fetch(`${srv.url}/api/v1/statements?month=${MARCH}&format=csv&locale=pl`, { headers: { cookie: staff.cookie } });
  assert.deepEqual([...new Uint8Array(await raw.arrayBuffer()).slice(0, 3)], [0xef, 0xbb, 0xbf]); // the BOM
  assert.ok(pl.text.includes(`;${String((netA + netC) / 100).replace('.', ',')};`));
  // The command line prints the same statement.
  const out = await cli(['statements', '--month', MARCH, '--db', srv.db]);
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), st);
  const outCsv = await cli(['statements', '--month', MARCH, '--csv', '--db', srv.db]);
  assert.equal(outCsv.stdout, '\uFEFF' + csv.text); // fetch's text() drops the BOM
  // Bad arguments: exit 2 and a line that names what is wrong.
  for (const [args, says] of [
    [['--month', `${Y}-13`], /month/], [[], /month/], [['--month', MARCH, '--organisation', 'abc'], /organisation/],
    [['--month', MARCH, '--csv', '--locale', 'de'], /locale/], [['--month', MARCH, '--locale', 'pl'], /--csv/],
    [['--month', MARCH, '--sideways'], /sideways/], [['--month'], /month/],
  ]) {
    const r = await cli(['statements', ...args, '--db', srv.db]);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, says, args.join(' '));
  }
});

test('statements: owners see their organisation as provider and as customer; others are refused', async () => {
  const p = (await ownerP.get(`/api/v1/statements?month=${MARCH}`)).json;
  assert.equal(p.organisation_id, org.P);
  assert.equal(p.lines.length, 5);
  const c = (await ownerC.get(`/api/v1/statements?month=${MARCH}`)).json;
  assert.equal(c.organisation_id, org.C);
  assert.deepEqual(c.lines.map((l) => l.customer_organisation_id), [org.C, org.C, org.C]);
  assertError(await ownerC.get(`/api/v1/statements?month=${MARCH}&organisation_id=${org.P}`), 403, 'forbidden', 'organisation_id');
  assertError(await bookerA.get(`/api/v1/statements?month=${MARCH}`), 403, 'forbidden');
  assertError(await new Client(srv.url).get(`/api/v1/statements?month=${MARCH}`), 401, 'unauthenticated');
  const one = (await staff.get(`/api/v1/statements?month=${MARCH}&organisation_id=${org.A}`)).json;
  assert.equal(one.lines.length, 2);
  // A month long over is final.
  assert.equal((await staff.get('/api/v1/statements?month=2020-01')).json.provisional, false);
});

test('State aid: the guard refuses the request that would cross the cap and accepts the one that fills it exactly', async () => {
  // R3 is open Mondays 08–18. Blackouts take the last Mondays of the year
  // so that exactly 50 remain: 500 h, and a cap of 2 % is 10 h.
  const mondays = [];
  for (let d = new Date(Date.UTC(Y, 0, 1)); d.getUTCFullYear() === Y; d.setUTCDate(d.getUTCDate() + 1))
    if (d.getUTCDay() === 1) mondays.push(d.getUTCDate() + 100 * (d.getUTCMonth() + 1));
  for (const md of mondays.slice(50)) {
    const m = Math.floor(md / 100), d = md % 100;
    await created(await staff.post(`/api/v1/resources/${res.R3}/blackouts`, { start: local(Y, m, d, 0), end: local(Y, m, d + 1, 0), reason: 'przegląd' }));
  }
  const monday = (k) => { const md = mondays[k]; return [Math.floor(md / 100), md % 100]; };
  const req = (c, k, from, to, extra = {}) => { const [m, d] = monday(k); return c.post('/api/v1/bookings', { resource_id: res.R3, start: local(Y, m, d, from), end: local(Y, m, d, to), cost_centre: 'MPK-9', ...extra }); };
  // 7 h, approved (1.4 %: under 80 % of the cap).
  const first = await created(await req(bookerC, 20, 8, 15));
  assert.equal(first.economic, true);
  assert.equal((await ownerP.post(`/api/v1/bookings/${first.id}/approve`, {})).status, 200);
  // 4 h more would make 11 h > 10 h: refused at the request.
  const over = await req(bookerC, 21, 8, 12);
  assertError(over, 409, 'economic_cap', 'economic');
  assert.match(over.json.message, /2[,.]20/); // 11 / 500 = 2.20 %
  // 3 h more fills the cap exactly: accepted; a non-member's 1 h is only a request.
  const exact = await created(await req(bookerC, 22, 8, 11));
  const extra = await created(await req(bookerN, 23, 8, 9));
  const academic = await created(await req(bookerA, 24, 8, 11)); // not economic: never counted
  assert.equal(academic.economic, false);
  assert.equal((await ownerP.post(`/api/v1/bookings/${academic.id}/approve`, {})).status, 200);
  const ok = await ownerP.post(`/api/v1/bookings/${exact.id}/approve`, {});
  assert.equal(ok.status, 200, ok.text);
  let use = (await staff.get(`/api/v1/stats/economic-use?year=${Y}`)).json.items.find((i) => i.resource_id === res.R3);
  assert.deepEqual({ ...use, name: undefined, organisation_name: undefined },
    { resource_id: res.R3, name: undefined, organisation_id: org.P, organisation_name: undefined, programme: 'FENG 2.1',
      available_hours: 500, economic_hours: 10, economic_share: 10 / 500, cap: 0.02, status: 'warning' });
  // Approving the next economic hour would cross it; staff may override (audited).
  assertError(await ownerP.post(`/api/v1/bookings/${extra.id}/approve`, {}), 409, 'economic_cap');
  assertError(await ownerP.post(`/api/v1/bookings/${extra.id}/approve`, { override_economic_cap: true }), 403, 'forbidden', 'override_economic_cap');
  const forced = await staff.post(`/api/v1/bookings/${extra.id}/approve`, { override_economic_cap: true });
  assert.equal(forced.status, 200, forced.text);
  assert.equal(sqlite(srv.db, `SELECT count(*) FROM audit_log WHERE action = 'booking.economic_cap_override' AND object_id = ${extra.id}`), '1');
  use = (await staff.get(`/api/v1/stats/economic-use?year=${Y}`)).json.items.find((i) => i.resource_id === res.R3);
  assert.equal(use.economic_hours, 11);
  assert.equal(use.economic_share, 11 / 500);
  assert.equal(use.status, 'over');
  // Owners were told once, when it passed 80 % of the cap.
  const mail = (await staff.get('/api/v1/outbox?limit=500')).json.items.filter((m) => m.kind === 'economic');
  assert.equal(mail.length, 1);
  assert.equal(mail[0].email, 'owner.p@x.pl');
  assert.equal(mail[0].booking_id, exact.id);
  // The CSV holds the same figures, unrounded; owners see their own.
  const csv = (await staff.get(`/api/v1/stats/economic-use?year=${Y}&format=csv`)).text.replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
  const row = csv.find((x) => x[1] === String(res.R3));
  assert.equal(Number(row[csv[0].indexOf('economic_share')]), 11 / 500);
  assert.equal(row[csv[0].indexOf('status')], 'over');
  const pl = (await staff.get(`/api/v1/stats/economic-use?year=${Y}&format=csv&locale=pl`)).text;
  assert.ok(pl.includes(';0,022;0,02;over;'), pl);
  assert.equal((await ownerP.get(`/api/v1/stats/economic-use?year=${Y}`)).json.total, 1);
  assert.equal((await ownerC.get(`/api/v1/stats/economic-use?year=${Y}`)).json.total, 0);
  assertError(await ownerC.get(`/api/v1/stats/economic-use?year=${Y}&organisation_id=${org.P}`), 403, 'forbidden', 'organisation_id');
  assertError(await bookerA.get(`/api/v1/stats/economic-use?year=${Y}`), 403, 'forbidden');
  // The indicators count the year's economic and non-economic hours of funded resources.
  const ind = (await staff.get(`/api/v1/stats/indicators?year=${Y}`)).json;
  assert.deepEqual(ind.state_aid, { funded_resources: 1, economic_hours: 11, non_economic_hours: 3 });
});

test('State aid: a whole series is approved against the cap together, all or nothing', async () => {
  // Open Mondays 08–18 all year: 52 or 53 Mondays, so a cap of 1 % is 5.2 or 5.3 h.
  const room = await created(await staff.post('/api/v1/resources', {
    lab_id: (await staff.get(`/api/v1/resources/${res.R3}`)).json.lab_id, type: 'room', name: 'Pracownia BSL-1',
    slot_minutes: 60, min_minutes: 60, max_minutes: 600, opening_hours: [{ weekday: 1, open: '08:00', close: '18:00' }],
    funding: { programme: 'FENG 2.1', economic_cap: 0.01 },
  }));
  const first = new Date(Date.UTC(Y, 5, 1));
  while (first.getUTCDay() !== 1) first.setUTCDate(first.getUTCDate() + 1);
  const [m, d] = [first.getUTCMonth() + 1, first.getUTCDate()];
  // A request is checked with all its occurrences (2 × 2 h fits); then 2 h of
  // someone else's are approved, and the series no longer fits whole (2 + 4 > 5.2),
  // though each occurrence would on its own (2 + 2).
  const r = await bookerN.post('/api/v1/bookings', { resource_id: room.id, start: local(Y, m, d, 8), end: local(Y, m, d, 10), rrule: 'FREQ=WEEKLY;COUNT=2', cost_centre: 'MPK-9' });
  assert.equal(r.status, 201, r.text);
  const ids = r.json.bookings.map((b) => b.id);
  assert.equal(ids.length, 2);
  assert.ok(r.json.bookings.every((b) => b.economic && b.status === 'pending'));
  const [m2, d2] = [first.getUTCMonth() + 1, first.getUTCDate() + 14];
  const other = await created(await bookerC.post('/api/v1/bookings', { resource_id: room.id, start: local(Y, m2, d2, 8), end: local(Y, m2, d2, 10), cost_centre: 'MPK-9' }));
  assert.equal(other.economic, true);
  assert.equal((await ownerP.post(`/api/v1/bookings/${other.id}/approve`, {})).status, 200);
  assertError(await ownerP.post(`/api/v1/bookings/${ids[0]}/approve`, { series: true }), 409, 'economic_cap', 'economic');
  for (const id of ids) assert.equal((await ownerP.get(`/api/v1/bookings/${id}`)).json.status, 'pending', 'none approved');
  // One by one: the first fits, the second would cross the cap.
  assert.equal((await ownerP.post(`/api/v1/bookings/${ids[0]}/approve`, {})).status, 200);
  assertError(await ownerP.post(`/api/v1/bookings/${ids[1]}/approve`, {}), 409, 'economic_cap', 'economic');
  // Moving the approved one counts its new length: 2 + 4 h is over, 2 + 3 h fits; staff may override.
  assertError(await ownerP.patch(`/api/v1/bookings/${ids[0]}`, { end: local(Y, m, d, 12) }), 409, 'economic_cap', 'economic');
  assert.equal((await ownerP.get(`/api/v1/bookings/${ids[0]}`)).json.end, local(Y, m, d, 10), 'nothing written');
  const fits = await ownerP.patch(`/api/v1/bookings/${ids[0]}`, { end: local(Y, m, d, 11) });
  assert.equal(fits.status, 200, fits.text);
  assert.equal(fits.json.status, 'approved');
  assertError(await ownerP.patch(`/api/v1/bookings/${ids[0]}`, { end: local(Y, m, d, 12), override_economic_cap: true }), 403, 'forbidden', 'override_economic_cap');
  const forced = await staff.patch(`/api/v1/bookings/${ids[0]}`, { end: local(Y, m, d, 12), override_economic_cap: true });
  assert.equal(forced.status, 200, forced.text);
  assert.equal(sqlite(srv.db, `SELECT count(*) FROM audit_log WHERE action = 'booking.economic_cap_override' AND object_id = ${ids[0]}`), '1');
});

test('bad inputs are 422s naming the field, and nothing is half-written', async () => {
  const before = (await staff.get(`/api/v1/resources/${res.R1}`)).json;
  const bad = [
    [{ prices: { ...PRICES, internal: -1 } }, 'prices.internal'],
    [{ prices: { ...PRICES, currency: 'XYZ' } }, 'prices.currency'],
    [{ prices: { currency: 'PLN', internal: 1 } }, 'prices.member_academic'],
    [{ prices: { ...PRICES, vat: 23 } }, 'prices.vat'],
    [{ prices: { ...PRICES, non_member: 10.005 } }, 'prices.non_member'],
    [{ prices: 'cheap' }, 'prices'],
    [{ prices: { ...PRICES, internal: '40' } }, 'prices.internal'],
    [{ funding: { programme: 'FENG', economic_cap: 1.5 } }, 'funding.economic_cap'],
    [{ funding: { programme: 'FENG', economic_cap: -0.1 } }, 'funding.economic_cap'],
    [{ funding: { economic_cap: 0.2 } }, 'funding.programme'],
    [{ late_cancel_hours: -1 }, 'late_cancel_hours'],
    [{ late_cancel_hours: 20000 }, 'late_cancel_hours'],
    [{ charge_no_show: 'no' }, 'charge_no_show'],
    [{ name: 'Renamed', prices: { ...PRICES, member_commercial: -5 } }, 'prices.member_commercial'],
  ];
  for (const [body, field] of bad) assertError(await staff.patch(`/api/v1/resources/${res.R1}`, body), 422, 'validation', field);
  assert.deepEqual((await staff.get(`/api/v1/resources/${res.R1}`)).json, before);
  // The message names the member as the form labels it, in Polish by default.
  const msg = (await staff.patch(`/api/v1/resources/${res.R1}`, { prices: { ...PRICES, internal: -1 } })).json.message;
  assert.match(msg, /Stawka wewnętrzna/);
  assert.doesNotMatch(msg, /prices|internal/);
  const count = sqlite(srv.db, 'SELECT count(*) FROM resources');
  assertError(await staff.post('/api/v1/resources', { lab_id: before.lab_id, type: 'desk', name: 'X', funding: { programme: 'F', economic_cap: 2 } }), 422, 'validation', 'funding.economic_cap');
  assert.equal(sqlite(srv.db, 'SELECT count(*) FROM resources'), count);
  assertError(await staff.patch(`/api/v1/organisations/${org.C}`, { requires_cost_centre: 'yes' }), 422, 'validation', 'requires_cost_centre');
  // Package discounts: all three, 0–100, staff only.
  const discounts = (await staff.get('/api/v1/settings/package-discounts')).json;
  assert.deepEqual(discounts, { standard: 0, silver: 10, gold: 20 });
  assertError(await staff.put('/api/v1/settings/package-discounts', { standard: 0, silver: 10, gold: 120 }), 422, 'validation', 'gold');
  assertError(await staff.put('/api/v1/settings/package-discounts', { standard: 0, gold: 20 }), 422, 'validation', 'silver');
  assertError(await staff.put('/api/v1/settings/package-discounts', { standard: -1, silver: 10, gold: 20 }), 422, 'validation', 'standard');
  assertError(await staff.put('/api/v1/settings/package-discounts', { standard: 0, silver: 10, gold: 20, platinum: 30 }), 422, 'validation', 'platinum');
  assertError(await ownerP.put('/api/v1/settings/package-discounts', discounts), 403, 'forbidden');
  assert.deepEqual((await bookerA.get('/api/v1/settings/package-discounts')).json, discounts);
  // Quotes.
  const q = (qs) => bookerA.get(`/api/v1/resources/${res.R1}/quote?${qs}`);
  const t0 = encodeURIComponent(local(Y, 5, 4, 10)), t1 = encodeURIComponent(local(Y, 5, 4, 12));
  assertError(await q(`start=${t1}&end=${t0}`), 422, 'validation', 'end');
  assertError(await q(`start=${t0}`), 422, 'validation', 'end');
  assertError(await q(`start=tomorrow&end=${t1}`), 422, 'validation', 'start');
  assertError(await q(`start=${t0}&end=${t1}&rrule=FREQ=SOMETIMES`), 422, 'validation', 'rrule');
  assertError(await bookerA.get(`/api/v1/resources/99999/quote?start=${t0}&end=${t1}`), 404, 'not_found');
  // Statements and economic use.
  for (const m of [`${Y}-13`, `${Y}-3`, 'march', `${Y}-03-01`, '1999-12'])
    assertError(await staff.get(`/api/v1/statements?month=${encodeURIComponent(m)}`), 422, 'validation', 'month');
  assertError(await staff.get('/api/v1/statements'), 422, 'validation', 'month');
  assertError(await staff.get(`/api/v1/statements?month=${MARCH}&format=xml`), 422, 'validation', 'format');
  assertError(await staff.get(`/api/v1/statements?month=${MARCH}&locale=de`), 422, 'validation', 'locale');
  assertError(await staff.get(`/api/v1/statements?month=${MARCH}&organisation_id=abc`), 422, 'validation', 'organisation_id');
  assertError(await staff.get('/api/v1/stats/economic-use?year=1999'), 422, 'validation', 'year');
  assertError(await staff.get('/api/v1/stats/economic-use'), 422, 'validation', 'year');
  // Override is staff-only everywhere.
  assertError(await bookerC.post('/api/v1/bookings', { resource_id: res.R1, start: local(Y, 5, 4, 10), end: local(Y, 5, 4, 11), cost_centre: 'c', override_economic_cap: true }), 403, 'forbidden', 'override_economic_cap');
  // Economic use: every parameter checked.
  for (const [q, field] of [['year=abc', 'year'], [`year=${Y}&format=xml`, 'format'], [`year=${Y}&locale=de`, 'locale'], [`year=${Y}&organisation_id=abc`, 'organisation_id']])
    assertError(await staff.get(`/api/v1/stats/economic-use?${q}`), 422, 'validation', field);
  // Garbage in the money fields of a booking and of its decisions, sent by
  // those allowed to send them: 422 naming the field, and no booking changes.
  const span = { resource_id: res.R1, start: local(Y, 5, 11, 10), end: local(Y, 5, 11, 11), cost_centre: 'c' };
  const pending = await created(await bookerA.post('/api/v1/bookings', { resource_id: res.R3, start: mondayOf(Y, 7, 8), end: mondayOf(Y, 7, 9) }));
  const rows = () => sqlite(srv.db, "SELECT count(*) || ':' || coalesce(sum(sequence), 0) || ':' || coalesce(sum(economic), 0) || ':' || coalesce(sum(\"end\"), 0) || ':' || coalesce(sum(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0) FROM bookings");
  const snap = rows();
  assertError(await staff.post('/api/v1/bookings', { ...span, override_economic_cap: 'yes' }), 422, 'validation', 'override_economic_cap');
  assertError(await staff.post('/api/v1/bookings', { ...span, economic: 'yes' }), 422, 'validation', 'economic');
  assertError(await bookerC.post('/api/v1/bookings', { ...span, cost_centre: 7 }), 422, 'validation', 'cost_centre');
  assertError(await bookerC.post('/api/v1/bookings', { ...span, project: ['p'] }), 422, 'validation', 'project');
  assertError(await ownerP.patch(`/api/v1/bookings/${pending.id}`, { economic: 'yes' }), 422, 'validation', 'economic');
  assertError(await staff.patch(`/api/v1/bookings/${pending.id}`, { end: mondayOf(Y, 7, 10), override_economic_cap: 1 }), 422, 'validation', 'override_economic_cap');
  assertError(await ownerP.post(`/api/v1/bookings/${pending.id}/approve`, { series: 'all' }), 422, 'validation', 'series');
  assertError(await staff.post(`/api/v1/bookings/${pending.id}/approve`, { override_economic_cap: 'please' }), 422, 'validation', 'override_economic_cap');
  assert.equal(rows(), snap, 'nothing written');
  assert.equal((await ownerP.get(`/api/v1/bookings/${pending.id}`)).json.status, 'pending');
});

test('a list carries each booking as GET /api/v1/bookings/{id} does: project, cost centre, economic flag, kept price', async () => {
  // October: no statement, State-aid figure or R3 booking above falls in it.
  const at = (d, h) => local(Y, 10, d, h);
  const mine = await created(await bookerC.post('/api/v1/bookings', { resource_id: res.R2, start: at(2, 10), end: at(2, 11), cost_centre: 'MPK "7"', project: 'Żółw \\ 2' }));
  assert.deepEqual(mine.price, { currency: 'EUR', class: 'member_commercial', rate: 98.76, hours: 1, net: 98.76 });
  const two = await created(await bookerA.post('/api/v1/bookings', { resource_id: res.R1, start: at(3, 9), end: at(3, 11), project: 'Grant NCN 7' }));
  assert.equal(two.price.net, 180.9);
  // Staff book a class without a rate: the kept price has a null rate and net.
  const staffs = await created(await staff.post('/api/v1/bookings', { resource_id: res.R1, start: at(4, 9), end: at(4, 10) }));
  assert.equal(staffs.price.rate, null);
  // A booking made before prices were kept has none.
  const old = await created(await bookerA.post('/api/v1/bookings', { resource_id: res.R1, start: at(5, 9), end: at(5, 10) }));
  sqlite(srv.db, `UPDATE bookings SET price_currency = NULL, price_class = NULL, price_rate = NULL, price_seconds = NULL, price_net = NULL WHERE id = ${old.id}`);
  const want = [mine.id, two.id, staffs.id, old.id];
  const span = `from=${encodeURIComponent(at(1, 0))}&to=${encodeURIComponent(at(31, 0))}`;
  const lists = [
    [staff, `organisation_id=${org.P}&${span}`, want],
    [staff, `organisation_id=${org.P}&${span}&order=desc&limit=2&offset=1`, [staffs.id, two.id]],
    [ownerP, `${span}&limit=500`, want],
    [bookerC, `mine=true&${span}`, [mine.id]],
  ];
  for (const [c, qs, ids] of lists) {
    const r = await c.get(`/api/v1/bookings?${qs}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.items.map((b) => b.id), ids, qs);
    for (const item of r.json.items) assert.deepEqual(item, (await c.get(`/api/v1/bookings/${item.id}`)).json);
  }
  const items = (await staff.get(`/api/v1/bookings?organisation_id=${org.P}&${span}`)).json.items;
  assert.equal(items[0].cost_centre, 'MPK "7"');
  assert.equal(items[0].project, 'Żółw \\ 2');
  assert.equal(items[0].economic, true);
  assert.equal(items[1].price.currency, 'PLN');
  assert.equal(items[2].price.net, null);
  assert.equal(items[3].price, null);
});

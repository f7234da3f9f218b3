// import.test.mjs — calendars imported into a resource's blackouts, over
// real HTTP both ways: the server fetches hand-written .ics fixtures from a
// local HTTP server started here (a vendor's maintenance calendar with a
// weekly window, an excluded date, a moved and a cancelled occurrence; a
// floating time, an all-day date and New York time; a 5 MB+ file, a
// malformed file, a redirect loop), follows changes on refresh with
// If-None-Match, never cancels a booking but tells the owners once, refuses
// private addresses unless started with --import-allow-private, and makes
// booking in an imported window fail with 409 `blackouts`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, Client, addUser, assertError, sqlite, within } from './lib.mjs';
import { startSmtpSink } from './smtp-sink.mjs';
import { parseEverywhere } from './icalparsers.mjs';

let srv, sink, cal, owner, other, researcher, staff;
let mainSource; // the maintenance calendar of resource 1
const users = {};
const served = new Map(); // path → {status, headers, body} or a function(req, res)
const seen = []; // requests the calendar server received: {path, headers}

/** Epoch seconds of a wall time in Europe/Warsaw (the site's zone). */
function warsaw(y, mo, d, h = 0, mi = 0) {
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Warsaw', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const want = `${String(d).padStart(2, '0')}/${String(mo).padStart(2, '0')}/${y}, ${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}`;
  for (const off of [1, 2]) {
    const t = Date.UTC(y, mo - 1, d, h - off, mi) / 1000;
    if (fmt.format(new Date(t * 1000)) === want) return t;
  }
  throw new Error(`no such Warsaw time ${want}`);
}
/** "YYYYMMDDTHHMMSS" of a {y, mo, d, h, mi} wall time. */
const wall = ({ y, mo, d, h = 0, mi = 0 }) =>
  `${y}${String(mo).padStart(2, '0')}${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}${String(mi).padStart(2, '0')}00`;
const day8 = ({ y, mo, d }) => `${y}${String(mo).padStart(2, '0')}${String(d).padStart(2, '0')}`;
/** The civil date `days` after {y, mo, d}. */
function plus({ y, mo, d }, days, h = 0, mi = 0) {
  const t = new Date(Date.UTC(y, mo - 1, d + days));
  return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h, mi };
}
const iso = (t) => new Date(t * 1000).toISOString();

// The Monday at least two weeks ahead: the series' first window, 08:00–10:00.
const MONDAY = (() => {
  const t = new Date(Date.now() + 14 * 86400000);
  const back = (t.getUTCDay() + 6) % 7;
  const m = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + (7 - back) % 7));
  return { y: m.getUTCFullYear(), mo: m.getUTCMonth() + 1, d: m.getUTCDate() };
})();
const week = (i, h = 8, offset = 0) => plus(MONDAY, 7 * i + offset, h);

const WARSAW_TZ = `BEGIN:VTIMEZONE\r\nTZID:Europe/Warsaw\r\nBEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n`;

/**
 * The vendor's maintenance calendar: Mondays 08:00–10:00 for six weeks; the
 * second moved to Tuesday 12:00–14:00, the fourth cancelled, the fifth
 * excluded. Version 2 also cancels the third and adds a one-off visit.
 */
function maintenance(version = 1) {
  const ev = [
    `BEGIN:VEVENT\r\nUID:svc-window@vendor.example\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;TZID=Europe/Warsaw:${wall(week(0))}\r\nDTEND;TZID=Europe/Warsaw:${wall(week(0, 10))}\r\nRRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE;TZID=Europe/Warsaw:${wall(week(4))}\r\nSUMMARY:Przegląd serwisowy\\, laser\r\nEND:VEVENT\r\n`,
    `BEGIN:VEVENT\r\nUID:svc-window@vendor.example\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Warsaw:${wall(week(1))}\r\nDTSTART;TZID=Europe/Warsaw:${wall(week(1, 12, 1))}\r\nDTEND;TZID=Europe/Warsaw:${wall(week(1, 14, 1))}\r\nSUMMARY:Przegląd serwisowy (przesunięty)\r\nEND:VEVENT\r\n`,
    `BEGIN:VEVENT\r\nUID:svc-window@vendor.example\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Warsaw:${wall(week(3))}\r\nDTSTART;TZID=Europe/Warsaw:${wall(week(3))}\r\nDTEND;TZID=Europe/Warsaw:${wall(week(3, 10))}\r\nSTATUS:CANCELLED\r\nSUMMARY:Przegląd serwisowy\r\nEND:VEVENT\r\n`,
  ];
  if (version === 2) {
    ev.push(`BEGIN:VEVENT\r\nUID:svc-window@vendor.example\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Warsaw:${wall(week(2))}\r\nDTSTART;TZID=Europe/Warsaw:${wall(week(2))}\r\nDTEND;TZID=Europe/Warsaw:${wall(week(2, 10))}\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n`);
    ev.push(`BEGIN:VEVENT\r\nUID:visit@vendor.example\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:${wall(week(2, 6, 3))}Z\r\nDTEND:${wall(week(2, 9, 3))}Z\r\nSUMMARY:Wizyta serwisanta\r\nEND:VEVENT\r\n`);
  }
  return `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Vendor//Service portal//EN\r\n${WARSAW_TZ}${ev.join('')}END:VCALENDAR\r\n`;
}
const windows = (version = 1) => {
  const w = [[week(0), week(0, 10)], [week(1, 12, 1), week(1, 14, 1)], [week(2), week(2, 10)], [week(5), week(5, 10)]];
  if (version === 2) w.splice(2, 1);
  const spans = w.map(([s, e]) => [warsaw(s.y, s.mo, s.d, s.h), warsaw(e.y, e.mo, e.d, e.h)]);
  if (version === 2) {
    const v = week(2, 6, 3);
    const s = Date.UTC(v.y, v.mo - 1, v.d, 6) / 1000;
    spans.push([s, s + 3 * 3600]);
  }
  return spans.sort((a, b) => a[0] - b[0]);
};

// Floating time, an all-day date and New York time, a free and a cancelled event.
function zones() {
  const a = week(6, 9, 2), b = week(6, 0, 3), c = week(6, 9, 4);
  return `BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Hand//Zones//EN\n`
    + `BEGIN:VTIMEZONE\nTZID:America/New_York\nBEGIN:STANDARD\nDTSTART:19701101T020000\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500\nEND:STANDARD\nBEGIN:DAYLIGHT\nDTSTART:19700308T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400\nEND:DAYLIGHT\nEND:VTIMEZONE\n`
    + `BEGIN:VEVENT\nUID:floating\nDTSTART:${wall(a)}\nDTEND:${wall({ ...a, h: 11 })}\nSUMMARY:Floating visit\nEND:VEVENT\n`
    + `BEGIN:VEVENT\nUID:all-day\nDTSTART;VALUE=DATE:${day8(b)}\nDTEND;VALUE=DATE:${day8(plus(b, 1))}\nSUMMARY:Shutdown\nEND:VEVENT\n`
    + `BEGIN:VEVENT\nUID:new-york\nDTSTART;TZID=America/New_York:${wall(c)}\nDURATION:PT1H\nSUMMARY:Remote check\nEND:VEVENT\n`
    + `BEGIN:VEVENT\nUID:free\nDTSTART:${wall(c)}Z\nDURATION:PT1H\nTRANSP:TRANSPARENT\nEND:VEVENT\n`
    + `BEGIN:VEVENT\nUID:off\nDTSTART:${wall(c)}Z\nDURATION:PT1H\nSTATUS:CANCELLED\nEND:VEVENT\n`
    + `END:VCALENDAR\n`;
}
function newYork(y, mo, d, h) { // 09:00 New York as UTC seconds (EST or EDT)
  const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hourCycle: 'h23', hour: '2-digit' });
  for (const off of [4, 5]) {
    const t = Date.UTC(y, mo - 1, d, h + off) / 1000;
    if (Number(fmt.format(new Date(t * 1000))) === h) return t;
  }
  throw new Error('no such New York time');
}

let calUrl;
before(async () => {
  cal = http.createServer((req, res) => {
    seen.push({ path: req.url, headers: req.headers });
    const h = served.get(req.url.split('?')[0]);
    if (!h) { res.writeHead(404); res.end(); return; }
    if (typeof h === 'function') { h(req, res); return; }
    if (h.etag && req.headers['if-none-match'] === h.etag) { res.writeHead(304, { ETag: h.etag }); res.end(); return; }
    res.writeHead(h.status || 200, { 'Content-Type': 'text/calendar; charset=utf-8', ...(h.etag ? { ETag: h.etag } : {}), ...(h.headers || {}) });
    res.end(h.body);
  });
  await new Promise((r) => cal.listen(0, '127.0.0.1', r));
  calUrl = `http://127.0.0.1:${cal.address().port}`;
  sink = await startSmtpSink();
  srv = await startServer({
    args: ['--import-allow-private'],
    env: { LABSHARE_SMTP_URL: sink.url, LABSHARE_SMTP_FROM: 'noreply@labshare.test', LABSHARE_NOTIFY_INTERVAL_MS: '100' },
  });
  sqlite(srv.db, `
    INSERT INTO organisations(id, name, grp, created, updated) VALUES (1, 'JCI', 'BIZ', 0, 0), (2, 'Other', 'R&D', 0, 0);
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES (1, 1, 'Pracownia', 'scientific', 80, 0, 0);
    INSERT INTO resources(id, lab_id, type, name, shared, requires_approval, created, updated) VALUES
      (1, 1, 'instrument', 'Mikroskop', 1, 0, 0, 0), (2, 1, 'instrument', 'Cytometr', 1, 0, 0, 0);
    WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 7)
      INSERT INTO opening_hours(resource_id, weekday, open_min, close_min) SELECT r.id, d.n, 0, 1440 FROM d, resources r;`);
  const mk = async (name, spec) => {
    users[name] = addUser(srv, { email: `${name}@imp.test`, name: `Ola ${name}`, ...spec });
    const c = new Client(srv.url);
    await c.login(`${name}@imp.test`);
    return c;
  };
  owner = await mk('owner', { role: 'owner', organisation: 1 });
  other = await mk('other', { role: 'owner', organisation: 2 });
  researcher = await mk('researcher', { organisation: 1 });
  staff = await mk('staff', { role: 'staff' });
});
after(async () => {
  await srv.stop();
  await sink.close();
  await new Promise((r) => cal.close(r));
});

async function blackoutsOf(resource) {
  const r = await owner.get(`/api/v1/resources/${resource}/blackouts?limit=500`);
  assert.equal(r.status, 200, r.text);
  return r.json.items.map((b) => ({ ...b, s: Date.parse(b.start) / 1000, e: Date.parse(b.end) / 1000 }))
    .sort((a, b) => a.s - b.s);
}
const spansOf = (list) => list.map((b) => [b.s, b.e]);

test('bad requests: 401, 403, 404, 422 naming the field', async () => {
  const path = '/api/v1/resources/1/calendar-sources';
  assertError(await new Client(srv.url).get(path), 401, 'unauthenticated');
  assertError(await researcher.post(path, { url: `${calUrl}/x.ics`, name: 'x' }), 403, 'forbidden');
  assertError(await other.post(path, { url: `${calUrl}/x.ics`, name: 'x' }), 403, 'forbidden');
  assertError(await other.get(path), 403, 'forbidden');
  assertError(await owner.post('/api/v1/resources/99/calendar-sources', { url: `${calUrl}/x.ics`, name: 'x' }), 404, 'not_found');
  assertError(await owner.post(path, { name: 'x' }), 422, 'validation', 'url');
  assertError(await owner.post(path, { url: `${calUrl}/x.ics` }), 422, 'validation', 'name');
  const ftp = await owner.post(path, { url: 'ftp://example.org/x.ics', name: 'x' });
  assertError(ftp, 422, 'validation', 'url');
  assert.equal(ftp.json.message, 'Adres kalendarza: musi zaczynać się od http://, https:// lub webcal://');
  assertError(await owner.post(path, { url: 'http://', name: 'x' }), 422, 'validation', 'url');
  assertError(await owner.post(path, { url: `${calUrl}/x.ics`, name: 'x', every: 5 }), 422, 'validation', 'every');
  assertError(await owner.post(path, { url: 42, name: 'x' }), 422, 'validation', 'url');
  assertError(await owner.get('/api/v1/calendar-sources/999'), 404, 'not_found');
  assert.equal(sqlite(srv.db, 'SELECT count(*) FROM calendar_sources'), '0');
});

test('done when: a maintenance calendar yields exactly its windows, follows changes, blocks bookings', async () => {
  served.set('/maintenance.ics', { body: maintenance(1), etag: '"v1"' });
  let r = await owner.post('/api/v1/resources/1/calendar-sources', { url: `${calUrl}/maintenance.ics`, name: 'Serwis producenta' });
  assert.equal(r.status, 201, r.text);
  const src = r.json;
  assert.equal(src.kind, 'url');
  assert.equal(src.last_status, 'ok', JSON.stringify(src));
  assert.equal(src.error, null);
  assert.equal(src.events, 4);
  assert.deepEqual(src.conflicts, []);
  assert.ok(Date.parse(src.last_fetch) > 0 && Date.parse(src.next_fetch) > Date.parse(src.last_fetch));
  let list = await blackoutsOf(1);
  assert.deepEqual(spansOf(list), windows(1));
  assert.ok(list.every((b) => b.source_id === src.id && b.uid === 'svc-window@vendor.example'), JSON.stringify(list));
  assert.equal(list[0].reason, 'Przegląd serwisowy, laser');
  assert.equal(list[1].reason, 'Przegląd serwisowy (przesunięty)');
  const firstId = list[0].id;

  // booking inside an imported window: 409 naming the blackout
  r = await researcher.post('/api/v1/bookings', { resource_id: 1, start: iso(list[0].s), end: iso(list[0].s + 3600) });
  assertError(r, 409, 'conflict');
  assert.deepEqual(r.json.blackouts, [firstId]);
  // the cancelled and the excluded Mondays are free
  const cancelled = week(3);
  r = await researcher.post('/api/v1/bookings', { resource_id: 1, start: iso(warsaw(cancelled.y, cancelled.mo, cancelled.d, 8)), end: iso(warsaw(cancelled.y, cancelled.mo, cancelled.d, 9)) });
  assert.equal(r.status, 201, r.text);

  // unchanged: the next fetch sends If-None-Match and gets 304
  seen.length = 0;
  r = await owner.post(`/api/v1/calendar-sources/${src.id}/refresh`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.last_status, 'not_modified');
  assert.equal(seen.at(-1).headers['if-none-match'], '"v1"');
  assert.equal(r.json.events, 4);

  // version 2: the third window cancelled, a visit added
  served.set('/maintenance.ics', { body: maintenance(2), etag: '"v2"' });
  r = await owner.post(`/api/v1/calendar-sources/${src.id}/refresh`);
  assert.equal(r.json.last_status, 'ok');
  list = await blackoutsOf(1);
  assert.deepEqual(spansOf(list), windows(2));
  assert.equal(list[0].id, firstId, 'an unchanged window keeps its blackout');
  // now bookable where the third window was
  const third = week(2);
  r = await researcher.post('/api/v1/bookings', { resource_id: 1, start: iso(warsaw(third.y, third.mo, third.d, 8)), end: iso(warsaw(third.y, third.mo, third.d, 9)) });
  assert.equal(r.status, 201, r.text);

  // the resource's feed shows them, read alike by four parsers
  const f = await owner.post('/api/v1/feeds', { scope: 'resource', id: 1 });
  const text = await (await fetch(f.json.url)).text();
  const [events] = parseEverywhere([text], 'feed with imported blackouts');
  const ids = list.map((b) => `blackout-${b.id}@127.0.0.1`);
  for (const [i, uid] of ids.entries()) assert.deepEqual(events[uid], [list[i].s, list[i].e]);
  mainSource = src.id;
});

test('floating time, all-day dates and another zone land where they mean; free and cancelled events do not', async () => {
  served.set('/zones.ics', { body: zones() });
  const r = await owner.post('/api/v1/resources/2/calendar-sources', { url: `${calUrl}/zones.ics`, name: 'Strefy' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.events, 3, JSON.stringify(r.json));
  const list = await blackoutsOf(2);
  const a = week(6, 9, 2), b = week(6, 0, 3), c = week(6, 9, 4);
  const nb = plus(b, 1);
  assert.deepEqual(list.map((x) => [x.uid, x.s, x.e]), [
    ['floating', warsaw(a.y, a.mo, a.d, 9), warsaw(a.y, a.mo, a.d, 11)],
    ['all-day', warsaw(b.y, b.mo, b.d), warsaw(nb.y, nb.mo, nb.d)],
    ['new-york', newYork(c.y, c.mo, c.d, 9), newYork(c.y, c.mo, c.d, 9) + 3600],
  ]);
  assert.equal((await owner.del(`/api/v1/calendar-sources/${r.json.id}`)).status, 204);
  assert.equal((await blackoutsOf(2)).length, 0, 'deleting a source deletes its blackouts');
  assertError(await owner.get(`/api/v1/calendar-sources/${r.json.id}`), 404, 'not_found');
});

async function failing(path, handler) {
  served.set(path, handler);
  const r = await owner.post('/api/v1/resources/2/calendar-sources', { url: `${calUrl}${path}`, name: path });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.last_status, 'error', JSON.stringify(r.json));
  assert.equal(r.json.events, 0);
  return r.json;
}

test('a 5 MB+ file, a malformed file and a redirect loop are reported on the source', async () => {
  const big = await failing('/big.ics', (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/calendar' });
    const line = `X-PADDING:${'x'.repeat(1000)}\r\n`;
    res.write('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n');
    for (let i = 0; i < 5400; i++) res.write(line); // 5.4 MB, chunked
    res.end('END:VCALENDAR\r\n');
  });
  assert.equal(big.error_code, 'too_large');
  const bad = await failing('/bad.ics', { body: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:2027-01-01 08:00\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' });
  assert.equal(bad.error_code, 'invalid');
  assert.match(bad.error, /^line 5: /);
  const loop = await failing('/loop.ics', (req, res) => { res.writeHead(302, { Location: '/loop.ics' }); res.end(); });
  assert.equal(loop.error_code, 'redirects');
  assert.ok(seen.filter((x) => x.path === '/loop.ics').length <= 4, 'at most 3 redirects followed');
  const gone = await failing('/gone.ics', { status: 500, body: 'oops' });
  assert.equal(gone.error_code, 'http');
  // a source that worked keeps its blackouts when a later fetch fails
  served.set('/maintenance.ics', { body: 'garbage', etag: '"v3"' });
  const r = await owner.post(`/api/v1/calendar-sources/${mainSource}/refresh`);
  assert.equal(r.json.last_status, 'error');
  assert.equal(r.json.events, 4);
  served.set('/maintenance.ics', { body: maintenance(2), etag: '"v2"' });
});

test('imported blackouts never cancel a booking; the owners are told once', async () => {
  // an approved booking in the sixth window of a fresh copy on resource 2
  const w = week(5);
  const b = await researcher.post('/api/v1/bookings', { resource_id: 2, start: iso(warsaw(w.y, w.mo, w.d, 9)), end: iso(warsaw(w.y, w.mo, w.d, 11)) });
  assert.equal(b.status, 201, b.text);
  served.set('/copy.ics', { body: maintenance(1) });
  const r = await owner.post('/api/v1/resources/2/calendar-sources', { url: `${calUrl}/copy.ics`, name: 'Kopia' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.conflicts, [b.json.id]);
  assert.equal((await researcher.get(`/api/v1/bookings/${b.json.id}`)).json.status, 'approved');
  const [m] = await sink.waitFor((x) => x.to.includes('owner@imp.test') && x.text.includes(`/#/bookings/${b.json.id}`));
  assert.match(m.subject, /^Importowany kalendarz blokuje rezerwację: Cytometr, /);
  assert.match(m.text, /Kalendarz: Kopia: Przegląd serwisowy, laser/);
  // refreshed (the calendar changed), still one message
  served.set('/copy.ics', { body: maintenance(1) + '\r\n' });
  const again = await owner.post(`/api/v1/calendar-sources/${r.json.id}/refresh`);
  assert.deepEqual(again.json.conflicts, [b.json.id]);
  assert.equal(sqlite(srv.db, `SELECT count(*) FROM outbox WHERE kind = 'conflict' AND booking_id = ${b.json.id}`), '1');
  assert.equal(sqlite(srv.db, `SELECT count(*) FROM outbox WHERE kind = 'conflict' AND email <> 'owner@imp.test'`), '0');
  // the booking cancelled: no longer a conflict
  assert.equal((await researcher.post(`/api/v1/bookings/${b.json.id}/cancel`, {})).status, 200);
  assert.deepEqual((await owner.get(`/api/v1/calendar-sources/${r.json.id}`)).json.conflicts, []);
  const listed = await owner.get('/api/v1/resources/2/calendar-sources');
  assert.equal(listed.status, 200);
  assert.ok(listed.json.items.some((s) => s.id === r.json.id && s.name === 'Kopia'));
  assert.equal(listed.json.total, listed.json.items.length);
});

test('uploading a file creates blackouts once; a bad file is 422 naming the line, a big one 413', async () => {
  const path = '/api/v1/resources/2/blackouts/import?name=Plik%20serwisowy';
  const headers = { headers: { 'content-type': 'text/calendar' } };
  assertError(await researcher.req('POST', path, zones(), headers), 403, 'forbidden');
  let r = await owner.req('POST', path, 'BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:x\nDTSTART:20270101T080000\nRRULE:FREQ=NEVER\nEND:VEVENT\nEND:VCALENDAR\n', headers);
  assertError(r, 422, 'validation', 'file');
  assert.equal(r.json.message, 'wiersz 6: to nie jest reguła powtarzania (RRULE)');
  r = await owner.req('POST', path, 'x'.repeat(1024 * 1024 + 10), headers);
  assertError(r, 413, 'payload_too_large');
  const before = sqlite(srv.db, 'SELECT count(*) FROM calendar_sources');
  r = await owner.req('POST', path, zones(), headers);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.kind, 'file');
  assert.equal(r.json.name, 'Plik serwisowy');
  assert.equal(r.json.url, null);
  assert.equal(r.json.events, 3);
  assert.equal(r.json.next_fetch, null);
  assert.equal(Number(sqlite(srv.db, 'SELECT count(*) FROM calendar_sources')), Number(before) + 1);
  assertError(await owner.post(`/api/v1/calendar-sources/${r.json.id}/refresh`), 422, 'validation');
  assert.equal((await staff.del(`/api/v1/calendar-sources/${r.json.id}`)).status, 204);
});

test('sources are fetched again every refresh interval', async () => {
  const quick = await startServer({ args: ['--import-allow-private', '--import-interval', '1'] });
  try {
    sqlite(quick.db, `INSERT INTO organisations(id, name, grp, created, updated) VALUES (1, 'JCI', 'BIZ', 0, 0);
      INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES (1, 1, 'L', 'scientific', 80, 0, 0);
      INSERT INTO resources(id, lab_id, type, name, created, updated) VALUES (1, 1, 'instrument', 'M', 0, 0);`);
    addUser(quick, { email: 'o@q.test', role: 'owner', organisation: 1 });
    const o = new Client(quick.url);
    await o.login('o@q.test');
    served.set('/periodic.ics', { body: maintenance(1) });
    const r = await o.post('/api/v1/resources/1/calendar-sources', { url: `${calUrl}/periodic.ics`, name: 'P' });
    assert.equal(r.json.events, 4);
    served.set('/periodic.ics', { body: maintenance(2) });
    // no request from us: the refresher picks the change up on its own
    await within(20000, (async () => {
      for (;;) {
        const s = await o.get(`/api/v1/calendar-sources/${r.json.id}`);
        if (s.json.events === 4 && s.json.last_fetch !== r.json.last_fetch) {
          const spans = (await o.get('/api/v1/resources/1/blackouts')).json.items.map((b) => [Date.parse(b.start) / 1000, Date.parse(b.end) / 1000]).sort((x, y) => x[0] - y[0]);
          if (JSON.stringify(spans) === JSON.stringify(windows(2))) return;
        }
        await new Promise((res) => setTimeout(res, 200));
      }
    })());
  } finally {
    await quick.stop();
  }
});

test('without --import-allow-private, loopback and private addresses are refused, redirects and re-resolved names too', async () => {
  const strict = await startServer();
  try {
    sqlite(strict.db, `INSERT INTO organisations(id, name, grp, created, updated) VALUES (1, 'JCI', 'BIZ', 0, 0);
      INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES (1, 1, 'L', 'scientific', 80, 0, 0);
      INSERT INTO resources(id, lab_id, type, name, created, updated) VALUES (1, 1, 'instrument', 'M', 0, 0);`);
    addUser(strict, { email: 'o@s.test', role: 'owner', organisation: 1 });
    const o = new Client(strict.url);
    await o.login('o@s.test');
    for (const url of [`${calUrl}/maintenance.ics`, 'http://localhost/x.ics', 'http://10.0.0.1/x.ics', 'http://169.254.169.254/latest', 'http://[::1]/x.ics', 'http://[fd00::1]/x.ics', 'http://192.168.1.1/x.ics']) {
      const r = await o.post('/api/v1/resources/1/calendar-sources', { url, name: 'x' });
      assertError(r, 422, 'validation', 'url');
      assert.match(r.json.message, /^Adres kalendarza: prowadzi do sieci prywatnej/, url);
    }
    assert.equal(sqlite(strict.db, 'SELECT count(*) FROM calendar_sources'), '0');
    // A name that resolved to a public address when it was added and to
    // loopback now (DNS rebinding), or a redirect there: the connection
    // itself is checked, so the calendar server never hears from us.
    sqlite(strict.db, `INSERT INTO calendar_sources(id, resource_id, kind, url, name, created, next_fetch)
      VALUES (7, 1, 'url', '${calUrl}/maintenance.ics', 'Rebound', 0, 0)`);
    seen.length = 0;
    const r = await o.post('/api/v1/calendar-sources/7/refresh');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.last_status, 'error');
    assert.equal(r.json.error_code, 'refused');
    assert.equal(seen.length, 0, 'the private address was contacted');
  } finally {
    await strict.stop();
  }
});

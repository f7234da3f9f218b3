// feeds.test.mjs — iCalendar feeds over real HTTP, every one parsed back by
// ical.js (Thunderbird's parser), libical, python-icalendar and vobject
// (icalparsers.mjs): permissions per scope, local times across DST and the
// repeated October hour, stable UIDs, SEQUENCE, cancellations and declines,
// blackouts, the past_days window, gzip, conditional GET with a
// Last-Modified that never moves backwards, revocation and the token never
// being stored in clear.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import ICAL from 'ical.js';
import { startServer, Client, addUser, assertError, databaseBytes } from './lib.mjs';
import { parseEverywhere } from './icalparsers.mjs';
// Dates in next year: always ahead, so the test passes whatever today is.
// Its spring DST change falls on the last Sunday of March.
const Y = new Date().getUTCFullYear() + 1;
const lastSunday = (m) => { const d = new Date(Date.UTC(Y, m, 0)); d.setUTCDate(d.getUTCDate() - d.getUTCDay()); return d.toISOString().slice(0, 10); };
const SPRING = lastSunday(3);
const SPRING_AFTER = new Date(Date.parse(SPRING) + 86400000).toISOString().slice(0, 10);

let srv, anon, staff, ownerA, ownerB, resA, resB, guest;
const ids = {};

function sql(q) {
  const r = spawnSync('sqlite3', ['-bail', srv.db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

const T = (s) => Math.floor(Date.parse(s) / 1000);
const NOW = Math.floor(Date.now() / 1000);

function booking({ resource, user, org, start, end, status = 'approved', purpose = '', cancelledAt = null, seq = 0 }) {
  const orgv = org ? String(org) : 'NULL';
  return Number(sql(`INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, purpose, status, created, updated, sequence, cancelled_at)
    VALUES (${resource}, ${user}, ${orgv}, ${T(start)}, ${T(end)}, '${purpose.replaceAll("'", "''")}', '${status}', ${NOW - 1000}, ${NOW - 1000}, ${seq}, ${cancelledAt ?? 'NULL'});
    SELECT last_insert_rowid();`));
}

/** Fetches and parses a feed; returns {res, comp, events, byUid}. */
async function fetchFeed(client, url, headers = {}) {
  const path = new URL(url).pathname;
  const res = await client.get(path, { headers });
  if (res.status !== 200) return { res };
  parseEverywhere([res.text], 'feed');
  const comp = new ICAL.Component(ICAL.parse(res.text));
  for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const events = comp.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  const byId = new Map(events.filter((e) => e.uid.startsWith('booking-'))
    .map((e) => [Number(e.uid.match(/^booking-(\d+)@/)[1]), e]));
  const blackouts = new Map(events.filter((e) => e.uid.startsWith('blackout-'))
    .map((e) => [Number(e.uid.match(/^blackout-(\d+)@/)[1]), e]));
  return { res, comp, events, byId, blackouts };
}

before(async () => {
  srv = await startServer();
  const now = NOW;
  sql(`INSERT INTO organisations(id, name, short_name, grp, package, member, city, created, updated) VALUES
    (1, 'Jagiellońskie Centrum Innowacji', 'JCI', 'R&D', 'gold', 1, 'Kraków', ${now}, ${now}),
    (2, 'Browin, sp. z o.o.', 'Browin', 'BioF', 'silver', 1, 'Łódź', ${now}, ${now});
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, building, address, city, created, updated) VALUES
    (1, 1, 'Pracownia mikroskopii', 'scientific', 120, 'Budynek B', 'ul. Bobrzyńskiego 14', 'Kraków', ${now}, ${now}),
    (2, 2, 'Lab fermentacji', 'commercial', 80, NULL, NULL, NULL, ${now}, ${now});
    INSERT INTO resources(id, lab_id, type, name, created, updated) VALUES
    (1, 1, 'instrument', 'Mikroskop konfokalny', ${now}, ${now}),
    (2, 1, 'room', 'Sala BSL-2', ${now}, ${now}),
    (3, 2, 'instrument', 'Bioreaktor', ${now}, ${now});`);
  ids.staff = addUser(srv, { email: 'staff@f.test', role: 'staff', name: 'Stefan Staff' });
  ids.ownerA = addUser(srv, { email: 'owner-a@f.test', role: 'owner', organisation: 1, name: 'Olga Owner' });
  ids.ownerB = addUser(srv, { email: 'owner-b@f.test', role: 'owner', organisation: 2, name: 'Oskar Owner' });
  ids.resA = addUser(srv, { email: 'res-a@f.test', organisation: 1, name: 'Anna Kowalska' });
  ids.resB = addUser(srv, { email: 'res-b@f.test', organisation: 2, name: 'Bartosz Nowak' });
  ids.guest = addUser(srv, { email: 'guest@f.test', name: 'Gustaw Gość' });
  anon = new Client(srv.url);
  [staff, ownerA, ownerB, resA, resB, guest] = await Promise.all(
    ['staff', 'owner-a', 'owner-b', 'res-a', 'res-b', 'guest'].map(async (n) => {
      const c = new Client(srv.url);
      await c.login(`${n}@f.test`);
      return c;
    }));
  // Mikroskop: 10:00 local just after the spring and the autumn DST changes of next year.
  ids.spring = booking({ resource: 1, user: ids.resB, org: 2, start: `${SPRING_AFTER}T08:00:00Z`, end: `${SPRING_AFTER}T10:00:00Z`, purpose: 'Imaging; cells, day 1', status: 'pending' });
  ids.autumn = booking({ resource: 1, user: ids.resA, org: 1, start: `${Y}-11-02T09:00:00Z`, end: `${Y}-11-02T11:00:00Z`, purpose: 'Zażółć gęślą jaźń' });
  ids.declined = booking({ resource: 1, user: ids.resA, org: 1, start: `${Y}-04-01T08:00:00Z`, end: `${Y}-04-01T09:00:00Z`, status: 'declined' });
  ids.oldCancel = booking({ resource: 1, user: ids.resA, org: 1, start: `${Y}-04-02T08:00:00Z`, end: `${Y}-04-02T09:00:00Z`, status: 'cancelled', cancelledAt: NOW - 40 * 86400 });
  ids.newCancel = booking({ resource: 1, user: ids.resB, org: 2, start: `${Y}-04-03T08:00:00Z`, end: `${Y}-04-03T09:00:00Z`, status: 'cancelled', cancelledAt: NOW - 86400 });
  ids.ancient = booking({ resource: 1, user: ids.resA, org: 1, start: new Date((NOW - 200 * 86400) * 1000).toISOString(), end: new Date((NOW - 200 * 86400 + 3600) * 1000).toISOString() });
  ids.guestB = booking({ resource: 2, user: ids.guest, org: null, start: `${Y}-05-04T08:00:00Z`, end: `${Y}-05-04T09:00:00Z` });
  ids.onB = booking({ resource: 3, user: ids.resB, org: 2, start: `${Y}-05-05T08:00:00Z`, end: `${Y}-05-05T09:00:00Z`, purpose: 'Fermentacja' });
});
after(async () => { await srv.stop(); });

async function create(client, scope, id) {
  const r = await client.post('/api/v1/feeds', { scope, id });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('creating a feed needs a session and the CSRF token', async () => {
  assertError(await anon.post('/api/v1/feeds', { scope: 'resource', id: 1 }), 401, 'unauthenticated');
  assertError(await resA.post('/api/v1/feeds', { scope: 'resource', id: 1 }, { csrf: false }), 403, 'forbidden', 'X-CSRF-Token');
  assertError(await anon.get('/api/v1/feeds'), 401, 'unauthenticated');
});

test('bad bodies are 422 naming the field', async () => {
  assertError(await resA.post('/api/v1/feeds', { scope: 'planet', id: 1 }), 422, 'validation', 'scope');
  assertError(await resA.post('/api/v1/feeds', { id: 1 }), 422, 'validation', 'scope');
  assertError(await resA.post('/api/v1/feeds', { scope: 'resource' }), 422, 'validation', 'id');
  assertError(await resA.post('/api/v1/feeds', { scope: 'resource', id: 'one' }), 422, 'validation', 'id');
  assertError(await resA.post('/api/v1/feeds', { scope: 'resource', id: 0 }), 422, 'validation', 'id');
  assertError(await resA.post('/api/v1/feeds', { scope: 'resource', id: 1, token: 'x' }), 422, 'validation', 'token');
  assertError(await resA.req('POST', '/api/v1/feeds', '{"scope":'), 400, 'bad_request');
  assert.equal(sql(`SELECT count(*) FROM feeds`), '0', 'nothing half-written');
});

test('permissions per scope: 404 unknown, 403 not allowed, 201 allowed', async () => {
  for (const scope of ['resource', 'lab', 'organisation', 'user'])
    assertError(await staff.post('/api/v1/feeds', { scope, id: 999 }), 404, 'not_found');
  // resource and lab: anyone signed in
  for (const c of [resA, resB, guest, ownerB]) {
    await create(c, 'resource', 1);
    await create(c, 'lab', 1);
  }
  // organisation: its owners and staff only
  assertError(await resA.post('/api/v1/feeds', { scope: 'organisation', id: 1 }), 403, 'forbidden');
  assertError(await ownerB.post('/api/v1/feeds', { scope: 'organisation', id: 1 }), 403, 'forbidden');
  await create(ownerA, 'organisation', 1);
  await create(staff, 'organisation', 2);
  // user: only that user
  assertError(await resA.post('/api/v1/feeds', { scope: 'user', id: ids.resB }), 403, 'forbidden');
  assertError(await staff.post('/api/v1/feeds', { scope: 'user', id: ids.resB }), 403, 'forbidden');
  await create(resB, 'user', ids.resB);
});

test('the answer carries https/http and webcal URLs; the token is not stored in clear', async () => {
  const f = await create(resA, 'resource', 1);
  assert.ok(Number.isInteger(f.id));
  const m = f.url.match(/^http:\/\/127\.0\.0\.1:\d+\/ical\/([0-9a-f]{64})\.ics$/);
  assert.ok(m, f.url);
  assert.equal(f.webcal_url, f.url.replace(/^https?:/, 'webcal:'));
  assert.match(f.webcal_url, /^webcal:\/\//);
  const token = m[1];
  assert.equal(sql(`SELECT count(*) FROM feeds WHERE hex(token_hash) = upper('${token}') OR CAST(token_hash AS TEXT) = '${token}'`), '0');
  assert.equal(sql(`SELECT length(token_hash) FROM feeds WHERE id = ${f.id}`), '32');
  assert.ok(!databaseBytes(srv.db).includes(Buffer.from(token)), 'token found in the database');
  // and not in the access log
  await fetchFeed(anon, f.url);
  assert.ok(!srv.stderr().includes(token), 'token written to the log');
});

test('a resource feed is valid iCalendar with Europe/Warsaw times across DST', async () => {
  const f = await create(ownerA, 'resource', 1);
  const { res, comp, events, byId } = await fetchFeed(anon, f.url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/calendar; charset=utf-8');
  assert.match(res.text, /^BEGIN:VCALENDAR\r\n/);
  assert.doesNotMatch(res.text.replace(/\r\n/g, ''), /[\r\n]/, 'every line ends in CRLF');
  for (const line of res.text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, line);
  assert.equal(comp.getFirstPropertyValue('version'), '2.0');
  assert.equal(comp.getFirstPropertyValue('method'), null);
  assert.equal(comp.getFirstPropertyValue('x-wr-calname'), 'labshare — Mikroskop konfokalny');
  assert.equal(comp.getFirstPropertyValue('x-wr-timezone'), 'Europe/Warsaw');
  assert.match(res.text, /\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n/);
  assert.match(res.text, /\r\nX-PUBLISHED-TTL:PT15M\r\n/);
  const tzs = comp.getAllSubcomponents('vtimezone');
  assert.equal(tzs.length, 1);
  assert.equal(tzs[0].getFirstPropertyValue('tzid'), 'Europe/Warsaw');
  assert.equal(tzs[0].getAllSubcomponents('standard').length, 1);
  assert.equal(tzs[0].getAllSubcomponents('daylight').length, 1);

  // declined within 30 days as cancelled, cancelled > 30 days ago no longer,
  // ended more than 180 days ago (the default window) no longer
  assert.deepEqual([...byId.keys()].sort((a, b) => a - b), [ids.spring, ids.autumn, ids.declined, ids.newCancel].sort((a, b) => a - b));
  assert.equal(byId.get(ids.declined).component.getFirstPropertyValue('status'), 'CANCELLED');
  assert.match(byId.get(ids.declined).description, /Status: odrzucona/);
  for (const e of events) {
    assert.match(e.uid, /^booking-\d+@127\.0\.0\.1$/);
    assert.equal(e.startDate.zone.tzid, 'Europe/Warsaw');
    assert.equal(e.endDate.zone.tzid, 'Europe/Warsaw');
  }
  assert.equal(res.text.match(/\r\nDTSTART;TZID=Europe\/Warsaw:\d{8}T\d{6}\r\n/g).length, events.length);
  const spring = byId.get(ids.spring), autumn = byId.get(ids.autumn);
  for (const e of [spring, autumn]) {
    assert.equal(e.startDate.hour, 10);
    assert.equal(e.startDate.minute, 0);
    assert.equal(e.endDate.hour, 12);
  }
  assert.equal(spring.startDate.toJSDate().toISOString(), `${SPRING_AFTER}T08:00:00.000Z`);
  assert.equal(autumn.startDate.toJSDate().toISOString(), `${Y}-11-02T09:00:00.000Z`);
  assert.equal(spring.component.getFirstPropertyValue('status'), 'TENTATIVE');
  assert.equal(autumn.component.getFirstPropertyValue('status'), 'CONFIRMED');
  assert.equal(byId.get(ids.newCancel).component.getFirstPropertyValue('status'), 'CANCELLED');
  // the owner of the resource's organisation sees names and purposes, unescaped correctly
  assert.equal(spring.summary, 'Mikroskop konfokalny — Bartosz Nowak: Imaging; cells, day 1');
  assert.equal(autumn.summary, 'Mikroskop konfokalny — Anna Kowalska: Zażółć gęślą jaźń');
  assert.equal(spring.location, 'Pracownia mikroskopii, Budynek B, ul. Bobrzyńskiego 14, Kraków');
  assert.match(spring.description, /Bartosz Nowak \(Browin, sp\. z o\.o\.\)/);
  assert.equal(spring.component.getFirstPropertyValue('url'), `${srv.url}/#/bookings/${ids.spring}`);
  assert.equal(spring.sequence, 0);
  assert.ok(spring.component.getFirstPropertyValue('dtstamp').isDate === false);
  assert.ok(spring.component.getFirstPropertyValue('last-modified'));
  assert.ok(spring.component.getFirstPropertyValue('created'));
});

test('names of other organisations are hidden from ordinary subscribers', async () => {
  const f = await create(resA, 'lab', 1);
  const { byId } = await fetchFeed(anon, f.url);
  // Anna (org 1) sees her own booking and "Booked (Browin)" for Bartosz's
  assert.equal(byId.get(ids.autumn).summary, 'Mikroskop konfokalny — Anna Kowalska: Zażółć gęślą jaźń');
  const hidden = byId.get(ids.spring);
  assert.equal(hidden.summary, 'Mikroskop konfokalny — Zarezerwowane (Browin)'); // her language is pl
  assert.doesNotMatch(hidden.description, /Bartosz|Imaging/);
  assert.doesNotMatch(hidden.component.getFirstPropertyValue('url'), /bookings/);
  // the guest's booking on the room shows as a guest's
  assert.match(byId.get(ids.guestB).summary, /^Sala BSL-2 — Zarezerwowane \(gość\)$/);
  // an owner of another organisation sees no more than anyone else
  const g = await create(ownerB, 'resource', 1);
  const { byId: b2 } = await fetchFeed(anon, g.url);
  assert.match(b2.get(ids.autumn).summary, /Zarezerwowane \(JCI\)/);
  assert.match(b2.get(ids.spring).summary, /Bartosz Nowak/, 'his own organisation\'s booking');
  // staff see everything
  const s = await create(staff, 'lab', 1);
  const { byId: b3 } = await fetchFeed(anon, s.url);
  assert.match(b3.get(ids.spring).summary, /Bartosz Nowak/);
  assert.match(b3.get(ids.guestB).summary, /Gustaw Gość/);
});

test('organisation and user feeds hold the right bookings', async () => {
  const o = await create(ownerA, 'organisation', 1);
  const { byId } = await fetchFeed(anon, o.url);
  assert.ok(byId.has(ids.spring) && byId.has(ids.guestB) && !byId.has(ids.onB));
  const u = await create(resB, 'user', ids.resB);
  const { byId: mine, comp } = await fetchFeed(anon, u.url);
  assert.deepEqual([...mine.keys()].sort((a, b) => a - b), [ids.spring, ids.newCancel, ids.onB].sort((a, b) => a - b));
  assert.equal(mine.get(ids.onB).summary, 'Bioreaktor — Fermentacja');
  assert.equal(comp.getFirstPropertyValue('x-wr-calname'), 'labshare — Bartosz Nowak');
});

test('conditional GET: ETag, Last-Modified, 304, HEAD; SEQUENCE and STATUS follow updates', async () => {
  const f = await create(ownerA, 'resource', 1);
  const first = await fetchFeed(anon, f.url);
  const etag = first.res.headers.get('etag');
  const lm = first.res.headers.get('last-modified');
  assert.match(etag, /^"[0-9a-f]{32}-gz"$/, 'fetch() asks for gzip');
  assert.ok(!Number.isNaN(Date.parse(lm)));
  const path = new URL(f.url).pathname;
  let r = await anon.get(path, { headers: { 'if-none-match': etag } });
  assert.equal(r.status, 304);
  assert.equal(r.text, '');
  assert.equal(r.headers.get('etag'), etag);
  r = await anon.get(path, { headers: { 'if-none-match': `"nope", W/${etag}` } });
  assert.equal(r.status, 304);
  r = await anon.get(path, { headers: { 'if-modified-since': lm } });
  assert.equal(r.status, 304);
  r = await anon.get(path, { headers: { 'if-modified-since': new Date(Date.parse(lm) - 1000).toUTCString() } });
  assert.equal(r.status, 200);
  r = await anon.get(path, { headers: { 'if-none-match': '"other"' } });
  assert.equal(r.status, 200);
  const head = await anon.req('HEAD', path, undefined, { headers: { 'accept-encoding': 'identity' } });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('etag'), etag.replace('-gz', ''));
  assert.equal(Number(head.headers.get('content-length')), Buffer.byteLength(first.res.text));
  // the same data renders the same bytes and UIDs
  const again = await fetchFeed(anon, f.url);
  assert.equal(again.res.text, first.res.text);
  assert.deepEqual(again.events.map((e) => e.uid), first.events.map((e) => e.uid));

  // approve the pending one as the booking module will: status, updated, sequence
  sql(`UPDATE bookings SET status = 'approved', sequence = sequence + 1, updated = ${NOW + 5}, decided_by = ${ids.ownerA} WHERE id = ${ids.spring}`);
  const second = await fetchFeed(anon, f.url, { 'if-none-match': etag });
  assert.equal(second.res.status, 200);
  assert.notEqual(second.res.headers.get('etag'), etag);
  const e2 = second.byId.get(ids.spring);
  assert.equal(e2.uid, first.byId.get(ids.spring).uid);
  assert.equal(e2.sequence, 1);
  assert.equal(e2.component.getFirstPropertyValue('status'), 'CONFIRMED');
  // then cancel it
  sql(`UPDATE bookings SET status = 'cancelled', sequence = sequence + 1, updated = ${NOW + 6}, cancelled_at = ${NOW + 6} WHERE id = ${ids.spring}`);
  const third = await fetchFeed(anon, f.url);
  const e3 = third.byId.get(ids.spring);
  assert.equal(e3.sequence, 2);
  assert.equal(e3.component.getFirstPropertyValue('status'), 'CANCELLED');
  assert.equal(e3.uid, e2.uid);
  assert.ok(Date.parse(third.res.headers.get('last-modified')) >= (NOW + 6) * 1000);
  // a renamed resource changes the feed too
  const tag3 = third.res.headers.get('etag');
  sql(`UPDATE resources SET name = 'Mikroskop LSM 900', updated = ${NOW + 7} WHERE id = 1`);
  const fourth = await fetchFeed(anon, f.url, { 'if-none-match': tag3 });
  assert.equal(fourth.res.status, 200);
  assert.equal(fourth.comp.getFirstPropertyValue('x-wr-calname'), 'labshare — Mikroskop LSM 900');
  sql(`UPDATE resources SET name = 'Mikroskop konfokalny', updated = ${NOW + 8} WHERE id = 1;
       UPDATE bookings SET status = 'pending', sequence = sequence + 1, updated = ${NOW + 8}, cancelled_at = NULL WHERE id = ${ids.spring}`);
});

test('listing shows my feeds without tokens; revoking makes the URL 404', async () => {
  const f = await create(guest, 'resource', 2);
  const list = await guest.get('/api/v1/feeds');
  assert.equal(list.status, 200);
  const mine = list.json.items.find((x) => x.id === f.id);
  assert.deepEqual(Object.keys(mine).sort(), ['created', 'id', 'last_used', 'name', 'past_days', 'scope', 'scope_id']);
  assert.equal(mine.scope, 'resource');
  assert.equal(mine.scope_id, 2);
  assert.equal(mine.name, 'Sala BSL-2');
  assert.doesNotMatch(list.text, /[0-9a-f]{64}/);
  assert.equal(list.json.total, list.json.items.length);
  // fetched once: last_used is set
  assert.equal((await fetchFeed(anon, f.url)).res.status, 200);
  const after1 = (await guest.get('/api/v1/feeds')).json.items.find((x) => x.id === f.id);
  assert.match(after1.last_used, /Z$/);
  // others cannot see or revoke it
  assert.ok(!(await resA.get('/api/v1/feeds')).json.items.some((x) => x.id === f.id));
  assertError(await resA.del(`/api/v1/feeds/${f.id}`), 404, 'not_found');
  assertError(await guest.del('/api/v1/feeds/abc'), 404, 'not_found');
  assert.equal((await guest.del(`/api/v1/feeds/${f.id}`)).status, 204);
  assertError(await guest.del(`/api/v1/feeds/${f.id}`), 404, 'not_found');
  const gone = await anon.get(new URL(f.url).pathname);
  assertError(gone, 404, 'not_found');
  assert.ok(!(await guest.get('/api/v1/feeds')).json.items.some((x) => x.id === f.id));
});

test('unknown and malformed tokens are JSON 404s', async () => {
  assertError(await anon.get(`/ical/${'0'.repeat(64)}.ics`), 404, 'not_found');
  assertError(await anon.get('/ical/short.ics'), 404, 'not_found');
  assertError(await anon.get(`/ical/${'A'.repeat(64)}.ics`), 404, 'not_found');
  assertError(await anon.get('/ical/%00%ff.ics'), 404, 'not_found');
});

test('a deactivated creator\'s feeds stop answering', async () => {
  const id = addUser(srv, { email: 'leaver@f.test', organisation: 1 });
  const c = new Client(srv.url);
  await c.login('leaver@f.test');
  const f = await create(c, 'resource', 1);
  assert.equal((await fetchFeed(anon, f.url)).res.status, 200);
  sql(`UPDATE users SET active = 0 WHERE id = ${id}`);
  assertError(await anon.get(new URL(f.url).pathname), 404, 'not_found');
});

test('one booking as an .ics download for its booker, owners and staff', async () => {
  const path = `/api/v1/bookings/${ids.autumn}/ics`;
  assertError(await anon.get(path), 401, 'unauthenticated');
  for (const c of [resA, ownerA, staff]) {
    const r = await c.get(path);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('content-type'), 'text/calendar; charset=utf-8');
    assert.match(r.headers.get('content-disposition'), /^attachment; filename="booking-\d+\.ics"$/);
    parseEverywhere([r.text], 'booking file');
    const comp = new ICAL.Component(ICAL.parse(r.text));
    const ev = comp.getAllSubcomponents('vevent');
    assert.equal(ev.length, 1);
    assert.equal(ev[0].getFirstPropertyValue('uid'), `booking-${ids.autumn}@127.0.0.1`);
    // one event to add, not a feed (API.md § Calendar details)
    assert.equal(comp.getFirstPropertyValue('method'), 'PUBLISH');
    for (const p of ['x-wr-calname', 'x-wr-timezone', 'refresh-interval', 'x-published-ttl'])
      assert.equal(comp.getFirstPropertyValue(p), null, p);
  }
  assertError(await resB.get(path), 404, 'not_found');
  assertError(await ownerB.get(path), 404, 'not_found');
  assertError(await resA.get('/api/v1/bookings/999999/ics'), 404, 'not_found');
});

test('many subscribers polling at once get the same calendar', async () => {
  const f = await create(resB, 'lab', 1);
  const path = new URL(f.url).pathname;
  const first = await anon.get(path);
  assert.equal(first.status, 200);
  const etag = first.headers.get('etag');
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) =>
    anon.get(path, i % 2 ? { headers: { 'if-none-match': etag } } : undefined)));
  for (const [i, r] of answers.entries()) {
    if (i % 2) assert.equal(r.status, 304);
    else { assert.equal(r.status, 200); assert.equal(r.text, first.text); }
    assert.equal(r.headers.get('etag'), etag);
  }
});

/** The last Sunday of October of the first year whose one is ahead of now, 01:00 UTC (the change). */
function nextAutumnChange() {
  for (let y = new Date().getUTCFullYear(); ; y++) {
    const d = new Date(Date.UTC(y, 9, 31, 1));
    d.setUTCDate(31 - d.getUTCDay());
    if (d.getTime() > Date.now() + 86400000) return d.getTime() / 1000;
  }
}
const iso = (t) => new Date(t * 1000).toISOString();
const stamp = (t) => iso(t).replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

test('the repeated October hour is written in UTC and read right by all four parsers', async () => {
  const change = nextAutumnChange();
  // 02:30 CEST (first pass) to 02:30 CET (second pass), and an ordinary 03:00–04:00 CET
  const a = booking({ resource: 2, user: ids.resA, org: 1, start: iso(change - 1800), end: iso(change + 1800) });
  const b = booking({ resource: 2, user: ids.resA, org: 1, start: iso(change + 3600), end: iso(change + 7200) });
  const f = await create(ownerA, 'resource', 2);
  const { res, byId } = await fetchFeed(anon, f.url);
  assert.match(res.text, new RegExp(`\\r\\nDTSTART:${stamp(change - 1800)}\\r\\n`));
  assert.match(res.text, new RegExp(`\\r\\nDTEND:${stamp(change + 1800)}\\r\\n`));
  assert.match(res.text, /\r\nDTSTART;TZID=Europe\/Warsaw:\d{8}T030000\r\n/);
  assert.equal(byId.get(a).startDate.toUnixTime(), change - 1800);
  assert.equal(byId.get(a).endDate.toUnixTime(), change + 1800);
  assert.equal(byId.get(b).startDate.toUnixTime(), change + 3600);
  // parseEverywhere (in fetchFeed) held libical, python-icalendar and vobject to the same instants
});

test('renaming the booker, resource or lab moves the event\'s LAST-MODIFIED and DTSTAMP', async () => {
  const id = booking({ resource: 3, user: ids.resB, org: 2, start: `${Y}-06-01T08:00:00Z`, end: `${Y}-06-01T09:00:00Z`, purpose: 'Rename' });
  const f = await create(ownerB, 'resource', 3);
  const before = (await fetchFeed(anon, f.url)).byId.get(id);
  const lm0 = before.component.getFirstPropertyValue('last-modified').toUnixTime();
  sql(`UPDATE users SET name = 'Bartosz Nowak-Kowalski', updated = ${NOW + 100} WHERE id = ${ids.resB}`);
  const after = (await fetchFeed(anon, f.url)).byId.get(id);
  assert.match(after.summary, /Bartosz Nowak-Kowalski/);
  assert.equal(after.component.getFirstPropertyValue('last-modified').toUnixTime(), NOW + 100);
  assert.equal(after.component.getFirstPropertyValue('dtstamp').toUnixTime(), NOW + 100);
  assert.ok(NOW + 100 > lm0);
  assert.equal(after.sequence, before.sequence, 'a rename is not a new time or status');
  sql(`UPDATE labs SET name = 'Lab fermentacji i hodowli', updated = ${NOW + 200} WHERE id = 2`);
  const lab = (await fetchFeed(anon, f.url)).byId.get(id);
  assert.match(lab.location, /Lab fermentacji i hodowli/);
  assert.equal(lab.component.getFirstPropertyValue('last-modified').toUnixTime(), NOW + 200);
});

test('blackouts are events of resource and lab feeds, in the subscriber\'s language', async () => {
  const start = new Date(Date.now() + 20 * 86400000);
  start.setUTCHours(6, 0, 0, 0);
  const end = new Date(start.getTime() + 4 * 3600000);
  let r = await ownerA.post('/api/v1/resources/1/blackouts', { start: start.toISOString(), end: end.toISOString(), reason: 'Serwis lasera' });
  assert.equal(r.status, 201, r.text);
  const x = r.json.id;
  for (const [client, scope, id, word] of [[ownerA, 'resource', 1, 'Niedostępne'], [resA, 'lab', 1, 'Niedostępne']]) {
    const f = await create(client, scope, id);
    const { blackouts } = await fetchFeed(anon, f.url);
    const e = blackouts.get(x);
    assert.ok(e, `${scope} feed lacks the blackout`);
    assert.equal(e.uid, `blackout-${x}@127.0.0.1`);
    assert.equal(e.summary, `${word}: Mikroskop konfokalny — Serwis lasera`);
    assert.equal(e.startDate.toUnixTime(), start.getTime() / 1000);
    assert.equal(e.endDate.toUnixTime(), end.getTime() / 1000);
  }
  // an English reader
  const en = new Client(srv.url);
  addUser(srv, { email: 'en@f.test', organisation: 2, name: 'Edward English' });
  await en.login('en@f.test');
  assert.equal((await en.patch('/api/v1/me', { lang: 'en' })).status, 200);
  const f = await create(en, 'resource', 1);
  const { blackouts } = await fetchFeed(anon, f.url);
  assert.match(blackouts.get(x).summary, /^Unavailable: Mikroskop konfokalny — Serwis lasera$/);
  // user and organisation feeds hold bookings only
  const u = await create(resA, 'user', ids.resA);
  assert.equal((await fetchFeed(anon, u.url)).blackouts.size, 0);
  ids.blackout = x;
});

test('a feed\'s Last-Modified never moves backwards, even when its newest row leaves', async () => {
  const f = await create(ownerA, 'resource', 1);
  const path = new URL(f.url).pathname;
  sql(`UPDATE blackouts SET created = ${NOW + 5000} WHERE id = ${ids.blackout}`);
  const first = await fetchFeed(anon, f.url);
  const lm1 = Date.parse(first.res.headers.get('last-modified'));
  assert.equal(lm1, (NOW + 5000) * 1000);
  // the newest change was the blackout; it goes
  assert.equal((await ownerA.del(`/api/v1/blackouts/${ids.blackout}`)).status, 204);
  const second = await fetchFeed(anon, f.url);
  assert.equal(second.blackouts.size, 0);
  const lm2 = Date.parse(second.res.headers.get('last-modified'));
  assert.ok(lm2 > lm1, `Last-Modified went from ${lm1} to ${lm2}`);
  // a client holding the first version must get the second
  const r = await anon.get(path, { headers: { 'if-modified-since': first.res.headers.get('last-modified') } });
  assert.equal(r.status, 200);
  // and the second version keeps its date
  const third = await anon.get(path);
  assert.equal(third.headers.get('last-modified'), second.res.headers.get('last-modified'));
  assert.equal((await anon.get(path, { headers: { 'if-modified-since': second.res.headers.get('last-modified') } })).status, 304);
});

test('past_days: 180 by default, 0 to 3650, checked', async () => {
  let r = await resA.post('/api/v1/feeds', { scope: 'resource', id: 1 });
  assert.equal(r.json.past_days, 180);
  assertError(await resA.post('/api/v1/feeds', { scope: 'resource', id: 1, past_days: 3651 }), 422, 'validation', 'past_days');
  assertError(await resA.post('/api/v1/feeds', { scope: 'resource', id: 1, past_days: -1 }), 422, 'validation', 'past_days');
  assertError(await resA.post('/api/v1/feeds', { scope: 'resource', id: 1, past_days: 'all' }), 422, 'validation', 'past_days');
  const past = booking({ resource: 1, user: ids.resA, org: 1, start: iso(NOW - 10 * 86400), end: iso(NOW - 10 * 86400 + 3600) });
  r = await resA.post('/api/v1/feeds', { scope: 'resource', id: 1, past_days: 0 });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.past_days, 0);
  assert.ok(!(await fetchFeed(anon, r.json.url)).byId.has(past));
  r = await resA.post('/api/v1/feeds', { scope: 'resource', id: 1, past_days: 3650 });
  const all = await fetchFeed(anon, r.json.url);
  assert.ok(all.byId.has(past) && all.byId.has(ids.ancient));
  const listed = (await resA.get('/api/v1/feeds')).json.items.find((x) => x.id === r.json.id);
  assert.equal(listed.past_days, 3650);
});

/** A GET with the raw bytes (fetch() would inflate gzip by itself). */
function rawGet(url, headers) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('Accept-Encoding: gzip answers gzip with its own ETag; q=0 and identity do not', async () => {
  const f = await create(ownerA, 'lab', 1);
  const plain = await rawGet(f.url, {});
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.match(plain.headers.vary, /Accept-Encoding/);
  const gz = await rawGet(f.url, { 'accept-encoding': 'br;q=1, gzip;q=0.8' });
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(Number(gz.headers['content-length']), gz.body.length);
  assert.ok(gz.body.length < plain.body.length / 2);
  assert.equal(gunzipSync(gz.body).toString(), plain.body.toString());
  assert.equal(gz.headers.etag, plain.headers.etag.replace(/"$/, '-gz"'));
  // both validators name the version
  for (const tag of [gz.headers.etag, plain.headers.etag]) {
    const r = await rawGet(f.url, { 'accept-encoding': 'gzip', 'if-none-match': tag });
    assert.equal(r.status, 304);
    assert.equal(r.headers.etag, gz.headers.etag);
  }
  for (const ae of ['gzip;q=0', 'identity', 'deflate', 'gzip;q=0.000'])
    assert.equal((await rawGet(f.url, { 'accept-encoding': ae })).headers['content-encoding'], undefined, ae);
  assert.equal((await rawGet(f.url, { 'accept-encoding': '*' })).headers['content-encoding'], 'gzip');
});

test('a feed over 4 MB is cached too', async () => {
  // 8,000 bookings with long purposes on a resource of its own (some 5 MB)
  sql(`INSERT INTO resources(id, lab_id, type, name, created, updated) VALUES (9, 1, 'desk', 'Biurko duże', ${NOW}, ${NOW});
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000)
    INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, purpose, status, created, updated)
    SELECT 9, ${ids.resA}, 1, ${NOW + 86400} + i * 3600, ${NOW + 86400} + i * 3600 + 1800,
      'Pomiar ' || i || ': ${'x'.repeat(100)}', 'approved', ${NOW}, ${NOW} FROM n;`);
  const f = await create(ownerA, 'resource', 9);
  const stats = async () => (await staff.get('/api/v1/diagnostics')).json.feed_cache;
  const first = await anon.get(new URL(f.url).pathname);
  assert.equal(first.status, 200);
  assert.ok(Buffer.byteLength(first.text) > 4 * 1024 * 1024, `${Buffer.byteLength(first.text)} bytes`);
  const s1 = await stats();
  const again = await anon.get(new URL(f.url).pathname);
  assert.equal(again.text, first.text);
  const s2 = await stats();
  assert.equal(s2.renders, s1.renders, 'rendered again');
  assert.equal(s2.hits, s1.hits + 1);
  sql('DELETE FROM bookings WHERE resource_id = 9; DELETE FROM resources WHERE id = 9;');
});

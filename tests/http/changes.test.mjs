// changes.test.mjs — bookings stay true when owners change things (API.md
// § Changes that touch existing bookings), over real HTTP with the real
// sender thread delivering to an SMTP server on loopback:
//   - a blackout, narrower opening hours and `shared` → false answer 409
//     listing exactly the live bookings they would break, and change
//     nothing (checked in the database); with cancel_bookings=true they
//     cancel exactly those in one unit, tell each booker by e-mail (an iTIP
//     CANCEL where an invitation had gone out) and feeds say CANCELLED;
//   - approving and moving re-check the rules; whole-series decisions are
//     all or nothing; a decline needs a reason; decidable=true;
//   - training: by e-mail, the owners' type-ahead, requests for training,
//     and no e-mail address shown across organisations.
// The catalogue is written with the sqlite3 CLI; dates are relative to
// today (the Monday of the week after next and later), so the suite keeps
// working as the calendar moves on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { startServer, Client, addUser, assertError, sqlite, futureDay as day, localAt as at } from './lib.mjs';
import { startSmtpSink } from './smtp-sink.mjs';

let srv, sink;
const users = {};
const clients = {};

const sql = (q) => sqlite(srv.db, q);
const enc = encodeURIComponent;

// Resources: 1 needs approval, 2 books at once, 3 needs training (org 1);
// 4 belongs to org 2. All open Monday to Friday 08:00–18:00.
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({
    env: {
      LABSHARE_SMTP_URL: sink.url,
      LABSHARE_SMTP_FROM: 'labshare <noreply@changes.test>',
      LABSHARE_NOTIFY_INTERVAL_MS: '100',
      LABSHARE_NOTIFY_BACKOFF_S: '1',
    },
  });
  sql(`
    INSERT INTO organisations(id, name, grp, created, updated) VALUES
      (1, 'Jagiellonian Centre of Innovation', 'BIZ', 0, 0),
      (2, 'Institute of Catalysis', 'R&D', 0, 0),
      (3, 'Life Science Garage', 'BioF', 0, 0);
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES
      (1, 1, 'Imaging lab', 'scientific', 80, 0, 0), (2, 2, 'Spectroscopy lab', 'scientific', 60, 0, 0);
    INSERT INTO resources(id, lab_id, type, name, shared, requires_approval, requires_training, created, updated) VALUES
      (1, 1, 'instrument', 'Flow cytometer', 1, 1, 0, 0, 0),
      (2, 1, 'instrument', 'Confocal microscope', 1, 0, 0, 0, 0),
      (3, 1, 'instrument', 'Cell sorter', 1, 0, 1, 0, 0),
      (4, 2, 'instrument', 'NMR 600 MHz', 1, 1, 0, 0, 0);
    WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 5)
      INSERT INTO opening_hours(resource_id, weekday, open_min, close_min)
      SELECT r.id, d.n, 480, 1080 FROM d, resources r;
  `);
  const specs = {
    staff: { role: 'staff' },
    owner1: { role: 'owner', organisation: 1, name: 'Olga Owner' },
    owner2: { role: 'owner', organisation: 2, name: 'Oskar Other' },
    res1: { role: 'researcher', organisation: 1, name: 'Rita Inhouse' },
    res2: { role: 'researcher', organisation: 2, name: 'Radek Outside' },
    res3: { role: 'researcher', organisation: 3, name: 'Roma Garage' },
    guest: { role: 'researcher', name: 'Gustaw Guest' },
  };
  for (const [name, s] of Object.entries(specs)) {
    users[name] = addUser(srv, { email: `${name}@changes.test`, ...s });
    clients[name] = new Client(srv.url);
    await clients[name].login(`${name}@changes.test`);
  }
  // res2 reads English; the rest keep the default Polish.
  assert.equal((await clients.res2.patch('/api/v1/me', { lang: 'en' })).status, 200);
});
after(async () => {
  await srv.stop();
  await sink.close();
});

async function book(c, body, status = 201) {
  const r = await c.post('/api/v1/bookings', body);
  assert.equal(r.status, status, r.text);
  return r.json;
}
async function approve(id, c = clients.owner1) {
  const r = await c.post(`/api/v1/bookings/${id}/approve`);
  assert.equal(r.status, 200, r.text);
  return r.json;
}
const statuses = (ids) => sql(`SELECT group_concat(status, ',') FROM (SELECT status FROM bookings WHERE id IN (${ids.join(',')}) ORDER BY id)`);

/** What a refused change must leave exactly as it was. */
function snapshot(resource) {
  return sql(`SELECT (SELECT group_concat(id || ':' || status || ':' || sequence || ':' || coalesce(reason, '') || ':' || coalesce(CAST(decided_by AS TEXT), ''), ';')
                        FROM (SELECT * FROM bookings WHERE resource_id = ${resource} ORDER BY id)),
                     (SELECT count(*) FROM blackouts WHERE resource_id = ${resource}),
                     (SELECT group_concat(weekday || '-' || open_min || '-' || close_min, ',')
                        FROM (SELECT * FROM opening_hours WHERE resource_id = ${resource} ORDER BY weekday, open_min)),
                     (SELECT shared || ':' || updated FROM resources WHERE id = ${resource}),
                     (SELECT count(*) FROM outbox), (SELECT count(*) FROM audit_log)`);
}

/** A feed of the user's own bookings, parsed by ical.js: VEVENTs by booking id. */
async function userFeed(name) {
  const f = await clients[name].post('/api/v1/feeds', { scope: 'user', id: users[name] });
  assert.equal(f.status, 201, f.text);
  const r = await clients[name].get(new URL(f.json.url).pathname);
  assert.equal(r.status, 200, r.text);
  const comp = new ICAL.Component(ICAL.parse(r.text));
  return new Map(comp.getAllSubcomponents('vevent').map((v) => [Number(v.getFirstPropertyValue('uid').match(/^booking-(\d+)@/)[1]), v]));
}
const to = (name) => (m) => m.to.includes(`${name.toLowerCase()}@changes.test`);
const about = (id) => (m) => new RegExp(`/#/bookings/${id}(?!\\d)`).test(m.text || '');

test('a blackout over pending and approved bookings: 409 listing exactly them, nothing changes; with cancel_bookings they are cancelled, told and shown CANCELLED', async () => {
  const d = day(1, 2);
  const p = await book(clients.res2, { resource_id: 1, start: at(d, '09:00'), end: at(d, '10:00'), purpose: 'pending one' });
  const a = await book(clients.res3, { resource_id: 1, start: at(d, '11:00'), end: at(d, '12:00'), purpose: 'approved one' });
  await approve(a.id);
  const edge = await book(clients.res1, { resource_id: 1, start: at(d, '08:00'), end: at(d, '08:30') }); // ends as the blackout starts
  const gone = await book(clients.res1, { resource_id: 1, start: at(d, '13:00'), end: at(d, '14:00') });
  assert.equal((await clients.res1.post(`/api/v1/bookings/${gone.id}/cancel`, {})).status, 200);
  // history: an approved booking that ended long ago inside the span of a
  // blackout recorded afterwards stays as it was
  const past = Number(sql(`INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, purpose, status, created, updated, sequence)
    VALUES (1, ${users.res1}, 1, strftime('%s','now') - 7200, strftime('%s','now') - 3600, 'long ago', 'approved', 0, 0, 0); SELECT last_insert_rowid();`));
  const live = [p.id, a.id];

  const body = { start: at(d, '08:30'), end: at(d, '17:00'), reason: 'laser service' };
  const before = snapshot(1);
  const r = await clients.owner1.post('/api/v1/resources/1/blackouts', body);
  assertError(r, 409, 'conflict', 'cancel_bookings');
  assert.deepEqual(r.json.bookings, live);
  assert.match(r.json.message, /2/);
  assert.equal(snapshot(1), before, 'a refused blackout writes nothing');
  // the past blackout over history alone is no conflict
  const old = await clients.owner1.post('/api/v1/resources/1/blackouts', {
    start: new Date(Date.now() - 3 * 3600e3).toISOString(), end: new Date(Date.now() - 3000e3).toISOString(), reason: 'recorded late',
  });
  assert.equal(old.status, 201, old.text);
  assert.equal(statuses([past]), 'approved');

  const c = await clients.owner1.post(`/api/v1/resources/1/blackouts?cancel_bookings=true&message=${enc('The laser is being replaced; please book again next week.')}`, body);
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.reason, 'laser service');
  for (const id of live) {
    const b = (await clients.owner1.get(`/api/v1/bookings/${id}`)).json;
    assert.equal(b.status, 'cancelled');
    assert.equal(b.reason, 'The laser is being replaced; please book again next week.');
    assert.equal(b.decided_by, users.owner1);
    assert.ok(b.cancelled_at);
  }
  assert.equal(statuses([edge.id, gone.id, past]), 'pending,cancelled,approved');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE action = 'booking.cancel' AND object_id IN (${live.join(',')}) AND user_id = ${users.owner1}`), '2');

  // Each booker is told in their language; only the approved booking had
  // been sent to its booker's calendar, so only it gets an iTIP CANCEL.
  const [mp] = await sink.waitFor((m) => to('res2')(m) && about(p.id)(m) && /cancelled/.test(m.subject));
  assert.match(mp.text, /Reason: The laser is being replaced/);
  assert.equal(mp.calendar, undefined, 'no invitation had gone out for a pending request');
  const [ma] = await sink.waitFor((m) => to('res3')(m) && about(a.id)(m) && /odwołana/.test(m.subject));
  assert.match(ma.text, /Powód: The laser is being replaced/);
  assert.equal(ma.calendar.params.method, 'CANCEL');
  const itip = new ICAL.Component(ICAL.parse(ma.calendar.text)).getFirstSubcomponent('vevent');
  assert.equal(itip.getFirstPropertyValue('status'), 'CANCELLED');

  // The bookers' own feeds keep the events, cancelled.
  for (const [name, id] of [['res2', p.id], ['res3', a.id]]) {
    const ev = (await userFeed(name)).get(id);
    assert.ok(ev, `booking ${id} in ${name}'s feed`);
    assert.equal(ev.getFirstPropertyValue('status'), 'CANCELLED');
  }
});

test('without a message, a cancelled booking carries the blackout\'s reason, or a sentence in the reader\'s language', async () => {
  const d = day(2, 3);
  const a = await book(clients.res1, { resource_id: 2, start: at(d, '09:00'), end: at(d, '10:00') });
  const b = await book(clients.res2, { resource_id: 2, start: at(d, '14:00'), end: at(d, '15:00') });
  let r = await clients.owner1.post('/api/v1/resources/2/blackouts?cancel_bookings=true', { start: at(d, '08:00'), end: at(d, '12:00'), reason: 'cleaning' });
  assert.equal(r.status, 201, r.text);
  assert.equal((await clients.res1.get(`/api/v1/bookings/${a.id}`)).json.reason, 'cleaning');
  r = await clients.owner1.post('/api/v1/resources/2/blackouts?cancel_bookings=true', { start: at(d, '13:00'), end: at(d, '16:00') });
  assert.equal(r.status, 201, r.text);
  assert.equal((await clients.res2.get(`/api/v1/bookings/${b.id}`)).json.reason, 'The resource is unavailable at this time (a blackout).');
  assert.equal((await clients.owner1.get(`/api/v1/bookings/${b.id}`)).json.reason, 'Zasób jest w tym czasie niedostępny (wyłączenie).');
  // cancel_bookings with nothing to cancel is simply the change
  r = await clients.owner1.post('/api/v1/resources/2/blackouts?cancel_bookings=true', { start: at(d, '16:00'), end: at(d, '17:00') });
  assert.equal(r.status, 201, r.text);
});

test('blackouts: who may, and bad input', async () => {
  const d = day(3, 1);
  const x = await book(clients.res2, { resource_id: 2, start: at(d, '10:00'), end: at(d, '11:00') });
  const body = { start: at(d, '08:00'), end: at(d, '12:00'), reason: 'x' };
  const before = snapshot(2);
  // every resource is visible to signed-in users: another organisation's
  // owner and a researcher are 403; an unknown resource 404
  assertError(await clients.owner2.post('/api/v1/resources/2/blackouts?cancel_bookings=true', body), 403, 'forbidden');
  assertError(await clients.res1.post('/api/v1/resources/2/blackouts?cancel_bookings=true', body), 403, 'forbidden');
  assertError(await clients.owner1.post('/api/v1/resources/999/blackouts?cancel_bookings=true', body), 404, 'not_found');
  assertError(await new Client(srv.url).post('/api/v1/resources/2/blackouts', body), 401, 'unauthenticated');
  assertError(await clients.owner1.post('/api/v1/resources/2/blackouts?cancel_bookings=perhaps', body), 422, 'validation', 'cancel_bookings');
  assertError(await clients.owner1.post(`/api/v1/resources/2/blackouts?cancel_bookings=true&message=${enc('x'.repeat(2001))}`, body), 422, 'validation', 'message');
  assertError(await clients.owner1.post('/api/v1/resources/2/blackouts?cancel_bookings=true', { ...body, end: at(d, '07:00') }), 422, 'validation', 'end');
  assertError(await clients.owner1.post('/api/v1/resources/2/blackouts?cancel_bookings=true', { ...body, bookings: [] }), 422, 'validation', 'bookings');
  assert.equal(snapshot(2), before);
  assert.equal(statuses([x.id]), 'approved');
  // the 409 and its message in the caller's language
  const r = await clients.owner1.post('/api/v1/resources/2/blackouts', body);
  assertError(r, 409, 'conflict', 'cancel_bookings');
  assert.deepEqual(r.json.bookings, [x.id]);
  assert.match(r.json.message, /Odwołaj rezerwacje/);
  const en = await clients.staff.post('/api/v1/resources/2/blackouts', body, { headers: { 'accept-language': 'en' } });
  assert.deepEqual(en.json.bookings, [x.id]);
  assert.equal(snapshot(2), before);
});

test('narrower opening hours: 409 with the bookings they no longer hold; cancel_bookings cancels exactly those', async () => {
  const d = day(4, 4); // a Thursday
  const early = await book(clients.res1, { resource_id: 2, start: at(d, '08:00'), end: at(d, '09:00') });
  const mid = await book(clients.res2, { resource_id: 2, start: at(d, '12:00'), end: at(d, '13:00') });
  const late = await book(clients.res3, { resource_id: 1, start: at(d, '16:00'), end: at(d, '18:00') });
  const hours = (open, close) => [1, 2, 3, 4, 5].map((weekday) => ({ weekday, open, close }));
  const before2 = snapshot(2);
  let r = await clients.owner1.patch('/api/v1/resources/2', { opening_hours: hours('10:00', '18:00'), name: 'Confocal microscope (new)' });
  assertError(r, 409, 'conflict', 'cancel_bookings');
  assert.deepEqual(r.json.bookings, [early.id]);
  assert.equal(snapshot(2), before2, 'neither the hours nor the name changed');
  assert.equal((await clients.owner1.get('/api/v1/resources/2')).json.name, 'Confocal microscope');
  // the other organisation's owner: 403; other fields change freely
  assertError(await clients.owner2.patch('/api/v1/resources/2?cancel_bookings=true', { opening_hours: hours('10:00', '18:00') }), 403, 'forbidden');
  assert.equal((await clients.owner1.patch('/api/v1/resources/2', { description: 'new optics' })).status, 200);
  // wider hours break nothing
  assert.equal((await clients.owner1.patch('/api/v1/resources/2', { opening_hours: hours('07:00', '19:00') })).status, 200);
  r = await clients.owner1.patch('/api/v1/resources/2?cancel_bookings=true', { opening_hours: hours('10:00', '18:00') });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.opening_hours[0].open, '10:00');
  assert.equal(statuses([early.id, mid.id]), 'cancelled,approved');
  const e = (await clients.res1.get(`/api/v1/bookings/${early.id}`)).json;
  assert.equal(e.reason, 'Godziny otwarcia zasobu zmieniły się i nie obejmują już tej rezerwacji.');
  assert.equal(e.decided_by, users.owner1);
  const [m] = await sink.waitFor((x) => to('res1')(x) && about(early.id)(x) && /odwołana/.test(x.subject));
  assert.match(m.text, /Powód: Godziny otwarcia zasobu zmieniły się/);
  // a day closed altogether: resource 1 loses Thursdays (the pending late one)
  const before1 = snapshot(1);
  r = await clients.owner1.patch('/api/v1/resources/1', { opening_hours: [1, 2, 3, 5].map((weekday) => ({ weekday, open: '08:00', close: '18:00' })) });
  assertError(r, 409, 'conflict');
  assert.ok(r.json.bookings.includes(late.id), r.text);
  assert.equal(snapshot(1), before1);
  // back to the usual hours for the tests below
  assert.equal((await clients.owner1.patch('/api/v1/resources/2', { opening_hours: hours('08:00', '18:00') })).status, 200);
});

test('sharing turned off: the bookings of other organisations and guests go, the own organisation\'s and staff\'s stay', async () => {
  const d = day(5, 1);
  const own = await book(clients.res1, { resource_id: 2, start: at(d, '08:00'), end: at(d, '09:00') });
  const other = await book(clients.res2, { resource_id: 2, start: at(d, '09:00'), end: at(d, '10:00') });
  const guest = await book(clients.guest, { resource_id: 2, start: at(d, '10:00'), end: at(d, '11:00') });
  const staff = await book(clients.staff, { resource_id: 2, start: at(d, '11:00'), end: at(d, '12:00') });
  const before = snapshot(2);
  let r = await clients.owner1.patch('/api/v1/resources/2', { shared: false });
  assertError(r, 409, 'conflict', 'cancel_bookings');
  const listed = r.json.bookings;
  assert.ok(listed.includes(other.id) && listed.includes(guest.id), r.text);
  assert.ok(!listed.includes(own.id) && !listed.includes(staff.id), r.text);
  assert.equal(snapshot(2), before);
  r = await clients.owner1.patch(`/api/v1/resources/2?cancel_bookings=true&message=${enc('Internal use only from now on.')}`, { shared: false });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.shared, false);
  assert.equal(statuses([own.id, other.id, guest.id, staff.id]), 'approved,cancelled,cancelled,approved');
  for (const id of listed) assert.equal(sql(`SELECT reason FROM bookings WHERE id = ${id}`), 'Internal use only from now on.');
  await sink.waitFor((m) => to('guest')(m) && about(guest.id)(m) && /odwołana/.test(m.subject));
  // shared again for the tests below
  assert.equal((await clients.owner1.patch('/api/v1/resources/2', { shared: true })).status, 200);
});

test('approving re-checks what changed since the request: hours, slot grid, blackouts, sharing, approved bookings', async () => {
  const d = day(6, 2);
  const a = await book(clients.res2, { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:00') });
  const b = await book(clients.res3, { resource_id: 1, start: at(d, '10:30'), end: at(d, '11:30') });
  // the owners' changes made behind the API's back (as an import would)
  sql(`UPDATE opening_hours SET open_min = 660 WHERE resource_id = 1 AND weekday = 2`);
  let r = await clients.owner1.post(`/api/v1/bookings/${a.id}/approve`);
  assertError(r, 422, 'validation', 'start');
  sql(`UPDATE opening_hours SET open_min = 495 WHERE resource_id = 1 AND weekday = 2`); // 08:15: grid 10:15, 10:45 …
  assertError(await clients.owner1.post(`/api/v1/bookings/${a.id}/approve`), 422, 'validation');
  sql(`UPDATE opening_hours SET open_min = 480 WHERE resource_id = 1 AND weekday = 2`);
  const bo = Number(sql(`INSERT INTO blackouts(resource_id, start, end, reason, created) SELECT 1, start + 600, start + 1200, 'x', 0 FROM bookings WHERE id = ${a.id}; SELECT last_insert_rowid();`));
  r = await clients.owner1.post(`/api/v1/bookings/${a.id}/approve`);
  assertError(r, 409, 'conflict');
  assert.deepEqual(r.json.blackouts, [bo]);
  sql(`DELETE FROM blackouts WHERE id = ${bo}; UPDATE resources SET shared = 0 WHERE id = 1`);
  assertError(await clients.owner1.post(`/api/v1/bookings/${a.id}/approve`), 409, 'conflict');
  sql(`UPDATE resources SET shared = 1 WHERE id = 1`);
  assert.equal(statuses([a.id]), 'pending');
  await approve(a.id);
  r = await clients.owner1.post(`/api/v1/bookings/${b.id}/approve`);
  assertError(r, 409, 'conflict');
  assert.deepEqual(r.json.conflicts, [a.id]);
  assert.equal(statuses([a.id, b.id]), 'approved,pending');
});

test('moving re-checks every rule of creation, the booker\'s training and organisation included; a move raises SEQUENCE', async () => {
  const d = day(7, 3);
  sql(`INSERT INTO training(resource_id, user_id, granted_at) VALUES (3, ${users.res2}, 0)`);
  const t = await book(clients.res2, { resource_id: 3, start: at(d, '09:00'), end: at(d, '10:00') });
  assert.equal((await clients.owner1.del(`/api/v1/resources/3/trained/${users.res2}`)).status, 204);
  const seq = t.sequence;
  // the booker untrained since: 403, for the booker and for the owner moving it for them
  assertError(await clients.res2.patch(`/api/v1/bookings/${t.id}`, { start: at(d, '11:00'), end: at(d, '12:00') }), 403, 'forbidden', 'resource_id');
  assertError(await clients.owner1.patch(`/api/v1/bookings/${t.id}`, { start: at(d, '11:00'), end: at(d, '12:00') }), 403, 'forbidden', 'resource_id');
  // a purpose alone is no new time
  assert.equal((await clients.res2.patch(`/api/v1/bookings/${t.id}`, { purpose: 'calibration' })).status, 200);
  // not shared any more for the booker's organisation
  const o = await book(clients.res2, { resource_id: 2, start: at(d, '09:00'), end: at(d, '10:00') });
  sql(`UPDATE resources SET shared = 0 WHERE id = 2`);
  assertError(await clients.owner1.patch(`/api/v1/bookings/${o.id}`, { start: at(d, '10:00'), end: at(d, '11:00') }), 403, 'forbidden');
  sql(`UPDATE resources SET shared = 1 WHERE id = 2`);
  // into a blackout: 409 naming it; outside hours: 422
  const bo = (await clients.owner1.post('/api/v1/resources/2/blackouts', { start: at(d, '12:00'), end: at(d, '13:00') })).json;
  const m = await clients.res2.patch(`/api/v1/bookings/${o.id}`, { start: at(d, '12:30'), end: at(d, '13:30') });
  assertError(m, 409, 'conflict');
  assert.deepEqual(m.json.blackouts, [bo.id]);
  assertError(await clients.res2.patch(`/api/v1/bookings/${o.id}`, { start: at(d, '17:30'), end: at(d, '18:30') }), 422, 'validation');
  assert.equal(sql(`SELECT sequence FROM bookings WHERE id = ${o.id}`), '0', 'refused moves change nothing');
  const ok = await clients.res2.patch(`/api/v1/bookings/${o.id}`, { start: at(d, '14:00'), end: at(d, '15:00') });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.sequence, 1);
  assert.equal(Number(sql(`SELECT sequence FROM bookings WHERE id = ${t.id}`)), seq + 1);
});

test('a decline needs a reason; the booker is told, with a CANCEL only for what reached their calendar', async () => {
  const d = day(8, 1);
  const p = await book(clients.res2, { resource_id: 1, start: at(d, '09:00'), end: at(d, '10:00') });
  const before = snapshot(1);
  for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: null }]) {
    assertError(await clients.owner1.post(`/api/v1/bookings/${p.id}/decline`, body), 422, 'validation', 'reason');
  }
  assertError(await clients.owner1.post(`/api/v1/bookings/${p.id}/decline`, { reason: 'x', series: 'yes' }), 422, 'validation', 'series');
  // another organisation's owner cannot see it: 404 before anything else
  assertError(await clients.owner2.post(`/api/v1/bookings/${p.id}/decline`, {}), 404, 'not_found');
  assertError(await clients.res2.post(`/api/v1/bookings/${p.id}/decline`, {}), 403, 'forbidden');
  assert.equal(snapshot(1), before);
  let r = await clients.owner1.post(`/api/v1/bookings/${p.id}/decline`, { reason: 'The instrument is reserved for a course.' });
  assert.equal(r.status, 200, r.text);
  let [m] = await sink.waitFor((x) => to('res2')(x) && about(p.id)(x) && /declined/.test(x.subject));
  assert.match(m.text, /Reason: The instrument is reserved for a course\./);
  assert.equal(m.calendar, undefined);
  // the booker's own feed keeps the declined request, cancelled
  const fp = (await userFeed('res2')).get(p.id);
  assert.ok(fp, 'the declined booking is in its booker\'s feed');
  assert.equal(fp.getFirstPropertyValue('status'), 'CANCELLED');

  // approved (an invitation went out), moved back to pending by its booker
  // (a new one), then declined: the calendar's copy is taken back
  const q = await book(clients.res2, { resource_id: 1, start: at(d, '11:00'), end: at(d, '12:00') });
  await approve(q.id);
  r = await clients.res2.patch(`/api/v1/bookings/${q.id}`, { start: at(d, '13:00'), end: at(d, '14:00') });
  assert.equal(r.json.status, 'pending');
  r = await clients.owner1.post(`/api/v1/bookings/${q.id}/decline`, { reason: 'Not at that time.' });
  assert.equal(r.status, 200, r.text);
  [m] = await sink.waitFor((x) => to('res2')(x) && about(q.id)(x) && /declined/.test(x.subject));
  assert.equal(m.calendar.params.method, 'CANCEL');
  const ev = new ICAL.Component(ICAL.parse(m.calendar.text)).getFirstSubcomponent('vevent');
  assert.equal(ev.getFirstPropertyValue('status'), 'CANCELLED');
  assert.equal(ev.getFirstPropertyValue('sequence'), r.json.sequence);
});

test('series: approve and decline from an occurrence on, all or nothing', async () => {
  const d = day(9, 1);
  const s = await book(clients.res2, { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:00'), rrule: 'FREQ=WEEKLY;COUNT=4' });
  const ids = s.bookings.map((b) => b.id);
  // someone else's approved booking now clashes with the third occurrence
  const third = s.bookings[2];
  const clash = await book(clients.res3, { resource_id: 1, start: third.start, end: third.end });
  await approve(clash.id);
  const before = snapshot(1);
  let r = await clients.owner1.post(`/api/v1/bookings/${ids[0]}/approve`, { series: true });
  assertError(r, 409, 'conflict');
  assert.deepEqual(r.json.conflicts, [clash.id]);
  assert.equal(snapshot(1), before, 'none of the series changed');
  assert.equal(statuses(ids), 'pending,pending,pending,pending');
  // a blackout over the fourth: listed as a blackout
  const bo = Number(sql(`INSERT INTO blackouts(resource_id, start, end, reason, created) SELECT 1, start, end, 'x', 0 FROM bookings WHERE id = ${ids[3]}; SELECT last_insert_rowid();`));
  r = await clients.owner1.post(`/api/v1/bookings/${ids[1]}/approve`, { series: true });
  assertError(r, 409, 'conflict');
  assert.deepEqual(r.json.conflicts, [clash.id]);
  assert.deepEqual(r.json.blackouts, [bo]);
  sql(`DELETE FROM blackouts WHERE id = ${bo}`);
  // decline the clashing occurrence alone, then approve the rest at once
  r = await clients.owner1.post(`/api/v1/bookings/${ids[2]}/decline`, { reason: 'taken that week' });
  assert.equal(r.status, 200, r.text);
  r = await clients.owner1.post(`/api/v1/bookings/${ids[1]}/approve`, { series: true });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.id, ids[1]);
  assert.deepEqual(r.json.bookings.map((b) => b.id), [ids[1], ids[3]]);
  assert.equal(statuses(ids), 'pending,approved,declined,approved');
  // the booker hears once for the lot
  const [m] = await sink.waitFor((x) => to('res2')(x) && about(ids[1])(x) && /approved/.test(x.subject));
  assert.match(m.text, /Bookings in the series: 2/);
  assert.equal(sql(`SELECT count(*) FROM outbox WHERE booking_id = ${ids[3]}`), '0');

  // a whole-series decline
  const t = await book(clients.res1, { resource_id: 1, start: at(d, '15:00'), end: at(d, '16:00'), rrule: 'FREQ=WEEKLY;COUNT=3' });
  const tids = t.bookings.map((b) => b.id);
  assertError(await clients.owner1.post(`/api/v1/bookings/${tids[0]}/decline`, { series: true }), 422, 'validation', 'reason');
  r = await clients.owner1.post(`/api/v1/bookings/${tids[1]}/decline`, { series: true, reason: 'course weeks' });
  assert.equal(r.status, 200, r.text);
  assert.equal(statuses(tids), 'pending,declined,declined');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE action = 'booking.decline' AND object_id IN (${tids.join(',')})`), '2');
  // series: true on a single booking acts on it alone
  const one = await book(clients.res2, { resource_id: 1, start: at(d, '17:00'), end: at(d, '18:00') });
  r = await clients.owner1.post(`/api/v1/bookings/${one.id}/approve`, { series: true });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.bookings.map((b) => b.id), [one.id]);
});

test('decidable=true lists only what the caller may approve or decline now', async () => {
  const d = day(10, 2);
  const mine = await book(clients.res1, { resource_id: 1, start: at(d, '09:00'), end: at(d, '10:00') });
  const outgoing = await book(clients.owner1, { resource_id: 4, start: at(d, '09:00'), end: at(d, '10:00') });
  const other = await book(clients.res1, { resource_id: 4, start: at(d, '11:00'), end: at(d, '12:00') });
  const approved = await book(clients.res2, { resource_id: 2, start: at(d, '09:00'), end: at(d, '10:00') });
  const q = `/api/v1/bookings?decidable=true&from=${enc(at(d, '00:00'))}&to=${enc(at(d, '23:59'))}&limit=500`;
  const ids = async (c) => (await c.get(q)).json.items.map((b) => b.id);
  const o1 = await ids(clients.owner1);
  assert.deepEqual(o1, [mine.id]);
  assert.ok(!o1.includes(outgoing.id) && !o1.includes(approved.id));
  assert.deepEqual((await ids(clients.owner2)).sort(), [outgoing.id, other.id].sort());
  assert.deepEqual((await ids(clients.staff)).sort(), [mine.id, outgoing.id, other.id].sort());
  assert.deepEqual(await ids(clients.res1), []);
  // without it the owner still sees their own outgoing request
  const all = (await clients.owner1.get(`/api/v1/bookings?status=pending&from=${enc(at(d, '00:00'))}&to=${enc(at(d, '23:59'))}`)).json.items.map((b) => b.id);
  assert.ok(all.includes(outgoing.id));
  assertError(await clients.owner1.get('/api/v1/bookings?decidable=maybe'), 422, 'validation', 'decidable');
});

test('training: found by name or e-mail within what the owner may see, recorded by e-mail, no address across organisations', async () => {
  // owner1 may see: their organisation (owner1, res1), anyone trained on or
  // asking for training on its resources. res3 asks; res2 is trained on
  // nothing of org 1 (the move test removed it) and asks for nothing.
  const search = async (c, q) => (await c.get(`/api/v1/resources/3/training-candidates?q=${enc(q)}`));
  let r = await search(clients.owner1, 'rita');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((u) => [u.user_id, u.email]), [[users.res1, 'res1@changes.test']]);
  assert.deepEqual((await search(clients.owner1, 'res1@chan')).json.items.map((u) => u.user_id), [users.res1]);
  assert.deepEqual((await search(clients.owner1, 'radek')).json.items, []);
  assert.deepEqual((await search(clients.owner1, 'roma')).json.items, []);

  const ask = await clients.res3.post('/api/v1/resources/3/training-requests', { message: 'I sort T cells weekly.' });
  assert.equal(ask.status, 201, ask.text);
  assert.equal(ask.json.message, 'I sort T cells weekly.');
  assert.equal((await clients.res3.get('/api/v1/resources/3')).json.training_requested, true);
  // the owners are e-mailed, in their language, without the asker's address
  const [m] = await sink.waitFor((x) => to('owner1')(x) && /Prośba o szkolenie/.test(x.subject));
  assert.match(m.text, /Prosi: Roma Garage/);
  assert.match(m.text, /Organizacja: Life Science Garage/);
  assert.match(m.text, /Wiadomość: I sort T cells weekly\./);
  assert.ok(!m.text.includes('res3@changes.test') && !m.html.includes('res3@changes.test'));
  assert.ok(m.text.includes(`${srv.url}/#/manage/resources/3`));
  // asking again changes the message and mails nobody
  const queued = sql(`SELECT count(*) FROM outbox WHERE kind = 'training_request'`);
  const again = await clients.res3.post('/api/v1/resources/3/training-requests', { message: 'Also B cells.' });
  assert.equal(again.status, 200, again.text);
  assert.equal(sql(`SELECT count(*) FROM outbox WHERE kind = 'training_request'`), queued);
  assertError(await clients.res3.post('/api/v1/resources/3/training-requests', { message: 5 }), 422, 'validation', 'message');
  assertError(await clients.res3.post('/api/v1/resources/999/training-requests', {}), 404, 'not_found');

  // now the asker is findable by name, but never by or with their address
  r = await search(clients.owner1, 'roma');
  assert.deepEqual(r.json.items.map((u) => [u.user_id, u.email, u.asked, u.trained]), [[users.res3, null, true, false]]);
  assert.deepEqual((await search(clients.owner1, 'res3@')).json.items, []);
  const list = await clients.owner1.get('/api/v1/resources/3/training-requests');
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.items.map((x) => [x.user_id, x.email, x.organisation_name, x.message]), [[users.res3, null, 'Life Science Garage', 'Also B cells.']]);
  assert.deepEqual((await clients.staff.get('/api/v1/resources/3/training-requests')).json.items.map((x) => x.email), ['res3@changes.test']);
  assertError(await clients.res3.get('/api/v1/resources/3/training-requests'), 403, 'forbidden');
  assertError(await clients.owner2.get('/api/v1/resources/3/training-requests'), 403, 'forbidden');
  assertError(await clients.owner2.get('/api/v1/resources/3/training-candidates?q=r'), 403, 'forbidden');
  assertError(await clients.owner1.get('/api/v1/resources/999/training-candidates?q=r'), 404, 'not_found');
  // The search text is checked as text: too long, control and direction characters are 422.
  for (const q of ['r'.repeat(201), 'a\u0001b', 'a\u202Eb'])
    assertError(await search(clients.owner1, q), 422, 'validation', 'q');
  // staff find everyone, addresses included
  assert.deepEqual((await search(clients.staff, 'radek')).json.items.map((u) => u.email), ['res2@changes.test']);

  // recorded by the address the owner types: the answer shows what they typed
  r = await clients.owner1.post('/api/v1/resources/3/trained', { email: 'RES3@changes.test' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.json.user_id, r.json.email, r.json.name], [users.res3, 'RES3@changes.test', 'Roma Garage']);
  assert.deepEqual((await clients.owner1.get('/api/v1/resources/3/training-requests')).json.items, []);
  assert.equal((await clients.res3.get('/api/v1/resources/3')).json.training_requested, false);
  assertError(await clients.res3.post('/api/v1/resources/3/training-requests', {}), 409, 'conflict');
  // …but a list never shows another organisation's address to an owner
  let t = await clients.owner1.get('/api/v1/resources/3/trained');
  assert.deepEqual(t.json.items.map((x) => [x.user_id, x.email]), [[users.res3, null]]);
  r = await clients.owner1.post('/api/v1/resources/3/trained', { email: 'res1@changes.test' });
  assert.equal(r.status, 201, r.text);
  t = await clients.owner1.get('/api/v1/resources/3/trained');
  assert.deepEqual(t.json.items.map((x) => [x.name, x.email]), [['Rita Inhouse', 'res1@changes.test'], ['Roma Garage', null]]);
  r = await clients.owner1.post('/api/v1/resources/3/trained', { user_id: users.res2 });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.email, null, 'an id given: the address stays hidden');
  // bad input, and nothing written by it
  const n = sql('SELECT count(*) FROM training');
  assertError(await clients.owner1.post('/api/v1/resources/3/trained', { email: 'nobody@changes.test' }), 422, 'validation', 'email');
  assertError(await clients.owner1.post('/api/v1/resources/3/trained', { email: 'res1@changes.test', user_id: users.res1 }), 422, 'validation', 'email');
  assertError(await clients.owner1.post('/api/v1/resources/3/trained', {}), 422, 'validation', 'user_id');
  assertError(await clients.owner1.post('/api/v1/resources/3/trained', { email: 42 }), 422, 'validation', 'email');
  assertError(await clients.owner2.post('/api/v1/resources/3/trained', { email: 'res2@changes.test' }), 403, 'forbidden');
  assert.equal(sql('SELECT count(*) FROM training'), n);
});

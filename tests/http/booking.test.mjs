// booking.test.mjs — the booking API over real HTTP: every rule's answer,
// permissions and their precedence, recurring series, decisions, moves,
// no-shows, availability, and the concurrency guarantee (no two approved
// bookings of one resource overlap, whatever arrives at once).
//
// The catalogue is written with the sqlite3 CLI straight into the server's
// database (the catalogue API is another module's); times are sent as
// site-local wall times without an offset, on dates computed from today so
// the suite keeps working as the calendar moves on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, Client, addUser, assertError } from './lib.mjs';
// Dates in next year: always ahead, so the test passes whatever today is.
// Its DST changes fall on the last Sundays of March and October.
const Y = new Date().getUTCFullYear() + 1;
const lastSunday = (m) => { const d = new Date(Date.UTC(Y, m, 0)); d.setUTCDate(d.getUTCDate() - d.getUTCDay()); return d.toISOString().slice(0, 10); };
const SPRING = lastSunday(3), AUTUMN = lastSunday(10);

let srv;
const users = {};
const clients = {};

function sql(q) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// The date (YYYY-MM-DD) of the given ISO weekday (1 = Monday) in the week
// `weeks` weeks after next week: always in the future, never today.
function day(weeks, weekday = 1) {
  const d = new Date();
  const today = ((d.getUTCDay() + 6) % 7) + 1;
  d.setUTCDate(d.getUTCDate() + (8 - today) + 7 * weeks + (weekday - 1));
  return d.toISOString().slice(0, 10);
}
const at = (date, hm) => `${date}T${hm}:00`;

async function signIn(email) {
  const c = new Client(srv.url);
  await c.login(email);
  return c;
}

before(async () => {
  // The concurrency tests send 40 requests at once from one address, over
  // 40 connections: more than the default limit per address (32).
  srv = await startServer({ args: ['--client-connections', '64'] });
  sql(`
    INSERT INTO organisations(id, name, grp, created, updated) VALUES
      (1, 'Jagiellonian Centre of Innovation', 'BIZ', 0, 0),
      (2, 'Institute of Catalysis and Surface Chemistry', 'R&D', 0, 0),
      (3, 'Life Science Garage', 'BioF', 0, 0);
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES
      (1, 1, 'Imaging lab', 'scientific', 80, 0, 0),
      (2, 2, 'Spectroscopy lab', 'scientific', 60, 0, 0);
    INSERT INTO resources(id, lab_id, type, name, shared, requires_approval, requires_training, created, updated) VALUES
      (1, 1, 'instrument', 'Confocal microscope', 1, 0, 0, 0, 0),
      (2, 1, 'instrument', 'Flow cytometer', 1, 1, 0, 0, 0),
      (3, 1, 'instrument', 'Internal PCR', 0, 0, 0, 0, 0),
      (4, 2, 'instrument', 'NMR 600 MHz', 1, 0, 1, 0, 0),
      (5, 2, 'desk', 'Hot desk', 1, 0, 0, 0, 0),
      (6, 2, 'instrument', 'Plate reader', 1, 1, 0, 0, 0);
    WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 5)
      INSERT INTO opening_hours(resource_id, weekday, open_min, close_min)
      SELECT r.id, d.n, 480, 1080 FROM d, resources r WHERE r.id <> 5;
    WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 7)
      INSERT INTO opening_hours(resource_id, weekday, open_min, close_min) SELECT 5, n, 0, 1440 FROM d;
  `);
  const specs = {
    staff: { role: 'staff' },
    owner1: { role: 'owner', organisation: 1 },
    owner2: { role: 'owner', organisation: 2 },
    res1: { role: 'researcher', organisation: 1 },
    res2: { role: 'researcher', organisation: 2 },
    res3: { role: 'researcher', organisation: 3 },
    guest: { role: 'researcher' },
  };
  for (const [name, s] of Object.entries(specs)) {
    users[name] = addUser(srv, { email: `${name}@booking.test`, name: `User ${name}`, ...s });
    clients[name] = await signIn(`${name}@booking.test`);
  }
});
after(async () => { await srv.stop(); });

async function book(c, body) { return c.post('/api/v1/bookings', body); }

test('sign-in, CSRF and JSON come before anything else', async () => {
  const anon = new Client(srv.url);
  assertError(await anon.get('/api/v1/bookings'), 401, 'unauthenticated');
  assertError(await anon.post('/api/v1/bookings', {}), 401, 'unauthenticated');
  assertError(await anon.get('/api/v1/bookings/1'), 401, 'unauthenticated');
  assertError(await anon.post('/api/v1/bookings/1/approve'), 401, 'unauthenticated');
  assertError(await anon.get('/api/v1/resources/1/availability'), 401, 'unauthenticated');
  const r = await clients.res1.post('/api/v1/bookings', { resource_id: 1 }, { csrf: false });
  assertError(r, 403, 'forbidden', 'X-CSRF-Token');
  assertError(await clients.res1.req('POST', '/api/v1/bookings', '{"resource_id": 1,'), 400, 'bad_request');
});

test('a booking of an auto-approved resource is 201 approved with the full shape', async () => {
  const d = day(0, 1);
  const r = await book(clients.res2, { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:30'), purpose: 'live-cell imaging' });
  assert.equal(r.status, 201, r.text);
  const b = r.json;
  assert.equal(b.status, 'approved');
  assert.equal(b.resource_id, 1);
  assert.equal(b.user_id, users.res2);
  assert.equal(b.organisation_id, 2);
  assert.match(b.start, /^\d{4}-\d\d-\d\dT\d\d:00:00Z$/);
  assert.equal(Date.parse(b.end) - Date.parse(b.start), 90 * 60 * 1000);
  assert.equal(b.purpose, 'live-cell imaging');
  assert.equal(b.decided_by, null);
  assert.equal(b.reason, null);
  assert.equal(b.series_id, null);
  assert.equal(b.sequence, 0);
  assert.equal(b.no_show, false);
  assert.equal(b.resource_name, 'Confocal microscope');
  assert.equal(b.user_name, 'User res2');
  assert.ok(b.created && b.updated);
  assert.equal(r.headers.get('location'), `/api/v1/bookings/${b.id}`);
  // the same instant given with an explicit offset lands on the same booking
  const again = await book(clients.res3, { resource_id: 1, start: b.start, end: b.end });
  assertError(again, 409, 'conflict');
  assert.deepEqual(again.json.conflicts, [b.id]);
  assert.deepEqual(again.json.blackouts, []);
  const got = await clients.res2.get(`/api/v1/bookings/${b.id}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.json, b);
});

test('a resource that requires approval gives pending, for managers too', async () => {
  const d = day(0, 2);
  const r = await book(clients.res1, { resource_id: 2, start: at(d, '09:00'), end: at(d, '10:00') });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'pending');
  const o = await book(clients.owner1, { resource_id: 2, start: at(d, '09:30'), end: at(d, '10:30') });
  assert.equal(o.status, 201, o.text);
  assert.equal(o.json.status, 'pending'); // pending requests may overlap each other
});

test('every time rule answers 422 naming the field (in Polish, the default)', async () => {
  const d = day(1, 3);
  const c = clients.res1;
  const cases = [
    [{ start: at(d, '10:00'), end: at(d, '10:00') }, 'end', /później niż początek/],
    [{ start: at(d, '11:00'), end: at(d, '10:00') }, 'end', /później niż początek/],
    [{ start: '2020-01-06T10:00:00', end: '2020-01-06T11:00:00' }, 'start', /w przeszłości/],
    [{ start: `${Number(d.slice(0, 4)) + 3}-06-07T10:00:00`, end: `${Number(d.slice(0, 4)) + 3}-06-07T11:00:00` }, 'start', /dwa lata naprzód/],
    [{ start: at(day(1, 6), '10:00'), end: at(day(1, 6), '11:00') }, 'start', /nie jest otwarty/],
    [{ start: at(d, '07:30'), end: at(d, '08:30') }, 'start', /nie jest otwarty/],
    [{ start: at(d, '17:30'), end: at(d, '18:30') }, 'start', /nie jest otwarty/],
    [{ start: at(d, '10:10'), end: at(d, '11:10') }, 'start', /siatce/],
    [{ start: at(d, '10:00'), end: at(d, '11:10') }, 'end', /siatce/],
    [{ start: at(d, '10:00'), end: at(d, '10:15') }, 'end', /co najmniej 30 min/],
    [{ start: at(d, '08:00'), end: at(d, '17:30') }, 'end', /najwyżej 480 min/],
  ];
  for (const [times, field, msg] of cases) {
    const r = await book(c, { resource_id: 1, ...times });
    assertError(r, 422, 'validation', field);
    assert.match(r.json.message, msg, JSON.stringify(times));
  }
  assertError(await book(c, { resource_id: 999, start: at(d, '10:00'), end: at(d, '11:00') }), 422, 'validation', 'resource_id');
  assert.equal(sql(`SELECT count(*) FROM bookings WHERE start >= strftime('%s', '${d}T00:00:00Z') AND start < strftime('%s', '${d}T23:59:59Z')`), '0');
});

test('garbage bodies are 4xx naming the field and write nothing', async () => {
  const d = day(1, 4);
  const ok = { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:00') };
  const before = sql('SELECT count(*) FROM bookings');
  const cases = [
    [{ ...ok, resource_id: 'one' }, 'resource_id'],
    [{ ...ok, resource_id: 0 }, 'resource_id'],
    [{ ...ok, resource_id: 1.5 }, 'resource_id'],
    [{ ...ok, resource_id: undefined }, 'resource_id'],
    [{ ...ok, start: undefined }, 'start'],
    [{ ...ok, start: 'tomorrow at ten' }, 'start'],
    [{ ...ok, start: 1700000000 }, 'start'],
    [{ ...ok, end: `${Y}-02-30T10:00:00Z` }, 'end'],
    [{ ...ok, end: null }, 'end'],
    [{ ...ok, purpose: 42 }, 'purpose'],
    [{ ...ok, purpose: 'x'.repeat(3000) }, 'purpose'],
    [{ ...ok, purpose: 'bell\u0007' }, 'purpose'],
    [{ ...ok, rrule: 7 }, 'rrule'],
    [{ ...ok, rrule: 'every tuesday' }, 'rrule'],
    [{ ...ok, status: 'approved' }, 'status'],
    [{ ...ok, user_id: users.res2 }, 'user_id'],
  ];
  for (const [body, field] of cases) assertError(await book(clients.res1, body), 422, 'validation', field);
  assertError(await clients.res1.req('POST', '/api/v1/bookings', '[1,2]'), 400, 'bad_request');
  assertError(await clients.res1.req('POST', '/api/v1/bookings', 'resource_id=1', { headers: { 'content-type': 'text/plain' } }), 400, 'bad_request', 'Content-Type');
  assert.equal(sql('SELECT count(*) FROM bookings'), before);
  // the daylight-saving gap and repeat in local time are refused too
  assertError(await book(clients.res1, { ...ok, start: `${SPRING}T02:30:00`, end: `${SPRING}T03:30:00` }), 422, 'validation', 'start');
  assertError(await book(clients.res1, { ...ok, start: `${AUTUMN}T02:30:00`, end: `${AUTUMN}T03:30:00` }), 422, 'validation', 'start');
});

test('training, sharing and guests are 403; staff may book anything', async () => {
  const d = day(1, 5);
  const slot = { start: at(d, '10:00'), end: at(d, '11:00') };
  let r = await book(clients.res1, { resource_id: 4, ...slot });
  assertError(r, 403, 'forbidden');
  assert.match(r.json.message, /wymaga szkolenia/);
  assertError(await book(clients.res2, { resource_id: 3, ...slot }), 403, 'forbidden');
  assertError(await book(clients.guest, { resource_id: 3, ...slot }), 403, 'forbidden');
  // 403 before 422: the untrained user with a bad span hears about training
  assertError(await book(clients.res1, { resource_id: 4, start: slot.start, end: slot.start }), 403, 'forbidden');
  r = await book(clients.guest, { resource_id: 1, ...slot });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.organisation_id, null);
  assert.equal((await book(clients.res1, { resource_id: 3, ...slot })).status, 201);
  assert.equal((await book(clients.staff, { resource_id: 4, ...slot })).status, 201);
  sql(`INSERT INTO training(resource_id, user_id, granted_at) VALUES (4, ${users.res1}, 0)`);
  const t = await book(clients.res1, { resource_id: 4, start: at(d, '11:00'), end: at(d, '12:00') });
  assert.equal(t.status, 201, t.text);
});

test('spans are half-open; blackouts conflict with their ids', async () => {
  const d = day(2, 1);
  const a = await book(clients.res1, { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:00') });
  assert.equal(a.status, 201);
  assert.equal((await book(clients.res2, { resource_id: 1, start: at(d, '11:00'), end: at(d, '12:00') })).status, 201);
  assert.equal((await book(clients.res3, { resource_id: 1, start: at(d, '09:00'), end: at(d, '10:00') })).status, 201);
  const c = await book(clients.res3, { resource_id: 1, start: at(d, '10:30'), end: at(d, '11:30') });
  assertError(c, 409, 'conflict');
  assert.equal(c.json.conflicts.length, 2);
  assert.ok(c.json.conflicts.includes(a.json.id));
  const bid = Number(sql(`INSERT INTO blackouts(resource_id, start, end, reason, created)
    VALUES (1, strftime('%s', '${d}T12:00:00Z'), strftime('%s', '${d}T14:00:00Z'), 'service visit', 0) RETURNING id`));
  const b = await book(clients.res3, { resource_id: 1, start: at(d, '14:00'), end: at(d, '16:00') });
  assertError(b, 409, 'conflict');
  assert.deepEqual(b.json.blackouts, [bid]);
  assert.deepEqual(b.json.conflicts, []);
});

test('lists and objects follow visibility: own, owner of the resource, staff', async () => {
  const d = day(2, 2);
  const mine = await book(clients.res2, { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:00') });
  const id = mine.json.id;
  assertError(await clients.res3.get(`/api/v1/bookings/${id}`), 404, 'not_found');
  assertError(await clients.owner2.get(`/api/v1/bookings/${id}`), 404, 'not_found'); // owner of the booker's org, not the resource's
  assert.equal((await clients.owner1.get(`/api/v1/bookings/${id}`)).status, 200);
  assert.equal((await clients.staff.get(`/api/v1/bookings/${id}`)).status, 200);
  assertError(await clients.res2.get('/api/v1/bookings/0'), 404, 'not_found');
  assertError(await clients.res2.get('/api/v1/bookings/abc'), 404, 'not_found');
  assertError(await clients.res2.get('/api/v1/bookings/99999'), 404, 'not_found');

  const own = await clients.res2.get('/api/v1/bookings?limit=500');
  assert.equal(own.status, 200);
  assert.ok(own.json.items.every((b) => b.user_id === users.res2));
  assert.equal(own.json.total, own.json.items.length);
  const starts = own.json.items.map((b) => b.start);
  assert.deepEqual([...starts].sort(), starts);
  const o1 = await clients.owner1.get('/api/v1/bookings?limit=500');
  assert.ok(o1.json.items.some((b) => b.id === id));
  assert.ok(o1.json.items.every((b) => [1, 2, 3].includes(b.resource_id) || b.user_id === users.owner1));
  const all = await clients.staff.get('/api/v1/bookings?limit=500');
  assert.equal(all.json.total, Number(sql('SELECT count(*) FROM bookings')));

  const f = await clients.staff.get(`/api/v1/bookings?resource_id=1&from=${d}T10:30:00%2B01:00&to=${d}T23:00:00Z&status=approved`);
  assert.equal(f.status, 200);
  assert.ok(f.json.items.some((b) => b.id === id));
  assert.ok(f.json.items.every((b) => b.resource_id === 1 && b.status === 'approved'));
  const mineOnly = await clients.staff.get('/api/v1/bookings?mine=1');
  assert.ok(mineOnly.json.items.every((b) => b.user_id === users.staff));
  const page = await clients.staff.get('/api/v1/bookings?limit=2&offset=1');
  assert.equal(page.json.items.length, 2);
  assert.equal(page.json.items[0].id, all.json.items[1].id);
  assertError(await clients.staff.get('/api/v1/bookings?status=maybe'), 422, 'validation', 'status');
  assertError(await clients.staff.get('/api/v1/bookings?from=yesterday'), 422, 'validation', 'from');
  assertError(await clients.staff.get('/api/v1/bookings?resource_id=x'), 422, 'validation', 'resource_id');
  assertError(await clients.staff.get('/api/v1/bookings?limit=501'), 422, 'validation', 'limit');
});

// Lists take names from a copy kept in memory at the database's count of
// name changes (src/names.h): every change shows in the next list.
test('lists show names as they are now: a renamed resource and booker, a lab given to another organisation', async () => {
  const d = day(3, 4);
  const b = await book(clients.res3, { resource_id: 6, start: at(d, '09:00'), end: at(d, '10:00') });
  assert.equal(b.status, 201, b.text);
  const listed = async () => {
    const r = await clients.staff.get(`/api/v1/bookings?resource_id=6&from=${d}T00:00:00Z&to=${d}T23:59:00Z`);
    assert.equal(r.status, 200, r.text);
    const item = r.json.items.find((x) => x.id === b.json.id);
    assert.ok(item, r.text);
    return item;
  };
  const before = await listed();
  assert.equal(before.resource_name, 'Plate reader');
  assert.equal(before.resource_organisation_id, 2);
  assert.equal(before.user_name, b.json.user_name);

  assert.equal((await clients.owner2.patch('/api/v1/resources/6', { name: 'Plate reader (new)' })).status, 200);
  assert.equal((await listed()).resource_name, 'Plate reader (new)');
  assert.equal((await clients.res3.patch('/api/v1/me', { name: 'Renamed Researcher' })).status, 200);
  const renamed = await listed();
  assert.equal(renamed.user_name, 'Renamed Researcher');
  // The single booking reads the same names (a join there, the copy here).
  const one = await clients.staff.get(`/api/v1/bookings/${b.json.id}`);
  assert.equal(one.json.user_name, renamed.user_name);
  assert.equal(one.json.resource_name, renamed.resource_name);

  sql('UPDATE labs SET organisation_id = 3 WHERE id = 2');
  try {
    assert.equal((await listed()).resource_organisation_id, 3);
  } finally {
    sql('UPDATE labs SET organisation_id = 2 WHERE id = 2');
  }
  assert.equal((await listed()).resource_organisation_id, 2);
  assert.equal((await clients.owner2.patch('/api/v1/resources/6', { name: 'Plate reader' })).status, 200);
});

test('lists: lab_id and organisation_id of the resource, booker_organisation_id, order=desc, span limits', async () => {
  const d = day(5, 2);
  // Three bookings on lab 1 (organisation 1) by organisation 2's researcher,
  // one on lab 2 (organisation 2) by organisation 1's researcher.
  const a = (await book(clients.res2, { resource_id: 1, start: at(d, '09:00'), end: at(d, '10:00') })).json;
  const b = (await book(clients.res2, { resource_id: 2, start: at(d, '11:00'), end: at(d, '12:00') })).json;
  const c = (await book(clients.res2, { resource_id: 1, start: at(d, '13:00'), end: at(d, '14:00') })).json;
  const e = (await book(clients.res1, { resource_id: 5, start: at(d, '10:00'), end: at(d, '11:00') })).json;
  for (const x of [a, b, c, e]) assert.ok(x.id, JSON.stringify(x));
  const span = `from=${d}T00:00:00Z&to=${d}T23:59:00Z`;
  const ids = (r) => r.json.items.map((x) => x.id);

  const lab1 = await clients.staff.get(`/api/v1/bookings?lab_id=1&${span}`);
  assert.equal(lab1.status, 200);
  assert.deepEqual(ids(lab1), [a.id, b.id, c.id]);
  assert.equal(lab1.json.total, 3);
  const lab2 = await clients.staff.get(`/api/v1/bookings?lab_id=2&${span}`);
  assert.deepEqual(ids(lab2), [e.id]);
  // organisation_id is the resource's organisation (API.md v1.1) ...
  assert.deepEqual(ids(await clients.staff.get(`/api/v1/bookings?organisation_id=1&${span}`)), [a.id, b.id, c.id]);
  assert.deepEqual(ids(await clients.staff.get(`/api/v1/bookings?organisation_id=2&${span}`)), [e.id]);
  // ... and booker_organisation_id the booker's, what organisation_id meant in v1.
  assert.deepEqual(ids(await clients.staff.get(`/api/v1/bookings?booker_organisation_id=2&${span}`)), [a.id, b.id, c.id]);
  assert.deepEqual(ids(await clients.staff.get(`/api/v1/bookings?booker_organisation_id=1&${span}`)), [e.id]);
  // Newest first, paged the same way.
  const desc = await clients.staff.get(`/api/v1/bookings?lab_id=1&${span}&order=desc`);
  assert.deepEqual(ids(desc), [c.id, b.id, a.id]);
  const page = await clients.staff.get(`/api/v1/bookings?lab_id=1&${span}&order=desc&limit=1&offset=1`);
  assert.deepEqual(ids(page), [b.id]);
  assert.equal(page.json.total, 3);
  const beyond = await clients.staff.get(`/api/v1/bookings?lab_id=1&${span}&limit=2&offset=5`);
  assert.deepEqual(ids(beyond), []);
  assert.equal(beyond.json.total, 3);
  // Visibility stays: owner 1 sees all of lab 1 (their organisation's
  // resources) but of lab 2 only their own; researchers only their own.
  assert.deepEqual(ids(await clients.owner1.get(`/api/v1/bookings?lab_id=1&${span}`)), [a.id, b.id, c.id]);
  assert.deepEqual(ids(await clients.owner1.get(`/api/v1/bookings?lab_id=2&${span}`)), []);
  assert.deepEqual(ids(await clients.owner2.get(`/api/v1/bookings?lab_id=2&${span}`)), [e.id]);
  assert.deepEqual(ids(await clients.res1.get(`/api/v1/bookings?lab_id=1&${span}`)), []);
  assert.deepEqual(ids(await clients.res2.get(`/api/v1/bookings?organisation_id=1&${span}`)), [a.id, b.id, c.id]);

  // A list's items are written row by row, not from the Booking shape's
  // tree: each is the same object GET /api/v1/bookings/{id} answers.
  for (const item of lab1.json.items)
    assert.deepEqual(item, (await clients.staff.get(`/api/v1/bookings/${item.id}`)).json);
  // The filters are documented where the forms and clients read them.
  const doc = (await clients.staff.get('/api/v1/openapi.json')).json;
  const params = doc.paths['/api/v1/bookings'].get.parameters.map((p) => p.name);
  for (const p of ['lab_id', 'organisation_id', 'booker_organisation_id', 'order', 'from', 'to', 'limit', 'offset'])
    assert.ok(params.includes(p), `GET /api/v1/bookings does not document ${p}`);

  assertError(await clients.staff.get('/api/v1/bookings?order=newest'), 422, 'validation', 'order');
  assertError(await clients.staff.get('/api/v1/bookings?lab_id=0'), 422, 'validation', 'lab_id');
  assertError(await clients.staff.get('/api/v1/bookings?booker_organisation_id=x'), 422, 'validation', 'booker_organisation_id');
  assertError(await clients.staff.get(`/api/v1/bookings?from=${d}T10:00:00Z&to=${d}T10:00:00Z`), 422, 'validation', 'to');
  // API.md sets no longest span: two years answer as `from` alone does.
  const from = new Date(`${d}T00:00:00Z`);
  const twoYears = new Date(from.getTime() + 731 * 86400000).toISOString();
  const long = await clients.staff.get(`/api/v1/bookings?from=${d}T00:00:00Z&to=${twoYears}&limit=500`);
  assert.equal(long.status, 200, long.text);
  const open = await clients.staff.get(`/api/v1/bookings?from=${d}T00:00:00Z&limit=500`);
  assert.deepEqual(long.json.items.map((b) => b.id), open.json.items.map((b) => b.id));
});

test('approve, decline and their precedence: 404, then 403, then 422, then 409', async () => {
  const d = day(2, 3);
  const a = (await book(clients.res2, { resource_id: 2, start: at(d, '10:00'), end: at(d, '11:00'), purpose: 'sorting' })).json;
  const b = (await book(clients.res3, { resource_id: 2, start: at(d, '10:30'), end: at(d, '11:30') })).json;
  assert.equal(a.status, 'pending');
  assert.equal(b.status, 'pending');
  // a researcher of another organisation cannot see it; the booker sees but may not decide
  assertError(await clients.res1.post(`/api/v1/bookings/${a.id}/approve`), 404, 'not_found');
  assertError(await clients.owner2.post(`/api/v1/bookings/${a.id}/approve`), 404, 'not_found');
  assertError(await clients.res2.post(`/api/v1/bookings/${a.id}/approve`), 403, 'forbidden');
  assertError(await clients.res2.post(`/api/v1/bookings/${a.id}/approve`, { nonsense: 1 }), 403, 'forbidden');
  assertError(await clients.res1.post(`/api/v1/bookings/${a.id}/decline`, { reason: 5 }), 404, 'not_found');
  assertError(await clients.owner1.post(`/api/v1/bookings/${a.id}/approve`, { nonsense: 1 }), 422, 'validation', 'nonsense');
  assertError(await clients.owner1.post(`/api/v1/bookings/${a.id}/decline`, { reason: 5 }), 422, 'validation', 'reason');
  assertError(await clients.owner1.post('/api/v1/bookings/99999/approve'), 404, 'not_found');

  const ok = await clients.owner1.post(`/api/v1/bookings/${a.id}/approve`);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.status, 'approved');
  assert.equal(ok.json.decided_by, users.owner1);
  assert.equal(ok.json.sequence, 1);
  assert.ok(ok.json.updated >= a.updated);
  const again = await clients.owner1.post(`/api/v1/bookings/${a.id}/approve`);
  assertError(again, 409, 'conflict');
  assert.match(again.json.message, /tylko rezerwacje oczekujące można/);
  const clash = await clients.staff.post(`/api/v1/bookings/${b.id}/approve`);
  assertError(clash, 409, 'conflict');
  assert.deepEqual(clash.json.conflicts, [a.id]);

  const dec = await clients.owner1.post(`/api/v1/bookings/${b.id}/decline`, { reason: 'overlaps an approved session' });
  assert.equal(dec.status, 200);
  assert.equal(dec.json.status, 'declined');
  assert.equal(dec.json.reason, 'overlaps an approved session');
  assertError(await clients.owner1.post(`/api/v1/bookings/${b.id}/decline`, { reason: 'again' }), 409, 'conflict');
  // a decline needs a reason: 422 naming it comes before the state's 409
  assertError(await clients.owner1.post(`/api/v1/bookings/${b.id}/decline`), 422, 'validation', 'reason');
  assertError(await clients.owner1.post(`/api/v1/bookings/${b.id}/cancel`), 409, 'conflict');
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE action IN ('booking.approve', 'booking.decline') AND object_id IN (${a.id}, ${b.id}) AND ip = '127.0.0.1'`), '2');
});

test('cancel by the booker, the owner or staff; a series one by one or the rest of it', async () => {
  const d = day(3, 1);
  const x = (await book(clients.res2, { resource_id: 1, start: at(d, '08:00'), end: at(d, '09:00') })).json;
  assertError(await clients.res3.post(`/api/v1/bookings/${x.id}/cancel`), 404, 'not_found');
  assertError(await clients.res2.post(`/api/v1/bookings/${x.id}/cancel`, { scope: 'all' }), 422, 'validation', 'scope');
  const c = await clients.res2.post(`/api/v1/bookings/${x.id}/cancel`, { reason: 'sample not ready' });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.status, 'cancelled');
  assert.equal(c.json.reason, 'sample not ready');
  assert.ok(c.json.cancelled_at);
  assert.equal(c.json.sequence, 1);
  assertError(await clients.res2.post(`/api/v1/bookings/${x.id}/cancel`), 409, 'conflict');
  // the slot is free again
  assert.equal((await book(clients.res3, { resource_id: 1, start: at(d, '08:00'), end: at(d, '09:00') })).status, 201);

  const s = await book(clients.res2, { resource_id: 1, start: at(d, '12:00'), end: at(d, '13:00'), purpose: 'weekly imaging', rrule: 'FREQ=WEEKLY;COUNT=5' });
  assert.equal(s.status, 201, s.text);
  assert.ok(s.json.series_id > 0);
  assert.equal(s.json.bookings.length, 5);
  assert.equal(s.json.id, s.json.bookings[0].id);
  for (const b of s.json.bookings) {
    assert.equal(b.series_id, s.json.series_id);
    assert.equal(b.status, 'approved');
    assert.equal(new Date(b.start).toLocaleString('en-GB', { timeZone: 'Europe/Warsaw', hour: '2-digit', minute: '2-digit', weekday: 'short' }), 'Mon 12:00');
  }
  const ids = s.json.bookings.map((b) => b.id);
  assert.equal((await clients.owner1.post(`/api/v1/bookings/${ids[1]}/cancel`)).status, 200);
  const rest = await clients.res2.post(`/api/v1/bookings/${ids[2]}/cancel`, { scope: 'following' });
  assert.equal(rest.status, 200, rest.text);
  assert.deepEqual(rest.json.cancelled.map((b) => b.id), ids.slice(2));
  const left = await clients.res2.get(`/api/v1/bookings?series_id=${s.json.series_id}`);
  assert.deepEqual(left.json.items.map((b) => b.status), ['approved', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE action = 'booking.cancel' AND object_id IN (${ids.join(',')})`), '4');
});

test('recurring requests are all-or-nothing and capped', async () => {
  const d = day(4, 2);
  const taken = (await book(clients.res1, { resource_id: 1, start: at(day(6, 2), '10:00'), end: at(day(6, 2), '11:00') })).json;
  const before = sql('SELECT count(*) FROM bookings');
  const c = await book(clients.res2, { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:00'), rrule: 'FREQ=WEEKLY;COUNT=4' });
  assertError(c, 409, 'conflict');
  assert.deepEqual(c.json.conflicts, [taken.id]);
  const v = await book(clients.res2, { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:00'), rrule: 'FREQ=DAILY;COUNT=6' });
  assertError(v, 422, 'validation', 'rrule');
  assert.match(v.json.message, /^#5 \(/); // Tuesday + 4 days = Saturday
  assertError(await book(clients.res2, { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:00'), rrule: 'FREQ=DAILY;COUNT=201' }), 422, 'validation', 'rrule');
  assertError(await book(clients.res2, { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:00'), rrule: 'FREQ=WEEKLY' }), 422, 'validation', 'rrule');
  assertError(await book(clients.res2, { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:00'), rrule: 'FREQ=MONTHLY;COUNT=30' }), 422, 'validation', 'rrule');
  // Rules no month or year can satisfy (libical would search to the year
  // 20000 for each): refused at once, and the server keeps answering.
  for (const rrule of ['FREQ=MONTHLY;BYDAY=6FR;COUNT=3', 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2',
    'FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2', 'FREQ=WEEKLY;BYDAY=2TU;COUNT=2']) {
    const r = await book(clients.res2, { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:00'), rrule });
    assertError(r, 422, 'validation', 'rrule');
  }
  assert.equal(sql('SELECT count(*) FROM bookings'), before);
  assert.equal(sql(`SELECT count(*) FROM series s WHERE NOT EXISTS (SELECT 1 FROM bookings b WHERE b.series_id = s.id)`), '0');
});

test('PATCH moves re-check every rule; a booker moving an approved request sends it back to pending', async () => {
  const d = day(3, 4);
  const b = (await book(clients.res2, { resource_id: 2, start: at(d, '10:00'), end: at(d, '11:00') })).json;
  assert.equal((await clients.owner1.post(`/api/v1/bookings/${b.id}/approve`)).status, 200);
  assertError(await clients.res3.patch(`/api/v1/bookings/${b.id}`, { start: 'garbage' }), 404, 'not_found');
  assertError(await clients.res2.patch(`/api/v1/bookings/${b.id}`, { start: 'garbage' }), 422, 'validation', 'start');
  assertError(await clients.res2.patch(`/api/v1/bookings/${b.id}`, { status: 'approved' }), 422, 'validation', 'status');
  assertError(await clients.res2.patch(`/api/v1/bookings/${b.id}`, {}), 422, 'validation');
  assertError(await clients.res2.patch(`/api/v1/bookings/${b.id}`, { start: at(d, '10:10'), end: at(d, '11:10') }), 422, 'validation', 'start');
  assertError(await clients.res2.patch(`/api/v1/bookings/${b.id}`, { end: at(d, '19:00') }), 422, 'validation');
  const p = await clients.res2.patch(`/api/v1/bookings/${b.id}`, { purpose: 'cell sorting' });
  assert.equal(p.json.status, 'approved');
  const m = await clients.res2.patch(`/api/v1/bookings/${b.id}`, { start: at(d, '14:00'), end: at(d, '15:30') });
  assert.equal(m.status, 200, m.text);
  assert.equal(m.json.status, 'pending');
  assert.equal(m.json.decided_by, null);
  assert.equal(m.json.purpose, 'cell sorting');
  assert.equal(m.json.sequence, 3);
  assert.equal((await clients.owner1.post(`/api/v1/bookings/${b.id}/approve`)).status, 200);
  const o = await clients.owner1.patch(`/api/v1/bookings/${b.id}`, { start: at(d, '15:00'), end: at(d, '16:00') });
  assert.equal(o.json.status, 'approved');
  // onto another approved booking: 409
  const other = (await book(clients.res1, { resource_id: 2, start: at(d, '08:00'), end: at(d, '09:00') })).json;
  await clients.owner1.post(`/api/v1/bookings/${other.id}/approve`);
  const clash = await clients.owner1.patch(`/api/v1/bookings/${b.id}`, { start: at(d, '08:30'), end: at(d, '09:30') });
  assertError(clash, 409, 'conflict');
  assert.deepEqual(clash.json.conflicts, [other.id]);
  assert.equal(sql(`SELECT count(*) FROM audit_log WHERE action = 'booking.move' AND object_id = ${b.id}`), '3');
});

test('no-show: managers only, approved bookings only, after the end', async () => {
  // a past approved booking written directly (the API refuses the past)
  const past = Number(sql(`INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, status, created, updated)
    VALUES (1, ${users.res2}, 2, strftime('%s','now') - 7200, strftime('%s','now') - 3600, 'approved', 0, 0) RETURNING id`));
  const future = (await book(clients.res2, { resource_id: 1, start: at(day(3, 5), '10:00'), end: at(day(3, 5), '11:00') })).json;
  assertError(await clients.res3.post(`/api/v1/bookings/${past}/no-show`), 404, 'not_found');
  assertError(await clients.res2.post(`/api/v1/bookings/${past}/no-show`), 403, 'forbidden');
  assertError(await clients.owner1.post(`/api/v1/bookings/${past}/no-show`, { no_show: 'yes' }), 422, 'validation', 'no_show');
  assertError(await clients.owner1.post(`/api/v1/bookings/${future.id}/no-show`), 409, 'conflict');
  const r = await clients.owner1.post(`/api/v1/bookings/${past}/no-show`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.no_show, true);
  const u = await clients.staff.del(`/api/v1/bookings/${past}/no-show`);
  assert.equal(u.json.no_show, false);
  assert.equal((await clients.staff.post(`/api/v1/bookings/${past}/no-show`, { no_show: true })).json.no_show, true);
  assert.equal(sql(`SELECT no_show || ':' || sequence FROM bookings WHERE id = ${past}`), '1:3');
});

test('availability gives open hours, busy spans (ids only when allowed) and blackouts', async () => {
  const d = day(5, 1);
  const mine = (await book(clients.res2, { resource_id: 6, start: at(d, '10:00'), end: at(d, '11:00') })).json;
  const theirs = (await book(clients.res3, { resource_id: 6, start: at(d, '10:30'), end: at(d, '11:30') })).json;
  const r = await clients.res2.get(`/api/v1/resources/6/availability?from=${d}&to=${day(6, 1)}`);
  assert.equal(r.status, 200, r.text);
  const a = r.json;
  assert.equal(a.resource_id, 6);
  assert.equal(a.open.length, 5);
  assert.equal(new Date(a.open[0].start).toLocaleString('en-GB', { timeZone: 'Europe/Warsaw', hour: '2-digit', minute: '2-digit' }), '08:00');
  assert.deepEqual(a.busy, [
    { start: mine.start, end: mine.end, status: 'pending', mine: true, booking_id: mine.id },
    { start: theirs.start, end: theirs.end, status: 'pending', mine: false, booking_id: null },
  ]);
  assert.deepEqual(a.blackouts, []);
  const o = await clients.owner2.get(`/api/v1/resources/6/availability?from=${d}&to=${day(6, 1)}`);
  assert.deepEqual(o.json.busy.map((b) => b.booking_id), [mine.id, theirs.id]);
  const week = await clients.res1.get('/api/v1/resources/6/availability');
  assert.equal(week.status, 200);
  assert.equal(Date.parse(week.json.to) - Date.parse(week.json.from) >= 167 * 3600e3, true);
  assertError(await clients.res1.get(`/api/v1/resources/6/availability?from=${d}&to=${day(15, 1)}`), 422, 'validation', 'to');
  assertError(await clients.res1.get(`/api/v1/resources/6/availability?from=${day(6, 1)}&to=${d}`), 422, 'validation', 'to');
  assertError(await clients.res1.get('/api/v1/resources/6/availability?from=soon'), 422, 'validation', 'from');
  assertError(await clients.res1.get('/api/v1/resources/999/availability'), 404, 'not_found');
});

test('concurrency: 40 simultaneous requests for one slot give exactly one approved booking', async () => {
  const n = 40;
  const racers = [];
  for (let i = 0; i < n; i++) {
    const email = `racer${i}@booking.test`;
    addUser(srv, { email, organisation: 1 + (i % 3) });
    racers.push(await signIn(email));
  }
  const d = day(7, 3);
  const body = { resource_id: 5, start: at(d, '10:00'), end: at(d, '12:00'), purpose: 'race' };
  const answers = await Promise.all(racers.map((c, i) =>
    c.post('/api/v1/bookings', { ...body, start: i % 2 ? body.start : at(d, '11:00'), end: i % 2 ? body.end : at(d, '13:00') })));
  const created = answers.filter((r) => r.status === 201);
  const refused = answers.filter((r) => r.status === 409);
  assert.equal(created.length, 1, answers.map((r) => r.status).join(' '));
  assert.equal(refused.length, n - 1, answers.map((r) => r.status).join(' '));
  assert.equal(created[0].json.status, 'approved');
  for (const r of refused) assert.deepEqual(r.json.conflicts, [created[0].json.id]);
  const overlaps = sql(`SELECT count(*) FROM bookings a JOIN bookings b ON a.resource_id = b.resource_id AND a.id < b.id
    WHERE a.status = 'approved' AND b.status = 'approved' AND a.start < b.end AND b.start < a.end`);
  assert.equal(overlaps, '0');
});

test('concurrency: parallel approvals of overlapping requests approve exactly one', async () => {
  const d = day(7, 4);
  const pending = [];
  for (const [i, who] of ['res1', 'res2', 'res3', 'guest', 'owner2', 'staff'].entries()) {
    const r = await book(clients[who], { resource_id: 2, start: at(d, i % 2 ? '10:00' : '10:30'), end: at(d, i % 2 ? '11:00' : '11:30') });
    assert.equal(r.status, 201, r.text);
    pending.push(r.json.id);
  }
  const deciders = [clients.owner1, clients.staff];
  const answers = await Promise.all(pending.flatMap((id) => deciders.map((c) => c.post(`/api/v1/bookings/${id}/approve`))));
  assert.equal(answers.filter((r) => r.status === 200).length, 1, answers.map((r) => r.status).join(' '));
  assert.equal(answers.filter((r) => r.status === 409).length, answers.length - 1);
  assert.equal(sql(`SELECT count(*) FROM bookings WHERE id IN (${pending.join(',')}) AND status = 'approved'`), '1');
  const overlaps = sql(`SELECT count(*) FROM bookings a JOIN bookings b ON a.resource_id = b.resource_id AND a.id < b.id
    WHERE a.status = 'approved' AND b.status = 'approved' AND a.start < b.end AND b.start < a.end`);
  assert.equal(overlaps, '0');
});

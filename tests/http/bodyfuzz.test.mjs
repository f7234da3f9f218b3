// bodyfuzz.test.mjs — every route that takes a JSON body, over real HTTP,
// with bodies broken one member at a time and as a whole.
//
// The libFuzzer harnesses (tests/fuzz/) cover the shared JSON reader and the
// booking, feed and resource conversions in-process; this test reaches every
// other route's own body handling through the real server (the ASan+UBSan
// build under ./dev test). Each route starts from a valid body; every member
// is in turn removed and replaced by values of each wrong kind (null, booleans,
// numbers at the edges, empty/huge/control/markup strings, impossible dates,
// arrays, objects), an unknown member is added, and the whole body is replaced
// by malformed JSON, other JSON types, a BOM, duplicate and deeply nested
// members. The rules checked on each answer:
//   - never a 5xx, never a dropped connection;
//   - a 4xx is the API's error shape ({error, message}); a 422 names a field;
//   - a refused request changes nothing: a fingerprint of every table (row
//     counts and the sums of `updated`, `sequence`, `start`, `end`, `role`,
//     `active`, `name`) is the same before and after (failed sign-ins and
//     password checks are audited by design, and their rows left out);
// and at the end the database passes integrity and foreign-key checks and the
// server exits cleanly with no sanitizer report.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, addUser, sqlite as sql, SqliteShell, integrity, ENGINE, DEMO_PASSWORD, PASSWORD } from './lib.mjs';

let srv;
const staff = () => clients.staff;
const clients = {};
const ids = {};

let fingerprintSql, shell;
function fingerprint() {
  return shell.query(fingerprintSql);
}

// Wrong values for one member: a JSON text each (some are not expressible as
// JS values: the integer beyond 2^53, an escaped NUL).
const BAD_VALUES = [
  'null', 'true', 'false', '0', '-1', '1.5', '1e308', '-1e308', '9007199254740993', '-9223372036854775809',
  '""', '" "', JSON.stringify('x'.repeat(3000)), '"a\\u0000b"', '"\\u0007\\u001f"', JSON.stringify('<script>alert(1)</script>'),
  '"2027-02-30T10:00:00Z"', '"9999-12-31T23:59:59Z"', '"1969-12-31T23:59:59Z"', JSON.stringify('ÿ😀łżź\u2028'),
  '"1 OR 1=1"', '[]', '[1,"a",null]', '{}', '{"$gt":""}', '"\\ud800"',
];

// Whole bodies: [text, content-type].
const BAD_BODIES = [
  ['', 'application/json'], ['[]', 'application/json'], ['"text"', 'application/json'], ['1', 'application/json'],
  ['null', 'application/json'], ['{', 'application/json'], ['{"a":}', 'application/json'], ['{"a":1}garbage', 'application/json'],
  ['\ufeff{}', 'application/json'], ['{"a":1}', 'text/plain'], ['{}', 'application/x-www-form-urlencoded'],
  ['{' + '"a":{'.repeat(200) + '}'.repeat(201), 'application/json'],
  [JSON.stringify(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`m${i}`, i]))), 'application/json'],
  ['\x00{}', 'application/json'], ['{"\\u0000":1}', 'application/json'],
];

/** The routes with bodies: [client, method, path, valid body]. */
function routes() {
  const d = (days, hh) => {
    const t = new Date(Date.now() + days * 86400000);
    return `${t.toISOString().slice(0, 10)}T${hh}:00:00Z`;
  };
  return [
    ['anon', 'POST', '/api/v1/session', { email: 'researcher@labshare.demo', password: DEMO_PASSWORD }],
    ['me', 'PATCH', '/api/v1/me', { name: 'Fuzz Person', lang: 'pl' }],
    ['me', 'PATCH', '/api/v1/me/notifications', { request: true, decision: false, change: true, reminder: false }],
    ['me', 'POST', '/api/v1/me/password', { current: PASSWORD, new: 'another long phrase 9' }],
    ['staff', 'POST', '/api/v1/users', { email: 'fuzz.new@test.pl', name: 'Nowy', password: PASSWORD, role: 'researcher', organisation_id: ids.org }],
    ['staff', 'PATCH', `/api/v1/users/${ids.target}`, { name: 'Cel', role: 'owner', organisation_id: ids.org, active: true }],
    ['staff', 'POST', `/api/v1/users/${ids.target}/password`, { password: 'a very new phrase 7' }],
    ['staff', 'POST', '/api/v1/organisations', { name: 'Fuzz Org', short_name: 'FO', group: 'R&D', package: 'silver', member: true, city: 'Kraków', website: 'https://example.org', description: 'x' }],
    ['staff', 'PATCH', `/api/v1/organisations/${ids.org}`, { city: 'Tarnów', package: 'gold', member: true }],
    ['staff', 'POST', '/api/v1/labs', { organisation_id: ids.org, name: 'Fuzz lab', kind: 'scientific', area_m2: 50, energy_kwh_per_m2_year: 300, biosafety_level: 2 }],
    ['staff', 'PATCH', `/api/v1/labs/${ids.lab}`, { area_m2: 60.5, kind: 'commercial', building: 'B' }],
    ['staff', 'PUT', `/api/v1/labs/${ids.lab}/mailbox`, { email: 'lab@test.pl' }],
    ['staff', 'POST', '/api/v1/resources', { lab_id: ids.lab, type: 'instrument', name: 'Fuzz instrument', power_kw: 1.5, slot_minutes: 30, min_minutes: 30, max_minutes: 240, requires_approval: true, opening_hours: [{ weekday: 1, open: '08:00', close: '16:00' }] }],
    ['staff', 'PATCH', `/api/v1/resources/${ids.res}`, { name: 'Renamed', standby_kw: 0.2, opening_hours: [{ weekday: 2, open: '09:00', close: '17:00' }],
      prices: { currency: 'EUR', internal: 1, member_academic: 2.5, member_commercial: 3, non_member: null }, funding: { programme: 'FENG', economic_cap: 0.2 } }],
    ['staff', 'POST', `/api/v1/resources/${ids.res}/blackouts`, { start: d(40, '08'), end: d(40, '10'), reason: 'Serwis' }],
    ['staff', 'POST', `/api/v1/resources/${ids.res}/trained`, { user_id: ids.target }],
    ['staff', 'POST', '/api/v1/services', { organisation_id: ids.org, name: 'Fuzz service', description: 'd', resource_ids: [ids.res] }],
    ['staff', 'PATCH', `/api/v1/services/${ids.service}`, { name: 'Renamed service', resource_ids: [ids.res] }],
    ['staff', 'POST', '/api/v1/bookings', { resource_id: ids.res, start: d(50, '09'), end: d(50, '10'), purpose: 'fuzz', rrule: 'FREQ=WEEKLY;COUNT=2' }],
    ['staff', 'PATCH', `/api/v1/bookings/${ids.booking}`, { start: d(51, '09'), end: d(51, '10'), purpose: 'moved' }],
    ['staff', 'POST', `/api/v1/bookings/${ids.pending}/approve`, {}],
    ['staff', 'POST', `/api/v1/bookings/${ids.pending}/decline`, { reason: 'no' }],
    ['staff', 'POST', `/api/v1/bookings/${ids.booking}/cancel`, { reason: 'r', scope: 'one' }],
    ['staff', 'POST', `/api/v1/bookings/${ids.booking}/no-show`, {}],
    ['staff', 'POST', '/api/v1/feeds', { scope: 'resource', id: ids.res }],
    ['staff', 'PUT', '/api/v1/stats/grid-factors/2026', { kg_per_kwh: 0.7 }],
    ['staff', 'PUT', '/api/v1/stats/energy-defaults/scientific', { kwh_per_m2_year: 250 }],
    ['staff', 'PUT', '/api/v1/settings/package-discounts', { standard: 1, silver: 11, gold: 21 }],
    // The account routes anyone may call (staff's invitation and settings
    // bodies are covered by tests/http/accounts.test.mjs).
    ['anon', 'POST', `/api/v1/invitations/${ids.invitation}/accept`, { name: 'Fuzz Invited', password: 'fuzz invited phrase' }],
    ['anon', 'POST', '/api/v1/password-reset', { email: 'fuzz.me@test.pl' }],
    ['anon', 'POST', `/api/v1/password-reset/${ids.reset}`, { password: 'fuzz reset phrase 1' }],
    ['anon', 'POST', '/api/v1/registrations', { email: 'fuzz.reg@test.pl', name: 'Fuzz Reg', password: 'fuzz register phrase', lang: 'pl' }],
  ];
}

/** Every broken variant of a valid body: [label, text, content-type]. */
function variants(body) {
  const out = [];
  const members = Object.keys(body);
  const text = (m, v) => '{' + members.map((k) => `${JSON.stringify(k)}:${k === m ? v : JSON.stringify(body[k])}`).join(',') + '}';
  for (const m of members) {
    const rest = { ...body };
    delete rest[m];
    out.push([`without ${m}`, JSON.stringify(rest), 'application/json']);
    for (const v of BAD_VALUES) out.push([`${m}=${v.slice(0, 40)}`, text(m, v), 'application/json']);
  }
  out.push(['an unknown member', JSON.stringify({ ...body, surprise: 1 }), 'application/json']);
  if (members.length) {
    const m = members[0];
    out.push([`${m} twice`, `{${JSON.stringify(m)}:${JSON.stringify(body[m])},${JSON.stringify(m)}:[],` + text(null, '').slice(1), 'application/json']);
  }
  for (const [b, ct] of BAD_BODIES) out.push([`body ${JSON.stringify(b.slice(0, 30))} as ${ct}`, b, ct]);
  return out;
}

before(async () => {
  srv = await startServer({ demo: true });
  // Tables whose rows a refused request must not touch (sessions and
  // sign-in failures change on reads and failed sign-ins by design).
  const tables = sql(srv.db, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' AND name NOT IN ('sessions','login_failures') ORDER BY name").split('\n');
  const parts = tables.map((t) => {
    const cols = sql(srv.db, `SELECT group_concat(name) FROM pragma_table_info('${t}') WHERE name IN ('updated','sequence','start','end','active','role','name')`).split(',').filter(Boolean);
    // PostgreSQL types each column: a digest of the columns' text instead.
    const sums = ENGINE === 'postgresql'
      ? (cols.length ? [`coalesce(md5(string_agg(concat_ws('|', ${cols.map((c) => `"${c}"`).join(', ')}), ',' ORDER BY concat_ws('|', ${cols.map((c) => `"${c}"`).join(', ')}))), '')`] : [])
      : cols.map((c) => `total(CASE typeof("${c}") WHEN 'integer' THEN "${c}" WHEN 'real' THEN "${c}" ELSE length("${c}") END)`);
    // A refused sign-in or password change is audited on purpose
    // ('session.fail', 'user.password.fail'); nothing else may be.
    const where = t === 'audit_log' ? " WHERE action NOT LIKE '%.fail'" : '';
    return `(SELECT count(*) ${sums.length ? "|| ':' || " + sums.join(" || ':' || ") : ''} FROM "${t}"${where})`;
  });
  fingerprintSql = `SELECT ${parts.join(" || ' ' || ")}`;
  shell = new SqliteShell(srv.db);

  for (const k of ['staff', 'me', 'anon']) clients[k] = new Client(srv.url);
  await clients.staff.login('staff@labshare.demo', DEMO_PASSWORD);
  addUser(srv, { email: 'fuzz.me@test.pl', role: 'researcher' });
  ids.target = addUser(srv, { email: 'fuzz.target@test.pl', role: 'researcher' });
  await clients.me.login('fuzz.me@test.pl');
  const s = staff();
  ids.org = (await s.post('/api/v1/organisations', { name: 'Body Fuzz Org', group: 'BIZ' })).json.id;
  ids.lab = (await s.post('/api/v1/labs', { organisation_id: ids.org, name: 'Body Fuzz Lab', kind: 'scientific', area_m2: 40 })).json.id;
  const allWeek = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, open: '00:00', close: '24:00' }));
  const res = await s.post('/api/v1/resources', { lab_id: ids.lab, type: 'instrument', name: 'Body Fuzz Instrument', requires_approval: true, opening_hours: allWeek });
  assert.equal(res.status, 201, res.text);
  ids.res = res.json.id;
  ids.service = (await s.post('/api/v1/services', { organisation_id: ids.org, name: 'Body Fuzz Service' })).json.id;
  const at = (days, hh) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10) + `T${hh}:00:00Z`;
  const b1 = await s.post('/api/v1/bookings', { resource_id: ids.res, start: at(30, '09'), end: at(30, '10'), purpose: 'one' });
  const b2 = await s.post('/api/v1/bookings', { resource_id: ids.res, start: at(31, '09'), end: at(31, '10'), purpose: 'two' });
  assert.equal(b1.status, 201, b1.text);
  assert.equal(b2.status, 201, b2.text);
  ids.booking = b1.json.id;
  ids.pending = b2.json.id;
  // Links as the mails would carry them (no SMTP here: they wait in the outbox).
  assert.equal((await s.post('/api/v1/invitations', { email: 'fuzz.accept@test.pl' })).status, 201);
  ids.invitation = sql(srv.db, "SELECT link_token FROM outbox WHERE email = 'fuzz.accept@test.pl'");
  assert.equal((await clients.anon.post('/api/v1/password-reset', { email: 'fuzz.target@test.pl' })).status, 202);
  ids.reset = sql(srv.db, "SELECT link_token FROM outbox WHERE email = 'fuzz.target@test.pl' AND kind = 'password_reset'");
  assert.match(ids.invitation + ids.reset, /^[0-9a-f]{128}$/);
});

after(async () => {
  if (shell) await shell.close();
  if (srv) await srv.stop();
});

test('every JSON body route refuses broken bodies with a clear 4xx and writes nothing', { timeout: 600000 }, async (t) => {
  // The fingerprint must see a change as small as one member of one row.
  const f0 = await fingerprint();
  assert.equal((await staff().patch(`/api/v1/users/${ids.target}`, { name: 'Cel Zmieniony' })).status, 200);
  assert.notEqual(await fingerprint(), f0, 'the fingerprint misses a renamed user');
  const problems = [];
  let sent = 0;
  // Each request's "after" is the next one's "before": one read per request.
  let before = await fingerprint();
  for (const [who, method, path, body] of routes()) {
    const c = clients[who];
    for (const [label, text, ct] of variants(body)) {
      const r = await c.req(method, path, text, { headers: { 'content-type': ct } });
      sent++;
      const where = `${method} ${path} (${label})`;
      const after = await fingerprint();
      const changed = after !== before;
      before = after;
      if (r.status === 0 || r.status >= 500) { problems.push(`${where}: ${r.status} ${r.text.slice(0, 200)}`); continue; }
      if (r.status >= 400) {
        if (!r.json || typeof r.json.error !== 'string' || typeof r.json.message !== 'string') problems.push(`${where}: ${r.status} not the error shape: ${r.text.slice(0, 200)}`);
        else if (r.status === 422 && !(typeof r.json.field === 'string' && r.json.field)) problems.push(`${where}: 422 names no field: ${r.text.slice(0, 200)}`);
        if (r.status === 401 && who !== 'anon') problems.push(`${where}: 401 for a signed-in client`);
        if (changed) problems.push(`${where}: refused with ${r.status} but the database changed`);
      }
    }
  }
  t.diagnostic(`${sent} requests over ${routes().length} routes`);
  assert.deepEqual(problems.slice(0, 30), [], `${problems.length} problems`);
  assert.equal(integrity(srv.db), 'ok');
  // Still serving, the staff session intact.
  assert.equal((await staff().get('/api/v1/users?limit=1')).status, 200);
});

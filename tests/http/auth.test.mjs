// auth.test.mjs — accounts, sessions and access control over real HTTP:
// every 401/403 path, CSRF, throttling, deactivation, password changes,
// what the database keeps, the cookie's flags, the users API and the audit log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, Client, assertError, addUser, databaseBytes, PASSWORD, DEMO_PASSWORD } from './lib.mjs';

let srv, anon, staff, owner, researcher;
before(async () => {
  // Behind a (pretend) reverse proxy: X-Forwarded-For / -Proto are honoured.
  srv = await startServer({ demo: true, env: { LABSHARE_TRUST_PROXY: '1' } });
  anon = new Client(srv.url);
  staff = new Client(srv.url);
  owner = new Client(srv.url);
  researcher = new Client(srv.url);
  await staff.login('staff@labshare.demo', DEMO_PASSWORD);
  await owner.login('owner@labshare.demo', DEMO_PASSWORD);
  await researcher.login('researcher@labshare.demo', DEMO_PASSWORD);
});
after(async () => { await srv.stop(); });

const sql = (q) => spawnSync('sqlite3', [srv.db, q], { encoding: 'utf8' }).stdout.trim();

let seq = 0;
/** A new user through the API (as staff), signed in on its own client. */
async function freshUser(extra = {}) {
  const email = `person${++seq}-${Date.now()}@example.org`;
  const r = await staff.post('/api/v1/users', { email, name: 'Zofia Test', password: PASSWORD, role: 'researcher', ...extra });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.email, email);
  assert.equal(r.json.organisation_name, null);
  assert.equal(r.json.active, true);
  const c = new Client(srv.url);
  await c.login(email, PASSWORD);
  return { id: r.json.id, email, client: c };
}

/** Every operation of the server, from its own OpenAPI description. */
async function operations() {
  const doc = (await anon.get('/api/v1/openapi.json')).json;
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const concrete = path.replace(/\{id\}/g, '1').replace(/\{(\w+)\}/g, 'x');
      ops.push({ method: method.toUpperCase(), path: concrete, access: op['x-access'].role, x: op['x-access'], body: !!op.requestBody });
    }
  return ops;
}

const stateChange = (m) => !['GET', 'HEAD'].includes(m);

test('anonymous clients get 401 on every route that is not public', async () => {
  const ops = await operations();
  assert.ok(ops.length >= 12);
  for (const op of ops.filter((o) => o.access !== 'public')) {
    // Even a malformed body and no CSRF token: 401 comes first.
    const r = await anon.req(op.method, op.path, op.body ? '{"broken":' : undefined);
    assertError(r, 401, 'unauthenticated');
  }
});

test('researchers get 403 on staff and owner routes, owners on staff routes', async () => {
  const ops = await operations();
  const staffOnly = ops.filter((o) => o.access === 'staff');
  assert.ok(staffOnly.some((o) => o.path === '/api/v1/audit'));
  assert.ok(staffOnly.some((o) => o.path === '/api/v1/users/1/password'));
  for (const op of staffOnly) {
    for (const c of [researcher, owner]) {
      const r = await c.req(op.method, op.path, op.body ? {} : undefined);
      assertError(r, 403, 'forbidden');
    }
  }
  for (const op of ops.filter((o) => o.access === 'owner'))
    assertError(await researcher.req(op.method, op.path, op.body ? {} : undefined), 403, 'forbidden');
});

test('non-staff may read and change only their own account', async () => {
  const me = researcher.user.id;
  const other = staff.user.id;
  assert.equal((await researcher.get(`/api/v1/users/${me}`)).status, 200);
  assertError(await researcher.get(`/api/v1/users/${other}`), 403, 'forbidden');
  assertError(await researcher.get('/api/v1/users/999999'), 403, 'forbidden'); // says nothing about existence
  assertError(await researcher.patch(`/api/v1/users/${other}`, { name: 'X' }), 403, 'forbidden');
  assertError(await researcher.patch(`/api/v1/users/${me}`, { role: 'staff' }), 403, 'forbidden', 'role');
  assertError(await researcher.patch(`/api/v1/users/${me}`, { active: true }), 403, 'forbidden', 'active');
  assertError(await owner.patch(`/api/v1/users/${owner.user.id}`, { organisation_id: null }), 403, 'forbidden', 'organisation_id');
  assertError(await owner.post(`/api/v1/users/${owner.user.id}/password`, { password: 'a very new phrase' }), 403, 'forbidden');
  assert.equal((await researcher.get('/api/v1/me')).json.role, 'researcher');
});

test('a state change without or with a wrong CSRF token is 403 naming X-CSRF-Token', async () => {
  const ops = (await operations()).filter((o) => o.access !== 'public' && stateChange(o.method));
  assert.ok(ops.length >= 6);
  for (const op of ops) {
    const body = op.body ? {} : undefined;
    assertError(await staff.req(op.method, op.path, body, { csrf: false }), 403, 'forbidden', 'X-CSRF-Token');
    assertError(await staff.req(op.method, op.path, body, { csrf: false, headers: { 'x-csrf-token': 'f'.repeat(64) } }),
      403, 'forbidden', 'X-CSRF-Token');
  }
  // Another session's token does not fit either.
  assertError(await researcher.req('PATCH', '/api/v1/me', { name: 'X' }, { csrf: false, headers: { 'x-csrf-token': staff.csrf } }),
    403, 'forbidden', 'X-CSRF-Token');
});

test('CSRF is checked before malformed JSON, JSON before the role', async () => {
  assertError(await researcher.req('PATCH', '/api/v1/me', '{"name": ', { csrf: false }), 403, 'forbidden', 'X-CSRF-Token');
  assertError(await researcher.req('PATCH', '/api/v1/me', '{"name": '), 400, 'bad_request');
  assertError(await researcher.req('POST', '/api/v1/users', '{"email": '), 400, 'bad_request');
  assertError(await researcher.req('POST', '/api/v1/users', '{}'), 403, 'forbidden');
});

test('30 wrong passwords are throttled with 429 + Retry-After; others still sign in', async () => {
  const victim = `victim-${Date.now()}@example.org`;
  addUser(srv, { email: victim });
  const attacker = new Client(srv.url);
  const headers = { 'x-forwarded-for': '203.0.113.7' };
  const statuses = [];
  let last;
  for (let i = 0; i < 30; i++) {
    last = await attacker.req('POST', '/api/v1/session', { email: victim, password: `wrong guess ${i}` }, { headers });
    statuses.push(last.status);
    assert.ok([401, 429].includes(last.status), last.text);
  }
  assert.equal(statuses[0], 401);
  assert.ok(statuses.filter((s) => s === 429).length >= 20, statuses.join(','));
  assertError(last, 429, 'too_many_requests');
  const wait = Number(last.headers.get('retry-after'));
  assert.ok(wait > 0 && wait <= 900, `Retry-After ${last.headers.get('retry-after')}`);
  // The right password waits too while the account is throttled.
  assertError(await attacker.req('POST', '/api/v1/session', { email: victim, password: PASSWORD }, { headers }), 429, 'too_many_requests');
  // A different account from another address signs in at once.
  const other = new Client(srv.url);
  const ok = await other.req('POST', '/api/v1/session', { email: 'owner@labshare.demo', password: DEMO_PASSWORD },
    { headers: { 'x-forwarded-for': '198.51.100.20' } });
  assert.equal(ok.status, 200, ok.text);
  // The failures are in the audit log, with the address the proxy saw.
  const audit = await staff.get('/api/v1/audit?action=session.fail&limit=100');
  assert.ok(audit.json.items.some((e) => e.ip === '203.0.113.7'));
});

test('a deactivated user loses their open session at once', async () => {
  const u = await freshUser();
  assert.equal((await u.client.get('/api/v1/me')).status, 200);
  const r = await staff.patch(`/api/v1/users/${u.id}`, { active: false });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.active, false);
  assertError(await u.client.get('/api/v1/me'), 401, 'unauthenticated');
  assertError(await new Client(srv.url).post('/api/v1/session', { email: u.email, password: PASSWORD }), 401, 'unauthenticated');
  assert.equal(sql(`SELECT count(*) FROM sessions WHERE user_id = ${u.id}`), '0');
  // Reactivated, they can sign in again.
  assert.equal((await staff.patch(`/api/v1/users/${u.id}`, { active: true })).status, 200);
  await new Client(srv.url).login(u.email, PASSWORD);
});

test('a role change ends the user\'s sessions and takes effect', async () => {
  const u = await freshUser();
  const orgId = owner.user.organisation_id;
  assertError(await staff.patch(`/api/v1/users/${u.id}`, { role: 'owner', organisation_id: null }), 422, 'validation', 'organisation_id');
  assert.equal((await u.client.get('/api/v1/me')).status, 200); // nothing changed
  const r = await staff.patch(`/api/v1/users/${u.id}`, { role: 'owner', organisation_id: orgId });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.role, 'owner');
  assert.equal(r.json.organisation_id, orgId);
  assertError(await u.client.get('/api/v1/me'), 401, 'unauthenticated');
  const again = new Client(srv.url);
  await again.login(u.email, PASSWORD);
  assert.equal(again.user.role, 'owner');
  // Staff cannot demote or deactivate themselves.
  assertError(await staff.patch(`/api/v1/users/${staff.user.id}`, { role: 'researcher' }), 422, 'validation', 'role');
  assertError(await staff.patch(`/api/v1/users/${staff.user.id}`, { active: false }), 422, 'validation', 'active');
});

test('a password change keeps this session and ends the others', async () => {
  const u = await freshUser();
  const second = new Client(srv.url);
  await second.login(u.email, PASSWORD);
  assertError(await u.client.post('/api/v1/me/password', { current: 'not it at all', new: 'brand new phrase 1' }), 422, 'validation', 'current');
  assertError(await u.client.post('/api/v1/me/password', { current: PASSWORD, new: 'short' }), 422, 'validation', 'new');
  assertError(await u.client.post('/api/v1/me/password', { current: PASSWORD }), 422, 'validation', 'new');
  assertError(await u.client.post('/api/v1/me/password', { current: PASSWORD, new: 'brand new phrase 1', x: 1 }), 422, 'validation', 'x');
  assertError(await u.client.post('/api/v1/me/password', { current: 5, new: 'brand new phrase 1' }), 422, 'validation', 'current');
  assert.equal((await second.get('/api/v1/me')).status, 200); // failures changed nothing
  const r = await u.client.post('/api/v1/me/password', { current: PASSWORD, new: 'brand new phrase 1' });
  assert.equal(r.status, 204, r.text);
  assert.equal((await u.client.get('/api/v1/me')).status, 200);
  assert.equal((await u.client.patch('/api/v1/me', { lang: 'en' })).status, 200); // CSRF token still good
  assertError(await second.get('/api/v1/me'), 401, 'unauthenticated');
  assertError(await new Client(srv.url).post('/api/v1/session', { email: u.email, password: PASSWORD }), 401, 'unauthenticated');
  await new Client(srv.url).login(u.email, 'brand new phrase 1');
});

test('a staff password reset ends every session of the user', async () => {
  const u = await freshUser();
  assertError(await staff.post(`/api/v1/users/${u.id}/password`, { password: 'tiny' }), 422, 'validation', 'password');
  assertError(await staff.post(`/api/v1/users/${u.id}/password`, {}), 422, 'validation', 'password');
  assertError(await staff.post('/api/v1/users/999999/password', { password: 'a fine new phrase' }), 404, 'not_found');
  assert.equal((await u.client.get('/api/v1/me')).status, 200);
  assert.equal((await staff.post(`/api/v1/users/${u.id}/password`, { password: 'a fine new phrase' })).status, 204);
  assertError(await u.client.get('/api/v1/me'), 401, 'unauthenticated');
  await new Client(srv.url).login(u.email, 'a fine new phrase');
});

test('the database holds only hashes of passwords and session ids', async () => {
  const u = await freshUser();
  const token = u.client.cookie.split('=')[1];
  assert.match(token, /^[0-9a-f]{64}$/);
  assert.equal(sql(`SELECT count(*) FROM sessions WHERE id_hash = '${token}' OR lower(hex(id_hash)) = '${token}' OR csrf = '${token}'`), '0');
  assert.equal(sql(`SELECT count(*) FROM sessions WHERE user_id = ${u.id} AND length(id_hash) = 32`), '1');
  assert.equal(sql("SELECT count(*) FROM users WHERE password_hash NOT LIKE '$argon2id$%'"), '0');
  assert.equal(sql(`SELECT count(*) FROM users WHERE instr(password_hash, '${PASSWORD}') > 0`), '0');
  // Not anywhere in the database (SQLite: the file or its write-ahead log) either.
  const bytes = databaseBytes(srv.db);
  assert.equal(bytes.indexOf(token), -1, 'session id in the database');
  assert.equal(bytes.indexOf(PASSWORD), -1, 'password in the database');
  assert.equal(bytes.indexOf(DEMO_PASSWORD), -1, 'demo password in the database');
});

test('the session cookie is HttpOnly and SameSite=Lax, Secure behind an https proxy', async () => {
  const body = { email: 'researcher@labshare.demo', password: DEMO_PASSWORD };
  let r = await new Client(srv.url).post('/api/v1/session', body);
  let c = r.headers.get('set-cookie');
  assert.match(c, /labshare_session=[0-9a-f]{64}/);
  assert.match(c, /HttpOnly/);
  assert.match(c, /SameSite=Lax/);
  assert.match(c, /Path=\//);
  assert.doesNotMatch(c, /Secure/);
  const https = new Client(srv.url);
  r = await https.post('/api/v1/session', body, { headers: { 'x-forwarded-proto': 'https' } });
  c = r.headers.get('set-cookie');
  assert.match(c, /HttpOnly/);
  assert.match(c, /SameSite=Lax/);
  assert.match(c, /; Secure/);
  https.csrf = r.json.csrf;
  // Signing out clears the cookie with the same flags.
  r = await https.del('/api/v1/session', { headers: { 'x-forwarded-proto': 'https' } });
  assert.equal(r.status, 204);
  assert.match(r.headers.get('set-cookie'), /labshare_session=;.*Max-Age=0.*Secure/);
});

test('without LABSHARE_TRUST_PROXY, X-Forwarded-Proto is ignored', async () => {
  const s = await startServer({ demo: true });
  try {
    const r = await new Client(s.url).post('/api/v1/session', { email: 'staff@labshare.demo', password: DEMO_PASSWORD },
      { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(r.status, 200);
    assert.doesNotMatch(r.headers.get('set-cookie'), /Secure/);
  } finally { await s.stop(); }
});

test('staff list users with filters and paging', async () => {
  const orgId = owner.user.organisation_id;
  let r = await staff.get('/api/v1/users?q=KOWALCZYK');
  assert.equal(r.status, 200);
  assert.equal(r.json.total, 1);
  assert.equal(r.json.items[0].email, 'researcher@labshare.demo');
  assert.equal(typeof r.json.items[0].organisation_name, 'string');
  r = await staff.get('/api/v1/users?q=labshare.demo&limit=500');
  assert.ok(r.json.total >= 3); // every demo account (the demo has about thirty)
  assert.equal(r.json.items.length, r.json.total);
  assert.ok(r.json.items.every((u) => u.email.includes('labshare.demo')));
  r = await staff.get('/api/v1/users?role=owner');
  assert.ok(r.json.items.length >= 1 && r.json.items.every((u) => u.role === 'owner'));
  r = await staff.get(`/api/v1/users?organisation_id=${orgId}`);
  assert.ok(r.json.items.every((u) => u.organisation_id === orgId));
  r = await staff.get('/api/v1/users?limit=1&offset=1');
  assert.equal(r.json.items.length, 1);
  assert.ok(r.json.total >= 3);
  const u = await freshUser();
  await staff.patch(`/api/v1/users/${u.id}`, { active: false });
  r = await staff.get('/api/v1/users?active=false&limit=500');
  assert.ok(r.json.items.some((x) => x.id === u.id));
  assert.ok(r.json.items.every((x) => x.active === false));
  r = await staff.get('/api/v1/users?active=true&limit=500');
  assert.ok(!r.json.items.some((x) => x.id === u.id));
  r = await staff.get(`/api/v1/users/${u.id}`);
  assert.equal(r.json.email, u.email);
  assert.match(r.json.created, /Z$/);
  assertError(await staff.get('/api/v1/users/999999'), 404, 'not_found');
  assertError(await staff.get('/api/v1/users/abc'), 404, 'not_found');
});

test('garbage in the users API is a 4xx naming the field, and nothing changes', async () => {
  assertError(await staff.get('/api/v1/users?role=emperor'), 422, 'validation', 'role');
  assertError(await staff.get('/api/v1/users?active=maybe'), 422, 'validation', 'active');
  assertError(await staff.get('/api/v1/users?organisation_id=x'), 422, 'validation', 'organisation_id');
  assertError(await staff.get('/api/v1/users?limit=501'), 422, 'validation', 'limit');
  assertError(await staff.get('/api/v1/users?offset=-1'), 422, 'validation', 'offset');
  const u = await freshUser();
  const path = `/api/v1/users/${u.id}`;
  assertError(await staff.patch(path, { role: 'emperor' }), 422, 'validation', 'role');
  assertError(await staff.patch(path, { organisation_id: 'x' }), 422, 'validation', 'organisation_id');
  assertError(await staff.patch(path, { organisation_id: 999999 }), 422, 'validation', 'organisation_id');
  assertError(await staff.patch(path, { active: 'yes' }), 422, 'validation', 'active');
  assertError(await staff.patch(path, { name: '' }), 422, 'validation', 'name');
  assertError(await staff.patch(path, { name: 'x'.repeat(201) }), 422, 'validation', 'name');
  assertError(await staff.patch(path, { name: 'bad\u0001name' }), 422, 'validation', 'name');
  assertError(await staff.patch(path, { lang: 'de' }), 422, 'validation', 'lang');
  assertError(await staff.patch(path, { email: 'x@y.pl' }), 422, 'validation', 'email');
  assertError(await staff.patch(path, { name: 'Fine Name', colour: 'red' }), 422, 'validation', 'colour');
  assertError(await staff.patch(path, []), 400, 'bad_request');
  assertError(await u.client.patch('/api/v1/me', { role: 'staff' }), 422, 'validation', 'role');
  assertError(await u.client.patch('/api/v1/me', { name: 42 }), 422, 'validation', 'name');
  const after = (await staff.get(path)).json;
  assert.equal(after.name, 'Zofia Test');
  assert.equal(after.role, 'researcher');
  assert.equal(after.active, true);
  assert.equal(after.lang, 'pl');
  assertError(await staff.post('/api/v1/users', { email: 'not-an-email', name: 'X', password: PASSWORD, role: 'researcher' }), 422, 'validation', 'email');
  assertError(await staff.post('/api/v1/users', { email: u.email.toUpperCase(), name: 'X', password: PASSWORD, role: 'researcher' }), 409, 'conflict', 'email');
});

test('users change their own name and language', async () => {
  const u = await freshUser();
  let r = await u.client.patch('/api/v1/me', { name: 'Zofia Nowa', lang: 'en' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, 'Zofia Nowa');
  assert.equal(r.json.lang, 'en');
  r = await u.client.patch(`/api/v1/users/${u.id}`, { lang: 'pl' });
  assert.equal(r.status, 200, r.text);
  assert.equal((await u.client.get('/api/v1/me')).json.lang, 'pl');
  assert.equal((await u.client.get('/api/v1/session')).json.user.name, 'Zofia Nowa');
});

test('the audit log records account events and filters them', async () => {
  const u = await freshUser();
  await staff.patch(`/api/v1/users/${u.id}`, { role: 'staff' });
  await staff.patch(`/api/v1/users/${u.id}`, { active: false });
  await staff.patch(`/api/v1/users/${u.id}`, { active: true });
  await staff.post(`/api/v1/users/${u.id}/password`, { password: 'reset by staff 1' });
  const c = new Client(srv.url);
  await c.login(u.email, 'reset by staff 1');
  await c.post('/api/v1/me/password', { current: 'reset by staff 1', new: 'changed by me 22' });
  await c.del('/api/v1/session');

  const mine = await staff.get(`/api/v1/audit?object_id=${u.id}&object_type=user&limit=100`);
  assert.equal(mine.status, 200);
  const actions = mine.json.items.map((e) => e.action);
  for (const a of ['user.create', 'session.create', 'user.role', 'user.deactivate', 'user.activate',
    'user.password.reset', 'user.password.change', 'session.delete'])
    assert.ok(actions.includes(a), `${a} missing from ${actions}`);
  const item = mine.json.items.find((e) => e.action === 'user.role');
  assert.deepEqual(Object.keys(item).sort(),
    ['action', 'at', 'detail', 'id', 'ip', 'object_id', 'object_type', 'user_email', 'user_id', 'user_name'].sort());
  assert.equal(item.user_id, staff.user.id);
  assert.equal(item.detail, 'researcher -> staff');
  assert.match(item.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // Newest first, filters by actor, action prefix and time.
  const ids = mine.json.items.map((e) => e.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  let r = await staff.get(`/api/v1/audit?user_id=${u.id}`);
  assert.ok(r.json.items.length >= 2 && r.json.items.every((e) => e.user_id === u.id));
  r = await staff.get('/api/v1/audit?action=user.password&limit=500');
  assert.ok(r.json.items.every((e) => e.action.startsWith('user.password.')));
  assert.ok(r.json.items.length >= 2);
  r = await staff.get('/api/v1/audit?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z');
  assert.deepEqual(r.json, { items: [], total: 0 });
  r = await staff.get(`/api/v1/audit?from=${encodeURIComponent(new Date(Date.now() - 3600e3).toISOString())}&limit=2`);
  assert.equal(r.json.items.length, 2);
  assert.ok(r.json.total > 2);
  // Accounts made on the command line are audited too, with no actor.
  const cliId = addUser(srv, { email: `cli-${Date.now()}@example.org` });
  r = await staff.get(`/api/v1/audit?action=user.create&object_id=${cliId}`);
  assert.equal(r.json.total, 1);
  assert.equal(r.json.items[0].user_id, null);
  assert.equal(r.json.items[0].detail, 'command line');
  assertError(await staff.get('/api/v1/audit?from=yesterday'), 422, 'validation', 'from');
  assertError(await staff.get('/api/v1/audit?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'), 422, 'validation', 'to');
  assertError(await staff.get('/api/v1/audit?user_id=-3'), 422, 'validation', 'user_id');
  assertError(await staff.get('/api/v1/audit?limit=1000'), 422, 'validation', 'limit');
});

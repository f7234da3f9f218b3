// security.test.mjs — security headers on every kind of answer, SQL
// injection attempts in every query filter and body field that exists, and
// path traversal against the static file server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, Client, assertError, addUser, within } from './lib.mjs';
import { rawRequest } from './raw.mjs';

let srv, anon, staff;
before(async () => {
  srv = await startServer();
  addUser(srv, { email: 'staff@security.test', role: 'staff' });
  addUser(srv, { email: 'someone@security.test' });
  anon = new Client(srv.url);
  staff = new Client(srv.url);
  await staff.login('staff@security.test');
});
after(async () => { await srv.stop(); });

// Works on fetch Headers and on rawRequest's plain object.
function header(r, name) {
  return typeof r.headers.get === 'function' ? r.headers.get(name) : r.headers[name];
}

function assertSecurityHeaders(r, what) {
  const csp = header(r, 'content-security-policy') || '';
  assert.match(csp, /default-src 'self'/, `${what}: CSP missing`);
  assert.match(csp, /script-src 'self'/, `${what}: CSP script-src`);
  assert.doesNotMatch(csp, /unsafe-inline/, `${what}: CSP allows inline`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: frame-ancestors`);
  assert.equal(header(r, 'x-content-type-options'), 'nosniff', `${what}: nosniff`);
  assert.ok(header(r, 'referrer-policy'), `${what}: Referrer-Policy`);
  assert.equal(header(r, 'x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
}

test('every kind of answer carries the security headers', async () => {
  const cases = [];
  cases.push(['static 200', await anon.get('/')]);
  cases.push(['static asset 200', await anon.get('/js/app.js')]);
  const etag = cases[1][1].headers.get('etag');
  assert.ok(etag, 'static files carry an ETag');
  const notModified = await anon.get('/js/app.js', { headers: { 'if-none-match': etag } });
  assert.equal(notModified.status, 304);
  cases.push(['static 304', notModified]);
  cases.push(['static 404', await anon.get('/no-such-file.html')]);
  cases.push(['HEAD', await anon.req('HEAD', '/api/v1/health')]);
  cases.push(['API 200', await anon.get('/api/v1/health')]);
  cases.push(['API list 200', await staff.get('/api/v1/users')]);
  cases.push(['API 401', await anon.get('/api/v1/me')]);
  cases.push(['API 403 CSRF', await staff.post('/api/v1/users', {}, { csrf: false })]);
  cases.push(['API 404', await anon.get('/api/v1/nothing')]);
  cases.push(['API 405', await anon.req('PUT', '/api/v1/health', {})]);
  cases.push(['API 400', await staff.req('POST', '/api/v1/users', '{"broken":')]);
  cases.push(['API 422', await staff.post('/api/v1/users', { email: 'x' })]);
  cases.push(['API 413', await anon.req('POST', '/api/v1/session', 'x'.repeat(5000))]);
  for (const [what, r] of cases) assertSecurityHeaders(r, what);
  // Answers from civetweb itself (http_error callback), not the dispatcher.
  const garbage = await rawRequest(srv.url, 'GARBAGE\r\n\r\n');
  assert.equal(garbage.status, 400);
  assert.equal(garbage.json.error, 'bad_request');
  assertSecurityHeaders(garbage, 'civetweb 400');
  const head = await rawRequest(srv.url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(200000)}\r\n\r\n`);
  assertSecurityHeaders(head, 'civetweb oversize');
  const oversize = await rawRequest(srv.url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\nConnection: close\r\n\r\n`);
  assert.equal(oversize.status, 413);
  assertSecurityHeaders(oversize, 'oversize head 413');
  // API answers are never cached; static ones always revalidate.
  assert.equal(cases[5][1].headers.get('cache-control'), 'no-store');
  assert.equal(cases[0][1].headers.get('cache-control'), 'no-cache');
});

test('SQL injection in query filters and paging is inert', async () => {
  const base = await staff.get('/api/v1/users');
  assert.equal(base.status, 200);
  const total = base.json.total;
  // Paging parameters are numbers: anything else is a 422 naming them.
  for (const [param, value] of [['limit', '1;DROP TABLE users'], ['limit', '1 OR 1=1'], ['offset', "0' OR '1'='1"],
    ['offset', '0)--'], ['limit', '50 UNION SELECT password_hash FROM users']]) {
    const r = await staff.get(`/api/v1/users?${param}=${encodeURIComponent(value)}`);
    assertError(r, 422, 'validation', param);
  }
  // Search text is matched as text: no row has it, so the list is empty;
  // an unknown filter (name) is ignored; an enumeration filter is a 422.
  for (const q of ["' OR 1=1 --", "x'); DROP TABLE users; --", '"; SELECT * FROM sessions; --']) {
    const r = await staff.get(`/api/v1/users?q=${encodeURIComponent(q)}&name=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, 0);
    assertError(await staff.get(`/api/v1/users?role=${encodeURIComponent(q)}`), 422, 'validation', 'role');
  }
  // LIKE wildcards are literal characters, not patterns.
  for (const q of ['%', '_']) {
    const r = await staff.get(`/api/v1/users?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.total < total, `${q} matched every user`);
  }
  // Sign-in with an injection as the email is an ordinary failure.
  for (const email of ["' OR '1'='1", "staff@security.test' --", "staff@security.test'; DELETE FROM users; --"]) {
    const r = await anon.post('/api/v1/session', { email, password: "' OR '1'='1" });
    assertError(r, 401, 'unauthenticated');
  }
  // Text that looks like SQL is stored and returned verbatim.
  const name = "Robert'); DROP TABLE users;--";
  const created = await staff.post('/api/v1/users', { email: 'bobby@security.test', name, password: 'correct horse battery', role: 'researcher' });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.json.name, name);
  const after = await staff.get('/api/v1/users?limit=500');
  assert.equal(after.json.total, total + 1);
  assert.ok(after.json.items.some((u) => u.name === name));
});

test('path traversal never leaves www/', async () => {
  const passwd = readFileSync('/etc/passwd', 'latin1').slice(0, 20);
  const attempts = [
    '/../../../../etc/passwd',
    '/..%2f..%2f..%2f..%2fetc/passwd',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/js/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '/%252e%252e%252f%252e%252e%252fetc%252fpasswd',
    '/..%5c..%5c..%5cetc%5cpasswd',
    '/..\\..\\..\\etc\\passwd',
    '/index.html%00.png',
    '/js/app.js%00',
    '/%00../../etc/passwd',
    '/....//....//etc/passwd',
    '/.%2e/.%2e/etc/passwd',
    '/..;/..;/etc/passwd',
    '//etc/passwd',
    '/.git/config',
    '/%2e%67it/config',
    '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
  ];
  for (const path of attempts) {
    const r = await rawRequest(srv.url, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
    assert.ok(r.json && ['not_found', 'bad_request'].includes(r.json.error), `${path}: ${r.body.slice(0, 100)}`);
    assert.ok(!r.body.includes(passwd), `${path} leaked /etc/passwd`);
    assertSecurityHeaders(r, path);
  }
  // The same names inside www/ are served, so the 404s are not a blanket refusal.
  const ok = await rawRequest(srv.url, 'GET /js/../index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(ok.status, 200);
});

// Every filter of every list route, each given SQL-looking values one at a
// time on top of a valid query: a text filter answers 200 (nothing matches),
// a typed one 422 naming the parameter, an unknown one is ignored; never a
// 5xx, and no table changes.
test('SQL injection in every filter of every list route is inert', async () => {
  const { spawnSync } = await import('node:child_process');
  const sql = (q) => {
    const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, q], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  sql(`INSERT OR IGNORE INTO organisations(id, name, grp, created, updated) VALUES (901, 'Injection Institute', 'R&D', 0, 0);
       INSERT OR IGNORE INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES (901, 901, 'Inj lab', 'scientific', 10, 0, 0);
       INSERT OR IGNORE INTO resources(id, lab_id, type, name, category, created, updated) VALUES (901, 901, 'instrument', 'Inj scope', 'microscope', 0, 0);`);
  const tables = sql("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;").split('\n');
  const counts = () => tables.map((t) => `${t}=${sql(`SELECT count(*) FROM "${t}";`)}`).join(' ');
  const before = counts();
  // counts() blocks the event loop (sqlite3 runs synchronously), on a busy
  // machine for longer than the server keeps an idle connection: let the
  // client see the server's close before it picks a pooled socket again.
  await new Promise((resolve) => setImmediate(resolve));

  const from = '2026-01-01T00:00:00Z';
  const to = '2026-02-01T00:00:00Z';
  const routes = {
    '/api/v1/organisations': {},
    '/api/v1/labs': {},
    '/api/v1/resources': {},
    '/api/v1/services': {},
    '/api/v1/bookings': {},
    '/api/v1/users': {},
    '/api/v1/audit': {},
    '/api/v1/feeds': {},
    '/api/v1/stats/utilisation': { from, to, group_by: 'resource' },
    '/api/v1/stats/indicators': { year: '2026' },
    '/api/v1/stats/heatmap': { from, to },
    '/api/v1/stats/monthly': { year: '2026' },
    '/api/v1/stats/grid-factors': {},
    '/api/v1/stats/energy-defaults': {},
  };
  // Text filters known to each route (the rest are typed or ignored).
  const textFilters = {
    '/api/v1/organisations': ['q'], '/api/v1/labs': ['q'], '/api/v1/services': ['q'], '/api/v1/users': ['q'],
    '/api/v1/resources': ['q', 'category', 'city'], '/api/v1/audit': ['action', 'object_type'],
  };
  const params = ['q', 'category', 'city', 'action', 'object_type', 'organisation_id', 'lab_id', 'resource_id',
    'user_id', 'object_id', 'series_id', 'kind', 'type', 'group', 'package', 'member', 'open', 'shared',
    'requires_approval', 'biosafety_level_min', 'free_from', 'free_to', 'from', 'to', 'status', 'mine', 'role',
    'active', 'year', 'group_by', 'format', 'include_private', 'limit', 'offset', 'name', 'sort'];
  const payloads = ['1 OR 1=1', "' OR '1'='1", '1; DROP TABLE bookings;--', "x') UNION SELECT password_hash FROM users--",
    "%' --", '"; DELETE FROM resources; --', '0x1F', '1e3', '-1', '../../etc/passwd'];
  let answered = 0;
  for (const [path, base] of Object.entries(routes)) {
    const ok = await staff.get(`${path}?${new URLSearchParams(base)}`);
    assert.equal(ok.status, 200, `${path}: ${ok.text}`);
    for (const p of params) {
      for (const v of payloads) {
        const q = new URLSearchParams({ ...base, [p]: v });
        const r = await staff.get(`${path}?${q}`);
        answered++;
        assert.ok(r.status < 500, `${path} ${p}=${v}: ${r.status} ${r.text}`);
        if (r.status === 200) {
          if (r.json && 'total' in r.json) {
            if ((textFilters[path] || []).includes(p)) assert.equal(r.json.total, 0, `${path} ${p}=${v} matched rows`);
            else assert.ok(r.json.total <= ok.json.total, `${path} ${p}=${v} widened the list`);
          }
        } else {
          assertError(r, 422, 'validation', p);
        }
      }
    }
  }
  // Single objects and feed tokens: the placeholder is not an id → 404.
  for (const v of payloads) {
    for (const path of ['/api/v1/resources/', '/api/v1/bookings/', '/api/v1/users/', '/api/v1/labs/', '/ical/']) {
      const r = await staff.get(path + encodeURIComponent(v) + (path === '/ical/' ? '.ics' : ''));
      assert.ok(r.status === 404 || r.status === 400, `${path}${v}: ${r.status} ${r.text}`);
    }
  }
  assert.equal(counts(), before, 'a table changed');
  assert.ok(answered > 4000);
});

/** Resolves once cond() holds for the server's log (stderr), as it grows. */
function logged(cond) {
  return within(5000, new Promise((resolve) => {
    const check = () => { if (cond()) { srv.child.stderr.off('data', check); resolve(); } };
    srv.child.stderr.on('data', check);
    check();
  }));
}

/** A live feed of a fresh resource: its URL path and token. */
async function makeFeed() {
  const org = await staff.post('/api/v1/organisations', { name: `Feeds ${Math.random()}`, group: 'R&D' });
  const lab = await staff.post('/api/v1/labs', { organisation_id: org.json.id, name: 'Lab', kind: 'scientific', area_m2: 10 });
  const res = await staff.post('/api/v1/resources', { lab_id: lab.json.id, type: 'instrument', name: 'Feed instrument' });
  const f = await staff.post('/api/v1/feeds', { scope: 'resource', id: res.json.id });
  assert.equal(f.status, 201, f.text);
  const path = new URL(f.json.url).pathname;
  return { path, token: path.match(/\/ical\/([0-9a-f]{64})\.ics/)[1] };
}

test('a feed\'s 304 carries the security headers with its validators', async () => {
  const { path } = await makeFeed();
  const full = await anon.get(path);
  assert.equal(full.status, 200);
  assertSecurityHeaders(full, 'feed 200');
  const etag = full.headers.get('etag');
  const modified = full.headers.get('last-modified');
  for (const [what, headers] of [['If-None-Match', { 'if-none-match': etag }], ['If-Modified-Since', { 'if-modified-since': modified }]]) {
    const r = await anon.get(path, { headers });
    assert.equal(r.status, 304, what);
    assertSecurityHeaders(r, `feed 304 (${what})`);
    assert.equal(r.headers.get('etag'), etag);
    assert.equal(r.headers.get('last-modified'), modified);
    assert.equal(r.headers.get('cache-control'), 'private, no-cache');
    assert.equal(r.text, '');
  }
});

test('a feed token never reaches the access log, whatever the case of the path', async () => {
  const { path, token } = await makeFeed();
  const upper = token.toUpperCase();
  const mark = srv.stderr().length;
  const since = () => srv.stderr().slice(mark);
  for (const p of [path, path.replace('/ical/', '/ICAL/'), path.replace('/ical/', '/Ical/'),
    `/ical/${upper}.ics`, `/ICAL/${upper}.ICS`, `/api/v1/feeds/${token}`, `/x/${token}/y`]) {
    const r = await anon.get(p);
    assert.ok([200, 401, 404, 405].includes(r.status), `${p}: ${r.status}`);
  }
  // Invitation and reset tokens sit in paths too.
  await anon.post(`/api/v1/invitations/${token}/accept`, { name: 'X', password: 'long enough password' });
  await anon.post(`/api/v1/password-reset/${upper}`, { password: 'long enough password' });
  // An id or a short word is not a token and stays readable.
  await anon.get('/api/v1/resources/12345');
  // Each line is written once its answer is out: wait for all nine
  // redacted ones and the last one.
  await logged(() => (since().match(/\[token\]/g) || []).length >= 9 &&
    /GET \/api\/v1\/resources\/12345 401/.test(since()));
  const log = since();
  assert.equal((log.match(/ \/ical\/\[token\] /g) || []).length, 5, 'feed requests are logged, redacted');
  assert.ok(!log.toLowerCase().includes(token), 'a feed token was written to the log');
});

test('no CORS: preflights and cross-origin requests get no Access-Control headers', async () => {
  const origin = 'https://evil.example';
  for (const path of ['/api/v1/bookings', '/api/v1/session', '/api/v1/health', '/', '/no-such-thing']) {
    const pre = await rawRequest(srv.url, `OPTIONS ${path} HTTP/1.1\r\nHost: x\r\nOrigin: ${origin}\r\n` +
      'Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type, x-csrf-token\r\nConnection: close\r\n\r\n');
    assert.ok(pre.status >= 400, `OPTIONS ${path}: ${pre.status}`);
    for (const h of Object.keys(pre.headers)) assert.doesNotMatch(h, /^access-control-/, `OPTIONS ${path}: ${h}`);
    assertSecurityHeaders(pre, `OPTIONS ${path}`);
  }
  const get = await anon.get('/api/v1/health', { headers: { origin } });
  assert.equal(get.status, 200);
  for (const [h] of get.headers) assert.doesNotMatch(h, /^access-control-/);
});

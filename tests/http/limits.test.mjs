// limits.test.mjs — resource exhaustion over real HTTP: oversize request
// lines, headers and bodies (also chunked), deep and long JSON, and slow or
// idle connections. After each abuse the server must go on serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, assertError, addUser, within } from './lib.mjs';
import { rawRequest, openStalled } from './raw.mjs';

let srv, anon, staff;
before(async () => {
  srv = await startServer();
  addUser(srv, { email: 'staff@limits.test', role: 'staff' });
  anon = new Client(srv.url);
  staff = new Client(srv.url);
  await staff.login('staff@limits.test');
});
after(async () => { await srv.stop(); });


async function stillServing() {
  const r = await within(5000, anon.get('/api/v1/health'));
  assert.equal(r.status, 200);
}

function assertTooLarge(r) {
  assert.equal(r.status, 413, r.raw.slice(0, 300));
  assert.equal(r.json.error, 'payload_too_large');
  assert.equal(typeof r.json.message, 'string');
}

test('a request line over 16 KiB is a JSON 413', async () => {
  const r = await rawRequest(srv.url, `GET /api/v1/health?q=${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  assertTooLarge(r);
  await stillServing();
});

test('headers over 16 KiB, or more than 63 of them, are a JSON 413', async () => {
  assertTooLarge(await rawRequest(srv.url, `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\nConnection: close\r\n\r\n`));
  const many = Array.from({ length: 70 }, (_, i) => `X-H${i}: a\r\n`).join('');
  assertTooLarge(await rawRequest(srv.url, `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${many}\r\n`));
  await stillServing();
});

test('a head beyond civetweb\'s 64 KiB buffer is still a JSON error and nothing breaks', async () => {
  const r = await rawRequest(srv.url, `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(200000)}\r\n\r\n`);
  assert.ok([400, 413, 431].includes(r.status), r.raw.slice(0, 200));
  assert.ok(r.json && typeof r.json.error === 'string', r.body);
  await stillServing();
});

test('a declared oversize body is refused before it is sent', async () => {
  // Headers only: the 413 must come without the server waiting for 10 MB.
  const r = await rawRequest(srv.url, 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: 10485760\r\n\r\n', { timeout: 8000, waitClose: true });
  assertTooLarge(r);
  // …and closes the connection rather than reading the body to reuse it.
  assert.ok(r.closed, 'the server kept the connection to read the body');
  await stillServing();
});

test('a chunked body is held to the same limit, read no further than the limit', async () => {
  // 8 KiB of chunks to a 4 KiB route, then the client stalls without the
  // final chunk: the answer must come anyway (the rest is never read).
  const chunk = `1000\r\n${' '.repeat(4096)}\r\n`;
  const r = await rawRequest(srv.url, ['POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Transfer-Encoding: chunked\r\n\r\n', chunk, chunk], { timeout: 8000, waitClose: true });
  assertTooLarge(r);
  assert.ok(r.closed, 'the server kept the connection to read the body');
  // 1 MB chunked, written at once: the same answer, unless the server's
  // close reset the connection before the client read it (as with any
  // client that writes a body it has been told is too large).
  const big = Array.from({ length: 256 }, () => chunk).join('') + '0\r\n\r\n';
  const r2 = await rawRequest(srv.url, ['POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Transfer-Encoding: chunked\r\n\r\n', big], { timeout: 8000 });
  if (r2.status) assertTooLarge(r2);
  else assert.ok(['EPIPE', 'ECONNRESET'].includes(r2.errorCode), `no answer: ${r2.errorCode}`);
  await stillServing();
});

test('a small chunked body is read and parsed like any other', async () => {
  const body = JSON.stringify({ email: 'staff@limits.test', password: 'wrong password here' });
  const r = await rawRequest(srv.url, ['POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n', `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`]);
  assert.equal(r.status, 401, r.raw.slice(0, 300));
  assert.equal(r.json.error, 'unauthenticated');
});

test('JSON nested thousands deep is a 400, not a stack overflow', async () => {
  // 8,000 levels is the deepest that fits this route's 8 KiB; 10,000 and
  // 100,000 are covered by test_json.c and fuzz_json at the parser.
  const deep = `{"a":${'['.repeat(8000)}`;
  const r = await staff.req('POST', '/api/v1/users', deep);
  assertError(r, 400, 'bad_request');
  assert.match(r.json.message, /zagnieżdżony zbyt głęboko/);
  const deepObj = `{"a":${'{"a":'.repeat(1200)}1${'}'.repeat(1201)}`;
  assertError(await staff.req('POST', '/api/v1/users', deepObj), 400, 'bad_request');
  await stillServing();
});

test('a 1 MB string is a 413 and a long name is a 422 naming the field', async () => {
  const huge = { email: 'a@b.pl', name: 'x'.repeat(1024 * 1024), password: 'long enough pw', role: 'researcher' };
  let r;
  try {
    r = await staff.post('/api/v1/users', huge);
  } catch {
    r = null; // the server may close before the whole body is written
  }
  if (r) assertError(r, 413, 'payload_too_large');
  const long = { email: 'long@b.pl', name: 'x'.repeat(5000), password: 'long enough pw', role: 'researcher' };
  assertError(await staff.post('/api/v1/users', long), 422, 'validation', 'name');
  const list = await staff.get('/api/v1/users');
  assert.ok(!list.json.items.some((u) => u.email === 'long@b.pl'), 'nothing half-written');
  await stillServing();
});

test('100 stalled and 20 idle connections do not stop other clients', async () => {
  const socks = [];
  try {
    for (let i = 0; i < 100; i++) socks.push(await openStalled(srv.url, 'GET /api/v1/hea'));
    for (let i = 0; i < 20; i++) socks.push(await openStalled(srv.url, null));
    // Every stalled socket now holds a civetweb worker; the rest must answer.
    for (let i = 0; i < 3; i++) await stillServing();
    const r = await within(5000, staff.get('/api/v1/users'));
    assert.equal(r.status, 200);
  } finally {
    for (const s of socks) s.destroy();
  }
});

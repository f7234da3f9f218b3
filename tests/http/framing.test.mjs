// framing.test.mjs — where a request's body ends is decided once and
// strictly (src/framing.h): requests that say it two ways, or say it badly,
// are a 400 and the connection closes, so no byte of theirs is ever read as
// another request. Raw sockets: fetch() will not send such requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, addUser, within, sqlite } from './lib.mjs';
import { rawRequest } from './raw.mjs';

let srv, anon;
before(async () => {
  srv = await startServer();
  addUser(srv, { email: 'staff@framing.test', role: 'staff' });
  anon = new Client(srv.url);
});
after(async () => { await srv.stop(); });

const LOGIN = JSON.stringify({ email: 'staff@framing.test', password: 'wrong password here' });

/** Sends a raw request, waits for the server to close; asserts a JSON 400. */
async function assertRefused(data, what) {
  const r = await rawRequest(srv.url, data, { timeout: 5000, waitClose: true });
  assert.equal(r.status, 400, `${what}: ${r.raw.slice(0, 300)}`);
  assert.equal(r.json?.error, 'bad_request', `${what}: ${r.body}`);
  assert.equal(r.headers.connection, 'close', what);
  assert.ok(r.closed, `${what}: the connection stayed open`);
  // Exactly one answer: nothing the client sent was taken for a second request.
  assert.equal((r.raw.match(/(?:^|\r\n)HTTP\/1\.[01] \d{3} /g) || []).length, 1, `${what}: ${r.raw}`);
  return r;
}

async function stillServing() {
  assert.equal((await within(5000, anon.get('/api/v1/health'))).status, 200);
}

test('Content-Length and Transfer-Encoding together are a 400, and the smuggled request never runs', async () => {
  // The classic CL.TE desync: by Content-Length the body is "0\r\n\r\n"; by
  // chunked encoding it ends at once and a second request follows it.
  const smuggled = 'GET /api/v1/no-such-thing HTTP/1.1\r\nHost: x\r\n\r\n';
  const r = await assertRefused(`POST /api/v1/session HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${5 + smuggled.length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`, 'CL+TE');
  assert.match(r.json.message, /both Content-Length and Transfer-Encoding/);
  assert.equal(r.json.field, 'Transfer-Encoding');
  await assertRefused(`POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n`, 'TE+CL');
  // The handler never ran: no failed sign-in was recorded.
  assert.equal(sqlite(srv.db, "SELECT count(*) FROM audit_log WHERE action = 'session.fail'"), '0');
  await stillServing();
});

test('two different Content-Lengths, or one that is not a number, are a 400', async () => {
  const r = await assertRefused(`POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${LOGIN.length}\r\nContent-Length: 2\r\n\r\n${LOGIN}`, 'two lengths');
  assert.equal(r.json.field, 'Content-Length');
  await assertRefused(`POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: ${LOGIN.length}, 2\r\n\r\n${LOGIN}`, 'a list of two');
  await assertRefused(`POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: ${LOGIN.length}abc\r\n\r\n${LOGIN}`, 'digits and letters');
  await assertRefused(`POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: +${LOGIN.length}\r\n\r\n${LOGIN}`, 'a sign');
  // The same length twice is one length (RFC 9110 §8.6): served.
  const same = await rawRequest(srv.url, `POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${LOGIN.length}\r\nContent-Length: ${LOGIN.length}\r\nConnection: close\r\n\r\n${LOGIN}`);
  assert.equal(same.status, 401, same.raw.slice(0, 200));
  await stillServing();
});

test('a malformed chunk size is a 400, never a handler run with an empty body', async () => {
  const failures = () => sqlite(srv.db, "SELECT count(*) FROM audit_log WHERE action = 'session.fail'");
  const before = failures();
  for (const [what, body] of [['not hex', 'zz\r\n{}\r\n0\r\n\r\n'], ['an extension', '2;x=1\r\n{}\r\n0\r\n\r\n'],
    ['no CRLF after the data', `${LOGIN.length.toString(16)}\r\n${LOGIN}XX0\r\n\r\n`]]) {
    const r = await assertRefused(['POST /api/v1/session HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\n' +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n', body], what);
    assert.match(r.json.message, /chunks are malformed|cut short/, what);
  }
  // Before, the route ran with what had been read: "" (a 422 'email is
  // required') or the whole object (a sign-in attempt).
  assert.equal(failures(), before);
  await stillServing();
});

test('Transfer-Encoding other than chunked, or in HTTP/1.0, is a 400', async () => {
  for (const te of ['gzip, chunked', 'chunked, chunked', 'identity']) {
    const r = await rawRequest(srv.url, `POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${te}\r\n\r\n0\r\n\r\n`,
      { waitClose: true });
    assert.equal(r.status, 400, `${te}: ${r.raw.slice(0, 200)}`);
    assert.ok(r.closed, te);
  }
  await assertRefused('POST /api/v1/session HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'HTTP/1.0 chunked');
});

test('HTTP/1.1 needs exactly one Host; HTTP/1.0 may go without', async () => {
  const r = await assertRefused('GET /api/v1/health HTTP/1.1\r\nAccept: */*\r\n\r\n', 'no Host');
  assert.equal(r.json.field, 'Host');
  await assertRefused('GET /api/v1/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 'two Hosts');
  await assertRefused('GET /api/v1/health HTTP/1.1\r\nHost: evil.example/x\r\n\r\n', 'a path in Host');
  const old = await rawRequest(srv.url, 'GET /api/v1/health HTTP/1.0\r\n\r\n');
  assert.equal(old.status, 200, old.raw.slice(0, 200));
  const ok = await rawRequest(srv.url, 'GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  assert.equal(ok.status, 200);
});

test('a well-framed chunked body and keep-alive still work after all that', async () => {
  const r = await rawRequest(srv.url, ['POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Transfer-Encoding: chunked\r\n\r\n', `${LOGIN.length.toString(16)}\r\n${LOGIN}\r\n0\r\n\r\n`]);
  assert.equal(r.status, 401, r.raw.slice(0, 300));
  assert.notEqual(r.headers.connection, 'close');
  await stillServing();
});

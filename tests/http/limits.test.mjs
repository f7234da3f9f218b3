// limits.test.mjs — resource exhaustion over real HTTP: oversize request
// lines, headers and bodies (also chunked), deep and long JSON, slow, idle
// and too many connections, and how long a request may take to arrive
// (../shared/API.md § Limits on what one request may cost). After each
// abuse the server must go on serving.
//
// Other clients are other loopback addresses (127.0.0.2, …: all of
// 127.0.0.0/8 is the loopback on Linux); the well-behaved client is
// 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, Client, assertError, addUser, within, sqlite } from './lib.mjs';
import { rawRequest, openStalled } from './raw.mjs';

let srv, anon, staff, quick;
before(async () => {
  srv = await startServer();
  addUser(srv, { email: 'staff@limits.test', role: 'staff' });
  anon = new Client(srv.url);
  staff = new Client(srv.url);
  await staff.login('staff@limits.test');
  // Short limits, to see them act within a test's time.
  quick = await startServer({ args: ['--request-timeout', '2', '--keep-alive-timeout', '1', '--client-connections', '4'] });
});
after(async () => { await srv.stop(); await quick.stop(); });

/** Health over a new connection (no kept-alive socket to reuse): its time in ms. */
async function healthFresh(url = srv.url) {
  const t0 = Date.now();
  const r = await within(5000, rawRequest(url, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
  assert.equal(r.status, 200, r.raw.slice(0, 200));
  return Date.now() - t0;
}

/** Retries check() (async, true when done) until it holds or ms pass. */
async function eventually(check, ms = 5000, what = 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Resolves with the ms until the server closes sock (or rejects after ms). */
function closedWithin(sock, ms) {
  const t0 = Date.now();
  return within(ms, new Promise((resolve) => {
    if (sock.destroyed || sock.readableEnded) { resolve(0); return; }
    sock.on('close', () => resolve(Date.now() - t0));
    sock.on('end', () => resolve(Date.now() - t0));
    sock.resume();
  }));
}

/**
 * Keeps `count` connections from localAddress open, each sending `data`
 * (a head, part of one, or nothing) and then one byte of `drip` every
 * `every` ms, and opens a new one 0.1 s after the server closes one.
 * Counts the 429s of refused connections.
 */
function attackers(url, { count, localAddress, data = null, drip = null, every = 500 }) {
  const { hostname, port } = new URL(url);
  const socks = new Set();
  const state = { refused: 0, opened: 0, running: true };
  const open = () => {
    if (!state.running) return;
    const sock = net.connect({ port: Number(port), host: hostname, localAddress });
    socks.add(sock);
    state.opened++;
    let timer = null;
    sock.on('connect', () => {
      if (data) sock.write(data);
      if (drip) timer = setInterval(() => sock.write(drip), every);
    });
    sock.on('data', (d) => { if (String(d).startsWith('HTTP/1.1 429')) state.refused++; });
    sock.on('error', () => {});
    sock.on('close', () => { clearInterval(timer); socks.delete(sock); setTimeout(open, 100); });
  };
  for (let i = 0; i < count; i++) open();
  state.stop = () => { state.running = false; for (const s of socks) s.destroy(); };
  return state;
}


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

test('an oversize body is a 413 the client reads, not a broken pipe', async () => {
  // fetch() writes the whole 2 MB body: before, the server closed with the
  // body unread, the reset reached the client while it was still writing,
  // and it saw EPIPE instead of the answer.
  const big = { resource_id: 1, start: '2030-01-01T10:00:00Z', end: '2030-01-01T11:00:00Z', purpose: 'x'.repeat(2 * 1024 * 1024) };
  for (let i = 0; i < 5; i++) {
    assertError(await staff.post('/api/v1/bookings', big), 413, 'payload_too_large');
    assertError(await anon.post('/api/v1/session', { email: 'a@b.pl', password: 'x'.repeat(2 * 1024 * 1024) }), 413, 'payload_too_large');
  }
  // The same over a bare socket, the body written at once: the answer is
  // read whole, then the server's FIN; no reset.
  const body = 'x'.repeat(2 * 1024 * 1024);
  for (let i = 0; i < 5; i++) {
    const r = await rawRequest(srv.url, [`POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body],
      { timeout: 8000, waitClose: true });
    assertTooLarge(r);
    assert.equal(r.errorCode, null, `the client saw ${r.errorCode}`);
    assert.ok(r.closed);
  }
  await stillServing();
});

test('draining an oversize body holds a worker no longer than the request timeout', async () => {
  // 10 MB declared, sent at 1 KiB per 100 ms: the 413 comes at once, and
  // the server stops reading at the request's deadline (2 s here).
  const sock = await openStalled(quick.url, 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n');
  let answer = '';
  sock.on('data', (d) => { answer += d; });
  const drip = setInterval(() => sock.write('x'.repeat(1024)), 100);
  try {
    const ms = await closedWithin(sock, 6000);
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.ok(ms < 4000, `held ${ms} ms`);
  } finally {
    clearInterval(drip);
    sock.destroy();
  }
});

test('one address holds at most 32 connections; the rest get a 429 and never take a worker', async () => {
  const held = [];
  try {
    for (let i = 0; i < 32; i++) held.push(await openStalled(srv.url, null, { localAddress: '127.0.0.2' }));
    // The 33rd to 60th are refused at once, with an answer they can read.
    for (let i = 0; i < 28; i++) {
      const r = await within(2000, rawRequest(srv.url, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n', { localAddress: '127.0.0.2', waitClose: true }));
      assert.equal(r.status, 429, r.raw.slice(0, 200));
      assert.equal(r.json.error, 'too_many_requests');
      assert.equal(r.headers['retry-after'], '1');
      assert.ok(r.closed);
    }
    // Everyone else is served at once.
    assert.ok(await healthFresh() < 1000);
    const d = await staff.get('/api/v1/diagnostics');
    assert.ok(d.json.connections.refused >= 28, d.text);
  } finally {
    for (const s of held) s.destroy();
  }
  // Once they close, the address is served again.
  await eventually(async () => (await rawRequest(srv.url, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    { localAddress: '127.0.0.2' })).status === 200, 5000, '127.0.0.2 served again');
});

test('the limit per address is configurable, and off behind a trusted proxy', async () => {
  const held = [];
  try {
    for (let i = 0; i < 4; i++) held.push(await openStalled(quick.url, null, { localAddress: '127.0.0.3' }));
    const r = await rawRequest(quick.url, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n', { localAddress: '127.0.0.3', waitClose: true });
    assert.equal(r.status, 429);
  } finally {
    for (const s of held) s.destroy();
  }
  // Behind nginx every connection comes from nginx: no limit by default.
  const proxied = await startServer({ env: { LABSHARE_TRUST_PROXY: '1' } });
  const many = [];
  try {
    for (let i = 0; i < 40; i++) many.push(await openStalled(proxied.url, null));
    const r = await rawRequest(proxied.url, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(r.status, 200);
  } finally {
    for (const s of many) s.destroy();
    await proxied.stop();
  }
});

test('head and body must arrive within the request timeout, counted from the start', async () => {
  // quick: --request-timeout 2. Bytes that keep arriving do not reset it.
  const t0 = Date.now();
  const head = attackTrickle(quick.url, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ', 'a');
  const body = attackTrickle(quick.url, 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n', ' ');
  const chunked = attackTrickle(quick.url, 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n', '1\r\n \r\n');
  const silent = openStalled(quick.url, null, { localAddress: '127.0.0.4' });
  const [h, b, c, s] = await Promise.all([head, body, chunked, silent.then((sock) => closedWithin(sock, 6000))]);
  for (const [what, r] of [['head', h], ['body', b], ['chunked body', c]]) {
    assert.match(r.answer, /^HTTP\/1\.1 408 /, `${what}: ${r.answer.slice(0, 200)}`);
    assert.match(r.answer, /"error":"request_timeout"/, what);
    assert.ok(r.ms >= 1800 && r.ms < 3500, `${what}: closed after ${r.ms} ms`);
  }
  assert.ok(s >= 1800 && s < 3500, `a silent connection closed after ${s} ms`);
  assert.ok(Date.now() - t0 < 4000);
  assert.ok(await healthFresh(quick.url) < 1000);
});

/** Sends head, then drip every 200 ms until the server closes: {answer, ms}. */
async function attackTrickle(url, head, drip, ms = 6000) {
  const sock = await openStalled(url, head, { localAddress: '127.0.0.5' });
  const t0 = Date.now();
  let answer = '';
  sock.on('data', (d) => { answer += d; });
  const timer = setInterval(() => { if (!sock.destroyed) sock.write(drip); }, 200);
  try {
    await closedWithin(sock, ms);
  } finally {
    clearInterval(timer);
    sock.destroy();
  }
  return { answer, ms: Date.now() - t0 };
}

test('idle keep-alive connections close after the keep-alive timeout, and say so', async () => {
  // quick: --keep-alive-timeout 1; the default server says 5.
  for (const [url, secs] of [[quick.url, 1], [srv.url, 5]]) {
    const sock = await openStalled(url, 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n', { localAddress: '127.0.0.6' });
    let answer = '';
    sock.on('data', (d) => { answer += d; });
    const ms = await closedWithin(sock, (secs + 3) * 1000);
    assert.match(answer, new RegExp(`^HTTP/1\\.1 200 [^]*\r\nKeep-Alive: timeout=${secs}\r\n`));
    assert.ok(ms >= secs * 1000 - 300 && ms < secs * 1000 + 1500, `idle for ${ms} ms`);
  }
});

test('the defaults: 10 s for a request, however slowly it trickles', async () => {
  const t0 = Date.now();
  const r = await attackTrickle(srv.url, 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n', ' ', 15000);
  assert.match(r.answer, /^HTTP\/1\.1 408 /);
  assert.ok(r.ms >= 9500 && r.ms < 11500, `closed after ${r.ms} ms`);
  assert.ok(Date.now() - t0 < 12000);
});

test('many idle and many slow connections do not keep health from answering within 1 s', async () => {
  // 200 idle and 200 half-sent heads from two addresses (each capped at 32
  // connections, every refused one reconnecting 0.1 s later), and 100 more
  // from a third that trickle a head byte by byte: for 12 s, longer than a
  // request may take, so the cut ones come back.
  const idle = attackers(srv.url, { count: 200, localAddress: '127.0.0.7' });
  const slow = attackers(srv.url, { count: 200, localAddress: '127.0.0.8', data: 'GET /api/v1/hea' });
  const drip = attackers(srv.url, { count: 100, localAddress: '127.0.0.9', data: 'GET /api/v1/health HTTP/1.1\r\nX-A: ', drip: 'a', every: 300 });
  const times = [];
  try {
    const end = Date.now() + 12000;
    while (Date.now() < end) times.push(await healthFresh());
  } finally {
    idle.stop();
    slow.stop();
    drip.stop();
  }
  times.sort((a, b) => a - b);
  assert.ok(times.length > 20, `only ${times.length} answers in 12 s`);
  assert.ok(times[times.length - 1] < 1000, `slowest health: ${times[times.length - 1]} ms`);
  assert.ok(idle.refused + slow.refused + drip.refused > 100, 'the per-address limit never acted');
  const d = await staff.get('/api/v1/diagnostics');
  assert.ok(d.json.connections.timed_out > 0, d.text);
});

// These two hold the dispatcher (a database connection only once the body
// is in) and the bounded free/open search, both made outside this branch.

test('10 trickled bodies do not stall /api/v1/health: no database connection waits for a body', async () => {
  // Each body arrives a byte at a time: before the dispatcher takes its
  // database connection only once the body is in, 8 of them (the pool)
  // stalled every API route until their deadline.
  const bodies = attackers(srv.url, { count: 10, localAddress: '127.0.0.10',
    data: 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n', drip: ' ', every: 200 });
  const times = [];
  try {
    const end = Date.now() + 4000;
    while (Date.now() < end) times.push(await healthFresh());
  } finally {
    bodies.stop();
  }
  assert.ok(Math.max(...times) < 1000, `slowest health: ${Math.max(...times)} ms`);
});

test('a free/open search over more than 366 days is a 422 naming free_to, answered at once', async () => {
  const r = await within(5000, staff.get('/api/v1/resources?free_from=1970-01-01T00:00:00Z&free_to=9999-12-31T00:00:00Z&open=true'));
  assertError(r, 422, 'validation', 'free_to');
  const year = new Date().getUTCFullYear() + 1;
  assertError(await staff.get(`/api/v1/resources?free_from=${year}-01-01T00:00:00Z&free_to=${year + 1}-01-03T00:00:00Z`), 422, 'validation', 'free_to');
  const ok = await staff.get(`/api/v1/resources?free_from=${year}-01-01T00:00:00Z&free_to=${year}-12-31T00:00:00Z&open=true`);
  assert.equal(ok.status, 200, ok.text);
});

test('a client that does not read a large answer holds no database connection: the next request is served meanwhile', async () => {
  // One pooled connection, and an answer far larger than the kernel's
  // socket buffers (a lab's feed of 20,000 bookings, some 10 MB): while
  // the answer was written from inside the handler, the client that never
  // read it kept the one connection until civetweb's send timeout, and
  // every other request waited as long.
  const one = await startServer({ env: { LABSHARE_DB_CONNECTIONS: '1' } });
  try {
    sqlite(one.db, `
      INSERT INTO organisations(id, name, grp, created, updated) VALUES (1, 'Slow Org', 'BIZ', 0, 0);
      INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES (1, 1, 'Lab', 'scientific', 50, 0, 0);
      INSERT INTO resources(id, lab_id, type, name, shared, requires_approval, requires_training, created, updated)
        VALUES (1, 1, 'desk', 'Desk', 1, 0, 0, 0, 0);`);
    const uid = addUser(one, { email: 'reader@limits.test', organisation: 1 });
    const from = Math.floor(Date.now() / 86400000 + 1) * 86400;
    sqlite(one.db, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19999)
      INSERT INTO bookings(resource_id, user_id, organisation_id, start, "end", purpose, status, created, updated)
      SELECT 1, ${uid}, 1, ${from} + i * 3600, ${from} + i * 3600 + 1800, 'a purpose long enough to make the feed large', 'approved', 0, 0 FROM n;`);
    const reader = new Client(one.url);
    await reader.login('reader@limits.test');
    const feed = await reader.post('/api/v1/feeds', { scope: 'lab', id: 1 });
    assert.equal(feed.status, 201, feed.text);
    const whole = await fetch(feed.json.url.replace(/^https?:\/\/[^/]+/, one.url));
    assert.ok((await whole.arrayBuffer()).byteLength > 8e6, 'the feed is larger than the socket buffers');
    // Asks for the feed and never reads a byte of it.
    const { hostname, port } = new URL(one.url);
    const stalled = net.connect({ port: Number(port), host: hostname, localAddress: '127.0.0.20' });
    stalled.on('error', () => {});
    // Its answer has begun to arrive (nothing is read: the first bytes
    // wait in Node's buffer, the rest in the kernel's and the server's).
    const begun = new Promise((resolve) => stalled.once('readable', resolve));
    stalled.write(`GET ${new URL(feed.json.url).pathname} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await begun;
    try {
      // Well before civetweb's send timeout (10 s) gives the feed up.
      const r = await within(5000, reader.get('/api/v1/bookings?limit=1'));
      assert.equal(r.status, 200, r.text);
    } finally {
      stalled.destroy();
    }
  } finally {
    await one.stop();
  }
});

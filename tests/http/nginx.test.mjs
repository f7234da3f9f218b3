// nginx.test.mjs — deploy/nginx.conf, as shipped, in front of the real server.
//
// The file is the production example of the README ("Deploying"); this test
// loads it into Debian's nginx with only what a test cannot have replaced:
// loopback ports instead of 80/443, a throw-away certificate instead of
// certbot's, and the test server's port instead of 8080. Then it checks
// what the README says nginx adds in front of civetweb: TLS and HSTS,
// HTTP → HTTPS, the proxy headers labshare trusts with
// LABSHARE_TRUST_PROXY=1 (the client's address, not a forged one; https →
// Secure cookie), refusing
// oversize bodies, the sign-in rate limit, and above all that slow clients
// stall in nginx and never reach labshare's worker threads: with labshare on
// 8 threads, 8 stalled sockets straight at it hold every worker (the
// documented civetweb limit), while 200 stalled sockets at nginx leave it
// answering.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import https from 'node:https';
import tls from 'node:tls';
import { startServer, addUser, within, sqlite, ROOT, PASSWORD } from './lib.mjs';
import { openStalled } from './raw.mjs';

const NGINX = '/usr/sbin/nginx';
const THREADS = 8;
let srv, nginx, dir, cert, httpsPort, httpPort, nginxLog = '';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** deploy/nginx.conf with the test's ports, certificate and upstream. */
function siteConfig(upstream) {
  let site = readFileSync(join(ROOT, 'deploy', 'nginx.conf'), 'utf8');
  const swap = (from, to) => {
    assert.ok(site.includes(from), `deploy/nginx.conf no longer has "${from}": update this test`);
    site = site.split(from).join(to);
  };
  swap('listen 80;', `listen 127.0.0.1:${httpPort};`);
  swap('listen [::]:80;', '');
  swap('listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`);
  swap('listen [::]:443 ssl http2;', '');
  swap('server 127.0.0.1:8080;', `server ${upstream};`);
  swap('/etc/letsencrypt/live/labshare.example.org/fullchain.pem', join(dir, 'cert.pem'));
  swap('/etc/letsencrypt/live/labshare.example.org/privkey.pem', join(dir, 'key.pem'));
  swap('/var/www/letsencrypt', join(dir, 'acme'));
  // OCSP stapling needs a CA's responder; a self-signed certificate has none.
  swap('ssl_stapling on;', 'ssl_stapling off;');
  swap('ssl_stapling_verify on;', 'ssl_stapling_verify off;');
  return site;
}

function mainConfig(site) {
  const tmp = (n) => join(dir, n);
  return `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${tmp('nginx.pid')};
error_log ${tmp('error.log')} warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log ${tmp('access.log')};
  client_body_temp_path ${tmp('body')};
  proxy_temp_path ${tmp('proxy')};
  fastcgi_temp_path ${tmp('fastcgi')};
  uwsgi_temp_path ${tmp('uwsgi')};
  scgi_temp_path ${tmp('scgi')};
${site}
}
`;
}

/** An HTTPS request to nginx that verifies the test certificate. */
function get(path, { method = 'GET', headers = {}, body, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: httpsPort, path, method, headers, localAddress, ca: cert, servername: 'localhost' }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error(`no answer to ${method} ${path} within 10 s`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A TLS connection to nginx that sends half a request head and stalls. */
function stalledTls() {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: httpsPort, ca: cert, servername: 'localhost' }, () => {
      s.write('GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
      resolve(s);
    });
    s.on('error', reject);
  });
}

before(async () => {
  assert.ok(spawnSync(NGINX, ['-v']).status === 0, 'nginx is not installed (./dev test installs it)');
  dir = mkdtempSync(join(tmpdir(), 'labshare-nginx-'));
  for (const d of ['acme', 'body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const o = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { encoding: 'utf8' });
  assert.equal(o.status, 0, o.stderr);
  cert = readFileSync(join(dir, 'cert.pem'));
  srv = await startServer({ env: { LABSHARE_TRUST_PROXY: '1' }, args: ['--threads', String(THREADS)] });
  addUser(srv, { email: 'nginx@test.pl', role: 'researcher' });
  httpsPort = await freePort();
  httpPort = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), mainConfig(siteConfig(new URL(srv.url).host)));
  // The shipped file must load as it is (nginx -t), then serve.
  const t = spawnSync(NGINX, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
  assert.equal(t.status, 0, `nginx -t:\n${t.stderr}`);
  nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  nginx.stderr.on('data', (d) => { nginxLog += d; });
  for (let i = 0; ; i++) {
    try { await get('/api/v1/health'); break; } catch (e) {
      if (i > 100) throw new Error(`nginx did not answer: ${e.message}\n${nginxLog}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});

after(async () => {
  if (nginx) {
    const exited = new Promise((r) => nginx.on('exit', r));
    nginx.kill('SIGQUIT'); // graceful: workers finish, then exit
    await exited;
  }
  if (srv) await srv.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('HTTPS with HSTS, labshare\'s own headers passed through, HTTP redirected', async () => {
  const r = await get('/api/v1/health');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers['strict-transport-security'], /max-age=31536000/);
  assert.match(r.headers['content-security-policy'], /default-src/);
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /text\/html/);
  const plain = await new Promise((resolve, reject) => {
    const s = net.connect(httpPort, '127.0.0.1', () => s.write('GET /catalogue.html HTTP/1.1\r\nHost: labshare.test\r\nConnection: close\r\n\r\n'));
    let raw = '';
    s.on('data', (d) => { raw += d; });
    s.on('end', () => resolve(raw));
    s.on('error', reject);
  });
  assert.match(plain, /^HTTP\/1\.1 301/);
  assert.match(plain, /\r\nLocation: https:\/\/labshare\.test\/catalogue\.html\r\n/i);
});

test('labshare sees the client address and HTTPS through the proxy headers', async () => {
  // The client speaks from 127.0.0.2, nginx reaches labshare from
  // 127.0.0.1: the audit log can only show .2 by reading X-Forwarded-For,
  // and only its last entry (the one nginx added), not a client's forgery.
  const r = await get('/api/v1/session', {
    method: 'POST',
    localAddress: '127.0.0.2',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
    body: JSON.stringify({ email: 'nginx@test.pl', password: PASSWORD }),
  });
  assert.equal(r.status, 200, r.text);
  const cookie = [].concat(r.headers['set-cookie'] || []).find((c) => c.startsWith('labshare_session='));
  assert.ok(cookie, 'a session cookie');
  assert.match(cookie, /; Secure/, 'X-Forwarded-Proto: https makes the cookie Secure');
  assert.match(cookie, /HttpOnly/);
  const ip = sqlite(srv.db, "SELECT ip FROM audit_log WHERE action = 'session.create' ORDER BY id DESC LIMIT 1");
  assert.equal(ip, '127.0.0.2', `audit row: ${ip}`);
});

test('an oversize body is refused by nginx before labshare reads it', async () => {
  const r = await get('/api/v1/bookings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: 'x'.repeat(2 * 1024 * 1024),
  });
  assert.equal(r.status, 413);
  assert.match(r.text, /nginx/, 'nginx answers, labshare never sees the body');
});

test('sign-in is rate limited per address (10 a minute, bursts of 5)', async () => {
  const statuses = [];
  let limited = null;
  for (let i = 0; i < 10; i++) {
    // A new account each time: labshare's own per-account throttling
    // (5 failures) must not be what answers.
    const r = await get('/api/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `nobody${i}@test.pl`, password: 'wrong password' }),
    });
    statuses.push(r.status);
    if (r.status === 429) limited ??= r;
  }
  // The earlier sign-in test spent one of the burst; labshare answers 401
  // for the wrong password until nginx's bucket is empty, then nginx 429s.
  assert.ok(statuses.includes(401), statuses.join(' '));
  assert.equal(statuses.at(-1), 429, statuses.join(' '));
  assert.deepEqual(statuses.slice(statuses.indexOf(429)).filter((s) => s !== 429), [], statuses.join(' '));
  assert.match(limited.text, /nginx/, 'the 429 comes from nginx, not labshare');
});

test('slow clients stall in nginx: 200 of them leave labshare answering, while 8 straight at it hold every worker', async () => {
  const direct = [];
  const slow = [];
  try {
    for (let i = 0; i < THREADS; i++) direct.push(await openStalled(srv.url, 'GET /api/v1/hea'));
    // The documented limit: every worker now waits for a request that
    // never completes, and a ninth client is not served.
    const blocked = await within(1500, fetch(`${srv.url}/api/v1/health`)).then(() => 'answered', () => 'waiting');
    assert.equal(blocked, 'waiting', 'with every worker held by a stalled socket, civetweb should not answer');
    for (const s of direct) s.destroy();
    direct.length = 0;
    for (let i = 0; i < 200; i++) slow.push(await stalledTls());
    for (let i = 0; i < 3; i++) {
      const r = await within(5000, get('/api/v1/health'));
      assert.equal(r.status, 200);
    }
  } finally {
    for (const s of [...direct, ...slow]) s.destroy();
  }
});

// nginx-nodes.test.mjs — deploy/nginx-nodes.conf, as shipped, in front of two
// labshare nodes on one PostgreSQL database: one node killed with SIGKILL
// under load loses no booking it answered 201 for, and nginx's passive
// health checks send every later request to the node that is left.
//
// What the test takes from the file unchanged: the `upstream labshare`
// block (least_conn, max_fails/fail_timeout, keepalive; only the two ports
// swapped for the nodes') and the proxy_next_upstream lines its comment
// tells to add. The rest of deploy/nginx.conf (TLS, rate limits) is
// tests/http/nginx.test.mjs's; the rate limits would refuse this test's load.
//
// PostgreSQL pass only (./dev test runs tests/http/pg/ with LABSHARE_TEST_PG).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { startServer, Client, addUser, newDatabase, dropDatabase, ENGINE, ROOT, sqlite as sql, eventually } from '../lib.mjs';
import { seedDesks, deskSlot } from './desks.mjs';

assert.equal(ENGINE, 'postgresql', 'run with LABSHARE_TEST_PG set to a test cluster (./dev test does)');

const NGINX = '/usr/sbin/nginx';
let dir, db, nodeA, nodeB, nginx, base, nginxLog = '';
const clients = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** deploy/nginx-nodes.conf's upstream block and proxy_next_upstream lines, the nodes' ports swapped in. */
function nodesConfig(portA, portB) {
  const file = readFileSync(join(ROOT, 'deploy', 'nginx-nodes.conf'), 'utf8');
  const upstream = /^upstream labshare \{[\s\S]*?^\}/m.exec(file);
  assert.ok(upstream, 'deploy/nginx-nodes.conf no longer has an upstream labshare block: update this test');
  let block = upstream[0];
  for (const [from, to] of [['127.0.0.1:8081', `127.0.0.1:${portA}`], ['127.0.0.1:8082', `127.0.0.1:${portB}`]]) {
    assert.ok(block.includes(from), `deploy/nginx-nodes.conf no longer has "${from}": update this test`);
    block = block.split(from).join(to);
  }
  const next = file.split('\n').map((l) => /^#\s+(proxy_next_upstream\S*\s.*;)\s*$/.exec(l)).filter(Boolean).map((m) => m[1]);
  assert.ok(next.some((l) => /^proxy_next_upstream\s/.test(l)), 'deploy/nginx-nodes.conf no longer names proxy_next_upstream');
  return { block, next };
}

before(async () => {
  assert.ok(spawnSync(NGINX, ['-v']).status === 0, 'nginx is not installed (./dev test installs it)');
  dir = mkdtempSync(join(tmpdir(), 'labshare-nginx-nodes-'));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  db = newDatabase(dir);
  nodeA = await startServer({ db, env: { LABSHARE_TRUST_PROXY: '1' } });
  nodeB = await startServer({ db, env: { LABSHARE_TRUST_PROXY: '1' } });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const { block, next } = nodesConfig(new URL(nodeA.url).port, new URL(nodeB.url).port);
  const tmp = (n) => join(dir, n);
  writeFileSync(tmp('nginx.conf'), `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
pid ${tmp('nginx.pid')};
error_log ${tmp('error.log')} warn;
events { worker_connections 1024; }
http {
  log_format nodes '$upstream_addr $status $request';
  access_log ${tmp('access.log')} nodes;
  client_body_temp_path ${tmp('body')};
  proxy_temp_path ${tmp('proxy')};
  fastcgi_temp_path ${tmp('fastcgi')};
  uwsgi_temp_path ${tmp('uwsgi')};
  scgi_temp_path ${tmp('scgi')};
${block}
  server {
    listen 127.0.0.1:${port};
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_connect_timeout 5s;
    proxy_read_timeout 60s;
    ${next.join('\n    ')}
    location / { proxy_pass http://labshare; }
  }
}
`);
  const t = spawnSync(NGINX, ['-t', '-p', dir, '-c', tmp('nginx.conf')], { encoding: 'utf8' });
  assert.equal(t.status, 0, `nginx -t:\n${t.stderr}`);
  nginx = spawn(NGINX, ['-p', dir, '-c', tmp('nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  nginx.stderr.on('data', (d) => { nginxLog += d; });
  await eventually(async () => {
    try { return (await fetch(base + '/api/v1/health')).status === 200; } catch { return false; }
  }, { what: `nginx answering (${nginxLog})` });

  seedDesks(db, 'Nginx Org');
  for (let i = 0; i < 8; i++) {
    addUser(nodeA, { email: `n${i}@nginx.test`, organisation: 1 });
    const c = new Client(base);
    await c.login(`n${i}@nginx.test`);
    clients.push(c);
  }
});

after(async () => {
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((r) => nginx.on('exit', r));
    nginx.kill('SIGQUIT');
    await exited;
  }
  if (nodeB) await nodeB.stop({ keep: true });
  if (nodeA && nodeA.child.exitCode === null && nodeA.child.signalCode === null) await nodeA.stop({ keep: true });
  dropDatabase(db);
  for (const d of [dir, nodeA?.dir, nodeB?.dir]) if (d) rmSync(d, { recursive: true, force: true });
});


test('both nodes serve through nginx; one killed with SIGKILL under load: every 201 kept, the other node answers every later request', async (t) => {
  // Both nodes take requests before the kill (least_conn spreads them).
  for (let i = 0; i < 10; i++) assert.equal((await fetch(base + '/api/v1/health')).status, 200);
  const served = new Set(readFileSync(join(dir, 'access.log'), 'utf8').trim().split('\n').map((l) => l.split(' ')[0]));
  assert.ok(served.has(new URL(nodeA.url).host) && served.has(new URL(nodeB.url).host), `nodes that answered: ${[...served]}`);
  let k = 0;
  const results = [];
  const book = (c) => {
    const at = k++;
    return c.post('/api/v1/bookings', deskSlot(at))
      .then((r) => { results.push(r); return r; }, (e) => { results.push({ status: 0, error: e }); });
  };
  // 16 clients at once (a busy morning), each booking one hour after another.
  const worker = async (c, n) => { for (let i = 0; i < n; i++) await book(c); };
  const load = Promise.all(Array.from({ length: 16 }, (_, i) => worker(clients[i % clients.length], 6)));
  await eventually(() => results.length >= 12, { what: 'the first answers' });
  nodeA.child.kill('SIGKILL');
  const killedAt = results.length;
  await load;

  const statuses = results.map((r) => r.status);
  t.diagnostic(`before the kill ${killedAt} answers; in all ${statuses.filter((s) => s === 201).length} × 201, ${statuses.filter((s) => s === 502).length} × 502`);
  // A request nginx had passed to the killed node may end as 502 (it is
  // never sent again: the node may have committed it), or, if the node died
  // between its answer's headers and its body, cut short (nginx has passed
  // the headers on and can only close: fetch fails). Only a request in
  // flight at the kill, one a client at most; nothing else fails.
  for (const r of results) {
    assert.ok(r.status === 201 || r.status === 502 || (r.status === 0 && /terminated|other side closed/.test(`${r.error} ${r.error?.cause}`)),
      `unexpected status ${r.status} (${r.error?.cause || r.error || ''}): ${statuses.join(' ')}`);
  }
  assert.ok(statuses.filter((s) => s !== 201).length <= 16, `more failed than were in flight: ${statuses.join(' ')}`);
  const created = results.filter((r) => r.status === 201).map((r) => r.json.id);
  assert.ok(created.length >= killedAt, `only ${created.length} bookings were created`);
  assert.equal(sql(db, `SELECT count(*) FROM bookings WHERE id IN (${created.join(',')})`), String(created.length),
    'a booking answered 201 is missing');

  // After the kill every request reaches node B: no 502, bookings and reads.
  const later = await Promise.all(Array.from({ length: 16 }, (_, i) => book(clients[i % clients.length])));
  assert.deepEqual(later.map((r) => r.status).filter((s) => s !== 201), [], 'a request after the kill failed');
  for (let i = 0; i < 16; i++) {
    const h = await fetch(base + '/api/v1/health');
    assert.equal(h.status, 200);
    const mine = await clients[i % clients.length].get('/api/v1/bookings?limit=1');
    assert.equal(mine.status, 200, mine.text);
  }
  assert.equal(sql(db, `SELECT count(*) FROM bookings a JOIN bookings b ON a.resource_id = b.resource_id AND a.id < b.id
    WHERE a.status = 'approved' AND b.status = 'approved' AND a.start < b.end AND b.start < a.end`), '0');
});

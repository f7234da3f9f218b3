// outage.test.mjs — the database goes away under a running node (the
// primary crashes or fails over) and comes back: requests it hits answer 503
// database_unavailable with Retry-After, health says the database is
// unavailable, nothing is half-written, and the node reconnects by itself.
//
// It stops a PostgreSQL cluster of its own (tests/pg/cluster pause/resume),
// not the shared one of the PostgreSQL pass; runs on either pass.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, addUser, ROOT, sqlite as sql, eventually } from '../lib.mjs';
import { seedDesks } from './desks.mjs';

const CLUSTER = join(ROOT, 'tests', 'pg', 'cluster');
let dir, db, srv, me;

// Durable settings (fsync, synchronous_commit): the pause is a crash, and a
// booking answered 201 just before it must survive it, which the tests'
// fast cluster (synchronous_commit off) does not promise.
function cluster(cmd) {
  const r = spawnSync(CLUSTER, [cmd, dir], { encoding: 'utf8', env: { ...process.env, LABSHARE_PG_DURABLE: '1' } });
  assert.equal(r.status, 0, `cluster ${cmd}: ${r.stderr}`);
  return r.stdout.trim();
}

// The date (YYYY-MM-DD) `days` days from now: always in the future.
const day = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
const slot = (days, h) => ({ resource_id: 1, start: `${day(days)}T${h}:00:00`, end: `${day(days)}T${h}:30:00` });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labshare-outage-'));
  const admin = cluster('start');
  const r = spawnSync('psql', ['-X', '-q', admin, '-c', 'CREATE DATABASE outage'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  db = admin.replace(/\/postgres$/, '/outage');
  srv = await startServer({ db });
  seedDesks(db, 'Outage Org');
  addUser(srv, { email: 'me@outage.test', organisation: 1 });
  me = new Client(srv.url);
  await me.login('me@outage.test');
});

after(async () => {
  if (srv) await srv.stop({ keep: true });
  if (dir) spawnSync(CLUSTER, ['stop', dir]);
  if (srv) rmSync(srv.dir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('while the database is down: 503 with Retry-After, health degraded, nothing written; then back by itself', async () => {
  const before = await me.post('/api/v1/bookings', slot(5, '09'));
  assert.equal(before.status, 201, before.text);
  assert.deepEqual((await me.get('/api/v1/health')).json, { status: 'ok' });

  cluster('pause');
  const health = await me.get('/api/v1/health');
  assert.equal(health.status, 503, health.text);
  assert.deepEqual(health.json, { status: 'degraded', database: 'unavailable' });
  assert.ok(Number(health.headers.get('retry-after')) > 0, 'health: Retry-After');
  const write = await me.post('/api/v1/bookings', slot(5, '10'));
  assert.equal(write.status, 503, write.text);
  assert.equal(write.json.error, 'database_unavailable');
  assert.ok(Number(write.headers.get('retry-after')) > 0, 'write: Retry-After');
  const read = await me.get('/api/v1/bookings');
  assert.equal(read.status, 503, read.text);
  assert.equal(read.json.error, 'database_unavailable');

  cluster('resume');
  // The node reconnects on its own: no restart, the same session.
  await eventually(async () => (await me.get('/api/v1/health')).status === 200, { what: 'health ok again', timeout: 30000 });
  const again = await me.post('/api/v1/bookings', slot(5, '10'));
  assert.equal(again.status, 201, again.text);
  // The refused write left nothing; the acknowledged ones are there.
  assert.equal(sql(db, `SELECT count(*) FROM bookings WHERE id IN (${before.json.id}, ${again.json.id})`), '2');
  assert.equal(sql(db, 'SELECT count(*) FROM bookings'), '2');
  const mine = await me.get('/api/v1/bookings');
  assert.equal(mine.status, 200, mine.text);
});

// nodes.test.mjs — two labshare processes serving one PostgreSQL database:
// the rules hold across them because the database holds them (overlaps,
// feeds' versions, the outbox), and one node killed outright loses nothing
// it answered 201 for while the other keeps answering. Node A reaches the
// database over TCP, node B through its Unix socket (and hears its
// announcements there).
//
// PostgreSQL pass only (./dev test runs tests/http/pg/ with LABSHARE_TEST_PG).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, addUser, newDatabase, dropDatabase, overSocket, ENGINE, sqlite as sql, eventually } from '../lib.mjs';
import { startSmtpSink } from '../smtp-sink.mjs';

assert.equal(ENGINE, 'postgresql', 'run with LABSHARE_TEST_PG set to a test cluster (./dev test does)');

let dir, db, sink, nodeA, nodeB;
const clients = [];

// The date (YYYY-MM-DD) `days` days from now: always in the future.
function day(days) {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}
const at = (date, hm) => `${date}T${hm}:00`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labshare-nodes-'));
  db = newDatabase(dir);
  sink = await startSmtpSink();
  const env = {
    LABSHARE_SMTP_URL: sink.url, LABSHARE_SMTP_FROM: 'labshare <noreply@nodes.test>',
    LABSHARE_NOTIFY_INTERVAL_MS: '100', LABSHARE_NOTIFY_BACKOFF_S: '1',
  };
  // 16 clients with up to four requests each in flight at a node: above the
  // default 32 connections per address (all clients are 127.0.0.1).
  const args = ['--client-connections', '128'];
  nodeA = await startServer({ db, env, args });
  nodeB = await startServer({ db: overSocket(db), env, args });
  sql(db, `
    INSERT INTO organisations(id, name, grp, created, updated) VALUES (1, 'Node Org', 'BIZ', 0, 0);
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES (1, 1, 'Lab', 'scientific', 50, 0, 0);
    INSERT INTO resources(id, lab_id, type, name, shared, requires_approval, requires_training, created, updated) VALUES
      (1, 1, 'desk', 'Desk one', 1, 0, 0, 0, 0), (2, 1, 'desk', 'Desk two', 1, 0, 0, 0, 0),
      (3, 1, 'instrument', 'Reviewed', 1, 1, 0, 0, 0);
    WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 7)
      INSERT INTO opening_hours(resource_id, weekday, open_min, close_min) SELECT r.id, d.n, 0, 1440 FROM d, resources r;
  `);
  addUser(nodeA, { email: 'owner@nodes.test', role: 'owner', organisation: 1 });
  for (let i = 0; i < 16; i++) {
    addUser(nodeA, { email: `r${i}@nodes.test`, organisation: 1 });
    const c = new Client((i % 2 ? nodeB : nodeA).url);
    await c.login(`r${i}@nodes.test`);
    clients.push(c);
  }
});

after(async () => {
  if (nodeB) await nodeB.stop({ keep: true });
  if (nodeA && nodeA.child.exitCode === null && nodeA.child.signalCode === null) await nodeA.stop({ keep: true });
  await sink.close();
  dropDatabase(db);
  rmSync(dir, { recursive: true, force: true });
  for (const s of [nodeA, nodeB]) if (s) rmSync(s.dir, { recursive: true, force: true });
});

test('16 clients through both nodes: exactly one approved booking per slot, the rest 409 naming it', async () => {
  const d = day(10);
  const slots = ['08:00', '09:00', '10:00', '11:00'];
  const answers = await Promise.all(slots.flatMap((hm, s) => clients.map((c) =>
    c.post('/api/v1/bookings', { resource_id: 1, start: at(d, hm), end: at(d, slots[s + 1] || '12:00') })
      .then((r) => ({ s, r })))));
  for (let s = 0; s < slots.length; s++) {
    const mine = answers.filter((a) => a.s === s).map((a) => a.r);
    const won = mine.filter((r) => r.status === 201);
    assert.equal(won.length, 1, `slot ${slots[s]}: ${mine.map((r) => r.status).join(' ')}`);
    assert.equal(won[0].json.status, 'approved');
    for (const r of mine.filter((x) => x.status !== 201)) {
      assert.equal(r.status, 409, r.text);
      assert.equal(r.json.error, 'conflict');
      assert.deepEqual(r.json.conflicts, [won[0].json.id]);
    }
  }
  assert.equal(sql(db, `SELECT count(*) FROM bookings a JOIN bookings b ON a.resource_id = b.resource_id AND a.id < b.id
    WHERE a.status = 'approved' AND b.status = 'approved' AND a.start < b.end AND b.start < a.end`), '0');
});

test('a booking made through one node is in the feed the other node serves at once (no stale 304)', async () => {
  const viaB = clients[1]; // signed in at node B
  const feed = await viaB.post('/api/v1/feeds', { scope: 'resource', id: 2 });
  assert.equal(feed.status, 201, feed.text);
  const path = new URL(feed.json.url).pathname;
  const first = await fetch(nodeB.url + path);
  assert.equal(first.status, 200);
  const etag = first.headers.get('etag');
  assert.ok(etag);
  assert.equal((await fetch(nodeB.url + path, { headers: { 'if-none-match': etag } })).status, 304);
  const made = await clients[0].post('/api/v1/bookings', { resource_id: 2, start: at(day(11), '09:00'), end: at(day(11), '10:00') });
  assert.equal(made.status, 201, made.text);
  const after = await fetch(nodeB.url + path, { headers: { 'if-none-match': etag } });
  assert.equal(after.status, 200, 'node B answered 304 for a feed that changed through node A');
  assert.notEqual(after.headers.get('etag'), etag);
  assert.match(await after.text(), new RegExp(`booking-${made.json.id}@`));
});

test('each e-mail is sent once although both nodes run a sender', async () => {
  const d = day(12);
  const made = [];
  for (let i = 0; i < 8; i++) {
    const r = await clients[i].post('/api/v1/bookings', { resource_id: 3, start: at(d, `${String(8 + i).padStart(2, '0')}:00`), end: at(d, `${String(9 + i).padStart(2, '0')}:00`) });
    assert.equal(r.status, 201, r.text);
    made.push(r.json.id);
  }
  // Every request is mailed to the owner: wait until the outbox has sent them all.
  await eventually(() => sql(db, `SELECT count(*) FROM outbox WHERE booking_id IN (${made.join(',')}) AND status = 'sent'`) === String(made.length),
    { what: 'the owner\'s request mails sent' });
  await eventually(() => made.every((id) => sink.messages.some((m) => m.to.includes('owner@nodes.test') && (m.text || '').includes(`/#/bookings/${id}`))),
    { what: 'the mails at the sink' });
  for (const id of made) {
    const got = sink.messages.filter((m) => m.to.includes('owner@nodes.test') && (m.text || '').includes(`/#/bookings/${id}`));
    assert.equal(got.length, 1, `booking ${id}: ${got.length} mails`);
  }
  assert.equal(sql(db, 'SELECT count(*) FROM outbox WHERE status = \'sent\''), String(sink.messages.length));
});

test('a session ended or an account changed anywhere holds on every node within moments', async () => {
  // Nodes keep the sessions they read (a round trip each on PostgreSQL)
  // and drop them when the database announces a change: from the other
  // node, and from any tool (here psql).
  const id = addUser(nodeA, { email: 'moving@nodes.test', organisation: 1 });
  const atA = new Client(nodeA.url);
  await atA.login('moving@nodes.test');
  const atB = new Client(nodeB.url);
  atB.cookie = atA.cookie;
  for (let i = 0; i < 3; i++) assert.equal((await atB.get('/api/v1/session')).json.user.role, 'researcher');
  sql(db, `UPDATE users SET role = 'owner' WHERE id = ${id}`);
  await eventually(async () => (await atB.get('/api/v1/session')).json.user.role === 'owner',
    { timeout: 3000, what: 'node B seeing the new role' });
  assert.equal((await atA.get('/api/v1/session')).json.user.role, 'owner');
  assert.equal((await atA.del('/api/v1/session')).status, 204);
  assert.equal((await atA.get('/api/v1/session', { headers: { cookie: atB.cookie } })).status, 401,
    'the node that ended the session refuses it at once');
  await eventually(async () => (await atB.get('/api/v1/session')).status === 401,
    { timeout: 3000, what: 'node B refusing the ended session' });
});

test('a resource changed anywhere holds for bookings on every node within moments, on its own node at once', async () => {
  // Nodes keep the catalogue a booking checks (db_kept.h); PostgreSQL
  // announces every change to it, from a node or from any tool (here psql).
  let k = 0;
  const book = (c) => {
    const n = k++;
    const d = day(40 + Math.floor(n / 20));
    const hm = (h) => `${String(h).padStart(2, '0')}:00`;
    return c.post('/api/v1/bookings', { resource_id: 2, start: at(d, hm(n % 20)), end: at(d, hm(n % 20 + 1)) });
  };
  const viaA = clients[0], viaB = clients[1]; // clients alternate nodes: 0 on A, 1 on B
  for (const c of [viaA, viaB]) {
    const r = await book(c);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.status, 'approved', 'the desk approves at once: what each node now keeps');
  }
  // Through the API on node A: node A books by it at once, node B within moments.
  const owner = new Client(nodeA.url);
  await owner.login('owner@nodes.test');
  const changed = await owner.patch('/api/v1/resources/2', { requires_approval: true });
  assert.equal(changed.status, 200, changed.text);
  const next = await book(viaA);
  assert.equal(next.status, 201, next.text);
  assert.equal(next.json.status, 'pending', 'the node that made the change books by it at once');
  const statusVia = async (c) => {
    const r = await book(c);
    assert.equal(r.status, 201, r.text);
    return r.json.status;
  };
  await eventually(async () => await statusVia(viaB) === 'pending',
    { timeout: 3000, what: 'node B asking approval for the desk' });

  // With a tool: both nodes within moments.
  sql(db, 'UPDATE resources SET requires_approval = 0 WHERE id = 2');
  for (const [c, name] of [[viaA, 'A'], [viaB, 'B']])
    await eventually(async () => await statusVia(c) === 'approved',
      { timeout: 3000, what: `node ${name} approving the desk at once again` });
});

test('one node killed with SIGKILL under load: every 201 is in the database, the other node answers on', async () => {
  const d = day(13);
  const results = [];
  let n = 0;
  // Distinct hours on two desks: every request can be granted.
  const request = (c) => {
    const k = n++;
    const start = at(day(13 + Math.floor(k / 24)), `${String(k % 24).padStart(2, '0')}:00`);
    const end = k % 24 === 23 ? at(day(14 + Math.floor(k / 24)), '00:00') : at(day(13 + Math.floor(k / 24)), `${String(k % 24 + 1).padStart(2, '0')}:00`);
    return c.post('/api/v1/bookings', { resource_id: 1 + (k % 2), start, end })
      .then((r) => results.push(r), (e) => results.push({ status: 0, error: e }));
  };
  const load = [];
  for (let i = 0; i < 64; i++) load.push(request(clients[i % 16]));
  // Kill node A while its requests are in flight.
  await eventually(() => results.length >= 8, { what: 'the first answers' });
  nodeA.child.kill('SIGKILL');
  await Promise.all(load);
  assert.ok(d);
  const created = results.filter((r) => r.status === 201).map((r) => r.json.id);
  assert.ok(created.length >= 8, `only ${created.length} bookings were created`);
  const present = sql(db, `SELECT count(*) FROM bookings WHERE id IN (${created.join(',')})`);
  assert.equal(present, String(created.length), 'a booking answered 201 is missing');
  // Node B goes on: health, and a new booking through it.
  const h = await fetch(nodeB.url + '/api/v1/health');
  assert.equal(h.status, 200);
  const more = await clients[1].post('/api/v1/bookings', { resource_id: 2, start: at(day(30), '10:00'), end: at(day(30), '11:00') });
  assert.equal(more.status, 201, more.text);
  assert.equal(sql(db, `SELECT count(*) FROM bookings a JOIN bookings b ON a.resource_id = b.resource_id AND a.id < b.id
    WHERE a.status = 'approved' AND b.status = 'approved' AND a.start < b.end AND b.start < a.end`), '0');
});

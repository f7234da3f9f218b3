// turns.test.mjs — on PostgreSQL the writers of one resource run side by
// side, and one that lost a race runs again alone among them (db.c,
// pg_write): it waits until the resource's writers under way have ended,
// however many and on whichever node, then sees every winner and answers as
// if it had run second. Writers of other resources never wait for it. The
// requests for a resource, its approvals and its moves are its writers.
//
// PostgreSQL pass only: psql sessions play the other node's writers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, addUser, ENGINE, sqlite as sql, eventually } from '../lib.mjs';
import { seedDesks } from './desks.mjs';
import { openTransaction, waitingOnLocks } from './psql.mjs';

assert.equal(ENGINE, 'postgresql', 'run with LABSHARE_TEST_PG set to a test cluster (./dev test does)');

let db, srv;
const clients = [];

// The date (YYYY-MM-DD) `days` days from now: always in the future.
const day = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
const epoch = (date) => Date.parse(`${date}T00:00:00Z`) / 1000;

before(async () => {
  srv = await startServer();
  db = srv.db;
  seedDesks(db, 'Turns Org');
  for (let i = 0; i < 5; i++) {
    addUser(srv, { email: `r${i}@turns.test`, organisation: 1 });
    const c = new Client(srv.url);
    await c.login(`r${i}@turns.test`);
    clients.push(c);
  }
});

after(async () => {
  if (srv) await srv.stop();
});

test('requests that lost a race for a resource run again only once its writers under way have ended, then answer 409', async () => {
  // Another node's booking of the whole of day 9, not yet committed: the
  // node's requests for a slot in it wait for it at their insert.
  const other = await openTransaction(db, `INSERT INTO bookings(id, resource_id, user_id, organisation_id, start, "end",
      purpose, status, created, updated) SELECT 900, 1, min(id), 1, ${epoch(day(9))}, ${epoch(day(10))}, '', 'approved', 0, 0
      FROM users;`, 'INSERT 0 1');
  // And another node's writer of desk 1 under way, as its writers share
  // the resource's turn until their transaction ends.
  const writer = await openTransaction(db, 'SELECT pg_advisory_xact_lock_shared(1280526386, 1);', '(1 row)');
  try {
    let answered = 0;
    const racing = clients.slice(0, 4).map((c) =>
      c.post('/api/v1/bookings', { resource_id: 1, start: `${day(9)}T10:00:00`, end: `${day(9)}T11:00:00` })
        .then((r) => { answered++; return r; }));
    await eventually(() => waitingOnLocks(db, 'transactionid') === 4, { what: 'four requests waiting for the other booking' });
    await other.commit();
    // All four lost the race; each waits to run again alone: for the writer
    // under way, and for each other.
    await eventually(() => waitingOnLocks(db, 'advisory') === 4, { what: 'four requests waiting for their turn' });
    assert.equal(answered, 0);
    // Another desk's booking is not held up by desk 1's turn.
    const elsewhere = await clients[4].post('/api/v1/bookings', { resource_id: 2, start: `${day(9)}T10:00:00`, end: `${day(9)}T11:00:00` });
    assert.equal(elsewhere.status, 201, elsewhere.text);
    assert.equal(answered, 0);
    await writer.commit();
    for (const r of await Promise.all(racing)) {
      assert.equal(r.status, 409, r.text);
      assert.deepEqual(r.json.conflicts, [900]);
    }
  } finally {
    await other.commit();
    await writer.commit();
  }
  assert.equal(sql(db, 'SELECT count(*) FROM bookings WHERE resource_id = 1'), '1');
});

// Another node's approved booking over the whole of `date` on `resource`,
// not yet committed, and another node's writer of the resource under way;
// then send(): it waits for the booking at its write, loses, waits for the
// resource's turn, and once the writer has ended answers 409 naming the winner.
async function loseThenWaitForTurn(resource, date, send) {
  const winner = Number(sql(db, 'SELECT max(id) FROM bookings')) + 1000; // past any id labshare gives meanwhile
  const other = await openTransaction(db, `INSERT INTO bookings(id, resource_id, user_id, organisation_id, start, "end",
      purpose, status, created, updated) SELECT ${winner}, ${resource}, min(id), 1, ${epoch(date)}, ${epoch(date) + 86400},
      '', 'approved', 0, 0 FROM users;`, 'INSERT 0 1');
  const writer = await openTransaction(db, `SELECT pg_advisory_xact_lock_shared(1280526386, ${resource});`, '(1 row)');
  try {
    let answered = false;
    const sent = send().then((r) => { answered = true; return r; });
    await eventually(() => waitingOnLocks(db, 'transactionid') === 1, { what: 'the write waiting for the other booking' });
    await other.commit();
    await eventually(() => waitingOnLocks(db, 'advisory') === 1, { what: 'the write waiting for the resource\'s turn' });
    assert.equal(answered, false);
    await writer.commit();
    const r = await sent;
    assert.equal(r.status, 409, r.text);
    assert.deepEqual(r.json.conflicts, [winner]);
  } finally {
    await other.commit();
    await writer.commit();
  }
}

test('an approval or a move that lost a race runs again in its resource\'s turn, as the requests it races do, then answers 409', async () => {
  // An instrument whose requests its owner approves, and one request for it.
  sql(db, `
    INSERT INTO resources(id, lab_id, type, name, shared, requires_approval, requires_training, created, updated)
      VALUES (3, 1, 'instrument', 'Reviewed', 1, 1, 0, 0, 0);
    WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 7)
      INSERT INTO opening_hours(resource_id, weekday, open_min, close_min) SELECT 3, n, 0, 1440 FROM d;`);
  addUser(srv, { email: 'owner@turns.test', role: 'owner', organisation: 1 });
  const owner = new Client(srv.url);
  await owner.login('owner@turns.test');
  const asked = await clients[0].post('/api/v1/bookings', { resource_id: 3, start: `${day(11)}T10:00:00`, end: `${day(11)}T11:00:00` });
  assert.equal(asked.status, 201, asked.text);
  assert.equal(asked.json.status, 'pending');
  await loseThenWaitForTurn(3, day(11), () => owner.post(`/api/v1/bookings/${asked.json.id}/approve`, {}));
  assert.equal(sql(db, `SELECT status FROM bookings WHERE id = ${asked.json.id}`), 'pending');

  // A desk's booking moved into a day another node is taking.
  const held = await clients[1].post('/api/v1/bookings', { resource_id: 1, start: `${day(13)}T10:00:00`, end: `${day(13)}T11:00:00` });
  assert.equal(held.status, 201, held.text);
  await loseThenWaitForTurn(1, day(14), () =>
    clients[1].patch(`/api/v1/bookings/${held.json.id}`, { start: `${day(14)}T10:00:00`, end: `${day(14)}T11:00:00` }));
  assert.equal((await clients[1].get(`/api/v1/bookings/${held.json.id}`)).json.start, held.json.start, 'the booking stays where it was');
});

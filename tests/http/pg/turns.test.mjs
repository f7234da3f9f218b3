// turns.test.mjs — on PostgreSQL the writers of one resource run side by
// side, and one that lost a race runs again alone among them (db.c,
// pg_write): it waits until the resource's writers under way have ended,
// however many and on whichever node, then sees every winner and answers as
// if it had run second. Writers of other resources never wait for it.
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

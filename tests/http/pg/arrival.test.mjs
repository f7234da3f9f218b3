// arrival.test.mjs — a request's arrival deadline (--request-timeout) is the
// client's time to send it, not the server's time to get round to it: a
// request that arrived whole while every database connection was busy is
// answered when one is free, never 408 "did not arrive".
//
// PostgreSQL pass only: a psql session holding a lock is what keeps the
// node's one connection busy for as long as the test needs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, addUser, ENGINE, sqlite as sql, eventually } from '../lib.mjs';
import { rawRequest } from '../raw.mjs';
import { seedDesks } from './desks.mjs';
import { openTransaction, waitingOnLocks } from './psql.mjs';

assert.equal(ENGINE, 'postgresql', 'run with LABSHARE_TEST_PG set to a test cluster (./dev test does)');

let db, srv, me, booker;

// The date (YYYY-MM-DD) `days` days from now: always in the future.
const day = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

before(async () => {
  // One database connection and a 2 s arrival deadline: a request waiting
  // for the connection outlives its deadline within the test's time.
  srv = await startServer({ env: { LABSHARE_DB_CONNECTIONS: '1' }, args: ['--request-timeout', '2'] });
  db = srv.db;
  seedDesks(db, 'Arrival Org');
  addUser(srv, { email: 'me@arrival.test', organisation: 1 });
  me = new Client(srv.url);
  await me.login('me@arrival.test');
  // Signed in but never yet looked up: the node keeps no copy of this
  // session, so its first request must read it on a database connection.
  addUser(srv, { email: 'booker@arrival.test', organisation: 1 });
  booker = new Client(srv.url);
  await booker.login('booker@arrival.test');
});

after(async () => {
  if (srv) await srv.stop();
});

test('a request that arrived whole while the database connection was busy is served, not cut with 408', async () => {
  const lock = await openTransaction(db, 'LOCK TABLE bookings IN ACCESS EXCLUSIVE MODE;', 'LOCK TABLE');
  // The node's only connection: taken by a list that waits for the lock.
  const list = me.get('/api/v1/bookings');
  await eventually(() => waitingOnLocks(db) >= 1, { what: 'the list waiting for the lock' });
  // A whole booking request whose session must be read on that connection.
  const booking = booker.post('/api/v1/bookings', { resource_id: 1, start: `${day(7)}T09:00:00`, end: `${day(7)}T10:00:00` });
  // A request from elsewhere that really is late (its body never comes):
  // its 408 says the booking's deadline, set before it, has passed too.
  const late = await rawRequest(srv.url, 'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
    { timeout: 8000, localAddress: '127.0.0.2' });
  assert.equal(late.status, 408, late.raw.slice(0, 200));
  await lock.commit();
  const [l, b] = await Promise.all([list, booking]);
  assert.equal(l.status, 200, l.text);
  assert.equal(b.status, 201, b.text);
  assert.equal(sql(db, `SELECT count(*) FROM bookings WHERE id = ${b.json.id}`), '1');
});

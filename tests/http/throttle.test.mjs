// throttle.test.mjs — sign-in throttling is exact under concurrency: many
// parallel attempts never check more passwords than the limit of 5, and
// successful sign-ins never count.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, addUser, sqlite } from './lib.mjs';

let srv;
before(async () => {
  srv = await startServer();
  addUser(srv, { email: 'ola@throttle.test' });
  addUser(srv, { email: 'jan@throttle.test' });
});
after(async () => { await srv.stop(); });

const attempt = (email, password) => new Client(srv.url).req('POST', '/api/v1/session', { email, password });

test('twelve parallel wrong passwords: five are checked, seven wait', async () => {
  const answers = await Promise.all(Array.from({ length: 12 }, () => attempt('ola@throttle.test', 'wrong password!!')));
  const statuses = answers.map((r) => r.status).sort();
  assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429], statuses.join(' '));
  for (const r of answers.filter((x) => x.status === 429)) {
    assert.equal(r.json.error, 'too_many_requests');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  }
  // Each checked password left one failure in the audit log: five, not twelve.
  assert.equal(sqlite(srv.db, "SELECT count(*) FROM audit_log WHERE action = 'session.fail'"), '5');
  // The right password waits too, while the account is throttled.
  assert.equal((await attempt('ola@throttle.test', 'correct horse battery')).status, 429);
});

test('successful sign-ins never count against the account or the address', async () => {
  const ok = await Promise.all(Array.from({ length: 10 }, () => attempt('jan@throttle.test', 'correct horse battery')));
  assert.deepEqual([...new Set(ok.map((r) => r.status))], [200]);
  assert.equal(sqlite(srv.db, "SELECT count(*) FROM login_failures WHERE key LIKE 'email:jan@%'"), '0');
  // Four failures after ten successes are still below the limit…
  for (let i = 0; i < 4; i++) assert.equal((await attempt('jan@throttle.test', 'wrong password!!')).status, 401);
  // …and a success still gets through.
  assert.equal((await attempt('jan@throttle.test', 'correct horse battery')).status, 200);
});

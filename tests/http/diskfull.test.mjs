// diskfull.test.mjs — the disk fills up under a running server. The server
// runs with a file-size limit (RLIMIT_FSIZE, `ulimit -f`, with SIGXFSZ
// ignored) so its database and WAL cannot grow: SQLite sees a full disk
// (SQLITE_FULL or a failed write), exactly as on a full file system, with no
// test-only code in the server. Writes must fail with 503 in the API's
// shape, reads go on, and after "freeing space" (a restart without the
// limit) every acknowledged write is there, no refused one, and the file is
// sound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { startServer, Client, addUser, BIN, ROOT, PASSWORD } from './lib.mjs';
import { join } from 'node:path';

function startLimited(db, kib) {
  // bash: `ulimit -f` counts KiB; an ignored signal stays ignored across exec.
  const child = spawn('bash', ['-c', `trap '' XFSZ; ulimit -f ${kib}; exec "$0" "$@"`, BIN, 'serve', '--db', db,
    '--listen', '127.0.0.1:0', '--www', join(ROOT, 'www'), '--quiet'], {
    env: { ...process.env, LABSHARE_ARGON2_MEMLIMIT: '65536', LABSHARE_TZ: 'Europe/Warsaw', LABSHARE_SYNC: 'normal' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) resolve(m[1]);
    });
    exited.then(({ code }) => reject(new Error(`server exited ${code}: ${stderr}`)));
  });
  return {
    url, stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      assert.equal(signal, null, stderr);
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/, stderr);
    },
  };
}

test('a full disk is 503 for writes, reads go on, nothing acknowledged is lost', async () => {
  // A migrated database with a staff account, then the server with room
  // for only a few more pages in the database and its WAL.
  const holder = await startServer();
  await holder.stop({ keep: true });
  const db = holder.db;
  addUser({ db }, { email: 'staff@full.test', role: 'staff' });
  const kib = Math.ceil(statSync(db).size / 1024) + 48;
  const limited = startLimited(db, kib);
  const base = await limited.url;
  const staff = new Client(base);
  await staff.login('staff@full.test');

  const acked = [];
  let full = null;
  for (let i = 0; i < 400 && !full; i++) {
    const r = await staff.post('/api/v1/users', { email: `u${i}@full.test`, name: `User ${i} ${'n'.repeat(150)}`, password: PASSWORD, role: 'researcher' });
    if (r.status === 201) acked.push(r.json.email);
    else full = { r, email: `u${i}@full.test` };
  }
  assert.ok(full, 'the disk never filled up');
  assert.ok(acked.length > 0, 'nothing fitted before the disk filled up');
  assert.equal(full.r.status, 503, full.r.text);
  assert.equal(full.r.json.error, 'unavailable');
  assert.equal(typeof full.r.json.message, 'string');
  // Reads still work, and further writes fail cleanly again.
  assert.equal((await staff.get('/api/v1/health')).status, 200);
  const listed = await staff.get('/api/v1/users?limit=500');
  assert.equal(listed.status, 200);
  assert.equal(listed.json.total, acked.length + 1);
  const again = await staff.post('/api/v1/users', { email: 'again@full.test', name: 'Again', password: PASSWORD, role: 'researcher' });
  assert.equal(again.status, 503, again.text);
  await limited.stop();

  // Space is back: the same file, a normal server.
  const check = spawnSync('sqlite3', [db, 'PRAGMA integrity_check;'], { encoding: 'utf8' });
  assert.equal(check.stdout.trim(), 'ok', check.stderr);
  const srv = await startServer({ args: ['--db', db] });
  try {
    const c = new Client(srv.url);
    await c.login('staff@full.test');
    const all = await c.get('/api/v1/users?limit=500');
    const emails = new Set(all.json.items.map((u) => u.email));
    for (const e of acked) assert.ok(emails.has(e), `acknowledged ${e} lost`);
    assert.ok(!emails.has(full.email) && !emails.has('again@full.test'), 'a refused write was kept');
    assert.equal(all.json.total, acked.length + 1);
    const after = await c.post('/api/v1/users', { email: 'after@full.test', name: 'After', password: PASSWORD, role: 'researcher' });
    assert.equal(after.status, 201, after.text);
  } finally {
    await srv.stop();
    await holder.stop().catch(() => {});
  }
});

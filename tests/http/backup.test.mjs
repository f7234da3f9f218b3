// backup.test.mjs — the restore drill: `labshare backup` while the server is
// taking writes, then a new server started on the copy must hold a
// consistent snapshot (every user acknowledged before the backup began,
// nothing that was never acknowledged, no gaps), pass integrity_check, and
// accept writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, addUser, BIN, PASSWORD } from './lib.mjs';

function runBackup(db, out) {
  return new Promise((resolve) => {
    const child = spawn(BIN, ['backup', '--db', db, out], { env: { ...process.env, LABSHARE_TZ: 'Europe/Warsaw' } });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

async function allUsers(client) {
  const out = [];
  for (let offset = 0; ; offset += 500) {
    const r = await client.get(`/api/v1/users?limit=500&offset=${offset}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.items);
    if (out.length >= r.json.total) return out;
  }
}

test('backup under write load restores to a consistent, working server', async () => {
  const srv = await startServer();
  const outDir = mkdtempSync(join(tmpdir(), 'labshare-backup-'));
  const copy = join(outDir, 'copy.db');
  let restored;
  try {
    addUser(srv, { email: 'staff@backup.test', role: 'staff' });
    const staff = new Client(srv.url);
    await staff.login('staff@backup.test');

    // Two writers creating users as fast as the server takes them.
    const acked = new Map(); // id → email
    const acks = new EventEmitter(); // 'ack' after each acknowledged user
    let stop = false;
    const writer = async (w) => {
      for (let i = 0; !stop; i++) {
        const email = `w${w}-${i}@backup.test`;
        const r = await staff.post('/api/v1/users', { email, name: `Writer ${w} user ${i}`, password: PASSWORD, role: 'researcher' });
        assert.equal(r.status, 201, r.text);
        acked.set(r.json.id, email);
        acks.emit('ack');
      }
    };
    const writers = [writer(1), writer(2)];
    // Resolves once n users are acknowledged; fails as soon as a writer does.
    const acknowledged = (n) => Promise.race([
      (async () => { while (acked.size < n) await once(acks, 'ack'); })(),
      Promise.all(writers),
    ]);
    await acknowledged(40);

    const before = new Set(acked.keys());
    const b = await runBackup(srv.db, copy);
    const during = new Set(acked.keys());
    assert.equal(b.code, 0, b.stderr);
    await acknowledged(during.size + 10);
    stop = true;
    await Promise.all(writers);
    assert.ok(existsSync(copy) && !existsSync(`${copy}.tmp`));

    const check = spawnSync('sqlite3', [copy, 'PRAGMA integrity_check; PRAGMA foreign_key_check;'], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    assert.equal(check.stdout.trim(), 'ok');

    const original = new Map((await allUsers(staff)).map((u) => [u.id, u]));
    restored = await startServer({ args: ['--db', copy] });
    const again = new Client(restored.url);
    await again.login('staff@backup.test');
    const copyUsers = await allUsers(again);
    const ids = new Set(copyUsers.map((u) => u.id));

    for (const id of before) assert.ok(ids.has(id), `user ${id} acknowledged before the backup is missing`);
    let inFlight = 0;
    for (const u of copyUsers) {
      assert.ok(u.email === 'staff@backup.test' || acked.has(u.id), `user ${u.id} was never acknowledged`);
      if (u.email !== 'staff@backup.test' && !during.has(u.id)) inFlight++;
      assert.deepEqual(u, original.get(u.id), `user ${u.id} differs from the original`);
    }
    // Committed before the snapshot but answered after the backup exited:
    // at most one request per writer can be in that state.
    assert.ok(inFlight <= 2, `${inFlight} users in the copy were created after the backup ended`);
    // A snapshot has no holes: every acknowledged id up to the newest copied one is there.
    const newest = Math.max(...ids);
    for (const id of acked.keys()) if (id <= newest) assert.ok(ids.has(id), `hole at user ${id}`);
    assert.ok(copyUsers.length < original.size, 'writes after the backup are not in the copy');

    // The restored server is a working server.
    const r = await again.post('/api/v1/users', { email: 'after-restore@backup.test', name: 'After', password: PASSWORD, role: 'researcher' });
    assert.equal(r.status, 201, r.text);
  } finally {
    if (restored) await restored.stop();
    await srv.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
});

test('backup refuses bad usage and an unwritable target without leaving files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labshare-backup-'));
  try {
    const db = join(dir, 'x.db');
    assert.equal(spawnSync(BIN, ['migrate', '--db', db]).status, 0);
    assert.equal(spawnSync(BIN, ['backup', '--db', db]).status, 2);
    const bad = spawnSync(BIN, ['backup', '--db', db, join(dir, 'no', 'such', 'dir', 'b.db')], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /labshare backup: /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

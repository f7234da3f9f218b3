// crash.test.mjs — crash consistency. Several clients book distinct and
// deliberately overlapping slots on auto-approved 24/7 resources, request
// slots on one that needs approval, and a staff member approves the pending
// ones, while the server is killed with SIGKILL at random moments and
// restarted on the same file, many times. The server runs with the
// durability the README documents for production (LABSHARE_SYNC=full).
//
// After every kill, with the server down, the database must hold every
// booking whose 201 reached a client, with the acknowledged status (or the
// status a later acknowledged approval gave it), and nothing that was
// refused: each row is either acknowledged or was in flight at the kill.
// `PRAGMA integrity_check` is ok and no two approved bookings of one
// resource overlap.
//
// CRASH_ROUNDS (default 15) sets the number of kills.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, addUser, BIN, ROOT } from './lib.mjs';

const ROUNDS = Number(process.env.CRASH_ROUNDS || 15);
const dir = mkdtempSync(join(tmpdir(), 'labshare-crash-'));
const db = join(dir, 'crash.db');
const children = new Set();

after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function sql(q) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function start() {
  const child = spawn(BIN, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--www', join(ROOT, 'www'), '--quiet'], {
    env: { ...process.env, LABSHARE_ARGON2_MEMLIMIT: '65536', LABSHARE_TZ: 'Europe/Warsaw', LABSHARE_SYNC: 'full' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`server exited ${code ?? signal}: ${stderr}`)); });
  });
  return { child, url, exited, stderr: () => stderr };
}

// A future date (YYYY-MM-DD), `n` days after next Monday: never today.
function day(n) {
  const d = new Date();
  const today = ((d.getUTCDay() + 6) % 7) + 1;
  d.setUTCDate(d.getUTCDate() + (8 - today) + n);
  return d.toISOString().slice(0, 10);
}
const pad = (n) => String(n).padStart(2, '0');
const rnd = (n) => Math.floor(Math.random() * n);

// Every request the load sends, by booking purpose (unique per request).
const creates = new Map(); // purpose -> {resource, start, end, result: 'inflight'|status, id, status}
const bookingState = new Map(); // acknowledged id -> {status: Set of acceptable statuses}
let seq = 0;
let approvals = 0;
// 'change' when a pending booking is acknowledged or the load stops: the
// approver waits for it rather than polling.
const news = new EventEmitter();

function pickSlot(resources) {
  // A few months of days: clients collide often but most requests fit.
  const resource = resources[rnd(resources.length)];
  const date = day(rnd(90));
  const h = rnd(22);
  const m = rnd(2) * 30;
  const len = 30 * (1 + rnd(4));
  const startMin = h * 60 + m;
  const endMin = startMin + len;
  return {
    resource,
    start: `${date}T${pad(h)}:${pad(m)}:00`,
    end: `${date}T${pad(Math.floor(endMin / 60))}:${pad(endMin % 60)}:00`,
  };
}

async function booker(c, resources, tag, alive) {
  while (alive.on) {
    const slot = pickSlot(resources);
    const purpose = `crash-${tag}-${++seq}`;
    const rec = { ...slot, result: 'inflight' };
    creates.set(purpose, rec);
    let r;
    try {
      r = await c.post('/api/v1/bookings', { resource_id: slot.resource, start: slot.start, end: slot.end, purpose });
    } catch {
      return; // the server is gone: this request stays "in flight"
    }
    rec.result = r.status;
    if (r.status === 201) {
      rec.id = r.json.id;
      bookingState.set(r.json.id, new Set([r.json.status]));
      if (r.json.status === 'pending') news.emit('change');
    } else {
      assert.ok([409, 422].includes(r.status), `booking: ${r.status} ${r.text}`);
    }
  }
}

async function approver(c, alive) {
  while (alive.on) {
    const pending = [...bookingState].filter(([, s]) => s.size === 1 && s.has('pending')).map(([id]) => id);
    if (pending.length === 0) {
      await once(news, 'change');
      continue;
    }
    const id = pending[rnd(pending.length)];
    const state = bookingState.get(id);
    state.add('approved'); // in flight: either
    let r;
    try {
      r = await c.post(`/api/v1/bookings/${id}/approve`, {});
    } catch {
      return;
    }
    if (r.status === 200) {
      approvals++;
      bookingState.set(id, new Set(['approved']));
    }
    else {
      assert.equal(r.status, 409, `approve: ${r.text}`);
      bookingState.set(id, new Set(['pending']));
    }
  }
}

function check(round) {
  assert.equal(sql('PRAGMA integrity_check;'), 'ok', `round ${round}: integrity_check`);
  assert.equal(sql('PRAGMA foreign_key_check;'), '', `round ${round}: foreign_key_check`);
  const rows = sql("SELECT id, purpose, status FROM bookings WHERE purpose LIKE 'crash-%';")
    .split('\n').filter(Boolean).map((l) => l.split('|'));
  const seen = new Set();
  for (const [id, purpose, status] of rows) {
    const rec = creates.get(purpose);
    assert.ok(rec, `round ${round}: booking ${id} (${purpose}) was never requested`);
    assert.ok(rec.result === 201 || rec.result === 'inflight',
      `round ${round}: booking ${id} (${purpose}) exists although it was refused with ${rec.result}`);
    if (rec.result === 201) {
      assert.equal(Number(id), rec.id, `round ${round}: ${purpose} has another id than acknowledged`);
      const ok = bookingState.get(rec.id);
      assert.ok(ok.has(status), `round ${round}: booking ${id} is ${status}, acknowledged ${[...ok]}`);
      if (ok.size > 1) bookingState.set(rec.id, new Set([status])); // settled by the restart
    } else {
      // Was in flight and did commit: from now on it is what the file says.
      rec.result = 201;
      rec.id = Number(id);
      bookingState.set(rec.id, new Set([status]));
    }
    seen.add(purpose);
  }
  for (const [purpose, rec] of creates) {
    if (rec.result === 201) assert.ok(seen.has(purpose), `round ${round}: acknowledged booking ${rec.id} (${purpose}) is lost`);
    else if (rec.result === 'inflight') rec.result = 'lost-in-flight'; // never committed: may not appear later
  }
  const overlaps = sql(`SELECT a.id, b.id FROM bookings a JOIN bookings b
      ON a.resource_id = b.resource_id AND a.id < b.id AND a.start < b."end" AND b.start < a."end"
      WHERE a.status = 'approved' AND b.status = 'approved';`);
  assert.equal(overlaps, '', `round ${round}: overlapping approved bookings`);
  return rows.length;
}

test(`SIGKILL at random moments ${ROUNDS} times loses nothing acknowledged and keeps nothing refused`, async (t) => {
  // A migrated file, then the catalogue and accounts straight into it.
  let srv = start();
  await srv.url;
  srv.child.kill('SIGKILL');
  await srv.exited;
  sql(`
    INSERT INTO organisations(id, name, grp, created, updated) VALUES (1, 'Crash Test Institute', 'R&D', 0, 0);
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES (1, 1, 'Crash lab', 'scientific', 50, 0, 0);
    INSERT INTO resources(id, lab_id, type, name, shared, requires_approval, requires_training, created, updated) VALUES
      (1, 1, 'instrument', 'Auto A', 1, 0, 0, 0, 0),
      (2, 1, 'instrument', 'Auto B', 1, 0, 0, 0, 0),
      (3, 1, 'room', 'Auto C', 1, 0, 0, 0, 0),
      (4, 1, 'instrument', 'Approved D', 1, 1, 0, 0, 0);
    WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 7)
      INSERT INTO opening_hours(resource_id, weekday, open_min, close_min) SELECT r.id, d.n, 0, 1440 FROM d, resources r;
  `);
  const emails = ['a', 'b', 'c', 'd'].map((n) => `${n}@crash.test`);
  for (const email of emails) addUser({ db }, { email, role: 'researcher', organisation: 1 });
  addUser({ db }, { email: 'staff@crash.test', role: 'staff' });

  const clients = [];
  const staff = new Client('');
  let total = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    srv = start();
    const url = await srv.url;
    if (round === 1) {
      for (const email of emails) {
        const c = new Client(url);
        await c.login(email);
        clients.push(c);
      }
      staff.base = url;
      await staff.login('staff@crash.test');
    }
    for (const c of [...clients, staff]) c.base = url; // sessions live in the file
    const alive = { on: true };
    const load = [
      booker(clients[0], [1, 2, 3], 'a', alive),
      booker(clients[1], [1, 2, 3], 'b', alive),
      booker(clients[2], [1, 2, 3], 'c', alive),
      booker(clients[3], [4], 'd', alive),
      booker(clients[0], [4], 'e', alive),
      approver(staff, alive),
    ];
    // Not a synchronisation: the kill comes at a random moment of the load.
    await new Promise((res) => setTimeout(res, 500 + rnd(3000)));
    srv.child.kill('SIGKILL');
    const { signal } = await srv.exited;
    alive.on = false;
    news.emit('change');
    await Promise.all(load);
    assert.equal(signal, 'SIGKILL', srv.stderr());
    assert.doesNotMatch(srv.stderr(), /runtime error:|ERROR: AddressSanitizer/, srv.stderr());
    total = check(round);
  }
  const acked = [...creates.values()].filter((r) => r.result === 201).length;
  const refused = [...creates.values()].filter((r) => r.result === 409 || r.result === 422).length;
  const lost = [...creates.values()].filter((r) => r.result === 'lost-in-flight').length;
  t.diagnostic(`${ROUNDS} kills: ${creates.size} booking requests, ${acked} acknowledged or committed, ` +
    `${refused} refused, ${lost} in flight and not committed; ${approvals} approvals acknowledged; ${total} rows`);
  assert.ok(acked > ROUNDS, 'the load did book');
  assert.ok(refused > 0, 'the load did collide');
  assert.ok(approvals > 0, 'the load did approve');

  // The file still serves and takes writes after all that.
  srv = start();
  const c = new Client(await srv.url);
  await c.login(emails[0]);
  const r = await c.post('/api/v1/bookings', { resource_id: 1, start: `${day(200)}T10:00:00`, end: `${day(200)}T11:00:00`, purpose: 'after' });
  assert.equal(r.status, 201, r.text);
  srv.child.kill('SIGTERM');
  const { code } = await srv.exited;
  assert.equal(code, 0, srv.stderr());
  assert.doesNotMatch(srv.stderr(), /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/, srv.stderr());
});

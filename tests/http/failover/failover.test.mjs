// failover.test.mjs — labshare on a PostgreSQL primary with a streaming
// replica under pg_auto_failover (Debian: pg-auto-failover-cli and
// postgresql-15-auto-failover), all on this machine: a monitor, a primary
// and a secondary, each its own cluster on a free loopback port, run as the
// postgres user. labshare gets the multi-host URI with
// target_session_attrs=read-write, as README "More than one node" says.
//
// The primary is stopped (immediate shutdown, as a crash) while clients
// book: labshare answers 503 with Retry-After meanwhile (never a 500), books
// again on the new primary within 10 s of its promotion and 30 s of the
// stop, and every booking it answered 201 for is on the new primary
// (pg_auto_failover replicates synchronously while both nodes are up).
//
// It takes a minute or two (three clusters, a base backup, the monitor's
// health checks), so ./dev test runs it only with LABSHARE_TEST_FAILOVER=1:
//   LABSHARE_TEST_FAILOVER=1 ./dev test
//   LABSHARE_BIN=$PWD/build-asan/labshare node --test tests/http/failover/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { startServer, Client, addUser, sqlite as sql, eventually, within } from '../lib.mjs';
import { seedDesks, deskSlot } from '../pg/desks.mjs';

const PGBIN = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b)).map((v) => `/usr/lib/postgresql/${v}/bin`).pop();
const root = process.getuid?.() === 0;
let dir, srv, env, monitorPort, ports = [], keepers = [], logs = {};
const client = new Client('');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** pg_autoctl as the postgres user (PostgreSQL refuses to run as root). */
function autoctl(args, { sync = true } = {}) {
  const cmd = root ? 'runuser' : 'env';
  const argv = [...(root ? ['-u', 'postgres', '--', 'env'] : []),
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'pg_autoctl', ...args];
  if (sync) return spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120000 });
  return spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A pg_autoctl service in the background (`create … --run`), its output kept for failures. */
function service(name, args) {
  const p = autoctl([...args, '--run'], { sync: false });
  logs[name] = '';
  p.stdout.on('data', (d) => { logs[name] += d; });
  p.stderr.on('data', (d) => { logs[name] += d; });
  keepers.push({ name, p, pgdata: join(dir, name) });
  return p;
}

function state() {
  const r = autoctl(['show', 'state', '--pgdata', join(dir, 'monitor'), '--json']);
  if (r.status !== 0) return [];
  try { return JSON.parse(r.stdout); } catch { return []; }
}

const nodeState = (name) => state().find((n) => n.nodename === name);
const logText = () => Object.entries(logs).map(([k, v]) => `--- ${k}\n${v.slice(-3000)}`).join('\n');

/** eventually(), a failure showing the monitor's state and the services'
 * output as they are when it gives up, not as they were when it began. */
async function until(check, timeout, what) {
  try {
    return await eventually(check, { timeout, what });
  } catch (e) {
    throw new Error(`${e.message}\nstate: ${JSON.stringify(state())}\n${logText()}`);
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'labshare-failover-'));
  for (const d of ['config', 'share', 'run']) mkdirSync(join(dir, d));
  if (root) {
    const pg = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    for (const d of ['', 'config', 'share', 'run']) chownSync(join(dir, d), Number(pg.stdout), Number(gid.stdout));
  }
  env = { PATH: `${PGBIN}:/usr/bin:/bin`, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'share'), XDG_RUNTIME_DIR: join(dir, 'run') };
  monitorPort = await freePort();
  ports = [await freePort(), await freePort()];
  service('monitor', ['create', 'monitor', '--pgdata', join(dir, 'monitor'), '--pgport', String(monitorPort),
    '--hostname', '127.0.0.1', '--auth', 'trust', '--no-ssl']);
  const monitorUri = `postgres://autoctl_node@127.0.0.1:${monitorPort}/pg_auto_failover?sslmode=disable`;
  await until(() => autoctl(['show', 'state', '--pgdata', join(dir, 'monitor')]).status === 0, 60000, 'the monitor up');
  // A failover in seconds rather than the default 20 s of silence: the
  // test checks that labshare follows, not pg_auto_failover's patience.
  const tune = spawnSync('psql', ['-X', '-q', `postgres://postgres@127.0.0.1:${monitorPort}/pg_auto_failover`, '-c',
    "ALTER SYSTEM SET pgautofailover.health_check_period = '1s'", '-c',
    "ALTER SYSTEM SET pgautofailover.health_check_timeout = '1s'", '-c',
    "ALTER SYSTEM SET pgautofailover.health_check_max_retries = 1", '-c',
    "ALTER SYSTEM SET pgautofailover.health_check_retry_delay = '1s'", '-c',
    "ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = '5s'", '-c',
    // The monitor waits this long for a primary it cannot reach to stop by
    // itself before promoting: by default 30 s, which alone would break the
    // 30 s promise. It must stay above the nodes' network_partition_timeout
    // (set below), after which a primary cut off from the monitor and its
    // standby stops accepting writes: never two primaries at once.
    "ALTER SYSTEM SET pgautofailover.primary_demote_timeout = '10s'", '-c',
    'SELECT pg_reload_conf()'], { encoding: 'utf8' });
  assert.equal(tune.status, 0, tune.stderr);
  for (const [i, name] of ['db1', 'db2'].entries()) {
    service(name, ['create', 'postgres', '--pgdata', join(dir, name), '--pgport', String(ports[i]),
      '--hostname', '127.0.0.1', '--name', name, '--monitor', monitorUri, '--auth', 'trust', '--no-ssl',
      '--dbname', 'labshare']);
    // The first to register becomes the primary; the second then clones it.
    const want = i === 0 ? ['single', 'primary', 'wait_primary'] : ['secondary'];
    await until(() => want.includes(nodeState(name)?.reported_state ?? nodeState(name)?.current_group_state),
      120000, `${name} ${want.join('/')}`);
    // A primary that loses the monitor and its standby for 5 s (default
    // 20 s) demotes itself: below the monitor's primary_demote_timeout.
    for (const step of [['config', 'set', '--pgdata', join(dir, name), 'timeout.network_partition_timeout', '5'],
      ['reload', '--pgdata', join(dir, name)]]) {
      const r = autoctl(step);
      assert.equal(r.status, 0, `pg_autoctl ${step[0]}: ${r.stderr}`);
    }
  }
  await until(() => nodeState('db1')?.current_group_state === 'primary' && nodeState('db2')?.current_group_state === 'secondary',
    120000, 'primary and secondary');

  const uri = `postgresql://postgres@127.0.0.1:${ports[0]},127.0.0.1:${ports[1]}/labshare?target_session_attrs=read-write&connect_timeout=2`;
  srv = await startServer({ db: uri });
  client.base = srv.url;
  seedDesks(uri, 'Failover Org');
  addUser(srv, { email: 'failover@test.pl', organisation: 1 });
  await client.login('failover@test.pl');
});

after(async () => {
  if (srv) await srv.stop({ keep: true });
  for (const k of keepers.reverse()) {
    autoctl(['stop', '--pgdata', k.pgdata, '--immediate']);
    if (k.p.exitCode === null) await within(30000, new Promise((r) => k.p.on('exit', r))).catch(() => k.p.kill('SIGKILL'));
  }
  if (srv) rmSync(srv.dir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});


test('the primary stopped under load: 503 with Retry-After meanwhile, the new primary followed, no 201 lost', { timeout: 240000 }, async (t) => {
  const answers = [];
  let k = 0, stop = false;
  const book = async () => {
    const sent = Date.now();
    const r = await client.post('/api/v1/bookings', deskSlot(k++));
    answers.push({ sent, at: Date.now(), r });
    return r;
  };
  // Four clients booking one hour after another until told to stop.
  const worker = async () => { while (!stop) await book(); };
  const load = Promise.all([worker(), worker(), worker(), worker()]);
  await eventually(() => answers.filter((a) => a.r.status === 201).length >= 20, { what: 'bookings before the stop' });

  const stoppedAt = Date.now();
  const down = autoctl(['stop', '--pgdata', join(dir, 'db1'), '--immediate']);
  assert.equal(down.status, 0, down.stderr);
  // Stopped: its port refuses (requests sent from now on cannot reach it).
  await eventually(() => spawnSync(join(PGBIN, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(ports[0])]).status !== 0,
    { what: 'the primary stopped' });
  const stopped = Date.now();
  // pg_auto_failover's part: until the monitor has the secondary promoted.
  let promoted = 0;
  await eventually(() => {
    if (['wait_primary', 'primary'].includes(nodeState('db2')?.current_group_state)) promoted = Date.now();
    return promoted;
  }, { timeout: 90000, what: `db2 promoted\n${JSON.stringify(state())}` });
  // labshare's part: the first 201 for a request sent after the stop.
  const after = () => answers.filter((a) => a.sent >= stopped && a.r.status === 201);
  await until(() => after().length > 0, 60000, 'a booking after the stop');
  const back = after()[0].at;
  // A few more on the new primary, then stop the load.
  await eventually(() => after().length >= 12, { what: 'bookings on the new primary' });
  stop = true;
  await load;

  // labshare follows the new primary at once (its next connection attempt
  // finds it: the multi-host URI); the promotion itself is
  // pg_auto_failover's: health checks, node_considered_unhealthy_timeout,
  // primary_demote_timeout, then the promotion (README "More than one node").
  assert.ok(back - promoted <= 10000, `labshare booked again ${back - promoted} ms after the promotion`);
  assert.ok(back - stoppedAt <= 30000, `labshare booked again ${back - stoppedAt} ms after the stop`);
  assert.equal(nodeState('db2')?.current_group_state === 'wait_primary' || nodeState('db2')?.current_group_state === 'primary', true,
    `db2 is not the primary: ${JSON.stringify(state())}`);
  const unavailable = answers.filter((a) => a.r.status === 503);
  for (const a of answers) {
    assert.ok([201, 503].includes(a.r.status), `unexpected ${a.r.status}: ${a.r.text}`);
    if (a.r.status === 503) {
      assert.equal(a.r.json?.error, 'database_unavailable', a.r.text);
      assert.ok(Number(a.r.headers.get('retry-after')) > 0, 'a 503 without Retry-After');
    }
  }
  const created = answers.filter((a) => a.r.status === 201).map((a) => a.r.json.id);
  // Through the same multi-host URI: what the new primary holds.
  assert.equal(sql(srv.db, `SELECT count(*) FROM bookings WHERE id IN (${created.join(',')})`), String(created.length),
    'a booking answered 201 is not on the new primary');
  const h = await fetch(srv.url + '/api/v1/health');
  assert.equal(h.status, 200);
  t.diagnostic(`${created.length} bookings 201, ${unavailable.length} answered 503 while the primary was away; db2 promoted ${promoted - stoppedAt} ms after the stop began, labshare booking again after ${back - stoppedAt} ms`);
});

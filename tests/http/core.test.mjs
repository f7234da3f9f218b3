// core.test.mjs — the foundation over real HTTP: health, errors, limits,
// static files, OpenAPI, CLI exit codes, clean shutdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, assertError, cli, BIN, DEMO_PASSWORD, ENGINE } from './lib.mjs';

let srv, anon, staff;
before(async () => {
  srv = await startServer({ demo: true });
  anon = new Client(srv.url);
  staff = new Client(srv.url);
  await staff.login('staff@labshare.demo', DEMO_PASSWORD);
});
after(async () => { await srv.stop(); });

test('health answers ok without a session', async () => {
  const r = await anon.get('/api/v1/health');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ok' });
});

test('diagnostics: memory and cache figures for staff only', async () => {
  assertError(await anon.get('/api/v1/diagnostics'), 401, 'unauthenticated');
  const researcher = new Client(srv.url);
  await researcher.login('researcher@labshare.demo', DEMO_PASSWORD);
  assertError(await researcher.get('/api/v1/diagnostics'), 403, 'forbidden');
  const feed = await staff.post('/api/v1/feeds', { scope: 'resource', id: 1 });
  assert.equal(feed.status, 201, feed.text);
  const ics = await fetch(feed.json.url);
  assert.equal(ics.status, 200);
  const body = await ics.text();
  const r = await staff.get('/api/v1/diagnostics');
  assert.equal(r.status, 200, r.text);
  const d = r.json;
  assert.ok(['glibc', 'asan'].includes(d.heap_source), r.text);
  assert.ok(d.heap_in_use_bytes > 0 && d.rss_bytes > d.heap_in_use_bytes / 4, r.text);
  // SQLite's share of that heap (its caches, schemas, statements); none on
  // PostgreSQL, whose caches live in its own processes.
  if (ENGINE === 'sqlite') assert.ok(d.database_heap_bytes > 0 && d.database_heap_bytes < d.heap_in_use_bytes, r.text);
  else assert.equal(d.database_heap_bytes, 0, r.text);
  // The feed just rendered is held by the feed cache, within its budget.
  assert.ok(d.feed_cache.renders >= 1 && d.feed_cache.bytes >= body.length, r.text);
  assert.ok(d.feed_cache.bytes <= 16 * 1048576 && d.answer_cache_bytes <= 8 * 1048576, r.text);
  // openapi.json describes every member of the answer.
  const schema = (await anon.get('/api/v1/openapi.json')).json.components.schemas.Diagnostics;
  assert.deepEqual(Object.keys(d).sort(), Object.keys(schema.properties).sort());
  assert.deepEqual(Object.keys(d.feed_cache).sort(), Object.keys(schema.properties.feed_cache.properties).sort());
  assert.deepEqual(Object.keys(d.connections).sort(), Object.keys(schema.properties.connections.properties).sort());
  assert.ok(d.connections.open >= 1 && d.connections.refused >= 0 && d.connections.timed_out >= 0, r.text);
  // Booking writes share commits: never more commits than writes.
  assert.ok(Number.isInteger(d.group_commit.writes) && d.group_commit.commits <= d.group_commit.writes, r.text);
});

test('unknown API route is a JSON 404', async () => {
  assertError(await anon.get('/api/v1/no-such-thing'), 404, 'not_found');
  assertError(await anon.get('/ical/unknown'), 404, 'not_found');
});

test('wrong method is a JSON 405 with Allow', async () => {
  const r = await anon.req('PUT', '/api/v1/health', {});
  assertError(r, 405, 'method_not_allowed');
  assert.match(r.headers.get('allow'), /GET/);
});

test('malformed JSON is a 400 that says where, in the caller\'s language', async () => {
  const r = await staff.req('POST', '/api/v1/users', '{"email": "a@b.pl",', {});
  assertError(r, 400, 'bad_request');
  assert.match(r.json.message, /^niepoprawny JSON w pobliżu bajtu \d+$/); // the user's language: pl
  const en = await anon.req('POST', '/api/v1/session', '{"email": "a@b.pl",', { headers: { 'Accept-Language': 'en-GB,en;q=0.9' } });
  assertError(en, 400, 'bad_request');
  assert.match(en.json.message, /^malformed JSON near byte \d+$/);
});

test('errors found before the session is read still answer in the signed-in user\'s language', async () => {
  const en = new Client(srv.url); // the demo researcher's language is English
  await en.login('researcher@labshare.demo', DEMO_PASSWORD);
  const pl = { headers: { 'Accept-Language': 'pl' } };
  let r = await en.req('GET', '/api/v1/no-such-thing', undefined, pl);
  assertError(r, 404, 'not_found');
  assert.match(r.json.message, /^no such route: GET/);
  r = await en.req('PUT', '/api/v1/health', {}, pl);
  assertError(r, 405, 'method_not_allowed');
  assert.match(r.json.message, /^method not allowed; use GET/);
  const tooBig = '['.repeat(20000); // past a booking's body limit
  r = await en.req('POST', '/api/v1/bookings', tooBig, pl);
  assertError(r, 413, 'payload_too_large');
  assert.doesNotMatch(r.json.message, /[ąćęłńóśźż]/);
  // Staff's own language is Polish, whatever the header asks.
  r = await staff.req('POST', '/api/v1/bookings', tooBig, { headers: { 'Accept-Language': 'en' } });
  assertError(r, 413, 'payload_too_large');
  assert.match(r.json.message, /[ąćęłńóśźż]/);
});

test('a query parameter given twice is a 400 naming it: neither value is guessed', async () => {
  for (const q of ['limit=1&limit=2', 'status=pending&x=1&status=approved', 'from=2027-01-01&from=2027-02-01']) {
    const r = await staff.get(`/api/v1/bookings?${q}`);
    assertError(r, 400, 'bad_request', q.split('=')[0]);
  }
  assert.equal((await staff.get('/api/v1/bookings?limit=1&offset=0')).status, 200);
});

test('a 10 MB body is refused with 413 and the server does not grow by 10 MB', async () => {
  const rss = () => Number(spawnSync('ps', ['-o', 'rss=', '-p', String(srv.child.pid)], { encoding: 'utf8' }).stdout.trim());
  const before = rss();
  const big = new Uint8Array(10 * 1024 * 1024).fill(0x20);
  for (let i = 0; i < 3; i++) {
    let status;
    try {
      const r = await anon.req('POST', '/api/v1/session', big);
      status = r.status;
      if (r.json) assert.equal(r.json.error, 'payload_too_large');
    } catch {
      status = 413; // the server may close the socket before the body is sent
    }
    assert.equal(status, 413);
  }
  const after = rss();
  assert.ok(after - before < 5 * 1024, `RSS grew from ${before} kB to ${after} kB`);
  assert.equal((await anon.get('/api/v1/health')).status, 200);
});

test('non-JSON content type is refused naming the header', async () => {
  const r = await staff.req('POST', '/api/v1/users', 'email=x', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assertError(r, 400, 'bad_request', 'Content-Type');
});

test('every answer carries the security headers', async () => {
  for (const path of ['/', '/api/v1/health', '/api/v1/nothing']) {
    const r = await anon.get(path);
    assert.match(r.headers.get('content-security-policy'), /script-src 'self'/);
    assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(r.headers.get('referrer-policy'));
  }
});

test('the landing page and its assets are served', async () => {
  const r = await anon.get('/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.match(r.text, /labshare/);
  const js = await anon.get('/js/app.js');
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /javascript/);
  assertError(await anon.get('/../../etc/passwd'), 404, 'not_found');
  assertError(await anon.get('/.git/config'), 404, 'not_found');
});

test('openapi.json describes every route as OpenAPI 3.1', async () => {
  const r = await anon.get('/api/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.equal(r.json.openapi, '3.1.0');
  for (const p of ['/api/v1/health', '/api/v1/session', '/api/v1/me', '/api/v1/users'])
    assert.ok(r.json.paths[p], `missing ${p}`);
});

test('anonymous clients get 401 on the API', async () => {
  assertError(await anon.get('/api/v1/me'), 401, 'unauthenticated');
  assertError(await anon.get('/api/v1/users'), 401, 'unauthenticated');
});

test('CLI: unknown command and flag exit 2, --help exits 0', () => {
  assert.equal(cli(['frobnicate']).status, 2);
  assert.equal(cli(['serve', '--bogus']).status, 2);
  assert.equal(cli([]).status, 2);
  for (const c of [['serve'], ['migrate'], ['demo'], ['user'], ['stats'], ['backup']]) {
    const r = cli([...c, '--help']);
    assert.equal(r.status, 0, `${c} --help: ${r.stderr}`);
    assert.match(r.stdout, /usage: labshare/);
  }
  assert.equal(cli(['backup']).status, 2);
});

test('CLI: migrate is idempotent and a newer database is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labshare-cli-'));
  const db = join(dir, 'x.db');
  try {
    assert.equal(cli(['migrate', '--db', db]).status, 0);
    const again = cli(['migrate', '--db', db]);
    assert.equal(again.status, 0);
    const v = Number(again.stdout.match(/schema version (\d+)/)[1]);
    spawnSync('sqlite3', [db, `PRAGMA user_version=${v + 1}`]);
    const r = cli(['migrate', '--db', db]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /newer than this labshare/);
    assert.equal(cli(['serve', '--db', db, '--listen', '127.0.0.1:0']).status, 1);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('CLI: user add validates and backup writes a consistent copy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labshare-cli-'));
  const db = join(dir, 'x.db');
  try {
    let r = cli(['user', 'add', '--db', db, '--email', 'a@b.pl', '--name', 'A B', '--role', 'staff', '--password-stdin'], { input: 'short\n' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /password/);
    r = cli(['user', 'add', '--db', db, '--email', 'a@b.pl', '--name', 'A B', '--role', 'emperor', '--password-stdin'], { input: 'long enough pass\n' });
    assert.equal(r.status, 2);
    r = cli(['user', 'add', '--db', db, '--email', 'a@b.pl', '--name', 'A B', '--role', 'staff'], {});
    assert.equal(r.status, 2);
    r = cli(['user', 'add', '--db', db, '--email', 'a@b.pl', '--name', 'A B', '--role', 'staff', '--password-stdin'], { input: 'long enough pass\n' });
    assert.equal(r.status, 0, r.stderr);
    const out = join(dir, 'copy.db');
    r = cli(['backup', '--db', db, out]);
    assert.equal(r.status, 0, r.stderr);
    const q = spawnSync('sqlite3', [out, 'PRAGMA integrity_check; SELECT email FROM users;'], { encoding: 'utf8' });
    assert.equal(q.stdout, 'ok\na@b.pl\n');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('CLI: the commands that work on an installation refuse a --db that names no file or another program\'s database, and create nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labshare-cli-'));
  const missing = join(dir, 'mistyped.db'), foreign = join(dir, 'foreign.db');
  const year = new Date().getUTCFullYear();
  const month = `${year}-${String(new Date().getUTCMonth() + 1).padStart(2, '0')}`;
  const smtp = { LABSHARE_SMTP_URL: 'smtp://127.0.0.1:1', LABSHARE_SMTP_FROM: 'labshare@example.org' };
  const commands = [
    [(db) => ['stats', 'indicators', '--year', String(year), '--db', db]],
    [(db) => ['stats', 'utilisation', '--from', `${year}-01-01`, '--to', `${year}-02-01`, '--db', db]],
    [(db) => ['statements', '--month', month, '--db', db]],
    [(db) => ['notify', '--once', '--db', db], smtp],
    [(db) => ['backup', '--db', db, join(dir, 'copy.db')]],
    [(db) => ['reindex', '--db', db]],
  ];
  try {
    spawnSync('sqlite3', [foreign, 'CREATE TABLE notes(x); INSERT INTO notes VALUES (1);']);
    for (const [command, env] of [...commands, [(db) => ['sql', '--db', db, 'SELECT 1']]]) {
      const args = command(missing);
      const r = cli(args, { env });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`labshare ${args[0]}: --db names no file: ${missing}`));
      assert.equal(existsSync(missing), false, `${args.join(' ')} created ${missing}`);
    }
    for (const [command, env] of commands) {
      const args = command(foreign);
      const r = cli(args, { env });
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /is not a labshare database/);
      const tables = spawnSync('sqlite3', [foreign, '.tables'], { encoding: 'utf8' }).stdout.trim();
      assert.equal(tables, 'notes', `${args.join(' ')} changed another program's database`);
    }
    assert.equal(existsSync(join(dir, 'copy.db')), false);
    // An empty file holds no installation and stays empty.
    const empty = join(dir, 'empty.db');
    spawnSync('touch', [empty]);
    for (const [command, env] of commands) {
      const args = command(empty);
      const r = cli(args, { env });
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /is not a labshare database \(the file is empty\)/);
      assert.equal(statSync(empty).size, 0, `${args.join(' ')} wrote into an empty file`);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('CLI: people read it in the locale\'s language (LC_ALL, LC_MESSAGES, LANG), programs read the same data in any', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labshare-cli-'));
  const db = join(dir, 'demo.db');
  const PL = { LC_ALL: '', LC_MESSAGES: '', LANG: 'pl_PL.UTF-8' };
  const EN = { LC_ALL: 'C', LC_MESSAGES: '', LANG: 'pl_PL.UTF-8' }; // LC_ALL wins over LANG
  try {
    let r = cli(['serve', '--bogus'], { env: PL });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "labshare serve: nieznana opcja '--bogus' (zob. 'labshare serve --help')\n");
    r = cli(['serve', '--bogus'], { env: EN });
    assert.equal(r.stderr, "labshare serve: unknown option '--bogus' (see 'labshare serve --help')\n");
    r = cli(['serve', '--listen'], { env: { ...PL, LC_MESSAGES: 'en_GB.UTF-8' } }); // LC_MESSAGES over LANG
    assert.equal(r.stderr, "labshare serve: --listen needs a value (see 'labshare serve --help')\n");

    // Every help page, in both languages.
    assert.match(cli(['--help'], { env: PL }).stdout, /^użycie: labshare <polecenie> \[opcje\]\n/);
    assert.match(cli(['--help'], { env: EN }).stdout, /^usage: labshare <command> \[options\]\n/);
    for (const cmd of ['serve', 'migrate', 'demo', 'user', 'stats', 'statements', 'backup', 'reindex', 'notify', 'sql', 'copy-db']) {
      const pl = cli([cmd, '--help'], { env: PL }), en = cli([cmd, '--help'], { env: EN });
      assert.equal(pl.status, 0, `${cmd}: ${pl.stderr}`);
      assert.ok(pl.stdout.startsWith(`użycie: labshare ${cmd}`), `${cmd}: ${pl.stdout}`);
      assert.ok(en.stdout.startsWith(`usage: labshare ${cmd}`), `${cmd}: ${en.stdout}`);
    }

    // What the demo prints for people; the sign-ins themselves are the same.
    r = cli(['demo', '--db', db], { env: PL });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^dane demonstracyjne wczytane\. Konta do logowania \(hasło: .+\):\n/);
    assert.match(r.stdout, /staff@labshare\.demo +staff\n/);
    assert.match(cli(['migrate', '--db', db], { env: PL }).stdout, /^labshare: .*demo\.db w wersji schematu \d+\n$/);

    // An error about a field names its option, never a placeholder.
    const add = (env) => cli(['user', 'add', '--db', db, '--email', 'no-at-sign', '--name', 'X', '--role', 'staff',
      '--password-stdin'], { env, input: 'a-long-enough-password\n' });
    r = add(EN);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'labshare user: --email must be an e-mail address\n');
    r = add(PL);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^labshare user: --email: \S/);
    assert.doesNotMatch(r.stderr, /\{field\}/);

    // Data is data: the same JSON and CSV whatever the locale.
    const year = String(new Date().getUTCFullYear());
    for (const extra of [[], ['--csv']]) {
      const args = ['stats', 'indicators', '--year', year, '--db', db, ...extra];
      const pl = cli(args, { env: PL }), en = cli(args, { env: EN });
      assert.equal(pl.status, 0, pl.stderr);
      assert.ok(pl.stdout.length > 50);
      assert.equal(pl.stdout, en.stdout);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('CLI: a refused setting or argument stops the command before it touches a database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labshare-cli-'));
  const db = join(dir, 'live.db');
  try {
    assert.equal(cli(['migrate', '--db', db]).status, 0);
    const before = statSync(db);
    // A backup onto the live file itself would rename the copy over it.
    for (const out of [db, join(dir, '.', 'live.db')]) {
      const r = cli(['backup', '--db', db, out]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /is the database itself/);
    }
    assert.equal(statSync(db).ino, before.ino);
    // A sender pace that is not a number in range would loop without pause.
    const smtp = { LABSHARE_SMTP_URL: 'smtp://127.0.0.1:1', LABSHARE_SMTP_FROM: 'labshare@example.org' };
    for (const [name, value] of [['LABSHARE_NOTIFY_INTERVAL_MS', 'abc'], ['LABSHARE_NOTIFY_INTERVAL_MS', '0'],
      ['LABSHARE_NOTIFY_BACKOFF_S', '-5']]) {
      const r = cli(['notify', '--db', db], { env: { ...smtp, [name]: value } });
      assert.equal(r.status, 2, `${name}=${value}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`labshare notify: ${name} must be`));
    }
    // serve checks every setting before it creates or migrates its database.
    for (const env of [{ LABSHARE_SMTP_URL: 'bogus' }, { LABSHARE_SYNC: 'sometimes' },
      { LABSHARE_NOTIFY_INTERVAL_MS: '5' }]) {
      const fresh = join(dir, 'new.db');
      const r = cli(['serve', '--db', fresh, '--listen', '127.0.0.1:0'], { env });
      assert.notEqual(r.status, 0, JSON.stringify(env));
      assert.equal(existsSync(fresh), false, `${JSON.stringify(env)} left ${fresh}`);
    }
    // An address civetweb would read as another (999 as 231, a port modulo 2^16).
    for (const listen of ['999.1.1.1:18080', '127.0.0.1:99999', 'nonsense', 'localhost:8080']) {
      const r = cli(['serve', '--db', join(dir, 'new.db'), '--listen', listen]);
      assert.equal(r.status, 2, `${listen}: ${r.stderr}`);
      assert.match(r.stderr, /--listen \(LABSHARE_LISTEN\) must be PORT or IPV4:PORT/);
    }
    // A refused account leaves no installation made for it behind.
    const user = (file, email) => cli(['user', 'add', '--db', file, '--email', email, '--name', 'X', '--role', 'staff',
      '--password-stdin'], { input: 'a-long-enough-password\n' });
    assert.equal(user(join(dir, 'new.db'), 'no-at-sign').status, 1);
    assert.deepEqual(readdirSync(dir).sort(), ['live.db']);
    // Another program's file gains no tables from the commands that set one up.
    const foreign = join(dir, 'foreign.db');
    spawnSync('sqlite3', [foreign, 'CREATE TABLE notes(x);']);
    for (const r of [cli(['migrate', '--db', foreign]), cli(['demo', '--db', foreign]), user(foreign, 'a@b.pl'),
      cli(['serve', '--db', foreign, '--listen', '127.0.0.1:0'])]) {
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, /not a labshare database/);
    }
    assert.equal(spawnSync('sqlite3', [foreign, '.tables'], { encoding: 'utf8' }).stdout.trim(), 'notes');
    rmSync(foreign);
    assert.deepEqual(readdirSync(dir).sort(), ['live.db']);
    // Help asked for is no error; a positional argument too many is named as such.
    assert.equal(cli(['user', 'add', '--help']).status, 0);
    const extra = cli(['sql', '--db', db, 'SELECT 1', 'SELECT 2']);
    assert.equal(extra.status, 2);
    assert.match(extra.stderr, /labshare sql: unexpected argument/);
    // An id past what JSON carries exactly is no organisation id.
    const month = new Date().toISOString().slice(0, 7);
    const big = cli(['statements', '--month', month, '--organisation', '99999999999999999999', '--db', db]);
    assert.equal(big.status, 2, big.stdout);
    assert.match(big.stderr, /--organisation must be an organisation id/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('SIGTERM stops the server cleanly (exit 0)', async () => {
  const s = await startServer();
  await s.stop(); // asserts exit code 0 and no sanitizer report
});

test('CLI: reindex makes rows imported with SQL searchable', async () => {
  const s = await startServer({ demo: true });
  try {
    const sql = (q) => spawnSync('sqlite3', [s.db, q], { encoding: 'utf8' });
    sql(`INSERT INTO resources(lab_id, type, name, category, created, updated)
         VALUES ((SELECT min(id) FROM labs), 'instrument', 'Zażółć Spektrometr Importowany', 'import', 0, 0)`);
    const c = new Client(s.url);
    await c.login('researcher@labshare.demo', DEMO_PASSWORD);
    assert.equal((await c.get('/api/v1/resources?q=importowany')).json.total, 0);
    const r = cli(['reindex', '--db', s.db]);
    assert.equal(r.status, 0, r.stderr);
    const found = await c.get('/api/v1/resources?q=zazolc%20importowany');
    assert.equal(found.json.total, 1, found.text);
    assert.equal(found.json.items[0].name, 'Zażółć Spektrometr Importowany');
    assert.equal(cli(['reindex', '--bogus']).status, 2);
  } finally { await s.stop(); }
});

// copydb.test.mjs — `labshare copy-db` moves a SQLite installation (the demo
// data) into an empty PostgreSQL database: it checks counts and every year's
// indicators itself, refuses a database that holds data, and the server on
// the copy answers as the one on the file did. Bad arguments, a mistyped
// source and a SQLite file of another program are refused with nothing
// written anywhere.
//
// PostgreSQL pass only (./dev test runs tests/http/pg/ with LABSHARE_TEST_PG).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, cli, newDatabase, dropDatabase, ENGINE, DEMO_PASSWORD, sqlite as sql } from '../lib.mjs';

assert.equal(ENGINE, 'postgresql', 'run with LABSHARE_TEST_PG set to a test cluster (./dev test does)');

const dir = mkdtempSync(join(tmpdir(), 'labshare-copydb-'));
const file = join(dir, 'demo.db');
const uri = newDatabase(dir);

after(() => {
  dropDatabase(uri);
  rmSync(dir, { recursive: true, force: true });
});

test('copy-db refuses bad arguments and a source that holds no installation, naming what is wrong, and writes nothing', () => {
  const other = join(dir, 'other.db');
  sql(other, 'CREATE TABLE notes(t TEXT)'); // another program's SQLite file
  const text = join(dir, 'text.db');
  writeFileSync(text, 'not a database at all\n');
  const cases = [
    [[], 2, /--from and --to are required/],
    [['--from'], 2, /--from needs a file/],
    [['--from', file, '--to'], 2, /--to needs a URI/],
    [['--from', file, '--to', uri, '--bogus'], 2, /unknown option/],
    [['--from', uri, '--to', uri], 2, /--from must be a SQLite file/],
    [['--from', other, '--to', join(dir, 'to.db')], 2, /--to must be a postgresql:\/\/ URI/],
    [['--from', join(dir, 'mistyped.db'), '--to', uri], 2, /--from names no file/],
    [['--from', other, '--to', uri], 1, /other\.db is not a labshare database/],
    [['--from', text, '--to', uri], 1, /text\.db.*not a database/],
  ];
  for (const [args, status, message] of cases) {
    const r = cli(['copy-db', ...args]);
    assert.equal(r.status, status, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  assert.ok(!existsSync(join(dir, 'mistyped.db')), 'a mistyped source is not created');
  assert.equal(sql(other, "SELECT group_concat(name) FROM sqlite_master WHERE type = 'table'"), 'notes');
  assert.equal(sql(uri, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"), '0');
});

test('copy-db: the demo installation moves whole into a migrated database, checked; a second copy is refused', async () => {
  assert.equal(cli(['demo', '--db', file]).status, 0);
  // As the README moves one: the empty schema first, then the copy.
  assert.equal(cli(['migrate', '--db', uri]).status, 0);
  const r = cli(['copy-db', '--from', file, '--to', uri]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /row counts and the indicators of \d+ years agree/);
  // Analysed already: the planner has the copy's statistics from the start.
  assert.equal(sql(uri, "SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NULL AND n_live_tup > 0"), '0');
  for (const table of ['users', 'resources', 'bookings', 'audit_log'])
    assert.equal(sql(uri, `SELECT count(*) FROM ${table}`), sql(file, `SELECT count(*) FROM ${table}`), table);
  // A database that holds data is never written into.
  const again = cli(['copy-db', '--from', file, '--to', uri]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /not empty/);
  assert.equal(sql(uri, 'SELECT count(*) FROM bookings'), sql(file, 'SELECT count(*) FROM bookings'));

  // The server on each answers the same, and the copy takes new bookings.
  const onFile = await startServer({ db: file });
  const onCopy = await startServer({ db: uri });
  try {
    const year = new Date().getUTCFullYear();
    const answers = [];
    for (const s of [onFile, onCopy]) {
      const staff = new Client(s.url);
      await staff.login('staff@labshare.demo', DEMO_PASSWORD);
      const ind = await staff.get(`/api/v1/stats/indicators?year=${year}`);
      assert.equal(ind.status, 200, ind.text);
      const list = await staff.get('/api/v1/bookings?limit=500');
      assert.equal(list.status, 200, list.text);
      answers.push({ ind: ind.json, ids: list.json.items.map((b) => b.id), total: list.json.total });
    }
    // Figures are unrounded (API.md § Figures), and the same to the last digit
    // on both engines: nothing is added up in an order a plan chooses.
    assert.deepEqual(answers[1], answers[0]);
    const researcher = new Client(onCopy.url);
    await researcher.login('researcher@labshare.demo', DEMO_PASSWORD);
    const before = Number(sql(uri, 'SELECT max(id) FROM bookings'));
    // The demo's bookings depend on today's date: the first free working-day
    // hour from 40 days ahead (a taken one answers 409, naming the booking).
    const desk = Number(sql(uri, "SELECT min(id) FROM resources WHERE requires_approval = 0 AND requires_training = 0 AND type = 'desk'"));
    let made;
    for (let d = 40; d < 60 && made?.status !== 201; d++) {
      const day = new Date(Date.now() + d * 86400000);
      if (day.getUTCDay() === 0 || day.getUTCDay() === 6) continue;
      const date = day.toISOString().slice(0, 10);
      for (let h = 10; h < 15 && made?.status !== 201; h++) {
        made = await researcher.post('/api/v1/bookings', { resource_id: desk, start: `${date}T${h}:00:00`, end: `${date}T${h + 1}:00:00` });
        if (made.status !== 201) assert.equal(made.json?.error, 'conflict', made.text);
      }
    }
    assert.equal(made.status, 201, made.text);
    assert.ok(made.json.id > before, 'new ids continue after the copied ones');
  } finally {
    await onFile.stop({ keep: true });
    await onCopy.stop({ keep: true });
    rmSync(onFile.dir, { recursive: true, force: true });
    rmSync(onCopy.dir, { recursive: true, force: true });
  }
});

test('copy-db: the indicators agree to the last digit when the engines read the rows in other orders', () => {
  // Fractional areas, intensities and power, and a thousand bookings whose
  // ids run against their times: SQLite reads the bookings by time, the copy
  // may read them by id, and sums of fractions added in another order differ
  // in their last digits (copy-db compares the indicators' text).
  const from = join(dir, 'orders.db'), to = newDatabase(dir);
  try {
    assert.equal(cli(['demo', '--db', from]).status, 0);
    const year = new Date().getUTCFullYear() + 1;
    const last = Date.UTC(year, 10, 30, 9) / 1000;
    sql(from, `UPDATE labs SET area_m2 = 10.1 + id * 0.37, energy_kwh_per_m2_year = 100.3 + id * 1.13;
      INSERT INTO resources(lab_id, type, name, category, shared, power_kw, created, updated)
        SELECT min(l.id), 'instrument', 'Orders', 'test', 1, 0.37, 0, 0
        FROM labs l JOIN organisations o ON o.id = l.organisation_id WHERE o.member = 1;
      WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < 999)
      INSERT INTO bookings(resource_id, user_id, organisation_id, start, "end", purpose, status, created, updated)
        SELECT (SELECT max(id) FROM resources), u.id, u.organisation_id,
               ${last} - n * 7200, ${last} - n * 7200 + 600 + (n * 37) % 3000, '', 'approved', 0, 0
        FROM k, (SELECT id, organisation_id FROM users WHERE organisation_id IS NOT NULL ORDER BY id LIMIT 1) u;`);
    const r = cli(['copy-db', '--from', from, '--to', to]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /the indicators of \d+ years agree/);
  } finally {
    dropDatabase(to);
  }
});

test('copy-db: a copy whose check fails is rolled back and the database stays empty', () => {
  const from = join(dir, 'checked.db'), to = newDatabase(dir);
  const psql = (q) => {
    const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', to, '-c', q], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  try {
    assert.equal(cli(['demo', '--db', from]).status, 0);
    assert.equal(cli(['migrate', '--db', to]).status, 0);
    // Something in the database loses one audit row as the copy writes them.
    psql(`CREATE FUNCTION lose_one() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log); RETURN NULL; END $$;
          CREATE TRIGGER lose_one AFTER INSERT ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION lose_one()`);
    const audit = Number(sql(from, 'SELECT count(*) FROM audit_log'));
    const r = cli(['copy-db', '--from', from, '--to', to]);
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`audit_log: ${audit} rows in the file, ${audit - 1} copied; nothing was written`));
    for (const table of ['organisations', 'users', 'bookings', 'audit_log'])
      assert.equal(sql(to, `SELECT count(*) FROM ${table}`), '0', table);
    // Put right, the same database takes the copy.
    psql('DROP TRIGGER lose_one ON audit_log');
    const again = cli(['copy-db', '--from', from, '--to', to]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(sql(to, 'SELECT count(*) FROM audit_log'), String(audit));
  } finally {
    dropDatabase(to);
  }
});

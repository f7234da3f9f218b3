// notify.test.mjs — notification e-mails end to end: the real server with
// its sender thread delivers over SMTP (AUTH PLAIN) to a real SMTP server on
// loopback (smtp-sink.mjs). Requests reach the owners and the lab's shared
// mailbox, decisions reach the booker in their language with an iTIP
// attachment whose UID and SEQUENCE match the feeds, a refusing server loses
// nothing, a rolled-back change queues nothing, opt-outs hold, and without
// SMTP the outbox keeps everything for staff to see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { startServer, Client, addUser, assertError, cli, eventually, BIN } from './lib.mjs';
import { startSmtpSink } from './smtp-sink.mjs';
import { parseEverywhere } from './icalparsers.mjs';

let srv, sink;
const users = {};
const clients = {};
const FROM = 'noreply@labshare.test';

function sql(db, q) {
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 10000', db, q], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// Monday (or `weekday`) of the week `weeks` after next: always ahead.
function day(weeks, weekday = 1) {
  const d = new Date();
  const today = ((d.getUTCDay() + 6) % 7) + 1;
  d.setUTCDate(d.getUTCDate() + (8 - today) + 7 * weeks + (weekday - 1));
  return d.toISOString().slice(0, 10);
}
const at = (date, hm) => `${date}T${hm}:00`;

function catalogue(db) {
  sql(db, `
    INSERT INTO organisations(id, name, grp, created, updated) VALUES
      (1, 'Jagiellonian Centre of Innovation', 'BIZ', 0, 0), (2, 'Institute of Pharmacology', 'R&D', 0, 0);
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES
      (1, 1, 'Pracownia obrazowania', 'scientific', 80, 0, 0), (2, 2, 'Other lab', 'scientific', 50, 0, 0);
    INSERT INTO resources(id, lab_id, type, name, shared, requires_approval, created, updated) VALUES
      (1, 1, 'instrument', 'Cytometr <FACS> & sorter', 1, 1, 0, 0),
      (2, 1, 'desk', 'Biurko 24/7', 1, 0, 0, 0);
    WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 7)
      INSERT INTO opening_hours(resource_id, weekday, open_min, close_min)
      SELECT r.id, d.n, 0, 1440 FROM d, resources r;
  `);
}

async function people(server, into, suffix) {
  const specs = {
    staff: { role: 'staff' },
    owner: { role: 'owner', organisation: 1 },
    owner2: { role: 'owner', organisation: 2 },
    res: { role: 'researcher', organisation: 2 },
    resPl: { role: 'researcher', organisation: 2 },
  };
  for (const [name, s] of Object.entries(specs)) {
    const email = `${name.toLowerCase()}@${suffix}`;
    into.users[name] = addUser(server, { email, name: `Łucja ${name}`, ...s });
    into.clients[name] = new Client(server.url);
    await into.clients[name].login(email);
  }
  // The researcher reads English; everyone else keeps the default Polish.
  const r = await into.clients.res.patch('/api/v1/me', { lang: 'en' });
  assert.equal(r.status, 200, r.text);
}

// The CLI runs asynchronously: the SMTP sink lives in this process.
function cliAsync(args, env) {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { env: { ...process.env, LABSHARE_TZ: 'Europe/Warsaw', ...env } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

before(async () => {
  sink = await startSmtpSink({ user: 'mailer', password: 'sink-secret' });
  srv = await startServer({
    env: {
      LABSHARE_SMTP_URL: sink.url,
      LABSHARE_SMTP_USER: 'mailer',
      LABSHARE_SMTP_PASSWORD: 'sink-secret',
      LABSHARE_SMTP_FROM: `Łabshare, Kraków <${FROM}>`,
      LABSHARE_NOTIFY_INTERVAL_MS: '150',
      LABSHARE_NOTIFY_BACKOFF_S: '1',
    },
  });
  catalogue(srv.db);
  await people(srv, { users, clients }, 'notify.test');
});
after(async () => {
  await srv.stop();
  await sink.close();
});

let slot = 0;
/** A fresh one-hour request on the approval-required resource. */
async function request(c = clients.res, purpose = 'sorting <b>cells</b> & "more"') {
  const d = day(1 + Math.floor(slot / 10), 1 + (slot % 5));
  const h = 8 + (Math.floor(slot / 5) % 2) * 2;
  slot++;
  const r = await c.post('/api/v1/bookings', {
    resource_id: 1, start: at(d, `${String(h).padStart(2, '0')}:00`), end: at(d, `${String(h + 1).padStart(2, '0')}:00`), purpose,
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'pending');
  return r.json;
}

const to = (addr) => (m) => m.to.includes(addr);
const about = (id) => (m) => (m.text || '').includes(`/#/bookings/${id}`);

async function outbox(query = '') {
  const r = await clients.staff.get(`/api/v1/outbox${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json.items;
}

test('a request reaches the owners in Polish with escaped HTML and a link', async () => {
  const b = await request();
  const [m] = await sink.waitFor((x) => to('owner@notify.test')(x) && about(b.id)(x));
  assert.equal(m.from, FROM);
  // RFC 5322/2047: the display name encoded, the address outside it intact
  assert.match(m.root.headers.from, /^=\?UTF-8\?B\?[^<>]*\?= <noreply@labshare\.test>$/);
  assert.match(m.root.headers.to, /^=\?UTF-8\?B\?[^<>]*\?= <owner@notify\.test>$/);
  assert.equal(m.fromName, 'Łabshare, Kraków');
  assert.equal(m.toName, 'Łucja owner');
  assert.ok(!Number.isNaN(Date.parse(m.root.headers.date)), m.root.headers.date);
  assert.ok(Math.abs(Date.parse(m.root.headers.date) - Date.now()) < 120000, 'Date is now');
  assert.match(m.rawSubject, /^=\?UTF-8\?B\?/);
  assert.match(m.subject, /^Nowa prośba o rezerwację: Cytometr <FACS> & sorter, \d{4}-\d\d-\d\d \d\d:00–\d\d:00$/);
  assert.equal(m.root.type, 'multipart/mixed');
  assert.equal(m.root.parts[0].type, 'multipart/alternative');
  assert.deepEqual(m.root.parts[0].parts.map((p) => p.type), ['text/plain', 'text/html']);
  assert.equal(m.root.parts[0].parts[0].params.charset, 'UTF-8');
  assert.ok(m.root.headers.date && m.root.headers['message-id'], m.raw.slice(0, 400));
  assert.match(m.text, /Rezerwujący: Łucja res/);
  assert.ok(m.text.includes(`${srv.url}/#/bookings/${b.id}`));
  assert.ok(m.text.includes('sorting <b>cells</b> & "more"'));
  assert.ok(m.html.includes('sorting &lt;b&gt;cells&lt;/b&gt; &amp; &quot;more&quot;'));
  assert.ok(m.html.includes('Cytometr &lt;FACS&gt; &amp; sorter'));
  assert.ok(!m.html.includes('<b>cells'));
  assert.equal(m.calendar, undefined, 'a request carries no invitation');
  // The other organisation's owner hears nothing of it.
  assert.equal(sink.messages.filter((x) => to('owner2@notify.test')(x) && about(b.id)(x)).length, 0);
  const rows = (await outbox()).filter((o) => o.booking_id === b.id);
  assert.deepEqual(rows.map((o) => [o.kind, o.email]), [['request', 'owner@notify.test']]);
});

test('the lab mailbox: owners and staff set it, others cannot, bad input is 422, it gets requests', async () => {
  assertError(await clients.owner2.put('/api/v1/labs/1/mailbox', { email: 'x@y.test' }), 403, 'forbidden');
  assertError(await clients.res.put('/api/v1/labs/1/mailbox', { email: 'x@y.test' }), 403, 'forbidden');
  assertError(await clients.owner.put('/api/v1/labs/99/mailbox', { email: 'x@y.test' }), 404, 'not_found');
  assertError(await clients.owner.put('/api/v1/labs/1/mailbox', { email: 'not an address' }), 422, 'validation', 'email');
  assertError(await clients.owner.put('/api/v1/labs/1/mailbox', { email: 42 }), 422, 'validation', 'email');
  assertError(await clients.owner.put('/api/v1/labs/1/mailbox', { email: 'a@b.test', x: 1 }), 422, 'validation', 'x');
  assertError(await clients.owner.put('/api/v1/labs/1/mailbox', {}), 422, 'validation', 'email');
  let r = await clients.owner.get('/api/v1/labs/1/mailbox');
  assert.equal(r.json.email, null);
  r = await clients.owner.put('/api/v1/labs/1/mailbox', { email: 'imaging@notify.test' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.email, 'imaging@notify.test');
  const b = await request();
  await sink.waitFor((x) => to('imaging@notify.test')(x) && about(b.id)(x));
  r = await clients.staff.put('/api/v1/labs/1/mailbox', { email: null });
  assert.equal(r.status, 200, r.text);
  assert.equal((await clients.owner.get('/api/v1/labs/1/mailbox')).json.email, null);
});

test('approval reaches the booker in English with an iTIP REQUEST matching the feed', async () => {
  const b = await request();
  const r = await clients.owner.post(`/api/v1/bookings/${b.id}/approve`);
  assert.equal(r.status, 200, r.text);
  const [m] = await sink.waitFor((x) => to('res@notify.test')(x) && about(b.id)(x) && /approved/.test(x.subject));
  assert.match(m.subject, /^Booking approved: Cytometr <FACS> & sorter, /);
  assert.match(m.text, /Your booking has been approved\./);
  // the invitation is an alternative of the text, and a file beside it
  assert.deepEqual(m.root.parts.map((p) => p.type), ['multipart/alternative', 'application/ics']);
  assert.deepEqual(m.root.parts[0].parts.map((p) => p.type), ['text/plain', 'text/html', 'text/calendar']);
  assert.ok(m.calendar, 'a text/calendar part');
  assert.equal(m.calendar.params.method, 'REQUEST');
  const file = m.root.parts[1];
  assert.equal(file.params.name, 'invite.ics');
  assert.match(file.headers['content-disposition'], /attachment; filename="invite.ics"/);
  assert.equal(file.text, m.calendar.text);
  parseEverywhere([m.calendar.text], 'invitation');
  assert.match(m.calendar.text, /\r\nTRANSP:OPAQUE\r\n/);
  const cal = new ICAL.Component(ICAL.parse(m.calendar.text));
  assert.equal(cal.getFirstPropertyValue('method'), 'REQUEST');
  const ev = cal.getFirstSubcomponent('vevent');
  const host = new URL(srv.url).hostname;
  assert.equal(ev.getFirstPropertyValue('uid'), `booking-${b.id}@${host}`);
  assert.equal(ev.getFirstPropertyValue('sequence'), r.json.sequence);
  assert.equal(ev.getFirstPropertyValue('status'), 'CONFIRMED');
  assert.equal(ev.getFirstPropertyValue('organizer'), `mailto:${FROM}`);
  assert.equal(ev.getFirstPropertyValue('attendee'), 'mailto:res@notify.test');
  assert.equal(ev.getFirstPropertyValue('dtstart').toJSDate().getTime(), Date.parse(r.json.start));
  // The booker's own feed carries the same UID and SEQUENCE.
  const feed = await clients.res.post('/api/v1/feeds', { scope: 'user', id: users.res });
  assert.equal(feed.status, 201, feed.text);
  const ics = await fetch(feed.json.url).then((x) => x.text());
  const fe = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents('vevent')
    .find((e) => e.getFirstPropertyValue('uid') === `booking-${b.id}@${host}`);
  assert.ok(fe, 'the feed has the event');
  assert.equal(fe.getFirstPropertyValue('sequence'), r.json.sequence);
});

test('decline and cancellation mails; the booker cancelling tells the owners', async () => {
  const d = await request(clients.resPl);
  let r = await clients.owner.post(`/api/v1/bookings/${d.id}/decline`, { reason: 'przegląd <serwisowy>' });
  assert.equal(r.status, 200, r.text);
  let [m] = await sink.waitFor((x) => to('respl@notify.test')(x) && about(d.id)(x));
  assert.match(m.subject, /^Rezerwacja odrzucona: /);
  assert.equal(m.calendar, undefined, 'a request never sent to a calendar is not cancelled in one');
  assert.match(m.text, /Powód: przegląd <serwisowy>/);
  assert.ok(m.html.includes('przegląd &lt;serwisowy&gt;'));

  const c = await request();
  r = await clients.owner.post(`/api/v1/bookings/${c.id}/approve`);
  assert.equal(r.status, 200);
  r = await clients.res.post(`/api/v1/bookings/${c.id}/cancel`, {});
  assert.equal(r.status, 200, r.text);
  const seq = r.json.sequence ?? r.json.items?.[0]?.sequence ?? (await clients.res.get(`/api/v1/bookings/${c.id}`)).json.sequence;
  [m] = await sink.waitFor((x) => to('res@notify.test')(x) && about(c.id)(x) && /cancelled/.test(x.subject));
  assert.equal(m.calendar.params.method, 'CANCEL');
  const ev = new ICAL.Component(ICAL.parse(m.calendar.text));
  assert.equal(ev.getFirstPropertyValue('method'), 'CANCEL');
  assert.equal(ev.getFirstSubcomponent('vevent').getFirstPropertyValue('status'), 'CANCELLED');
  assert.equal(ev.getFirstSubcomponent('vevent').getFirstPropertyValue('sequence'), seq);
  [m] = await sink.waitFor((x) => to('owner@notify.test')(x) && about(c.id)(x) && /odwołana/.test(x.subject));
  assert.match(m.text, /Rezerwacja została odwołana\./);
  // owners never had the event in a calendar: no CANCEL for them
  assert.equal(m.calendar, undefined);
  assert.ok(!m.raw.includes('METHOD:CANCEL'));
});

test('a refusing SMTP server loses nothing: the message is retried and delivered', async () => {
  sink.refuse('451 4.3.0 mailbox busy, try later');
  const seen = sink.refusals.length;
  const b = await request();
  // The sender tried (the sink refused it) and scheduled a retry with the
  // server's reply: the row is written after the SMTP dialogue, which no
  // event announces, so it is polled for.
  const queuedWith = (re) => async () => (await outbox('?status=queued'))
    .find((o) => o.booking_id === b.id && o.attempts >= 1 && re.test(o.last_error || ''));
  await sink.waitForRefusals(seen + 1);
  await eventually(queuedWith(/451/), { what: 'a failed attempt with the 451 recorded' });
  // A permanent refusal is tried again too: wait until the sender has met it.
  sink.refuse('550 5.7.1 not today');
  await sink.waitForRefusals(sink.refusals.length + 1);
  await eventually(queuedWith(/550/), { what: 'a failed attempt with the 550 recorded' });
  assert.equal(sink.messages.filter(about(b.id)).length, 0);
  sink.refuse(null);
  await sink.waitFor((x) => to('owner@notify.test')(x) && about(b.id)(x));
  // The sender marks it sent once the SMTP dialogue is over.
  const row = await eventually(async () => (await outbox('?status=sent'))
    .find((o) => o.booking_id === b.id && o.email === 'owner@notify.test'), { what: 'marked sent' });
  assert.ok(row.attempts >= 2 && row.sent_at, JSON.stringify(row));
  assert.equal(row.last_error, null);
});

test('a change that rolls back queues nothing', async () => {
  const a = await request();
  const b = await request(clients.resPl);
  // Move b onto a's time, then approve both: the second approval conflicts.
  let r = await clients.resPl.patch(`/api/v1/bookings/${b.id}`, { start: a.start, end: a.end });
  assert.equal(r.status, 200, r.text);
  r = await clients.owner.post(`/api/v1/bookings/${a.id}/approve`);
  assert.equal(r.status, 200, r.text);
  const before = sql(srv.db, 'SELECT count(*) FROM outbox');
  r = await clients.owner.post(`/api/v1/bookings/${b.id}/approve`);
  assertError(r, 409, 'conflict');
  assert.equal(sql(srv.db, 'SELECT count(*) FROM outbox'), before);
  assert.equal(sql(srv.db, `SELECT count(*) FROM outbox WHERE booking_id = ${b.id} AND kind = 'approved'`), '0');
});

test('per-user opt-outs are respected and validated', async () => {
  let r = await clients.res.get('/api/v1/me/notifications');
  assert.deepEqual(r.json, { request: true, decision: true, change: true, reminder: true });
  assertError(await clients.res.patch('/api/v1/me/notifications', { decision: 'no' }), 422, 'validation', 'decision');
  assertError(await clients.res.patch('/api/v1/me/notifications', { sms: true }), 422, 'validation', 'sms');
  assertError(await clients.res.patch('/api/v1/me/notifications', [1]), 400, 'bad_request');
  assert.deepEqual((await clients.res.get('/api/v1/me/notifications')).json.decision, true);
  r = await clients.res.patch('/api/v1/me/notifications', { decision: false });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { request: true, decision: false, change: true, reminder: true });
  r = await clients.owner.patch('/api/v1/me/notifications', { request: false });
  assert.equal(r.status, 200);
  const b = await request();
  r = await clients.owner.post(`/api/v1/bookings/${b.id}/approve`);
  assert.equal(r.status, 200);
  const kinds = (await outbox('?limit=500')).filter((o) => o.booking_id === b.id).map((o) => o.kind);
  assert.deepEqual(kinds, [], 'neither the request nor the approval is queued');
  await clients.res.patch('/api/v1/me/notifications', { decision: true });
  await clients.owner.patch('/api/v1/me/notifications', { request: true });
  assertError(await new Client(srv.url).get('/api/v1/me/notifications'), 401, 'unauthenticated');
});

test('a booking approved at once sends its invitation', async () => {
  const d = day(4, 3);
  const r = await clients.res.post('/api/v1/bookings', { resource_id: 2, start: at(d, '09:00'), end: at(d, '10:00') });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'approved');
  const [m] = await sink.waitFor((x) => to('res@notify.test')(x) && about(r.json.id)(x) && /approved/.test(x.subject));
  assert.equal(m.calendar.params.method, 'REQUEST');
  const ev = new ICAL.Component(ICAL.parse(m.calendar.text)).getFirstSubcomponent('vevent');
  assert.equal(ev.getFirstPropertyValue('status'), 'CONFIRMED');
  assert.equal(ev.getFirstPropertyValue('transp'), 'OPAQUE');
  assert.equal(ev.getFirstPropertyValue('dtstart').toJSDate().getTime(), Date.parse(r.json.start));
  // no request to the owners: nothing to decide
  assert.equal(sink.messages.filter((x) => to('owner@notify.test')(x) && about(r.json.id)(x)).length, 0);
  // and its cancellation now reaches the booker's calendar as a CANCEL
  const c = await clients.res.post(`/api/v1/bookings/${r.json.id}/cancel`, {});
  assert.equal(c.status, 200, c.text);
  const [x] = await sink.waitFor((y) => to('res@notify.test')(y) && about(r.json.id)(y) && /cancelled/.test(y.subject));
  assert.equal(x.calendar.params.method, 'CANCEL');
  parseEverywhere([x.calendar.text], 'cancellation');
});

test('a reminder the day before, once', async () => {
  const slotMs = 30 * 60 * 1000;
  const start = Math.ceil((Date.now() + 24 * 3600 * 1000 + 60 * 1000) / slotMs) * slotMs;
  const r = await clients.res.post('/api/v1/bookings', {
    resource_id: 2, start: new Date(start).toISOString(), end: new Date(start + 2 * slotMs).toISOString(),
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'approved');
  const [m] = await sink.waitFor((x) => to('res@notify.test')(x) && about(r.json.id)(x) && /reminder/.test(x.subject));
  assert.match(m.subject, /^Booking reminder: Biurko 24\/7, /);
  // Once: a request queued now goes out in a later pass of the sender, and
  // every pass looks for reminders due first; when its mail arrives, that
  // pass has seen the booking again and must not have queued it twice.
  const later = await request();
  await sink.waitFor((x) => to('owner@notify.test')(x) && about(later.id)(x));
  assert.equal(sql(srv.db, `SELECT count(*) FROM outbox WHERE booking_id = ${r.json.id} AND kind = 'reminder'`), '1');
});

test('the outbox is for staff only; its filters are checked', async () => {
  assertError(await clients.owner.get('/api/v1/outbox'), 403, 'forbidden');
  assertError(await clients.res.get('/api/v1/outbox'), 403, 'forbidden');
  assertError(await clients.staff.get('/api/v1/outbox?status=lost'), 422, 'validation', 'status');
  assertError(await clients.staff.get('/api/v1/outbox?limit=0'), 422, 'validation', 'limit');
  const r = await clients.staff.get('/api/v1/outbox?limit=2&offset=1');
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 2);
  assert.ok(r.json.total >= 3);
  for (const k of ['id', 'kind', 'booking_id', 'email', 'status', 'attempts', 'created']) assert.ok(k in r.json.items[0], k);
  assert.ok(!('body' in r.json.items[0]) && !('text' in r.json.items[0]));
});

test('without SMTP messages stay queued and `labshare notify --once` delivers them', async () => {
  const other = await startServer();
  try {
    catalogue(other.db);
    const o = { users: {}, clients: {} };
    await people(other, o, 'nosmtp.test');
    const d = day(3, 2);
    const r = await o.clients.res.post('/api/v1/bookings', { resource_id: 1, start: at(d, '10:00'), end: at(d, '11:00') });
    assert.equal(r.status, 201, r.text);
    // Queued in the booking's own transaction: there as soon as the 201 is.
    const q = await o.clients.staff.get('/api/v1/outbox?status=queued');
    assert.equal(q.status, 200);
    assert.deepEqual(q.json.items.map((x) => [x.kind, x.email, x.attempts]), [['request', 'owner@nosmtp.test', 0]]);
    assertError(await o.clients.res.get('/api/v1/outbox'), 403, 'forbidden');
    // Not configured: the command says so and leaves the queue alone.
    let c = cli(['notify', '--once', '--db', other.db]);
    assert.equal(c.status, 1);
    assert.match(c.stderr, /not configured/);
    const smtpEnv = {
      LABSHARE_SMTP_URL: sink.url, LABSHARE_SMTP_USER: 'mailer', LABSHARE_SMTP_PASSWORD: 'sink-secret',
      LABSHARE_SMTP_FROM: FROM, LABSHARE_NOTIFY_BACKOFF_S: '1',
    };
    // STARTTLS required but the server does not offer it: nothing goes out
    // in clear, the message waits for a retry.
    const ranFrom = Math.floor(Date.now() / 1000);
    c = await cliAsync(['notify', '--once', '--db', other.db], { ...smtpEnv, LABSHARE_SMTP_STARTTLS: '1' });
    const ranTo = Math.ceil(Date.now() / 1000);
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stdout, /0 sent, 1 to retry/);
    assert.equal(sink.messages.filter(to('owner@nosmtp.test')).length, 0);
    const [row] = (await o.clients.staff.get('/api/v1/outbox')).json.items;
    assert.equal(row.status, 'queued');
    assert.equal(row.attempts, 1);
    assert.ok(row.last_error, 'the reason is kept');
    // The retry waits out the backoff; rather than sleep through it, the
    // test moves the row's retry time to now (what the clock would do).
    // (Measured from when the pass ran, not from now: reading takes a while.)
    const next = Number(sql(other.db, `SELECT next_attempt FROM outbox WHERE id = ${row.id}`));
    assert.ok(next >= ranFrom && next <= ranTo + 2, `retry scheduled at ${next}, the pass ran ${ranFrom}–${ranTo} (backoff 1 s)`);
    sql(other.db, `UPDATE outbox SET next_attempt = unixepoch() WHERE id = ${row.id}`);
    c = await cliAsync(['notify', '--once', '--db', other.db, '--public-url', 'https://labshare.example.org/'], smtpEnv);
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stdout, /1 sent/);
    const [m] = await sink.waitFor((x) => to('owner@nosmtp.test')(x));
    assert.ok(m.text.includes(`https://labshare.example.org/#/bookings/${r.json.id}`));
    assert.equal((await o.clients.staff.get('/api/v1/outbox?status=sent')).json.total, 1);
  } finally {
    await other.stop();
  }
});

test('a bad SMTP setting stops `serve` and `notify` at start, naming the setting, in the locale\'s language', () => {
  const dir = mkdtempSync(join(tmpdir(), 'labshare-smtp-'));
  const db = join(dir, 'x.db');
  const PL = { LC_ALL: '', LC_MESSAGES: '', LANG: 'pl_PL.UTF-8' };
  try {
    assert.equal(cli(['migrate', '--db', db]).status, 0);
    const cases = [
      [{ LABSHARE_SMTP_URL: 'http://mail.example.org' }, /LABSHARE_SMTP_URL must start with smtp:\/\/ or smtps:\/\//,
        /LABSHARE_SMTP_URL musi zaczynać się od smtp:\/\/ albo smtps:\/\//],
      [{ LABSHARE_SMTP_URL: 'smtp://mailer:secret@:99999' }, /LABSHARE_SMTP_URL must name a host and, if any, a port/,
        /LABSHARE_SMTP_URL musi wskazywać host/],
      [{ LABSHARE_SMTP_URL: 'smtp://mailer:secret@mail.example.org:0' }, /LABSHARE_SMTP_URL must name a host/,
        /LABSHARE_SMTP_URL musi wskazywać host/],
      [{ LABSHARE_SMTP_URL: 'smtp://127.0.0.1:1', LABSHARE_SMTP_FROM: 'not an address' },
        /LABSHARE_SMTP_FROM must be the sender address/, /LABSHARE_SMTP_FROM musi być adresem nadawcy/],
      [{ LABSHARE_SMTP_URL: 'smtp://127.0.0.1:1', LABSHARE_SMTP_PASSWORD_FILE: join(dir, 'missing') },
        /cannot read LABSHARE_SMTP_PASSWORD_FILE .*missing: No such file/, /nie można odczytać pliku LABSHARE_SMTP_PASSWORD_FILE/],
    ];
    for (const [env, en, pl] of cases) {
      for (const args of [['notify', '--once', '--db', db], ['serve', '--db', db, '--listen', '127.0.0.1:0']]) {
        const r = cli(args, { env });
        assert.equal(r.status, 1, `${args[0]} ${JSON.stringify(env)}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^labshare ${args[0]}: ${en.source}`));
        assert.doesNotMatch(r.stderr, /secret/); // a URL's password is never quoted back
        assert.match(cli(args, { env: { ...env, ...PL } }).stderr, new RegExp(`^labshare ${args[0]}: ${pl.source}`));
      }
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

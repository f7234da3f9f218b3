// refresh.test.mjs — two labshare nodes on one PostgreSQL database both run
// the calendar refresher: a subscribed calendar is fetched by one node at a
// time (each claims the source in the database before it fetches), never by
// both at once, and it goes on being refreshed.
//
// PostgreSQL pass only (./dev test runs tests/http/pg/ with LABSHARE_TEST_PG).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, addUser, newDatabase, dropDatabase, ENGINE, sqlite as sql, eventually } from '../lib.mjs';

assert.equal(ENGINE, 'postgresql', 'run with LABSHARE_TEST_PG set to a test cluster (./dev test does)');

let dir, db, cal, calUrl, nodeA, nodeB;
let inFlight = 0, most = 0, fetches = 0;

const day = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10).replaceAll('-', '');
const ICS = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Vendor//Nodes//EN\r\nBEGIN:VEVENT\r\nUID:service@vendor.example\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:${day(20)}T080000Z\r\nDTEND:${day(20)}T100000Z\r\nSUMMARY:Service\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n`;

before(async () => {
  // A slow vendor: each answer takes 1.5 s, longer than the refresh
  // interval, so two nodes that both took the due source would overlap.
  cal = http.createServer((req, res) => {
    fetches++;
    most = Math.max(most, ++inFlight);
    setTimeout(() => {
      inFlight--;
      res.writeHead(200, { 'content-type': 'text/calendar' });
      res.end(ICS);
    }, 1500);
  });
  await new Promise((resolve) => cal.listen(0, '127.0.0.1', resolve));
  calUrl = `http://127.0.0.1:${cal.address().port}`;
  dir = mkdtempSync(join(tmpdir(), 'labshare-refresh-'));
  db = newDatabase(dir);
  const args = ['--import-allow-private', '--import-interval', '1'];
  nodeA = await startServer({ db, args });
  nodeB = await startServer({ db, args });
  sql(db, `
    INSERT INTO organisations(id, name, grp, created, updated) VALUES (1, 'Refresh Org', 'BIZ', 0, 0);
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES (1, 1, 'Lab', 'scientific', 50, 0, 0);
    INSERT INTO resources(id, lab_id, type, name, shared, requires_approval, requires_training, created, updated)
      VALUES (1, 1, 'instrument', 'Laser', 1, 0, 0, 0, 0);
  `);
  addUser(nodeA, { email: 'owner@refresh.test', role: 'owner', organisation: 1 });
});

after(async () => {
  for (const s of [nodeA, nodeB]) if (s) await s.stop({ keep: true });
  if (cal) await new Promise((resolve) => cal.close(resolve));
  if (db) dropDatabase(db);
  for (const s of [nodeA, nodeB]) if (s) rmSync(s.dir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('both nodes refresh a calendar, never both at once', async () => {
  const owner = new Client(nodeB.url);
  await owner.login('owner@refresh.test');
  const r = await owner.post('/api/v1/resources/1/calendar-sources', { url: `${calUrl}/service.ics`, name: 'Vendor' });
  assert.equal(r.status, 201, r.text);
  // Six refreshes after the first fetch, each due at once after the last.
  await eventually(() => fetches >= 7, { what: 'seven fetches', timeout: 60000 });
  assert.equal(most, 1, `${most} fetches of one calendar ran at the same time`);
  assert.equal(sql(db, 'SELECT count(*) FROM blackouts WHERE source_id IS NOT NULL'), '1');
});

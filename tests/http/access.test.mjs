// access.test.mjs — every route's documented access, checked against the
// server's answers. The route table says for each route who may call it
// (x-access.role) and what the caller needs on the object the path names
// (x-access.object and .need); this walks openapi.json and asks the server
// as the people who must be refused, with real objects of the demo data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, assertError, DEMO_PASSWORD } from './lib.mjs';

let srv, staff, ownerA, ownerB, researcher, other, doc;
const ids = {};

before(async () => {
  srv = await startServer({ demo: true });
  const who = async (email) => {
    const c = new Client(srv.url);
    await c.login(email, DEMO_PASSWORD);
    return c;
  };
  staff = await who('staff@labshare.demo');
  ownerA = await who('owner.uj@labshare.demo'); // manages the objects below
  ownerB = await who('owner.ikifp@labshare.demo'); // another organisation's owner
  researcher = await who('researcher@labshare.demo'); // books at UJ
  other = await who('olga.petrenko@labshare.demo'); // a researcher with no part in it
  doc = (await staff.get('/api/v1/openapi.json')).json;

  // One object of each kind, all belonging to owner A's organisation.
  const org = ownerA.user.organisation_id;
  const first = async (path) => {
    const r = await staff.get(path);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.length > 0, `nothing at ${path}`);
    return r.json.items[0];
  };
  ids.organisation = org;
  ids.lab = (await first(`/api/v1/labs?organisation_id=${org}`)).id;
  const resource = await first(`/api/v1/resources?organisation_id=${org}`);
  ids.resource = resource.id;
  ids.service = (await first(`/api/v1/services?organisation_id=${org}`)).id;
  const blackout = await staff.post(`/api/v1/resources/${ids.resource}/blackouts`,
    { start: '2031-01-01T00:00:00Z', end: '2031-01-02T00:00:00Z', reason: 'access test' });
  assert.equal(blackout.status, 201, blackout.text);
  ids.blackout = blackout.json.id;
  const mine = await researcher.get(`/api/v1/bookings?mine=1&resource_id=${ids.resource}`);
  const booking = mine.json.items[0] || (await first(`/api/v1/bookings?user_id=${researcher.user.id}`));
  assert.equal(booking.resource_organisation_id, org, 'the researcher books at owner A\'s');
  ids.booking = booking.id;
  ids.user = researcher.user.id;
  const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//access test//EN', 'BEGIN:VEVENT',
    'UID:access-1@test', 'DTSTAMP:20300101T000000Z', 'DTSTART:20310301T080000Z',
    'DTEND:20310301T090000Z', 'SUMMARY:Service', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
  const upload = await ownerA.req('POST', `/api/v1/resources/${ids.resource}/blackouts/import?name=service.ics`,
    ics, { headers: { 'content-type': 'text/calendar' } });
  assert.equal(upload.status, 201, upload.text);
  ids['calendar source'] = upload.json.id;
  const feed = await researcher.post('/api/v1/feeds', { scope: 'user', id: researcher.user.id });
  assert.equal(feed.status, 201, feed.text);
  ids.feed = feed.json.id;
});
after(async () => { await srv.stop(); });

/** Every operation, with its path filled in for the object it names. */
function operations() {
  const ops = [];
  for (const [pattern, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item)) {
      const x = op['x-access'];
      assert.ok(x && x.role && x.text, `${method} ${pattern} documents no access`);
      const id = x.object && !x.object_from ? ids[x.object] : 1;
      assert.ok(id, `no ${x.object} to try ${method} ${pattern} on`);
      const path = pattern.replace('{id}', id).replace('{user_id}', String(ids.user))
        .replace('{year}', '2026').replace('{kind}', 'office').replace('{token}', 'x'.repeat(64));
      ops.push({ method: method.toUpperCase(), path, x, body: !!op.requestBody, pattern });
    }
  return ops;
}

const call = (c, op) => c.req(op.method, op.path, op.body ? {} : undefined);

test('every route documents its parameters, body schema and access', () => {
  const ops = operations();
  assert.ok(ops.length >= 60);
  for (const [pattern, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item)) {
      for (const m of (pattern.match(/\{(\w+)\}/g) || []))
        assert.ok((op.parameters || []).some((p) => p.in === 'path' && `{${p.name}}` === m), `${method} ${pattern}: ${m}`);
      if (op.requestBody) {
        const [type, media] = Object.entries(op.requestBody.content || {})[0] || [];
        assert.ok(media?.schema, `${method} ${pattern}: a body without a schema`);
        if (type === 'application/json') {
          const schema = media.schema;
          const resolved = schema.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema;
          assert.ok(resolved && resolved.properties, `${method} ${pattern}: a bare object body`);
        }
      }
      // Browser routes of single sign-on answer by redirecting (302).
      assert.ok(Object.keys(op.responses).some((s) => s.startsWith('2') || s === '302'), `${method} ${pattern}: no success answer`);
      if (op['x-access'].role !== 'public') assert.ok(op.responses['401'] && op.responses['403']);
    }
  // Lists document their filters: the catalogue's come from the field tables.
  const res = doc.paths['/api/v1/resources'].get.parameters.map((p) => p.name);
  for (const p of ['limit', 'offset', 'lab_id', 'organisation_id', 'type', 'q', 'free_from', 'free_to'])
    assert.ok(res.includes(p), `GET /api/v1/resources lacks ${p}`);
});

test('researchers get 403 on every staff and owner route, owners on every staff route', async () => {
  let asked = 0;
  for (const op of operations()) {
    if (op.x.role === 'staff') {
      for (const c of [researcher, ownerA]) {
        assertError(await call(c, op), 403, 'forbidden');
        asked++;
      }
    } else if (op.x.role === 'owner') {
      assertError(await call(researcher, op), 403, 'forbidden');
      asked++;
    }
  }
  assert.ok(asked >= 15, `only ${asked} refusals asked`);
});

test('what the object needs holds: managers of another organisation, strangers and owners are refused as documented', async () => {
  const seen = new Set();
  for (const op of operations()) {
    const { object, need, object_from: from } = op.x;
    if (!object || from || op.x.role !== 'user') continue;
    const privateObject = object === 'booking' || object === 'feed';
    if (need === 'manage') {
      // An owner of another organisation: sees the object (403), or not at all (404) when private.
      assertError(await call(ownerB, op), privateObject ? 404 : 403, privateObject ? 'not_found' : 'forbidden');
      seen.add(`${object}/manage`);
    } else if (need === 'staff') {
      assertError(await call(ownerA, op), 403, 'forbidden'); // even its own organisation's owner
      seen.add(`${object}/staff`);
    } else if (need === 'own') {
      // Neither its owner nor a manager: a private object is invisible, another's account forbidden.
      assertError(await call(other, op), privateObject ? 404 : 403, privateObject ? 'not_found' : 'forbidden');
      seen.add(`${object}/own`);
    } else if (need === 'self') {
      assertError(await call(other, op), 404, 'not_found');
      assertError(await call(ownerA, op), 404, 'not_found'); // not even a manager of theirs
      seen.add(`${object}/self`);
    } else if (need === 'see' && privateObject) {
      assertError(await call(other, op), 404, 'not_found');
      seen.add(`${object}/see`);
    }
  }
  for (const k of ['lab/manage', 'resource/manage', 'service/manage', 'blackout/manage', 'organisation/staff',
    'calendar source/manage',
    'booking/manage', 'booking/own', 'booking/see', 'user/own', 'feed/self'])
    assert.ok(seen.has(k), `no route checked ${k}`);
});

test('an unknown object is 404 before any 403, for everyone', async () => {
  for (const op of operations()) {
    if (!op.x.object || op.x.object_from || op.x.object === 'user') continue;
    const path = op.pattern.replace('{id}', '999999').replace('{user_id}', String(ids.user));
    for (const c of [researcher, ownerB]) {
      const r = await c.req(op.method, path, op.body ? {} : undefined);
      if (op.x.role === 'user') assertError(r, 404, 'not_found');
    }
  }
});

test('the objects themselves answer the people allowed to see them', async () => {
  assert.equal((await researcher.get(`/api/v1/bookings/${ids.booking}`)).status, 200);
  assert.equal((await ownerA.get(`/api/v1/bookings/${ids.booking}`)).status, 200);
  assert.equal((await staff.get(`/api/v1/bookings/${ids.booking}`)).status, 200);
  assert.equal((await ownerB.get(`/api/v1/labs/${ids.lab}`)).status, 200); // the catalogue is public to members
  assert.equal((await researcher.get(`/api/v1/users/${ids.user}`)).status, 200);
  assertError(await other.get(`/api/v1/users/${ids.user}`), 403, 'forbidden');
  assertError(await other.get('/api/v1/users/999999'), 403, 'forbidden'); // says nothing about existence
});

test('openapi: routes with format=csv offer text/csv and answer it; the health check\'s 503 is its own answer', async () => {
  let csvRoutes = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const format = (op.parameters || []).find((p) => p.name === 'format');
      if (!format || !(format.schema?.enum || []).includes('csv')) continue;
      csvRoutes++;
      assert.ok(op.responses['200'].content['text/csv'], `${method} ${path} answers CSV but does not say so`);
      assert.ok(op.responses['200'].content['application/json'], `${method} ${path}`);
    }
  }
  assert.ok(csvRoutes >= 6, `only ${csvRoutes} routes take format=csv`);
  const year = new Date().getUTCFullYear();
  const r = await staff.get(`/api/v1/stats/indicators?year=${year}&format=csv`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  const down = doc.paths['/api/v1/health'].get.responses['503'];
  assert.equal(down.content['application/json'].schema.$ref, '#/components/schemas/Health');
  assert.equal(doc.paths['/api/v1/health'].get.responses['200'].content['application/json'].schema.$ref,
    '#/components/schemas/Health');
  // Routes that create or find: 201 for the new object, 200 for the one there.
  for (const path of ['/api/v1/resources/{id}/trained', '/api/v1/resources/{id}/training-requests']) {
    const res = doc.paths[path].post.responses;
    assert.ok(res['201'] && res['200'], `${path}: ${Object.keys(res)}`);
  }
});

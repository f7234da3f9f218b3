// xss.test.mjs — HTML in every text field the API stores is shown as text.
// Markup that would run script if it were ever parsed as HTML (a <script>,
// an <img onerror>, an attribute-breaking "'><svg onload>) goes through the
// API into every text field that accepts text; then every page that shows
// them is visited. Each page must show the string literally, window.__xss
// must stay undefined, and no CSP violation or page error may happen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, addUser, PASSWORD } from '../http/lib.mjs';
import { launch, newPage, signIn, until } from './lib.mjs';

const A = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">';
const B = `"'><svg onload="window.__xss=1"><b>`;
// Each field gets a distinct tagged payload so a page is checked for its own.
const pay = (tag, v = A) => `${tag} ${v}`;

let srv, browser;
before(async () => { srv = await startServer(); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.stop(); });

function day(n) {
  const d = new Date();
  const today = ((d.getUTCDay() + 6) % 7) + 1;
  d.setUTCDate(d.getUTCDate() + (8 - today) + n);
  return d.toISOString().slice(0, 10);
}

test('stored markup is shown as text on every page and never runs', async () => {
  addUser(srv, { email: 'staff@xss.test', role: 'staff', name: pay('staffname', B) });
  const staff = new Client(srv.url);
  await staff.login('staff@xss.test');
  const ok = (r, s = 201) => { assert.equal(r.status, s, r.text); return r.json; };

  const org = ok(await staff.post('/api/v1/organisations', {
    name: pay('orgname'), short_name: '<b>x</b>"\'', group: 'R&D', city: pay('orgcity', B), description: pay('orgdesc'),
  }));
  const lab = ok(await staff.post('/api/v1/labs', {
    organisation_id: org.id, name: pay('labname', B), kind: 'scientific', area_m2: 20,
    building: pay('labbuilding'), address: pay('labaddress', B), description: pay('labdesc'),
  }));
  const hours = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, open: '00:00', close: '24:00' }));
  const res = ok(await staff.post('/api/v1/resources', {
    lab_id: lab.id, type: 'instrument', name: pay('resname'), category: pay('rescat', B), description: pay('resdesc'),
    requires_approval: false, opening_hours: hours,
    prices: { currency: 'PLN', internal: 10, member_academic: 20, member_commercial: 30, non_member: 40 },
    funding: { programme: pay('fundprog', B), economic_cap: 0.2 },
  }));
  const res2 = ok(await staff.post('/api/v1/resources', {
    lab_id: lab.id, type: 'room', name: pay('res2name', B), requires_approval: true, opening_hours: hours,
  }));
  ok(await staff.post(`/api/v1/resources/${res.id}/blackouts`, {
    start: `${day(2)}T08:00:00`, end: `${day(2)}T12:00:00`, reason: pay('blackout'),
  }));
  const svc = ok(await staff.post('/api/v1/services', { organisation_id: org.id, name: pay('svcname'), description: pay('svcdesc', B) }));
  const researcherId = ok(await staff.post('/api/v1/users', {
    email: 'res@xss.test', name: pay('resname-user', B), password: PASSWORD, role: 'researcher', organisation_id: org.id,
  })).id;
  assert.ok(researcherId);
  const researcher = new Client(srv.url);
  await researcher.login('res@xss.test');
  const booked = ok(await researcher.post('/api/v1/bookings', {
    resource_id: res.id, start: `${day(1)}T10:00:00`, end: `${day(1)}T11:00:00`, purpose: pay('purpose'),
    project: pay('project'), cost_centre: pay('costcentre', B),
  }));
  const pending = ok(await researcher.post('/api/v1/bookings', {
    resource_id: res2.id, start: `${day(1)}T10:00:00`, end: `${day(1)}T11:00:00`, purpose: pay('pendpurpose', B),
  }));
  const declined = ok(await researcher.post('/api/v1/bookings', {
    resource_id: res2.id, start: `${day(3)}T10:00:00`, end: `${day(3)}T11:00:00`, purpose: 'to decline',
  }));
  ok(await staff.post(`/api/v1/bookings/${declined.id}/decline`, { reason: pay('declinereason') }), 200);
  ok(await researcher.post('/api/v1/feeds', { scope: 'resource', id: res.id }));

  // One browser context per user (signing out and in on one page races
  // the sign-out's own navigation).
  async function pageFor(email) {
    const p = await newPage(browser);
    await p.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__csp = (window.__csp || []).concat(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    await p.goto(srv.url + '/');
    await p.click('.lang button[data-lang=en]');
    await signIn(p, srv.url, email, PASSWORD);
    return p;
  }
  let page = await pageFor('res@xss.test');

  // Waits until the page shows `needles` (text, or an input's value), then
  // checks that nothing ran, and that the markup never became elements: an
  // <img onerror>, <svg onload> or inline <script> in the page would run (or
  // break the CSP) later, so finding no inline script and no on… attribute
  // is the proof, with no wait for an error that may or may not come.
  async function visit(hash, needles) {
    await page.goto(`${srv.url}/${hash}`);
    for (const n of needles) {
      await until(page, (s) => document.body.innerText.includes(s) ||
        [...document.querySelectorAll('input, textarea')].some((i) => i.value.includes(s)), n)
        .catch(() => assert.fail(`${hash}: "${n}" is not shown literally`));
    }
    const injected = await page.evaluate(() => [...document.querySelectorAll('*')]
      .filter((e) => (e.tagName === 'SCRIPT' && !e.src) || [...e.attributes].some((a) => a.name.startsWith('on')))
      .map((e) => e.outerHTML.slice(0, 80)));
    assert.deepEqual(injected, [], `${hash}: markup became elements`);
    const state = await page.evaluate(() => ({ xss: window.__xss, csp: window.__csp || [] }));
    assert.equal(state.xss, undefined, `${hash}: injected script ran`);
    assert.deepEqual(state.csp, [], `${hash}: CSP violation`);
    assert.deepEqual(page.errors, [], `${hash}: page errors`);
  }

  await visit(`#/catalogue?q=${encodeURIComponent('resname')}`, [pay('resname')]);
  await visit(`#/organisations/${org.id}`, [pay('orgname'), pay('orgdesc'), pay('svcname')]);
  await visit(`#/labs/${lab.id}`, [pay('labname', B), pay('labdesc')]);
  await visit(`#/resources/${res.id}`, [pay('resname'), pay('resdesc'), pay('fundprog', B)]);
  await visit(`#/book/${res.id}?week=${day(0)}`, [pay('resname'), pay('blackout')]);
  await visit('#/bookings', [pay('resname')]);
  await visit(`#/bookings/${booked.id}`, [pay('purpose'), pay('project'), pay('costcentre', B)]);
  await visit(`#/bookings/${declined.id}`, [pay('declinereason')]);
  await visit('#/feeds', [pay('resname')]);
  await visit('#/profile', [pay('resname-user', B)]);

  page = await pageFor('staff@xss.test');
  await visit('#/inbox', [pay('pendpurpose', B)]);
  await visit('#/manage', [pay('orgname')]);
  await visit(`#/manage/organisations/${org.id}`, [pay('orgname'), pay('orgcity', B), pay('orgdesc')]);
  await visit(`#/manage/labs/${lab.id}`, [pay('labname', B), pay('labbuilding'), pay('labaddress', B)]);
  await visit(`#/manage/resources/${res.id}`, [pay('resname'), pay('rescat', B), pay('resdesc'), pay('fundprog', B)]);
  await visit(`#/manage/services/${svc.id}`, [pay('svcname'), pay('svcdesc', B)]);
  await visit(`#/bookings/${pending.id}`, [pay('pendpurpose', B), pay('resname-user', B)]);
  await visit('#/admin/users', [pay('resname-user', B), pay('staffname', B)]);
  await visit('#/admin/audit', []);
  await visit('#/dashboard', [pay('fundprog', B)]);
  await visit(`#/statements?month=${day(1).slice(0, 7)}`, [pay('resname'), pay('project'), pay('costcentre', B)]);
  await visit('#/profile', [pay('staffname', B)]);
  assert.equal(pending.status, 'pending');
});

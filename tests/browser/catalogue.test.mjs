// catalogue.test.mjs — a researcher finds and opens a resource, filters the
// catalogue; an owner creates a lab (fixing an inline 422), a resource with
// opening hours, and edits it; markup in names stays text.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from '../http/lib.mjs';
import { launch, newPage, signIn, until } from './lib.mjs';

const XSS = '<script>alert(1)</script>';

const srv = await startServer({ demo: true });
const researcher = new Client(srv.url);
await researcher.login('researcher@labshare.demo', DEMO_PASSWORD);
const browser = await launch();
after(async () => { await browser.close(); await srv.stop(); });

const owner = new Client(srv.url);
await owner.login('owner@labshare.demo', DEMO_PASSWORD);
// The demo's first confocal resource, with its opening hours.
const found = await researcher.get('/api/v1/resources?q=confocal');
assert.equal(found.status, 200, found.text);
assert.ok(found.json.items.length > 0, 'the demo has a confocal resource');
const confocal = (await researcher.get(`/api/v1/resources/${found.json.items[0].id}`)).json;

async function all(client, path) {
  const r = await client.get(path + (path.includes('?') ? '&' : '?') + 'limit=500');
  assert.equal(r.status, 200, r.text);
  return r.json;
}
const statusIs = (page, text) => until(page, (x) => document.querySelector('.cat-status')?.textContent === x, text);

test('researcher searches, opens a resource, sees hours and a Book link, goes back', async () => {
  const page = await newPage(browser);
  await signIn(page, srv.url, 'researcher@labshare.demo', DEMO_PASSWORD);
  await page.goto(srv.url + '/#/catalogue');
  await page.waitForSelector('.cat-status');
  await page.fill('input[name=q]', 'confocal');
  await until(page, () => location.hash.includes('q=confocal'));
  const expected = (await all(researcher, '/api/v1/resources?q=confocal')).total;
  await statusIs(page, `${expected} results`);
  const card = page.locator(`.cat-card[data-id="${confocal.id}"]`);
  assert.equal(await card.locator('.cat-card-title').textContent(), confocal.name);
  assert.equal(await card.locator('a.btn', { hasText: 'Book' }).getAttribute('href'), `#/book/${confocal.id}`);

  await card.locator('a', { hasText: 'Details' }).click();
  await page.waitForSelector('.cat-hours');
  assert.equal(await page.textContent('h1'), confocal.name);
  const rows = await page.locator('.cat-hours tr').allTextContents();
  assert.equal(rows.length, 7);
  assert.match(rows[0], /^Monday/);
  for (const w of confocal.opening_hours || []) assert.match(rows[w.weekday - 1], new RegExp(w.open === '00:00' && w.close === '24:00' ? 'all day' : `${w.open}–${w.close}`));
  assert.equal(await page.getAttribute('#book', 'href'), `#/book/${confocal.id}`);
  await page.waitForSelector('.cat-avail table, .cat-avail p.muted:not(:has-text("Loading"))');

  // The search lives in the URL: back returns to it.
  await page.goBack();
  await page.waitForSelector('input[name=q]');
  assert.equal(await page.inputValue('input[name=q]'), 'confocal');
  await statusIs(page, `${expected} results`);
  assert.deepEqual(page.errors, []);
});

test('filters by type, lab kind and organisation match the API', async () => {
  const page = await newPage(browser);
  await signIn(page, srv.url, 'researcher@labshare.demo', DEMO_PASSWORD);
  await page.goto(srv.url + '/#/catalogue');
  await page.waitForSelector('.cat-status');

  await page.selectOption('select[name=type]', 'instrument');
  await statusIs(page, `${(await all(researcher, '/api/v1/resources?type=instrument')).total} results`);
  for (const b of await page.locator('.cat-card .cat-badges .badge:first-child').allTextContents()) assert.equal(b, 'instrument');
  await page.selectOption('select[name=type]', '');

  const labs = (await all(researcher, '/api/v1/labs')).items;
  const resources = (await all(researcher, '/api/v1/resources')).items;
  const kindOf = new Map(labs.map((l) => [l.id, l.kind]));
  await page.selectOption('select[name=kind]', 'scientific');
  await statusIs(page, `${resources.filter((r) => kindOf.get(r.lab_id) === 'scientific').length} results`);
  await page.selectOption('select[name=kind]', '');

  const org = owner.user.organisation_id;
  await page.selectOption('select[name=organisation_id]', String(org));
  await statusIs(page, `${(await all(researcher, `/api/v1/resources?organisation_id=${org}`)).total} results`);
  assert.match(await page.evaluate(() => location.hash), new RegExp(`organisation_id=${org}`));
  assert.deepEqual(page.errors, []);
});

test('owner creates a lab (inline 422 on the area), a resource with hours, edits it; markup stays text', async () => {
  const page = await newPage(browser);
  page.on('dialog', (d) => { page.errors.push('unexpected dialog: ' + d.message()); d.dismiss(); });
  await signIn(page, srv.url, 'owner@labshare.demo', DEMO_PASSWORD);
  await page.click('.lang button[data-lang=en]');
  await page.goto(srv.url + '/#/manage');
  await page.click('#man-labs a.btn');
  await page.waitForSelector('input[name=area_m2]');
  const labName = 'Bench lab ' + XSS;
  await page.fill('input[name=name]', labName);
  await page.selectOption('select[name=kind]', 'scientific'); // required, no default: the owner chooses
  await page.fill('input[name=area_m2]', '-5');
  await page.click('form.cat-form button[type=submit]');
  const areaError = page.locator('.field[data-field=area_m2] .field-error');
  await areaError.waitFor({ state: 'visible' });
  assert.ok((await areaError.textContent()).length > 0);
  assert.equal(await page.getAttribute('input[name=area_m2]', 'aria-invalid'), 'true');
  // The default intensity for the kind is the hint of the energy input.
  assert.match(await page.getAttribute('input[name=energy_kwh_per_m2_year]', 'placeholder'), /160/);
  await page.fill('input[name=area_m2]', '42.5');
  await page.click('form.cat-form button[type=submit]');
  await page.waitForSelector('#man-resources');
  const lab = (await all(owner, `/api/v1/labs?organisation_id=${owner.user.organisation_id}`)).items.find((l) => l.name === labName);
  assert.ok(lab, 'lab created');
  assert.equal(lab.area_m2, 42.5);

  // A resource open Mon–Fri 08–18 plus Saturday morning.
  await page.click('#man-resources a.btn');
  await page.waitForSelector('.hours-editor');
  await page.selectOption('select[name=lab_id]', String(lab.id));
  const resName = 'Bench spectrometer ' + XSS;
  await page.selectOption('select[name=type]', 'instrument'); // required, no default
  await page.fill('input[name=name]', resName);
  await page.fill('input[name=category]', 'spectrometer');
  await page.fill('input[name=power_kw]', '0.4');
  await page.click('.hours-presets button:has-text("Mon–Fri 8–18")');
  await page.click('.hours-day[data-weekday="6"] .hours-add');
  await page.fill('.hours-day[data-weekday="6"] .hours-open', '09:00');
  await page.fill('.hours-day[data-weekday="6"] .hours-close', '13:00');
  await page.click('form.cat-form button[type=submit]');
  await page.waitForSelector('#blackouts');
  const id = Number((await page.evaluate(() => location.hash)).match(/resources\/(\d+)/)[1]);
  let res = (await owner.get(`/api/v1/resources/${id}`)).json;
  assert.equal(res.name, resName);
  assert.equal(res.lab_id, lab.id);
  assert.equal(res.power_kw, 0.4);
  const sortH = (hs) => hs.map((w) => `${w.weekday} ${w.open}-${w.close}`).sort();
  assert.deepEqual(sortH(res.opening_hours), sortH([1, 2, 3, 4, 5].map((weekday) => ({ weekday, open: '08:00', close: '18:00' }))
    .concat([{ weekday: 6, open: '09:00', close: '13:00' }])));

  // Editing sends only what changed.
  const sent = [];
  page.on('request', (r) => { if (r.method() === 'PATCH') sent.push(r.postDataJSON()); });
  await page.fill('input[name=name]', resName + ' v2');
  await page.uncheck('input[name=requires_approval]');
  await page.click('form.cat-form button[type=submit]');
  await page.waitForSelector('.toast:has-text("Saved")');
  assert.deepEqual(sent, [{ name: resName + ' v2', requires_approval: false }]);
  res = (await owner.get(`/api/v1/resources/${id}`)).json;
  assert.equal(res.name, resName + ' v2');
  assert.equal(res.requires_approval, false);

  // Markup in names is shown as text on the public pages.
  await page.goto(srv.url + `/#/resources/${id}`);
  await page.waitForSelector('.cat-hours');
  assert.equal(await page.textContent('h1'), resName + ' v2');
  assert.equal(await page.locator('main script').count(), 0);
  await page.goto(srv.url + `/#/labs/${lab.id}`);
  await page.waitForSelector('.cat-detail h1');
  assert.equal(await page.textContent('.cat-detail h1'), labName);
  assert.match(await page.textContent('.cat-detail dl.facts'), /default for its kind \(scientific\): 160 kWh\/m²·year/);
  assert.deepEqual(page.errors, []);
});

test('the catalogue fits a phone screen', async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await signIn(page, srv.url, 'researcher@labshare.demo', DEMO_PASSWORD);
  for (const hash of ['#/catalogue', `#/resources/${confocal.id}`]) {
    await page.goto(srv.url + '/' + hash);
    await page.waitForSelector('.cat-status, .cat-hours');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${hash} overflows at 390px`);
  }
  assert.deepEqual(page.errors, []);
});

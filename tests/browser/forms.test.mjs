// forms.test.mjs — the catalogue's edit forms are built from openapi.json: on
// an EMPTY database (no demo data) staff create the first organisation, a
// lab, a resource and a service through them. For each form the test reads
// the <Name>Create schema itself and checks that every writable property has
// an input labelled with its x-label in the page's language, that required
// ones are marked, that the schema's defaults are shown (a nested object's
// members too, named "parent.member"); a 422 from the server appears next to
// the field it names, in Polish and in English; what was entered reads back
// from the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, addUser, Client, PASSWORD } from '../http/lib.mjs';
import { launch, newPage, signIn } from './lib.mjs';

const STAFF = 'staff@forms.test';
let srv, browser, api, doc;
before(async () => {
  srv = await startServer();
  addUser(srv, { email: STAFF, role: 'staff', name: 'Koordynatorka' }); // account language: Polish (the default)
  api = new Client(srv.url);
  await api.login(STAFF);
  const r = await api.get('/api/v1/openapi.json');
  assert.equal(r.status, 200, r.text);
  doc = r.json;
  for (const path of ['/api/v1/organisations', '/api/v1/labs', '/api/v1/resources', '/api/v1/services'])
    assert.equal((await api.get(path)).json.total, 0, `${path} is not empty`);
  browser = await launch();
});
after(async () => { await browser?.close(); await srv?.stop(); });

const schema = (name) => doc.components.schemas[name];
const writable = (name) => Object.entries(schema(name).properties).filter(([, p]) => !p.readOnly);
/** A nested object's schema (oneOf with null left out), or null. */
const objectOf = (p) => {
  const o = (p.oneOf || [p]).find((x) => x.type !== 'null');
  return o?.properties ? o : null;
};
const nullable = (p) => [].concat(p.type).includes('null') || !!p.oneOf?.some((x) => x.type === 'null');
/** [key, property, required] of a body schema, a nested object's members after it as "parent.member". */
function entries(name) {
  const req = new Set(schema(name).required || []);
  const out = [];
  for (const [key, p] of writable(name)) {
    out.push([key, p, req.has(key)]);
    const o = objectOf(p);
    const oreq = new Set(o?.required || []);
    for (const [k, q] of Object.entries(o?.properties || {}))
      if (!q.readOnly) out.push([`${key}.${k}`, q, oreq.has(k) && !nullable(q)]);
  }
  return out;
}

/** The form of a type, once its submit button is there. */
async function formOf(page, type) {
  const form = page.locator(`form.schema-form[data-schema="${type}Create"]`);
  await form.locator('button[type=submit]').waitFor();
  return form;
}

/**
 * Every writable property of <type>Create has exactly one control in the
 * form, inside the .field box of its JSON name, whose accessible name is the
 * property's x-label; required ones are marked (aria-required and a visible
 * *), the others are not; a new form shows the schema's defaults.
 */
async function checkForm(page, form, type, lang) {
  const name = type + 'Create';
  for (const [key, p, required] of entries(name)) {
    const text = p['x-label'][lang];
    const box = form.locator(`.field[data-field="${key}"]`);
    assert.equal(await box.count(), 1, `${name}.${key}: no field box`);
    // A nested object that may be null shows its members once it is given.
    const given = form.locator(`[name="${key}.given"]`);
    if (await given.count()) await given.check();
    // By accessible name, as assistive technology computes it (the * mark is aria-hidden).
    let ctl = null;
    for (const role of ['textbox', 'spinbutton', 'combobox', 'checkbox', 'group']) {
      const found = box.getByRole(role, { name: text, exact: true });
      const n = await found.count();
      assert.ok(n <= 1 && !(n && ctl), `${name}.${key}: more than one control named "${text}"`);
      if (n) ctl = found;
    }
    assert.ok(ctl, `${name}.${key}: no control named "${text}"`);
    const tag = await ctl.evaluate((el) => el.tagName.toLowerCase());
    if (['input', 'select', 'textarea'].includes(tag)) assert.equal(await ctl.getAttribute('name'), key);
    const described = (await ctl.getAttribute('aria-describedby')) || '';
    // The box's own error and mark, not those of a nested member's box inside it.
    const own = (sel) => box.evaluate((b, q) => [...b.querySelectorAll(q)].filter((e) => e.closest('.field') === b).map((e) => e.id), sel);
    const [errId] = await own('.field-error');
    assert.ok(described.split(' ').includes(errId), `${name}.${key}: its error is not tied to the input`);
    const marked = (await own('.req')).length === 1;
    if (required) {
      assert.ok(marked, `${name}.${key}: required but not marked`);
      assert.equal(await ctl.getAttribute('aria-required'), 'true', `${name}.${key}: aria-required`);
    } else {
      assert.ok(!marked, `${name}.${key}: marked required`);
    }
    if (p.default !== undefined) {
      const type0 = [].concat(p.type).find((x) => x !== 'null');
      if (type0 === 'boolean') assert.equal(await ctl.isChecked(), p.default, `${name}.${key}: default`);
      else if (tag !== 'fieldset' && tag !== 'div') assert.equal(await ctl.inputValue(), p.default === null ? '' : String(p.default), `${name}.${key}: default`);
    }
    if (p.maxLength && tag !== 'select') assert.equal(await ctl.getAttribute('maxlength'), String(p.maxLength), `${name}.${key}: maxlength`);
    if (p.maximum !== undefined && tag === 'input') assert.equal(await ctl.getAttribute('max'), String(p.maximum), `${name}.${key}: max`);
    if (p.enum) {
      const values = (await ctl.locator('option').evaluateAll((os) => os.map((o) => o.value))).filter(Boolean);
      assert.deepEqual(values, p.enum.map(String), `${name}.${key}: choices`);
      const shown = await ctl.locator(`option[value="${p.enum[0]}"]`).textContent();
      assert.equal(shown, p['x-enum-labels'][p.enum[0]][lang], `${name}.${key}: choice label`);
    }
  }
}

/** Submits and waits for the answer of `method path`; returns it. */
async function submit(page, form, method, path) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname === path),
    form.locator('button[type=submit]').click(),
  ]);
  return res;
}

/** A 422 answer's message is shown under the input of the field it names, which is marked invalid. */
async function checkError(page, form, res, field, lang, type) {
  assert.equal(res.status(), 422);
  const body = await res.json();
  assert.equal(body.field, field);
  const label = entries(type).find(([k]) => k === field)[1]['x-label'][lang];
  assert.ok(body.message.startsWith(label), `message "${body.message}" is not in ${lang}`);
  const err = form.locator(`.field[data-field="${field}"] .field-error`);
  await page.waitForFunction((el) => el.textContent.length > 0, await err.elementHandle());
  assert.equal(await err.textContent(), body.message);
  assert.equal(await form.locator(`.field[data-field="${field}"] [aria-invalid=true]`).count(), 1);
}

test('staff create the first organisation, lab, resource and service on an empty database', async () => {
  const page = await newPage(browser);
  page.on('dialog', (d) => { page.errors.push('unexpected dialog: ' + d.message()); d.dismiss(); });
  await signIn(page, srv.url, STAFF, PASSWORD); // the account's language (Polish) becomes the page's

  // --- organisation, in Polish, with a 422 on the website first ---
  await page.goto(srv.url + '/#/manage');
  await page.click('a[href="#/manage/organisations/new"]');
  let form = await formOf(page, 'Organisation');
  assert.equal(await page.getAttribute('html', 'lang'), 'pl');
  await checkForm(page, form, 'Organisation', 'pl');
  const org = { name: 'Centrum <b>Testów</b>', short_name: 'CT', group: 'R&D', package: 'gold', member: false, city: 'Kraków',
    website: 'nie-adres', description: 'Pierwsza organizacja.\nDruga linia.', email_domains: ['ct.example.org', 'lab.ct.example.org'] };
  await form.locator('[name=name]').fill(org.name);
  await form.locator('[name=short_name]').fill(org.short_name);
  await form.locator('[name=group]').selectOption(org.group);
  await form.locator('[name=package]').selectOption(org.package);
  await form.locator('[name=member]').uncheck();
  await form.locator('[name=city]').fill(org.city);
  await form.locator('[name=website]').fill(org.website);
  await form.locator('[name=description]').fill(org.description);
  await form.locator('[name=email_domains]').fill('Lab.CT.example.org,  ct.example.org');
  await checkError(page, form, await submit(page, form, 'POST', '/api/v1/organisations'), 'website', 'pl', 'OrganisationCreate');
  org.website = 'https://ct.example.org/';
  await form.locator('[name=website]').fill(org.website);
  let res = await submit(page, form, 'POST', '/api/v1/organisations');
  assert.equal(res.status(), 201, await res.text());
  const orgId = (await res.json()).id;
  await page.waitForFunction((id) => location.hash === `#/manage?organisation_id=${id}`, orgId);
  const orgBack = (await api.get(`/api/v1/organisations/${orgId}`)).json;
  for (const [k, v] of Object.entries(org)) assert.deepEqual(orgBack[k], v, `organisation.${k}`);

  // --- the account (and page) language switched to English on the profile page ---
  await page.goto(srv.url + '/#/profile');
  await page.selectOption('select[name=lang]', 'en');
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith('/api/v1/me') && r.ok()),
    page.click('.account-form button[type=submit] >> nth=0'),
  ]);
  await page.waitForFunction(() => document.documentElement.lang === 'en');

  // --- lab, in English, with a 422 on the floor area first ---
  await page.goto(srv.url + '/#/manage?organisation_id=' + orgId);
  await page.click('#man-labs a.btn');
  form = await formOf(page, 'Lab');
  await checkForm(page, form, 'Lab', 'en');
  assert.equal(await form.locator('[name=organisation_id]').inputValue(), String(orgId)); // preselected from the page
  const lab = { organisation_id: orgId, name: 'Pracownia obrazowania', kind: 'scientific', area_m2: -5, energy_kwh_per_m2_year: 210.5,
    building: 'B2', address: 'ul. Testowa 1', city: null, biosafety_level: 2, description: '' };
  await form.locator('[name=name]').fill(lab.name);
  await form.locator('[name=kind]').selectOption(lab.kind);
  // The default intensity of the chosen kind is the energy input's placeholder (staff read the server's table).
  const defaults = (await api.get('/api/v1/stats/energy-defaults')).json.items;
  const kwh = defaults.find((d) => d.kind === lab.kind).kwh_per_m2_year;
  assert.match(await form.locator('[name=energy_kwh_per_m2_year]').getAttribute('placeholder'), new RegExp(`^${kwh}\\b`));
  await form.locator('[name=area_m2]').fill(String(lab.area_m2));
  await form.locator('[name=energy_kwh_per_m2_year]').fill(String(lab.energy_kwh_per_m2_year));
  await form.locator('[name=building]').fill(lab.building);
  await form.locator('[name=address]').fill(lab.address);
  await form.locator('[name=biosafety_level]').fill(String(lab.biosafety_level));
  await checkError(page, form, await submit(page, form, 'POST', '/api/v1/labs'), 'area_m2', 'en', 'LabCreate');
  lab.area_m2 = 64.5;
  await form.locator('[name=area_m2]').fill(String(lab.area_m2));
  res = await submit(page, form, 'POST', '/api/v1/labs');
  assert.equal(res.status(), 201, await res.text());
  const labId = (await res.json()).id;
  await page.waitForSelector('#man-resources');
  const labBack = (await api.get(`/api/v1/labs/${labId}`)).json;
  for (const [k, v] of Object.entries(lab)) assert.deepEqual(labBack[k], v, `lab.${k}`);

  // --- resource, with a 422 on the longest booking first ---
  await page.click('#man-resources a.btn');
  form = await formOf(page, 'Resource');
  await checkForm(page, form, 'Resource', 'en');
  assert.equal(await form.locator('[name=lab_id]').inputValue(), String(labId)); // the organisation's only lab
  const resource = { lab_id: labId, type: 'instrument', name: 'Zamrażarka −80 °C', category: 'ULT freezer', description: 'W piwnicy.',
    shared: false, requires_approval: true, requires_training: true, power_kw: 0.63, standby_kw: 0.1,
    slot_minutes: 15, min_minutes: 30, max_minutes: 20 };
  await form.locator('[name=type]').selectOption(resource.type);
  await form.locator('[name=name]').fill(resource.name);
  await form.locator('[name=category]').fill(resource.category);
  await form.locator('[name=description]').fill(resource.description);
  await form.locator('[name=shared]').uncheck();
  await form.locator('[name=requires_training]').check();
  await form.locator('.cat-draws button', { hasText: '0.63' }).click(); // the typical draw fills the power
  assert.equal(await form.locator('[name=power_kw]').inputValue(), '0.63');
  for (const k of ['standby_kw', 'slot_minutes', 'min_minutes', 'max_minutes']) await form.locator(`[name=${k}]`).fill(String(resource[k]));
  await form.locator('.hours-presets button', { hasText: '24/7' }).click();
  await form.locator('.hours-day[data-weekday="7"] .hours-remove').click(); // closed on Sundays
  resource.opening_hours = [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, open: '00:00', close: '24:00' }));
  // The price list and funding (given: checkForm ticked them), a member's 422 under its own input.
  resource.prices = { currency: 'EUR', internal: 0, member_academic: 12.5, member_commercial: null, non_member: 10.005 };
  resource.funding = { programme: 'FENG 2021–2027, 2.1', economic_cap: 0.15 };
  await form.locator('[name="prices.currency"]').selectOption(resource.prices.currency);
  for (const k of ['internal', 'member_academic', 'non_member']) await form.locator(`[name="prices.${k}"]`).fill(String(resource.prices[k]));
  await form.locator('[name="funding.programme"]').fill(resource.funding.programme);
  await form.locator('[name="funding.economic_cap"]').fill(String(resource.funding.economic_cap));
  await checkError(page, form, await submit(page, form, 'POST', '/api/v1/resources'), 'max_minutes', 'en', 'ResourceCreate');
  resource.max_minutes = 240;
  await form.locator('[name=max_minutes]').fill(String(resource.max_minutes));
  // Two decimals at most: checked after the fields themselves.
  await checkError(page, form, await submit(page, form, 'POST', '/api/v1/resources'), 'prices.non_member', 'en', 'ResourceCreate');
  resource.prices.non_member = 99.99;
  await form.locator('[name="prices.non_member"]').fill(String(resource.prices.non_member));
  res = await submit(page, form, 'POST', '/api/v1/resources');
  assert.equal(res.status(), 201, await res.text());
  const resId = (await res.json()).id;
  await page.waitForSelector('#blackouts');
  const resBack = (await api.get(`/api/v1/resources/${resId}`)).json;
  resBack.opening_hours.sort((a, b) => a.weekday - b.weekday);
  for (const [k, v] of Object.entries(resource)) assert.deepEqual(resBack[k], v, `resource.${k}`);

  // --- service, using that resource ---
  await page.goto(srv.url + '/#/manage?organisation_id=' + orgId);
  await page.click('#man-services a.btn');
  form = await formOf(page, 'Service');
  await checkForm(page, form, 'Service', 'en');
  const service = { organisation_id: orgId, name: 'Przechowywanie próbek', description: 'Miejsce w zamrażarce.', resource_ids: [resId] };
  await form.locator('[name=name]').fill(service.name);
  await form.locator('[name=description]').fill(service.description);
  await form.getByRole('group', { name: schema('ServiceCreate').properties.resource_ids['x-label'].en }).getByLabel(resource.name).check();
  res = await submit(page, form, 'POST', '/api/v1/services');
  assert.equal(res.status(), 201, await res.text());
  const svcBack = (await api.get(`/api/v1/services/${(await res.json()).id}`)).json;
  for (const [k, v] of Object.entries(service)) assert.deepEqual(svcBack[k], v, `service.${k}`);
  assert.deepEqual(page.errors, []);
});

test('the edit forms fit a phone and send only what changed', async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await signIn(page, srv.url, STAFF, PASSWORD);
  const [o] = (await api.get('/api/v1/organisations')).json.items;
  const [l] = (await api.get('/api/v1/labs')).json.items;
  const [r] = (await api.get('/api/v1/resources')).json.items;
  const [s] = (await api.get('/api/v1/services')).json.items;
  assert.ok(o && l && r && s, 'the first test created one of each');
  for (const hash of [`#/manage/organisations/${o.id}`, `#/manage/labs/${l.id}`, `#/manage/resources/${r.id}`, `#/manage/services/${s.id}`,
    '#/manage/organisations/new', `#/manage/labs/new?organisation_id=${o.id}`, `#/manage/resources/new?organisation_id=${o.id}`]) {
    await page.goto(`${srv.url}/${hash}`);
    await page.locator('form.schema-form button[type=submit]').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${hash} overflows by ${overflow}px at 390px`);
  }
  // A change of one field is a PATCH of that field alone, and the form shows what the server kept.
  await page.goto(`${srv.url}/#/manage/labs/${l.id}`);
  const form = page.locator('form.schema-form[data-schema=LabChange]');
  await form.locator('[name=building]').fill('  C3  ');
  const [res] = await Promise.all([
    page.waitForResponse((x) => x.request().method() === 'PATCH' && new URL(x.url()).pathname === `/api/v1/labs/${l.id}`),
    form.locator('button[type=submit]').click(),
  ]);
  assert.deepEqual(res.request().postDataJSON(), { building: 'C3' });
  assert.equal(res.status(), 200);
  assert.equal((await api.get(`/api/v1/labs/${l.id}`)).json.building, 'C3');
  assert.deepEqual(page.errors, []);
});

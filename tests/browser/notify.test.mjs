// notify.test.mjs — an owner turns off reminder e-mails on the profile page,
// in Polish, on a phone-sized screen; the setting is what the API reports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from '../http/lib.mjs';
import { launch, newPage, signIn, until } from './lib.mjs';

let srv, browser;
before(async () => { srv = await startServer({ demo: true }); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.stop(); });

test('the profile page turns a kind of notification off', async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await signIn(page, srv.url, 'staff@labshare.demo', DEMO_PASSWORD);
  await page.click('.lang button[data-lang=pl]');
  await page.goto(srv.url + '/#/profile');
  await page.waitForSelector('#notify-form');
  assert.match(await page.textContent('#notify-form h2'), /Powiadomienia e-mail/);
  assert.equal(await page.isChecked('#notify-form input[name=reminder]'), true);
  assert.equal(await page.isChecked('#notify-form input[name=request]'), true);
  // The label is the control: clicking the text toggles the box.
  await page.click('#notify-form .field[data-field=reminder] label');
  await page.click('#notify-form button[type=submit]');
  await page.waitForSelector('.toast');
  const api = new Client(srv.url);
  await api.login('staff@labshare.demo', DEMO_PASSWORD);
  const r = await api.get('/api/v1/me/notifications');
  assert.deepEqual(r.json, { request: true, decision: true, change: true, reminder: false });
  // After a reload the page shows what was saved.
  await page.reload();
  await page.waitForSelector('#notify-form');
  assert.equal(await page.isChecked('#notify-form input[name=reminder]'), false);
  assert.deepEqual(page.errors, []);
});

test('an owner sets the shared lab mailbox on the lab page, with an inline error first', async () => {
  const api = new Client(srv.url);
  await api.login('owner@labshare.demo', DEMO_PASSWORD);
  const labs = await api.get(`/api/v1/labs?organisation_id=${api.user.organisation_id}&limit=1`);
  const lab = labs.json.items[0];
  const page = await newPage(browser);
  await signIn(page, srv.url, 'owner@labshare.demo', DEMO_PASSWORD);
  await page.click('.lang button[data-lang=en]');
  await page.goto(`${srv.url}/#/manage/labs/${lab.id}`);
  await page.waitForSelector('.lab-mailbox');
  await page.fill('.lab-mailbox input[name=email]', 'not an address');
  await page.click('.lab-mailbox button[type=submit]');
  await until(page, () => document.querySelector('.lab-mailbox .field-error').textContent.length > 0);
  assert.match(await page.textContent('.lab-mailbox .field-error'), /e-?mail/i);
  await page.fill('.lab-mailbox input[name=email]', 'lab-office@example.org');
  await page.click('.lab-mailbox button[type=submit]');
  await page.waitForSelector('.toast');
  const r = await api.get(`/api/v1/labs/${lab.id}/mailbox`);
  assert.equal(r.json.email, 'lab-office@example.org');
  assert.deepEqual(page.errors, []);
});

// notify.test.mjs — an owner turns off reminder e-mails on the profile page,
// in Polish, on a phone-sized screen; the setting is what the API reports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD } from '../http/lib.mjs';
import { launch, newPage, signIn } from './lib.mjs';

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

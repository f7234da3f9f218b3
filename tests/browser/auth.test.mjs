// auth.test.mjs — a person signs in, switches language, signs out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DEMO_PASSWORD } from '../http/lib.mjs';
import { launch, newPage, signIn, until } from './lib.mjs';

let srv, browser;
before(async () => { srv = await startServer({ demo: true }); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.stop(); });

test('landing page renders without script errors', async () => {
  const page = await newPage(browser);
  await page.goto(srv.url + '/');
  await page.waitForSelector('.hero h1');
  assert.match(await page.textContent('.hero h1'), /LifeScience/);
  assert.deepEqual(page.errors, []);
});

test('wrong password shows an error; right one signs in and out', async () => {
  const page = await newPage(browser);
  await page.goto(srv.url + '/#/login');
  await page.click('.lang button[data-lang=en]');
  await page.fill('input[name=email]', 'researcher@labshare.demo');
  await page.fill('input[name=password]', 'not the password');
  await page.click('form button[type=submit]');
  await page.waitForSelector('.form-error');
  assert.match(await page.textContent('.form-error'), /Wrong email or password/);
  await signIn(page, srv.url, 'researcher@labshare.demo', DEMO_PASSWORD);
  assert.match(await page.textContent('#who'), /Anna Kowalczyk/);
  // The session survives a reload (cookie + CSRF restored from the server).
  await page.reload();
  await page.waitForSelector('#signout');
  await page.click('.lang button[data-lang=pl]');
  await until(page, () => document.querySelector('#signout').textContent === 'Wyloguj');
  await page.click('#signout');
  await page.waitForSelector('#who a[href="#/login"]');
  assert.deepEqual(page.errors, []);
});

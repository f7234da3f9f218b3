// accounts.test.mjs — staff create an account on the admin page; the new
// person signs in, changes their password on the profile page and signs out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DEMO_PASSWORD } from '../http/lib.mjs';
import { launch, newPage, signIn, until } from './lib.mjs';

let srv, browser;
before(async () => { srv = await startServer({ demo: true }); browser = await launch(); });
after(async () => { await browser?.close(); await srv?.stop(); });

const EMAIL = 'marek.nowy@example.org';
const FIRST = 'first password 123';
const SECOND = 'second password 456';

test('staff create a user, who signs in, changes their password and signs out', async () => {
  const admin = await newPage(browser);
  await signIn(admin, srv.url, 'staff@labshare.demo', DEMO_PASSWORD);
  await admin.click('.lang button[data-lang=en]');
  await admin.goto(srv.url + '/#/admin/users');
  await admin.waitForSelector('#create-user');
  const form = admin.locator('#create-user');
  // A bad address is reported next to the field, not as a page error.
  await form.locator('input[name=email]').fill('not-an-address');
  await form.locator('input[name=name]').fill('Marek Nowy');
  await form.locator('input[name=password]').fill(FIRST);
  await form.locator('button[type=submit]').click();
  await admin.waitForSelector('#create-user .field[data-field=email] .field-error:not(:empty)');
  assert.equal(await form.locator('input[name=email]').getAttribute('aria-invalid'), 'true');
  await form.locator('input[name=email]').fill(EMAIL);
  await form.locator('button[type=submit]').click();
  await admin.waitForSelector(`#users-table tr[data-email="${EMAIL}"]`);
  assert.match(await admin.textContent(`#users-table tr[data-email="${EMAIL}"]`), /Marek Nowy.*researcher/s);
  // Search finds them; the audit page shows the creation.
  await admin.fill('input[name=q]', 'nowy');
  await admin.click('form.toolbar button[type=submit]');
  await until(admin, () => document.querySelectorAll('#users-table tbody tr').length === 1);
  await admin.click('.admin-tabs a[href="#/admin/audit"]');
  await admin.waitForSelector('#audit-table tbody tr');
  assert.match(await admin.textContent('#audit-table'), /account created/);
  assert.deepEqual(admin.errors, []);

  const page = await newPage(browser);
  await signIn(page, srv.url, EMAIL, FIRST);
  await page.click('.lang button[data-lang=en]');
  await page.click('#who a.who-name');
  await page.waitForSelector('#password-form');
  assert.match(await page.textContent('#profile-facts'), new RegExp(EMAIL.replace('.', '\\.')));
  // Wrong current password: the message sits under that field.
  await page.fill('#password-form input[name=current]', 'not my password');
  await page.fill('#password-form input[name=new]', SECOND);
  await page.fill('#password-form input[name=confirm]', SECOND);
  await page.click('#password-form button[type=submit]');
  await page.waitForSelector('#password-form .field[data-field=current] .field-error:not(:empty)');
  await page.fill('#password-form input[name=current]', FIRST);
  await page.click('#password-form button[type=submit]');
  await page.waitForSelector('.toast');
  assert.match(await page.textContent('.toast'), /Password changed/);
  assert.equal(await page.inputValue('#password-form input[name=current]'), '');
  await page.click('#signout');
  await page.waitForSelector('#who a[href="#/login"]');
  // The new password works, the old one no longer does.
  await page.goto(srv.url + '/#/login');
  await page.fill('input[name=email]', EMAIL);
  await page.fill('input[name=password]', FIRST);
  await page.click('form button[type=submit]');
  await page.waitForSelector('.form-error');
  await signIn(page, srv.url, EMAIL, SECOND);
  assert.deepEqual(page.errors, []);
});

test('profile saves the language; admin pages work on a phone', async () => {
  const page = await newPage(browser, { viewport: { width: 390, height: 844 } });
  await signIn(page, srv.url, 'staff@labshare.demo', DEMO_PASSWORD);
  await page.goto(srv.url + '/#/profile');
  await page.waitForSelector('#password-form');
  await page.selectOption('select[name=lang]', 'en');
  await page.click('form.account-form:not(#password-form) button[type=submit]');
  await until(page, () => document.querySelector('h1')?.textContent === 'My profile');
  await page.selectOption('select[name=lang]', 'pl');
  await page.click('form.account-form:not(#password-form) button[type=submit]');
  await until(page, () => document.querySelector('h1')?.textContent === 'Mój profil');
  await page.goto(srv.url + '/#/admin/users');
  await page.waitForSelector('#users-table tbody tr');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `page is ${width}px wide`);
  await page.click('#users-table tr[data-email="researcher@labshare.demo"] button');
  await page.waitForSelector('#edit-user');
  await page.goto(srv.url + '/#/admin/audit');
  await page.waitForSelector('#audit-table tbody tr');
  assert.deepEqual(page.errors, []);
});

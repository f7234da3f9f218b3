// signup.test.mjs — accounts people get on their own, in the browser, with
// every mail arriving in a real SMTP server (tests/http/smtp-sink.mjs): staff
// invite someone who accepts from the mail's link; a person who forgot their
// password sets a new one from the mail; a newcomer registers, confirms the
// address from the mail and is a researcher of their university at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, addUser, DEMO_PASSWORD, PASSWORD } from '../http/lib.mjs';
import { startSmtpSink } from '../http/smtp-sink.mjs';
import { launch, newPage, signIn } from './lib.mjs';

let srv, sink, browser, uj;
before(async () => {
  sink = await startSmtpSink();
  srv = await startServer({
    demo: true,
    env: { LABSHARE_SMTP_URL: sink.url, LABSHARE_SMTP_FROM: 'labshare <noreply@labshare.test>', LABSHARE_NOTIFY_INTERVAL_MS: '100' },
  });
  browser = await launch();
  const staff = new Client(srv.url);
  await staff.login('staff@labshare.demo', DEMO_PASSWORD);
  uj = (await staff.get('/api/v1/organisations?limit=500')).json.items.find((o) => o.short_name === 'UJ WBBiB');
  assert.equal((await staff.patch(`/api/v1/organisations/${uj.id}`, { email_domains: ['uj.edu.pl'] })).status, 200);
});
after(async () => { await browser?.close(); await srv?.stop(); await sink?.close(); });

/** The link of `page` in the newest mail to `to` (waits for it). */
async function linkIn(to, page) {
  const re = new RegExp(`${srv.url.replace(/[.:/]/g, '\\$&')}/#/${page}/[0-9a-f]{64}`);
  const mails = await sink.waitFor((m) => m.to.includes(to) && re.test(m.text));
  const m = mails[mails.length - 1];
  return { url: m.text.match(re)[0], mail: m };
}

test('staff invite someone by e-mail; the link makes their account and signs them in', async () => {
  const admin = await newPage(browser);
  await signIn(admin, srv.url, 'staff@labshare.demo', DEMO_PASSWORD);
  await admin.click('.lang button[data-lang=en]');
  await admin.goto(`${srv.url}/#/admin/users`);
  await admin.waitForSelector('#invite-form');
  const form = admin.locator('#invite-form');
  await form.locator('input[name=email]').fill('not an address');
  await form.locator('button[type=submit]').click();
  await admin.waitForSelector('#invite-form .field[data-field=email] .field-error:not(:empty)');
  await form.locator('input[name=email]').fill('tomasz.invited@example.org');
  await form.locator('select[name=role]').selectOption('owner');
  await form.locator('select[name=organisation_id]').selectOption(String(uj.id));
  await form.locator('select[name=lang]').selectOption('pl');
  await form.locator('button[type=submit]').click();
  await admin.waitForSelector('.toast');
  assert.match(await admin.textContent('.toast'), /Invitation sent to tomasz.invited@example.org/);
  assert.deepEqual(admin.errors, []);
  await admin.context().close();

  const { url, mail } = await linkIn('tomasz.invited@example.org', 'invitation');
  assert.equal(mail.subject, 'Zaproszenie do labshare');
  assert.match(mail.text, /opiekun laboratorium/);
  const page = await newPage(browser);
  await page.goto(url);
  await page.waitForSelector('#accept-form');
  await page.click('.lang button[data-lang=en]');
  await page.waitForSelector('#accept-form');
  assert.equal(await page.inputValue('#accept-form input[name=email]'), 'tomasz.invited@example.org');
  assert.match(await page.textContent('#accept-form'), /invites you as: lab owner/);
  await page.fill('#accept-form input[name=name]', 'Tomasz Zaproszony');
  await page.fill('#accept-form input[name=password]', 'tomasz password');
  await page.fill('#accept-form input[name=confirm]', 'tomasz password');
  await page.click('#accept-form button[type=submit]');
  await page.waitForSelector('#accept-form .field[data-field=password] .field-error:not(:empty)'); // contains the name
  await page.fill('#accept-form input[name=password]', 'a lab of my own');
  await page.fill('#accept-form input[name=confirm]', 'a lab of my own');
  await page.click('#accept-form button[type=submit]');
  await page.waitForSelector('#signout');
  assert.match(await page.textContent('#who'), /Tomasz Zaproszony/);
  // The link works once.
  await page.goto(url);
  await page.waitForSelector('.link-problem');
  assert.match(await page.textContent('.link-problem h1'), /already been used/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a forgotten password is set anew from the e-mailed link, in Polish', async () => {
  addUser(srv, { email: 'zapominalska@example.org', name: 'Ola Zapominalska' });
  const page = await newPage(browser, { locale: 'pl-PL' });
  await page.goto(`${srv.url}/#/login`);
  await page.click('.lang button[data-lang=pl]');
  await page.click('#forgot');
  await page.waitForSelector('#reset-request');
  assert.equal(await page.textContent('#reset-request h1'), 'Nie pamiętasz hasła?');
  await page.fill('#reset-request input[name=email]', 'zapominalska@example.org');
  await page.click('#reset-request button[type=submit]');
  await page.waitForSelector('#reset-sent');
  assert.match(await page.textContent('#reset-sent'), /zapominalska@example\.org/);

  const { url, mail } = await linkIn('zapominalska@example.org', 'reset');
  assert.equal(mail.subject, 'Ustawienie nowego hasła w labshare');
  await page.goto(url);
  await page.waitForSelector('#reset-form');
  await page.fill('#reset-form input[name=password]', 'nowe hasło do konta');
  await page.fill('#reset-form input[name=confirm]', 'inne hasło do konta');
  await page.click('#reset-form button[type=submit]');
  await page.waitForSelector('#reset-form .field[data-field=confirm] .field-error:not(:empty)');
  assert.equal(await page.textContent('#reset-form .field[data-field=confirm] .field-error'), 'Hasła się różnią.');
  await page.fill('#reset-form input[name=confirm]', 'nowe hasło do konta');
  await page.click('#reset-form button[type=submit]');
  await page.waitForSelector('#reset-done');
  await page.click('#reset-done a.btn');
  await page.fill('input[name=email]', 'zapominalska@example.org');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form button[type=submit]');
  await page.waitForSelector('.form-error'); // the old password no longer works
  await signIn(page, srv.url, 'zapominalska@example.org', 'nowe hasło do konta');
  // The link works once.
  await page.goto(url);
  await page.waitForSelector('.link-problem');
  assert.match(await page.textContent('.link-problem h1'), /został już użyty/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a newcomer registers, confirms the address and is a researcher of their university', async () => {
  const page = await newPage(browser);
  await page.goto(`${srv.url}/#/login`);
  await page.click('.lang button[data-lang=en]');
  await page.click('#register');
  await page.waitForSelector('#register-form');
  await page.fill('#register-form input[name=name]', 'Natalia Nowicka');
  await page.fill('#register-form input[name=email]', 'natalia.nowicka@uj.edu.pl');
  await page.fill('#register-form input[name=password]', 'short');
  await page.fill('#register-form input[name=confirm]', 'short');
  await page.click('#register-form button[type=submit]');
  await page.waitForSelector('#register-form .field[data-field=password] .field-error:not(:empty)');
  await page.fill('#register-form input[name=password]', 'cells under glass');
  await page.fill('#register-form input[name=confirm]', 'cells under glass');
  await page.click('#register-form button[type=submit]');
  await page.waitForSelector('#register-sent');

  const { url, mail } = await linkIn('natalia.nowicka@uj.edu.pl', 'verify');
  assert.equal(mail.subject, 'Confirm your e-mail address for labshare');
  await page.goto(url);
  await page.waitForSelector('#verify-form');
  await page.click('#verify-form button[type=submit]');
  await page.waitForSelector('#signout');
  await page.goto(`${srv.url}/#/profile`);
  await page.waitForSelector('#profile-facts');
  const facts = await page.textContent('#profile-facts');
  assert.match(facts, /natalia\.nowicka@uj\.edu\.pl/);
  assert.match(facts, /researcher/);
  assert.match(facts, new RegExp(uj.name.slice(0, 20)));
  // My data, as a download.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#my-data a')]);
  assert.equal(download.suggestedFilename(), 'labshare-my-data.json');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

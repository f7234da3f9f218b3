// oidc.test.mjs — single sign-on in the browser, through the whole redirect
// flow of a real OpenID provider (tests/oidc/provider.mjs, oidc-provider 9):
// a new person at a member university signs in on their first visit and
// books at once as a researcher of their organisation; then each bad case —
// a wrong signature, a wrong audience, an expired token, a replayed state, a
// wrong nonce, an unverified e-mail — is refused with a page that says why
// and signs no one in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, sqlite, DEMO_PASSWORD } from '../http/lib.mjs';
import { startProvider } from '../oidc/provider.mjs';
import { launch, newPage, pickFreeSlot } from './lib.mjs';

let srv, idp, browser, uj, resource;
before(async () => {
  idp = await startProvider();
  srv = await startServer({
    demo: true,
    args: ['--oidc-issuer', idp.issuer, '--oidc-client-id', idp.clientId, '--oidc-name', 'Uniwersytet Jagielloński',
      '--oidc-allow-http-loopback'],
    env: { LABSHARE_OIDC_CLIENT_SECRET: idp.clientSecret },
  });
  idp.register(`${srv.url}/auth/oidc/callback`);
  browser = await launch();
  const staff = new Client(srv.url);
  await staff.login('staff@labshare.demo', DEMO_PASSWORD);
  uj = (await staff.get('/api/v1/organisations?limit=500')).json.items.find((o) => o.short_name === 'UJ WBBiB');
  assert.equal((await staff.patch(`/api/v1/organisations/${uj.id}`, { email_domains: ['uj.edu.pl'] })).status, 200);
  const list = (await staff.get(`/api/v1/resources?organisation_id=${uj.id}&limit=100`)).json.items;
  resource = list.find((r) => !r.requires_training && r.type !== 'room') || list.find((r) => !r.requires_training);
  assert.ok(resource, 'the demo university has a resource without training');
});
after(async () => { await browser?.close(); await srv?.stop(); await idp?.close(); });

/** A fresh browser (no cookies) whose requests to the Internet fail fast. */
async function freshPage() {
  const page = await newPage(browser);
  // The provider's own login page imports a web font; this machine is offline.
  await page.context().route((url) => !url.hostname.startsWith('127.0.0.1'), (r) => r.abort());
  return page;
}

/** From labshare's sign-in page through the provider's login form as `login`. */
async function signInWithProvider(page, login) {
  await page.goto(`${srv.url}/#/login`);
  await page.waitForSelector('#sso');
  assert.equal(await page.textContent('#sso'), 'Sign in with Uniwersytet Jagielloński');
  await Promise.all([page.waitForURL(`${idp.issuer}/**`), page.click('#sso')]);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'whatever the provider checks');
  await Promise.all([page.waitForURL(`${srv.url}/**`), page.click('button[type=submit]')]);
}

/** The session as the page's own browser sees it: the user, or null. */
async function sessionOf(page) {
  const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
  if (status !== 200) return null;
  return page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).user);
}

/** Asserts the failure page: reason, both languages, no session. */
async function assertRefused(page, reason, english, polish = /./) {
  await page.waitForSelector(`section.oidc-failure[data-reason="${reason}"][lang="en"]`);
  assert.match(await page.title(), /Sign-in failed/);
  assert.match(await page.textContent('section[lang="en"] .reason'), english);
  assert.match(await page.textContent('section[lang="pl"] .reason'), polish);
  assert.match(await page.textContent('section[lang="en"]'), /No one has been signed in/);
  assert.match(await page.textContent('section[lang="pl"]'), /Nikt nie został zalogowany/);
  const cookies = await page.context().cookies(srv.url);
  assert.equal(cookies.find((c) => c.name === 'labshare_session'), undefined, 'no session cookie');
  assert.equal(await sessionOf(page), null);
  // The way back leads to the sign-in page.
  await page.click('section[lang="en"] a.btn');
  await page.waitForSelector('#sso');
  assert.deepEqual(page.errors, []);
}

test('a new person at a member university signs in on the first visit and books at once', async () => {
  const page = await freshPage();
  await signInWithProvider(page, 'zofia.mazur@uj.edu.pl');
  await page.waitForSelector('#signout');
  assert.match(await page.textContent('#who'), /Zofia Mazur/);
  const me = await sessionOf(page);
  assert.equal(me.role, 'researcher');
  assert.equal(me.organisation_id, uj.id);
  assert.equal(me.email, 'zofia.mazur@uj.edu.pl');

  await page.goto(`${srv.url}/#/book/${resource.id}`);
  await page.waitForSelector('.week-grid .wk-day');
  await pickFreeSlot(page);
  await page.fill('textarea[name=purpose]', 'First booking after single sign-on');
  await page.click('.book-submit');
  await page.waitForSelector('.book-done');
  const href = await page.getAttribute('.book-done a[href^="#/bookings/"]', 'href');
  const id = Number(href.split('/').pop());
  const booking = await page.evaluate(async (id) => (await fetch(`/api/v1/bookings/${id}`)).json(), id);
  assert.equal(booking.user_id, me.id);
  assert.equal(booking.organisation_id, uj.id);
  assert.ok(['approved', 'pending'].includes(booking.status));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

for (const [mode, reason, english, what] of [
  ['wrong-signature', 'signature', /signature of the provider's token is not valid/, 'signed by another key'],
  ['wrong-aud', 'audience', /issued to another application/, 'for another audience'],
  ['expired', 'expired', /token has expired/, 'that has expired'],
  ['wrong-nonce', 'nonce', /does not belong to this sign-in/, 'with a wrong nonce'],
]) {
  test(`an ID token ${what} is refused with a clear page and no session`, async () => {
    const page = await freshPage();
    const users = Number(sqlite(srv.db, 'SELECT count(*) FROM users'));
    idp.mode = mode;
    try {
      await signInWithProvider(page, `victim.${reason}@uj.edu.pl`);
      await assertRefused(page, reason, english);
    } finally {
      idp.mode = null;
    }
    assert.equal(Number(sqlite(srv.db, 'SELECT count(*) FROM users')), users, 'no account was made');
    await page.context().close();
  });
}

test('a replayed state is refused with a clear page and no session', async () => {
  const page = await freshPage();
  let callback = null;
  page.on('request', (r) => { if (r.url().startsWith(`${srv.url}/auth/oidc/callback`)) callback = r.url(); });
  await signInWithProvider(page, 'replay.target@uj.edu.pl');
  await page.waitForSelector('#signout');
  assert.ok(callback, 'the provider sent the browser back');
  await page.context().close();
  // Someone who saw that address (a log, a shared screen) opens it.
  const thief = await freshPage();
  await thief.goto(callback);
  await assertRefused(thief, 'state', /already used or has expired/);
  await thief.context().close();
});

test('an e-mail address the provider has not verified is refused with a clear page', async () => {
  const page = await freshPage();
  await signInWithProvider(page, 'unverified@uj.edu.pl');
  await assertRefused(page, 'email_unverified', /has not verified your e-mail address/, /nie potwierdził Twojego adresu e-mail/);
  assert.equal(Number(sqlite(srv.db, "SELECT count(*) FROM users WHERE email = 'unverified@uj.edu.pl'")), 0);
  await page.context().close();
});

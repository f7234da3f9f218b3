// daily.test.mjs — the browser as used day to day (issue 21), on the demo
// data, each flow in Polish on a desktop and in English on a 390 px phone
// (pages.mjs COMBOS): the language switch sets the server's language; API
// errors appear next to the field they name on every form; an ended session
// asks for the password in place and finishes the action, and the booking
// draft survives a reload and a sign-in; the address keeps each view's state
// (back, reload, a shared link) and the skip link works; My bookings as a
// paged list and as week and month calendars; the dashboard's groupings,
// bad spans, one rounding, tables and CSV links; purpose takes 2,000
// characters; the phone menu reaches every item; a new calendar link
// replaces "no links yet". Screenshots land in build/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, DEMO_PASSWORD, sqlite } from '../http/lib.mjs';
import { launch, newPage, signIn, until, pickFreeSlot } from './lib.mjs';
import { COMBOS, PHONE, setLang, shot, nextAnswer, fieldError, cardOverflow, sideways } from './pages.mjs';

let srv, browser, staffApi, researcherApi, doc;
before(async () => {
  srv = await startServer({ demo: true });
  browser = await launch();
  staffApi = new Client(srv.url);
  await staffApi.login('staff@labshare.demo', DEMO_PASSWORD);
  researcherApi = new Client(srv.url);
  await researcherApi.login('researcher@labshare.demo', DEMO_PASSWORD);
  doc = (await staffApi.get('/api/v1/openapi.json')).json;
});
after(async () => { await browser?.close(); await srv?.stop(); });

const xLabel = (schema, key, lang) => doc.components.schemas[schema].properties[key]['x-label'][lang];
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A signed-in page of a demo account in a combination's language and screen. */
async function open(combo, email) {
  const page = await newPage(browser, { viewport: combo.viewport, locale: combo.lang === 'pl' ? 'pl-PL' : 'en-GB' });
  await signIn(page, srv.url, email, DEMO_PASSWORD);
  await setLang(page, combo.lang);
  return page;
}

/** Ends every session of a user, as expiry would (the API client signs in again). */
async function endSessions(userId) {
  sqlite(srv.db, `DELETE FROM sessions WHERE user_id = ${userId}`);
  await researcherApi.login('researcher@labshare.demo', DEMO_PASSWORD);
}

/** A resource the demo researcher may book, without approval where one exists. */
async function bookable() {
  const list = await researcherApi.get('/api/v1/resources?limit=200');
  const me = researcherApi.user;
  const ok = list.json.items.filter((r) => (!r.requires_training || r.trained) && (r.shared || r.organisation_id === me.organisation_id) && (r.opening_hours || []).length);
  return ok.find((r) => !r.requires_approval) || ok[0];
}

test('the language switch sets the language the server answers in, signed out and signed in', async () => {
  for (const combo of COMBOS) {
    const other = combo.lang === 'pl' ? 'en' : 'pl';
    const page = await newPage(browser, { viewport: combo.viewport, locale: combo.lang === 'pl' ? 'pl-PL' : 'en-GB' });
    // Signed out: every request says the page's language; the sign-in form's
    // error comes back in it, under the field it names.
    await page.goto(srv.url + '/#/login');
    await page.waitForSelector('form input[name=email]');
    for (const lang of [other, combo.lang]) {
      await setLang(page, lang);
      const answer = nextAnswer(page, 'POST', '/api/v1/session');
      await page.click('form button[type=submit]');
      const r = await answer;
      assert.equal(r.status(), 422);
      assert.equal(r.request().headers()['accept-language'], lang);
      const body = await r.json();
      assert.equal(body.field, 'email');
      assert.equal(await fieldError(page, 'form', 'email'), body.message);
      assert.match(body.message, new RegExp(esc(xLabel('SignInCreate', 'email', lang))));
      assert.match(body.message, lang === 'pl' ? /pole wymagane/ : /is required/);
    }
    // The language chosen before signing in becomes the account's.
    await staffApi.patch('/api/v1/users/' + researcherApi.user.id, { lang: other });
    const saved = nextAnswer(page, 'PATCH', '/api/v1/me');
    await page.fill('input[name=email]', 'researcher@labshare.demo');
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('form button[type=submit]');
    assert.equal((await saved).status(), 200);
    await page.waitForSelector('#signout');
    assert.equal((await researcherApi.get('/api/v1/me')).json.lang, combo.lang);
    assert.equal(await page.evaluate(() => document.documentElement.lang), combo.lang);
    // Signed in: the switch changes the account (and so every answer), and
    // the page keeps it after a reload.
    await page.goto(srv.url + '/#/profile');
    await page.waitForSelector('.account-form input[name=name]');
    for (const lang of [other, combo.lang]) {
      await setLang(page, lang);
      assert.equal((await researcherApi.get('/api/v1/me')).json.lang, lang);
      const details = '.account-form:has(select[name=lang])';
      await page.fill(`${details} input[name=name]`, '');
      const answer = nextAnswer(page, 'PATCH', '/api/v1/me');
      await page.click(`${details} button[type=submit]`);
      const body = await (await answer).json();
      assert.equal(body.field, 'name');
      assert.equal(await fieldError(page, details, 'name'), body.message);
      assert.match(body.message, lang === 'pl' ? /pole wymagane/ : /is required/);
    }
    await page.reload();
    await page.waitForSelector('#signout');
    assert.equal(await page.evaluate(() => document.documentElement.lang), combo.lang);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('API errors are shown next to the field they name on every form', async () => {
  for (const combo of COMBOS) {
    const page = await open(combo, 'staff@labshare.demo');
    const check = async (scope, name, action) => {
      const body = await action();
      assert.equal(body.field, name, JSON.stringify(body));
      assert.equal(await fieldError(page, scope, name), body.message);
      const input = page.locator(`${scope} .field[data-field="${name}"] :is(input,select,textarea)`).first();
      assert.equal(await input.getAttribute('aria-invalid'), 'true');
      const described = (await input.getAttribute('aria-describedby')).split(' ');
      const errId = await page.getAttribute(`${scope} .field[data-field="${name}"] .field-error`, 'id');
      assert.ok(described.includes(errId), `${name}: the error is not tied to its input`);
    };
    const submit = async (method, path, click) => {
      const answer = nextAnswer(page, method, path);
      await page.click(click);
      const r = await answer;
      assert.equal(r.status(), 422, await r.text());
      return r.json();
    };

    // Profile: details and password.
    await page.goto(srv.url + '/#/profile');
    await page.waitForSelector('#password-form');
    const details = '.account-form:has(select[name=lang])';
    await page.fill(`${details} input[name=name]`, '   ');
    await check(details, 'name', () => submit('PATCH', '/api/v1/me', `${details} button[type=submit]`));
    await page.fill('#password-form input[name=current]', 'not my password');
    await page.fill('#password-form input[name=new]', 'a new password 123');
    await page.fill('#password-form input[name=confirm]', 'a new password 123');
    await check('#password-form', 'current', () => submit('POST', '/api/v1/me/password', '#password-form button[type=submit]'));

    // Users: a new account with a bad address.
    await page.goto(srv.url + '/#/admin/users');
    await page.waitForSelector('#create-user');
    await page.fill('#create-user input[name=email]', 'not-an-address');
    await page.fill('#create-user input[name=name]', 'Ktoś Nowy');
    await page.fill('#create-user input[name=password]', 'first password 123');
    await check('#create-user', 'email', () => submit('POST', '/api/v1/users', '#create-user button[type=submit]'));

    // Calendar links: days of past events out of range.
    await page.goto(srv.url + '/#/feeds');
    await page.waitForSelector('.subscribe .feed-form');
    await page.fill('.subscribe input[name=past_days]', '99999');
    await check('.subscribe .feed-form', 'past_days', () => submit('POST', '/api/v1/feeds', '.subscribe .feed-create'));

    // Statistics settings: a grid factor without its value.
    await page.goto(srv.url + '/#/dashboard');
    await page.waitForSelector('.dash-gf');
    await page.fill('.dash-gf input[name=year]', String(new Date().getFullYear() + 3));
    await check('.dash-gf', 'kg_per_kwh', () => submit('PUT', '/api/v1/stats/grid-factors/', '.dash-gf button[type=submit]'));

    // Inbox: a decline reason the server refuses (a bidirectional override).
    await page.goto(srv.url + '/#/inbox');
    await page.waitForSelector('.inbox-item .decline-open');
    const id = await page.getAttribute('.inbox-item:has(.decline-open) >> nth=0', 'data-id');
    const row = page.locator(`.inbox-item[data-id="${id}"]`);
    await row.locator('.decline-open').click();
    await row.locator('input[name=reason]').fill('zajęte\u202Eevil');
    const answer = nextAnswer(page, 'POST', '/api/v1/bookings/');
    await row.locator('.decline-form button[type=submit]').click();
    const r = await answer;
    assert.equal(r.status(), 422);
    const body = await r.json();
    assert.equal(body.field, 'reason');
    await until(page, (el) => el.querySelector('.field-error').textContent !== '', await row.elementHandle());
    assert.equal(await row.locator('.field-error').textContent(), body.message);
    assert.equal(await row.locator('input[name=reason]').getAttribute('aria-invalid'), 'true');
    assert.equal(await row.locator('input[name=reason]').getAttribute('aria-describedby'), await row.locator('.field-error').getAttribute('id'));

    // Booking form: a weekly series reaching past two years is refused as
    // the repetition, shown under the number of occurrences.
    const res = await bookable();
    await page.goto(`${srv.url}/#/book/${res.id}`);
    await page.waitForSelector('.week-grid .wk-day:visible');
    await pickFreeSlot(page);
    await page.selectOption('select[name=rrule]', 'count');
    await page.fill('input[name=count]', '200');
    const sent = nextAnswer(page, 'POST', '/api/v1/bookings');
    await page.click('.book-submit');
    const br = await sent;
    assert.equal(br.status(), 422, await br.text());
    const bb = await br.json();
    assert.equal(bb.field, 'rrule');
    assert.equal(await fieldError(page, '.book-form', 'count'), bb.message);
    await shot(page, `daily-book-error-${combo.name}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('an ended session asks for the password in place and the booking is sent; the draft survives a reload and a sign-in', async () => {
  const res = await bookable();
  const researcher = researcherApi.user;
  for (const combo of COMBOS) {
    const page = await open(combo, 'researcher@labshare.demo');
    await page.goto(`${srv.url}/#/book/${res.id}`);
    await page.waitForSelector('.week-grid .wk-day:visible');
    await pickFreeSlot(page);
    const chosen = await page.textContent('.sel-start');
    const purpose = `Draft ${combo.name}: żółć, gęślą jaźń`;
    await page.fill('textarea[name=purpose]', purpose);
    const week = new URL(page.url()).hash;
    assert.match(week, /\?week=\d{4}-\d{2}-\d{2}$/);

    // A reload keeps the week, the chosen time and the purpose.
    await page.reload();
    await page.waitForSelector('.week-grid button.slot[aria-pressed=true]');
    assert.equal(await page.inputValue('textarea[name=purpose]'), purpose);
    assert.equal(await page.textContent('.sel-start'), chosen);

    // The session ends (as when it expires); sending asks for the password.
    await endSessions(researcher.id);
    const refused = nextAnswer(page, 'POST', '/api/v1/bookings');
    await page.click('.book-submit');
    assert.equal((await refused).status(), 401);
    await page.waitForSelector('dialog.reauth[open]');
    assert.equal(await page.inputValue('dialog.reauth input[name=email]'), 'researcher@labshare.demo');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'reauth-password');
    await shot(page, `daily-reauth-${combo.name}`);
    // A wrong password is said in the dialog, next to the field.
    await page.fill('#reauth-password', 'not the password');
    let signIn = nextAnswer(page, 'POST', '/api/v1/session');
    await page.click('dialog.reauth button[type=submit]');
    assert.equal((await signIn).status(), 401);
    await page.waitForSelector('#reauth-password-err:not(:empty)');
    assert.equal(await page.getAttribute('#reauth-password', 'aria-invalid'), 'true');
    // The right one signs in again and the request goes through.
    await page.fill('#reauth-password', DEMO_PASSWORD);
    signIn = nextAnswer(page, 'POST', '/api/v1/session');
    const sent = nextAnswer(page, 'POST', '/api/v1/bookings');
    await page.click('dialog.reauth button[type=submit]');
    assert.equal((await signIn).status(), 200);
    const r = await sent;
    assert.equal(r.status(), 201, await r.text());
    const booking = await r.json();
    await page.waitForSelector('.book-done');
    assert.equal(await page.locator('dialog.reauth').count(), 0);
    assert.equal((await researcherApi.get(`/api/v1/bookings/${booking.id}`)).json.purpose, purpose);
    // Done: the draft is gone.
    assert.equal(await page.evaluate((id) => sessionStorage.getItem(`labshare.draft.book.${id}`), res.id), null);

    // Cancelling the dialog leads to the sign-in page and back; the draft waits.
    await pickFreeSlot(page);
    await page.fill('textarea[name=purpose]', purpose + ' (2)');
    const chosen2 = await page.textContent('.sel-start');
    await endSessions(researcher.id);
    await page.click('.book-submit');
    await page.waitForSelector('dialog.reauth[open]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('form input[name=password]:not(#reauth-password)');
    assert.equal(new URL(page.url()).hash, '#/login');
    await page.fill('input[name=email]', 'researcher@labshare.demo');
    await page.fill('input[name=password]', DEMO_PASSWORD);
    await page.click('form button[type=submit]');
    await page.waitForSelector('.week-grid button.slot[aria-pressed=true]');
    assert.match(new URL(page.url()).hash, new RegExp(`^#/book/${res.id}\\?week=`));
    assert.equal(await page.inputValue('textarea[name=purpose]'), purpose + ' (2)');
    assert.equal(await page.textContent('.sel-start'), chosen2);
    const sent2 = nextAnswer(page, 'POST', '/api/v1/bookings');
    await page.click('.book-submit');
    assert.equal((await sent2).status(), 201);
    await page.waitForSelector('.book-done');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('purpose takes 2,000 characters, Polish letters included, and not one more', async () => {
  const res = await bookable();
  const max = doc.components.schemas.BookingRequestCreate.properties.purpose.maxLength;
  assert.equal(max, 2000);
  for (const combo of COMBOS) {
    const page = await open(combo, 'researcher@labshare.demo');
    await page.goto(`${srv.url}/#/book/${res.id}`);
    await page.waitForSelector('.week-grid .wk-day:visible');
    await pickFreeSlot(page);
    assert.equal(await page.getAttribute('textarea[name=purpose]', 'maxlength'), String(max));
    const text = 'ąęłńóśźżĄĘ'.repeat(max / 10); // 2,000 characters, 4,000 bytes in UTF-8
    await page.fill('textarea[name=purpose]', text);
    await page.focus('textarea[name=purpose]');
    await page.keyboard.press('End');
    await page.keyboard.type('x'); // a 2,001st is not taken
    assert.equal([...await page.inputValue('textarea[name=purpose]')].length, max);
    assert.match(await page.textContent('.purpose-count'), new RegExp(`${max}\\D+${max}`));
    const sent = nextAnswer(page, 'POST', '/api/v1/bookings');
    await page.click('.book-submit');
    const r = await sent;
    assert.equal(r.status(), 201, await r.text());
    assert.equal((await r.json()).purpose, text);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

/** The instant of a local (Europe/Warsaw) midnight of a YYYY-MM-DD date. */
function warsawMidnight(key) {
  const [y, m, d] = key.split('-').map(Number);
  for (const off of [1, 2]) {
    const t = new Date(Date.UTC(y, m - 1, d) - off * 3600000);
    const p = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);
    if (p === `${key}, 00:00`) return t;
  }
  throw new Error(`no midnight for ${key}`);
}
const nextKey = (key) => new Date(Date.parse(key + 'T12:00:00Z') + 86400000).toISOString().slice(0, 10);

/**
 * The "now" the next list of my bookings the page asks for is cut at: its `from` (upcoming) or
 * `to` (past) parameter, once the answer has come. `want` names further parameters it must carry.
 */
async function listBound(page, bound, want = {}) {
  const r = await page.waitForResponse((r) => {
    const u = new URL(r.url());
    return r.request().method() === 'GET' && u.pathname === '/api/v1/bookings' && u.searchParams.get('mine') === '1' &&
      u.searchParams.has(bound) && Object.entries(want).every(([k, v]) => u.searchParams.get(k) === v);
  });
  return new URL(r.url()).searchParams.get(bound);
}

test('each view keeps its state in the address: back, reload and a shared link show it again; the skip link works', async () => {
  const res = await bookable();
  for (const combo of COMBOS) {
    const page = await open(combo, 'staff@labshare.demo');
    // The skip link: first in the tab order, it moves the focus to the content and keeps the page.
    await page.goto(srv.url + '/#/catalogue');
    await page.reload(); // Tab then starts from the top of the document
    await page.waitForSelector('.cat-grid, .cat-empty');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'skip');
    assert.equal(await page.textContent('.skip'), combo.lang === 'pl' ? 'Przejdź do treści' : 'Skip to content');
    await page.keyboard.press('Enter');
    await until(page, () => document.activeElement?.id === 'main');
    assert.equal(new URL(page.url()).hash, '#/catalogue');
    assert.equal(await page.locator('main .cat-grid, main .cat-empty').count() > 0, true);

    // The week shown on the booking page.
    await page.goto(`${srv.url}/#/book/${res.id}`);
    await page.waitForSelector('.week-grid .wk-day:visible');
    const labels = [await page.textContent('.week-label')];
    for (let i = 0; i < 2; i++) {
      await page.click('.week-next');
      await until(page, (l) => document.querySelector('.week-label').textContent !== l, labels[labels.length - 1]);
      labels.push(await page.textContent('.week-label'));
    }
    const w2 = new URL(page.url()).hash;
    assert.match(w2, /\?week=\d{4}-\d{2}-\d{2}$/);
    await page.goBack();
    await until(page, (l) => document.querySelector('.week-label')?.textContent === l, labels[1]);
    await page.reload();
    await until(page, (l) => document.querySelector('.week-label')?.textContent === l, labels[1]);
    await page.goForward();
    await until(page, (l) => document.querySelector('.week-label')?.textContent === l, labels[2]);
    const shared = await newPage(browser, { viewport: combo.viewport });
    await signIn(shared, srv.url, 'researcher@labshare.demo', DEMO_PASSWORD);
    await setLang(shared, combo.lang);
    await shared.goto(srv.url + '/' + w2);
    await shared.waitForSelector('.week-grid .wk-day:visible');
    assert.equal(await shared.textContent('.week-label'), labels[2]);
    assert.equal(new URL(shared.url()).hash, w2);
    await shared.context().close();

    // My bookings: view and month.
    await page.goto(srv.url + '/#/bookings');
    await page.waitForSelector('.view-tabs a[data-view=month]');
    await page.click('.view-tabs a[data-view=month]');
    await page.waitForSelector('table.cal-month');
    const m1 = await page.textContent('.cal-period');
    await page.click('.cal-next');
    await until(page, (l) => document.querySelector('.cal-period').textContent !== l, m1);
    const m2 = await page.textContent('.cal-period');
    assert.match(new URL(page.url()).hash, /view=month.*date=\d{4}-\d{2}-\d{2}/);
    await page.reload();
    await until(page, (l) => document.querySelector('.cal-period')?.textContent === l, m2);
    await page.goBack();
    await until(page, (l) => document.querySelector('.cal-period')?.textContent === l, m1);

    // Dashboard: year, span and grouping.
    await page.goto(srv.url + '/#/dashboard');
    await page.waitForSelector('table.dash-grouped[data-by=lab]', { state: 'attached' });
    await page.selectOption('.dash-controls select[name=group_by]', 'organisation');
    await page.fill('.dash-controls input[name=from]', `${new Date().getFullYear()}-02-01`);
    const shown = nextAnswer(page, 'GET', '/api/v1/stats/utilisation');
    await page.click('.dash-controls button[type=submit]');
    await shown;
    await page.waitForSelector('table.dash-grouped[data-by=organisation]', { state: 'attached' });
    const hash = new URL(page.url()).hash;
    assert.match(hash, /group_by=organisation/);
    assert.match(hash, new RegExp(`from=${new Date().getFullYear()}-02-01`));
    await page.reload();
    await page.waitForSelector('table.dash-grouped[data-by=organisation]', { state: 'attached' });
    assert.equal(await page.inputValue('.dash-controls select[name=group_by]'), 'organisation');
    assert.equal(await page.inputValue('.dash-controls input[name=from]'), `${new Date().getFullYear()}-02-01`);
    await page.goBack();
    await page.waitForSelector('table.dash-grouped[data-by=lab]', { state: 'attached' });
    assert.equal(await page.inputValue('.dash-controls select[name=group_by]'), 'lab');

    // Users: the search.
    await page.goto(srv.url + '/#/admin/users');
    await page.waitForSelector('#users-table tbody tr');
    await page.fill('#users-toolbar input[name=q]', 'owner');
    const listed = nextAnswer(page, 'GET', '/api/v1/users');
    await page.click('#users-toolbar button[type=submit]');
    await listed;
    assert.match(new URL(page.url()).hash, /q=owner/);
    await page.reload();
    await page.waitForSelector('#users-table tbody tr');
    assert.equal(await page.inputValue('#users-toolbar input[name=q]'), 'owner');
    for (const email of await page.locator('#users-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.email)))
      assert.match(email, /owner/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('my bookings: a list paged with limit/offset (upcoming, past newest first, by status) and week and month calendars', async () => {
  for (const combo of COMBOS) {
    const page = await open(combo, 'researcher@labshare.demo');
    // Upcoming, first and second page, against the API's own paging. Each page is compared with
    // the API asked at the page's own "now" (the bound its request sent): demo bookings end on the
    // hour, and one ending between a "now" taken here and the page's would shift every row.
    const firstPage = listBound(page, 'from');
    await page.goto(srv.url + '/#/bookings');
    const up = (await researcherApi.get(`/api/v1/bookings?mine=1&from=${encodeURIComponent(await firstPage)}&limit=20`)).json;
    assert.ok(up.total > 20, `the demo researcher has ${up.total} upcoming bookings`);
    await page.waitForSelector('.booking-list .booking-item');
    const ids = () => page.locator('.booking-item').evaluateAll((li) => li.map((x) => Number(x.dataset.id)));
    const firstFrom = async (from) => (await researcherApi.get(`/api/v1/bookings?mine=1&from=${encodeURIComponent(from)}&limit=1`)).json.items[0].id;
    assert.deepEqual(await ids(), up.items.slice(0, 20).map((b) => b.id));
    assert.match(await page.textContent('.pager-range'), new RegExp(`1\\D+20\\D+${up.total}`));
    const first = await page.$('.booking-item');
    const secondPage = listBound(page, 'from');
    await page.click('.pager-next');
    await until(page, (el) => !el.isConnected, first);
    const up2 = (await researcherApi.get(`/api/v1/bookings?mine=1&from=${encodeURIComponent(await secondPage)}&limit=20&offset=20`)).json;
    assert.deepEqual(await ids(), up2.items.map((b) => b.id));
    assert.match(new URL(page.url()).hash, /page=2/);
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('pager-next')), true);
    const back = listBound(page, 'from');
    await page.goBack();
    await until(page, (id) => document.querySelector('.booking-item')?.dataset.id === String(id), await firstFrom(await back));
    await shot(page, `daily-bookings-list-${combo.name}`);

    // Past, newest first.
    // The upcoming list stays until the past one replaces it, which may be drawn more than once:
    // the ids are read in the same look that sees the whole past page, newest first.
    const pastPage = listBound(page, 'to');
    await page.click('.subtabs a[data-tab=past]');
    const past = (await researcherApi.get(`/api/v1/bookings?mine=1&to=${encodeURIComponent(await pastPage)}&limit=500`)).json;
    assert.ok(past.total > 0 && past.total <= 500);
    const newest = [...past.items].sort((a, b) => Date.parse(b.start) - Date.parse(a.start) || b.id - a.id);
    const shownPast = await (await until(page, ([id, n]) => {
      const items = [...document.querySelectorAll('.booking-item')];
      return items.length === n && items[0].dataset.id === String(id) && items.map((li) => Number(li.dataset.id));
    }, [newest[0].id, Math.min(20, past.total)])).jsonValue();
    assert.equal(shownPast.length, Math.min(20, past.total));
    const starts = shownPast.map((id) => Date.parse(past.items.find((b) => b.id === id).start));
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i - 1] >= starts[i], 'past bookings newest first');
    assert.equal(starts[0], Date.parse(newest[0].start));

    // By status.
    const upAgain = listBound(page, 'from');
    await page.click('.subtabs a[data-tab=upcoming]');
    await until(page, (id) => document.querySelector('.booking-item')?.dataset.id === String(id), await firstFrom(await upAgain));
    const filtered = listBound(page, 'from', { status: 'approved' });
    await page.selectOption('select[name=status]', 'approved');
    const approvedFrom = await filtered;
    await until(page, () => [...document.querySelectorAll('.booking-item')].every((li) => li.dataset.status === 'approved'));
    assert.match(new URL(page.url()).hash, /status=approved/);
    const appr = (await researcherApi.get(`/api/v1/bookings?mine=1&status=approved&from=${encodeURIComponent(approvedFrom)}&limit=20`)).json;
    assert.deepEqual(await ids(), appr.items.map((b) => b.id));

    // Week: every booking of mine overlapping the week is on the days it covers.
    await page.click('.view-tabs a[data-view=week]');
    await page.waitForSelector('ol.cal-week');
    await page.selectOption('select[name=status]', '');
    await until(page, () => !/status=/.test(location.hash));
    await page.waitForSelector('ol.cal-week');
    const days = await page.locator('.cal-day').evaluateAll((li) => li.map((x) => x.dataset.date));
    assert.equal(days.length, 7);
    for (const key of days) {
      const from = warsawMidnight(key), to = warsawMidnight(nextKey(key));
      const want = (await researcherApi.get(`/api/v1/bookings?mine=1&from=${from.toISOString()}&to=${to.toISOString()}&limit=500`)).json.items.map((b) => b.id).sort((a, b) => a - b);
      const got = (await page.locator(`.cal-day[data-date="${key}"] .cal-chip`).evaluateAll((a) => a.map((x) => Number(x.dataset.id)))).sort((a, b) => a - b);
      assert.deepEqual(got, want, `bookings on ${key}`);
    }
    await shot(page, `daily-bookings-week-${combo.name}`);

    // Month: each day's chips and "n more" add up to that day's bookings.
    await page.click('.view-tabs a[data-view=month]');
    await page.waitForSelector('table.cal-month');
    const cells = await page.locator('.cal-cell').evaluateAll((td) => td.map((x) => ({
      key: x.dataset.date, chips: x.querySelectorAll('.cal-chip').length,
      more: Number((x.querySelector('.cal-more')?.textContent.match(/\d+/) || [0])[0]),
    })));
    assert.ok(cells.length === 35 || cells.length === 42 || cells.length === 28);
    const from = warsawMidnight(cells[0].key), to = warsawMidnight(nextKey(cells[cells.length - 1].key));
    const all = (await researcherApi.get(`/api/v1/bookings?mine=1&from=${from.toISOString()}&to=${to.toISOString()}&limit=500`)).json.items;
    for (const c of cells) {
      const s = warsawMidnight(c.key).getTime(), e = warsawMidnight(nextKey(c.key)).getTime();
      const n = all.filter((b) => Date.parse(b.start) < e && Date.parse(b.end) > s).length;
      assert.equal(c.chips + c.more, n, `bookings on ${c.key}`);
    }
    await shot(page, `daily-bookings-month-${combo.name}`);
    assert.equal(await sideways(page), 0);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('dashboard: every grouping with its table, one rounding, bad spans refused where they are made, CSV and Polish-Excel CSV', async () => {
  const year = new Date().getFullYear();
  const groupings = doc.paths['/api/v1/stats/utilisation'].get.parameters.find((p) => p.name === 'group_by').schema.enum;
  assert.deepEqual([...groupings].sort(), ['group', 'kind', 'lab', 'organisation', 'resource']);
  const plCsv = (doc.paths['/api/v1/stats/utilisation'].get.parameters.find((p) => p.name === 'locale')?.schema.enum || []).includes('pl');
  for (const combo of COMBOS) {
    const page = await open(combo, 'staff@labshare.demo');
    const loc = combo.lang === 'pl' ? 'pl-PL' : 'en-GB';
    const rate = (x) => new Intl.NumberFormat(loc, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(x);
    await page.goto(srv.url + '/#/dashboard');
    await page.waitForSelector('table.dash-grouped[data-by=lab]', { state: 'attached' });

    for (const by of groupings) {
      const answer = page.waitForResponse((r) => r.url().includes('/api/v1/stats/utilisation') && r.url().includes(`group_by=${by}`) && !r.url().includes('format='));
      await page.selectOption('.dash-controls select[name=group_by]', by);
      await page.click('.dash-controls button[type=submit]');
      const data = await (await answer).json();
      await page.waitForSelector(`table.dash-grouped[data-by=${by}]`, { state: 'attached' });
      const rows = await page.locator(`table.dash-grouped[data-by=${by}] tbody tr`).evaluateAll((tr) => tr.map((r) => [...r.children].map((c) => c.textContent)));
      assert.equal(rows.length, data.items.length, by);
      // Each row: the name and the rate as percent with one decimal, of the unrounded figure.
      const sorted = [...rows].sort((a, b) => a[0].localeCompare(b[0]));
      const want = data.items.map((i) => [by === 'group' ? i.group : by === 'kind' ? null : i.name, rate(i.booked_rate)]);
      for (const [name, r] of want) if (name !== null) assert.ok(sorted.some((row) => row[0] === name && row[1] === r), `${by}: ${name} ${r}`);
      assert.equal(await page.locator(`svg.chart.bar`).first().getAttribute('role'), 'img');
    }
    const s = (await staffApi.get(`/api/v1/stats/utilisation?from=${year}-01-01&to=${year + 1}-01-01&group_by=resource`)).json.summary;
    assert.match(await page.textContent('.dash-panel:has(.dash-big)'), new RegExp(esc(rate(s.booked_rate))));
    assert.equal((await page.textContent('.dash-big')).trim(), rate(s.cross_organisation_share));
    const ind = (await staffApi.get(`/api/v1/stats/indicators?year=${year}`)).json;
    assert.match(await page.textContent('table.dash-ind'), new RegExp(esc(rate(ind.utilisation.rate))));

    // Every chart is named and has its table.
    // Staff see the months' line, the grouping's bars, the week's heat map, the areas' bars, and
    // the State-aid bars when a publicly funded resource exists (the demo data has some).
    const funded = (await staffApi.get(`/api/v1/stats/economic-use?year=${year}`)).json.items.length;
    assert.ok(funded > 0);
    const kinds = await page.locator('svg.chart').evaluateAll((s) => s.map((x) => [...x.classList].find((c) => c !== 'chart')).sort());
    assert.deepEqual(kinds, ['bar', 'bar', 'bar', 'heat', 'line']);
    assert.equal(await page.locator('.economic-panel svg.chart.bar.economic').count(), 1);
    assert.equal(await page.locator('svg.chart:not([aria-label])').count(), 0);
    // The State-aid chart's table stands open under it; the others' tables fold away.
    assert.equal(await page.locator('.dash-panel svg.chart + details.chart-data table').count(), kinds.length - 1);
    assert.equal(await page.locator('.economic-panel svg.chart + .table-wrap table.economic-table tbody tr').count(), funded);
    const monthly = (await staffApi.get(`/api/v1/stats/monthly?year=${year}`)).json;
    const monthPanel = page.locator('.dash-panel:has(svg.chart.line)');
    await monthPanel.locator('details.chart-data summary').click();
    const monthRates = await monthPanel.locator('details.chart-data tbody tr td').allTextContents();
    assert.deepEqual(monthRates, monthly.items.map((m) => rate(m.rate)));

    // CSV: the standard file, and Polish Excel's (locale=pl).
    const links = await page.locator('.dash-panel .csv-links').first().locator('a').evaluateAll((a) => a.map((x) => x.getAttribute('href')));
    assert.equal(links.length, 2);
    assert.match(links[0], /format=csv/);
    assert.doesNotMatch(links[0], /locale=/);
    assert.match(links[1], /format=csv.*locale=pl|locale=pl.*format=csv/);
    const got = await page.evaluate(async (hrefs) => Promise.all(hrefs.map(async (u) => {
      const r = await fetch(u);
      return { status: r.status, type: r.headers.get('content-type'), head: new Uint8Array(await r.clone().arrayBuffer()).slice(0, 3).join(','), text: await r.text() };
    })), links);
    for (const g of got) { assert.equal(g.status, 200); assert.match(g.type, /^text\/csv/); assert.equal(g.head, '239,187,191'); }
    assert.match(got[0].text.split('\r\n')[0], /,/);
    // Polish Excel's dialect once the server writes it (it documents locale=pl in openapi.json).
    if (plCsv) assert.match(got[1].text.split('\r\n')[0], /;/);
    else assert.equal(got[1].text, got[0].text);

    // A span ending before it starts: said at the End field and in place of the panels, never "Loading…".
    await page.fill('.dash-controls input[name=from]', `${year}-05-01`);
    await page.fill('.dash-controls input[name=to]', `${year}-01-31`);
    await page.click('.dash-controls button[type=submit]');
    const err = await fieldError(page, '.dash-controls', 'to');
    assert.equal(err, combo.lang === 'pl' ? 'Koniec okresu nie może być przed jego początkiem.' : 'The end of the period cannot be before its start.');
    await page.waitForSelector('.dash-grid .dash-error');
    assert.doesNotMatch(await page.textContent('.dash-grid'), /Ładowanie|Loading/);
    // One the server refuses (more than five years): its message, at its field.
    await page.fill('.dash-controls input[name=from]', `${year - 7}-01-01`);
    await page.fill('.dash-controls input[name=to]', `${year}-12-31`);
    const refused = page.waitForResponse((r) => r.url().includes('/api/v1/stats/utilisation') && r.status() === 422);
    await page.click('.dash-controls button[type=submit]');
    const body = await (await refused).json();
    assert.equal(body.field, 'to');
    await until(page, (m) => document.querySelector('.dash-controls .field[data-field=to] .field-error')?.textContent === m, body.message);
    await page.waitForSelector('.dash-grid .dash-error');
    assert.equal(await page.getAttribute('.dash-controls input[name=to]', 'aria-invalid'), 'true');
    await shot(page, `daily-dashboard-error-${combo.name}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  }
});

test('the phone menu reaches every item; the desktop shows them all; a new calendar link replaces "no links yet"', async () => {
  for (const combo of COMBOS) {
    const page = await open(combo, 'staff@labshare.demo');
    const items = await page.locator('#nav a').count();
    assert.ok(items >= 6, `staff see ${items} menu items`);
    if (combo.viewport === PHONE) {
      assert.equal(await page.isVisible('#nav'), false);
      assert.equal(await page.getAttribute('.menu-toggle', 'aria-expanded'), 'false');
      await page.click('.menu-toggle');
      assert.equal(await page.getAttribute('.menu-toggle', 'aria-expanded'), 'true');
      const boxes = await page.locator('#nav a').evaluateAll((a) => a.map((x) => { const r = x.getBoundingClientRect(); return { l: r.left, r: r.right, w: r.width, h: r.height }; }));
      for (const b of boxes) assert.ok(b.w > 0 && b.h >= 24 && b.l >= 0 && b.r <= combo.viewport.width, JSON.stringify(b));
      await shot(page, `daily-menu-${combo.name}`);
      const last = page.locator('#nav a').last();
      const href = await last.getAttribute('href');
      await last.click();
      await until(page, (h) => location.hash === h, href);
      assert.equal(await page.isVisible('#nav'), false);
    } else {
      assert.equal(await page.isVisible('.menu-toggle'), false);
      for (let i = 0; i < items; i++) assert.ok(await page.locator('#nav a').nth(i).isVisible());
    }
    await page.context().close();

    // Calendar links: the list follows a link made on the page.
    const mine = await open(combo, 'owner@labshare.demo');
    for (const f of (await mine.evaluate(async () => (await (await fetch('/api/v1/feeds?limit=500')).json()).items)))
      await mine.evaluate(async ([id, csrf]) => fetch(`/api/v1/feeds/${id}`, { method: 'DELETE', headers: { 'x-csrf-token': csrf } }), [f.id, await mine.evaluate(() => sessionStorage.getItem('labshare.csrf'))]);
    await mine.goto(srv.url + '/#/feeds');
    await mine.waitForSelector('.feeds-empty');
    const made = nextAnswer(mine, 'POST', '/api/v1/feeds');
    await mine.click('.subscribe .feed-create');
    assert.equal((await made).status(), 201);
    await mine.waitForSelector('.feeds-table tbody tr');
    assert.equal(await mine.locator('.feeds-empty').count(), 0);
    assert.ok(await mine.isVisible('.subscribe .feed-url'), 'the new link stays shown');
    assert.deepEqual(await cardOverflow(mine), []);
    assert.deepEqual(mine.errors, []);
    await mine.context().close();
  }
});

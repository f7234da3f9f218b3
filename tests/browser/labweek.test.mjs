// labweek.test.mjs — a lab's week grid (#/labs/:id/week): one request to
// GET /api/v1/bookings (lab_id + from/to) fills a row per resource and a
// column per day; bookings sit in their resource's row and their Kraków
// day's column; owners see everyone's, researchers their own; the grid is one
// Tab stop with arrow keys inside and Enter opening a booking; weeks are in
// the URL (back returns); Polish and English texts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, addUser, sqlite } from '../http/lib.mjs';
import { launch, newPage, signIn } from './lib.mjs';
import { axeFindings } from './pages.mjs';
import { weekStart, addDays, localToInstant, dateKey } from '../../www/js/localtime.js';

let srv, browser;
const ids = {};
// Next week's Monday (Kraków date) and the instant of a local time on day n of it.
const monday = addDays(weekStart(new Date()), 7);
const at = (n, hh, mm = 0) => { const d = addDays(monday, n); return localToInstant(d.y, d.m, d.d, hh, mm); };
const secs = (date) => Math.floor(date.getTime() / 1000);

before(async () => {
  srv = await startServer();
  browser = await launch();
  sqlite(srv.db, `
    INSERT INTO organisations(id, name, grp, created, updated) VALUES
      (1, 'Jagiellonian Centre of Innovation', 'BIZ', 0, 0), (2, 'Institute of Catalysis', 'R&D', 0, 0);
    INSERT INTO labs(id, organisation_id, name, kind, area_m2, created, updated) VALUES
      (1, 1, 'Imaging lab', 'scientific', 80, 0, 0), (2, 2, 'Other lab', 'scientific', 40, 0, 0);
    INSERT INTO resources(id, lab_id, type, name, category, shared, requires_approval, requires_training, created, updated) VALUES
      (1, 1, 'instrument', 'Confocal microscope', 'microscope', 1, 0, 0, 0, 0),
      (2, 1, 'instrument', 'Flow cytometer', 'cytometer', 1, 1, 0, 0, 0),
      (3, 1, 'room', 'Cell culture room', 'room', 1, 0, 0, 0, 0),
      (4, 2, 'instrument', 'Elsewhere', 'other', 1, 0, 0, 0, 0);
    WITH RECURSIVE d(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM d WHERE n < 5)
      INSERT INTO opening_hours(resource_id, weekday, open_min, close_min) SELECT r.id, d.n, 480, 1080 FROM d, resources r;
    WITH RECURSIVE d(n) AS (SELECT 6 UNION ALL SELECT 7)
      INSERT INTO opening_hours(resource_id, weekday, open_min, close_min) SELECT 3, n, 0, 1440 FROM d;`);
  ids.owner = addUser(srv, { email: 'owner@week.test', name: 'Olga Owner', role: 'owner', organisation: 1 });
  // The shell takes the signed-in user's language: the owner reads English.
  sqlite(srv.db, "UPDATE users SET lang = 'en' WHERE email = 'owner@week.test'");
  ids.res1 = addUser(srv, { email: 'res1@week.test', name: 'Rafał Researcher', organisation: 1 });
  ids.res2 = addUser(srv, { email: 'res2@week.test', name: 'Rita <b>Other</b>', organisation: 2 });
  const add = (id, res, user, org, s, e, status) => sqlite(srv.db,
    `INSERT INTO bookings(id, resource_id, user_id, organisation_id, start, end, purpose, status, created, updated)
     VALUES (${id}, ${res}, ${user}, ${org}, ${secs(s)}, ${secs(e)}, 'work', '${status}', 0, 0)`);
  add(101, 1, ids.res1, 1, at(0, 9), at(0, 10, 30), 'approved');  // Monday, confocal, res1
  add(102, 1, ids.res2, 2, at(0, 11), at(0, 12), 'pending');      // Monday, confocal, res2
  add(103, 2, ids.res2, 2, at(2, 14), at(2, 15), 'approved');     // Wednesday, cytometer, res2
  add(104, 3, ids.res1, 1, at(5, 22), at(6, 8), 'approved');      // Saturday night into Sunday
  add(105, 2, ids.res1, 1, at(3, 9), at(3, 10), 'cancelled');     // not shown
  add(106, 4, ids.res1, 1, at(1, 9), at(1, 10), 'approved');      // another lab
  add(107, 1, ids.res1, 1, at(7, 9), at(7, 10), 'approved');      // the week after
});
after(async () => { await browser?.close(); await srv?.stop(); });

/** A page in the given language (the app's choice, kept in localStorage). */
async function pageIn(lang) {
  const page = await newPage(browser, { locale: lang === 'pl' ? 'pl-PL' : 'en-GB' });
  await page.addInitScript((l) => localStorage.setItem('labshare.lang', l), lang);
  return page;
}

/** Texts of the bookings in a resource's row and a day's column (0 = Monday). */
async function cell(page, resource, day) {
  return page.$$eval('.lw-grid tbody tr', (rows, [name, col]) => {
    const tr = rows.find((r) => r.querySelector('th').textContent.startsWith(name));
    return tr ? [...tr.children[col + 1].querySelectorAll('.lw-booking')].map((a) => a.textContent) : null;
  }, [resource, day]);
}

/** Opens the lab's week through the lab page; returns the /api/v1/bookings requests it made. */
async function openWeek(page, week) {
  const lists = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/bookings') lists.push(r.url()); });
  const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/bookings' && r.status() === 200);
  await page.goto(`${srv.url}/#/labs/1/week?week=${dateKey(week)}`);
  await answer;
  await page.waitForSelector('.lw-grid tbody tr');
  return lists;
}

test('an owner sees every booking of the lab in one request, in the right cells', async () => {
  const page = await pageIn('en');
  await signIn(page, srv.url, 'owner@week.test', 'correct horse battery');
  // From the lab page.
  await page.goto(`${srv.url}/#/labs/1`);
  await page.waitForSelector('.lab-week-link');
  const lists = [];
  page.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/bookings') lists.push(new URL(r.url())); });
  const first = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/bookings');
  await page.click('.lab-week-link');
  await first;
  await page.waitForSelector('.lw-grid tbody tr');
  assert.equal(lists.length, 1, 'one request fills the week');
  assert.equal(lists[0].searchParams.get('lab_id'), '1');
  assert.ok(lists[0].searchParams.get('from') && lists[0].searchParams.get('to'));

  // Next week: the URL follows, again one request.
  const next = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/bookings');
  await page.click('.lw-next');
  await next;
  await page.waitForFunction(() => document.querySelector('.lw-wrap').getAttribute('aria-busy') === null);
  assert.equal(lists.length, 2);
  assert.match(page.url(), new RegExp(`#/labs/1/week\\?week=${dateKey(monday)}$`));

  const rows = await page.$$eval('.lw-grid tbody th[scope=row] a', (as) => as.map((a) => a.textContent));
  assert.deepEqual(rows, ['Cell culture room', 'Confocal microscope', 'Flow cytometer']);
  assert.equal(await page.$$eval('.lw-grid thead th[scope=col]', (t) => t.length), 8);
  assert.deepEqual(await cell(page, 'Confocal microscope', 0), ['09:00–10:30 Rafał Researcher', '11:00–12:00 Rita <b>Other</b>']);
  assert.deepEqual(await cell(page, 'Flow cytometer', 2), ['14:00–15:00 Rita <b>Other</b>']);
  assert.equal(await page.$$eval('.lw-grid b', (b) => b.length), 0, 'names are text, never markup');
  assert.deepEqual(await cell(page, 'Flow cytometer', 3), [], 'a cancelled booking is not shown');
  assert.deepEqual(await cell(page, 'Cell culture room', 5), ['22:00–→ Rafał Researcher']);
  assert.deepEqual(await cell(page, 'Cell culture room', 6), ['→–08:00 Rafał Researcher']);
  // Each booking's spoken name holds its text as shown, across midnight too (label in name).
  assert.deepEqual(await axeFindings(page), []);
  assert.equal(await page.$eval('.lw-booking[data-id="102"]', (a) => a.classList.contains('pending')), true);
  assert.match(await page.textContent('.lw-status'), /Bookings this week: 4\./);
  // Closed days are marked: the confocal is closed at weekends, the room is not.
  assert.equal(await page.$$eval('.lw-grid tbody tr', (rows) => rows[1].children[6].classList.contains('closed')), true);
  assert.equal(await page.$$eval('.lw-grid tbody tr', (rows) => rows[0].children[6].classList.contains('closed')), false);
  assert.equal(await page.$('.lw-own'), null, 'an owner is not told that only own bookings show');
  assert.doesNotMatch(await page.textContent('main'), /null|undefined/);

  // Back returns to this week; one more request.
  const back = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/bookings');
  await page.goBack();
  await back;
  await page.waitForSelector('.lw-grid tbody tr');
  assert.doesNotMatch(page.url(), new RegExp(`week=${dateKey(monday)}`));
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('keyboard: one Tab stop, arrows across days, resources and bookings, Enter opens', async () => {
  const page = await pageIn('en');
  await signIn(page, srv.url, 'owner@week.test', 'correct horse battery');
  await openWeek(page, monday);
  assert.equal(await page.$$eval('.lw-grid [tabindex="0"]', (e) => e.length), 1, 'one Tab stop in the grid');
  // Tab from the "Next week" button lands in the grid.
  await page.focus('.lw-next');
  await page.keyboard.press('Tab');
  const active = () => page.evaluate(() => {
    const a = document.activeElement;
    return { id: a.dataset.id || null, text: a.getAttribute('aria-label') || a.textContent, tag: a.tagName };
  });
  assert.ok((await active()).tag === 'TD' || (await active()).tag === 'A');
  await page.keyboard.press('Control+Home');           // row 1: the room's name
  assert.equal((await active()).text, 'Cell culture room: week and booking');
  await page.keyboard.press('ArrowDown');               // the confocal's name
  await page.keyboard.press('ArrowRight');              // its Monday: first booking
  assert.equal((await active()).id, '101');
  assert.match((await active()).text, /^Confocal microscope, Monday \d+ \w+, 09:00–10:30, Rafał Researcher, approved$/);
  await page.keyboard.press('ArrowDown');               // the second booking of that day
  assert.equal((await active()).id, '102');
  await page.keyboard.press('ArrowDown');               // the cytometer's Monday (empty)
  assert.equal((await active()).tag, 'TD');
  assert.match((await active()).text, /^Flow cytometer, Monday \d+ \w+: no bookings$/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');              // Wednesday
  assert.equal((await active()).id, '103');
  await page.keyboard.press('ArrowUp');                 // the confocal's Wednesday (empty)
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');               // its Monday: the first booking
  assert.equal((await active()).id, '101');
  await page.keyboard.press('ArrowDown');
  assert.equal((await active()).id, '102');
  assert.equal(await page.$$eval('.lw-grid [tabindex="0"]', (e) => e.length), 1);
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/bookings\/102$/);
  await page.waitForSelector('h1');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a researcher, in Polish, sees only their own bookings and is told so', async () => {
  const page = await pageIn('pl');
  await signIn(page, srv.url, 'res1@week.test', 'correct horse battery');
  const lists = await openWeek(page, monday);
  assert.equal(lists.length, 1);
  assert.match(await page.textContent('h1'), /^Tydzień: Imaging lab$/);
  assert.match(await page.textContent('.lw-own'), /Widzisz tylko swoje rezerwacje/);
  assert.match(await page.textContent('.lw-status'), /Rezerwacje w tym tygodniu: 2\./);
  assert.deepEqual(await cell(page, 'Confocal microscope', 0), ['09:00–10:30 Ty']);
  assert.deepEqual(await axeFindings(page), [], 'one\'s own booking: "Ty" in its name as shown');
  assert.deepEqual(await cell(page, 'Flow cytometer', 2), []);
  assert.match(await page.textContent('.lw-grid caption'), /Rezerwacje zasobów laboratorium Imaging lab/);
  assert.equal(await page.textContent('.lw-prev'), '← Poprzedni tydzień');
  // A resource's name leads to its booking week.
  assert.equal(await page.$eval('.lw-res a', (a) => a.getAttribute('href')), `#/book/3?week=${dateKey(monday)}`);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

// a11y.test.mjs — every page of www/js/routes.js, on the demo data, in
// Polish and English, on a desktop and a 390 px phone (pages.mjs SWEEP_COMBOS):
// axe-core finds nothing critical or serious, nothing scrolls sideways or
// sticks out of its card, no page shows an error, and a screenshot of each
// is kept (build/screenshots/a11y-<combo>-<page>.png). Each page is visited
// as the least role that sees it: signed out, a researcher, an owner, staff.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, Client, DEMO_PASSWORD, ROOT } from '../http/lib.mjs';
import { launch, newPage, signIn, until } from './lib.mjs';
import { SWEEP_COMBOS, setLang, shot, axeFindings, sideways, cardOverflow } from './pages.mjs';

let srv, browser, ids;
before(async () => {
  srv = await startServer({ demo: true });
  browser = await launch();
  const api = new Client(srv.url);
  await api.login('staff@labshare.demo', DEMO_PASSWORD);
  const first = async (path) => {
    const r = await api.get(path + (path.includes('?') ? '&' : '?') + 'limit=1');
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.items.length, `${path} is empty in the demo data`);
    return r.json.items[0].id;
  };
  const researcher = new Client(srv.url);
  await researcher.login('researcher@labshare.demo', DEMO_PASSWORD);
  // An upcoming one: its page shows the move form (whose End once stuck out of its card).
  const mine = (await researcher.get(`/api/v1/bookings?mine=1&status=approved&limit=1&from=${encodeURIComponent(new Date().toISOString())}`)).json.items[0];
  assert.ok(mine, 'the demo researcher has an upcoming booking');
  ids = {
    organisation: await first('/api/v1/organisations'),
    lab: await first('/api/v1/labs'),
    resource: await first('/api/v1/resources'),
    service: await first('/api/v1/services'),
    booking: mine.id,
    bookable: mine.resource_id,
  };
});
after(async () => { await browser?.close(); await srv?.stop(); });

/**
 * The pages, by who sees them. Each route of routes.js must be here (the
 * first test checks), so a new page is swept as soon as it is added.
 */
const PAGES = () => ({
  anon: ['#/', '#/login', '#/register', '#/reset', '#/reset/not-a-token', '#/verify/not-a-token', '#/invitation/not-a-token'],
  'researcher@labshare.demo': ['#/', '#/catalogue', `#/organisations/${ids.organisation}`, `#/labs/${ids.lab}`, `#/labs/${ids.lab}/week`,
    `#/resources/${ids.resource}`, `#/book/${ids.bookable}`, '#/bookings', '#/bookings?view=week', '#/bookings?view=month',
    `#/bookings/${ids.booking}`, '#/profile', '#/feeds'],
  'owner@labshare.demo': ['#/inbox', '#/manage', '#/dashboard', '#/invite', '#/statements'],
  'staff@labshare.demo': ['#/dashboard', '#/manage/organisations/new', `#/manage/organisations/${ids.organisation}`,
    '#/manage/labs/new', `#/manage/labs/${ids.lab}`, '#/manage/resources/new', `#/manage/resources/${ids.resource}`,
    '#/manage/services/new', `#/manage/services/${ids.service}`, '#/admin/users', '#/admin/audit', '#/admin/sign-in'],
});

test('the sweep visits every route of routes.js', () => {
  const src = readFileSync(join(ROOT, 'www', 'js', 'routes.js'), 'utf8');
  const patterns = [...src.matchAll(/pattern: '([^']+)'/g)].map((m) => m[1]);
  assert.ok(patterns.length > 20);
  const visited = Object.values(PAGES()).flat().map((p) => p.split('?')[0]);
  const toRe = (p) => new RegExp('^' + p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+') + '$');
  for (const p of patterns) {
    const re = toRe(p);
    // 'new' pages match ':id' too: the first pattern a visited page matches is its own.
    assert.ok(visited.some((v) => re.test(v) && patterns.find((q) => toRe(q).test(v)) === p), `no page of the sweep shows ${p}`);
  }
});

/** Shows a page and waits until it has rendered and nothing on it is still loading. */
async function show(page, hash) {
  await page.goto(srv.url + '/' + hash);
  await until(page, (h) => location.hash === h || (h === '#/' && location.hash === ''), hash);
  await until(page, () => {
    const main = document.getElementById('main');
    return main.querySelector(':scope > .view, :scope > .card') && !/Ładowanie…|Loading…/.test(main.textContent);
  });
}

for (const combo of SWEEP_COMBOS) {
  test(`every page in ${combo.name}: no critical or serious axe finding, nothing sideways, a screenshot`, async () => {
    const failures = [];
    for (const [who, hashes] of Object.entries(PAGES())) {
      const page = await newPage(browser, { viewport: combo.viewport, locale: combo.lang === 'pl' ? 'pl-PL' : 'en-GB' });
      if (who === 'anon') await page.goto(srv.url + '/#/login');
      else await signIn(page, srv.url, who, DEMO_PASSWORD);
      await setLang(page, combo.lang);
      for (const hash of hashes) {
        await show(page, hash);
        assert.equal(await page.evaluate(() => document.documentElement.lang), combo.lang, hash);
        assert.equal(await page.locator('#main > .card.error').count(), 0, `${hash}: ${await page.textContent('#main')}`);
        await shot(page, `a11y-${combo.name}-${hash.replace(/^#\//, '') || 'home'}`);
        for (const f of await axeFindings(page)) failures.push(`${hash}: ${f}`);
        const over = await sideways(page);
        if (over > 0) failures.push(`${hash}: scrolls ${over}px sideways`);
        for (const f of await cardOverflow(page)) failures.push(`${hash}: ${f}`);
      }
      assert.deepEqual(page.errors, [], who);
      await page.context().close();
    }
    assert.deepEqual(failures, []);
  });
}

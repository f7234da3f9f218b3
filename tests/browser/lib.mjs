// lib.mjs — headless Debian chromium driven by playwright-core.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A new page that fails the test on any uncaught page error or CSP violation. */
export async function newPage(browser, { viewport = { width: 1280, height: 900 }, locale = 'en-GB' } = {}) {
  const context = await browser.newContext({ viewport, locale, timezoneId: 'Europe/Warsaw' });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push(m.text()); });
  return page;
}

/**
 * Waits until `predicate(arg)`, run in the page, is truthy; fails after the
 * page's timeout. Checked every 100 ms rather than on each animation frame
 * (Playwright's default): a headless page on a busy machine may draw no
 * frame for a long time, and a frame-driven wait then times out although the
 * page is ready. Prefer a selector or a response where one says the same.
 */
export function until(page, predicate, arg) {
  return page.waitForFunction(predicate, arg, { polling: 100 });
}

export async function signIn(page, url, email, password) {
  await page.goto(url + '/#/login');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('form button[type=submit]');
  await page.waitForSelector('#signout');
}

/**
 * Steps to the next week(s) and clicks free slots until one makes a valid
 * selection (the submit button is enabled). On a phone, where the grid
 * shows one day at a time, it tries each day of the week.
 */
export async function pickFreeSlot(page) {
  for (let week = 0; week < 4; week++) {
    const label = await page.textContent('.week-label');
    await page.click('.week-next');
    await until(page, (l) => document.querySelector('.week-label').textContent !== l, label);
    await page.waitForSelector('.week-grid .wk-day:visible, .week-grid .closed-week');
    const phone = await page.locator('.day-switch:visible').count();
    for (let d = 0; d < (phone ? 7 : 1); d++) {
      if (phone) await page.click(`.day-switch button >> nth=${d}`);
      const slots = page.locator('.week-grid button.slot.free:visible');
      const n = Math.min(await slots.count(), 40);
      for (let i = 0; i < n; i++) {
        await slots.nth(i).click();
        if (await page.isEnabled('.book-submit')) return;
      }
    }
  }
  assert.fail('no bookable free slot found in the next four weeks');
}

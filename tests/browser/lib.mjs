// lib.mjs — headless Debian chromium driven by playwright-core.
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

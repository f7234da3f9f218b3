// pages.mjs — what the browser tests of the daily pages share: the language
// and screen combinations they run in, the page's language switch, axe-core,
// the "nothing sticks out of its card" check, screenshots kept as artefacts
// (build/screenshots/, not committed), waiting for an answer or a field's error.
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../http/lib.mjs';
import { until } from './lib.mjs';

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/**
 * Every flow runs twice: once in Polish on a desktop and once in English on
 * a 390 px phone, so each is seen in both languages and on both screens.
 * The accessibility sweep of every page (a11y.test.mjs) runs the other two
 * combinations, so the suite sees all four without the sweep's cost twice
 * over (axe-core takes seconds a page); Polish on a phone is where longer
 * words push a page sideways.
 */
export const COMBOS = [
  { lang: 'pl', viewport: DESKTOP, name: 'pl-desktop' },
  { lang: 'en', viewport: PHONE, name: 'en-phone' },
];
export const SWEEP_COMBOS = [
  { lang: 'en', viewport: DESKTOP, name: 'en-desktop' },
  { lang: 'pl', viewport: PHONE, name: 'pl-phone' },
];

export const SHOTS = join(ROOT, 'build', 'screenshots');

/** Saves a full-page screenshot as build/screenshots/<name>.png. */
export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name.replace(/[^A-Za-z0-9._-]+/g, '_') + '.png'), fullPage: true });
}

/**
 * Switches the page to `lang` with its PL/EN buttons and waits until the
 * page speaks it and, when someone is signed in, the account does too (the
 * switch PATCHes /api/v1/me).
 */
export async function setLang(page, lang) {
  if (await page.getAttribute(`.lang button[data-lang=${lang}]`, 'aria-pressed') === 'true' &&
    await page.evaluate(() => document.documentElement.lang) === lang) {
    const signedIn = await page.locator('#signout').count();
    if (!signedIn) return;
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json());
    if (me.lang === lang) return;
  }
  const saved = page.locator('#signout').count().then((n) => (n ? page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH') : null));
  await page.click(`.lang button[data-lang=${lang}]`);
  const r = await saved;
  if (r) assert.equal(r.status(), 200, await r.text());
  await until(page, (l) => document.documentElement.lang === l &&
    document.querySelector(`.lang button[data-lang=${l}]`).getAttribute('aria-pressed') === 'true', lang);
}

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page (WCAG 2.x A/AA and best practices) and returns
 * the critical and serious findings, each as "rule: target (summary)".
 * page.evaluate runs the script outside the page's CSP.
 */
export async function axeFindings(page) {
  if (!await page.evaluate(() => typeof window.axe === 'object')) await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'critical' || v.impact === 'serious')
      .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary.split('\n').slice(1, 2).join(' ').trim()}`));
  });
  return found;
}

/** Inputs, selects, text areas and fields that stick out of their card, sideways. */
export function cardOverflow(page) {
  return page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('.card input, .card select, .card textarea, .card output, .card .field')) {
      if (!el.getClientRects().length || el.type === 'hidden') continue;
      const a = el.getBoundingClientRect(), c = el.closest('.card').getBoundingClientRect();
      if (a.right > c.right + 0.5 || a.left < c.left - 0.5)
        out.push(`${el.tagName.toLowerCase()}[name=${el.name || el.dataset.field || ''}] spans ${Math.round(a.left)}–${Math.round(a.right)}, its card ${Math.round(c.left)}–${Math.round(c.right)}`);
    }
    return out;
  });
}

/** How far the page scrolls sideways (0 when it fits). */
export const sideways = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** The API's answer to the next request the page makes that `match`es (method and path start). */
export function nextAnswer(page, method, pathStart) {
  return page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname.startsWith(pathStart));
}

/** The error shown in the .field of a JSON name inside `scope`, once there is one. */
export async function fieldError(page, scope, name) {
  const sel = `${scope} .field[data-field="${name}"] .field-error:not(:empty)`;
  await page.waitForSelector(sel);
  return page.textContent(sel);
}

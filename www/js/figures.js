// figures.js — how the browser shows the statistics' figures. The API sends
// them unrounded (API.md § Figures); these are the one place they are
// rounded for a person, so a rate reads the same on every panel, chart,
// table and page: as percent with one decimal, in the page's language.
import { getLang } from './i18n.js';

const locale = () => (getLang() === 'pl' ? 'pl-PL' : 'en-GB');

/** A rate or share (0.1234) as percent with one decimal ("12.3%", "12,3%"). */
export function fmtRate(x) {
  return new Intl.NumberFormat(locale(), { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 })
    .format(Number.isFinite(x) ? x : 0);
}

/** Hours, kWh, kg or m² with `digits` decimals (default: whole numbers). */
export function fmtFigure(x, digits = 0) {
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits })
    .format(Number.isFinite(x) ? x : 0);
}

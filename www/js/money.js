// money.js — what the money pages share: words for customer classes and
// prices in both languages, amounts formatted for people (rounded here only:
// the API gives exact figures). The price list and funding of the resource
// form are nested objects the schema form builds (components/schema-form.js).
import { h } from './dom.js';
import { t, addStrings, getLang, fmtNumber } from './i18n.js';

export const CLASSES = ['internal', 'member_academic', 'member_commercial', 'non_member'];

addStrings({
  pl: {
    'cls.internal': 'wewnętrzna (organizacja właściciela)', 'cls.member_academic': 'członek klastra – nauka',
    'cls.member_commercial': 'członek klastra – biznes', 'cls.non_member': 'spoza klastra',
    'price.title': 'Cena', 'price.rate': '{rate} netto za godzinę', 'price.line': '{rate}/h × {hours} h = {net} netto',
    'price.series': 'Seria: {n} terminów, {hours} h, razem {net} netto', 'price.class': 'Twoja grupa klientów: {cls}',
    'price.none': 'Cennik tego zasobu nie przewiduje stawki dla Twojej grupy klientów ({cls}): nie możesz go zarezerwować.',
    'price.free': 'Bezpłatnie', 'price.loading': 'Obliczanie ceny…', 'price.kept': 'Cena zapisana przy rezerwacji.',
    'price.project': 'Projekt', 'price.cost_centre': 'Miejsce powstawania kosztów (MPK)', 'price.cost_centre.req': 'Miejsce powstawania kosztów (MPK) — wymagane przez Twoją organizację',
    'price.economic': 'Wykorzystanie gospodarcze (pomoc publiczna)', 'price.economic.yes': 'tak — liczy się do limitu 20 %',
    'price.economic.no': 'nie', 'price.economic.set': 'Oznacz jako gospodarcze', 'price.economic.unset': 'Oznacz jako niegospodarcze',
    'price.economic.saved': 'Zapisano.', 'price.notpriced': 'brak (rezerwacja sprzed cennika)',
    'res.prices': 'Cennik (netto za godzinę)', 'res.free': 'bezpłatnie', 'res.norate': 'nie może rezerwować',
    'res.funding': 'Finansowanie publiczne', 'res.funding.text': '{programme}; wykorzystanie gospodarcze do {cap} godzin w roku',
  },
  en: {
    'cls.internal': 'internal (the owning organisation)', 'cls.member_academic': 'cluster member, academic',
    'cls.member_commercial': 'cluster member, commercial', 'cls.non_member': 'non-member',
    'price.title': 'Price', 'price.rate': '{rate} net per hour', 'price.line': '{rate}/h × {hours} h = {net} net',
    'price.series': 'Series: {n} occurrences, {hours} h, {net} net in total', 'price.class': 'Your customer class: {cls}',
    'price.none': 'The price list of this resource has no rate for your customer class ({cls}): you may not book it.',
    'price.free': 'Free of charge', 'price.loading': 'Working out the price…', 'price.kept': 'The price kept when it was booked.',
    'price.project': 'Project', 'price.cost_centre': 'Cost centre', 'price.cost_centre.req': 'Cost centre — required by your organisation',
    'price.economic': 'Economic use (State aid)', 'price.economic.yes': 'yes — counts towards the 20 % cap',
    'price.economic.no': 'no', 'price.economic.set': 'Mark as economic use', 'price.economic.unset': 'Mark as not economic',
    'price.economic.saved': 'Saved.', 'price.notpriced': 'none (booked before prices were kept)',
    'res.prices': 'Price list (net per hour)', 'res.free': 'free of charge', 'res.norate': 'may not book',
    'res.funding': 'Public funding', 'res.funding.text': '{programme}; economic use up to {cap} of the year\'s hours',
  },
});

/** An amount for people: two decimals, the currency's symbol, the language's separators. */
export function fmtMoney(amount, currency = 'PLN') {
  return new Intl.NumberFormat(getLang() === 'pl' ? 'pl-PL' : 'en-GB', { style: 'currency', currency }).format(amount);
}

export function fmtHours(hours) {
  return fmtNumber(hours, Number.isInteger(hours) ? 0 : 2);
}

export const className = (cls) => t('cls.' + cls);

/** The lines a quote or a kept price shows. */
export function priceLines(p) {
  if (!p) return [t('price.notpriced')];
  if (p.rate === null) return [t('price.none', { cls: className(p.class) })];
  if (p.rate === 0) return [t('price.free'), t('price.class', { cls: className(p.class) })];
  const lines = [
    (p.occurrences || 1) > 1
      ? t('price.series', { n: p.occurrences, hours: fmtHours(p.hours), net: fmtMoney(p.net, p.currency) })
      : t('price.line', { rate: fmtMoney(p.rate, p.currency), hours: fmtHours(p.hours), net: fmtMoney(p.net, p.currency) }),
    t('price.class', { cls: className(p.class) }),
  ];
  return lines;
}

/** The resource page's facts about money: its price list (before member
 * discounts) and its public funding. */
export function priceFacts(r) {
  if (!('prices' in r)) return [];
  const p = r.prices;
  const out = [[t('res.prices'), p
    ? h('ul', { class: 'cat-prices' }, CLASSES.map((c) => h('li', {}, `${className(c)}: `,
      p[c] === null ? t('res.norate') : fmtMoney(p[c], p.currency))))
    : t('res.free')]];
  if (r.funding)
    out.push([t('res.funding'), t('res.funding.text', { programme: r.funding.programme, cap: fmtNumber(r.funding.economic_cap * 100, 1) + ' %' })]);
  return out;
}

// money.js — what the money pages share: words for customer classes and
// prices in both languages, amounts formatted for people (rounded here only:
// the API gives exact figures), and the price-list and funding fields of the
// resource form.
import { h, field } from './dom.js';
import { t, addStrings, getLang, fmtNumber } from './i18n.js';
import { checkbox, numberOrNull } from './catalogue-util.js';

export const CURRENCIES = ['PLN', 'EUR', 'USD', 'GBP', 'CHF'];
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
    'f.prices': 'Cennik (stawki netto za godzinę)', 'f.prices.on': 'Zasób jest płatny (bez cennika: bezpłatny)',
    'f.currency': 'Waluta', 'f.rate.internal': 'Stawka wewnętrzna', 'f.rate.member_academic': 'Członkowie – nauka (EDU, R&D, MED, GOV)',
    'f.rate.member_commercial': 'Członkowie – biznes (BioF, BIZ)', 'f.rate.non_member': 'Spoza klastra (i goście)',
    'f.rate.hint': 'Puste pole: ta grupa nie może rezerwować. Stawki członków obniża rabat pakietu.',
    'f.funding': 'Finansowanie publiczne (pomoc publiczna)', 'f.funding.on': 'Zasób kupiony ze środków publicznych',
    'f.programme': 'Program finansowania', 'f.cap': 'Limit wykorzystania gospodarczego (%)',
    'f.cap.hint': 'Ramy pomocy państwa na B+R+I (2022/C 414/01, pkt 2.1.1): do 20 % rocznej dostępności.',
    'f.charge_no_show': 'Nieobecności są płatne', 'f.late_cancel_hours': 'Późne odwołanie: godzin przed początkiem',
    'f.late_cancel_hours.hint': 'Odwołanie przez rezerwującego później niż tyle godzin przed początkiem jest płatne; 0 = nigdy.',
    'f.requires_cost_centre': 'Rezerwacje wymagają MPK',
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
    'f.prices': 'Price list (net rates per hour)', 'f.prices.on': 'The resource is charged for (without a price list: free)',
    'f.currency': 'Currency', 'f.rate.internal': 'Internal rate', 'f.rate.member_academic': 'Members, academic (EDU, R&D, MED, GOV)',
    'f.rate.member_commercial': 'Members, commercial (BioF, BIZ)', 'f.rate.non_member': 'Non-members (and guests)',
    'f.rate.hint': 'Empty: that class may not book. Member rates are lowered by the package discount.',
    'f.funding': 'Public funding (State aid)', 'f.funding.on': 'Bought with public money',
    'f.programme': 'Funding programme', 'f.cap': 'Cap on economic use (%)',
    'f.cap.hint': 'EU framework for State aid for R&D&I (2022/C 414/01, 2.1.1): up to 20 % of the annual capacity.',
    'f.charge_no_show': 'No-shows are charged', 'f.late_cancel_hours': 'Late cancellation: hours before the start',
    'f.late_cancel_hours.hint': 'A booker’s cancellation later than this before the start is charged; 0 = never.',
    'f.requires_cost_centre': 'Bookings need a cost centre',
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

/** The price-list fields of the resource form: value() gives null or the object. */
export function pricesFields(prices) {
  const on = checkbox('prices_on', t('f.prices.on'), !!prices);
  const currency = h('select', { name: 'prices.currency' }, CURRENCIES.map((c) => h('option', { value: c, selected: (prices?.currency || 'PLN') === c }, c)));
  const rates = Object.fromEntries(CLASSES.map((c) => [c, h('input', {
    type: 'text', inputmode: 'decimal', name: `prices.${c}`, value: prices && prices[c] != null ? String(prices[c]) : '',
  })]));
  const box = h('div', { class: 'cat-form-grid money-rates' },
    field(t('f.currency'), currency), CLASSES.map((c) => field(t('f.rate.' + c), rates[c])));
  const show = () => { box.hidden = !on.querySelector('input').checked; };
  on.querySelector('input').addEventListener('change', show);
  show();
  const el = h('fieldset', { class: 'cat-wide money-fieldset', dataset: { field: 'prices' } },
    h('legend', {}, t('f.prices')), on, box, h('p', { class: 'hint' }, t('f.rate.hint')), h('div', { class: 'field-error', 'aria-live': 'polite' }));
  return {
    el,
    value() {
      if (!on.querySelector('input').checked) return null;
      const out = { currency: currency.value };
      for (const c of CLASSES) out[c] = numberOrNull(rates[c].value);
      return out;
    },
  };
}

/** The funding fields: value() gives null or {programme, economic_cap}. */
export function fundingFields(funding) {
  const on = checkbox('funding_on', t('f.funding.on'), !!funding);
  const programme = h('input', { type: 'text', name: 'funding.programme', value: funding?.programme ?? '' });
  const cap = h('input', { type: 'text', inputmode: 'decimal', name: 'funding.economic_cap',
    value: funding ? String(Math.round(funding.economic_cap * 1e6) / 1e4) : '20' });
  const box = h('div', { class: 'cat-form-grid' }, field(t('f.programme'), programme), field(t('f.cap'), cap, t('f.cap.hint')));
  const show = () => { box.hidden = !on.querySelector('input').checked; };
  on.querySelector('input').addEventListener('change', show);
  show();
  const el = h('fieldset', { class: 'cat-wide money-fieldset', dataset: { field: 'funding' } },
    h('legend', {}, t('f.funding')), on, box, h('div', { class: 'field-error', 'aria-live': 'polite' }));
  return {
    el,
    value() {
      if (!on.querySelector('input').checked) return null;
      const pct = numberOrNull(cap.value);
      // The form speaks percent, the API a fraction: 20 → 0.2 (exactly, to a millionth).
      return { programme: programme.value.trim(), economic_cap: typeof pct === 'number' ? Math.round(pct * 1e4) / 1e6 : pct };
    },
  };
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

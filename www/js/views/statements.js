// statements.js — #/statements: a month's statement for owners (their
// organisation as provider and as customer) and staff (any organisation, or
// all): the charged bookings with their kept prices, totals per customer and
// per provider, CSV in both dialects. Staff also set the package discounts.
import { h, mount, field, showFormError, clearFormErrors } from '../dom.js';
import { dateKey, localDate } from '../localtime.js';
import { get, put, qs } from '../api.js';
import { t, addStrings, fmtDateTime, fmtNumber } from '../i18n.js';
import { fmtMoney, fmtHours, className } from '../money.js';

addStrings({
  pl: {
    'st.title': 'Zestawienie miesięczne', 'st.month': 'Miesiąc', 'st.org': 'Organizacja',
    'st.all': 'wszystkie organizacje', 'st.show': 'Pokaż', 'st.provisional': 'Miesiąc jeszcze trwa: zestawienie jest wstępne.',
    'st.lead': 'Jedna pozycja na każdą zatwierdzoną rezerwację rozpoczętą w miesiącu (także niewykorzystane, jeśli zasób je nalicza) i na każde późne odwołanie przez rezerwującego. Ceny netto zapisane przy rezerwacji.',
    'st.lines': 'Pozycje', 'st.customers': 'Według klientów', 'st.providers': 'Według dostawców', 'st.none': 'Brak pozycji w tym miesiącu.', 'st.more': 'Pokaż kolejne: {n} (pozostało {left})',
    'st.when': 'Termin', 'st.resource': 'Zasób', 'st.customer': 'Klient', 'st.provider': 'Dostawca', 'st.booker': 'Rezerwujący',
    'st.project': 'Projekt', 'st.cc': 'MPK', 'st.class': 'Grupa', 'st.rate': 'Stawka/h', 'st.hours': 'Godziny', 'st.net': 'Netto',
    'st.kg': 'kg CO2e', 'st.count': 'Pozycji', 'st.guests': 'goście (bez organizacji)', 'st.noshow': 'niewykorzystana',
    'st.late': 'późne odwołanie', 'st.economic': 'gospodarcze', 'st.csv': 'CSV', 'st.csv.pl': 'CSV (Excel PL)',
    'st.disc': 'Rabaty pakietów członkowskich (%)', 'st.disc.lead': 'Obniżają stawki członków klastra (nauka, biznes) według pakietu ich organizacji.',
    'st.disc.standard': 'Standard', 'st.disc.silver': 'Srebrny', 'st.disc.gold': 'Złoty', 'st.disc.save': 'Zapisz rabaty',
    'st.norate': 'bez stawki',
  },
  en: {
    'st.title': 'Monthly statement', 'st.month': 'Month', 'st.org': 'Organisation',
    'st.all': 'all organisations', 'st.show': 'Show', 'st.provisional': 'The month is not over: the statement is provisional.',
    'st.lead': 'One line per approved booking that starts in the month (no-shows too where the resource charges them) and per late cancellation by the booker. Net prices as kept when booked.',
    'st.lines': 'Lines', 'st.customers': 'By customer', 'st.providers': 'By provider', 'st.none': 'No lines this month.', 'st.more': 'Show {n} more ({left} left)',
    'st.when': 'When', 'st.resource': 'Resource', 'st.customer': 'Customer', 'st.provider': 'Provider', 'st.booker': 'Booked by',
    'st.project': 'Project', 'st.cc': 'Cost centre', 'st.class': 'Class', 'st.rate': 'Rate/h', 'st.hours': 'Hours', 'st.net': 'Net',
    'st.kg': 'kg CO2e', 'st.count': 'Lines', 'st.guests': 'guests (no organisation)', 'st.noshow': 'not used',
    'st.late': 'late cancellation', 'st.economic': 'economic', 'st.csv': 'CSV', 'st.csv.pl': 'CSV (Polish Excel)',
    'st.disc': 'Membership package discounts (%)', 'st.disc.lead': 'They lower the member rates (academic, commercial) by the package of the booker’s organisation.',
    'st.disc.standard': 'Standard', 'st.disc.silver': 'Silver', 'st.disc.gold': 'Gold', 'st.disc.save': 'Save the discounts',
    'st.norate': 'no rate',
  },
});

/** A table's box: it scrolls sideways on a phone, so it takes the focus (keyboard users scroll it too) and is named. */
const scrollBox = (label, table) => h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': label }, table);

function totalsTable(list, who) {
  if (!list.length) return h('p', { class: 'muted' }, t('st.none'));
  return scrollBox(t(who === 'customers' ? 'st.customers' : 'st.providers'), h('table', { class: `data statement-totals ${who}` },
    h('thead', {}, h('tr', {}, h('th', {}, t(who === 'customers' ? 'st.customer' : 'st.provider')), h('th', { class: 'num' }, t('st.count')),
      h('th', { class: 'num' }, t('st.hours')), h('th', { class: 'num' }, t('st.net')), h('th', { class: 'num' }, t('st.kg')))),
    h('tbody', {}, list.map((x) => h('tr', { dataset: { organisation: x.organisation_id ?? '' } },
      h('td', {}, x.organisation_name ?? t('st.guests')),
      h('td', { class: 'num' }, fmtNumber(x.lines)),
      h('td', { class: 'num' }, fmtHours(x.hours)),
      h('td', { class: 'num net' }, fmtMoney(x.net, x.currency)),
      h('td', { class: 'num' }, fmtNumber(x.kg_co2e, 2)))))));
}

/** Lines shown at first and added by each "show more" (the CSV always has them all). */
const LINES_STEP = 100;

function linesTable(lines) {
  if (!lines.length) return h('p', { class: 'muted' }, t('st.none'));
  const body = h('tbody', {});
  const more = h('button', { type: 'button', class: 'btn secondary small statement-more' });
  let shown = 0;
  const showMore = () => {
    body.append(...lines.slice(shown, shown + LINES_STEP).map(lineRow));
    shown = Math.min(lines.length, shown + LINES_STEP);
    more.textContent = t('st.more', { n: Math.min(LINES_STEP, lines.length - shown), left: lines.length - shown });
    more.hidden = shown >= lines.length;
  };
  more.addEventListener('click', showMore);
  showMore();
  return h('div', {}, scrollBox(t('st.lines'), h('table', { class: 'data statement-lines' },
    h('thead', {}, h('tr', {}, ['when', 'resource', 'customer', 'booker', 'project', 'cc', 'class', 'rate', 'hours', 'net'].map((k) =>
      h('th', { class: ['rate', 'hours', 'net'].includes(k) ? 'num' : null }, t('st.' + k))))),
    body)), more);
}

function lineRow(l) {
  const p = l.price;
  const marks = [l.no_show && t('st.noshow'), l.late_cancellation && t('st.late'), l.economic && t('st.economic')].filter(Boolean);
  return h('tr', { dataset: { booking: l.booking_id } },
    h('td', {}, h('a', { href: `#/bookings/${l.booking_id}` }, fmtDateTime(l.start)),
      marks.length ? h('div', { class: 'hint' }, marks.join(' · ')) : null),
    h('td', {}, l.resource_name),
    h('td', {}, l.customer_name ?? t('st.guests')),
    h('td', {}, l.user_name),
    h('td', {}, l.project ?? ''),
    h('td', {}, l.cost_centre ?? ''),
    h('td', {}, p ? className(p.class) : '—'),
    h('td', { class: 'num' }, p && p.rate !== null ? fmtMoney(p.rate, p.currency) : t('st.norate')),
    h('td', { class: 'num' }, fmtHours(p ? p.hours : (Date.parse(l.end) - Date.parse(l.start)) / 3600000)),
    h('td', { class: 'num net' }, p && p.net !== null ? fmtMoney(p.net, p.currency) : '—'));
}

async function discountsCard(toast) {
  const d = await get('/api/v1/settings/package-discounts');
  const inputs = Object.fromEntries(['standard', 'silver', 'gold'].map((k) =>
    [k, h('input', { type: 'text', inputmode: 'decimal', name: k, value: String(d[k]) })]));
  const form = h('form', { class: 'card statement-discounts', novalidate: true },
    h('h2', {}, t('st.disc')), h('p', { class: 'hint' }, t('st.disc.lead')),
    h('div', { class: 'cat-form-grid' }, Object.entries(inputs).map(([k, i]) => field(t('st.disc.' + k), i))),
    h('button', { type: 'submit', class: 'btn small' }, t('st.disc.save')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {};
    for (const [k, i] of Object.entries(inputs)) {
      const s = i.value.trim().replace(',', '.');
      body[k] = s !== '' && Number.isFinite(Number(s)) ? Number(s) : s;
    }
    try { await put('/api/v1/settings/package-discounts', body); toast(t('common.saved')); } catch (e) { showFormError(form, e); }
  });
  return form;
}

export async function render(root, { state, params, toast }) {
  const user = state.user;
  const staff = user?.role === 'staff';
  const q = params.query || new URLSearchParams();
  // This month in Kraków, whatever the browser's zone.
  const month = h('input', { type: 'month', name: 'month', value: q.get('month') || dateKey(localDate(new Date())).slice(0, 7) });
  const orgs = staff ? (await get('/api/v1/organisations?limit=500')).items : [];
  const org = staff ? h('select', { name: 'organisation_id' }, h('option', { value: '' }, t('st.all')),
    orgs.map((o) => h('option', { value: o.id, selected: String(o.id) === q.get('organisation_id') }, o.name))) : null;
  const out = h('div', { class: 'statement' });
  const form = h('form', { class: 'card dash-controls', novalidate: true },
    field(t('st.month'), month), org ? field(t('st.org'), org) : null,
    h('button', { type: 'submit', class: 'btn' }, t('st.show')));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
  root.append(h('h1', {}, t('st.title')), h('p', { class: 'muted' }, t('st.lead')), form, out);
  if (staff) root.append(await discountsCard(toast));

  async function load() {
    clearFormErrors(form);
    const params = { month: month.value, organisation_id: org?.value || undefined };
    mount(out, h('p', { class: 'muted' }, t('common.loading')));
    let s;
    try { s = await get('/api/v1/statements' + qs(params)); } catch (e) { mount(out); showFormError(form, e); return; }
    const path = '/api/v1/statements';
    mount(out,
      h('p', { class: 'csv-links' },
        h('a', { class: 'csv', href: path + qs({ ...params, format: 'csv' }), download: '' }, t('st.csv')), ' · ',
        h('a', { class: 'csv', href: path + qs({ ...params, format: 'csv', locale: 'pl' }), download: '' }, t('st.csv.pl'))),
      s.provisional ? h('p', { class: 'badge provisional statement-provisional' }, t('st.provisional')) : null,
      h('section', { class: 'card' }, h('h2', {}, t('st.lines')), linesTable(s.lines)),
      h('section', { class: 'card' }, h('h2', {}, t('st.customers')), totalsTable(s.customers, 'customers')),
      h('section', { class: 'card' }, h('h2', {}, t('st.providers')), totalsTable(s.providers, 'providers')));
  }
  await load();
}

// dashboard.js — #/dashboard: utilisation and the strategy's Infrastructure-path
// indicators, for the cluster council (staff) and for lab owners (their own
// organisation, utilisation only). Every chart is inline SVG drawn here;
// every panel links its figures as CSV (format=csv; and locale=pl, the
// dialect Polish Excel opens: semicolons, decimal commas). Every chart has
// its table. The year, the span and the grouping are in the address.
// Figures arrive unrounded and are rounded by figures.js only.
import { h, mount, field, showFormError } from '../dom.js';
import { label, choices, choiceLabel, limits, param, enumChoices, paramLabel } from '../schema.js';
import { get, put, del, qs } from '../api.js';
import { t, addStrings, fmtNumber } from '../i18n.js';
import { economicPanel } from '../components/economic-panel.js';
import { fmtRate, fmtFigure } from '../figures.js';
import { setQuery } from '../shell.js';

addStrings({
  pl: {
    'dash.title': 'Statystyki wykorzystania', 'dash.title.owner': 'Statystyki Twojej organizacji',
    'dash.year': 'Rok', 'dash.from': 'Od dnia', 'dash.to': 'Do dnia (włącznie)', 'dash.show': 'Pokaż',
    'dash.csv': 'Pobierz CSV', 'dash.range': 'Okres: {from} – {to}',
    'dash.ind.title': 'Wskaźniki ścieżki „Infrastruktura i Zrównoważony Rozwój”',
    'dash.ind.lead': 'Tabela 10 (wskaźniki infrastruktury) i Tabela 9 (monitorowanie zasobów) strategii Klastra 2022–2030.',
    'dash.ind.name': 'Wskaźnik', 'dash.ind.this': 'Rok {y}', 'dash.ind.prev': 'Rok {y}', 'dash.ind.target': 'Cel 2025 (stan 2021)',
    'dash.ind.area_com': 'Powierzchnia laboratoriów komercyjnych [m²]',
    'dash.ind.area_sci': 'Powierzchnia laboratoriów naukowych [m²]',
    'dash.ind.area_tot': 'Całkowita powierzchnia laboratoriów członków Klastra [m²]',
    'dash.ind.carbon': 'Ślad węglowy infrastruktury B&R&I [t CO2e]',
    'dash.ind.rate': 'Stopień wykorzystania zasobów laboratoryjnych i biurowych',
    'dash.ind.shared': 'Laboratoria i usługi udostępnione przez platformę',
    'dash.ind.users': 'Osoby korzystające ze współdzielonych zasobów i usług (w roku)',
    'dash.ind.cross': 'Udział godzin zarezerwowanych przez inne organizacje',
    'dash.ind.index': 'W strategii jako liczby indeksowe (29 → 120), bez definicji; nieporównywalne wprost ze stopniem wykorzystania.',
    'dash.estimated': 'szacunek', 'dash.provisional': 'wstępne',
    'dash.monthly': 'Wykorzystanie w kolejnych miesiącach {y}',
    'dash.heat': 'Zarezerwowane godziny według godziny tygodnia',
    'dash.top': '10 najczęściej wykorzystywanych zasobów', 'dash.least': '10 najrzadziej wykorzystywanych zasobów',
    'dash.cross': 'Współdzielenie między organizacjami', 'dash.area': 'Powierzchnia laboratoriów według rodzaju [m²]',
    'dash.carbon': 'Ślad węglowy', 'dash.resource': 'Zasób', 'dash.org': 'Organizacja', 'dash.rate': 'Wykorzystanie',
    'dash.booked': 'Zarezerwowane [h]', 'dash.available': 'Dostępne [h]',
    'dash.cross.lead': '{p} zarezerwowanych godzin przypada na użytkowników spoza organizacji właściciela zasobu (w tym gości).',
    'dash.summary': 'Razem: {b} h z {a} h dostępnych ({r}); {n} rezerwacji, {u} osób.',
    'dash.carbon.infra': 'Infrastruktura (laboratoria członków)', 'dash.carbon.book': 'Energia rezerwacji',
    'dash.carbon.factor': 'Wskaźnik emisji: {f} kg CO2e/kWh (rok {y})',
    'dash.carbon.note': 'Metoda: GHG Protocol, zakres 2, metoda lokalizacyjna. Infrastruktura = Σ powierzchnia laboratorium × intensywność zużycia energii (własna lub domyślna CIBSE TM46: 160 kWh/m²·rok dla laboratoriów, 95 dla biur i coworkingu) × wskaźnik emisji KOBiZE dla roku. Rezerwacje = godziny × moc urządzenia × wskaźnik. Intensywność całego budynku zawiera już urządzenia pracujące stale, więc moc czuwania nie jest doliczana. „Wstępne”: brak wskaźnika dla tego roku, użyto najnowszego. „Szacunek”: wartości domyślne lub źródło wtórne.',
    'dash.settings': 'Wskaźniki emisji dla energii elektrycznej', 'dash.gf.add': 'Zapisz wskaźnik',
    'dash.gf.edit': 'Edytuj', 'dash.gf.deleted': 'Usunięto wskaźnik.',
    'dash.nodata': 'Brak danych w tym okresie.', 'dash.months': 'sty lut mar kwi maj cze lip sie wrz paź lis gru',
    'dash.days': 'pn wt śr cz pt sb nd',
    'dash.csv.pl': 'CSV (Excel PL)', 'dash.by': 'Wykorzystanie według: {what}', 'dash.name': 'Nazwa', 'dash.bookings': 'Rezerwacje',
    'dash.table': 'Dane wykresu w tabeli', 'dash.chart.alt': '{title}. Wykres; te same liczby są w tabeli pod nim.',
    'dash.month': 'Miesiąc', 'dash.day': 'Dzień', 'dash.hours': 'Godziny', 'dash.value': 'Wartość', 'dash.actions': 'Akcje',
    'dash.bad.date': 'Podaj datę (RRRR-MM-DD).', 'dash.bad.order': 'Koniec okresu nie może być przed jego początkiem.',
    'dash.failed': 'Nie udało się pokazać statystyk: {msg}',
  },
  en: {
    'dash.title': 'Utilisation statistics', 'dash.title.owner': 'Statistics of your organisation',
    'dash.year': 'Year', 'dash.from': 'From', 'dash.to': 'To (inclusive)', 'dash.show': 'Show',
    'dash.csv': 'Download CSV', 'dash.range': 'Period: {from} – {to}',
    'dash.ind.title': 'Indicators of the "Infrastructure and sustainable development" path',
    'dash.ind.lead': 'Table 10 (infrastructure indicators) and Table 9 (monitoring resources) of the cluster strategy 2022–2030.',
    'dash.ind.name': 'Indicator', 'dash.ind.this': 'Year {y}', 'dash.ind.prev': 'Year {y}', 'dash.ind.target': 'Target 2025 (2021 state)',
    'dash.ind.area_com': 'Floor area of commercial labs [m²]',
    'dash.ind.area_sci': 'Floor area of scientific labs [m²]',
    'dash.ind.area_tot': 'Total lab floor area of cluster members [m²]',
    'dash.ind.carbon': 'Carbon footprint of R&D&I infrastructure [t CO2e]',
    'dash.ind.rate': 'Utilisation rate of lab and office resources',
    'dash.ind.shared': 'Labs and services shared through the platform',
    'dash.ind.users': 'People using shared resources and services (per year)',
    'dash.ind.cross': 'Share of hours booked by other organisations',
    'dash.ind.index': 'The strategy gives index numbers (29 → 120) without a definition; not directly comparable with the utilisation rate.',
    'dash.estimated': 'estimated', 'dash.provisional': 'provisional',
    'dash.monthly': 'Utilisation by month of {y}',
    'dash.heat': 'Booked hours by hour of the week',
    'dash.top': 'Top 10 most used resources', 'dash.least': '10 least used resources',
    'dash.cross': 'Sharing across organisations', 'dash.area': 'Lab floor area by kind [m²]',
    'dash.carbon': 'Carbon footprint', 'dash.resource': 'Resource', 'dash.org': 'Organisation', 'dash.rate': 'Utilisation',
    'dash.booked': 'Booked [h]', 'dash.available': 'Available [h]',
    'dash.cross.lead': '{p} of booked hours were booked by people from outside the owning organisation (guests included).',
    'dash.summary': 'Total: {b} h of {a} h available ({r}); {n} bookings, {u} people.',
    'dash.carbon.infra': 'Infrastructure (member labs)', 'dash.carbon.book': 'Energy of bookings',
    'dash.carbon.factor': 'Grid factor: {f} kg CO2e/kWh (year {y})',
    'dash.carbon.note': 'Method: GHG Protocol scope 2, location-based. Infrastructure = Σ lab floor area × energy intensity (the lab\'s own or the CIBSE TM46 default: 160 kWh/m²·year for labs, 95 for offices and coworking) × the KOBiZE grid factor of the year. Bookings = hours × instrument power × factor. A whole-building intensity already contains always-on equipment, so standby is not added. "Provisional": no factor for that year yet, the latest one is used. "Estimated": defaults or a secondary source.',
    'dash.settings': 'Grid emission factors', 'dash.gf.add': 'Save factor',
    'dash.gf.edit': 'Edit', 'dash.gf.deleted': 'Factor removed.',
    'dash.nodata': 'No data in this period.', 'dash.months': 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec',
    'dash.days': 'Mon Tue Wed Thu Fri Sat Sun',
    'dash.csv.pl': 'CSV (Polish Excel)', 'dash.by': 'Utilisation by {what}', 'dash.name': 'Name', 'dash.bookings': 'Bookings',
    'dash.table': 'The chart’s figures as a table', 'dash.chart.alt': '{title}. A chart; the same figures are in the table below it.',
    'dash.month': 'Month', 'dash.day': 'Day', 'dash.hours': 'Hours', 'dash.value': 'Value', 'dash.actions': 'Actions',
    'dash.bad.date': 'Enter a date (YYYY-MM-DD).', 'dash.bad.order': 'The end of the period cannot be before its start.',
    'dash.failed': 'The statistics could not be shown: {msg}',
  },
});

// One rounding for every view (figures.js): rates as percent with one decimal.
const pct = fmtRate;
const num = fmtFigure;
const UTIL = '/api/v1/stats/utilisation';

/** The day after a YYYY-MM-DD date (the API's spans are half-open). */
function nextDay(s) {
  const [y, m, d] = s.split('-').map(Number);
  const x = new Date(Date.UTC(y, m - 1, d + 1));
  return x.toISOString().slice(0, 10);
}

/** The figures as CSV: the standard (RFC 4180, dots) and Polish Excel's (locale=pl). */
function csvLink(path, params) {
  return h('span', { class: 'csv-links' },
    h('a', { class: 'csv', href: path + qs({ ...params, format: 'csv' }), download: '' }, t('dash.csv')), ' · ',
    h('a', { class: 'csv csv-pl', href: path + qs({ ...params, format: 'csv', locale: 'pl' }), download: '' }, t('dash.csv.pl')));
}

/**
 * A panel; its charts are named by its title for people who do not see
 * them, and so are its tables, whose boxes scroll sideways on a phone and so
 * take the focus (keyboard users scroll them too).
 */
function panel(title, csv, ...body) {
  const section = h('section', { class: 'card dash-panel' },
    h('div', { class: 'dash-head' }, h('h2', {}, title), csv), ...body);
  for (const svg of section.querySelectorAll('svg.chart')) svg.setAttribute('aria-label', t('dash.chart.alt', { title }));
  for (const c of section.querySelectorAll('caption.chart-caption')) c.textContent = title;
  for (const r of section.querySelectorAll('.table-wrap')) {
    r.setAttribute('tabindex', '0');
    r.setAttribute('role', 'region');
    r.setAttribute('aria-label', title);
  }
  return section;
}

/** A chart's figures as a table (under the chart, opened on demand): headers, rows of cells. */
function chartTable(headers, rows) {
  return h('details', { class: 'chart-data' }, h('summary', {}, t('dash.table')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
      h('caption', { class: 'chart-caption vh' }),
      h('thead', {}, h('tr', {}, headers.map((x, i) => h('th', { scope: 'col', class: i ? 'num' : null }, x)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((x, i) => (i ? h('td', { class: 'num' }, x) : h('th', { scope: 'row' }, x)))))))));
}

function labels(est, prov) {
  return [est ? h('span', { class: 'badge estimated' }, t('dash.estimated')) : null,
    prov ? h('span', { class: 'badge provisional' }, t('dash.provisional')) : null];
}

// --- charts (inline SVG, scaled by viewBox so they fit a phone) ---

/** Bars, and their table (`table`: one of the caller's, else label and value). */
function barChart(items, { max = 1, fmt = pct, table = null } = {}) {
  if (!items.length) return h('p', { class: 'muted' }, t('dash.nodata'));
  const rowH = 26, labelW = 130, W = 420, barW = W - labelW - 60;
  const top = Math.max(max, ...items.map((i) => i.value), 1e-9);
  return [h('svg', { class: 'chart bar', viewBox: `0 0 ${W} ${items.length * rowH + 4}`, role: 'img' },
    items.map((it, i) => {
      const w = Math.max(0, (it.value / top) * barW);
      const y = i * rowH + 2;
      return h('g', {},
        h('title', {}, `${it.label}: ${fmt(it.value)}`),
        h('text', { x: labelW - 6, y: y + 16, 'text-anchor': 'end', class: 'lbl' }, it.label.length > 18 ? it.label.slice(0, 17) + '…' : it.label),
        h('rect', { x: labelW, y: y + 3, width: barW, height: rowH - 8, class: 'track' }),
        h('rect', { x: labelW, y: y + 3, width: w, height: rowH - 8, class: 'bar' }),
        h('text', { x: labelW + barW + 6, y: y + 16, class: 'val' }, fmt(it.value)));
    })),
  table || chartTable([t('dash.name'), t('dash.value')], items.map((it) => [it.label, fmt(it.value)]))];
}

function lineChart(values, names) {
  const W = 420, H = 180, L = 40, B = 24, T = 10, R = 10;
  const max = Math.max(0.1, ...values);
  const x = (i) => L + (i * (W - L - R)) / (values.length - 1);
  const y = (v) => T + (1 - v / max) * (H - T - B);
  const ticks = [0, max / 2, max];
  return [h('svg', { class: 'chart line', viewBox: `0 0 ${W} ${H}`, role: 'img' },
    ticks.map((v) => h('g', {},
      h('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }),
      h('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, pct(v)))),
    names.map((n, i) => h('text', { x: x(i), y: H - 6, 'text-anchor': 'middle', class: 'axis' }, n)),
    h('polyline', { class: 'series', points: values.map((v, i) => `${x(i)},${y(v)}`).join(' ') }),
    values.map((v, i) => h('circle', { cx: x(i), cy: y(v), r: 3, class: 'dot' }, h('title', {}, `${names[i]}: ${pct(v)}`)))),
  chartTable([t('dash.month'), t('dash.rate')], values.map((v, i) => [names[i], pct(v)]))];
}

function heatMap(hours, max) {
  const days = t('dash.days').split(' ');
  const c = 16, L = 34, T = 16;
  return [h('svg', { class: 'chart heat', viewBox: `0 0 ${L + 24 * c + 2} ${T + 7 * c + 2}`, role: 'img' },
    [0, 6, 12, 18].map((hr) => h('text', { x: L + hr * c, y: 11, class: 'axis' }, `${hr}:00`)),
    hours.map((row, d) => h('g', {},
      h('text', { x: L - 4, y: T + d * c + 12, 'text-anchor': 'end', class: 'axis' }, days[d]),
      row.map((v, hr) => h('rect', {
        x: L + hr * c, y: T + d * c, width: c - 1, height: c - 1, class: 'cell',
        'fill-opacity': max > 0 ? (0.08 + 0.92 * v / max).toFixed(3) : '0.08',
      }, h('title', {}, `${days[d]} ${hr}:00–${hr + 1}:00: ${num(v, 1)} h`)))))),
  chartTable([t('dash.day'), ...Array.from({ length: 24 }, (_, hr) => `${hr}:00`)], hours.map((row, d) => [days[d], ...row.map((v) => num(v, 1))]))];
}

/** The name of an item of a utilisation answer grouped by `by`. */
function itemName(i, by) {
  if (by === 'group') return i.group;
  if (by === 'kind') return choiceLabel('Lab', 'kind', i.kind);
  return i.name;
}

/** Utilisation grouped by resource, lab, organisation, interest group or kind: bars, and the table behind them. */
function groupingPanel(data, by, span) {
  const what = enumChoices(param(UTIL, 'group_by')).find(([v]) => v === by)?.[1] ?? by;
  const items = [...data.items].sort((a, b) => b.booked_rate - a.booked_rate || itemName(a, by).localeCompare(itemName(b, by)));
  const link = (i) => (by === 'resource' ? `#/resources/${i.resource_id}` : by === 'lab' ? `#/labs/${i.lab_id}` : by === 'organisation' ? `#/organisations/${i.organisation_id}` : null);
  const table = h('details', { class: 'chart-data' }, h('summary', {}, t('dash.table')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data dash-grouped', dataset: { by } },
      h('caption', { class: 'chart-caption vh' }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('dash.name')), h('th', { scope: 'col', class: 'num' }, t('dash.rate')),
        h('th', { scope: 'col', class: 'num' }, t('dash.booked')), h('th', { scope: 'col', class: 'num' }, t('dash.available')),
        h('th', { scope: 'col', class: 'num' }, t('dash.bookings')))),
      h('tbody', {}, items.map((i) => h('tr', {},
        h('th', { scope: 'row' }, link(i) ? h('a', { href: link(i) }, itemName(i, by)) : itemName(i, by)),
        h('td', { class: 'num' }, pct(i.booked_rate)), h('td', { class: 'num' }, num(i.booked_hours, 1)),
        h('td', { class: 'num' }, num(i.available_hours, 1)), h('td', { class: 'num' }, num(i.bookings))))))));
  return panel(t('dash.by', { what }), csvLink(UTIL, { ...span, group_by: by }),
    barChart(items.map((i) => ({ label: itemName(i, by), value: i.booked_rate })), { table }));
}

function resourceTable(items) {
  if (!items.length) return h('p', { class: 'muted' }, t('dash.nodata'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, h('th', {}, t('dash.resource')), h('th', { class: 'org' }, t('dash.org')),
      h('th', { class: 'num' }, t('dash.rate')), h('th', { class: 'num' }, t('dash.booked')))),
    h('tbody', {}, items.map((i) => h('tr', {},
      h('td', {}, h('a', { href: `#/resources/${i.resource_id}` }, i.name)),
      h('td', { class: 'org' }, i.organisation_name),
      h('td', { class: 'num' }, pct(i.booked_rate)),
      h('td', { class: 'num' }, num(i.booked_hours, 1)))))));
}

// --- the page ---

export async function render(root, { state, params, toast }) {
  const user = state.user;
  const staff = user && user.role === 'staff';
  const now = new Date();
  const { year: y0, from: f0, to: t0, group_by: g0 } = controlsOf(params.query || new URLSearchParams(), now);
  let year = y0, from = f0, to = t0, groupBy = g0;

  const years = Array.from({ length: 8 }, (_, i) => now.getFullYear() + 1 - i);
  if (!years.includes(year)) years.push(year);
  const yearSel = h('select', { name: 'year' },
    years.sort((a, b) => b - a).map((y) => h('option', { value: y, selected: y === year }, String(y))));
  const fromIn = h('input', { type: 'date', name: 'from', value: from });
  const toIn = h('input', { type: 'date', name: 'to', value: to });
  const groupSel = h('select', { name: 'group_by' },
    enumChoices(param(UTIL, 'group_by')).map(([v, text]) => h('option', { value: v, selected: v === groupBy }, text)));
  const body = h('div', { class: 'dash-grid', 'aria-live': 'polite', 'aria-busy': 'false' });
  const form = h('form', { class: 'card dash-controls', novalidate: true },
    field(t('dash.year'), yearSel), field(t('dash.from'), fromIn), field(t('dash.to'), toIn),
    field(paramLabel(UTIL, 'group_by'), groupSel),
    h('button', { class: 'btn', type: 'submit' }, t('dash.show')));
  yearSel.addEventListener('change', () => {
    fromIn.value = `${yearSel.value}-01-01`;
    toIn.value = `${yearSel.value}-12-31`;
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    year = Number(yearSel.value);
    from = fromIn.value;
    to = toIn.value;
    groupBy = groupSel.value;
    // In the address (a history entry): back, reload and a shared link show this view.
    setQuery({ year, from, to, group_by: groupBy });
    load();
  });
  root.append(h('h1', {}, staff ? t('dash.title') : t('dash.title.owner')), form, body);

  /** Shows why nothing can be shown: under the field it concerns, and in place of the panels. */
  function failed(e) {
    showFormError(form, e);
    mount(body, h('p', { class: 'form-error dash-error', role: 'alert' }, t('dash.failed', { msg: e.message })));
    body.setAttribute('aria-busy', 'false');
  }

  async function load() {
    form.querySelector('.form-error')?.remove();
    for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
    for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
    const bad = rangeError(fromIn.value, toIn.value);
    if (bad) { failed(bad); return; }
    mount(body, h('p', { class: 'muted' }, t('common.loading')));
    body.setAttribute('aria-busy', 'true');
    try {
      await show();
    } catch (e) {
      failed(e);
    }
    body.setAttribute('aria-busy', 'false');
  }

  async function show() {
    const span = { from, to: nextDay(to) };
    const [byRes, byGroup, heat, monthly, ind] = await Promise.all([
      get(UTIL + qs({ ...span, group_by: 'resource' })),
      groupBy === 'resource' ? null : get(UTIL + qs({ ...span, group_by: groupBy })),
      get('/api/v1/stats/heatmap' + qs(span)),
      get('/api/v1/stats/monthly' + qs({ year })),
      staff ? get('/api/v1/stats/indicators' + qs({ year })) : null,
    ]);
    const s = byRes.summary;
    const panels = [];
    if (ind) panels.push(indicatorPanel(ind));
    panels.push(panel(t('dash.monthly', { y: year }), csvLink('/api/v1/stats/monthly', { year }),
      lineChart(monthly.items.map((m) => m.rate), t('dash.months').split(' '))));
    panels.push(await economicPanel(year));
    panels.push(panel(t('dash.cross'), csvLink('/api/v1/stats/utilisation', { ...span, group_by: 'organisation' }),
      h('p', { class: 'dash-big' }, pct(s.cross_organisation_share)),
      h('p', {}, t('dash.cross.lead', { p: pct(s.cross_organisation_share) })),
      h('p', { class: 'muted' }, t('dash.summary', { b: num(s.booked_hours, 1), a: num(s.available_hours, 1), r: pct(s.booked_rate), n: num(s.bookings), u: num(s.users) }))));
    panels.push(groupingPanel(byGroup || byRes, groupBy, span));
    panels.push(panel(t('dash.heat'), csvLink('/api/v1/stats/heatmap', span), heatMap(heat.hours, heat.max)));
    const sorted = [...byRes.items].sort((a, b) => b.booked_rate - a.booked_rate || a.resource_id - b.resource_id);
    panels.push(panel(t('dash.top'), csvLink('/api/v1/stats/utilisation', { ...span, group_by: 'resource' }), resourceTable(sorted.slice(0, 10))));
    panels.push(panel(t('dash.least'), csvLink('/api/v1/stats/utilisation', { ...span, group_by: 'resource' }), resourceTable(sorted.slice(-10).reverse())));
    if (ind) {
      const a = ind.lab_area_m2;
      panels.push(panel(t('dash.area'), csvLink('/api/v1/stats/indicators', { year }),
        barChart(choices('Lab', 'kind').map(([k, text]) => ({ label: text, value: a[k] || 0 })),
          { max: 1, fmt: (v) => num(v) })));
      panels.push(carbonPanel(ind));
      panels.push(await settingsPanel());
    }
    mount(body, panels);
  }

  function indicatorPanel(ind) {
    const p = ind.previous;
    const est = ind.estimated, pest = p.estimated;
    const sharedLS = (x) => x.shared_labs + x.shared_services;
    const rows = [
      ['dash.ind.area_com', num(ind.lab_area_m2.commercial), num(p.lab_area_m2.commercial), '—'],
      ['dash.ind.area_sci', num(ind.lab_area_m2.scientific), num(p.lab_area_m2.scientific), '—'],
      ['dash.ind.area_tot', num(ind.lab_area_m2.total), num(p.lab_area_m2.total), '—'],
      ['dash.ind.carbon', num(ind.carbon_kg_co2e.infrastructure / 1000, 1), num(p.carbon_kg_co2e.infrastructure / 1000, 1), '—',
        labels(est.infrastructure, ind.provisional), labels(pest.infrastructure, p.provisional)],
      ['dash.ind.rate', pct(ind.utilisation.rate), pct(p.utilisation.rate), '120 (29)', null, null, t('dash.ind.index')],
      ['dash.ind.shared', num(sharedLS(ind)), num(sharedLS(p)), '160 (30)'],
      ['dash.ind.users', num(ind.users), num(p.users), '200 (??)'],
      ['dash.ind.cross', pct(ind.cross_organisation_share), pct(p.cross_organisation_share), '—'],
    ];
    return panel(t('dash.ind.title'), csvLink('/api/v1/stats/indicators', { year }),
      h('p', { class: 'muted' }, t('dash.ind.lead')),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data dash-ind' },
        h('thead', {}, h('tr', {}, h('th', {}, t('dash.ind.name')), h('th', { class: 'num' }, t('dash.ind.this', { y: ind.year })),
          h('th', { class: 'num' }, t('dash.ind.prev', { y: p.year })), h('th', { class: 'num' }, t('dash.ind.target')))),
        h('tbody', {}, rows.map(([k, v, pv, target, lab, plab, note]) => h('tr', {},
          h('td', {}, t(k), note ? h('div', { class: 'hint' }, note) : null),
          h('td', { class: 'num' }, v, ' ', lab), h('td', { class: 'num' }, pv, ' ', plab),
          h('td', { class: 'num' }, target)))))));
  }

  function carbonPanel(ind) {
    return panel(t('dash.carbon'), csvLink('/api/v1/stats/indicators', { year }),
      h('dl', { class: 'facts' },
        h('dt', {}, t('dash.carbon.infra')),
        h('dd', {}, `${num(ind.carbon_kg_co2e.infrastructure)} kg CO2e (${num(ind.energy_kwh.infrastructure)} kWh) `, labels(ind.estimated.infrastructure, ind.provisional)),
        h('dt', {}, t('dash.carbon.book')),
        h('dd', {}, `${num(ind.carbon_kg_co2e.bookings, 1)} kg CO2e (${num(ind.energy_kwh.bookings, 1)} kWh) `, labels(ind.estimated.bookings, ind.provisional))),
      h('p', {}, t('dash.carbon.factor', { f: fmtNumber(ind.grid_factor_kg_per_kwh, 3), y: ind.grid_factor_year ?? '—' }), ' ',
        labels(ind.estimated.grid_factor, ind.provisional)),
      h('p', { class: 'hint' }, t('dash.carbon.note')));
  }

  async function settingsPanel() {
    const list = await get('/api/v1/stats/grid-factors');
    const G = 'GridFactor', Y = limits(G, 'year'), V = limits(G, 'kg_per_kwh');
    const yIn = h('input', { type: 'number', name: 'year', min: Y.min, max: Y.max, value: year });
    const vIn = h('input', { type: 'number', name: 'kg_per_kwh', min: V.min, max: V.max, step: '0.001' });
    const sIn = h('input', { type: 'text', name: 'source', maxlength: limits(G, 'source').maxLength });
    const eIn = h('input', { type: 'checkbox', name: 'estimated' });
    const f = h('form', { class: 'dash-gf', novalidate: true },
      field(label(G, 'year'), yIn), field(label(G, 'kg_per_kwh'), vIn), field(label(G, 'source'), sIn),
      h('label', { class: 'check' }, eIn, ' ', label(G, 'estimated')),
      h('button', { class: 'btn small', type: 'submit' }, t('dash.gf.add')));
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const y = yIn.value.trim();
        if (!/^\d+$/.test(y)) throw { field: 'year', message: `${label(G, 'year')}: ${Y.min}–${Y.max}` };
        await put(`/api/v1/stats/grid-factors/${y}`, { kg_per_kwh: vIn.value === '' ? null : Number(vIn.value), source: sIn.value, estimated: eIn.checked });
        toast(t('common.saved'));
        await load();
      } catch (e) { showFormError(f, e); }
    });
    return panel(t('dash.settings'), null,
      h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, h('th', {}, label(G, 'year')), h('th', { class: 'num' }, label(G, 'kg_per_kwh')),
          h('th', {}, label(G, 'source')), h('th', {}, h('span', { class: 'vh' }, t('dash.actions'))))),
        h('tbody', {}, list.items.map((g) => h('tr', {},
          h('td', {}, String(g.year)), h('td', { class: 'num' }, fmtNumber(g.kg_per_kwh, 3)),
          h('td', {}, g.source, ' ', labels(g.estimated, false)),
          h('td', {},
            h('button', { type: 'button', class: 'link', onclick: () => { yIn.value = g.year; vIn.value = g.kg_per_kwh; sIn.value = g.source; eIn.checked = g.estimated; vIn.focus(); } }, t('dash.gf.edit')), ' ',
            h('button', { type: 'button', class: 'link', onclick: async () => {
              try { await del(`/api/v1/stats/grid-factors/${g.year}`); toast(t('dash.gf.deleted')); await load(); } catch (e) { toast(e.message, 'bad'); }
            } }, t('common.delete')))))))),
      f);
  }

  await load();
}

/** The dashboard's year, span (local dates, `to` inclusive) and grouping from the address, or this year's by lab. */
function controlsOf(q, now) {
  const year = /^\d{4}$/.test(q.get('year') || '') ? Number(q.get('year')) : now.getFullYear();
  const by = q.get('group_by');
  return {
    year,
    from: q.get('from') || `${year}-01-01`,
    to: q.get('to') || `${year}-12-31`,
    group_by: enumChoices(param(UTIL, 'group_by')).some(([v]) => v === by) ? by : 'lab',
  };
}

/** What is wrong with a span of the form's dates, as an API error would say it; null when nothing. */
function rangeError(from, to) {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(from)) return { field: 'from', message: t('dash.bad.date') };
  if (!day.test(to)) return { field: 'to', message: t('dash.bad.date') };
  if (to < from) return { field: 'to', message: t('dash.bad.order') };
  return null;
}

// economic-panel.js — the dashboard's State-aid panel: each publicly funded
// resource's economic share of the year against its cap, as a chart and as
// the table behind it (GET /api/v1/stats/economic-use; figures arrive
// unrounded and are rounded here, for people, only).
import { h } from '../dom.js';
import { get, qs } from '../api.js';
import { t, addStrings, fmtNumber, getLang } from '../i18n.js';

addStrings({
  pl: {
    'eco.title': 'Pomoc publiczna: wykorzystanie gospodarcze w {y}',
    'eco.lead': 'Infrastruktura badawcza kupiona ze środków publicznych może służyć działalności gospodarczej tylko pomocniczo: do limitu (zwykle 20 %) rocznej dostępności (ramy pomocy państwa na B+R+I, 2022/C 414/01, pkt 2.1.1).',
    'eco.none': 'Brak zasobów finansowanych ze środków publicznych.',
    'eco.resource': 'Zasób', 'eco.programme': 'Program', 'eco.available': 'Dostępne [h]', 'eco.economic': 'Gospodarcze [h]',
    'eco.share': 'Udział', 'eco.cap': 'Limit', 'eco.status': 'Stan',
    'eco.ok': 'w limicie', 'eco.warning': 'powyżej 80 % limitu', 'eco.over': 'ponad limit',
    'eco.csv.pl': 'CSV (Excel PL)', 'eco.chart': 'Udział wykorzystania gospodarczego na tle limitu',
    'eco.provisional': 'Rok jeszcze trwa: liczby są wstępne.',
  },
  en: {
    'eco.title': 'State aid: economic use in {y}',
    'eco.lead': 'Research infrastructure bought with public money may serve economic activity only as an ancillary use: within a cap (usually 20 %) of its annual capacity (EU framework for State aid for R&D&I, 2022/C 414/01, section 2.1.1).',
    'eco.none': 'No publicly funded resources.',
    'eco.resource': 'Resource', 'eco.programme': 'Programme', 'eco.available': 'Available [h]', 'eco.economic': 'Economic [h]',
    'eco.share': 'Share', 'eco.cap': 'Cap', 'eco.status': 'Status',
    'eco.ok': 'within the cap', 'eco.warning': 'above 80 % of the cap', 'eco.over': 'over the cap',
    'eco.csv.pl': 'CSV (Polish Excel)', 'eco.chart': 'Economic share against the cap',
    'eco.provisional': 'The year is not over: the figures are provisional.',
  },
});

const pct = (x) => fmtNumber((x || 0) * 100, 1) + '%';

/** Bars of each resource's share, each with its cap marked. */
function chart(items) {
  const rowH = 28, labelW = 150, W = 440, barW = W - labelW - 70;
  const top = Math.max(...items.map((i) => Math.max(i.economic_share, i.cap)), 1e-9);
  return h('svg', { class: 'chart bar economic', viewBox: `0 0 ${W} ${items.length * rowH + 4}`, role: 'img', 'aria-label': t('eco.chart') },
    items.map((it, i) => {
      const y = i * rowH + 2, capX = labelW + (it.cap / top) * barW;
      return h('g', { class: `eco-${it.status}` },
        h('title', {}, `${it.name}: ${pct(it.economic_share)} / ${pct(it.cap)} (${t('eco.' + it.status)})`),
        h('text', { x: labelW - 6, y: y + 17, 'text-anchor': 'end', class: 'lbl' }, it.name.length > 22 ? it.name.slice(0, 21) + '…' : it.name),
        h('rect', { x: labelW, y: y + 4, width: barW, height: rowH - 10, class: 'track' }),
        h('rect', { x: labelW, y: y + 4, width: Math.max(0, (it.economic_share / top) * barW), height: rowH - 10, class: 'bar' }),
        h('line', { x1: capX, x2: capX, y1: y + 1, y2: y + rowH - 3, class: 'cap' }),
        h('text', { x: labelW + barW + 6, y: y + 17, class: 'val' }, pct(it.economic_share)));
    }));
}

function table(items) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data economic-table' },
    h('thead', {}, h('tr', {}, ['resource', 'programme', 'available', 'economic', 'share', 'cap', 'status'].map((k) =>
      h('th', { class: ['available', 'economic', 'share', 'cap'].includes(k) ? 'num' : null }, t('eco.' + k))))),
    h('tbody', {}, items.map((i) => h('tr', { dataset: { resource: i.resource_id } },
      h('td', {}, h('a', { href: `#/resources/${i.resource_id}` }, i.name)),
      h('td', {}, i.programme),
      h('td', { class: 'num' }, fmtNumber(i.available_hours, 1)),
      h('td', { class: 'num' }, fmtNumber(i.economic_hours, 1)),
      h('td', { class: 'num' }, pct(i.economic_share)),
      h('td', { class: 'num' }, pct(i.cap)),
      h('td', {}, h('span', { class: `badge eco-${i.status}` }, t('eco.' + i.status))))))));
}

/** The panel of year `year` (staff: every organisation; owners: their own). */
export async function economicPanel(year) {
  const use = await get('/api/v1/stats/economic-use' + qs({ year }));
  const path = '/api/v1/stats/economic-use';
  const csv = h('span', { class: 'csv-links' },
    h('a', { class: 'csv', href: path + qs({ year, format: 'csv' }), download: '' }, 'CSV'), ' · ',
    h('a', { class: 'csv', href: path + qs({ year, format: 'csv', locale: 'pl' }), download: '', lang: getLang() }, t('eco.csv.pl')));
  return h('section', { class: 'card dash-panel economic-panel' },
    h('div', { class: 'dash-head' }, h('h2', {}, t('eco.title', { y: year })), csv),
    h('p', { class: 'hint' }, t('eco.lead')),
    use.items.length ? [chart(use.items), table(use.items)] : h('p', { class: 'muted' }, t('eco.none')),
    use.provisional ? h('p', { class: 'muted' }, t('eco.provisional')) : null);
}

// bookings.js — #/bookings: "My bookings", upcoming and past, filtered by
// status, each with its resource, Kraków times, status and a cancel button.
import { h, mount } from '../dom.js';
import { get, qs } from '../api.js';
import { t, addStrings } from '../i18n.js';
import { statusBadge, fmtSpan, tzNote, cancelButton } from './booking-common.js';
import { choices, label } from '../schema.js';

addStrings({
  pl: {
    'bks.title': 'Moje rezerwacje', 'bks.upcoming': 'Nadchodzące', 'bks.past': 'Minione',
    'bks.empty.upcoming': 'Nie masz nadchodzących rezerwacji. Wybierz zasób w katalogu, aby coś zarezerwować.',
    'bks.empty.past': 'Brak minionych rezerwacji.', 'bks.shown': 'Pokazano {n} z {total}.', 'bks.catalogue': 'Przejdź do katalogu',
    'bks.reason': 'Powód: {r}',
  },
  en: {
    'bks.title': 'My bookings', 'bks.upcoming': 'Upcoming', 'bks.past': 'Past',
    'bks.empty.upcoming': 'You have no upcoming bookings. Pick a resource in the catalogue to book one.',
    'bks.empty.past': 'No past bookings.', 'bks.shown': 'Showing {n} of {total}.', 'bks.catalogue': 'Go to the catalogue',
    'bks.reason': 'Reason: {r}',
  },
});

const STATUSES = choices('Booking', 'status');
const LIMIT = 200;

export async function render(root, { params, navigate, toast }) {
  const q = params.query || new URLSearchParams();
  const tab = q.get('tab') === 'past' ? 'past' : 'upcoming';
  const status = STATUSES.some(([s]) => s === q.get('status')) ? q.get('status') : '';
  const link = (over) => '#/bookings' + qs({ tab: over.tab ?? tab, status: over.status ?? status });

  const now = new Date().toISOString();
  const data = await get('/api/v1/bookings' + qs({ mine: 1, status, limit: LIMIT, ...(tab === 'past' ? { to: now, order: 'desc' } : { from: now }) }));
  // "Upcoming" = not yet ended; "past" = ended (a running booking is upcoming).
  const items = (data.items || []).filter((b) => (tab === 'past' ? Date.parse(b.end) <= Date.now() : Date.parse(b.end) > Date.now()));
  items.sort((a, b) => (tab === 'past' ? Date.parse(b.start) - Date.parse(a.start) : Date.parse(a.start) - Date.parse(b.start)));

  const filter = h('select', { class: 'filter', name: 'status', 'aria-label': label('Booking', 'status') },
    h('option', { value: '' }, `${label('Booking', 'status')}: ${t('common.all')}`),
    STATUSES.map(([s, text]) => h('option', { value: s, selected: s === status }, text)));
  filter.addEventListener('change', () => navigate(link({ status: filter.value })));

  const list = h('ul', { class: 'booking-list' });
  const row = (b) => {
    const li = h('li', { class: 'card booking-item', dataset: { id: String(b.id), status: b.status } });
    const paint = () => {
      const live = (b.status === 'pending' || b.status === 'approved') && Date.parse(b.end) > Date.now();
      li.dataset.status = b.status;
      mount(li,
        h('div', { class: 'bi-main' },
          h('div', { class: 'bi-when' }, fmtSpan(b.start, b.end)),
          h('div', {}, h('a', { href: `#/resources/${b.resource_id}` }, b.resource_name || `#${b.resource_id}`), ' ', statusBadge(b),
            b.series_id ? [' ', h('span', { class: 'badge estimated' }, t('bk.series'))] : null),
          b.purpose ? h('div', { class: 'bi-meta' }, b.purpose) : null,
          b.reason ? h('div', { class: 'bi-meta' }, t('bks.reason', { r: b.reason })) : null),
        h('div', { class: 'bi-actions' },
          h('a', { href: `#/bookings/${b.id}`, class: 'btn secondary small' }, t('bk.details')),
          live ? cancelButton(b, {
            toast,
            onDone: (r) => {
              // A series cancel changes other rows too: reload them all.
              if (b.series_id) { navigate(link({})); return; }
              Object.assign(b, r && r.id ? r : { status: 'cancelled' });
              paint();
              li.querySelector('a')?.focus();
            },
          }) : null));
    };
    paint();
    return li;
  };
  mount(list, items.map(row));

  root.append(...[
    h('h1', {}, t('bks.title')),
    tzNote(),
    h('nav', { class: 'tabs', 'aria-label': t('bks.title') },
      h('a', { href: link({ tab: 'upcoming' }), 'aria-current': tab === 'upcoming' ? 'page' : null }, t('bks.upcoming')),
      h('a', { href: link({ tab: 'past' }), 'aria-current': tab === 'past' ? 'page' : null }, t('bks.past'))),
    h('div', { class: 'toolbar bookings-toolbar' }, filter),
    items.length ? list : h('p', { class: 'muted' }, t(tab === 'past' ? 'bks.empty.past' : 'bks.empty.upcoming'), ' ',
      tab === 'upcoming' ? h('a', { href: '#/catalogue' }, t('bks.catalogue')) : null),
    data.total > (data.items || []).length ? h('p', { class: 'hint list-foot' }, t('bks.shown', { n: data.items.length, total: data.total })) : null].filter(Boolean));
}

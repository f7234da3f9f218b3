// bookings.js — #/bookings: "My bookings" as a list (upcoming or past, by
// status, a page at a time with the API's limit/offset) or as a week or month
// calendar. Everything the page shows is in the address (view, tab, status,
// page, date), so back, reload and a shared link show it again; stepping
// through pages and weeks updates the page in place and adds a history entry.
import { h, mount } from '../dom.js';
import { get, qs } from '../api.js';
import { t, addStrings, fmtDate, fmtTime } from '../i18n.js';
import { statusBadge, fmtSpan, tzNote, cancelButton } from './booking-common.js';
import { choices, label, param } from '../schema.js';
import { weekStart, addDays, parseDateKey, dateKey, localDate, normDate, daysBetween, weekDays } from '../localtime.js';
import { setQuery } from '../shell.js';

addStrings({
  pl: {
    'bks.title': 'Moje rezerwacje', 'bks.upcoming': 'Nadchodzące', 'bks.past': 'Minione',
    'bks.empty.upcoming': 'Nie masz nadchodzących rezerwacji. Wybierz zasób w katalogu, aby coś zarezerwować.',
    'bks.empty.past': 'Brak minionych rezerwacji.', 'bks.catalogue': 'Przejdź do katalogu',
    'bks.reason': 'Powód: {r}', 'bks.running': 'trwa',
    'bks.as': 'Widok', 'bks.view.list': 'Lista', 'bks.view.week': 'Tydzień', 'bks.view.month': 'Miesiąc',
    'bks.range': 'Rezerwacje {from}–{to} z {total}', 'bks.prev': 'Poprzednie', 'bks.next': 'Następne',
    'bks.prev.week': '← Poprzedni tydzień', 'bks.next.week': 'Następny tydzień →',
    'bks.prev.month': '← Poprzedni miesiąc', 'bks.next.month': 'Następny miesiąc →', 'bks.today': 'Dziś',
    'bks.week': 'Tydzień {from} – {to}', 'bks.cal.free': 'Brak rezerwacji', 'bks.cal.none': 'Brak rezerwacji w tym okresie.',
    'bks.cal.more': 'i {n} więcej', 'bks.cal.count': 'Rezerwacje: {n}',
  },
  en: {
    'bks.title': 'My bookings', 'bks.upcoming': 'Upcoming', 'bks.past': 'Past',
    'bks.empty.upcoming': 'You have no upcoming bookings. Pick a resource in the catalogue to book one.',
    'bks.empty.past': 'No past bookings.', 'bks.catalogue': 'Go to the catalogue',
    'bks.reason': 'Reason: {r}', 'bks.running': 'in progress',
    'bks.as': 'View', 'bks.view.list': 'List', 'bks.view.week': 'Week', 'bks.view.month': 'Month',
    'bks.range': 'Bookings {from}–{to} of {total}', 'bks.prev': 'Previous', 'bks.next': 'Next',
    'bks.prev.week': '← Previous week', 'bks.next.week': 'Next week →',
    'bks.prev.month': '← Previous month', 'bks.next.month': 'Next month →', 'bks.today': 'Today',
    'bks.week': 'Week {from} – {to}', 'bks.cal.free': 'No bookings', 'bks.cal.none': 'No bookings in this period.',
    'bks.cal.more': 'and {n} more', 'bks.cal.count': 'Bookings: {n}',
  },
});

const STATUSES = choices('Booking', 'status');
const PAGE = 20;           // bookings per page of the list
const CELL = 3;            // bookings a month's day shows before "and n more"
const VIEWS = ['list', 'week', 'month'];

/**
 * Whether GET /api/v1/bookings takes order=desc (newest first, API.md
 * § Booking lists at scale). Without it "past" asks for the page counted
 * from the end of the start-ordered list and turns it round.
 */
function serverOrdersDesc() {
  try { const p = param('/api/v1/bookings', 'order'); return !p.enum || p.enum.includes('desc'); } catch { return false; }
}

/** The page's state read from the address. */
function stateOf(q) {
  const status = q.get('status');
  return {
    view: VIEWS.includes(q.get('view')) ? q.get('view') : 'list',
    tab: q.get('tab') === 'past' ? 'past' : 'upcoming',
    status: STATUSES.some(([s]) => s === status) ? status : '',
    page: Math.max(1, Number.parseInt(q.get('page'), 10) || 1),
    date: parseDateKey(q.get('date')) || localDate(new Date()),
  };
}

/** The address's query of a state (only what the view uses). */
function queryOf(st) {
  const list = st.view === 'list';
  return {
    view: list ? '' : st.view, tab: list && st.tab === 'past' ? 'past' : '', status: st.status,
    page: list && st.page > 1 ? st.page : '', date: list ? '' : dateKey(st.date),
  };
}
const linkOf = (st) => '#/bookings' + qs(queryOf(st));

/** Every booking of mine overlapping [from, to), fetched 500 at a time. */
async function mineBetween(from, to, status) {
  const out = [];
  for (let offset = 0; ;) {
    const r = await get('/api/v1/bookings' + qs({ mine: 1, status, from: from.toISOString(), to: to.toISOString(), limit: 500, offset }));
    out.push(...r.items);
    offset += r.items.length;
    if (!r.items.length || offset >= r.total) return out;
  }
}

/**
 * One page of the list: upcoming (not yet ended) oldest first, past
 * (started before now) newest first. {items, total}.
 */
async function listPage(st) {
  const now = new Date().toISOString();
  const base = { mine: 1, status: st.status };
  const offset = (st.page - 1) * PAGE;
  if (st.tab === 'upcoming') return get('/api/v1/bookings' + qs({ ...base, from: now, limit: PAGE, offset }));
  if (serverOrdersDesc()) return get('/api/v1/bookings' + qs({ ...base, to: now, order: 'desc', limit: PAGE, offset }));
  const { total } = await get('/api/v1/bookings' + qs({ ...base, to: now, limit: 1 }));
  const end = total - offset, start = Math.max(0, end - PAGE);
  if (end <= 0) return { items: [], total };
  const r = await get('/api/v1/bookings' + qs({ ...base, to: now, limit: end - start, offset: start }));
  return { items: r.items.reverse(), total: r.total };
}

export async function render(root, { params, toast, navigate }) {
  const st = stateOf(params.query || new URLSearchParams());
  const body = h('div', { class: 'bookings-body' });
  const go = (changes) => { Object.assign(st, changes); setQuery(queryOf(st)); return load(); };

  const filter = h('select', { class: 'filter', name: 'status', 'aria-label': label('Booking', 'status') },
    h('option', { value: '' }, `${label('Booking', 'status')}: ${t('common.all')}`),
    STATUSES.map(([s, text]) => h('option', { value: s, selected: s === st.status }, text)));
  filter.addEventListener('change', () => go({ status: filter.value, page: 1 }));

  const tabs = (items, current, key) => items.map(([v, text]) =>
    h('a', { href: linkOf({ ...st, [key]: v, page: 1 }), 'aria-current': current === v ? 'page' : null, dataset: { [key]: v } }, text));
  const toolbar = h('div', { class: 'toolbar bookings-toolbar' });
  const period = h('h2', { class: 'cal-period', 'aria-live': 'polite' });
  const calNav = (unit) => {
    const step = (n) => (unit === 'week' ? addDays(st.date, 7 * n) : normDate(st.date.y, st.date.m + n, 1));
    return h('div', { class: 'toolbar cal-nav' },
      h('button', { type: 'button', class: 'btn secondary small cal-prev', onclick: () => go({ date: step(-1) }) }, t(`bks.prev.${unit}`)),
      h('button', { type: 'button', class: 'btn secondary small cal-today', onclick: () => go({ date: localDate(new Date()) }) }, t('bks.today')),
      h('button', { type: 'button', class: 'btn secondary small cal-next', onclick: () => go({ date: step(1) }) }, t(`bks.next.${unit}`)));
  };

  // The list's pager keeps its buttons, so the focus stays on the one pressed.
  const prev = h('button', { type: 'button', class: 'btn small secondary pager-prev', onclick: () => go({ page: st.page - 1 }) }, t('bks.prev'));
  const next = h('button', { type: 'button', class: 'btn small secondary pager-next', onclick: () => go({ page: st.page + 1 }) }, t('bks.next'));
  const range = h('span', { class: 'muted pager-range', 'aria-live': 'polite' });
  const pager = h('div', { class: 'pager bookings-pager' }, prev, range, next);

  if (st.view === 'list') {
    mount(toolbar, h('nav', { class: 'tabs subtabs', 'aria-label': t('bks.title') },
      tabs([['upcoming', t('bks.upcoming')], ['past', t('bks.past')]], st.tab, 'tab')), filter);
  } else {
    mount(toolbar, calNav(st.view), filter);
  }
  root.append(...[
    h('h1', {}, t('bks.title')),
    tzNote(),
    h('nav', { class: 'tabs view-tabs', 'aria-label': t('bks.as') },
      tabs(VIEWS.map((v) => [v, t('bks.view.' + v)]), st.view, 'view')),
    toolbar,
    st.view === 'list' ? null : period,
    body,
    st.view === 'list' ? pager : null].filter(Boolean));

  async function load() {
    if (st.view === 'list') return loadList();
    return loadCalendar();
  }

  async function loadList() {
    const data = await listPage(st);
    const items = data.items || [];
    if (!items.length && st.page > 1 && data.total > 0) return go({ page: Math.ceil(data.total / PAGE) });
    mount(body, items.length
      ? h('ul', { class: 'booking-list' }, items.map((b) => row(b)))
      : h('p', { class: 'muted' }, t(st.tab === 'past' ? 'bks.empty.past' : 'bks.empty.upcoming'), ' ',
        st.tab === 'upcoming' ? h('a', { href: '#/catalogue' }, t('bks.catalogue')) : null));
    const first = (st.page - 1) * PAGE;
    pager.hidden = data.total <= PAGE && st.page === 1;
    prev.disabled = st.page <= 1;
    next.disabled = first + items.length >= data.total;
    range.textContent = items.length ? t('bks.range', { from: first + 1, to: first + items.length, total: data.total }) : '';
  }

  function row(b) {
    const li = h('li', { class: 'card booking-item', dataset: { id: String(b.id), status: b.status } });
    const paint = () => {
      const live = (b.status === 'pending' || b.status === 'approved') && Date.parse(b.end) > Date.now();
      const running = Date.parse(b.start) <= Date.now() && Date.parse(b.end) > Date.now();
      li.dataset.status = b.status;
      mount(li,
        h('div', { class: 'bi-main' },
          h('div', { class: 'bi-when' }, fmtSpan(b.start, b.end), running ? [' ', h('span', { class: 'badge estimated' }, t('bks.running'))] : null),
          h('div', {}, h('a', { href: `#/resources/${b.resource_id}` }, b.resource_name || `#${b.resource_id}`), ' ', statusBadge(b),
            b.series_id ? [' ', h('span', { class: 'badge estimated' }, t('bk.series'))] : null),
          b.purpose ? h('div', { class: 'bi-meta' }, b.purpose) : null,
          b.reason ? h('div', { class: 'bi-meta' }, t('bks.reason', { r: b.reason })) : null),
        h('div', { class: 'bi-actions' },
          h('a', { href: `#/bookings/${b.id}`, class: 'btn secondary small' }, t('bk.details')),
          live ? cancelButton(b, {
            toast,
            onDone: (r) => {
              // A series cancel changes other rows too: load them all again.
              if (b.series_id) { navigate(linkOf(st)); return; }
              Object.assign(b, r && r.id ? r : { status: 'cancelled' });
              paint();
              li.querySelector('a')?.focus();
            },
          }) : null));
    };
    paint();
    return li;
  }

  async function loadCalendar() {
    const month = st.view === 'month';
    const first = month ? weekStart({ y: st.date.y, m: st.date.m, d: 1 }) : weekStart(st.date);
    const weeks = month ? Math.ceil((daysBetween(first, normDate(st.date.y, st.date.m + 1, 0)) + 1) / 7) : 1;
    const days = Array.from({ length: weeks }, (_, w) => weekDays(addDays(first, 7 * w))).flat();
    period.textContent = month
      ? fmtDate(days[10].start, { dateStyle: undefined, month: 'long', year: 'numeric' })
      : t('bks.week', { from: fmtDate(days[0].start, { dateStyle: undefined, day: 'numeric', month: 'long' }), to: fmtDate(days[6].start, { dateStyle: 'long' }) });
    const items = await mineBetween(days[0].start, days[days.length - 1].end, st.status);
    items.sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id - b.id);
    const on = (day) => items.filter((b) => Date.parse(b.start) < day.end.getTime() && Date.parse(b.end) > day.start.getTime());
    const todayKey = dateKey(localDate(new Date()));
    mount(body,
      month ? monthGrid(days, on, todayKey) : weekList(days, on, todayKey),
      items.length ? null : h('p', { class: 'muted cal-empty' }, t('bks.cal.none')));
  }

  /** A booking on one day: its time that day, resource and status (a link to it). */
  function chip(b, day, { brief = false } = {}) {
    const s = new Date(b.start), e = new Date(b.end);
    const from = s >= day.start ? fmtTime(s) : '…';
    const to = e.getTime() === day.end.getTime() ? '24:00' : e < day.end ? fmtTime(e) : '…';
    return h('li', {}, h('a', { href: `#/bookings/${b.id}`, class: ['cal-chip', b.status], dataset: { id: String(b.id), status: b.status } },
      h('span', { class: 'cal-time' }, from, h('span', { class: 'cal-to' }, `–${to}`)), ' ',
      h('span', { class: 'cal-res' }, b.resource_name || `#${b.resource_id}`), ' ',
      brief ? h('span', { class: 'vh' }, choiceLabelOf(b)) : statusBadge(b)));
  }
  const choiceLabelOf = (b) => STATUSES.find(([s]) => s === b.status)?.[1] || b.status;

  function weekList(days, on, todayKey) {
    return h('ol', { class: 'cal-week' }, days.map((day) => {
      const list = on(day);
      return h('li', { class: ['cal-day', dateKey(day.date) === todayKey && 'today'], dataset: { date: dateKey(day.date) } },
        h('h3', { class: 'cal-date' }, fmtDate(day.start, { dateStyle: undefined, weekday: 'long', day: 'numeric', month: 'long' })),
        list.length ? h('ul', { class: 'cal-items' }, list.map((b) => chip(b, day))) : h('p', { class: 'muted cal-free' }, t('bks.cal.free')));
    }));
  }

  function monthGrid(days, on, todayKey) {
    const head = days.slice(0, 7).map((d) => h('th', { scope: 'col' },
      h('abbr', { title: fmtDate(d.start, { dateStyle: undefined, weekday: 'long' }) }, fmtDate(d.start, { dateStyle: undefined, weekday: 'short' }))));
    const rows = [];
    for (let w = 0; w < days.length / 7; w++) {
      rows.push(h('tr', {}, days.slice(7 * w, 7 * w + 7).map((day) => {
        const list = on(day);
        const other = day.date.m !== st.date.m;
        const more = list.length - CELL;
        return h('td', { class: ['cal-cell', other && 'other', dateKey(day.date) === todayKey && 'today'], dataset: { date: dateKey(day.date) } },
          h('div', { class: 'cal-num' },
            h('span', { 'aria-hidden': 'true' }, String(day.date.d)),
            h('span', { class: 'vh' }, fmtDate(day.start, { dateStyle: 'full' }), list.length ? `, ${t('bks.cal.count', { n: list.length })}` : '')),
          list.length ? h('ul', { class: 'cal-items' }, list.slice(0, more > 0 ? CELL - 1 : CELL).map((b) => chip(b, day, { brief: true }))) : null,
          more > 0 ? h('a', { class: 'cal-more', href: linkOf({ ...st, view: 'week', date: day.date }) }, t('bks.cal.more', { n: more + 1 })) : null);
      })));
    }
    return h('div', { class: 'table-wrap' }, h('table', { class: 'cal-month' }, h('thead', {}, h('tr', {}, head)), h('tbody', {}, rows)));
  }

  await load();
}

// lab-week.js — #/labs/:id/week?week=YYYY-MM-DD: one week of every bookable
// resource of a lab, in Kraków time, filled by ONE request
// (GET /api/v1/bookings?lab_id=…&from=…&to=…): a row per resource, a column
// per day, the pending and approved bookings in the cells. What the list
// shows follows the API's visibility: owners of the lab's organisation and
// staff see every booking, others their own (the page says so, and each
// resource's name leads to its booking week, which shows when it is free).
//
// Keyboard: the grid is one Tab stop (ARIA grid). Arrow keys move between
// days and resources, and up and down through the bookings of a day; Home
// and End go to the row's ends (with Ctrl, to the first or last row);
// Enter opens the booking or the resource's booking week. The week is in
// the URL, so back, reload and a shared link keep it.
import { h, mount } from '../dom.js';
import { get, qs } from '../api.js';
import { t, addStrings, fmtDate, fmtTime } from '../i18n.js';
import { weekStart, weekDays, addDays, parseDateKey, dateKey, localDate, hhmm } from '../localtime.js';
import { tzNote } from './booking-common.js';
import { listAll, canManage, backLink } from '../catalogue-util.js';
import { choiceLabel } from '../schema.js';

addStrings({
  pl: {
    'lw.link': 'Tydzień wszystkich zasobów', 'lw.title': 'Tydzień: {name}', 'lw.week': 'Tydzień',
    'lw.prev': '← Poprzedni tydzień', 'lw.next': 'Następny tydzień →', 'lw.today': 'Bieżący tydzień',
    'lw.caption': 'Rezerwacje zasobów laboratorium {lab}, {from} – {to}', 'lw.resource': 'Zasób',
    'lw.count': 'Rezerwacje w tym tygodniu: {n}.', 'lw.loading': 'Wczytywanie rezerwacji…',
    'lw.own': 'Widzisz tylko swoje rezerwacje; opiekunowie laboratorium i personel klastra widzą wszystkie. Nazwa zasobu prowadzi do jego tygodnia z wolnymi terminami.',
    'lw.keys': 'Strzałki przenoszą między dniami, zasobami i rezerwacjami dnia; Home i End na początek i koniec wiersza; Enter otwiera rezerwację.',
    'lw.closed': 'zamknięte', 'lw.none': 'brak rezerwacji', 'lw.you': 'Ty', 'lw.book': '{name}: tydzień i rezerwacja',
    'lw.from_before': 'od poprzedniego dnia', 'lw.into_next': 'do następnego dnia',
    'lw.noresources': 'To laboratorium nie ma zasobów do rezerwacji.', 'lw.error': 'Nie udało się wczytać rezerwacji: {msg}',
    'lw.s.approved': 'zatwierdzona', 'lw.s.pending': 'oczekuje na decyzję', 'lw.s.mine': 'Twoja rezerwacja', 'lw.legend': 'Legenda',
  },
  en: {
    'lw.link': 'Week of all resources', 'lw.title': 'Week: {name}', 'lw.week': 'Week',
    'lw.prev': '← Previous week', 'lw.next': 'Next week →', 'lw.today': 'This week',
    'lw.caption': 'Bookings of the resources of {lab}, {from} – {to}', 'lw.resource': 'Resource',
    'lw.count': 'Bookings this week: {n}.', 'lw.loading': 'Loading bookings…',
    'lw.own': 'You see your own bookings only; the lab’s owners and the cluster staff see everyone’s. A resource’s name leads to its week with the free times.',
    'lw.keys': 'Arrow keys move between days, resources and the bookings of a day; Home and End go to the ends of a row; Enter opens a booking.',
    'lw.closed': 'closed', 'lw.none': 'no bookings', 'lw.you': 'you', 'lw.book': '{name}: week and booking',
    'lw.from_before': 'from the day before', 'lw.into_next': 'into the next day',
    'lw.noresources': 'This lab has no bookable resources.', 'lw.error': 'Could not load the bookings: {msg}',
    'lw.s.approved': 'approved', 'lw.s.pending': 'waiting for a decision', 'lw.s.mine': 'your booking', 'lw.legend': 'Legend',
  },
});

const SHOWN = new Set(['pending', 'approved']);

export async function render(root, { params, state }) {
  const id = params.id;
  const [lab, resources] = await Promise.all([
    get(`/api/v1/labs/${encodeURIComponent(id)}`), listAll('/api/v1/resources', { lab_id: id })]);
  resources.sort((a, b) => a.name.localeCompare(b.name));
  const me = state.user;
  const seesAll = canManage(me, lab.organisation_id);
  let monday = weekStart(parseDateKey(params.query?.get('week')) || new Date());
  let loadSeq = 0;
  let pos = { r: 0, c: 1, i: 0 }; // the grid's one Tab stop: row, column (0 = resource), item

  const weekLabel = h('h2', { class: 'week-label', 'aria-live': 'polite' });
  const status = h('p', { class: 'lw-status', 'aria-live': 'polite' });
  const grid = h('div', { class: 'lw-wrap' });
  const nav = h('div', { class: 'toolbar week-nav' },
    h('button', { type: 'button', class: 'btn secondary small lw-prev', onclick: () => go(addDays(monday, -7)) }, t('lw.prev')),
    h('button', { type: 'button', class: 'btn secondary small lw-today', onclick: () => go(weekStart(new Date())) }, t('lw.today')),
    h('button', { type: 'button', class: 'btn secondary small lw-next', onclick: () => go(addDays(monday, 7)) }, t('lw.next')));
  const legend = h('ul', { class: 'slot-legend', 'aria-label': t('lw.legend') },
    ['approved', 'pending', 'mine'].map((s) => h('li', {}, h('span', { class: ['swatch', 'lw-' + s], 'aria-hidden': 'true' }), t('lw.s.' + s))));

  root.append(...[
    backLink(`#/labs/${lab.id}`, lab.name),
    h('h1', {}, t('lw.title', { name: lab.name })),
    tzNote(),
    seesAll ? null : h('p', { class: 'hint lw-own' }, t('lw.own')),
    nav, weekLabel, status, grid,
    h('p', { class: 'hint', id: 'lw-keys' }, t('lw.keys')),
    legend].filter(Boolean));

  /** Moves to another week in place; the URL follows, and back or forward
   * (a hash change) renders the week they lead to. */
  function go(next) {
    monday = next;
    const hash = `#/labs/${lab.id}/week?week=${dateKey(monday)}`;
    if (location.hash !== hash) history.pushState(null, '', hash);
    load();
  }

  async function load() {
    const my = ++loadSeq;
    const days = weekDays(monday);
    const from = days[0].start, to = days[6].end;
    weekLabel.textContent = `${t('lw.week')}: ${fmtDate(from, { dateStyle: undefined, day: 'numeric', month: 'long' })} – ${fmtDate(new Date(to.getTime() - 1), { dateStyle: 'long' })}`;
    mount(status, t('lw.loading'));
    grid.setAttribute('aria-busy', 'true');
    if (!resources.length) {
      mount(status);
      mount(grid, h('p', { class: 'muted' }, t('lw.noresources')));
      grid.removeAttribute('aria-busy');
      return;
    }
    let items = [];
    try {
      // One request fills the week; a week of more than 500 bookings
      // (the API's page) takes the next pages too.
      for (let offset = 0; ;) {
        const page = await get('/api/v1/bookings' + qs({ lab_id: lab.id, from: from.toISOString(), to: to.toISOString(), limit: 500, offset }));
        items = items.concat(page.items);
        offset += page.items.length;
        if (!page.items.length || offset >= page.total) break;
      }
    } catch (e) {
      if (my !== loadSeq) return;
      mount(status, h('span', { class: 'form-error', role: 'alert' }, t('lw.error', { msg: e.message })));
      grid.removeAttribute('aria-busy');
      return;
    }
    if (my !== loadSeq) return;
    const shown = items.filter((b) => SHOWN.has(b.status));
    mount(status, t('lw.count', { n: shown.length }));
    paint(days, shown);
    grid.removeAttribute('aria-busy');
  }

  function paint(days, bookings) {
    const todayKey = dateKey(localDate(new Date()));
    const byResource = new Map(resources.map((r) => [r.id, []]));
    for (const b of bookings) byResource.get(b.resource_id)?.push(b);
    const first = days[0].start, last = days[6].end;
    const caption = h('caption', { class: 'sr' }, t('lw.caption', {
      lab: lab.name, from: fmtDate(first, { dateStyle: 'long' }), to: fmtDate(new Date(last.getTime() - 1), { dateStyle: 'long' }) }));
    const head = h('tr', {},
      h('th', { scope: 'col', class: 'lw-corner' }, t('lw.resource')),
      days.map((d) => h('th', { scope: 'col', class: ['lw-day', dateKey(d.date) === todayKey && 'today'] },
        h('span', { class: 'wk-dow' }, fmtDate(d.start, { dateStyle: undefined, weekday: 'short' })), ' ',
        h('span', { class: 'wk-date' }, fmtDate(d.start, { dateStyle: undefined, day: 'numeric', month: 'short' })))));
    const rows = resources.map((res) => {
      const open = new Set((res.opening_hours || []).filter((w) => hhmm(w.close) > hhmm(w.open)).map((w) => Number(w.weekday)));
      const ofRes = byResource.get(res.id) || [];
      const cells = days.map((d) => {
        const s0 = d.start.getTime(), e0 = d.end.getTime();
        const here = ofRes.filter((b) => Date.parse(b.start) < e0 && Date.parse(b.end) > s0)
          .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id - b.id);
        const closed = !open.has(d.weekday);
        const label = fmtDate(d.start, { dateStyle: undefined, weekday: 'long', day: 'numeric', month: 'long' });
        if (!here.length) {
          return h('td', { role: 'gridcell', class: ['lw-cell', closed && 'closed'], tabindex: '-1', 'aria-label': `${res.name}, ${label}: ${closed ? t('lw.closed') : t('lw.none')}` },
            closed ? h('span', { class: 'lw-closed', 'aria-hidden': 'true' }, t('lw.closed')) : null);
        }
        return h('td', { role: 'gridcell', class: ['lw-cell', closed && 'closed'] },
          h('ul', { class: 'lw-list' }, here.map((b) => h('li', {}, item(b, d, res)))));
      });
      return h('tr', {},
        h('th', { scope: 'row', class: 'lw-res' },
          h('a', { href: `#/book/${res.id}?week=${dateKey(monday)}`, tabindex: '-1', 'aria-label': t('lw.book', { name: res.name }) }, res.name),
          res.category ? h('span', { class: 'lw-cat' }, res.category) : null),
        cells);
    });
    const table = h('table', { class: 'lw-grid', role: 'grid', 'aria-describedby': 'lw-keys' },
      caption, h('thead', {}, head), h('tbody', {}, rows));
    table.addEventListener('keydown', onKey);
    table.addEventListener('focusin', onFocus);
    const refocus = grid.contains(document.activeElement);
    mount(grid, table);
    place(refocus);
  }

  /** A booking in a day's cell: its time (clipped to the day), who, status. */
  function item(b, day, res) {
    const s = new Date(b.start), e = new Date(b.end);
    const before = s < day.start, after = e > day.end;
    const own = me && b.user_id === me.id;
    const who = own ? t('lw.you') : (b.user_name || '');
    // An arrow marks a time on another day. The name spoken holds the text
    // shown, time then booker, as shown (WCAG 2.5.3, label in name), and
    // the whole span after; a space between the two, or a checker reads
    // "15:00you" as one word.
    const shown = `${before ? '→' : fmtTime(s)}–${after ? '→' : fmtTime(e)}`;
    const spoken = [
      res.name,
      fmtDate(day.start, { dateStyle: undefined, weekday: 'long', day: 'numeric', month: 'long' }),
      shown, who, choiceLabel('Booking', 'status', b.status),
      before ? t('lw.from_before') : null, after ? t('lw.into_next') : null,
      before || after ? `${fmtTime(s)}–${fmtTime(e)}` : null].filter(Boolean).join(', ');
    return h('a', { href: `#/bookings/${b.id}`, class: ['lw-booking', b.status, own && 'mine'], tabindex: '-1', 'aria-label': spoken, dataset: { id: String(b.id) } },
      h('span', { class: 'lw-time' }, shown), who ? [' ', h('span', { class: 'lw-who' }, who)] : null);
  }

  /* ---- keyboard: one Tab stop, arrows inside ---- */

  /** The focusable things of row r, column c (0 = the resource's name). */
  function stops(r, c) {
    const tr = grid.querySelectorAll('tbody tr')[r];
    if (!tr) return [];
    const cell = tr.children[c];
    if (!cell) return [];
    if (c === 0) return [cell.querySelector('a')];
    const links = [...cell.querySelectorAll('a')];
    return links.length ? links : [cell];
  }

  function place(focus) {
    const rowsN = resources.length;
    pos.r = Math.max(0, Math.min(pos.r, rowsN - 1));
    pos.c = Math.max(0, Math.min(pos.c, 7));
    const s = stops(pos.r, pos.c);
    pos.i = Math.max(0, Math.min(pos.i, s.length - 1));
    for (const el of grid.querySelectorAll('[tabindex="0"]')) el.setAttribute('tabindex', '-1');
    const el = s[pos.i];
    if (!el) return;
    el.setAttribute('tabindex', '0');
    if (focus) el.focus();
  }

  function onFocus(ev) {
    // A click or a screen reader's own move puts the Tab stop where focus went.
    const rowsEls = [...grid.querySelectorAll('tbody tr')];
    for (let r = 0; r < rowsEls.length; r++) {
      for (let c = 0; c < 8; c++) {
        const i = stops(r, c).indexOf(ev.target);
        if (i >= 0) { pos = { r, c, i }; place(false); return; }
      }
    }
  }

  function onKey(ev) {
    const last = resources.length - 1;
    const n = stops(pos.r, pos.c).length;
    const k = ev.key;
    if (k === 'ArrowRight' && pos.c < 7) pos = { r: pos.r, c: pos.c + 1, i: 0 };
    else if (k === 'ArrowLeft' && pos.c > 0) pos = { r: pos.r, c: pos.c - 1, i: 0 };
    else if (k === 'ArrowDown' && pos.i + 1 < n) pos.i++;
    else if (k === 'ArrowDown' && pos.r < last) pos = { r: pos.r + 1, c: pos.c, i: 0 };
    else if (k === 'ArrowUp' && pos.i > 0) pos.i--;
    else if (k === 'ArrowUp' && pos.r > 0) pos = { r: pos.r - 1, c: pos.c, i: stops(pos.r - 1, pos.c).length - 1 };
    else if (k === 'Home') pos = { r: ev.ctrlKey ? 0 : pos.r, c: 0, i: 0 };
    else if (k === 'End') pos = { r: ev.ctrlKey ? last : pos.r, c: 7, i: 0 };
    else if (k.startsWith('Arrow')) { ev.preventDefault(); return; } // at an edge: stay
    else return;
    ev.preventDefault();
    place(true);
  }

  await load();
}

// book.js — #/book/:id: a week of one resource in Kraków time; the
// researcher clicks a free slot (start), then an end slot or a duration, and
// sends the request (optionally repeated weekly). The week shown is in the
// address (?week=), so back, reload and a shared link show it again; the
// form's draft (chosen time and every field) is kept in sessionStorage until
// the request succeeds, so a reload or a sign-in in between loses nothing.
import { h, mount, field, showFormError } from '../dom.js';
import { get, post, qs } from '../api.js';
import { t, addStrings, fmtDate, fmtTime, getLang } from '../i18n.js';
import { weekStart, addDays, parseDateKey, dateKey, layoutWeek, localDate, toOffsetString, weeklyRrule } from '../localtime.js';
import { statusBadge, fmtSpan, fmtMinutes, tzNote, findClashes, clashList, forbiddenText, weeklySpans, clearErrors } from './booking-common.js';
import { priceLines } from '../money.js';
import { limits } from '../schema.js';
import { setQuery } from '../shell.js';

addStrings({
  pl: {
    'book.title': 'Rezerwacja: {name}', 'book.prev': '← Poprzedni tydzień', 'book.next': 'Następny tydzień →', 'book.today': 'Dziś',
    'book.week': 'Tydzień', 'book.day': 'Dzień', 'book.legend': 'Legenda',
    'book.s.free': 'wolne', 'book.s.pending': 'wniosek innej osoby (oczekuje)', 'book.s.busy': 'zajęte', 'book.s.mine': 'Twoja rezerwacja',
    'book.s.minepending': 'Twój wniosek (oczekuje)', 'book.s.blackout': 'wyłączone', 'book.s.closed': 'zamknięte', 'book.s.past': 'minione',
    'book.s.selected': 'wybrane',
    'book.short.busy': 'zajęte', 'book.short.pending': 'wniosek', 'book.short.mine': 'Twoja', 'book.short.blackout': 'wyłączone',
    'book.again': '{time} (ponownie)', 'book.dayhours': 'doba {h} h',
    'book.form': 'Twoja rezerwacja', 'book.pick': 'Kliknij wolne pole w kalendarzu, aby wybrać początek; kliknij późniejsze pole lub wybierz czas trwania, aby ustawić koniec.',
    'book.start': 'Początek', 'book.end': 'Koniec', 'book.duration': 'Czas trwania', 'book.purpose': 'Cel (np. projekt, próbki)',
    'book.repeat': 'Powtarzanie', 'book.repeat.none': 'bez powtarzania', 'book.repeat.count': 'co tydzień, określoną liczbę razy',
    'book.repeat.until': 'co tydzień, do dnia', 'book.repeat.times': 'Liczba terminów', 'book.repeat.untildate': 'Do dnia (włącznie)',
    'book.send': 'Wyślij wniosek', 'book.book': 'Zarezerwuj', 'book.clear': 'Wyczyść wybór',
    'book.short': 'Wolny przedział od tego pola jest krótszy niż minimalny czas rezerwacji ({min}).',
    'book.needsapproval': 'Rezerwacje wymagają akceptacji opiekuna.', 'book.autoapprove': 'Rezerwacje są zatwierdzane od razu.',
    'book.needstraining': 'Wymagane szkolenie.', 'book.limits': 'Siatka {slot}, od {min} do {max}.',
    'book.done.pending': 'Wniosek wysłany — czeka na decyzję opiekuna.', 'book.done.approved': 'Zarezerwowano.',
    'book.done.series': 'Utworzono serię: {n} terminów.', 'book.done.open': 'Otwórz rezerwację', 'book.done.mine': 'Przejdź do „Moje rezerwacje”',
    'book.noavail': 'Nie udało się wczytać dostępności: {msg}', 'book.closedweek': 'W tym tygodniu zasób jest zamknięty.',
    'book.badcount': 'Podaj liczbę od 2 do 200.', 'book.baduntil': 'Podaj datę późniejszą niż początek.',
    'book.resource': 'Strona zasobu', 'book.continue': 'Dalej: cel i wysłanie',
    'book.chars': 'Znaki: {n} z {max}.',
  },
  en: {
    'book.title': 'Book: {name}', 'book.prev': '← Previous week', 'book.next': 'Next week →', 'book.today': 'Today',
    'book.week': 'Week', 'book.day': 'Day', 'book.legend': 'Legend',
    'book.s.free': 'free', 'book.s.pending': 'someone else’s request (pending)', 'book.s.busy': 'booked', 'book.s.mine': 'your booking',
    'book.s.minepending': 'your request (pending)', 'book.s.blackout': 'blacked out', 'book.s.closed': 'closed', 'book.s.past': 'past',
    'book.s.selected': 'selected',
    'book.short.busy': 'booked', 'book.short.pending': 'request', 'book.short.mine': 'yours', 'book.short.blackout': 'blackout',
    'book.again': '{time} (again)', 'book.dayhours': '{h}-hour day',
    'book.form': 'Your booking', 'book.pick': 'Click a free slot in the calendar to choose the start; click a later slot or choose a duration to set the end.',
    'book.start': 'Start', 'book.end': 'End', 'book.duration': 'Duration', 'book.purpose': 'Purpose (e.g. project, samples)',
    'book.repeat': 'Repeat', 'book.repeat.none': 'does not repeat', 'book.repeat.count': 'weekly, a number of times',
    'book.repeat.until': 'weekly, until a date', 'book.repeat.times': 'Number of occurrences', 'book.repeat.untildate': 'Until (inclusive)',
    'book.send': 'Send request', 'book.book': 'Book', 'book.clear': 'Clear selection',
    'book.short': 'The free time from this slot is shorter than the minimum booking ({min}).',
    'book.needsapproval': 'Bookings need the owner’s approval.', 'book.autoapprove': 'Bookings are approved at once.',
    'book.needstraining': 'Training required.', 'book.limits': 'Slots of {slot}, from {min} to {max}.',
    'book.done.pending': 'Request sent — waiting for the owner’s decision.', 'book.done.approved': 'Booked.',
    'book.done.series': 'Series created: {n} occurrences.', 'book.done.open': 'Open the booking', 'book.done.mine': 'Go to “My bookings”',
    'book.noavail': 'Could not load availability: {msg}', 'book.closedweek': 'The resource is closed this week.',
    'book.badcount': 'Enter a number from 2 to 200.', 'book.baduntil': 'Enter a date after the start.',
    'book.resource': 'Resource page', 'book.continue': 'Next: purpose and send',
    'book.chars': 'Characters: {n} of {max}.',
  },
});

const SELECTABLE = new Set(['free', 'pending']);

/** The price of what was booked: a series' occurrences added up, as kept. */
function sumPrices(b) {
  const all = Array.isArray(b.bookings) ? b.bookings : [b];
  if (!all.every((x) => x.price)) return b.price;
  const p = { ...all[0].price, occurrences: all.length, hours: 0, net: all[0].price.net === null ? null : 0 };
  for (const x of all) {
    p.hours += x.price.hours;
    if (p.net !== null) p.net = Math.round((p.net + x.price.net) * 100) / 100;
  }
  return p;
}
const loc = () => (getLang() === 'pl' ? 'pl-PL' : 'en-GB');

/** The draft of the booking form of a resource, kept for the user who wrote it. */
const draftKey = (resourceId) => `labshare.draft.book.${resourceId}`;
function readDraft(resourceId, userId) {
  try {
    const d = JSON.parse(sessionStorage.getItem(draftKey(resourceId)) || 'null');
    return d && d.user === userId ? d : null;
  } catch { return null; }
}

export async function render(root, { params, toast, state }) {
  const id = params.id;
  const res = await get(`/api/v1/resources/${encodeURIComponent(id)}`);
  const myOrg = state?.user?.organisation_id ? await get(`/api/v1/organisations/${state.user.organisation_id}`).catch(() => null) : null;
  const needsCostCentre = !!myOrg?.requires_cost_centre;
  const slotMin = Math.max(1, res.slot_minutes || 30);
  const minMin = Math.max(slotMin, res.min_minutes || slotMin);
  const maxMin = Math.max(minMin, res.max_minutes || minMin);
  const userId = state?.user?.id ?? null;
  const draft = readDraft(res.id, userId);
  const wk = parseDateKey(params.query?.get('week'));
  const draftWeek = draft?.sel && draft.sel.s > Date.now() ? localDate(new Date(draft.sel.s)) : null;
  let monday = weekStart(wk || draftWeek || new Date());
  let dayIdx = 0;
  let layout = null;        // from layoutWeek, each slot extended with state
  let sel = null;           // {day, from, to}: indexes into layout.days[day].slots
  let loadSeq = 0;

  const weekLabel = h('h2', { class: 'week-label', 'aria-live': 'polite' });
  const grid = h('div', { class: 'week-grid', role: 'group', 'aria-labelledby': 'book-week-label' });
  weekLabel.id = 'book-week-label';
  const dayBar = h('div', { class: 'day-switch', role: 'group', 'aria-label': t('book.day') });
  const status = h('div', { class: 'book-status', 'aria-live': 'polite' });
  // A summary of the choice next to the grid, with a way to the form that
  // does not Tab through every remaining slot (and, on a phone, scroll).
  const summary = h('div', { class: 'sel-summary', 'aria-live': 'polite' });

  // ---- side form ----
  const startOut = h('output', { class: 'sel-start', name: 'start' }, '—');
  const endOut = h('output', { class: 'sel-end' }, '—');
  const duration = h('select', { name: 'end', disabled: true });
  // The limit is the schema's (the server counts characters, not bytes).
  const purposeMax = limits('BookingRequestCreate', 'purpose').maxLength;
  const purpose = h('textarea', { name: 'purpose', maxlength: purposeMax, rows: '3' });
  const project = h('input', { type: 'text', name: 'project', maxlength: limits('BookingRequestCreate', 'project').maxLength });
  const costCentre = h('input', { type: 'text', name: 'cost_centre', maxlength: limits('BookingRequestCreate', 'cost_centre').maxLength, required: needsCostCentre });
  // The price before the request is sent (a series: its total), from the
  // server's quote, so the form shows exactly what the booking will keep.
  const quote = h('div', { class: 'book-quote', 'aria-live': 'polite', dataset: { field: 'quote' } });
  let quoteSeq = 0, quoteRefused = false;
  const repeat = h('select', { name: 'rrule' },
    h('option', { value: '' }, t('book.repeat.none')),
    h('option', { value: 'count' }, t('book.repeat.count')),
    h('option', { value: 'until' }, t('book.repeat.until')));
  const count = h('input', { type: 'number', name: 'count', min: '2', max: '200', value: '4', inputmode: 'numeric' });
  const until = h('input', { type: 'date', name: 'until' });
  const countField = field(t('book.repeat.times'), count);
  const untilField = field(t('book.repeat.untildate'), until);
  const submit = h('button', { type: 'submit', class: 'btn book-submit', disabled: true }, res.requires_approval ? t('book.send') : t('book.book'));
  const clear = h('button', { type: 'button', class: 'btn secondary small', onclick: () => { sel = null; paint(); } }, t('book.clear'));
  const note = h('div', { class: 'sel-note hint', 'aria-live': 'polite' });
  const result = h('div', { class: 'book-result', 'aria-live': 'polite' });
  const startBox = h('div', { class: 'field', dataset: { field: 'start' } }, h('span', { class: 'label' }, t('book.start')), startOut, h('div', { class: 'field-error' }));
  const endBox = h('div', { class: 'field', dataset: { field: 'end_display' } }, h('span', { class: 'label' }, t('book.end')), endOut);
  const form = h('form', { class: 'card book-form', novalidate: true },
    h('h2', {}, t('book.form')),
    h('p', { class: 'hint' }, t('book.pick')),
    startBox, endBox,
    field(t('book.duration'), duration),
    note,
    field(t('book.purpose'), purpose, h('span', { class: 'purpose-count' })),
    field(t('price.project'), project),
    field(needsCostCentre ? t('price.cost_centre.req') : t('price.cost_centre'), costCentre),
    field(t('book.repeat'), repeat), countField, untilField,
    quote,
    h('div', { class: 'form-actions' }, submit, clear),
    tzNote());
  const showRepeat = () => { countField.hidden = repeat.value !== 'count'; untilField.hidden = repeat.value !== 'until'; };
  repeat.addEventListener('change', () => { showRepeat(); updateQuote(); });
  count.addEventListener('input', () => updateQuote());
  until.addEventListener('change', () => updateQuote());
  const counter = form.querySelector('.purpose-count');
  const count_ = () => { counter.textContent = t('book.chars', { n: [...purpose.value].length, max: purposeMax }); };
  purpose.addEventListener('input', count_);
  // The draft: every named input, select and textarea of the form (fields
  // other pages add to it too) and the chosen span; 'end' follows the span.
  const draftFields = () => [...form.elements].filter((el) => el.name && el.name !== 'end' && ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
  function saveDraft() {
    const fields = {};
    for (const el of draftFields()) fields[el.name] = el.type === 'checkbox' ? el.checked : el.value;
    const slots = sel && layout.days[sel.day].slots;
    const span = sel ? { s: slots[sel.from].start.getTime(), e: slots[sel.to].end.getTime() } : null;
    if (!span && !fields.purpose) { sessionStorage.removeItem(draftKey(res.id)); return; }
    sessionStorage.setItem(draftKey(res.id), JSON.stringify({ user: userId, sel: span, fields }));
  }
  if (draft) {
    for (const el of draftFields()) {
      if (!(el.name in draft.fields)) continue;
      if (el.type === 'checkbox') el.checked = !!draft.fields[el.name]; else el.value = draft.fields[el.name];
    }
  }
  form.addEventListener('input', saveDraft);
  form.addEventListener('change', saveDraft);
  showRepeat();
  count_();
  duration.addEventListener('change', () => {
    if (!sel) return;
    const slots = layout.days[sel.day].slots;
    const want = slots[sel.from].start.getTime() + Number(duration.value) * 60000;
    const i = slots.findIndex((s, k) => k >= sel.from && s.end.getTime() === want);
    if (i >= 0) { sel.to = i; paint(); }
  });

  // ---- header ----
  const facts = [
    res.category, res.requires_approval ? t('book.needsapproval') : t('book.autoapprove'),
    res.requires_training ? t('book.needstraining') : null,
    t('book.limits', { slot: fmtMinutes(slotMin), min: fmtMinutes(minMin), max: fmtMinutes(maxMin) }),
  ].filter(Boolean);
  const nav = h('div', { class: 'toolbar week-nav' },
    h('button', { type: 'button', class: 'btn secondary small', onclick: () => go(-7) }, t('book.prev')),
    h('button', { type: 'button', class: 'btn secondary small', onclick: () => { monday = weekStart(new Date()); dayIdx = todayIdx(); sel = null; showWeek(); load(); } }, t('book.today')),
    h('button', { type: 'button', class: 'btn secondary small week-next', onclick: () => go(7) }, t('book.next')));
  const legend = h('ul', { class: 'slot-legend', 'aria-label': t('book.legend') },
    ['free', 'pending', 'busy', 'mine', 'blackout', 'closed'].map((s) => h('li', {}, h('span', { class: ['swatch', s], 'aria-hidden': 'true' }), t('book.s.' + s))));

  root.append(
    h('p', { class: 'crumbs' }, h('a', { href: `#/resources/${res.id}` }, t('book.resource'))),
    h('h1', {}, t('book.title', { name: res.name })),
    h('p', { class: 'muted book-facts' }, facts.join(' · ')),
    tzNote(),
    h('div', { class: 'book-layout' },
      h('div', { class: 'book-main' }, nav, weekLabel, dayBar, status, summary, grid, legend),
      h('div', { class: 'book-side' }, form, result)));

  function todayIdx() { const d = localDate(new Date()); const i = Math.round((Date.UTC(d.y, d.m - 1, d.d) - Date.UTC(monday.y, monday.m - 1, monday.d)) / 86400000); return i >= 0 && i < 7 ? i : 0; }
  function go(n) { monday = addDays(monday, n); sel = null; showWeek(); load(); }
  /** The week shown, in the address (a new history entry: back returns to the week before). */
  function showWeek() { setQuery({ ...Object.fromEntries(params.query || []), week: dateKey(monday) }); }
  dayIdx = todayIdx();

  async function load({ keep = false, select = null } = {}) {
    const my = ++loadSeq;
    const kept = keep && sel ? { s: layout.days[sel.day].slots[sel.from].start.getTime(), e: layout.days[sel.day].slots[sel.to].end.getTime() } : select;
    sel = null;
    const next = layoutWeek(monday, res.opening_hours || [], slotMin);
    const first = next.days[0], last = next.days[6];
    weekLabel.textContent = `${t('book.week')}: ${fmtDate(first.start, { dateStyle: undefined, day: 'numeric', month: 'long' })} – ${fmtDate(new Date(last.end.getTime() - 1), { dateStyle: 'long' })}`;
    mount(status);
    mount(grid, h('p', { class: 'muted' }, t('common.loading')));
    mount(dayBar);
    let avail = null;
    try {
      avail = await get(`/api/v1/resources/${res.id}/availability${qs({ from: first.start.toISOString(), to: last.end.toISOString() })}`);
    } catch (e) {
      if (my !== loadSeq) return;
      mount(status, h('p', { class: 'form-error', role: 'alert' }, t('book.noavail', { msg: e.message })));
    }
    if (my !== loadSeq) return;
    layout = next;
    classify(avail);
    if (kept) restore(kept);
    paint();
  }

  function classify(avail) {
    const now = Date.now();
    const spans = (list) => (list || []).map((x) => ({ ...x, s: Date.parse(x.start), e: Date.parse(x.end) }));
    const open = spans(avail?.open), busy = spans(avail?.busy), black = spans(avail?.blackouts);
    for (const day of layout.days) {
      for (const sl of day.slots) {
        const s = sl.start.getTime(), e = sl.end.getTime();
        const hit = (x) => x.s < e && s < x.e;
        const bl = black.find(hit);
        const mine = busy.find((x) => x.mine && hit(x));
        const appr = busy.find((x) => !x.mine && x.status === 'approved' && hit(x));
        const pend = busy.find((x) => !x.mine && x.status === 'pending' && hit(x));
        sl.reason = bl?.reason || '';
        sl.bookingId = mine?.booking_id || null;
        if (!avail) sl.state = 'closed';
        else if (!open.some((x) => x.s <= s && e <= x.e)) sl.state = 'closed';
        else if (bl) sl.state = 'blackout';
        else if (mine) sl.state = mine.status === 'pending' ? 'minepending' : 'mine';
        else if (appr) sl.state = 'busy';
        else if (s < now) sl.state = 'past';
        else sl.state = pend ? 'pending' : 'free';
      }
    }
  }

  /** Re-selects a span after a reload when its slots are still selectable;
   * a phone then shows that span's day (not today's, nor the week's first). */
  function restore({ s, e }) {
    layout.days.forEach((day, d) => {
      const from = day.slots.findIndex((x) => x.start.getTime() === s);
      const to = day.slots.findIndex((x) => x.end.getTime() === e);
      if (from >= 0 && to >= from && runEnd(day.slots, from) >= to && SELECTABLE.has(day.slots[from].state)) {
        sel = { day: d, from, to };
        dayIdx = d;
      }
    });
  }

  /** Longest run of selectable, back-to-back slots from index i (as an index). */
  function runEnd(slots, i) {
    let j = i;
    while (j + 1 < slots.length && SELECTABLE.has(slots[j + 1].state) && slots[j + 1].start.getTime() === slots[j].end.getTime() &&
      slots[j + 1].end - slots[i].start <= maxMin * 60000) j++;
    return j;
  }

  function pick(d, i) {
    const slots = layout.days[d].slots;
    mount(result);
    if (sel && sel.day === d && i > sel.from && i <= runEnd(slots, sel.from) && slots[i].end - slots[sel.from].start >= minMin * 60000) {
      sel.to = i;
    } else {
      let to = i;
      const last = runEnd(slots, i);
      while (to < last && slots[to].end - slots[i].start < minMin * 60000) to++;
      sel = { day: d, from: i, to };
    }
    paint();
  }

  function selMinutes() { if (!sel) return 0; const sl = layout.days[sel.day].slots; return (sl[sel.to].end - sl[sel.from].start) / 60000; }

  function slotLabel(day, sl, state) {
    const when = new Intl.DateTimeFormat(loc(), { timeZone: 'Europe/Warsaw', weekday: 'long', day: 'numeric', month: 'long' }).format(sl.start);
    const time = rowLabel(sl.key);
    return `${when} ${time}, ${t('book.s.' + state)}${sl.reason ? ` (${sl.reason})` : ''}`;
  }
  /** Whether a row's wall time exists on a day (not in the spring gap; a
   * repeated fall-back time only on that night). */
  function wallExists(day, r) {
    const tr = day.transition;
    if (r.repeat) return !!(tr && tr.offsetAfter < tr.offsetBefore);
    return !(tr && tr.offsetAfter > tr.offsetBefore && r.minute >= tr.wallBefore && r.minute < tr.wallAfter);
  }
  function rowLabel(key) { return key.endsWith('+') ? t('book.again', { time: key.slice(0, -1) }) : key; }

  function paint() {
    const todayKey = dateKey(localDate(new Date()));
    mount(dayBar, layout.days.map((day, d) => h('button', {
      type: 'button', class: 'btn secondary small', 'aria-pressed': String(d === dayIdx),
      onclick: () => { dayIdx = d; paint(); },
    }, fmtDate(day.start, { dateStyle: undefined, weekday: 'short', day: 'numeric' }))));
    const rows = layout.rows;
    const selected = (d, i) => !!(sel && sel.day === d && i >= sel.from && i <= sel.to);
    if (!rows.length) {
      mount(grid, h('p', { class: 'muted closed-week' }, t('book.closedweek')));
    } else {
      const timeCol = h('div', { class: 'wk-col wk-times', 'aria-hidden': 'true' }, h('div', { class: 'wk-head' }),
        rows.map((r) => h('div', { class: 'wk-time' }, rowLabel(r.key))));
      const cols = layout.days.map((day, d) => {
        const byKey = new Map(day.slots.map((s, i) => [s.key, i]));
        const head = h('div', { class: ['wk-head', dateKey(day.date) === todayKey && 'today'] },
          h('span', { class: 'wk-dow' }, fmtDate(day.start, { dateStyle: undefined, weekday: 'short' })),
          ' ', h('span', { class: 'wk-date' }, fmtDate(day.start, { dateStyle: undefined, day: 'numeric', month: 'short' })),
          day.minutes !== 1440 ? h('span', { class: 'wk-dst' }, t('book.dayhours', { h: day.minutes / 60 })) : null);
        let prevReason = null;
        const cells = rows.map((r) => {
          const i = byKey.get(r.key);
          if (i === undefined) return h('div', { class: ['slot', 'closed', !wallExists(day, r) && 'none'], 'aria-hidden': 'true' });
          const sl = day.slots[i];
          const on = selected(d, i);
          const state = on ? 'selected' : sl.state;
          const label = slotLabel(day, sl, state);
          let text = '';
          if (sl.state === 'blackout') { text = sl.reason !== prevReason ? (sl.reason || t('book.short.blackout')) : ''; prevReason = sl.reason; } else prevReason = null;
          if (sl.state === 'busy') text = t('book.short.busy');
          if (sl.state === 'mine' || sl.state === 'minepending') text = t('book.short.mine');
          if (sl.state === 'pending' && !on) text = t('book.short.pending');
          if (on) text = fmtTime(sl.start);
          const cls = ['slot', sl.state, on && 'selected', r.repeat && 'repeat'];
          if (SELECTABLE.has(sl.state)) {
            return h('button', { type: 'button', class: cls, 'aria-label': label, 'aria-pressed': String(on), dataset: { start: sl.start.toISOString() },
              onclick: () => pick(d, i) }, text);
          }
          // Named by the whole label, read once: an aria-label that does not
          // hold the short visible word ("yours") confuses speech input.
          if ((sl.state === 'mine' || sl.state === 'minepending') && sl.bookingId)
            return h('a', { class: cls, href: `#/bookings/${sl.bookingId}`, title: label }, h('span', { class: 'sr' }, label), h('span', { 'aria-hidden': 'true' }, text));
          return h('div', { class: cls, title: label }, h('span', { class: 'sr' }, label), h('span', { 'aria-hidden': 'true' }, text));
        });
        return h('div', { class: ['wk-col', 'wk-day', d === dayIdx && 'cur'], role: 'group', 'aria-label': fmtDate(day.start, { dateStyle: 'full' }) }, head, cells);
      });
      const focused = document.activeElement && grid.contains(document.activeElement) ? document.activeElement.dataset.start : null;
      mount(grid, timeCol, cols);
      if (focused) grid.querySelector(`[data-start="${focused}"]`)?.focus();
    }
    paintForm();
  }

  /** The repetition the form asks for: null, {count} or {until}; false when it is not valid yet. */
  function repetition(start) {
    if (repeat.value === 'count') {
      const n = Number(count.value);
      return Number.isInteger(n) && n >= 2 && n <= 200 ? { count: n } : false;
    }
    if (repeat.value === 'until') {
      const u = parseDateKey(until.value);
      return u && dateKey(u) > dateKey(localDate(start)) ? { until: u } : false;
    }
    return null;
  }

  async function updateQuote() {
    const my = ++quoteSeq;
    quoteRefused = false;
    if (!sel) { mount(quote); return; }
    const slots = layout.days[sel.day].slots;
    const start = slots[sel.from].start, end = slots[sel.to].end;
    const rep = repetition(start);
    if (rep === false) { mount(quote); return; }
    mount(quote, h('p', { class: 'muted' }, t('price.loading')));
    const q = { start: toOffsetString(start), end: toOffsetString(end) };
    if (rep) q.rrule = weeklyRrule(rep);
    try {
      const p = await get(`/api/v1/resources/${res.id}/quote${qs(q)}`);
      if (my !== quoteSeq) return;
      quoteRefused = p.rate === null;
      mount(quote, h('h3', {}, t('price.title')), priceLines(p).map((x, i) => h('p', { class: i ? 'muted' : 'quote-line' }, x)));
      if (quoteRefused) submit.disabled = true;
    } catch (e) {
      if (my === quoteSeq) mount(quote, h('p', { class: 'field-error' }, e.message));
    }
  }

  function paintForm() {
    mount(note);
    mount(summary);
    duration.replaceChildren();
    saveDraft();
    if (!sel) {
      startOut.textContent = '—'; endOut.textContent = '—';
      duration.disabled = true; submit.disabled = true;
      updateQuote();
      return;
    }
    const slots = layout.days[sel.day].slots;
    const start = slots[sel.from].start, end = slots[sel.to].end;
    startOut.textContent = fmtSpanStart(start);
    endOut.textContent = fmtSpanStart(end);
    const last = runEnd(slots, sel.from);
    for (let k = sel.from; k <= last; k++) {
      const m = (slots[k].end - start) / 60000;
      if (m >= minMin && m <= maxMin) duration.append(h('option', { value: String(m), selected: k === sel.to }, fmtMinutes(m)));
    }
    duration.disabled = duration.options.length === 0;
    const ok = selMinutes() >= minMin && selMinutes() <= maxMin;
    if (!ok) note.textContent = t('book.short', { min: fmtMinutes(minMin) });
    submit.disabled = !ok;
    updateQuote();
    mount(summary, h('span', {}, `${t('book.s.selected')}: ${fmtSpan(start, end)}`), ' ',
      h('button', { type: 'button', class: 'btn small to-form', onclick: () => { purpose.focus(); purpose.scrollIntoView({ block: 'center' }); } }, t('book.continue')));
  }

  function fmtSpanStart(d) {
    return new Intl.DateTimeFormat(loc(), { timeZone: 'Europe/Warsaw', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d);
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!sel) return;
    clearErrors(form);
    const slots = layout.days[sel.day].slots;
    const start = slots[sel.from].start, end = slots[sel.to].end;
    const body = { resource_id: res.id, start: toOffsetString(start), end: toOffsetString(end), purpose: purpose.value.trim() };
    if (project.value.trim()) body.project = project.value.trim();
    if (costCentre.value.trim()) body.cost_centre = costCentre.value.trim();
    let rep = null;
    if (repeat.value === 'count') {
      const n = Number(count.value);
      if (!Number.isInteger(n) || n < 2 || n > 200) { showFormError(form, { field: 'count', message: t('book.badcount') }); return; }
      rep = { count: n };
    } else if (repeat.value === 'until') {
      const u = parseDateKey(until.value);
      if (!u || dateKey(u) <= dateKey(localDate(start))) { showFormError(form, { field: 'until', message: t('book.baduntil') }); return; }
      rep = { until: u };
    }
    if (rep) body.rrule = weeklyRrule(rep);
    submit.disabled = true;
    try {
      const b = await post('/api/v1/bookings', body);
      mount(result, h('section', { class: 'card book-done', role: 'status' },
        h('p', {}, statusBadge(b), ' ', h('strong', {}, b.status === 'approved' ? t('book.done.approved') : t('book.done.pending'))),
        h('p', {}, fmtSpan(b.start, b.end)),
        Array.isArray(b.bookings) ? h('p', {}, t('book.done.series', { n: b.bookings.length })) : null,
        h('p', { class: 'book-done-price' }, priceLines(sumPrices(b))[0]),
        h('p', { class: 'done-links' }, h('a', { href: `#/bookings/${b.id}` }, t('book.done.open')), ' · ', h('a', { href: '#/bookings', class: 'to-mine' }, t('book.done.mine')))));
      toast(b.status === 'approved' ? t('book.done.approved') : t('book.done.pending'));
      purpose.value = '';
      repeat.value = ''; showRepeat(); count_();
      await load();
      sessionStorage.removeItem(draftKey(res.id)); // after load(), which saves the (empty) form
      result.querySelector('a')?.focus();
    } catch (e) {
      submit.disabled = false;
      if (e.status === 409 && e.code !== 'economic_cap') {
        const spans = rep ? weeklySpans(start, end, rep) : [{ start, end }];
        const clashes = await findClashes(res.id, spans);
        const box = h('div', { class: 'form-error clash', role: 'alert' }, clashList(clashes));
        form.prepend(box);
        await load({ keep: true });
      } else if (e.status === 403) {
        form.prepend(h('div', { class: 'form-error', role: 'alert' }, forbiddenText(e, res)));
      } else if (e.status === 422) {
        const f = e.field === 'rrule' ? (repeat.value === 'until' ? 'until' : repeat.value === 'count' ? 'count' : 'rrule') : e.field;
        showFormError(form, { field: f, message: e.message });
      } else {
        showFormError(form, e);
      }
    }
  });

  await load({ select: draft?.sel || null });
}

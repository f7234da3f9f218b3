// inbox.js — #/inbox: the requests the owner (or staff) may decide now
// (GET /api/v1/bookings?decidable=true: pending, on resources they manage;
// their own outgoing requests elsewhere are not theirs to decide and do not
// appear), grouped by resource and, within it, by series. Each request shows
// what it would clash with; approve in one click, decline with a reason
// (required: the booker is told), a whole series at once (all or nothing);
// rows update in place.
import { h, mount } from '../dom.js';
import { get, post, qs } from '../api.js';
import { t, addStrings } from '../i18n.js';
import { statusBadge, fmtSpan, tzNote } from './booking-common.js';
import { listAll } from '../catalogue-util.js';
import { bodySchema } from '../schema.js';

addStrings({
  pl: {
    'inbox.title': 'Wnioski o rezerwację', 'inbox.count': 'Wnioski czekające na Twoją decyzję: {n}.', 'inbox.none': 'Nic nie czeka na Twoją decyzję.',
    'inbox.only': 'Tę stronę widzą opiekunowie laboratoriów i koordynatorzy klastra.',
    'inbox.pending': '{n} oczekuje', 'inbox.book': 'Kalendarz zasobu',
    'inbox.approve': 'Zatwierdź', 'inbox.decline': 'Odrzuć…', 'inbox.decline.send': 'Odrzuć', 'inbox.decline.back': 'Wróć',
    'inbox.reason': 'Powód odrzucenia (rezerwujący go zobaczy)', 'inbox.reason.needed': 'Podaj powód — rezerwujący dostanie go w wiadomości.',
    'inbox.approved': 'Zatwierdzono wniosek: {who}, {when}.', 'inbox.declined': 'Odrzucono wniosek: {who}, {when}.',
    'inbox.c.approved': 'Koliduje z zatwierdzoną rezerwacją — zatwierdzenie się nie uda:', 'inbox.c.pending': 'Nakłada się na inne wnioski:',
    'inbox.c.blackout': 'Przypada na wyłączenie:', 'inbox.c.none': 'Brak kolizji.', 'inbox.past': 'termin już minął',
    'inbox.org': 'organizacja', 'inbox.guest': 'gość', 'inbox.details': 'Szczegóły',
    'inbox.series': 'Seria: {who} — oczekujące terminy: {n}', 'inbox.series.approve': 'Zatwierdź wszystkie',
    'inbox.series.decline': 'Odrzuć wszystkie…', 'inbox.series.approved': 'Zatwierdzono terminy serii: {n}.',
    'inbox.series.declined': 'Odrzucono terminy serii: {n}.',
    'inbox.series.clash': 'Żaden termin nie został zatwierdzony: część koliduje (zobacz poniżej). Odrzuć kolidujące terminy i spróbuj ponownie.',
  },
  en: {
    'inbox.title': 'Booking requests', 'inbox.count': 'Requests awaiting your decision: {n}.', 'inbox.none': 'Nothing awaits your decision.',
    'inbox.only': 'This page is for lab owners and cluster staff.',
    'inbox.pending': '{n} pending', 'inbox.book': 'Resource calendar',
    'inbox.approve': 'Approve', 'inbox.decline': 'Decline…', 'inbox.decline.send': 'Decline', 'inbox.decline.back': 'Back',
    'inbox.reason': 'Reason for declining (the booker sees it)', 'inbox.reason.needed': 'Give a reason — the booker is sent it.',
    'inbox.approved': 'Approved: {who}, {when}.', 'inbox.declined': 'Declined: {who}, {when}.',
    'inbox.c.approved': 'Clashes with an approved booking — approving will fail:', 'inbox.c.pending': 'Overlaps other requests:',
    'inbox.c.blackout': 'Falls in a blackout:', 'inbox.c.none': 'No clashes.', 'inbox.past': 'already in the past',
    'inbox.org': 'organisation', 'inbox.guest': 'guest', 'inbox.details': 'Details',
    'inbox.series': 'Series: {who} — {n} pending', 'inbox.series.approve': 'Approve all',
    'inbox.series.decline': 'Decline all…', 'inbox.series.approved': 'Approved {n} bookings of the series.',
    'inbox.series.declined': 'Declined {n} bookings of the series.',
    'inbox.series.clash': 'Nothing was approved: some of them clash (see below). Decline the clashing ones and try again.',
  },
});

const overlaps = (a, b) => Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);

/** A decline form: the reason is required (the booker is told it); its
 * error is said next to it (aria-describedby). */
let declines = 0;
function declineForm(onSend, onBack) {
  const err = h('div', { class: 'field-error', role: 'alert', id: `decline-err-${++declines}` });
  const reason = h('input', { type: 'text', name: 'reason', maxlength: bodySchema('post', '/api/v1/bookings/{id}/decline').properties.reason.maxLength, required: true, 'aria-label': t('inbox.reason'), placeholder: t('inbox.reason'), 'aria-describedby': err.id });
  const form = h('form', { class: 'decline-form', novalidate: true }, reason,
    h('button', { type: 'submit', class: 'btn danger small' }, t('inbox.decline.send')),
    h('button', { type: 'button', class: 'btn secondary small', onclick: onBack }, t('inbox.decline.back')), err);
  const invalid = (message) => { err.textContent = message; reason.setAttribute('aria-invalid', 'true'); reason.focus(); };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const why = reason.value.trim();
    if (!why) { invalid(t('inbox.reason.needed')); return; }
    try { await onSend(why); } catch (e) {
      if (e.field === 'reason') invalid(e.message);
      else err.textContent = e.message;
    }
  });
  setTimeout(() => reason.focus());
  return form;
}

export async function render(root, { state, toast }) {
  root.append(h('h1', {}, t('inbox.title')), tzNote());
  if (!['owner', 'staff'].includes(state.user?.role)) { root.append(h('p', { class: 'muted' }, t('inbox.only'))); return; }

  const pending = (await listAll('/api/v1/bookings', { decidable: 'true' }))
    .filter((b) => b.status === 'pending').sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const orgs = new Map();
  try { for (const o of (await get('/api/v1/organisations?limit=500')).items || []) orgs.set(o.id, o.short_name || o.name); } catch { /* names only */ }

  const groups = new Map();
  for (const b of pending) {
    if (!groups.has(b.resource_id)) groups.set(b.resource_id, { id: b.resource_id, name: b.resource_name || `#${b.resource_id}`, items: [], context: [], blackouts: [] });
    groups.get(b.resource_id).items.push(b);
  }
  // What each request would clash with: the resource's other live bookings
  // and its blackouts over the requests' span.
  await Promise.all([...groups.values()].map(async (g) => {
    const from = new Date(Math.min(...g.items.map((b) => Date.parse(b.start)))).toISOString();
    const to = new Date(Math.max(...g.items.map((b) => Date.parse(b.end)))).toISOString();
    try {
      // The API lists at most 366 days at a time; a long series asks in pieces.
      const seen = new Map();
      const end = Date.parse(to);
      for (let s = Date.parse(from); s < end; s += 366 * 86400000) {
        const piece = { from: new Date(s).toISOString(), to: new Date(Math.min(end, s + 366 * 86400000)).toISOString() };
        const ctx = await get('/api/v1/bookings' + qs({ resource_id: g.id, ...piece, limit: 500 }));
        for (const x of ctx.items || []) seen.set(x.id, x);
      }
      g.context = [...seen.values()].filter((x) => x.status === 'approved' || x.status === 'pending');
    } catch { g.context = []; }
    for (const b of g.items) if (!g.context.some((x) => x.id === b.id)) g.context.push(b);
    try {
      const bl = await get(`/api/v1/resources/${g.id}/blackouts` + qs({ from, to, limit: 500 }));
      g.blackouts = bl.items || [];
    } catch { g.blackouts = []; }
  }));

  const countLine = h('p', { class: 'inbox-count', 'aria-live': 'polite' });
  const sections = h('div', { class: 'inbox-groups' });
  root.append(countLine, sections);

  const left = () => pending.filter((b) => b.status === 'pending').length;
  function paintCount() { countLine.textContent = left() ? t('inbox.count', { n: left() }) : t('inbox.none'); }

  for (const g of groups.values()) {
    const gcount = h('span', { class: 'badge pending' });
    const rows = new Map();
    const settle = (decided) => {
      for (const d of decided) {
        const b = g.items.find((x) => x.id === d.id);
        if (b) Object.assign(b, d);
        const c = g.context.find((x) => x.id === d.id);
        if (c) c.status = d.status;
      }
      g.context = g.context.filter((x) => x.status === 'approved' || x.status === 'pending');
      paintGroup();
      paintCount();
    };
    const paintGroup = () => {
      gcount.textContent = t('inbox.pending', { n: g.items.filter((b) => b.status === 'pending').length });
      for (const b of g.items) paintRow(b);
      for (const s of blocks) s.paint();
    };
    const paintRow = (b) => {
      const li = rows.get(b.id);
      const who = b.user_name || `#${b.user_id}`;
      const org = b.organisation_id == null ? t('inbox.guest') : orgs.get(b.organisation_id) || `${t('inbox.org')} #${b.organisation_id}`;
      const others = g.context.filter((x) => x.id !== b.id && overlaps(x, b));
      const approved = others.filter((x) => x.status === 'approved');
      const pend = others.filter((x) => x.status === 'pending');
      const black = g.blackouts.filter((x) => overlaps(x, b));
      const item = (x) => h('li', {}, fmtSpan(x.start, x.end), ' — ', x.user_name || `#${x.user_id}`, x.purpose ? ` (${x.purpose})` : '');
      const conflicts = b.status !== 'pending' ? null : !approved.length && !pend.length && !black.length
        ? h('p', { class: 'hint' }, t('inbox.c.none'))
        : h('div', { class: ['conflicts', (approved.length || black.length) && 'hard'] },
          approved.length ? [h('strong', {}, t('inbox.c.approved')), h('ul', {}, approved.map(item))] : null,
          black.length ? [h('strong', {}, t('inbox.c.blackout')), h('ul', {}, black.map((x) => h('li', {}, fmtSpan(x.start, x.end), x.reason ? ` — ${x.reason}` : '')))] : null,
          pend.length ? [h('strong', {}, t('inbox.c.pending')), h('ul', {}, pend.map(item))] : null);
      const actions = h('div', { class: 'ii-actions' });
      const err = h('div', { class: 'field-error', role: 'alert', id: `inbox-err-${b.id}` });
      const when = fmtSpan(b.start, b.end);
      const approve = async (btn) => {
        btn.disabled = true;
        try {
          settle([await post(`/api/v1/bookings/${b.id}/approve`)]);
          toast(t('inbox.approved', { who, when }));
          rows.get(b.id).querySelector('a')?.focus();
        } catch (e) { btn.disabled = false; err.textContent = e.message; toast(e.message, 'bad'); }
      };
      const showDecline = () => mount(actions, declineForm(async (reason) => {
        settle([await post(`/api/v1/bookings/${b.id}/decline`, { reason })]);
        toast(t('inbox.declined', { who, when }));
        rows.get(b.id).querySelector('a')?.focus();
      }, () => { paintRow(b); rows.get(b.id).querySelector('.decline-open')?.focus(); }));
      if (b.status === 'pending') {
        mount(actions,
          h('button', { type: 'button', class: 'btn small approve', onclick: (ev) => approve(ev.currentTarget) }, t('inbox.approve')),
          h('button', { type: 'button', class: 'btn secondary small decline-open', onclick: showDecline }, t('inbox.decline')),
          err);
      }
      mount(li,
        h('div', { class: 'ii-main' },
          h('div', {}, h('span', { class: 'ii-who' }, who), ' · ', h('span', { class: 'ii-org' }, org), ' ', statusBadge(b)),
          h('div', { class: 'ii-when' }, when, Date.parse(b.start) < Date.now() ? h('span', { class: 'hint' }, ` (${t('inbox.past')})`) : null),
          b.purpose ? h('div', { class: 'ii-purpose' }, b.purpose) : null,
          b.reason && b.status === 'declined' ? h('div', { class: 'hint' }, b.reason) : null,
          conflicts,
          h('a', { href: `#/bookings/${b.id}`, class: 'hint' }, t('inbox.details'))),
        actions);
      li.classList.toggle('done', b.status !== 'pending');
      li.dataset.status = b.status;
    };
    const rowOf = (b) => {
      const li = h('li', { class: 'inbox-item', dataset: { id: String(b.id) } });
      rows.set(b.id, li);
      return li;
    };
    // A series with more than one request here is decided together or one
    // by one; the rest are single requests.
    const bySeries = new Map();
    for (const b of g.items) if (b.series_id) bySeries.set(b.series_id, [...(bySeries.get(b.series_id) || []), b]);
    const blocks = [];
    const list = h('ul', { class: 'inbox-list' });
    const placed = new Set();
    for (const b of g.items) {
      if (placed.has(b.id)) continue;
      const mates = b.series_id ? bySeries.get(b.series_id) : [b];
      if (mates.length < 2) { list.append(rowOf(b)); placed.add(b.id); continue; }
      for (const m of mates) placed.add(m.id);
      blocks.push(seriesBlock(mates));
    }
    function seriesBlock(items) {
      const head = h('div', { class: 'series-head' });
      const actions = h('div', { class: 'ii-actions' });
      const err = h('div', { class: 'field-error', role: 'alert' });
      const first = () => items.find((x) => x.status === 'pending');
      const block = h('li', { class: 'inbox-series', dataset: { series: String(items[0].series_id) } },
        head, actions, h('ul', { class: 'inbox-list' }, items.map(rowOf)));
      // Every pending request of the series from the first on: all or none.
      const all = async (path, body, done) => {
        try {
          const r = await post(`/api/v1/bookings/${first().id}/${path}`, { ...body, series: true });
          settle(r.bookings || [r]);
          toast(t(done, { n: (r.bookings || [r]).length }));
        } catch (e) {
          toast(e.message, 'bad');
          throw e.status === 409 && (e.body?.conflicts?.length || e.body?.blackouts?.length)
            ? new Error(`${t('inbox.series.clash')} (${e.message})`) : e;
        }
      };
      const paint = () => {
        const n = items.filter((x) => x.status === 'pending').length;
        mount(head, h('strong', {}, t('inbox.series', { who: items[0].user_name || `#${items[0].user_id}`, n })));
        if (!n) { mount(actions); return; }
        err.textContent = '';
        mount(actions,
          h('button', { type: 'button', class: 'btn small approve-all', onclick: (ev) => {
            const btn = ev.currentTarget;
            btn.disabled = true;
            all('approve', {}, 'inbox.series.approved').catch((e) => { btn.disabled = false; err.textContent = e.message; });
          } }, t('inbox.series.approve')),
          h('button', { type: 'button', class: 'btn secondary small decline-all', onclick: () => mount(actions, declineForm((reason) => all('decline', { reason }, 'inbox.series.declined'), paint)) }, t('inbox.series.decline')),
          err);
      };
      list.append(block);
      return { paint };
    }
    paintGroup();
    sections.append(h('section', { class: 'card inbox-group', dataset: { resource: String(g.id) } },
      h('h2', {}, h('span', {}, g.name), gcount, h('a', { href: `#/book/${g.id}`, class: 'hint' }, t('inbox.book'))),
      list));
  }
  paintCount();
}

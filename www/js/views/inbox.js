// inbox.js — #/inbox: pending requests on the resources the owner (or staff)
// manages, grouped by resource, each with what it would clash with; approve
// in one click, decline with a reason, rows update in place.
import { h, mount } from '../dom.js';
import { get, post, qs } from '../api.js';
import { t, addStrings } from '../i18n.js';
import { statusBadge, fmtSpan, tzNote } from './booking-common.js';
import { bodySchema } from '../schema.js';

addStrings({
  pl: {
    'inbox.title': 'Wnioski o rezerwację', 'inbox.count': 'Oczekujące wnioski: {n}.', 'inbox.none': 'Brak oczekujących wniosków.',
    'inbox.only': 'Tę stronę widzą opiekunowie laboratoriów i koordynatorzy klastra.',
    'inbox.pending': '{n} oczekuje', 'inbox.book': 'Kalendarz zasobu',
    'inbox.approve': 'Zatwierdź', 'inbox.decline': 'Odrzuć…', 'inbox.decline.send': 'Odrzuć', 'inbox.decline.back': 'Wróć',
    'inbox.reason': 'Powód odrzucenia', 'inbox.approved': 'Zatwierdzono wniosek: {who}, {when}.', 'inbox.declined': 'Odrzucono wniosek: {who}, {when}.',
    'inbox.c.approved': 'Koliduje z zatwierdzoną rezerwacją — zatwierdzenie się nie uda:', 'inbox.c.pending': 'Nakłada się na inne wnioski:',
    'inbox.c.blackout': 'Przypada na wyłączenie:', 'inbox.c.none': 'Brak kolizji.', 'inbox.past': 'termin już minął',
    'inbox.org': 'organizacja', 'inbox.guest': 'gość', 'inbox.details': 'Szczegóły',
  },
  en: {
    'inbox.title': 'Booking requests', 'inbox.count': 'Pending requests: {n}.', 'inbox.none': 'No pending requests.',
    'inbox.only': 'This page is for lab owners and cluster staff.',
    'inbox.pending': '{n} pending', 'inbox.book': 'Resource calendar',
    'inbox.approve': 'Approve', 'inbox.decline': 'Decline…', 'inbox.decline.send': 'Decline', 'inbox.decline.back': 'Back',
    'inbox.reason': 'Reason for declining', 'inbox.approved': 'Approved: {who}, {when}.', 'inbox.declined': 'Declined: {who}, {when}.',
    'inbox.c.approved': 'Clashes with an approved booking — approving will fail:', 'inbox.c.pending': 'Overlaps other requests:',
    'inbox.c.blackout': 'Falls in a blackout:', 'inbox.c.none': 'No clashes.', 'inbox.past': 'already in the past',
    'inbox.org': 'organisation', 'inbox.guest': 'guest', 'inbox.details': 'Details',
  },
});

const overlaps = (a, b) => Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);

export async function render(root, { state, toast }) {
  root.append(h('h1', {}, t('inbox.title')), tzNote());
  if (!['owner', 'staff'].includes(state.user?.role)) { root.append(h('p', { class: 'muted' }, t('inbox.only'))); return; }

  const data = await get('/api/v1/bookings' + qs({ status: 'pending', limit: 500 }));
  const pending = (data.items || []).filter((b) => b.status === 'pending').sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
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
      const ctx = await get('/api/v1/bookings' + qs({ resource_id: g.id, from, to, limit: 500 }));
      g.context = (ctx.items || []).filter((x) => x.status === 'approved' || x.status === 'pending');
    } catch { g.context = []; }
    for (const b of g.items) if (!g.context.some((x) => x.id === b.id)) g.context.push(b);
    try {
      const bl = await get(`/api/v1/resources/${g.id}/blackouts` + qs({ limit: 500 }));
      g.blackouts = (bl.items || bl || []).filter((x) => Date.parse(x.end) > Date.parse(from) && Date.parse(x.start) < Date.parse(to));
    } catch { g.blackouts = []; }
  }));

  const countLine = h('p', { class: 'inbox-count', 'aria-live': 'polite' });
  const sections = h('div', { class: 'inbox-groups' });
  root.append(countLine, sections);

  const left = () => pending.filter((b) => b.status === 'pending').length;
  function paintCount() { countLine.textContent = left() ? t('inbox.count', { n: left() }) : t('inbox.none'); }

  for (const g of groups.values()) {
    const gcount = h('span', { class: 'badge pending' });
    const list = h('ul', { class: 'inbox-list' });
    const rows = new Map();
    const paintGroup = () => {
      gcount.textContent = t('inbox.pending', { n: g.items.filter((b) => b.status === 'pending').length });
      for (const b of g.items) paintRow(b);
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
          const r = await post(`/api/v1/bookings/${b.id}/approve`);
          Object.assign(b, r && r.id ? r : { status: 'approved' });
          const c = g.context.find((x) => x.id === b.id); if (c) c.status = b.status;
          toast(t('inbox.approved', { who, when }));
          paintGroup(); paintCount();
          rows.get(b.id).querySelector('a')?.focus();
        } catch (e) { btn.disabled = false; err.textContent = e.message; toast(e.message, 'bad'); }
      };
      const showDecline = () => {
        const reason = h('input', { type: 'text', name: 'reason', maxlength: bodySchema('post', '/api/v1/bookings/{id}/decline').properties.reason.maxLength, 'aria-label': t('inbox.reason'), placeholder: t('inbox.reason'), 'aria-describedby': err.id });
        const form = h('form', { class: 'decline-form', novalidate: true }, reason,
          h('button', { type: 'submit', class: 'btn danger small' }, t('inbox.decline.send')),
          h('button', { type: 'button', class: 'btn secondary small', onclick: () => { paintRow(b); rows.get(b.id).querySelector('.decline-open')?.focus(); } }, t('inbox.decline.back')));
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          try {
            const r = await post(`/api/v1/bookings/${b.id}/decline`, reason.value.trim() ? { reason: reason.value.trim() } : {});
            Object.assign(b, r && r.id ? r : { status: 'declined', reason: reason.value.trim() });
            g.context = g.context.filter((x) => x.id !== b.id);
            toast(t('inbox.declined', { who, when }));
            paintGroup(); paintCount();
            rows.get(b.id).querySelector('a')?.focus();
          } catch (e) {
            err.textContent = e.message;
            if (e.field === 'reason') { reason.setAttribute('aria-invalid', 'true'); reason.focus(); } // next to it
            else toast(e.message, 'bad');
          }
        });
        mount(actions, form, err);
        reason.focus();
      };
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
    for (const b of g.items) {
      const li = h('li', { class: 'inbox-item', dataset: { id: String(b.id) } });
      rows.set(b.id, li);
      list.append(li);
    }
    paintGroup();
    sections.append(h('section', { class: 'card inbox-group', dataset: { resource: String(g.id) } },
      h('h2', {}, h('span', {}, g.name), gcount, h('a', { href: `#/book/${g.id}`, class: 'hint' }, t('inbox.book'))),
      list));
  }
  paintCount();
}

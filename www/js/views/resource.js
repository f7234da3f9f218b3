// resource.js — #/resources/:id: what it is, where, when it is open, the
// booking rules, the next 7 days at a glance, and the Book button.
import { h, field, mount } from '../dom.js';
import { get, post, qs } from '../api.js';
import { t, addStrings, fmtDate, fmtTime, fmtNumber } from '../i18n.js';
import { subscribeBox } from '../components/subscribe.js';
import { calendarSources } from '../components/calendar-sources.js';
import {
  lookups, resourceOrgId, canManage, facts, badges, hoursByDay, windowText, minutesText, num, orgLabel,
  localParts, localToDate, addDays, isoZ, backLink,
} from '../catalogue-util.js';
import { priceFacts } from '../money.js';
import { label, bodySchema } from '../schema.js';

addStrings({
  pl: {
    'ask.open': 'Poproś o szkolenie', 'ask.message': 'Wiadomość do opiekunów (nieobowiązkowa)',
    'ask.hint': 'Np. do czego potrzebujesz zasobu i kiedy możesz przyjść. Opiekunowie dostaną e-mail.',
    'ask.send': 'Wyślij prośbę', 'ask.sent': 'Poprosiłeś(-aś) o szkolenie; opiekunowie dostali wiadomość.',
    'ask.done': 'Wysłano prośbę o szkolenie.',
  },
  en: {
    'ask.open': 'Ask for training', 'ask.message': 'Message to the owners (optional)',
    'ask.hint': 'For example what you need the resource for and when you could come. The owners are e-mailed.',
    'ask.send': 'Send the request', 'ask.sent': 'You have asked for training; the owners have been told.',
    'ask.done': 'Your request for training was sent.',
  },
});

/** A researcher not yet trained asks the owners for training. */
function askTraining(r, toast) {
  const box = h('div', { class: 'training-ask', id: 'training-ask' });
  const sent = () => mount(box, h('p', { class: 'hint' }, t('ask.sent')));
  if (r.training_requested) { sent(); return box; }
  const message = h('textarea', { name: 'message', rows: 3, maxlength: bodySchema('post', '/api/v1/resources/{id}/training-requests').properties.message.maxLength });
  const err = h('div', { class: 'form-error', role: 'alert' });
  const form = h('form', { novalidate: true },
    field(t('ask.message'), message, t('ask.hint')), err,
    h('button', { type: 'submit', class: 'btn small' }, t('ask.send')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await post(`/api/v1/resources/${r.id}/training-requests`, { message: message.value.trim() });
      toast?.(t('ask.done'));
      sent();
    } catch (e) { err.textContent = e.message; }
  });
  mount(box, h('details', {}, h('summary', {}, t('ask.open')), form));
  return box;
}

export async function render(root, { params, state, toast }) {
  const r = await get(`/api/v1/resources/${encodeURIComponent(params.id)}`);
  const look = await lookups();
  let lab = look.labs.get(r.lab_id);
  if (!lab) lab = await get(`/api/v1/labs/${r.lab_id}`).catch(() => null);
  const orgId = resourceOrgId(r, look.labs) ?? lab?.organisation_id;
  let org = look.orgs.get(orgId);
  if (!org && orgId) org = await get(`/api/v1/organisations/${orgId}`).catch(() => null);

  const power = r.power_kw || r.standby_kw
    ? [r.power_kw ? t('res.kw', { v: num(r.power_kw, 2) }) : null, r.standby_kw ? t('res.standby', { v: num(r.standby_kw, 2) }) : null].filter(Boolean).join(' · ')
    : null;

  const head = h('section', { class: 'card cat-detail' },
    backLink('#/catalogue', t('cat.title')),
    h('h1', {}, r.name),
    r.category ? h('p', { class: 'cat-category' }, r.category) : null,
    badges(r),
    r.description ? h('p', { class: 'cat-desc' }, r.description) : null,
    facts([
      [label('Resource', 'lab_id'), lab || r.lab_name ? h('a', { href: `#/labs/${r.lab_id}` }, lab?.name || r.lab_name) : null],
      [label('Resource', 'organisation_id'), org || r.organisation_name ? h('a', { href: `#/organisations/${orgId}` }, org ? orgLabel(org) : r.organisation_name) : null],
      [label('Lab', 'building'), lab?.building],
      [label('Lab', 'address'), addressText(lab?.address, lab?.city || r.city || org?.city)],
      [label('Resource', 'biosafety_level'), lab ? 'BSL-' + lab.biosafety_level : null],
      [t('res.power'), power],
    ]),
    h('div', { class: 'cat-actions' },
      h('a', { class: 'btn', href: `#/book/${r.id}`, id: 'book' }, t('cat.book')),
      canManage(state.user, orgId) ? h('a', { class: 'btn secondary', href: `#/manage/resources/${r.id}` }, t('res.edit')) : null));

  const rules = h('section', { class: 'card' },
    h('h2', {}, t('res.booking')),
    facts([
      [label('Resource', 'slot_minutes'), num(r.slot_minutes, 0)],
      [t('res.minmax'), t('res.range', { a: minutesText(r.min_minutes), b: minutesText(r.max_minutes) })],
      ...priceFacts(r),
    ]),
    h('ul', { class: 'cat-rules' },
      h('li', {}, r.requires_approval ? t('res.approval.yes') : t('res.approval.no')),
      r.requires_training ? h('li', {}, t('res.training.yes'),
        r.trained === true ? h('strong', { class: 'cat-trained' }, ' ' + t('res.trained.you')) : null,
        r.trained === false ? h('strong', { class: 'cat-untrained' }, ' ' + t('res.trained.not')) : null,
        r.trained === false ? askTraining(r, toast) : null) : null,
      r.shared ? null : h('li', {}, t('res.shared.no'))));

  const days = hoursByDay(r.opening_hours);
  const hours = h('section', { class: 'card' }, h('h2', {}, t('res.hours')),
    (r.opening_hours || []).length === 0 ? h('p', { class: 'muted' }, t('hours.none')) : null,
    h('table', { class: 'data cat-hours' }, h('tbody', {}, days.map((ws, i) => h('tr', {},
      h('th', { scope: 'row' }, t('wd.' + (i + 1))),
      h('td', {}, ws.length ? ws.map(windowText).join(', ') : h('span', { class: 'muted' }, t('hours.closed'))))))));

  const avail = h('section', { class: 'card cat-avail' }, h('h2', {}, t('res.avail')), h('p', { class: 'muted' }, t('common.loading')));
  root.append(h('div', { class: 'cat-detail-grid' }, h('div', {}, head, rules, avail),
    h('div', {}, hours, subscribeBox('resource', r.id), canManage(state.user, orgId) ? calendarSources(r.id) : null)));
  loadAvailability(r, avail);
}

/** The address, with the city added unless the address already names it. */
function addressText(address, city) {
  if (!address) return city || null;
  return city && !address.toLowerCase().includes(city.toLowerCase()) ? `${address}, ${city}` : address;
}

/* ---------- the next 7 days ---------- */

const hoursBetween = (a, b) => Math.max(0, b - a) / 3600000;

/** Clips [s,e) spans (ms) to [from,to) and merges overlaps. */
function clipMerge(spans, from, to) {
  const out = [];
  for (const [s, e] of spans.map(([s, e]) => [Math.max(s, from), Math.min(e, to)]).filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e); else out.push([s, e]);
  }
  return out;
}
const total = (spans) => spans.reduce((n, [s, e]) => n + hoursBetween(s, e), 0);
/** Part of `spans` covered by `cover` (both merged). */
function intersect(spans, cover) {
  const out = [];
  for (const [s, e] of spans) for (const [a, b] of cover) { const x = Math.max(s, a), y = Math.min(e, b); if (y > x) out.push([x, y]); }
  return out;
}

async function loadAvailability(r, box) {
  const today = localParts(new Date()).date;
  const dayStarts = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => localToDate(addDays(today, i)).getTime());
  let a;
  try {
    a = await get(`/api/v1/resources/${r.id}/availability` + qs({ from: isoZ(new Date(dayStarts[0])), to: isoZ(new Date(dayStarts[7])) }));
  } catch (e) {
    box.replaceChildren(h('h2', {}, t('res.avail')), h('p', { class: 'muted' }, e.status === 404 || e.status === 405 ? t('res.avail.na') : e.message));
    return;
  }
  const ms = (x) => new Date(x).getTime();
  const open = (a.open || []).map((x) => [ms(x.start), ms(x.end)]);
  const busyAll = (a.busy || []).filter((b) => b.status !== 'cancelled' && b.status !== 'declined');
  const busy = busyAll.filter((b) => b.status !== 'pending').map((x) => [ms(x.start), ms(x.end)]);
  const blk = (a.blackouts || []).map((x) => [ms(x.start), ms(x.end)]);
  const rows = [];
  for (let i = 0; i < 7; i++) {
    const from = dayStarts[i], to = dayStarts[i + 1];
    const o = clipMerge(open, from, to), b = clipMerge(busy, from, to), x = clipMerge(blk, from, to);
    const pending = busyAll.filter((p) => p.status === 'pending' && ms(p.start) < to && ms(p.end) > from).length;
    const openH = total(o), busyH = total(intersect(b, o)), blkH = total(intersect(x, o));
    const freeH = Math.max(0, openH - total(intersect(clipMerge([...b, ...x], from, to), o)));
    const summary = openH === 0
      ? h('span', { class: 'muted' }, t('res.avail.closed'))
      : [h('span', { class: 'cat-free' }, t('res.avail.free', { h: fmtNumber(freeH, freeH % 1 ? 1 : 0) })),
        busyH ? [' · ', t('res.avail.busy', { h: fmtNumber(busyH, busyH % 1 ? 1 : 0) })] : null,
        blkH ? [' · ', t('res.avail.blackout')] : null,
        pending ? [' · ', t('res.avail.pending', { n: pending })] : null];
    const opened = o.map(([s, e]) => `${fmtTime(new Date(s))}–${e === to ? '24:00' : fmtTime(new Date(e))}`).join(', ');
    rows.push(h('tr', {},
      h('th', { scope: 'row' }, fmtDate(new Date(from + 12 * 3600000), { dateStyle: undefined, weekday: 'short', day: 'numeric', month: 'short' })),
      h('td', { class: 'cat-bar-cell' }, dayBar(from, to, o, b, x, opened)),
      h('td', {}, summary)));
  }
  box.replaceChildren(h('h2', {}, t('res.avail')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data cat-avail-table' }, h('tbody', {}, rows))),
    h('p', { class: 'hint' }, t('res.avail.legend')));
}

/** A 24-hour bar: open windows light, bookings dark, blackouts grey. */
function dayBar(from, to, open, busy, blackouts, label) {
  const span = to - from;
  const rect = ([s, e], cls) => h('rect', { x: ((s - from) / span * 240).toFixed(2), y: 0, width: ((e - s) / span * 240).toFixed(2), height: 14, class: cls });
  return h('svg', { viewBox: '0 0 240 14', class: 'cat-bar', role: 'img', 'aria-label': label || t('res.avail.closed'), preserveAspectRatio: 'none' },
    h('rect', { x: 0, y: 0, width: 240, height: 14, class: 'bar-closed' }),
    open.map((x) => rect(x, 'bar-open')), busy.map((x) => rect(x, 'bar-busy')), blackouts.map((x) => rect(x, 'bar-blackout')),
    [6, 12, 18].map((hh) => h('line', { x1: hh * 10, x2: hh * 10, y1: 0, y2: 14, class: 'bar-tick' })));
}

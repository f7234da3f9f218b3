// booking-common.js — pieces shared by the booking pages (book, bookings,
// booking, inbox): their strings, status badges, local-time spans, the
// inline cancel confirmation and the explanation of a 409 clash.
import { h, mount } from '../dom.js';
import { get, post, qs } from '../api.js';
import { t, addStrings, fmtDate, fmtTime, getLang } from '../i18n.js';
import { ZONE, localDate, addDays, localMidnight, zonedParts, localToInstant } from '../localtime.js';
import { bodySchema, choiceLabel } from '../schema.js';

addStrings({
  pl: {
    'bk.tz': 'Godziny według czasu krakowskiego.',
    'bk.noshow': 'nieobecność', 'bk.series': 'seria',
    'bk.cancel': 'Anuluj rezerwację', 'bk.cancel.q': 'Anulować tę rezerwację?', 'bk.cancel.one': 'Tylko tę',
    'bk.cancel.following': 'Tę i następne w serii', 'bk.cancel.yes': 'Tak, anuluj', 'bk.cancel.keep': 'Nie, zostaw',
    'bk.cancel.reason': 'Powód (opcjonalnie)', 'bk.cancelled': 'Rezerwacja anulowana.', 'bk.cancelled.n': 'Anulowano {n} rezerwacji.',
    'bk.clash.title': 'Ten termin koliduje z:', 'bk.clash.booking': 'zatwierdzona rezerwacja', 'bk.clash.pending': 'wniosek oczekujący',
    'bk.clash.blackout': 'wyłączenie', 'bk.clash.unknown': 'Termin koliduje z inną rezerwacją lub wyłączeniem.',
    'bk.forbidden.training': 'To urządzenie wymaga szkolenia. Skontaktuj się z opiekunem laboratorium, aby zostać przeszkolonym.',
    'bk.forbidden.shared': 'Ten zasób nie jest udostępniany innym organizacjom.',
    'bk.details': 'Szczegóły', 'bk.when': 'Termin',
    'bk.mine': 'Moje rezerwacje', 'bk.min': '{n} min', 'bk.hours': '{h} h {m} min',
  },
  en: {
    'bk.tz': 'Times in Kraków time.',
    'bk.noshow': 'no-show', 'bk.series': 'series',
    'bk.cancel': 'Cancel booking', 'bk.cancel.q': 'Cancel this booking?', 'bk.cancel.one': 'This one only',
    'bk.cancel.following': 'This and following in the series', 'bk.cancel.yes': 'Yes, cancel', 'bk.cancel.keep': 'No, keep it',
    'bk.cancel.reason': 'Reason (optional)', 'bk.cancelled': 'Booking cancelled.', 'bk.cancelled.n': '{n} bookings cancelled.',
    'bk.clash.title': 'This time clashes with:', 'bk.clash.booking': 'an approved booking', 'bk.clash.pending': 'a pending request',
    'bk.clash.blackout': 'a blackout', 'bk.clash.unknown': 'The time clashes with another booking or a blackout.',
    'bk.forbidden.training': 'This instrument requires training. Ask the lab owner to train you first.',
    'bk.forbidden.shared': 'This resource is not offered to other organisations.',
    'bk.details': 'Details', 'bk.when': 'When',
    'bk.mine': 'My bookings', 'bk.min': '{n} min', 'bk.hours': '{h} h {m} min',
  },
});

export { ZONE };

export function statusBadge(b) {
  return [h('span', { class: ['badge', b.status] }, choiceLabel('Booking', 'status', b.status)),
    b.no_show ? h('span', { class: 'badge cancelled' }, t('bk.noshow')) : null];
}

/** "Tue, 24 Nov 2026, 10:00–11:30" in site time (the end's date shown when it differs). */
export function fmtSpan(start, end) {
  const s = new Date(start), e = new Date(end);
  const sd = localDate(s), ed = localDate(new Date(e.getTime() - 1));
  const day = fmtDate(s, { dateStyle: undefined, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
  if (sd.y === ed.y && sd.m === ed.m && sd.d === ed.d) return `${day}, ${fmtTime(s)}–${fmtTime(e)}`;
  return `${day}, ${fmtTime(s)} – ${fmtDate(e, { dateStyle: undefined, weekday: 'short', day: 'numeric', month: 'short' })}, ${fmtTime(e)}`;
}

export function fmtMinutes(n) {
  return n < 60 ? t('bk.min', { n }) : n % 60 ? t('bk.hours', { h: Math.floor(n / 60), m: n % 60 }) : `${n / 60} h`;
}

export const tzNote = () => h('p', { class: 'tz-note hint' }, t('bk.tz'));

/** Whether the signed-in user manages bookings of a resource (owner of its organisation, or staff). */
export function manages(user, resource) {
  if (!user || !resource) return false;
  return user.role === 'staff' || (user.role === 'owner' && user.organisation_id != null && user.organisation_id === resource.organisation_id);
}

/**
 * Inline cancel confirmation: returns an element with a reason input and
 * buttons (for a series: this one / this and following). onDone(result) is
 * called after the cancel succeeded; onClose() when kept.
 */
export function cancelConfirm(booking, { onDone, onClose, toast }) {
  const errId = `cancel-err-${booking.id}`;
  const reason = h('input', { type: 'text', name: 'reason', maxlength: bodySchema('post', '/api/v1/bookings/{id}/cancel').properties.reason.maxLength, class: 'cancel-reason', 'aria-label': t('bk.cancel.reason'), placeholder: t('bk.cancel.reason'), 'aria-describedby': errId });
  const err = h('div', { class: 'field-error', role: 'alert', id: errId });
  const go = async (scope, btn) => {
    btn.disabled = true;
    try {
      const body = {};
      if (reason.value.trim()) body.reason = reason.value.trim();
      if (booking.series_id) body.scope = scope;
      const r = await post(`/api/v1/bookings/${booking.id}/cancel`, body);
      const n = r && Array.isArray(r.cancelled) ? r.cancelled.length : 1;
      toast?.(n > 1 ? t('bk.cancelled.n', { n }) : t('bk.cancelled'));
      onDone?.(r);
    } catch (e) {
      btn.disabled = false;
      err.textContent = e.message;
      if (e.field === 'reason') { reason.setAttribute('aria-invalid', 'true'); reason.focus(); }
    }
  };
  const yes = booking.series_id
    ? [h('button', { type: 'button', class: 'btn danger small', onclick: (ev) => go('one', ev.currentTarget) }, t('bk.cancel.one')),
      h('button', { type: 'button', class: 'btn danger small', onclick: (ev) => go('following', ev.currentTarget) }, t('bk.cancel.following'))]
    : [h('button', { type: 'button', class: 'btn danger small cancel-yes', onclick: (ev) => go('one', ev.currentTarget) }, t('bk.cancel.yes'))];
  const box = h('div', { class: 'cancel-confirm', role: 'group', 'aria-label': t('bk.cancel.q') },
    h('p', {}, h('strong', {}, t('bk.cancel.q'))), reason,
    h('div', { class: 'cancel-buttons' }, yes,
      h('button', { type: 'button', class: 'btn secondary small', onclick: () => onClose?.() }, t('bk.cancel.keep'))),
    err);
  queueMicrotask(() => reason.focus());
  return box;
}

/** A "Cancel booking" button that opens the inline confirmation in place. */
export function cancelButton(booking, { onDone, toast, label }) {
  const slot = h('div', { class: 'cancel-slot' });
  const open = () => mount(slot, cancelConfirm(booking, { onDone, toast, onClose: closed }));
  const closed = () => { mount(slot, h('button', { type: 'button', class: 'btn secondary small cancel-open', onclick: open }, label || t('bk.cancel'))); slot.querySelector('button').focus(); };
  mount(slot, h('button', { type: 'button', class: 'btn secondary small cancel-open', onclick: open }, label || t('bk.cancel')));
  return slot;
}

/** Availability of a resource over [from, to), fetched in ≤ 62-day pieces. */
export async function availability(resourceId, from, to) {
  const out = { open: [], busy: [], blackouts: [] };
  const max = 62 * 86400000;
  for (let s = from.getTime(); s < to.getTime(); s += max) {
    const e = Math.min(to.getTime(), s + max);
    const a = await get(`/api/v1/resources/${resourceId}/availability${qs({ from: new Date(s).toISOString(), to: new Date(e).toISOString() })}`);
    out.open.push(...(a.open || []));
    out.busy.push(...(a.busy || []));
    for (const b of a.blackouts || []) if (!out.blackouts.some((x) => x.id === b.id)) out.blackouts.push(b);
  }
  return out;
}

const overlaps = (a0, a1, b0, b1) => a0 < b1 && b0 < a1;

/**
 * What a rejected span (or series of spans) clashes with, read from the
 * resource's availability: [{start, end, kind: 'booking'|'blackout', reason}].
 * Empty when nothing could be found (e.g. the availability is not readable).
 */
export async function findClashes(resourceId, spans, { exclude } = {}) {
  if (!spans.length) return [];
  const from = new Date(Math.min(...spans.map((s) => s.start.getTime())));
  const to = new Date(Math.max(...spans.map((s) => s.end.getTime())));
  let a;
  try { a = await availability(resourceId, from, to); } catch { return []; }
  const out = [];
  for (const sp of spans) {
    for (const b of a.busy) if (b.status === 'approved' && (exclude == null || b.booking_id !== exclude) && overlaps(sp.start, sp.end, new Date(b.start), new Date(b.end))) out.push({ start: b.start, end: b.end, kind: 'booking', mine: b.mine });
    for (const b of a.blackouts) if (overlaps(sp.start, sp.end, new Date(b.start), new Date(b.end))) out.push({ start: b.start, end: b.end, kind: 'blackout', reason: b.reason });
  }
  const seen = new Set();
  return out.filter((c) => { const k = c.kind + c.start + c.end; if (seen.has(k)) return false; seen.add(k); return true; });
}

/** Renders a clash list for a 409 answer. */
export function clashList(clashes) {
  if (!clashes.length) return h('p', {}, t('bk.clash.unknown'));
  return [h('p', {}, t('bk.clash.title')), h('ul', { class: 'clash-list' }, clashes.map((c) => h('li', {},
    fmtSpan(c.start, c.end), ' — ', c.kind === 'blackout' ? [t('bk.clash.blackout'), c.reason ? `: ${c.reason}` : ''] : t('bk.clash.booking'))))];
}

/** The message for a 403 on booking a resource. */
export function forbiddenText(err, resource) {
  if (resource?.requires_training && /train/i.test(err.message || '')) return t('bk.forbidden.training');
  if (resource && !resource.shared && /shar|organi/i.test(err.message || '')) return t('bk.forbidden.shared');
  if (resource?.requires_training) return `${t('bk.forbidden.training')} (${err.message})`;
  if (resource && !resource.shared) return `${t('bk.forbidden.shared')} (${err.message})`;
  return err.message;
}

/** The weekly occurrences a repeat would produce (same wall time each week). */
export function weeklySpans(start, end, { count, until }) {
  const out = [];
  const len = end - start;
  const p = zonedParts(start);
  const sd = { y: p.year, m: p.month, d: p.day };
  const u = until ? addDays(until, 1) : null;
  const stop = u ? localMidnight(u.y, u.m, u.d) : null;
  for (let k = 0; k < 200; k++) {
    if (count && k >= count) break;
    const d = addDays(sd, 7 * k);
    let s;
    try { s = localToInstant(d.y, d.m, d.d, p.hour, p.minute); } catch { continue; }
    if (stop && s >= stop) break;
    out.push({ start: s, end: new Date(s.getTime() + len) });
  }
  return out;
}

/** Clears the inline errors showFormError left on a form. */
export function clearErrors(form) {
  for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  for (const e of form.querySelectorAll('.form-error')) e.remove();
}

export const locale = () => (getLang() === 'pl' ? 'pl-PL' : 'en-GB');

// impact.js — a change that touches existing bookings (API.md § Changes that
// touch existing bookings): a blackout, narrower opening hours, a resource
// that stops being shared. The server refuses such a change with 409 and the
// ids of the live bookings it would break; here the owner sees those
// bookings (who, when), may write the message their bookers are sent, and
// confirms: the change is then repeated with cancel_bookings=true and the
// message, and the server cancels exactly those bookings with it.
import { h, mount } from '../dom.js';
import { get, qs } from '../api.js';
import { t, addStrings } from '../i18n.js';
import { param } from '../schema.js';
import { statusBadge, fmtSpan } from '../views/booking-common.js';

addStrings({
  pl: {
    'impact.title': 'Ta zmiana odwoła rezerwacje: {n}',
    'impact.lead': 'Te oczekujące i zatwierdzone rezerwacje nie będą już zgodne z zasadami zasobu. Jeśli potwierdzisz, zostaną odwołane, a rezerwujący dostaną e-mail (a ich kalendarze — odwołanie wydarzenia).',
    'impact.more': '…i jeszcze {n}.',
    'impact.message': 'Wiadomość do rezerwujących (nieobowiązkowa)',
    'impact.message.blackout': 'Bez wiadomości dostaną powód wyłączenia.',
    'impact.message.change': 'Bez wiadomości dostaną zdanie o tym, co się zmieniło.',
    'impact.confirm': 'Odwołaj te rezerwacje i zapisz',
    'impact.back': 'Wróć bez zmian',
    'impact.done': 'Zapisano. Odwołane rezerwacje: {n}; rezerwujący dostaną wiadomość.',
    'impact.guest': 'gość',
  },
  en: {
    'impact.title': 'This change cancels {n} bookings',
    'impact.lead': 'These pending and approved bookings would no longer fit the resource’s rules. If you confirm, they are cancelled and their bookers are e-mailed (and their calendars get the cancellation).',
    'impact.more': '…and {n} more.',
    'impact.message': 'Message to the bookers (optional)',
    'impact.message.blackout': 'Without a message they are given the blackout’s reason.',
    'impact.message.change': 'Without a message they are given a sentence saying what changed.',
    'impact.confirm': 'Cancel these bookings and save',
    'impact.back': 'Go back without changes',
    'impact.done': 'Saved. Bookings cancelled: {n}; their bookers will be told.',
    'impact.guest': 'guest',
  },
});

const SHOWN = 30; // bookings listed by name; the rest are counted

/**
 * Runs write(query) — query is '' first, then '?cancel_bookings=true&…'
 * once the owner confirms. Resolves with write's answer, or null when the
 * owner went back. The warning, and afterwards what was cancelled, is
 * shown in `slot` (an element the caller places next to the form). kind:
 * 'blackout' or 'change' (the hint about the default message). Other
 * errors are thrown as they came.
 */
export async function confirmImpact(slot, write, { kind = 'change' } = {}) {
  mount(slot);
  try {
    return await write('');
  } catch (e) {
    if (e.status !== 409 || !Array.isArray(e.body?.bookings) || !e.body.bookings.length) throw e;
    return await warn(slot, e.body.bookings, write, kind);
  }
}

async function warn(slot, ids, write, kind) {
  const shown = await Promise.all(ids.slice(0, SHOWN).map((id) => get(`/api/v1/bookings/${id}`).catch(() => ({ id }))));
  const message = h('textarea', { name: 'message', rows: 3, maxlength: param('/api/v1/resources/{id}/blackouts', 'message', 'post').maxLength, id: 'impact-message', 'aria-describedby': 'impact-message-hint' });
  const err = h('div', { class: 'form-error', role: 'alert' });
  const confirm = h('button', { type: 'button', class: 'btn danger impact-confirm' }, t('impact.confirm'));
  const back = h('button', { type: 'button', class: 'btn secondary impact-back' }, t('impact.back'));
  const title = h('h2', { id: 'impact-title' }, t('impact.title', { n: ids.length }));
  const panel = h('section', { class: 'card impact', role: 'alertdialog', 'aria-labelledby': 'impact-title', 'aria-describedby': 'impact-lead' },
    title,
    h('p', { id: 'impact-lead' }, t('impact.lead')),
    h('ul', { class: 'impact-list' }, shown.map((b) => h('li', { dataset: { id: String(b.id) } },
      h('span', { class: 'impact-who' }, b.user_name || `#${b.user_id ?? b.id}`), ' · ',
      b.start ? h('span', { class: 'impact-when' }, fmtSpan(b.start, b.end)) : null, ' ',
      b.status ? statusBadge(b) : null,
      b.purpose ? h('span', { class: 'hint' }, ` — ${b.purpose}`) : null))),
    ids.length > SHOWN ? h('p', { class: 'hint' }, t('impact.more', { n: ids.length - SHOWN })) : null,
    h('div', { class: 'field' },
      h('label', { for: 'impact-message' }, t('impact.message')), message,
      h('div', { class: 'hint', id: 'impact-message-hint' }, t(kind === 'blackout' ? 'impact.message.blackout' : 'impact.message.change'))),
    err,
    h('div', { class: 'cat-form-actions' }, confirm, back));
  mount(slot, panel);
  title.tabIndex = -1;
  title.focus();
  return new Promise((resolve) => {
    back.addEventListener('click', () => { mount(slot); resolve(null); });
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      const words = message.value.trim();
      try {
        const done = await write(qs({ cancel_bookings: 'true', message: words || undefined }));
        mount(slot, h('p', { class: 'impact-done', role: 'status' }, t('impact.done', { n: ids.length })));
        resolve(done);
      } catch (e) {
        confirm.disabled = false;
        err.textContent = e.message;
      }
    });
  });
}

// blackouts.js — a resource's coming blackouts, and the form that adds one.
// A blackout over live bookings is confirmed first (impact.js): the owner
// sees whom it hits and may write them a message.
import { h, field, mount } from '../dom.js';
import { post, del } from '../api.js';
import { t, fmtDateTime } from '../i18n.js';
import { clearErrors } from './edit-form.js';
import { confirmImpact } from './impact.js';
import { listAll, formError, localInputToIso, invalidate } from '../catalogue-util.js';

export function blackoutsBox(res, ctx) {
  const list = h('div', {});
  const start = h('input', { type: 'datetime-local', name: 'start', step: 60 });
  const end = h('input', { type: 'datetime-local', name: 'end', step: 60 });
  const reason = h('input', { type: 'text', name: 'reason', maxlength: 200 });
  const form = h('form', { class: 'cat-inline-form', novalidate: true, id: 'blackout-form' },
    field(t('f.start'), start), field(t('f.end'), end), field(t('f.reason'), reason),
    h('button', { type: 'submit', class: 'btn small' }, t('bo.add')));
  const impact = h('div', { class: 'impact-slot', 'aria-live': 'polite' });

  async function load() {
    let items;
    try { items = await listAll(`/api/v1/resources/${res.id}/blackouts`); } catch (e) {
      mount(list, h('p', { class: 'field-error' }, e.message)); return;
    }
    items = items.filter((b) => new Date(b.end) > new Date()).sort((a, b) => a.start.localeCompare(b.start));
    mount(list, items.length ? h('ul', { class: 'cat-list' }, items.map((b) => h('li', {},
      h('span', {}, `${fmtDateTime(b.start)} – ${fmtDateTime(b.end)}`, b.reason ? [' · ', b.reason] : null),
      h('button', { type: 'button', class: 'btn small secondary', 'aria-label': `${t('common.delete')}: ${fmtDateTime(b.start)}`,
        onclick: async () => {
          if (!confirm(t('edit.confirm', { name: `${fmtDateTime(b.start)} – ${fmtDateTime(b.end)}` }))) return;
          try { await del(`/api/v1/blackouts/${b.id}`); ctx.toast(t('edit.deleted')); load(); } catch (e) { ctx.toast(e.message, 'bad'); }
        } }, t('common.delete'))))) : h('p', { class: 'muted' }, t('bo.none')));
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = { start: localInputToIso(start.value) || start.value, end: localInputToIso(end.value) || end.value, reason: reason.value.trim() };
    try {
      const made = await confirmImpact(impact, (q) => post(`/api/v1/resources/${res.id}/blackouts${q}`, body), { kind: 'blackout' });
      if (!made) return; // the owner went back
      invalidate();
      ctx.toast(t('bo.added'));
      start.value = end.value = reason.value = '';
      load();
    } catch (e) { formError(form, e); }
  });
  load();
  return h('section', { class: 'card cat-sub', id: 'blackouts' }, h('h2', {}, t('bo.title')), list, form, impact);
}

// blackouts.js — a resource's coming blackouts, and the form that adds one
// (built from BlackoutCreate). A blackout over live bookings is confirmed
// first (impact.js): the owner sees whom it hits and may write them a
// message.
import { h, mount } from '../dom.js';
import { post, del } from '../api.js';
import { t, fmtDateTime } from '../i18n.js';
import { schemaForm } from './schema-form.js';
import { confirmImpact } from './impact.js';
import { listAll } from '../catalogue-util.js';

export async function blackoutsBox(res, ctx) {
  const list = h('div', {});
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
  const form = await schemaForm({
    type: 'Blackout', obj: null, user: ctx.state.user, ctx, compact: true,
    createPath: `/api/v1/resources/${res.id}/blackouts`, submitLabel: t('bo.add'), createdText: t('bo.added'),
    send: (method, path, body) => confirmImpact(impact, (q) => post(path + q, body), { kind: 'blackout' }),
    done: () => { form.fill(); load(); },
  });
  form.id = 'blackout-form';
  load();
  return h('section', { class: 'card cat-sub', id: 'blackouts' }, h('h2', {}, t('bo.title')), list, form, impact);
}

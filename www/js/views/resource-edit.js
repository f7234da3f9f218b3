// resource-edit.js — #/manage/resources/new?organisation_id=N (or lab_id=N)
// and /:id: every field of a resource with an opening-hours editor; for an
// existing resource also its blackouts and the users trained on it.
import { h, field, mount } from '../dom.js';
import { get, post, del } from '../api.js';
import { t, fmtDateTime } from '../i18n.js';
import { editForm, clearErrors } from '../components/edit-form.js';
import { hoursEditor } from '../components/hours-editor.js';
import {
  TYPES, TYPICAL_DRAW, select, checkbox, numberOrNull, canManage, listAll, formError, localInputToIso,
  orgLabel, backLink, invalidate,
} from '../catalogue-util.js';
import { pricesFields, fundingFields } from '../money.js';

const CONTRACT = ['lab_id', 'type', 'name', 'category', 'shared', 'requires_approval', 'requires_training', 'power_kw',
  'standby_kw', 'slot_minutes', 'min_minutes', 'max_minutes', 'opening_hours', 'prices', 'funding', 'charge_no_show',
  'late_cancel_hours'];
const DEFAULT_HOURS = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, open: '08:00', close: '18:00' }));
const sortHours = (hs) => [...(hs || [])].sort((a, b) => a.weekday - b.weekday || a.open.localeCompare(b.open));

export async function render(root, ctx) {
  const { params, state, navigate } = ctx;
  const user = state.user;
  const isNew = !params.id;
  let obj = isNew ? null : await get(`/api/v1/resources/${encodeURIComponent(params.id)}`);
  if (obj) obj = { ...obj, opening_hours: sortHours(obj.opening_hours) };
  const wantLab = obj ? obj.lab_id : Number(params.query.get('lab_id')) || null;
  let orgId = obj?.organisation_id ?? (Number(params.query.get('organisation_id')) || null);
  if (!orgId && wantLab) orgId = (await get(`/api/v1/labs/${wantLab}`)).organisation_id;
  if (!orgId && user?.role === 'owner') orgId = user.organisation_id;
  if (!canManage(user, orgId) && !(isNew && user?.role === 'staff')) {
    root.append(h('section', { class: 'card' }, h('h1', {}, obj ? obj.name : t('edit.res.new')), h('p', {}, t('edit.denied'))));
    return;
  }
  const [labs, orgs, sampleList] = await Promise.all([
    listAll('/api/v1/labs', orgId ? { organisation_id: orgId } : {}),
    user.role === 'staff' && !orgId ? listAll('/api/v1/organisations') : Promise.resolve([]),
    obj ? Promise.resolve(null) : get('/api/v1/resources?limit=1'),
  ]);
  const sample = obj || sampleList?.items[0];
  if (!labs.length) {
    root.append(backLink('#/manage', t('man.title')), h('section', { class: 'card' }, h('h1', {}, t('edit.res.new')), h('p', {}, t('edit.nolabs'))));
    return;
  }
  const orgName = new Map(orgs.map((o) => [o.id, orgLabel(o)]));
  const v = obj || { type: 'instrument', shared: true, requires_approval: true, requires_training: false, power_kw: 0, standby_kw: 0,
    slot_minutes: 30, min_minutes: 30, max_minutes: 480, opening_hours: DEFAULT_HOURS, lab_id: wantLab || labs[0].id,
    prices: null, funding: null, charge_no_show: true, late_cancel_hours: 24 };

  const lab = select('lab_id', labs.map((l) => [l.id, orgName.size ? `${l.name} — ${orgName.get(l.organisation_id) || ''}` : l.name]), v.lab_id);
  const type = select('type', TYPES.map((x) => [x, t('type.' + x)]), v.type);
  const name = h('input', { type: 'text', name: 'name', value: v.name ?? '', required: true });
  const category = h('input', { type: 'text', name: 'category', value: v.category ?? '', placeholder: 'confocal microscope, BSL-2 room…' });
  const desc = h('textarea', { name: 'description' }, v.description ?? '');
  const shared = checkbox('shared', t('f.shared'), v.shared);
  const approval = checkbox('requires_approval', t('f.requires_approval'), v.requires_approval);
  const training = checkbox('requires_training', t('f.requires_training'), v.requires_training);
  const num = (n, val, attrs = {}) => h('input', { type: 'text', inputmode: 'decimal', name: n, value: val ?? '', ...attrs });
  const power = num('power_kw', v.power_kw), standby = num('standby_kw', v.standby_kw);
  const slot = num('slot_minutes', v.slot_minutes, { inputmode: 'numeric' });
  const min = num('min_minutes', v.min_minutes, { inputmode: 'numeric' });
  const max = num('max_minutes', v.max_minutes, { inputmode: 'numeric' });
  const draws = h('div', {}, t('power.hint'), h('ul', { class: 'cat-draws' }, TYPICAL_DRAW.map(([key, kw]) =>
    h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => { power.value = String(kw); power.focus(); } }, t(key))))));
  const hours = hoursEditor(v.opening_hours);
  const hoursField = h('div', { class: 'field cat-wide', dataset: { field: 'opening_hours' } },
    h('span', { class: 'label', id: 'hours-label' }, t('f.opening_hours')),
    hours.el, h('div', { class: 'field-error', 'aria-live': 'polite' }));
  hours.el.setAttribute('role', 'group');
  hours.el.setAttribute('aria-labelledby', 'hours-label');
  const prices = pricesFields(v.prices), funding = fundingFields(v.funding);
  const chargeNoShow = checkbox('charge_no_show', t('f.charge_no_show'), v.charge_no_show);
  const lateCancel = num('late_cancel_hours', v.late_cancel_hours, { inputmode: 'numeric' });

  const form = editForm({
    back: `#/manage?organisation_id=${orgId ?? ''}`, path: '/api/v1/resources', obj, sample, contract: CONTRACT, ctx,
    title: obj ? t('edit.res', { name: obj.name }) : t('edit.res.new'),
    body: h('div', { class: 'cat-form-grid' },
      field(t('f.lab'), lab), field(t('f.type'), type), field(t('f.name'), name), field(t('f.category'), category),
      sample && 'description' in sample ? h('div', { class: 'cat-wide' }, field(t('f.description'), desc)) : null,
      h('div', { class: 'cat-checks cat-wide' }, shared, approval, training),
      field(t('f.power_kw'), power, draws), field(t('f.standby_kw'), standby),
      field(t('f.slot_minutes'), slot), field(t('f.min_minutes'), min), field(t('f.max_minutes'), max),
      hoursField, prices.el, funding.el,
      h('div', { class: 'cat-checks' }, chargeNoShow), field(t('f.late_cancel_hours'), lateCancel, t('f.late_cancel_hours.hint'))),
    collect: () => ({
      lab_id: Number(lab.value), type: type.value, name: name.value.trim(), category: category.value.trim(),
      description: desc.value.trim(),
      shared: shared.querySelector('input').checked, requires_approval: approval.querySelector('input').checked,
      requires_training: training.querySelector('input').checked,
      power_kw: numberOrNull(power.value) ?? 0, standby_kw: numberOrNull(standby.value) ?? 0,
      slot_minutes: numberOrNull(slot.value), min_minutes: numberOrNull(min.value), max_minutes: numberOrNull(max.value),
      opening_hours: sortHours(hours.value()),
      prices: prices.value(), funding: funding.value(),
      charge_no_show: chargeNoShow.querySelector('input').checked, late_cancel_hours: numberOrNull(lateCancel.value),
    }),
    done: (saved, created) => {
      if (created) { navigate(`#/manage/resources/${saved.id}`); return; }
      hours.set(saved.opening_hours || []);
    },
    afterDelete: () => navigate(`#/manage?organisation_id=${orgId}`),
  });

  root.append(backLink(`#/manage?organisation_id=${orgId}`, t('man.title')), form);
  if (obj) {
    root.append(h('p', { class: 'cat-links' }, h('a', { href: `#/resources/${obj.id}` }, t('man.view'), ': ', obj.name)),
      blackoutsBox(obj, ctx), trainedBox(obj, ctx));
  }
}

/* ---------- blackouts ---------- */

function blackoutsBox(res, ctx) {
  const list = h('div', {});
  const start = h('input', { type: 'datetime-local', name: 'start', step: 60 });
  const end = h('input', { type: 'datetime-local', name: 'end', step: 60 });
  const reason = h('input', { type: 'text', name: 'reason', maxlength: 200 });
  const form = h('form', { class: 'cat-inline-form', novalidate: true, id: 'blackout-form' },
    field(t('f.start'), start), field(t('f.end'), end), field(t('f.reason'), reason),
    h('button', { type: 'submit', class: 'btn small' }, t('bo.add')));

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
    try {
      await post(`/api/v1/resources/${res.id}/blackouts`,
        { start: localInputToIso(start.value) || start.value, end: localInputToIso(end.value) || end.value, reason: reason.value.trim() });
      invalidate();
      ctx.toast(t('bo.added'));
      start.value = end.value = reason.value = '';
      load();
    } catch (e) { formError(form, e); }
  });
  load();
  return h('section', { class: 'card cat-sub', id: 'blackouts' }, h('h2', {}, t('bo.title')), list, form);
}

/* ---------- trained users ---------- */

function trainedBox(res, ctx) {
  const list = h('div', {});
  const who = h('input', { type: 'text', name: 'user_id', autocomplete: 'off' });
  const form = h('form', { class: 'cat-inline-form', novalidate: true, id: 'trained-form' },
    field(t('tr.user'), who, t('tr.hint')), h('button', { type: 'submit', class: 'btn small' }, t('tr.add')));
  const base = `/api/v1/resources/${res.id}/trained`;

  async function load() {
    let items;
    try { items = await listAll(base); } catch (e) {
      mount(list, h('p', { class: 'muted' }, e.status === 404 || e.status === 405 ? t('tr.nolist') : e.message)); return;
    }
    mount(list, items.length ? h('ul', { class: 'cat-list' }, items.map((u) => {
      const id = u.user_id ?? u.id;
      const label = [u.name, u.email].filter(Boolean).join(' · ') || `#${id}`;
      return h('li', {}, h('span', {}, label, h('span', { class: 'muted' }, ` (#${id})`)),
        h('button', { type: 'button', class: 'btn small secondary', 'aria-label': `${t('common.delete')}: ${label}`,
          onclick: async () => {
            try { await del(`${base}/${id}`); ctx.toast(t('tr.removed')); load(); } catch (e) { ctx.toast(e.message, 'bad'); }
          } }, t('common.delete')));
    })) : h('p', { class: 'muted' }, t('tr.none')));
  }

  async function resolve(text) {
    if (/^\d+$/.test(text)) return Number(text);
    if (!text.includes('@')) return text; // the server names the field
    if (ctx.state.user.role !== 'staff') throw { field: 'user_id', message: t('tr.idonly') };
    const users = await listAll('/api/v1/users', { q: text });
    const u = users.find((x) => (x.email || '').toLowerCase() === text.toLowerCase());
    if (!u) throw { field: 'user_id', message: t('tr.notfound') };
    return u.id;
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try {
      await post(base, { user_id: await resolve(who.value.trim()) });
      ctx.toast(t('tr.added'));
      who.value = '';
      load();
    } catch (e) { formError(form, e); }
  });
  load();
  return h('section', { class: 'card cat-sub', id: 'trained' }, h('h2', {}, t('tr.title')), list, form);
}

// resource-edit.js — #/manage/resources/new?organisation_id=N (or lab_id=N)
// and /:id: every field of a resource with an opening-hours editor; for an
// existing resource also its blackouts and the users trained on it.
import { h, field } from '../dom.js';
import { get, patch } from '../api.js';
import { t } from '../i18n.js';
import { editForm } from '../components/edit-form.js';
import { hoursEditor } from '../components/hours-editor.js';
import { confirmImpact } from '../components/impact.js';
import { blackoutsBox } from '../components/blackouts.js';
import { trainingBox } from '../components/training.js';
import {
  TYPES, TYPICAL_DRAW, select, checkbox, numberOrNull, canManage, listAll, orgLabel, backLink,
} from '../catalogue-util.js';

const CONTRACT = ['lab_id', 'type', 'name', 'category', 'shared', 'requires_approval', 'requires_training', 'power_kw',
  'standby_kw', 'slot_minutes', 'min_minutes', 'max_minutes', 'opening_hours'];
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
    slot_minutes: 30, min_minutes: 30, max_minutes: 480, opening_hours: DEFAULT_HOURS, lab_id: wantLab || labs[0].id };

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

  // Narrower opening hours or an end to sharing may break bookings: the
  // owner sees which before confirming (impact.js).
  const impact = h('div', { class: 'impact-slot', 'aria-live': 'polite' });
  const form = editForm({
    back: `#/manage?organisation_id=${orgId ?? ''}`, path: '/api/v1/resources', obj, sample, contract: CONTRACT, ctx,
    patch: (path, diff) => confirmImpact(impact, (q) => patch(path + q, diff)),
    title: obj ? t('edit.res', { name: obj.name }) : t('edit.res.new'),
    body: h('div', { class: 'cat-form-grid' },
      field(t('f.lab'), lab), field(t('f.type'), type), field(t('f.name'), name), field(t('f.category'), category),
      sample && 'description' in sample ? h('div', { class: 'cat-wide' }, field(t('f.description'), desc)) : null,
      h('div', { class: 'cat-checks cat-wide' }, shared, approval, training),
      field(t('f.power_kw'), power, draws), field(t('f.standby_kw'), standby),
      field(t('f.slot_minutes'), slot), field(t('f.min_minutes'), min), field(t('f.max_minutes'), max),
      hoursField),
    collect: () => ({
      lab_id: Number(lab.value), type: type.value, name: name.value.trim(), category: category.value.trim(),
      description: desc.value.trim(),
      shared: shared.querySelector('input').checked, requires_approval: approval.querySelector('input').checked,
      requires_training: training.querySelector('input').checked,
      power_kw: numberOrNull(power.value) ?? 0, standby_kw: numberOrNull(standby.value) ?? 0,
      slot_minutes: numberOrNull(slot.value), min_minutes: numberOrNull(min.value), max_minutes: numberOrNull(max.value),
      opening_hours: sortHours(hours.value()),
    }),
    done: (saved, created) => {
      if (created) { navigate(`#/manage/resources/${saved.id}`); return; }
      hours.set(saved.opening_hours || []);
    },
    afterDelete: () => navigate(`#/manage?organisation_id=${orgId}`),
  });

  root.append(backLink(`#/manage?organisation_id=${orgId}`, t('man.title')), form, impact);
  if (obj) {
    root.append(h('p', { class: 'cat-links' }, h('a', { href: `#/resources/${obj.id}` }, t('man.view'), ': ', obj.name)),
      blackoutsBox(obj, ctx), trainingBox(obj, ctx));
  }
}

// service-edit.js — #/manage/services/new?organisation_id=N and /:id: a
// service an organisation offers and which of its resources it uses.
import { h, field } from '../dom.js';
import { get } from '../api.js';
import { t } from '../i18n.js';
import { editForm } from '../components/edit-form.js';
import { select, canManage, listAll, orgLabel, backLink } from '../catalogue-util.js';

const CONTRACT = ['organisation_id', 'name', 'description', 'resource_ids'];

export async function render(root, ctx) {
  const { params, state, navigate } = ctx;
  const user = state.user;
  const isNew = !params.id;
  let obj = isNew ? null : await get(`/api/v1/services/${encodeURIComponent(params.id)}`);
  if (obj) obj = { ...obj, resource_ids: [...(obj.resource_ids || [])].sort((a, b) => a - b) };
  const orgId = obj ? obj.organisation_id : Number(params.query.get('organisation_id')) || user?.organisation_id || null;
  if (!canManage(user, orgId) && !(isNew && user?.role === 'staff')) {
    root.append(h('section', { class: 'card' }, h('h1', {}, obj ? obj.name : t('edit.svc.new')), h('p', {}, t('edit.denied'))));
    return;
  }
  const v = obj || { resource_ids: [] };
  let orgInput;
  if (isNew && user.role === 'staff') {
    const orgs = (await listAll('/api/v1/organisations')).sort((a, b) => a.name.localeCompare(b.name));
    orgInput = select('organisation_id', orgs.map((o) => [o.id, orgLabel(o)]), orgId);
  } else {
    const org = await get(`/api/v1/organisations/${orgId}`).catch(() => null);
    orgInput = h('input', { type: 'text', name: 'organisation_id', value: org ? orgLabel(org) : String(orgId), readonly: true });
  }
  const name = h('input', { type: 'text', name: 'name', value: v.name ?? '', required: true });
  const desc = h('textarea', { name: 'description' }, v.description ?? '');
  const boxes = h('div', { class: 'cat-checklist' });
  const picked = new Set(v.resource_ids || []);
  async function fillResources(id) {
    const resources = id ? await listAll('/api/v1/resources', { organisation_id: id }) : [];
    boxes.replaceChildren(...(resources.length ? resources.map((r) => h('label', { class: 'cat-check' },
      h('input', { type: 'checkbox', name: 'resource_ids', value: String(r.id), checked: picked.has(r.id) }), ' ', r.name,
      r.category ? h('span', { class: 'muted' }, ` · ${r.category}`) : null)) : [h('p', { class: 'muted' }, t('edit.noresources'))]));
  }
  await fillResources(orgId);
  if (orgInput.tagName === 'SELECT') orgInput.addEventListener('change', () => fillResources(Number(orgInput.value)));
  const resField = h('fieldset', { class: 'field cat-wide', dataset: { field: 'resource_ids' } },
    h('legend', {}, t('f.resources')), boxes, h('div', { class: 'field-error', 'aria-live': 'polite' }));

  root.append(backLink(`#/manage?organisation_id=${orgId}`, t('man.title')), editForm({
    back: `#/manage?organisation_id=${orgId ?? ''}`, path: '/api/v1/services', obj, contract: CONTRACT, ctx,
    title: obj ? t('edit.svc', { name: obj.name }) : t('edit.svc.new'),
    body: h('div', { class: 'cat-form-grid' },
      field(t('f.organisation'), orgInput), field(t('f.name'), name),
      h('div', { class: 'cat-wide' }, field(t('f.description'), desc)), resField),
    collect: () => ({
      organisation_id: orgInput.tagName === 'SELECT' ? Number(orgInput.value) : orgId,
      name: name.value.trim(), description: desc.value.trim(),
      resource_ids: [...boxes.querySelectorAll('input:checked')].map((c) => Number(c.value)).sort((a, b) => a - b),
    }),
    done: (saved, created) => { if (created) navigate(`#/manage?organisation_id=${saved.organisation_id}`); },
    afterDelete: () => navigate(`#/manage?organisation_id=${orgId}`),
  }));
}

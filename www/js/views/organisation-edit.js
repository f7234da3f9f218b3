// organisation-edit.js — #/manage/organisations/new and /:id (staff only).
import { h, field } from '../dom.js';
import { get } from '../api.js';
import { t } from '../i18n.js';
import { editForm } from '../components/edit-form.js';
import { GROUPS, PACKAGES, select, checkbox, textOrNull, backLink } from '../catalogue-util.js';
import '../money.js';

const CONTRACT = ['name', 'short_name', 'group', 'package', 'member', 'city', 'requires_cost_centre'];

export async function render(root, ctx) {
  const { params, state, navigate } = ctx;
  if (state.user?.role !== 'staff') {
    root.append(h('section', { class: 'card' }, h('h1', {}, t('edit.org.new')), h('p', {}, t('edit.denied'))));
    return;
  }
  const isNew = !params.id;
  const obj = isNew ? null : await get(`/api/v1/organisations/${encodeURIComponent(params.id)}`);
  const sample = obj || (await get('/api/v1/organisations?limit=1')).items[0];
  const v = obj || { member: true, package: 'none', group: 'BioF' };

  const name = h('input', { type: 'text', name: 'name', value: v.name ?? '', required: true, autocomplete: 'organization' });
  const short = h('input', { type: 'text', name: 'short_name', value: v.short_name ?? '' });
  const group = select('group', GROUPS.map((g) => [g, t('group.' + g)]), v.group);
  const pkg = select('package', PACKAGES.map((p) => [p, t('package.' + p)]), v.package);
  const member = checkbox('member', t('f.member'), v.member);
  const costCentre = checkbox('requires_cost_centre', t('f.requires_cost_centre'), v.requires_cost_centre);
  const city = h('input', { type: 'text', name: 'city', value: v.city ?? '', autocomplete: 'address-level2' });
  const extras = [];
  const website = h('input', { type: 'url', name: 'website', value: v.website ?? '', placeholder: 'https://' });
  const desc = h('textarea', { name: 'description' }, v.description ?? '');
  if (sample && 'website' in sample) extras.push(field(t('f.website'), website));
  if (sample && 'description' in sample) extras.push(field(t('f.description'), desc));

  root.append(backLink('#/manage', t('man.title')), editForm({
    back: obj ? `#/manage?organisation_id=${obj.id}` : '#/manage', path: '/api/v1/organisations', obj, sample, contract: CONTRACT, ctx,
    title: obj ? t('edit.org', { name: obj.name }) : t('edit.org.new'),
    body: h('div', { class: 'cat-form-grid' },
      field(t('f.name'), name), field(t('f.short_name'), short), field(t('f.group'), group), field(t('f.package'), pkg),
      field(t('f.city'), city), member, costCentre, ...extras),
    collect: () => ({
      name: name.value.trim(), short_name: short.value.trim(), group: group.value, package: pkg.value,
      member: member.querySelector('input').checked, city: textOrNull(city.value),
      requires_cost_centre: costCentre.querySelector('input').checked,
      website: textOrNull(website.value), description: desc.value.trim(),
    }),
    done: (saved, created) => { if (created) navigate(`#/manage?organisation_id=${saved.id}`); },
    afterDelete: () => navigate('#/manage'),
  }));
}

// lab.js — #/labs/:id: the lab's details (area, kind, energy intensity,
// building, BSL), its bookable resources and its calendar feed.
import { h } from '../dom.js';
import { get } from '../api.js';
import { t } from '../i18n.js';
import { subscribeBox } from '../components/subscribe.js';
import './lab-week.js'; // its strings: the link to the lab's week
import { lookups, listAll, canManage, facts, energyText, num, orgLabel, resourceCard, backLink } from '../catalogue-util.js';
import { label, choiceLabel } from '../schema.js';

export async function render(root, { params, state }) {
  const id = encodeURIComponent(params.id);
  const [lab, resources, look] = await Promise.all([
    get(`/api/v1/labs/${id}`), listAll('/api/v1/resources', { lab_id: params.id }), lookups()]);
  let org = look.orgs.get(lab.organisation_id);
  if (!org) org = await get(`/api/v1/organisations/${lab.organisation_id}`).catch(() => null);
  const estimated = lab.energy_kwh_per_m2_year === null || lab.energy_kwh_per_m2_year === undefined;

  root.append(h('div', { class: 'cat-detail-grid' },
    h('div', {},
      h('section', { class: 'card cat-detail' },
        backLink('#/catalogue?view=labs', t('cat.tab.labs')),
        h('h1', {}, lab.name),
        org ? h('p', { class: 'cat-where' }, h('a', { href: `#/organisations/${org.id}` }, orgLabel(org))) : null,
        lab.description ? h('p', { class: 'cat-desc' }, lab.description) : null,
        facts([
          [label('Lab', 'kind'), choiceLabel('Lab', 'kind', lab.kind)],
          [label('Lab', 'area_m2'), num(lab.area_m2)],
          [label('Lab', 'energy_kwh_per_m2_year'), [await energyText(lab, state.user), estimated ? [' ', h('span', { class: 'badge estimated' }, t('energy.estimated'))] : null]],
          [label('Lab', 'biosafety_level'), 'BSL-' + lab.biosafety_level],
          [label('Lab', 'building'), lab.building],
          [label('Lab', 'address'), lab.address],
          [label('Lab', 'city'), lab.city || org?.city],
        ]),
        canManage(state.user, lab.organisation_id)
          ? h('div', { class: 'cat-actions' }, h('a', { class: 'btn secondary', href: `#/manage/labs/${lab.id}` }, t('lab.edit'))) : null),
      h('section', { class: 'cat-section' },
        h('h2', {}, t('lab.resources')),
        resources.length ? h('p', {}, h('a', { class: 'btn secondary small lab-week-link', href: `#/labs/${lab.id}/week` }, t('lw.link'))) : null,
        resources.length
          ? h('div', { class: 'grid cat-grid' }, resources.map((r) => resourceCard(r, lab, org)))
          : h('p', { class: 'muted' }, t('lab.noresources')))),
    h('div', {}, subscribeBox('lab', lab.id))));
}

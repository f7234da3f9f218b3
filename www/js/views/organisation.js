// organisation.js — #/organisations/:id: who they are, their labs and services.
import { h } from '../dom.js';
import { get } from '../api.js';
import { t } from '../i18n.js';
import { subscribeBox } from '../components/subscribe.js';
import { label, choiceLabel } from '../schema.js';
import { listAll, canManage, facts, labCard, serviceCard, backLink } from '../catalogue-util.js';

export async function render(root, { params, state }) {
  const id = encodeURIComponent(params.id);
  const [org, labs, resources, services] = await Promise.all([
    get(`/api/v1/organisations/${id}`),
    listAll('/api/v1/labs', { organisation_id: params.id }),
    listAll('/api/v1/resources', { organisation_id: params.id }),
    listAll('/api/v1/services'),
  ]);
  const count = new Map();
  for (const r of resources) count.set(r.lab_id, (count.get(r.lab_id) || 0) + 1);
  const own = services.filter((s) => s.organisation_id === org.id);
  const byId = new Map(resources.map((r) => [r.id, r]));
  const website = org.website && /^https?:\/\//i.test(org.website)
    ? h('a', { href: org.website, rel: 'noopener noreferrer', target: '_blank' }, org.website) : org.website;
  const manager = canManage(state.user, org.id);

  root.append(h('div', { class: 'cat-detail-grid' },
    h('div', {},
      h('section', { class: 'card cat-detail' },
        backLink('#/catalogue', t('cat.title')),
        h('h1', {}, org.name, org.short_name ? h('span', { class: 'muted cat-short' }, ` (${org.short_name})`) : null),
        org.description ? h('p', { class: 'cat-desc' }, org.description) : null,
        facts([
          [label('Organisation', 'group'), choiceLabel('Organisation', 'group', org.group)],
          [label('Organisation', 'member'), org.member ? t('f.yes') : t('f.no')],
          [label('Organisation', 'package'), org.package ? choiceLabel('Organisation', 'package', org.package) : null],
          [label('Organisation', 'city'), org.city],
          [label('Organisation', 'website'), website],
        ]),
        state.user?.role === 'staff'
          ? h('div', { class: 'cat-actions' }, h('a', { class: 'btn secondary', href: `#/manage/organisations/${org.id}` }, t('org.edit'))) : null),
      h('section', { class: 'cat-section' }, h('h2', {}, t('org.labs')),
        labs.length ? h('div', { class: 'grid cat-grid' }, labs.map((l) => labCard(l, org, count.get(l.id) || 0)))
          : h('p', { class: 'muted' }, t('org.nolabs'))),
      h('section', { class: 'cat-section' }, h('h2', {}, t('org.services')),
        own.length ? h('div', { class: 'grid cat-grid' }, own.map((s) => serviceCard(s, org, byId)))
          : h('p', { class: 'muted' }, t('org.noservices')))),
    h('div', {}, manager ? subscribeBox('organisation', org.id) : null)));
}

// manage.js — #/manage: an owner's organisation (staff: any, via a picker)
// with its labs, resources and services and links to create and edit them;
// staff also see every organisation.
import { h } from '../dom.js';
import { get } from '../api.js';
import { t } from '../i18n.js';
import { label, choiceLabel } from '../schema.js';
import { listAll, orgLabel, options, num, invalidate } from '../catalogue-util.js';

export async function render(root, { params, state, navigate }) {
  const user = state.user;
  if (!user || (user.role !== 'owner' && user.role !== 'staff')) {
    root.append(h('section', { class: 'card' }, h('h1', {}, t('man.title')), h('p', {}, t('edit.denied'))));
    return;
  }
  invalidate(); // managers expect to see what they just saved
  const staff = user.role === 'staff';
  const orgs = staff ? (await listAll('/api/v1/organisations')).sort((a, b) => a.name.localeCompare(b.name)) : [];
  const orgId = staff ? Number(params.query.get('organisation_id')) || orgs[0]?.id || null : user.organisation_id;

  root.append(h('h1', {}, t('man.title')));
  if (staff) {
    root.append(h('section', { class: 'card' },
      h('div', { class: 'cat-section-head' }, h('h2', {}, t('man.orgs')),
        h('a', { class: 'btn small', href: '#/manage/organisations/new' }, '+ ' + t('man.newOrg'))),
      orgs.length ? table([label('Organisation', 'name'), label('Organisation', 'group'), label('Organisation', 'city'), ''], orgs.map((o) => [
        h('a', { href: `#/organisations/${o.id}` }, orgLabel(o)), o.group, o.city || '',
        h('a', { href: `#/manage/organisations/${o.id}`, 'aria-label': `${t('common.edit')}: ${o.name}` }, t('common.edit'))]))
        : h('p', { class: 'muted' }, t('man.empty'))));
  }
  if (!orgId) {
    root.append(h('section', { class: 'card' }, h('p', {}, staff ? t('man.empty') : t('man.noorg'))));
    return;
  }

  const [labs, resources, services] = await Promise.all([
    listAll('/api/v1/labs', { organisation_id: orgId }),
    listAll('/api/v1/resources', { organisation_id: orgId }),
    listAll('/api/v1/services'),
  ]);
  const own = services.filter((s) => s.organisation_id === orgId);
  const labName = new Map(labs.map((l) => [l.id, l.name]));

  if (staff) {
    const pick = h('select', { id: 'man-org', name: 'organisation_id' }, options(orgs.map((o) => [o.id, orgLabel(o)]), orgId));
    pick.addEventListener('change', () => navigate('#/manage?organisation_id=' + pick.value));
    root.append(h('div', { class: 'card cat-picker' }, h('label', { for: 'man-org' }, t('man.pick')), pick));
  } else {
    const mine = await get(`/api/v1/organisations/${orgId}`).catch(() => null);
    root.append(h('p', { class: 'muted' }, t('man.org'), ': ', h('a', { href: `#/organisations/${orgId}` }, mine ? orgLabel(mine) : String(orgId))));
  }

  const q = `?organisation_id=${orgId}`;
  root.append(
    h('section', { class: 'card', id: 'man-labs' },
      h('div', { class: 'cat-section-head' }, h('h2', {}, t('man.labs')), h('a', { class: 'btn small', href: '#/manage/labs/new' + q }, '+ ' + t('man.newLab'))),
      labs.length ? table([label('Lab', 'name'), label('Lab', 'kind'), label('Lab', 'area_m2'), ''], labs.map((l) => [
        h('a', { href: `#/labs/${l.id}` }, l.name), choiceLabel('Lab', 'kind', l.kind), num(l.area_m2),
        h('a', { href: `#/manage/labs/${l.id}`, 'aria-label': `${t('common.edit')}: ${l.name}` }, t('common.edit'))]))
        : h('p', { class: 'muted' }, t('man.empty'))),
    h('section', { class: 'card', id: 'man-resources' },
      h('div', { class: 'cat-section-head' }, h('h2', {}, t('man.resources')),
        labs.length ? h('a', { class: 'btn small', href: '#/manage/resources/new' + q }, '+ ' + t('man.newRes')) : h('span', { class: 'hint' }, t('edit.nolabs'))),
      resources.length ? table([label('Resource', 'name'), label('Resource', 'type'), label('Resource', 'lab_id'), ''], resources.map((r) => [
        h('a', { href: `#/resources/${r.id}` }, r.name), choiceLabel('Resource', 'type', r.type), labName.get(r.lab_id) || r.lab_name || '',
        h('a', { href: `#/manage/resources/${r.id}`, 'aria-label': `${t('common.edit')}: ${r.name}` }, t('common.edit'))]))
        : h('p', { class: 'muted' }, t('man.empty'))),
    h('section', { class: 'card', id: 'man-services' },
      h('div', { class: 'cat-section-head' }, h('h2', {}, t('man.services')), h('a', { class: 'btn small', href: '#/manage/services/new' + q }, '+ ' + t('man.newSvc'))),
      own.length ? table([label('Service', 'name'), label('Service', 'resource_ids'), ''], own.map((s) => [
        s.name, String((s.resource_ids || []).length),
        h('a', { href: `#/manage/services/${s.id}`, 'aria-label': `${t('common.edit')}: ${s.name}` }, t('common.edit'))]))
        : h('p', { class: 'muted' }, t('man.empty'))));
}

function table(heads, rows) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, heads.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c)))))));
}

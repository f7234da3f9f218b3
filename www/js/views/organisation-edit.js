// organisation-edit.js — #/manage/organisations/new and /:id (staff only): the
// form built from OrganisationCreate / OrganisationChange.
import { h } from '../dom.js';
import { get } from '../api.js';
import { t } from '../i18n.js';
import { schemaForm } from '../components/schema-form.js';
import { backLink } from '../catalogue-util.js';

export async function render(root, ctx) {
  const { params, state, navigate } = ctx;
  if (state.user?.role !== 'staff') {
    root.append(h('section', { class: 'card' }, h('h1', {}, t('edit.org.new')), h('p', {}, t('edit.denied'))));
    return;
  }
  const obj = params.id ? await get(`/api/v1/organisations/${encodeURIComponent(params.id)}`) : null;
  const back = obj ? `#/manage?organisation_id=${obj.id}` : '#/manage';
  root.append(backLink('#/manage', t('man.title')), await schemaForm({
    type: 'Organisation', obj, user: state.user, ctx, back,
    title: obj ? t('edit.org', { name: obj.name }) : t('edit.org.new'),
    done: (saved, created) => { if (created) navigate(`#/manage?organisation_id=${saved.id}`); },
    afterDelete: () => navigate('#/manage'),
  }));
}

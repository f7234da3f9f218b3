// service-edit.js — #/manage/services/new?organisation_id=N and /:id: the
// form built from ServiceCreate / ServiceChange; the resources it uses are
// offered from the organisation chosen in the same form.
import { h } from '../dom.js';
import { get } from '../api.js';
import { t } from '../i18n.js';
import { schemaForm } from '../components/schema-form.js';
import { canManage, backLink } from '../catalogue-util.js';

export async function render(root, ctx) {
  const { params, state, navigate } = ctx;
  const user = state.user;
  const obj = params.id ? await get(`/api/v1/services/${encodeURIComponent(params.id)}`) : null;
  const orgId = obj ? obj.organisation_id : Number(params.query.get('organisation_id')) || user?.organisation_id || null;
  if (!canManage(user, orgId) && !(!obj && user?.role === 'staff')) {
    root.append(h('section', { class: 'card' }, h('h1', {}, obj ? obj.name : t('edit.svc.new')), h('p', {}, t('edit.denied'))));
    return;
  }
  const back = `#/manage?organisation_id=${orgId ?? ''}`;
  root.append(backLink(back, t('man.title')), await schemaForm({
    type: 'Service', obj, user, ctx, back, context: { organisation_id: orgId },
    title: obj ? t('edit.svc', { name: obj.name }) : t('edit.svc.new'),
    done: (saved, created) => { if (created) navigate(`#/manage?organisation_id=${saved.organisation_id}`); },
    afterDelete: () => navigate(back),
  }));
}

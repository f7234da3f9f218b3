// resource-edit.js — #/manage/resources/new?organisation_id=N (or lab_id=N)
// and /:id: the form built from ResourceCreate / ResourceChange (the opening
// hours in the week editor), with one touch of its own: typical power draws
// to click into the power input. For an existing resource also its
// blackouts (blackouts.js) and who is trained on it or asks to be
// (training.js). Narrower opening hours or an end to sharing may break
// bookings: the owner sees which before confirming (impact.js).
import { h } from '../dom.js';
import { get, patch } from '../api.js';
import { t } from '../i18n.js';
import { schemaForm } from '../components/schema-form.js';
import { workWeek } from '../components/hours-editor.js';
import { confirmImpact } from '../components/impact.js';
import { blackoutsBox } from '../components/blackouts.js';
import { trainingBox } from '../components/training.js';
import { canManage, backLink } from '../catalogue-util.js';

// Typical active draw (METHODS.md), offered under the power input.
const TYPICAL_DRAW = [['draw.ult', 0.63], ['draw.bsc', 0.3], ['draw.confocal', 1.0], ['draw.lcms', 2.0], ['draw.ngs', 2.5]];
const typicalDraws = (c) => h('div', {}, t('power.hint'), h('ul', { class: 'cat-draws' }, TYPICAL_DRAW.map(([key, kw]) =>
  h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => { c.write(kw); c.input.focus(); } }, t(key))))));

export async function render(root, ctx) {
  const { params, state, navigate } = ctx;
  const user = state.user;
  const obj = params.id ? await get(`/api/v1/resources/${encodeURIComponent(params.id)}`) : null;
  const wantLab = obj ? obj.lab_id : Number(params.query.get('lab_id')) || null;
  let orgId = obj?.organisation_id ?? (Number(params.query.get('organisation_id')) || null);
  if (!orgId && wantLab) orgId = (await get(`/api/v1/labs/${wantLab}`)).organisation_id;
  if (!orgId && user?.role === 'owner') orgId = user.organisation_id;
  if (!canManage(user, orgId) && !(!obj && user?.role === 'staff')) {
    root.append(h('section', { class: 'card' }, h('h1', {}, obj ? obj.name : t('edit.res.new')), h('p', {}, t('edit.denied'))));
    return;
  }
  const back = `#/manage?organisation_id=${orgId ?? ''}`;
  const impact = h('div', { class: 'impact-slot', 'aria-live': 'polite' });
  root.append(backLink(back, t('man.title')), await schemaForm({
    type: 'Resource', obj, user, ctx, back, context: { organisation_id: orgId },
    // The week editor starts at its Mon–Fri preset (what the server also assumes when the hours are left out).
    initial: { opening_hours: workWeek(), ...(wantLab ? { lab_id: wantLab } : {}) },
    title: obj ? t('edit.res', { name: obj.name }) : t('edit.res.new'),
    hooks: { power_kw: typicalDraws },
    // Only a change can break bookings; a new resource has none.
    send: obj ? (method, path, body) => confirmImpact(impact, (q) => patch(path + q, body)) : undefined,
    done: (saved, created) => { if (created) navigate(`#/manage/resources/${saved.id}`); },
    afterDelete: () => navigate(back),
  }), impact);
  if (obj) {
    root.append(h('p', { class: 'cat-links' }, h('a', { href: `#/resources/${obj.id}` }, t('man.view'), ': ', obj.name)),
      await blackoutsBox(obj, ctx), trainingBox(obj, ctx));
  }
}

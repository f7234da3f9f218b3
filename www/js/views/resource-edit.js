// resource-edit.js — #/manage/resources/new?organisation_id=N (or lab_id=N)
// and /:id: the form built from ResourceCreate / ResourceChange (the opening
// hours in the week editor), with one touch of its own: typical power draws
// to click into the power input. For an existing resource also its
// blackouts (a form built from BlackoutCreate) and the users trained on it.
import { h, field, mount } from '../dom.js';
import { get, post, del } from '../api.js';
import { t, fmtDateTime } from '../i18n.js';
import { schemaForm, clearErrors } from '../components/schema-form.js';
import { workWeek } from '../components/hours-editor.js';
import { canManage, listAll, formError, backLink } from '../catalogue-util.js';

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
  root.append(backLink(back, t('man.title')), await schemaForm({
    type: 'Resource', obj, user, ctx, back, context: { organisation_id: orgId },
    // The week editor starts at its Mon–Fri preset (what the server also assumes when the hours are left out).
    initial: { opening_hours: workWeek(), ...(wantLab ? { lab_id: wantLab } : {}) },
    title: obj ? t('edit.res', { name: obj.name }) : t('edit.res.new'),
    hooks: { power_kw: typicalDraws },
    done: (saved, created) => { if (created) navigate(`#/manage/resources/${saved.id}`); },
    afterDelete: () => navigate(back),
  }));
  if (obj) {
    root.append(h('p', { class: 'cat-links' }, h('a', { href: `#/resources/${obj.id}` }, t('man.view'), ': ', obj.name)),
      await blackoutsBox(obj, ctx), trainedBox(obj, ctx));
  }
}

/* ---------- blackouts ---------- */

async function blackoutsBox(res, ctx) {
  const list = h('div', {});
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
  const form = await schemaForm({
    type: 'Blackout', obj: null, user: ctx.state.user, ctx, compact: true,
    createPath: `/api/v1/resources/${res.id}/blackouts`, submitLabel: t('bo.add'), createdText: t('bo.added'),
    done: () => { form.fill(); load(); },
  });
  form.id = 'blackout-form';
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

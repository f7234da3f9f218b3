// edit-form.js — the create/edit/delete form the catalogue manage pages
// share: create = POST of the filled-in fields, edit = PATCH of the changed
// fields only, delete after a confirm (a 409 refusal is shown, not hidden).
// API errors land next to the input their `field` names.
import { h } from '../dom.js';
import { post, patch, del } from '../api.js';
import { t } from '../i18n.js';
import { formError, changed, accepted, invalidate } from '../catalogue-util.js';

/**
 * opts: path (collection, e.g. '/api/v1/labs'), obj (null = create), title,
 * body (nodes inside the form), collect() → full body (may throw {field,
 * message}), contract (field names the API always accepts), sample (an
 * existing object: its extra keys are accepted too), done(saved, created)
 * after a save, afterDelete(), back (the Cancel link, default #/manage), ctx (toast),
 * patch(path, diff) (optional: how a change is sent; null = the user backed out).
 */
export function editForm(opts) {
  const { path, title, body, collect, contract, sample, done, afterDelete, ctx, back = '#/manage' } = opts;
  let obj = opts.obj;
  const save = h('button', { type: 'submit', class: 'btn' }, obj ? t('common.save') : t('common.create'));
  const remove = obj ? h('button', { type: 'button', class: 'btn danger', id: 'delete' }, t('common.delete')) : null;
  const form = h('form', { class: 'card cat-form', novalidate: true },
    h('h1', {}, title), body,
    h('div', { class: 'cat-form-actions' }, save, h('a', { class: 'btn secondary', href: back }, t('common.cancel')), remove));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let full;
    try { full = accepted(collect(), contract, sample || obj); } catch (e) { formError(form, e); return; }
    save.disabled = true;
    try {
      if (!obj) {
        for (const [k, v] of Object.entries(full)) if (v === null || v === '') delete full[k]; // server defaults
        const created = await post(path, full);
        invalidate();
        clearErrors(form);
        ctx.toast(t('edit.created'));
        done(created, true);
      } else {
        const diff = changed(obj, full);
        if (!Object.keys(diff).length) { ctx.toast(t('edit.nochange')); return; }
        const saved = await (opts.patch || patch)(`${path}/${obj.id}`, diff);
        if (!saved) return; // backed out (a change that would cancel bookings)
        obj = saved;
        invalidate();
        clearErrors(form);
        ctx.toast(t('common.saved'));
        done(obj, false);
      }
    } catch (e) {
      formError(form, e);
    } finally {
      save.disabled = false;
    }
  });

  remove?.addEventListener('click', async () => {
    if (!confirm(t('edit.confirm', { name: obj.name }))) return;
    try {
      await del(`${path}/${obj.id}`);
      invalidate();
      ctx.toast(t('edit.deleted'));
      afterDelete();
    } catch (e) {
      formError(form, { message: e.status === 409 ? t('edit.cannotDelete', { msg: e.message }) : e.message });
    }
  });
  return form;
}

export function clearErrors(form) {
  for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  form.querySelector('.form-error')?.remove();
}

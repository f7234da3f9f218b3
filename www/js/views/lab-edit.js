// lab-edit.js — #/manage/labs/new?organisation_id=N and /:id: the form built
// from LabCreate / LabChange. Its one touch of its own: the energy intensity
// may stay empty (the indicators then use the default for the lab's kind,
// METHODS.md), which the input shows as its placeholder and hint.
import { h, field, showFormError } from '../dom.js';
import { get, put } from '../api.js';
import { t, addStrings } from '../i18n.js';
import { schemaForm } from '../components/schema-form.js';
import { label, limits } from '../schema.js';
import { canManage, energyDefaults, num, backLink } from '../catalogue-util.js';

addStrings({
  pl: { 'mailbox.title': 'Wspólna skrzynka laboratorium', 'mailbox.lead': 'Kopie powiadomień o nowych wnioskach trafiają też na ten adres (np. sekretariat). Puste pole wyłącza kopie.',
    'mailbox.saved': 'Zapisano skrzynkę.',
    'energy.hint.kind': 'Puste pole = wartość domyślna dla typu laboratorium (CIBSE TM46); wybierz typ, by ją zobaczyć.' },
  en: { 'mailbox.title': 'Shared lab mailbox', 'mailbox.lead': 'Notifications of new requests also go to this address (e.g. the lab office). Leave it empty to stop them.',
    'mailbox.saved': 'Mailbox saved.',
    'energy.hint.kind': 'Empty = the default for the lab’s kind (CIBSE TM46); choose the kind to see it.' },
});

/* The lab's shared mailbox for notifications (PUT /api/v1/labs/{id}/mailbox). */
async function mailboxForm(labId, toast) {
  const current = await get(`/api/v1/labs/${labId}/mailbox`).catch(() => null);
  if (!current) return null;
  const email = h('input', { type: 'email', name: 'email', value: current.email ?? '', autocomplete: 'email',
    maxlength: limits('LabMailboxChange', 'email').maxLength });
  const form = h('form', { class: 'card lab-mailbox', novalidate: true },
    h('h2', {}, t('mailbox.title')), h('p', { class: 'muted' }, t('mailbox.lead')),
    field(label('LabMailboxChange', 'email'), email), h('button', { type: 'submit', class: 'btn' }, t('common.save')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const saved = await put(`/api/v1/labs/${labId}/mailbox`, { email: email.value.trim() || null });
      email.value = saved.email ?? '';
      for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
      form.querySelector('.form-error')?.remove();
      toast(t('mailbox.saved'));
    } catch (e) {
      showFormError(form, e);
    }
  });
  return form;
}

/** The default intensity of the chosen kind as the energy input's placeholder and hint. */
const energyHint = (defaults) => (c, form) => {
  const kind = form.control('kind');
  const hint = h('span', {});
  const show = () => {
    const d = defaults.get(kind?.read());
    c.input.placeholder = d === undefined ? '' : t('energy.ph', { v: num(d) });
    hint.textContent = d === undefined ? t('energy.hint.kind') : t('energy.hint', { v: num(d) });
  };
  kind?.onChange(show);
  show();
  return hint;
};

export async function render(root, ctx) {
  const { params, state, navigate } = ctx;
  const user = state.user;
  const obj = params.id ? await get(`/api/v1/labs/${encodeURIComponent(params.id)}`) : null;
  const orgId = obj ? obj.organisation_id : Number(params.query.get('organisation_id')) || user?.organisation_id || null;
  if (!canManage(user, orgId) && !(!obj && user?.role === 'staff')) {
    root.append(h('section', { class: 'card' }, h('h1', {}, obj ? obj.name : t('edit.lab.new')), h('p', {}, t('edit.denied'))));
    return;
  }
  const back = `#/manage?organisation_id=${orgId ?? ''}`;
  root.append(backLink(back, t('man.title')), await schemaForm({
    type: 'Lab', obj, user, ctx, back, context: { organisation_id: orgId },
    title: obj ? t('edit.lab', { name: obj.name }) : t('edit.lab.new'),
    hooks: { energy_kwh_per_m2_year: energyHint(await energyDefaults(user)) },
    done: (saved, created) => { if (created) navigate(`#/manage?organisation_id=${saved.organisation_id}`); },
    afterDelete: () => navigate(back),
  }));
  if (obj) {
    const mailbox = await mailboxForm(obj.id, ctx.toast);
    if (mailbox) root.append(mailbox);
  }
}

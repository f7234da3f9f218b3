// lab-edit.js — #/manage/labs/new?organisation_id=N and /:id. The energy
// intensity may stay empty: the indicators then use the default for the
// lab's kind (METHODS.md), which the input shows as its placeholder.
import { h, field, showFormError } from '../dom.js';
import { get, put } from '../api.js';
import { t, addStrings } from '../i18n.js';
import { editForm } from '../components/edit-form.js';
import {
  KINDS, KIND_DEFAULT_KWH, select, textOrNull, numberOrNull, canManage, listAll, orgLabel, backLink,
} from '../catalogue-util.js';

addStrings({
  pl: { 'mailbox.title': 'Wspólna skrzynka laboratorium', 'mailbox.lead': 'Kopie powiadomień o nowych wnioskach trafiają też na ten adres (np. sekretariat). Puste pole wyłącza kopie.',
    'mailbox.email': 'Adres e-mail', 'mailbox.saved': 'Zapisano skrzynkę.' },
  en: { 'mailbox.title': 'Shared lab mailbox', 'mailbox.lead': 'Notifications of new requests also go to this address (e.g. the lab office). Leave it empty to stop them.',
    'mailbox.email': 'Email address', 'mailbox.saved': 'Mailbox saved.' },
});

/* The lab's shared mailbox for notifications (PUT /api/v1/labs/{id}/mailbox). */
async function mailboxForm(labId, toast) {
  const current = await get(`/api/v1/labs/${labId}/mailbox`).catch(() => null);
  if (!current) return null;
  const email = h('input', { type: 'email', name: 'email', value: current.email ?? '', autocomplete: 'email' });
  const form = h('form', { class: 'card lab-mailbox', novalidate: true },
    h('h2', {}, t('mailbox.title')), h('p', { class: 'muted' }, t('mailbox.lead')),
    field(t('mailbox.email'), email), h('button', { type: 'submit', class: 'btn' }, t('common.save')));
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

const CONTRACT = ['organisation_id', 'name', 'kind', 'area_m2', 'energy_kwh_per_m2_year', 'building', 'address', 'biosafety_level', 'description'];

export async function render(root, ctx) {
  const { params, state, navigate } = ctx;
  const user = state.user;
  const isNew = !params.id;
  const obj = isNew ? null : await get(`/api/v1/labs/${encodeURIComponent(params.id)}`);
  const orgId = obj ? obj.organisation_id : Number(params.query.get('organisation_id')) || user?.organisation_id || null;
  if (!canManage(user, orgId) && !(isNew && user?.role === 'staff')) {
    root.append(h('section', { class: 'card' }, h('h1', {}, obj ? obj.name : t('edit.lab.new')), h('p', {}, t('edit.denied'))));
    return;
  }
  const sample = obj || (await get('/api/v1/labs?limit=1')).items[0];
  const v = obj || { kind: 'scientific', biosafety_level: 0 };

  let orgInput;
  if (isNew && user.role === 'staff') {
    const orgs = (await listAll('/api/v1/organisations')).sort((a, b) => a.name.localeCompare(b.name));
    orgInput = select('organisation_id', orgs.map((o) => [o.id, orgLabel(o)]), orgId);
  } else {
    const org = await get(`/api/v1/organisations/${orgId}`).catch(() => null);
    orgInput = h('input', { type: 'text', name: 'organisation_id', value: org ? orgLabel(org) : String(orgId), readonly: true });
  }
  const name = h('input', { type: 'text', name: 'name', value: v.name ?? '', required: true });
  const kind = select('kind', KINDS.map((k) => [k, t('kind.' + k)]), v.kind);
  const area = h('input', { type: 'text', inputmode: 'decimal', name: 'area_m2', value: v.area_m2 ?? '', required: true });
  const energy = h('input', { type: 'text', inputmode: 'decimal', name: 'energy_kwh_per_m2_year', value: v.energy_kwh_per_m2_year ?? '' });
  const energyHint = h('span', {});
  const showDefault = () => {
    const d = KIND_DEFAULT_KWH[kind.value];
    energy.placeholder = t('energy.ph', { v: d });
    energyHint.textContent = t('energy.hint', { v: d });
  };
  kind.addEventListener('change', showDefault);
  showDefault();
  const building = h('input', { type: 'text', name: 'building', value: v.building ?? '' });
  const address = h('input', { type: 'text', name: 'address', value: v.address ?? '', autocomplete: 'street-address' });
  const city = h('input', { type: 'text', name: 'city', value: v.city ?? '', autocomplete: 'address-level2' });
  const bsl = select('biosafety_level', [0, 1, 2, 3, 4].map((n) => [n, n ? 'BSL-' + n : '0 — ' + t('f.no')]), v.biosafety_level);
  const desc = h('textarea', { name: 'description' }, v.description ?? '');

  root.append(backLink(`#/manage?organisation_id=${orgId}`, t('man.title')), editForm({
    back: `#/manage?organisation_id=${orgId ?? ''}`, path: '/api/v1/labs', obj, sample, contract: CONTRACT, ctx,
    title: obj ? t('edit.lab', { name: obj.name }) : t('edit.lab.new'),
    body: h('div', { class: 'cat-form-grid' },
      field(t('f.organisation'), orgInput), field(t('f.name'), name), field(t('f.kind'), kind),
      field(t('f.area_m2'), area), field(t('f.energy'), energy, energyHint), field(t('f.bsl'), bsl),
      field(t('f.building'), building), field(t('f.address'), address),
      sample && 'city' in sample ? field(t('f.city'), city) : null,
      h('div', { class: 'cat-wide' }, field(t('f.description'), desc))),
    collect: () => ({
      organisation_id: orgInput.tagName === 'SELECT' ? Number(orgInput.value) : orgId,
      name: name.value.trim(), kind: kind.value, area_m2: numberOrNull(area.value),
      energy_kwh_per_m2_year: numberOrNull(energy.value), building: textOrNull(building.value),
      address: textOrNull(address.value), city: textOrNull(city.value), biosafety_level: Number(bsl.value),
      description: desc.value.trim(),
    }),
    done: (saved, created) => { if (created) navigate(`#/manage?organisation_id=${saved.organisation_id}`); },
    afterDelete: () => navigate(`#/manage?organisation_id=${orgId}`),
  }));
  if (obj) {
    const mailbox = await mailboxForm(obj.id, ctx.toast);
    if (mailbox) root.append(mailbox);
  }
}

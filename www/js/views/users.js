// users.js — #/admin/users (staff): find users, create one, change role,
// organisation, language or active flag, set a new password.
import { h, mount, field, showFormError } from '../dom.js';
import { get, post, patch, qs } from '../api.js';
import { choices, limits } from '../schema.js';
import { t, addStrings, fmtDate } from '../i18n.js';
import { setQuery } from '../shell.js';
import { inviteForm } from './invitation.js';

addStrings({
  pl: {
    'users.title': 'Użytkownicy', 'users.tab.users': 'Użytkownicy', 'users.tab.audit': 'Dziennik zdarzeń',
    'users.search': 'Szukaj po nazwisku lub e-mailu', 'users.role.any': 'każda rola', 'users.active.any': 'aktywni i nieaktywni',
    'users.active.yes': 'tylko aktywni', 'users.active.no': 'tylko dezaktywowani',
    'users.col.name': 'Imię i nazwisko', 'users.col.email': 'E-mail', 'users.col.role': 'Rola',
    'users.col.org': 'Organizacja', 'users.col.status': 'Status', 'users.col.created': 'Utworzono', 'users.col.actions': 'Akcje',
    'users.active': 'aktywny', 'users.inactive': 'dezaktywowany', 'users.edit': 'Edytuj', 'users.edit.of': 'Edytuj: {name}',
    'users.none.org': '— brak (gość) —', 'users.orgid': 'Organizacja (numer)',
    'users.create': 'Nowy użytkownik', 'users.create.submit': 'Utwórz konto', 'users.created': 'Utworzono konto {email}.',
    'users.password': 'Hasło początkowe', 'users.password.hint': 'Co najmniej 10 znaków; przekaż je osobie bezpiecznym kanałem.',
    'users.lang': 'Język', 'users.name': 'Imię i nazwisko', 'users.email': 'E-mail', 'users.role': 'Rola',
    'users.org': 'Organizacja', 'users.isactive': 'Konto aktywne',
    'users.isactive.hint': 'Dezaktywacja oraz zmiana roli lub organizacji kończą natychmiast wszystkie sesje tej osoby.',
    'users.reset': 'Ustaw nowe hasło', 'users.reset.new': 'Nowe hasło', 'users.reset.submit': 'Ustaw hasło',
    'users.reset.done': 'Hasło ustawione; sesje tej osoby zostały zakończone.', 'users.updated': 'Zapisano zmiany.',
    'users.range': '{from}–{to} z {total}', 'users.prev': 'Poprzednie', 'users.next': 'Następne',
    'lang.pl': 'polski', 'lang.en': 'angielski', 'users.tab.signin': 'Logowanie',
    'users.anon': 'Dane osobowe', 'users.anon.open': 'Anonimizuj…',
    'users.anon.hint': 'Usuwa imię, nazwisko i adres e-mail tej osoby, kończy jej sesje i kanały kalendarza i dezaktywuje konto. Rezerwacje zostają (bez opisu celu) na potrzeby statystyk. Tego nie można cofnąć.',
    'users.anon.yes': 'Anonimizuj na zawsze', 'users.anon.done': 'Konto zostało zanonimizowane.',
  },
  en: {
    'users.title': 'Users', 'users.tab.users': 'Users', 'users.tab.audit': 'Audit log',
    'users.search': 'Search by name or email', 'users.role.any': 'any role', 'users.active.any': 'active and deactivated',
    'users.active.yes': 'active only', 'users.active.no': 'deactivated only',
    'users.col.name': 'Name', 'users.col.email': 'Email', 'users.col.role': 'Role',
    'users.col.org': 'Organisation', 'users.col.status': 'Status', 'users.col.created': 'Created', 'users.col.actions': 'Actions',
    'users.active': 'active', 'users.inactive': 'deactivated', 'users.edit': 'Edit', 'users.edit.of': 'Edit: {name}',
    'users.none.org': '— none (guest) —', 'users.orgid': 'Organisation (id)',
    'users.create': 'New user', 'users.create.submit': 'Create account', 'users.created': 'Account {email} created.',
    'users.password': 'Initial password', 'users.password.hint': 'At least 10 characters; hand it over through a safe channel.',
    'users.lang': 'Language', 'users.name': 'Name', 'users.email': 'Email', 'users.role': 'Role',
    'users.org': 'Organisation', 'users.isactive': 'Account active',
    'users.isactive.hint': 'Deactivating, or changing the role or organisation, ends all of this person’s sessions at once.',
    'users.reset': 'Set a new password', 'users.reset.new': 'New password', 'users.reset.submit': 'Set password',
    'users.reset.done': 'Password set; this person’s sessions have ended.', 'users.updated': 'Changes saved.',
    'users.range': '{from}–{to} of {total}', 'users.prev': 'Previous', 'users.next': 'Next',
    'lang.pl': 'Polish', 'lang.en': 'English', 'users.tab.signin': 'Sign-in',
    'users.anon': 'Personal data', 'users.anon.open': 'Anonymise…',
    'users.anon.hint': 'Removes this person’s name and e-mail address, ends their sessions and calendar feeds and deactivates the account. Bookings stay (without their purpose) for statistics. This cannot be undone.',
    'users.anon.yes': 'Anonymise for good', 'users.anon.done': 'The account has been anonymised.',
  },
});

const ROLES = choices('User', 'role');
const PAGE = 25;

function clearErrors(form) {
  for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  form.querySelector('.form-error')?.remove();
}

/** The staff tabs shared by the users and audit pages. */
export function adminTabs(current) {
  return h('nav', { class: 'admin-tabs', 'aria-label': t('nav.admin') },
    h('a', { href: '#/admin/users', 'aria-current': current === 'users' ? 'page' : null }, t('users.tab.users')),
    h('a', { href: '#/admin/audit', 'aria-current': current === 'audit' ? 'page' : null }, t('users.tab.audit')),
    h('a', { href: '#/admin/sign-in', 'aria-current': current === 'sign-in' ? 'page' : null }, t('users.tab.signin')));
}

// Organisations for the pickers; the catalogue API may be absent, then an id field is shown.
async function loadOrgs() {
  try {
    const r = await get('/api/v1/organisations?limit=500');
    return (r.items || []).slice().sort((a, b) => a.name.localeCompare(b.name));
  } catch { return null; }
}

function orgControl(orgs, value) {
  if (!orgs) return h('input', { type: 'number', name: 'organisation_id', min: 1, value: value ?? '', inputmode: 'numeric' });
  return h('select', { name: 'organisation_id' },
    h('option', { value: '' }, t('users.none.org')),
    orgs.map((o) => h('option', { value: String(o.id), selected: o.id === value }, o.short_name ? `${o.name} (${o.short_name})` : o.name)));
}

const orgValue = (el) => (el.value === '' ? null : (/^\d+$/.test(el.value) ? Number(el.value) : el.value));

function roleSelect(value) {
  return h('select', { name: 'role' }, ROLES.map(([r, text]) => h('option', { value: r, selected: r === value }, text)));
}
function langSelect(value) {
  return h('select', { name: 'lang' }, choices('User', 'lang').map(([l, text]) => h('option', { value: l, selected: l === value }, text)));
}

function createForm(orgs, onCreated, toast) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'off', required: true, maxlength: limits('NewUserCreate', 'email').maxLength });
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'off', required: true, maxlength: limits('NewUserCreate', 'name').maxLength });
  const role = roleSelect('researcher');
  const org = orgControl(orgs, null);
  const lang = langSelect('pl');
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, maxlength: limits('NewUserCreate', 'password').maxLength });
  const form = h('form', { class: 'card account-form', id: 'create-user', novalidate: true },
    h('h2', {}, t('users.create')),
    h('div', { class: 'account-fields' },
      field(t('users.email'), email), field(t('users.name'), name), field(t('users.role'), role),
      field(t('users.org'), org), field(t('users.lang'), lang),
      field(t('users.password'), password, t('users.password.hint'))),
    h('button', { type: 'submit', class: 'btn' }, t('users.create.submit')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const u = await post('/api/v1/users', {
        email: email.value.trim(), name: name.value.trim(), role: role.value,
        organisation_id: orgValue(org), lang: lang.value, password: password.value,
      });
      clearErrors(form);
      form.reset();
      toast(t('users.created', { email: u.email }));
      onCreated(u);
    } catch (e) { showFormError(form, e); }
  });
  return form;
}

function editPanel(user, orgs, { onSaved, onClose, toast, self }) {
  const name = h('input', { type: 'text', name: 'name', value: user.name, required: true, maxlength: limits('UserChangeChange', 'name').maxLength });
  const role = roleSelect(user.role);
  const org = orgControl(orgs, user.organisation_id);
  const lang = langSelect(user.lang);
  const active = h('input', { type: 'checkbox', name: 'active', checked: user.active });
  if (self) { role.disabled = true; active.disabled = true; }
  const form = h('form', { class: 'account-form', novalidate: true, id: 'edit-user' },
    h('div', { class: 'account-fields' },
      field(t('users.name'), name), field(t('users.role'), role), field(t('users.org'), org), field(t('users.lang'), lang)),
    h('div', { class: 'field field-check', dataset: { field: 'active' } },
      h('label', {}, active, ' ', t('users.isactive')),
      h('div', { class: 'hint' }, t('users.isactive.hint')),
      h('div', { class: 'field-error', 'aria-live': 'polite' })),
    h('div', { class: 'account-actions' },
      h('button', { type: 'submit', class: 'btn' }, t('common.save')),
      h('button', { type: 'button', class: 'btn secondary', onclick: onClose }, t('common.cancel'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { name: name.value.trim(), lang: lang.value, organisation_id: orgValue(org) };
    if (!self) { body.role = role.value; body.active = active.checked; }
    try {
      const u = await patch(`/api/v1/users/${user.id}`, body);
      toast(t('users.updated'));
      onSaved(u);
    } catch (e) { showFormError(form, e); }
  });

  const pw = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true });
  const reset = h('form', { class: 'account-form', novalidate: true, id: 'reset-password' },
    h('h3', {}, t('users.reset')),
    field(t('users.reset.new'), pw, t('users.password.hint')),
    h('button', { type: 'submit', class: 'btn secondary' }, t('users.reset.submit')));
  reset.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await post(`/api/v1/users/${user.id}/password`, { password: pw.value });
      clearErrors(reset);
      pw.value = '';
      toast(t('users.reset.done'));
    } catch (e) { showFormError(reset, e); }
  });
  return h('section', { class: 'card account-edit', 'aria-labelledby': 'edit-title' },
    h('h2', { id: 'edit-title' }, t('users.edit.of', { name: user.name }), ' ', h('span', { class: 'muted' }, user.email)),
    form, reset, self ? null : anonymiseBox(user, { onSaved, toast }));
}

/** Anonymisation, behind a second, explicit click. */
function anonymiseBox(user, { onSaved, toast }) {
  const box = h('div', { class: 'account-form', id: 'anonymise' }, h('h3', {}, t('users.anon')));
  const open = h('button', { type: 'button', class: 'btn secondary', id: 'anonymise-open' }, t('users.anon.open'));
  open.addEventListener('click', () => {
    const yes = h('button', { type: 'button', class: 'btn danger', id: 'anonymise-yes' }, t('users.anon.yes'));
    const confirm = h('div', { role: 'alert' }, h('p', { class: 'hint' }, t('users.anon.hint')), yes);
    yes.addEventListener('click', async () => {
      try {
        const u = await post(`/api/v1/users/${user.id}/anonymise`, {});
        toast(t('users.anon.done'));
        onSaved(u);
      } catch (e) { showFormError(box, e); }
    });
    open.replaceWith(confirm);
  });
  box.append(open);
  return box;
}

export async function render(root, ctx) {
  const query = ctx.params.query;
  // The filter lives in the address: back, reload and a shared link show the same list.
  const filter = { q: query.get('q') || '', role: query.get('role') || '', active: query.get('active') || '', offset: Math.max(0, Number(query.get('offset')) || 0) };
  const orgs = await loadOrgs();

  const q = h('input', { type: 'search', name: 'q', class: 'search', value: filter.q, placeholder: t('users.search'), 'aria-label': t('users.search') });
  const role = h('select', { name: 'role', class: 'filter', 'aria-label': t('users.role') },
    h('option', { value: '' }, t('users.role.any')), ROLES.map(([r, text]) => h('option', { value: r, selected: filter.role === r }, text)));
  const active = h('select', { name: 'active', class: 'filter', 'aria-label': t('users.col.status') },
    [['', 'users.active.any'], ['true', 'users.active.yes'], ['false', 'users.active.no']].map(([v, k]) =>
      h('option', { value: v, selected: filter.active === v }, t(k))));
  const toolbar = h('form', { class: 'toolbar', id: 'users-toolbar', role: 'search' }, q, role, active,
    h('button', { type: 'submit', class: 'btn' }, t('common.search')));
  const tableBox = h('div', { class: 'table-wrap', id: 'users-table' });
  const pager = h('div', { class: 'pager' });
  const editBox = h('div', { id: 'edit-box' });

  function openEdit(user) {
    mount(editBox, editPanel(user, orgs, {
      self: user.id === ctx.state.user.id,
      toast: ctx.toast,
      onClose: () => mount(editBox),
      onSaved: (u) => { mount(editBox); load(); if (u.id === ctx.state.user.id) ctx.state.user = { ...ctx.state.user, ...u }; },
    }));
    editBox.querySelector('input[name=name]').focus();
  }

  let shown = false;
  async function load() {
    setQuery({ ...filter, offset: filter.offset || '' }, { replace: !shown });
    shown = true;
    const r = await get('/api/v1/users' + qs({ q: filter.q, role: filter.role, active: filter.active, limit: PAGE, offset: filter.offset }));
    if (!r.items.length) { mount(tableBox, h('p', { class: 'muted' }, t('common.none'))); mount(pager); return; }
    mount(tableBox, h('table', { class: 'data users' },
      h('thead', {}, h('tr', {}, ['name', 'email', 'role', 'org', 'status', 'created', 'actions'].map((c) => h('th', { scope: 'col' }, t('users.col.' + c))))),
      h('tbody', {}, r.items.map((u) => h('tr', { class: u.active ? null : 'inactive', dataset: { email: u.email } },
        h('td', { 'data-label': t('users.col.name') }, u.name),
        h('td', { 'data-label': t('users.col.email') }, u.email),
        h('td', { 'data-label': t('users.col.role') }, t('role.' + u.role)),
        h('td', { 'data-label': t('users.col.org') }, u.organisation_name || (u.organisation_id ? `#${u.organisation_id}` : '—')),
        h('td', { 'data-label': t('users.col.status') }, h('span', { class: ['badge', u.active ? 'approved' : 'declined'] }, t(u.active ? 'users.active' : 'users.inactive'))),
        h('td', { 'data-label': t('users.col.created') }, u.created ? fmtDate(u.created) : ''),
        h('td', {}, h('button', { type: 'button', class: 'btn small secondary', 'aria-label': `${t('users.edit')} ${u.name}`, onclick: () => openEdit(u) }, t('users.edit'))))))));
    const prev = h('button', { type: 'button', class: 'btn small secondary', disabled: filter.offset === 0 }, t('users.prev'));
    const next = h('button', { type: 'button', class: 'btn small secondary', disabled: filter.offset + PAGE >= r.total }, t('users.next'));
    prev.addEventListener('click', () => { filter.offset = Math.max(0, filter.offset - PAGE); load(); });
    next.addEventListener('click', () => { filter.offset += PAGE; load(); });
    mount(pager, prev, h('span', { class: 'muted' }, t('users.range', { from: filter.offset + 1, to: filter.offset + r.items.length, total: r.total })), next);
  }

  toolbar.addEventListener('submit', (ev) => {
    ev.preventDefault();
    Object.assign(filter, { q: q.value.trim(), role: role.value, active: active.value, offset: 0 });
    load().catch((e) => ctx.toast(e.message, 'bad'));
  });

  await load();
  root.append(
    h('h1', {}, t('users.title')),
    adminTabs('users'),
    toolbar, tableBox, pager, editBox,
    inviteForm({ me: ctx.state.user, orgs, toast: ctx.toast }),
    createForm(orgs, () => { filter.offset = 0; load(); }, ctx.toast));
}

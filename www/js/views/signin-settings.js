// signin-settings.js — #/admin/sign-in (staff): whether people outside the
// member organisations may register, and the OpenID Connect provider of the
// "Sign in with …" button. Settings the server's configuration fixes are
// shown but cannot be changed here; the client secret is never shown.
import { h, field, showFormError } from '../dom.js';
import { get, patch } from '../api.js';
import { t, addStrings } from '../i18n.js';
import { adminTabs } from './users.js';

addStrings({
  pl: {
    'signin.title': 'Logowanie i rejestracja', 'signin.guests': 'Osoby spoza organizacji członkowskich mogą się rejestrować (jako goście)',
    'signin.guests.hint': 'Adresy w domenach organizacji członkowskich zawsze dają konto badacza tej organizacji.',
    'signin.oidc': 'Logowanie przez dostawcę tożsamości (OpenID Connect)',
    'signin.issuer': 'Adres wystawcy (issuer)', 'signin.issuer.hint': 'np. https://login.uj.edu.pl/realms/uj; puste wyłącza logowanie przez dostawcę.',
    'signin.client': 'Identyfikator klienta (client_id)', 'signin.secret': 'Sekret klienta',
    'signin.secret.set': 'ustawiony — wpisz nowy, aby zmienić', 'signin.secret.unset': 'nieustawiony',
    'signin.name': 'Nazwa na przycisku „Zaloguj przez …”', 'signin.redirect': 'Adres powrotu do zarejestrowania u dostawcy',
    'signin.locked': 'ustawione w konfiguracji serwera', 'signin.saved': 'Zapisano ustawienia logowania.',
  },
  en: {
    'signin.title': 'Sign-in and registration', 'signin.guests': 'People outside the member organisations may register (as guests)',
    'signin.guests.hint': 'Addresses in a member organisation’s domain always give a researcher account of that organisation.',
    'signin.oidc': 'Single sign-on (OpenID Connect)',
    'signin.issuer': 'Issuer URL', 'signin.issuer.hint': 'e.g. https://login.uj.edu.pl/realms/uj; empty turns single sign-on off.',
    'signin.client': 'Client id', 'signin.secret': 'Client secret',
    'signin.secret.set': 'set — type a new one to change it', 'signin.secret.unset': 'not set',
    'signin.name': 'Name on the “Sign in with …” button', 'signin.redirect': 'Redirect URI to register at the provider',
    'signin.locked': 'set in the server’s configuration', 'signin.saved': 'Sign-in settings saved.',
  },
});

export async function render(root, { toast }) {
  const s = await get('/api/v1/settings/accounts');
  const locked = new Set(s.locked);
  const lock = (el, name) => { if (locked.has(name)) { el.disabled = true; el.title = t('signin.locked'); } return el; };
  const guests = lock(h('input', { type: 'checkbox', name: 'guest_registration', checked: s.guest_registration }), 'guest_registration');
  const issuer = lock(h('input', { type: 'url', name: 'oidc_issuer', value: s.oidc_issuer, autocomplete: 'off' }), 'oidc_issuer');
  const client = lock(h('input', { type: 'text', name: 'oidc_client_id', value: s.oidc_client_id, autocomplete: 'off' }), 'oidc_client_id');
  const secret = lock(h('input', { type: 'password', name: 'oidc_client_secret', autocomplete: 'new-password',
    placeholder: t(s.oidc_client_secret_set ? 'signin.secret.set' : 'signin.secret.unset') }), 'oidc_client_secret');
  const name = lock(h('input', { type: 'text', name: 'oidc_name', value: s.oidc_name, maxlength: 100 }), 'oidc_name');
  const note = (n) => (locked.has(n) ? t('signin.locked') : null);
  const form = h('form', { class: 'card account-form', id: 'signin-settings', novalidate: true },
    h('div', { class: 'field field-check', dataset: { field: 'guest_registration' } },
      h('label', {}, guests, ' ', t('signin.guests')),
      h('div', { class: 'hint' }, note('guest_registration') || t('signin.guests.hint')),
      h('div', { class: 'field-error', 'aria-live': 'polite' })),
    h('h2', {}, t('signin.oidc')),
    h('div', { class: 'account-fields' },
      field(t('signin.issuer'), issuer, note('oidc_issuer') || t('signin.issuer.hint')),
      field(t('signin.client'), client, note('oidc_client_id')),
      field(t('signin.secret'), secret, note('oidc_client_secret')),
      field(t('signin.name'), name, note('oidc_name'))),
    h('p', { class: 'hint' }, t('signin.redirect'), ': ', h('code', { id: 'redirect-uri' }, s.oidc_redirect_uri)),
    h('button', { type: 'submit', class: 'btn' }, t('common.save')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {};
    if (!guests.disabled && guests.checked !== s.guest_registration) body.guest_registration = guests.checked;
    if (!issuer.disabled && issuer.value.trim() !== s.oidc_issuer) body.oidc_issuer = issuer.value.trim();
    if (!client.disabled && client.value.trim() !== s.oidc_client_id) body.oidc_client_id = client.value.trim();
    if (!secret.disabled && secret.value) body.oidc_client_secret = secret.value;
    if (!name.disabled && name.value.trim() !== s.oidc_name) body.oidc_name = name.value.trim();
    try {
      Object.assign(s, await patch('/api/v1/settings/accounts', body));
      secret.value = '';
      secret.placeholder = t(s.oidc_client_secret_set ? 'signin.secret.set' : 'signin.secret.unset');
      for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
      form.querySelector('.form-error')?.remove();
      toast(t('signin.saved'));
    } catch (e) { showFormError(form, e); }
  });
  root.append(h('h1', {}, t('signin.title')), adminTabs('sign-in'), form);
}

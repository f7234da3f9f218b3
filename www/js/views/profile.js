// profile.js — #/profile: who I am, my name and language, my password,
// and the calendar feed of my own bookings.
import { h, field, showFormError } from '../dom.js';
import { get, patch, post } from '../api.js';
import { t, addStrings, setLang } from '../i18n.js';
import { subscribeBox } from '../components/subscribe.js';

addStrings({
  pl: {
    'profile.title': 'Mój profil', 'profile.account': 'Konto', 'profile.email': 'E-mail', 'profile.role': 'Rola',
    'profile.organisation': 'Organizacja', 'profile.guest': 'gość (bez organizacji)',
    'profile.details': 'Dane', 'profile.name': 'Imię i nazwisko', 'profile.lang': 'Język',
    'profile.lang.pl': 'polski', 'profile.lang.en': 'angielski',
    'profile.lang.hint': 'Zapisywany na serwerze, używany po każdym zalogowaniu.',
    'profile.password': 'Zmiana hasła', 'profile.current': 'Obecne hasło', 'profile.new': 'Nowe hasło',
    'profile.confirm': 'Powtórz nowe hasło', 'profile.change': 'Zmień hasło',
    'profile.new.hint': 'Co najmniej 10 znaków; nie może zawierać Twojego imienia ani adresu e-mail.',
    'profile.mismatch': 'Hasła się różnią.', 'profile.changed': 'Hasło zmienione. Inne sesje zostały zakończone.',
    'profile.feeds': 'Zarządzaj linkami do kalendarzy',
  },
  en: {
    'profile.title': 'My profile', 'profile.account': 'Account', 'profile.email': 'Email', 'profile.role': 'Role',
    'profile.organisation': 'Organisation', 'profile.guest': 'guest (no organisation)',
    'profile.details': 'Details', 'profile.name': 'Name', 'profile.lang': 'Language',
    'profile.lang.pl': 'Polish', 'profile.lang.en': 'English',
    'profile.lang.hint': 'Saved on the server and used whenever you sign in.',
    'profile.password': 'Change password', 'profile.current': 'Current password', 'profile.new': 'New password',
    'profile.confirm': 'Repeat the new password', 'profile.change': 'Change password',
    'profile.new.hint': 'At least 10 characters; must not contain your name or email.',
    'profile.mismatch': 'The passwords differ.', 'profile.changed': 'Password changed. Your other sessions have ended.',
    'profile.feeds': 'Manage calendar links',
  },
});

/** Removes the inline messages of an earlier failed submit. */
function clearErrors(form) {
  for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  form.querySelector('.form-error')?.remove();
}

function detailsForm(me, ctx) {
  const name = h('input', { type: 'text', name: 'name', value: me.name, autocomplete: 'name', required: true, maxlength: 200 });
  const lang = h('select', { name: 'lang' },
    ['pl', 'en'].map((l) => h('option', { value: l, selected: me.lang === l }, t('profile.lang.' + l))));
  const form = h('form', { class: 'card account-form', novalidate: true },
    h('h2', {}, t('profile.details')),
    field(t('profile.name'), name),
    field(t('profile.lang'), lang, t('profile.lang.hint')),
    h('button', { type: 'submit', class: 'btn' }, t('common.save')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const user = await patch('/api/v1/me', { name: name.value.trim(), lang: lang.value });
      ctx.state.user = user;
      setLang(user.lang);
      ctx.toast(t('common.saved'));
      ctx.rerender();
    } catch (e) {
      showFormError(form, e);
    }
  });
  return form;
}

function passwordForm(me, ctx) {
  const current = h('input', { type: 'password', name: 'current', autocomplete: 'current-password', required: true });
  const fresh = h('input', { type: 'password', name: 'new', autocomplete: 'new-password', required: true, minlength: 10 });
  const confirm = h('input', { type: 'password', name: 'confirm', autocomplete: 'new-password', required: true });
  const form = h('form', { class: 'card account-form', novalidate: true, id: 'password-form' },
    h('h2', {}, t('profile.password')),
    // A hidden username lets password managers file the new password correctly.
    h('input', { type: 'email', name: 'username', value: me.email, autocomplete: 'username', hidden: true, readonly: true, tabindex: '-1' }),
    field(t('profile.current'), current),
    field(t('profile.new'), fresh, t('profile.new.hint')),
    field(t('profile.confirm'), confirm),
    h('button', { type: 'submit', class: 'btn' }, t('profile.change')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (fresh.value !== confirm.value) {
      showFormError(form, { field: 'confirm', message: t('profile.mismatch') });
      return;
    }
    try {
      await post('/api/v1/me/password', { current: current.value, new: fresh.value });
      clearErrors(form);
      for (const i of [current, fresh, confirm]) i.value = '';
      ctx.toast(t('profile.changed'));
    } catch (e) {
      showFormError(form, e);
    }
  });
  return form;
}

export async function render(root, ctx) {
  const me = await get(`/api/v1/users/${ctx.state.user.id}`);
  root.append(
    h('h1', {}, t('profile.title')),
    h('div', { class: 'account-grid' },
      h('section', { class: 'card' },
        h('h2', {}, t('profile.account')),
        h('dl', { class: 'facts', id: 'profile-facts' },
          h('dt', {}, t('profile.email')), h('dd', {}, me.email),
          h('dt', {}, t('profile.role')), h('dd', {}, t('role.' + me.role)),
          h('dt', {}, t('profile.organisation')),
          h('dd', {}, me.organisation_id ? h('a', { href: `#/organisations/${me.organisation_id}` }, me.organisation_name || `#${me.organisation_id}`) : t('profile.guest')))),
      detailsForm(me, ctx),
      passwordForm(me, ctx),
      h('div', { class: 'account-feed' },
        subscribeBox('user', me.id),
        h('p', { class: 'account-feeds-link' }, h('a', { href: '#/feeds' }, t('profile.feeds'))))));
}

// profile.js — #/profile: who I am, my name and language, my password,
// the calendar feed of my own bookings, and which e-mails I receive.
import { h, field, showFormError } from '../dom.js';
import { get, patch, post } from '../api.js';
import { t, addStrings, setLang } from '../i18n.js';
import { subscribeBox } from '../components/subscribe.js';
import { choices, limits, schema } from '../schema.js';

addStrings({
  pl: {
    'profile.title': 'Mój profil', 'profile.account': 'Konto', 'profile.email': 'E-mail', 'profile.role': 'Rola',
    'profile.organisation': 'Organizacja', 'profile.guest': 'gość (bez organizacji)',
    'profile.details': 'Dane', 'profile.name': 'Imię i nazwisko', 'profile.lang': 'Język',
    'profile.lang.hint': 'Zapisywany na serwerze, używany po każdym zalogowaniu.',
    'profile.password': 'Zmiana hasła', 'profile.current': 'Obecne hasło', 'profile.new': 'Nowe hasło',
    'profile.confirm': 'Powtórz nowe hasło', 'profile.change': 'Zmień hasło',
    'profile.new.hint': 'Co najmniej 10 znaków; nie może zawierać Twojego imienia ani adresu e-mail.',
    'profile.mismatch': 'Hasła się różnią.', 'profile.changed': 'Hasło zmienione. Inne sesje zostały zakończone.',
    'profile.feeds': 'Zarządzaj linkami do kalendarzy',
    'notify.title': 'Powiadomienia e-mail',
    'notify.hint': 'Wiadomości przychodzą w języku wybranym powyżej.',
    'notify.request': 'Nowe prośby o rezerwację moich zasobów (właściciele)',
    'notify.decision': 'Zatwierdzenie lub odrzucenie mojej prośby',
    'notify.change': 'Zmiana terminu lub odwołanie rezerwacji',
    'notify.reminder': 'Przypomnienie dzień przed rezerwacją',
    'profile.data': 'Moje dane', 'profile.data.download': 'Pobierz moje dane (JSON)',
    'profile.data.hint': 'Wszystko, co labshare przechowuje o Tobie: konto, rezerwacje, sesje, kanały kalendarza, wiadomości i wpisy dziennika (RODO, art. 15 i 20). Aby usunąć swoje dane, napisz do koordynatora klastra.',
  },
  en: {
    'profile.title': 'My profile', 'profile.account': 'Account', 'profile.email': 'Email', 'profile.role': 'Role',
    'profile.organisation': 'Organisation', 'profile.guest': 'guest (no organisation)',
    'profile.details': 'Details', 'profile.name': 'Name', 'profile.lang': 'Language',
    'profile.lang.hint': 'Saved on the server and used whenever you sign in.',
    'profile.password': 'Change password', 'profile.current': 'Current password', 'profile.new': 'New password',
    'profile.confirm': 'Repeat the new password', 'profile.change': 'Change password',
    'profile.new.hint': 'At least 10 characters; must not contain your name or email.',
    'profile.mismatch': 'The passwords differ.', 'profile.changed': 'Password changed. Your other sessions have ended.',
    'profile.feeds': 'Manage calendar links',
    'notify.title': 'E-mail notifications',
    'notify.hint': 'Messages come in the language chosen above.',
    'notify.request': 'New requests for my resources (owners)',
    'notify.decision': 'My request approved or declined',
    'notify.change': 'A booking moved or cancelled',
    'notify.reminder': 'A reminder the day before a booking',
    'profile.data': 'My data', 'profile.data.download': 'Download my data (JSON)',
    'profile.data.hint': 'Everything labshare keeps about you: account, bookings, sessions, calendar feeds, messages and log entries (GDPR articles 15 and 20). To have your data erased, write to the cluster’s staff.',
  },
});

/** Removes the inline messages of an earlier failed submit. */
function clearErrors(form) {
  for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  form.querySelector('.form-error')?.remove();
}

function detailsForm(me, ctx) {
  const name = h('input', { type: 'text', name: 'name', value: me.name, autocomplete: 'name', required: true, maxlength: limits('UserChangeChange', 'name').maxLength });
  const lang = h('select', { name: 'lang' },
    choices('UserChangeChange', 'lang').map(([l, text]) => h('option', { value: l, selected: me.lang === l }, text)));
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

const NOTIFY_KINDS = Object.keys(schema('NotificationSettingsChange').properties);

function notifyForm(prefs, me, ctx) {
  // Requests go to owners only: researchers never receive them.
  const kinds = me.role === 'researcher' ? NOTIFY_KINDS.filter((k) => k !== 'request') : NOTIFY_KINDS;
  const boxes = {};
  const form = h('form', { class: 'card account-form', novalidate: true, id: 'notify-form' },
    h('h2', {}, t('notify.title')),
    h('p', { class: 'hint' }, t('notify.hint')),
    kinds.map((k) => {
      boxes[k] = h('input', { type: 'checkbox', name: k, checked: prefs[k] });
      return h('div', { class: 'field field-check', dataset: { field: k } },
        h('label', {}, boxes[k], t('notify.' + k)), h('div', { class: 'field-error', 'aria-live': 'polite' }));
    }),
    h('button', { type: 'submit', class: 'btn' }, t('common.save')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {};
    for (const k of kinds) body[k] = boxes[k].checked;
    try {
      await patch('/api/v1/me/notifications', body);
      clearErrors(form);
      ctx.toast(t('common.saved'));
    } catch (e) {
      showFormError(form, e);
    }
  });
  return form;
}

export async function render(root, ctx) {
  const [me, prefs] = await Promise.all([get(`/api/v1/users/${ctx.state.user.id}`), get('/api/v1/me/notifications')]);
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
        h('p', { class: 'account-feeds-link' }, h('a', { href: '#/feeds' }, t('profile.feeds')))),
      notifyForm(prefs, me, ctx),
      h('section', { class: 'card', id: 'my-data' },
        h('h2', {}, t('profile.data')),
        h('p', { class: 'hint' }, t('profile.data.hint')),
        h('a', { class: 'btn secondary', href: '/api/v1/me/export', download: 'labshare-my-data.json' }, t('profile.data.download')))));
}

// reset.js — "forgot my password": #/reset asks for the address, the
// e-mailed link #/reset/<token> sets a new password.
import { h, field, showFormError } from '../dom.js';
import { get, post } from '../api.js';
import { t, addStrings } from '../i18n.js';
import { linkProblem, linkProblemCard, passwordPair } from '../components/links.js';

addStrings({
  pl: {
    'reset.title': 'Nie pamiętasz hasła?',
    'reset.lead': 'Podaj adres e-mail konta. Wyślemy na niego link do ustawienia nowego hasła (ważny godzinę).',
    'reset.send': 'Wyślij link',
    'reset.sent': 'Sprawdź skrzynkę {email}: wysłaliśmy wiadomość. Link działa godzinę i tylko raz.',
    'reset.new.title': 'Ustaw nowe hasło', 'reset.new.submit': 'Ustaw hasło',
    'reset.new.lead': 'Po ustawieniu nowego hasła wszystkie Twoje sesje zostaną zakończone.',
    'reset.done': 'Hasło ustawione. Zaloguj się nowym hasłem.',
    'reset.again': 'Poproś o nowy link', 'reset.signin': 'Zaloguj się',
  },
  en: {
    'reset.title': 'Forgot your password?',
    'reset.lead': 'Give your account’s e-mail address. We will send it a link to set a new password (valid for an hour).',
    'reset.send': 'Send the link',
    'reset.sent': 'Check the mailbox of {email}: we have sent a message. The link works once, for an hour.',
    'reset.new.title': 'Set a new password', 'reset.new.submit': 'Set password',
    'reset.new.lead': 'Setting a new password signs you out everywhere.',
    'reset.done': 'Password set. Sign in with your new password.',
    'reset.again': 'Ask for a new link', 'reset.signin': 'Sign in',
  },
});

function requestForm(root) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const form = h('form', { class: 'card narrow', id: 'reset-request', novalidate: true },
    h('h1', {}, t('reset.title')),
    h('p', { class: 'muted' }, t('reset.lead')),
    field(t('auth.email'), email),
    h('button', { type: 'submit', class: 'btn' }, t('reset.send')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await post('/api/v1/password-reset', { email: email.value.trim() });
      form.replaceWith(h('section', { class: 'card narrow', id: 'reset-sent', role: 'status' },
        h('h1', {}, t('reset.title')), h('p', {}, t('reset.sent', { email: email.value.trim() }))));
    } catch (e) { showFormError(form, e); }
  });
  root.append(form);
}

async function newPasswordForm(root, token) {
  try {
    await get(`/api/v1/password-reset/${encodeURIComponent(token)}`);
  } catch (e) {
    const why = linkProblem(e);
    if (!why) throw e;
    root.append(linkProblemCard(why, { href: '#/reset', label: t('reset.again') }));
    return;
  }
  const pw = passwordPair();
  const form = h('form', { class: 'card narrow', id: 'reset-form', novalidate: true },
    h('h1', {}, t('reset.new.title')),
    h('p', { class: 'muted' }, t('reset.new.lead')),
    pw.fields,
    h('button', { type: 'submit', class: 'btn' }, t('reset.new.submit')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!pw.matches()) { showFormError(form, pw.mismatch); return; }
    try {
      await post(`/api/v1/password-reset/${encodeURIComponent(token)}`, { password: pw.password.value });
      form.replaceWith(h('section', { class: 'card narrow', id: 'reset-done', role: 'status' },
        h('h1', {}, t('reset.new.title')), h('p', {}, t('reset.done')),
        h('p', {}, h('a', { class: 'btn', href: '#/login' }, t('reset.signin')))));
    } catch (e) {
      const why = linkProblem(e);
      if (why) form.replaceWith(linkProblemCard(why, { href: '#/reset', label: t('reset.again') }));
      else showFormError(form, e);
    }
  });
  root.append(form);
}

export async function render(root, { params }) {
  if (params.token) await newPasswordForm(root, params.token);
  else requestForm(root);
}

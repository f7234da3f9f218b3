// login.js — the sign-in form, with the way back in ("forgot my password"),
// self-registration, and "Sign in with …" when a provider is configured.
import { h, field, showFormError } from '../dom.js';
import { get, post } from '../api.js';
import { t, addStrings } from '../i18n.js';
import { signedIn } from '../shell.js';

addStrings({
  pl: {
    'auth.forgot': 'Nie pamiętasz hasła?', 'auth.register': 'Załóż konto',
    'auth.sso': 'Zaloguj się przez: {name}', 'auth.or': 'albo e-mailem i hasłem',
  },
  en: {
    'auth.forgot': 'Forgot your password?', 'auth.register': 'Create an account',
    'auth.sso': 'Sign in with {name}', 'auth.or': 'or with e-mail and password',
  },
});

export async function render(root, { navigate }) {
  let options = { oidc: null };
  try { options = await get('/api/v1/auth/options'); } catch { /* the password form still works */ }
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  // A plain link: the browser itself goes to the provider and back.
  const sso = options.oidc
    ? [h('a', { class: 'btn sso', id: 'sso', href: options.oidc.start }, t('auth.sso', { name: options.oidc.name })),
      h('p', { class: 'auth-or muted' }, t('auth.or'))]
    : null;
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', {}, t('auth.title')),
    sso,
    field(t('auth.email'), email),
    field(t('auth.password'), password),
    h('button', { type: 'submit', class: 'btn' }, t('auth.signin')),
    h('p', { class: 'auth-links' },
      h('a', { href: '#/reset', id: 'forgot' }, t('auth.forgot')), ' · ',
      h('a', { href: '#/register', id: 'register' }, t('auth.register'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      signedIn(await post('/api/v1/session', { email: email.value.trim(), password: password.value }));
      const after = sessionStorage.getItem('labshare.after');
      sessionStorage.removeItem('labshare.after');
      navigate(after && after !== '#/login' ? after : '#/');
    } catch (e) {
      showFormError(form, e.status === 401 ? { message: t('auth.failed') } : e);
    }
  });
  root.append(form);
}

// login.js — the sign-in form.
import { h, field, showFormError } from '../dom.js';
import { post } from '../api.js';
import { t } from '../i18n.js';
import { signedIn } from '../shell.js';

export async function render(root, { navigate }) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', {}, t('auth.title')),
    field(t('auth.email'), email),
    field(t('auth.password'), password),
    h('button', { type: 'submit', class: 'btn' }, t('auth.signin')));
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

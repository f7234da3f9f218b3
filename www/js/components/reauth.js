// reauth.js — "your session has ended": a modal dialog that asks the
// signed-in user's password again, in place, so what they were doing (a
// booking request, a saved form) is finished instead of lost. api.js calls
// it on a 401 (onUnauthenticated); the request is repeated after the
// sign-in. Cancelling goes to the sign-in page, back to this page after it.
import { h } from '../dom.js';
import { post } from '../api.js';
import { t, addStrings } from '../i18n.js';
import { state, signedIn, signedOut, navigate } from '../shell.js';

addStrings({
  pl: {
    'reauth.title': 'Sesja wygasła', 'reauth.lead': 'Podaj hasło, aby kontynuować — to, co robisz, zostanie dokończone.',
    'reauth.submit': 'Zaloguj się i kontynuuj', 'reauth.cancel': 'Anuluj', 'reauth.empty': 'Podaj hasło.',
  },
  en: {
    'reauth.title': 'Your session has ended', 'reauth.lead': 'Enter your password to go on — what you were doing will be finished.',
    'reauth.submit': 'Sign in and continue', 'reauth.cancel': 'Cancel', 'reauth.empty': 'Enter your password.',
  },
});

let pending = null;

/**
 * Asks for the password of the user signed in so far. Resolves true once
 * signed in again, false when cancelled or when no one was signed in (then
 * the sign-in page is shown). Requests refused at the same time share one
 * dialog.
 */
export function reauthenticate() {
  if (!state.user) return Promise.resolve(false);
  if (!pending) pending = ask(state.user).finally(() => { pending = null; });
  return pending;
}

function ask(user) {
  return new Promise((resolve) => {
    const before = document.activeElement;
    const password = h('input', { type: 'password', name: 'password', id: 'reauth-password', autocomplete: 'current-password', required: true, 'aria-describedby': 'reauth-password-err', autofocus: true });
    const err = h('div', { class: 'field-error', id: 'reauth-password-err', 'aria-live': 'polite' });
    const submit = h('button', { type: 'submit', class: 'btn' }, t('reauth.submit'));
    const cancel = h('button', { type: 'button', class: 'btn secondary', id: 'reauth-cancel' }, t('reauth.cancel'));
    const form = h('form', { method: 'dialog', novalidate: true },
      h('h2', { id: 'reauth-title' }, t('reauth.title')),
      h('p', { id: 'reauth-lead' }, t('reauth.lead')),
      // The account stays the same: shown, and given to password managers.
      h('div', { class: 'field' }, h('label', { for: 'reauth-email' }, t('auth.email')),
        h('input', { type: 'email', id: 'reauth-email', name: 'email', value: user.email, readonly: true, autocomplete: 'username' })),
      h('div', { class: 'field', dataset: { field: 'password' } }, h('label', { for: 'reauth-password' }, t('auth.password')), password, err),
      h('div', { class: 'form-actions' }, submit, cancel));
    const dialog = h('dialog', { class: 'reauth card', 'aria-labelledby': 'reauth-title', 'aria-describedby': 'reauth-lead' }, form);
    let done = false;
    const close = (ok) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      if (before && before.isConnected) before.focus();
      if (!ok) {
        // Given up: the sign-in page, and back here after it (drafts stay).
        signedOut();
        if (!location.hash.startsWith('#/login')) sessionStorage.setItem('labshare.after', location.hash || '#/');
        navigate('#/login');
      }
      resolve(ok);
    };
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      err.textContent = '';
      password.removeAttribute('aria-invalid');
      if (!password.value) { err.textContent = t('reauth.empty'); password.setAttribute('aria-invalid', 'true'); password.focus(); return; }
      submit.disabled = true;
      try {
        await signedIn(await post('/api/v1/session', { email: user.email, password: password.value }));
        close(true);
      } catch (e) {
        submit.disabled = false;
        err.textContent = e.status === 401 ? t('auth.failed') : e.message;
        password.setAttribute('aria-invalid', 'true');
        password.select();
      }
    });
    cancel.addEventListener('click', () => close(false));
    dialog.addEventListener('cancel', (ev) => { ev.preventDefault(); close(false); }); // Escape
    document.body.append(dialog);
    dialog.showModal();
    password.focus();
  });
}

// links.js — what the pages reached from e-mailed links share: the words for
// a link that no longer works, and a new-password field pair.
import { h, field } from '../dom.js';
import { t, addStrings } from '../i18n.js';

addStrings({
  pl: {
    'link.invalid': 'Ten link jest nieprawidłowy. Sprawdź, czy skopiowano go w całości.',
    'link.password': 'Nowe hasło', 'link.confirm': 'Powtórz hasło',
    'link.password.hint': 'Co najmniej 10 znaków; nie może zawierać Twojego imienia ani adresu e-mail.',
    'link.mismatch': 'Hasła się różnią.',
  },
  en: {
    'link.invalid': 'This link is not valid. Check that it was copied whole.',
    'link.password': 'New password', 'link.confirm': 'Repeat the password',
    'link.password.hint': 'At least 10 characters; must not contain your name or e-mail address.',
    'link.mismatch': 'The passwords differ.',
  },
});

/**
 * The sentence for a link the server refused (404 unknown, 410 used or
 * expired), else null. A 410 says which in the server's own words: they are
 * in the page's language (the request says it), so no English is matched.
 */
export function linkProblem(e) {
  if (e?.status === 404) return t('link.invalid');
  if (e?.status === 410) return e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.';
  return null;
}

/** A card saying why a link does not work, with a way on. */
export function linkProblemCard(message, again) {
  return h('section', { class: 'card narrow link-problem', role: 'alert' },
    h('h1', {}, message),
    again ? h('p', {}, h('a', { class: 'btn', href: again.href }, again.label)) : null);
}

/** Password and confirmation fields; check() says whether they match (and shows it). */
export function passwordPair() {
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: 10 });
  const confirm = h('input', { type: 'password', name: 'confirm', autocomplete: 'new-password', required: true });
  return {
    password, confirm,
    fields: [field(t('link.password'), password, t('link.password.hint')), field(t('link.confirm'), confirm)],
    matches() { return password.value === confirm.value; },
    mismatch: { field: 'confirm', message: t('link.mismatch') },
  };
}

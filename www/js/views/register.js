// register.js — self-registration: #/register takes name, address and
// password and e-mails a confirmation link; #/verify/<token> confirms it,
// which makes the account and signs in.
import { h, field, showFormError } from '../dom.js';
import { get, post } from '../api.js';
import { t, addStrings, getLang } from '../i18n.js';
import { signedIn } from '../shell.js';
import { linkProblem, linkProblemCard, passwordPair } from '../components/links.js';

addStrings({
  pl: {
    'register.title': 'Załóż konto', 'register.name': 'Imię i nazwisko', 'register.submit': 'Załóż konto',
    'register.lead.members': 'Osoby z organizacji członkowskich Klastra (adres w domenie organizacji) zostają badaczami swojej organizacji; pozostałe osoby mają konto gościa.',
    'register.lead.closed': 'Konto mogą założyć tylko osoby z adresem w domenie organizacji członkowskiej Klastra.',
    'register.sent': 'Sprawdź skrzynkę {email}: wysłaliśmy link potwierdzający (ważny dwa dni). Konto powstanie po jego otwarciu.',
    'register.have': 'Masz już konto? Zaloguj się',
    'verify.title': 'Potwierdź adres e-mail', 'verify.lead': 'Potwierdź adres, aby założyć konto i zalogować się.',
    'verify.submit': 'Potwierdzam i zakładam konto', 'verify.again': 'Zarejestruj się ponownie',
  },
  en: {
    'register.title': 'Create an account', 'register.name': 'Name', 'register.submit': 'Create account',
    'register.lead.members': 'People of the cluster’s member organisations (an address in the organisation’s domain) become researchers of their organisation; everyone else gets a guest account.',
    'register.lead.closed': 'Only people with an address in a member organisation’s domain may create an account.',
    'register.sent': 'Check the mailbox of {email}: we have sent a confirmation link (valid for two days). The account is made when you open it.',
    'register.have': 'Have an account? Sign in',
    'verify.title': 'Confirm your e-mail address', 'verify.lead': 'Confirm your address to create your account and sign in.',
    'verify.submit': 'Confirm and create my account', 'verify.again': 'Register again',
  },
});

async function registerForm(root) {
  let guests = true;
  try { guests = (await get('/api/v1/auth/options')).guest_registration; } catch { /* the form still works */ }
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'name', required: true, maxlength: 200 });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const pw = passwordPair();
  const form = h('form', { class: 'card narrow', id: 'register-form', novalidate: true },
    h('h1', {}, t('register.title')),
    h('p', { class: 'muted' }, t(guests ? 'register.lead.members' : 'register.lead.closed')),
    field(t('register.name'), name), field(t('auth.email'), email), pw.fields,
    h('button', { type: 'submit', class: 'btn' }, t('register.submit')),
    h('p', { class: 'auth-links' }, h('a', { href: '#/login' }, t('register.have'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!pw.matches()) { showFormError(form, pw.mismatch); return; }
    try {
      await post('/api/v1/registrations', { email: email.value.trim(), name: name.value.trim(), password: pw.password.value, lang: getLang() });
      form.replaceWith(h('section', { class: 'card narrow', id: 'register-sent', role: 'status' },
        h('h1', {}, t('register.title')), h('p', {}, t('register.sent', { email: email.value.trim() }))));
    } catch (e) { showFormError(form, e); }
  });
  root.append(form);
}

function verifyForm(root, token, navigate) {
  const form = h('form', { class: 'card narrow', id: 'verify-form', novalidate: true },
    h('h1', {}, t('verify.title')), h('p', {}, t('verify.lead')),
    h('button', { type: 'submit', class: 'btn' }, t('verify.submit')));
  // A button, not a request on load: mail scanners that open links must
  // not use them up.
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      signedIn(await post(`/api/v1/registrations/${encodeURIComponent(token)}/verify`, {}));
      navigate('#/');
    } catch (e) {
      const why = linkProblem(e);
      if (why) form.replaceWith(linkProblemCard(why, { href: '#/register', label: t('verify.again') }));
      else showFormError(form, e);
    }
  });
  root.append(form);
}

export async function render(root, { params, navigate }) {
  if (params.token) verifyForm(root, params.token, navigate);
  else await registerForm(root);
}

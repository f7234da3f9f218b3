// invitation.js — invitations: #/invitation/<token> is the page an invited
// person opens from the e-mail (name and password, then signed in); #/invite
// is where owners invite researchers of their organisation, and
// inviteForm() the same form on the staff's users page.
import { h, field, showFormError } from '../dom.js';
import { get, post } from '../api.js';
import { t, addStrings, fmtDateTime } from '../i18n.js';
import { signedIn } from '../shell.js';
import { linkProblem, linkProblemCard, passwordPair } from '../components/links.js';

addStrings({
  pl: {
    'invite.title': 'Zaproś do labshare', 'invite.email': 'Adres e-mail', 'invite.role': 'Rola',
    'invite.org': 'Organizacja', 'invite.none.org': '— brak (gość) —', 'invite.lang': 'Język wiadomości',
    'invite.submit': 'Wyślij zaproszenie', 'invite.sent': 'Zaproszenie wysłane do {email} (ważne do {until}).',
    'invite.lead.owner': 'Zaproszona osoba zostanie badaczem Twojej organizacji. Link w wiadomości działa 7 dni.',
    'invite.lead.staff': 'Link w wiadomości działa 7 dni i jeden raz; nowe zaproszenie tego samego adresu zastępuje poprzednie.',
    'accept.title': 'Zaproszenie do labshare', 'accept.lead': '{who} zaprasza Cię jako: {role}.',
    'accept.org': 'Organizacja: {org}.', 'accept.until': 'Zaproszenie jest ważne do {until}.',
    'accept.name': 'Imię i nazwisko', 'accept.submit': 'Załóż konto', 'accept.signin': 'Przejdź do logowania',
    'lang.pl': 'polski', 'lang.en': 'angielski',
  },
  en: {
    'invite.title': 'Invite to labshare', 'invite.email': 'E-mail address', 'invite.role': 'Role',
    'invite.org': 'Organisation', 'invite.none.org': '— none (guest) —', 'invite.lang': 'Language of the message',
    'invite.submit': 'Send the invitation', 'invite.sent': 'Invitation sent to {email} (valid until {until}).',
    'invite.lead.owner': 'The person you invite becomes a researcher of your organisation. The link in the message works for 7 days.',
    'invite.lead.staff': 'The link in the message works once, for 7 days; a new invitation of the same address replaces the old one.',
    'accept.title': 'Your invitation to labshare', 'accept.lead': '{who} invites you as: {role}.',
    'accept.org': 'Organisation: {org}.', 'accept.until': 'The invitation is valid until {until}.',
    'accept.name': 'Name', 'accept.submit': 'Create my account', 'accept.signin': 'Go to sign-in',
    'lang.pl': 'Polish', 'lang.en': 'English',
  },
});

const ROLES = ['researcher', 'owner', 'staff'];

/** The invitation form: staff choose role and organisation, owners neither. */
export function inviteForm({ me, orgs, toast }) {
  const staff = me.role === 'staff';
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'off', required: true });
  const role = h('select', { name: 'role' }, ROLES.map((r) => h('option', { value: r }, t('role.' + r))));
  const org = h('select', { name: 'organisation_id' },
    h('option', { value: '' }, t('invite.none.org')),
    (orgs || []).map((o) => h('option', { value: String(o.id) }, o.short_name ? `${o.name} (${o.short_name})` : o.name)));
  const lang = h('select', { name: 'lang' }, ['pl', 'en'].map((l) => h('option', { value: l, selected: l === me.lang }, t('lang.' + l))));
  const form = h('form', { class: 'card account-form', id: 'invite-form', novalidate: true },
    h('h2', {}, t('invite.title')),
    h('p', { class: 'hint' }, t(staff ? 'invite.lead.staff' : 'invite.lead.owner')),
    h('div', { class: 'account-fields' },
      field(t('invite.email'), email),
      staff ? field(t('invite.role'), role) : null,
      staff ? field(t('invite.org'), org) : null,
      field(t('invite.lang'), lang)),
    h('button', { type: 'submit', class: 'btn' }, t('invite.submit')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { email: email.value.trim(), lang: lang.value };
    if (staff) { body.role = role.value; body.organisation_id = org.value === '' ? null : Number(org.value); }
    try {
      const r = await post('/api/v1/invitations', body);
      for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
      form.querySelector('.form-error')?.remove();
      email.value = '';
      toast(t('invite.sent', { email: r.email, until: fmtDateTime(r.expires) }));
    } catch (e) { showFormError(form, e); }
  });
  return form;
}

async function acceptPage(root, token, navigate) {
  let inv;
  try {
    inv = await get(`/api/v1/invitations/${encodeURIComponent(token)}`);
  } catch (e) {
    const why = linkProblem(e);
    if (!why) throw e;
    root.append(linkProblemCard(why, { href: '#/login', label: t('accept.signin') }));
    return;
  }
  const email = h('input', { type: 'email', name: 'email', value: inv.email, autocomplete: 'username', readonly: true });
  const name = h('input', { type: 'text', name: 'name', autocomplete: 'name', required: true, maxlength: 200 });
  const pw = passwordPair();
  const form = h('form', { class: 'card narrow', id: 'accept-form', novalidate: true },
    h('h1', {}, t('accept.title')),
    h('p', {}, t('accept.lead', { who: inv.invited_by || 'labshare', role: t('role.' + inv.role) }),
      inv.organisation_name ? [' ', t('accept.org', { org: inv.organisation_name })] : null),
    h('p', { class: 'muted' }, t('accept.until', { until: fmtDateTime(inv.expires) })),
    field(t('auth.email'), email), field(t('accept.name'), name), pw.fields,
    h('button', { type: 'submit', class: 'btn' }, t('accept.submit')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!pw.matches()) { showFormError(form, pw.mismatch); return; }
    try {
      signedIn(await post(`/api/v1/invitations/${encodeURIComponent(token)}/accept`, { name: name.value.trim(), password: pw.password.value }));
      navigate('#/');
    } catch (e) {
      const why = linkProblem(e);
      if (why) form.replaceWith(linkProblemCard(why, { href: '#/login', label: t('accept.signin') }));
      else showFormError(form, e);
    }
  });
  root.append(form);
}

export async function render(root, { params, state, navigate, toast }) {
  if (params.token) { await acceptPage(root, params.token, navigate); return; }
  let orgs = null;
  if (state.user.role === 'staff') {
    try { orgs = (await get('/api/v1/organisations?limit=500')).items; } catch { orgs = []; }
  }
  root.append(h('h1', {}, t('invite.title')), inviteForm({ me: state.user, orgs, toast }));
}

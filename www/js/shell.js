// shell.js — what the views share with the page shell without importing it:
// the session, navigation, the address's query and the toast. app.js (the
// shell: header, router) and the views import this module; it imports only
// the layers below it, so no view reaches back up into app.js.
import { h, mount } from './dom.js';
import { setCsrf, patch, qs } from './api.js';
import { setLang } from './i18n.js';

export const state = { user: null };

// A language picked with the switch while signed out: the next sign-in
// saves it to the account, so the pages and the server's messages agree.
const CHOSEN = 'labshare.lang.chosen';

/**
 * Takes the answer of a sign-in or of GET /api/v1/session. The page speaks
 * the account's language (the server answers in it), unless the user chose
 * another one on this page before signing in: that one is saved to the
 * account. Resolves once the account and the page agree.
 */
export async function signedIn(body) {
  state.user = body.user;
  setCsrf(body.csrf);
  const chosen = sessionStorage.getItem(CHOSEN);
  sessionStorage.removeItem(CHOSEN);
  if (chosen && chosen !== body.user.lang) await saveLang(chosen);
  else if (body.user.lang) setLang(body.user.lang);
}

export function signedOut() {
  state.user = null;
  setCsrf(null);
}

/**
 * The language switch: the page's language, and the server's for this user
 * (PATCH /api/v1/me {lang}) when signed in, else remembered for the sign-in.
 * Throws the API's error when the account could not be changed.
 */
export async function saveLang(lang) {
  setLang(lang);
  if (!state.user) { sessionStorage.setItem(CHOSEN, lang); return; }
  if (state.user.lang === lang) return;
  state.user = { ...state.user, ...await patch('/api/v1/me', { lang }) };
}

/** Shows the page of `hash`; the page shown already is drawn again (the
 * router in app.js draws on every 'hashchange'). */
export function navigate(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/**
 * Writes a view's state into the address's query (#/path?key=value) without
 * drawing the page again: a reload, a shared link, back and forward then
 * show the same (they draw the view from the address). `replace` changes the
 * current history entry instead of adding one.
 */
export function setQuery(params, { replace = false } = {}) {
  const hash = (location.hash || '#/').split('?')[0] + qs(params);
  if (hash === (location.hash || '#/')) return;
  history[replace ? 'replaceState' : 'pushState'](history.state, '', hash);
}

export function toast(msg, kind = 'ok') {
  const el = document.getElementById('toast');
  mount(el, h('div', { class: ['toast', kind] }, msg));
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.replaceChildren(), 4000);
}

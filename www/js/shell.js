// shell.js — what the views share with the page shell without importing it:
// the session, navigation and the toast. app.js (the shell: header, router)
// and the views import this module; it imports only the layers below it, so
// no view reaches back up into app.js.
import { h, mount } from './dom.js';
import { setCsrf } from './api.js';
import { setLang, getLang } from './i18n.js';

export const state = { user: null };

/** Takes the answer of a sign-in or of GET /api/v1/session. */
export function signedIn(body) {
  state.user = body.user;
  setCsrf(body.csrf);
  if (body.user.lang && body.user.lang !== getLang() && !localStorage.getItem('labshare.lang')) setLang(body.user.lang);
}

export function signedOut() {
  state.user = null;
  setCsrf(null);
}

/** Shows the page of `hash`; the page shown already is drawn again (the
 * router in app.js draws on every 'hashchange'). */
export function navigate(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

export function toast(msg, kind = 'ok') {
  const el = document.getElementById('toast');
  mount(el, h('div', { class: ['toast', kind] }, msg));
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.replaceChildren(), 4000);
}

// app.js — the single-page shell: language, header, hash router (the session,
// navigation and the toast, which views use too, live in shell.js below it).
import { h, mount } from './dom.js';
import { api, get, ApiError, onUnauthenticated } from './api.js';
import { t, getLang, addStrings } from './i18n.js';
import { routes } from './routes.js';
import { state, signedIn, signedOut, navigate, toast, saveLang } from './shell.js';
import { reauthenticate } from './components/reauth.js';

addStrings({
  pl: { 'shell.skip': 'Przejdź do treści', 'shell.menu': 'Menu', 'shell.lang': 'Język / Language' },
  en: { 'shell.skip': 'Skip to content', 'shell.menu': 'Menu', 'shell.lang': 'Language / Język' },
});

function compile(pattern) {
  const names = [];
  const re = new RegExp('^' + pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_, n) => { names.push(n); return '([^/?]+)'; }) + '(?:\\?(.*))?$');
  return { re, names };
}
const table = routes.map((r) => ({ ...r, ...compile(r.pattern) }));

function allowed(nav) {
  if (!nav) return false;
  if (!state.user) return nav.roles.includes('anon');
  return nav.roles.includes('any') || nav.roles.includes(state.user.role);
}

function renderHeader() {
  const here = location.hash || '#/';
  document.querySelector('.skip').textContent = t('shell.skip');
  document.querySelector('.lang').setAttribute('aria-label', t('shell.lang'));
  const menu = document.querySelector('.menu-toggle');
  menu.textContent = t('shell.menu');
  menu.setAttribute('aria-expanded', 'false');
  document.getElementById('nav').classList.remove('open');
  mount(document.getElementById('nav'), table.filter((r) => allowed(r.nav)).map((r) =>
    h('a', { href: r.pattern, class: here === r.pattern || here.startsWith(r.pattern + '/') ? 'active' : null }, t(r.nav.key))));
  const who = document.getElementById('who');
  if (state.user) {
    mount(who,
      h('a', { href: '#/profile', class: 'who-name', title: state.user.email }, state.user.name),
      h('span', { class: 'who-role' }, t('role.' + state.user.role)),
      h('button', { type: 'button', class: 'link', id: 'signout', onclick: signOut }, t('auth.signout')));
  } else {
    mount(who, h('a', { href: '#/login', class: 'btn small' }, t('auth.signin')));
  }
  for (const b of document.querySelectorAll('.lang button')) b.setAttribute('aria-pressed', String(b.dataset.lang === getLang()));
}

async function signOut() {
  try { await api('DELETE', '/api/v1/session'); } catch { /* already gone */ }
  signedOut();
  // Drafts (the booking form's) belong to the person who wrote them.
  for (const k of Object.keys(sessionStorage)) if (k.startsWith('labshare.draft.')) sessionStorage.removeItem(k);
  navigate('#/');
}

let seq = 0;
async function render() {
  const main = document.getElementById('main');
  // An address of an element on the page (the skip link's #main) is not a
  // page of its own: the page shown stays, the element gets the focus.
  if (location.hash && !location.hash.startsWith('#/')) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && seq) { target.focus(); return; }
  }
  const my = ++seq;
  renderHeader();
  const hash = location.hash.startsWith('#/') ? location.hash : '#/';
  let match = null, params = {};
  for (const r of table) {
    const m = hash.match(r.re);
    if (m) { match = r; r.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); }); params.query = new URLSearchParams(m[r.names.length + 1] || ''); break; }
  }
  if (!match) { mount(main, h('section', { class: 'card' }, h('h1', {}, t('common.notfound')))); return; }
  if (!match.public && !state.user && match.pattern !== '#/') {
    sessionStorage.setItem('labshare.after', hash);
    navigate('#/login');
    return;
  }
  mount(main, h('p', { class: 'muted' }, t('common.loading')));
  try {
    const mod = await match.load();
    if (my !== seq) return;
    const root = h('div', { class: 'view' });
    await mod.render(root, { params, state, navigate, toast, rerender: render });
    if (my !== seq) return;
    mount(main, root);
    document.title = (root.querySelector('h1')?.textContent || 'labshare') + ' · labshare';
  } catch (e) {
    if (my !== seq) return;
    if (e instanceof ApiError && e.status === 401) { signedOut(); sessionStorage.setItem('labshare.after', hash); navigate('#/login'); return; }
    mount(main, h('section', { class: 'card error' }, h('h1', {}, t('common.error')), h('p', {}, e.message)));
  }
}

async function boot() {
  for (const b of document.querySelectorAll('.lang button'))
    b.addEventListener('click', async () => {
      try { await saveLang(b.dataset.lang); } catch (e) { toast(e.message, 'bad'); }
      render();
    });
  // The skip link moves the focus without changing the address (which would
  // be read as a page of its own).
  document.querySelector('.skip').addEventListener('click', (ev) => {
    ev.preventDefault();
    const main = document.getElementById('main');
    main.focus();
    main.scrollIntoView();
  });
  // On a phone the menu is a button that opens the whole list.
  const nav = document.getElementById('nav');
  const menu = h('button', { type: 'button', class: 'menu-toggle btn secondary small', 'aria-expanded': 'false', 'aria-controls': 'nav' });
  menu.addEventListener('click', () => {
    const open = !nav.classList.contains('open');
    nav.classList.toggle('open', open);
    menu.setAttribute('aria-expanded', String(open));
    if (open) nav.querySelector('a')?.focus();
  });
  nav.before(menu);
  onUnauthenticated(reauthenticate);
  try { await signedIn(await get('/api/v1/session')); } catch { signedOut(); }
  window.addEventListener('hashchange', render);
  render();
}

boot();

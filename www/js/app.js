// app.js — the single-page shell: language, header, hash router (the session,
// navigation and the toast, which views use too, live in shell.js below it).
import { h, mount } from './dom.js';
import { api, get, ApiError } from './api.js';
import { t, setLang, getLang } from './i18n.js';
import { routes } from './routes.js';
import { state, signedIn, signedOut, navigate, toast } from './shell.js';

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
  navigate('#/');
}

let seq = 0;
async function render() {
  const my = ++seq;
  renderHeader();
  const main = document.getElementById('main');
  const hash = location.hash || '#/';
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
    if (e instanceof ApiError && e.status === 401) { signedOut(); navigate('#/login'); return; }
    mount(main, h('section', { class: 'card error' }, h('h1', {}, t('common.error')), h('p', {}, e.message)));
  }
}

async function boot() {
  for (const b of document.querySelectorAll('.lang button'))
    b.addEventListener('click', () => { setLang(b.dataset.lang); render(); });
  try { signedIn(await get('/api/v1/session')); } catch { signedOut(); }
  window.addEventListener('hashchange', render);
  render();
}

boot();

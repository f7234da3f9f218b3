// home.js — the landing page.
import { h } from '../dom.js';
import { t } from '../i18n.js';

export async function render(root, { state }) {
  root.append(
    h('section', { class: 'hero' },
      h('h1', {}, t('home.title')),
      h('p', { class: 'lead' }, t('home.lead')),
      h('a', { class: 'btn', href: state.user ? '#/catalogue' : '#/login' }, state.user ? t('home.start') : t('auth.signin'))),
    h('ul', { class: 'features' },
      ['home.f1', 'home.f2', 'home.f3', 'home.f4'].map((k, i) => h('li', { class: 'card feature' },
        h('span', { class: 'feature-icon', 'aria-hidden': 'true' }, ['🔬', '📅', '🔗', '🌱'][i]), h('p', {}, t(k))))));
}

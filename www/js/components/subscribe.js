// subscribe.js — "subscribe in your calendar app" box for a resource, lab,
// organisation or the user's own bookings. Creates a feed token on demand
// (POST /api/v1/feeds) and shows the https and webcal links to copy.
import { h, mount } from '../dom.js';
import { post } from '../api.js';
import { t, addStrings } from '../i18n.js';

addStrings({
  pl: { 'feed.title': 'Kalendarz', 'feed.lead': 'Subskrybuj w Google, Outlook, Apple lub Thunderbird.',
    'feed.create': 'Utwórz link do kalendarza', 'feed.copy': 'Kopiuj', 'feed.copied': 'Skopiowano.',
    'feed.open': 'Otwórz w aplikacji kalendarza', 'feed.private': 'Link działa bez logowania: nie udostępniaj go. Możesz go unieważnić w profilu.' },
  en: { 'feed.title': 'Calendar', 'feed.lead': 'Subscribe in Google, Outlook, Apple or Thunderbird.',
    'feed.create': 'Create a calendar link', 'feed.copy': 'Copy', 'feed.copied': 'Copied.',
    'feed.open': 'Open in calendar app', 'feed.private': 'The link works without signing in: keep it private. You can revoke it in your profile.' },
});

export function subscribeBox(scope, id) {
  const body = h('div', { class: 'subscribe-body' });
  const button = h('button', { type: 'button', class: 'btn secondary small' }, t('feed.create'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const feed = await post('/api/v1/feeds', { scope, id: Number(id) });
      const input = h('input', { type: 'text', readonly: true, value: feed.url, class: 'feed-url', 'aria-label': 'iCalendar URL' });
      const copy = h('button', { type: 'button', class: 'btn small' }, t('feed.copy'));
      copy.addEventListener('click', async () => {
        input.select();
        try { await navigator.clipboard.writeText(feed.url); copy.textContent = t('feed.copied'); } catch { /* selection is enough */ }
      });
      mount(body, h('div', { class: 'feed-row' }, input, copy),
        h('p', {}, h('a', { href: feed.webcal_url }, t('feed.open'))),
        h('p', { class: 'hint' }, t('feed.private')));
    } catch (e) {
      button.disabled = false;
      mount(body, h('p', { class: 'field-error' }, e.message));
    }
  });
  mount(body, button);
  return h('section', { class: 'card subscribe' }, h('h2', {}, t('feed.title')), h('p', { class: 'muted' }, t('feed.lead')), body);
}

// subscribe.js — "subscribe in your calendar app" box for a resource, lab,
// organisation or the user's own bookings. Creates a feed token on demand
// (POST /api/v1/feeds), shows the https and webcal links to copy (the server
// shows a link only once: it keeps just a hash of the token) and how to add
// it in Google Calendar, Outlook, Apple Calendar and Thunderbird. How far
// back the calendar goes (past_days) is a field of the request, labelled,
// bounded and defaulted by openapi.json; the server's refusal of it is shown
// under it.
import { h, mount, field, showFormError, clearFormErrors } from '../dom.js';
import { post } from '../api.js';
import { t, addStrings } from '../i18n.js';
import { prop, label } from '../schema.js';

addStrings({
  pl: {
    'feed.title': 'Kalendarz', 'feed.lead': 'Subskrybuj w Google, Outlook, Apple lub Thunderbird — kalendarz sam się odświeża.',
    'feed.create': 'Utwórz link do kalendarza', 'feed.copy': 'Kopiuj', 'feed.copied': 'Skopiowano.',
    'feed.url': 'Adres kalendarza (iCalendar)',
    'feed.open': 'Otwórz w aplikacji kalendarza (webcal)',
    'feed.private': 'Link działa bez logowania: nie udostępniaj go. Zapisz go teraz — później nie będzie już widoczny. Możesz go unieważnić na stronie „Linki do kalendarzy”.',
    'feed.manage': 'Linki do kalendarzy', 'feed.days.hint': 'Wydarzenia zakończone wcześniej nie trafią do kalendarza.',
    'feed.howto': 'Jak dodać w aplikacji',
    'feed.app.google': 'Google Calendar',
    'feed.app.google.how': 'Na komputerze: obok „Inne kalendarze” kliknij „+” → „Z adresu URL”, wklej adres i wybierz „Dodaj kalendarz”. Google odświeża subskrypcje co kilka godzin.',
    'feed.app.outlook': 'Outlook',
    'feed.app.outlook.how': 'Outlook w przeglądarce / nowy Outlook: „Dodaj kalendarz” → „Subskrybuj z sieci Web”, wklej adres, nadaj nazwę i „Importuj”.',
    'feed.app.apple': 'Apple Calendar (macOS, iPhone)',
    'feed.app.apple.how': 'macOS: „Plik” → „Nowa subskrypcja kalendarza…”, wklej adres, ustaw odświeżanie (np. co 15 minut). iPhone: „Ustawienia” → „Kalendarz” → „Konta” → „Dodaj konto” → „Inne” → „Dodaj subskrybowany kalendarz” albo po prostu otwórz link webcal.',
    'feed.app.thunderbird': 'Thunderbird',
    'feed.app.thunderbird.how': 'W widoku kalendarza: „Nowy kalendarz” → „W sieci”, wklej adres (format wykrywany jako iCalendar), „Znajdź kalendarze” → „Subskrybuj”.',
  },
  en: {
    'feed.title': 'Calendar', 'feed.lead': 'Subscribe in Google, Outlook, Apple or Thunderbird — the calendar keeps itself up to date.',
    'feed.create': 'Create a calendar link', 'feed.copy': 'Copy', 'feed.copied': 'Copied.',
    'feed.url': 'Calendar address (iCalendar)',
    'feed.open': 'Open in calendar app (webcal)',
    'feed.private': 'The link works without signing in: keep it private. Save it now — it will not be shown again. You can revoke it on the “Calendar links” page.',
    'feed.manage': 'Calendar links', 'feed.days.hint': 'Events that ended earlier are left out.',
    'feed.howto': 'How to add it in your app',
    'feed.app.google': 'Google Calendar',
    'feed.app.google.how': 'On a computer: next to “Other calendars” click “+” → “From URL”, paste the address and choose “Add calendar”. Google refreshes subscriptions every few hours.',
    'feed.app.outlook': 'Outlook',
    'feed.app.outlook.how': 'Outlook on the web / new Outlook: “Add calendar” → “Subscribe from web”, paste the address, give it a name and “Import”.',
    'feed.app.apple': 'Apple Calendar (macOS, iPhone)',
    'feed.app.apple.how': 'macOS: “File” → “New Calendar Subscription…”, paste the address and set auto-refresh (e.g. every 15 minutes). iPhone: Settings → Calendar → Accounts → Add Account → Other → Add Subscribed Calendar, or simply open the webcal link.',
    'feed.app.thunderbird': 'Thunderbird',
    'feed.app.thunderbird.how': 'In the calendar view: “New Calendar” → “On the Network”, paste the address (detected as iCalendar), “Find Calendars” → “Subscribe”.',
  },
});

/** Per-app instructions as disclosure widgets (keyboard-usable, no script). */
export function howTo() {
  return h('div', { class: 'feed-howto' },
    h('h3', {}, t('feed.howto')),
    ['google', 'outlook', 'apple', 'thunderbird'].map((app) =>
      h('details', { class: 'feed-app', dataset: { app } },
        h('summary', {}, t('feed.app.' + app)),
        h('p', {}, t('feed.app.' + app + '.how')))));
}

/**
 * The box for the calendar of `scope` `id`; onCreated(feed) is called after a
 * link was made (the feeds page lists it then).
 */
export function subscribeBox(scope, id, { onCreated } = {}) {
  const body = h('div', { class: 'subscribe-body' });
  const P = prop('FeedRequestCreate', 'past_days');
  const days = h('input', { type: 'number', name: 'past_days', min: P.minimum, max: P.maximum, step: 1, value: P.default, inputmode: 'numeric', class: 'feed-days' });
  const button = h('button', { type: 'submit', class: 'btn secondary small feed-create' }, t('feed.create'));
  const form = h('form', { class: 'feed-form', novalidate: true }, field(label('FeedRequestCreate', 'past_days'), days, t('feed.days.hint')), button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearFormErrors(form);
    button.disabled = true;
    try {
      const req = { scope, id: Number(id) };
      if (days.value.trim() !== '') req.past_days = Number(days.value);
      const feed = await post('/api/v1/feeds', req);
      const inputId = 'feed-url-' + feed.id;
      const input = h('input', { type: 'text', readonly: true, value: feed.url, class: 'feed-url', id: inputId });
      const copy = h('button', { type: 'button', class: 'btn small' }, t('feed.copy'));
      const status = h('span', { class: 'hint', 'aria-live': 'polite' });
      input.addEventListener('focus', () => input.select());
      copy.addEventListener('click', async () => {
        input.select();
        try { await navigator.clipboard.writeText(feed.url); status.textContent = t('feed.copied'); } catch { /* the selection is enough */ }
      });
      mount(body,
        h('label', { for: inputId, class: 'feed-label' }, t('feed.url')),
        h('div', { class: 'feed-row' }, input, copy, status),
        h('p', {}, h('a', { href: feed.webcal_url, class: 'feed-webcal' }, t('feed.open'))),
        h('p', { class: 'hint' }, t('feed.private'), ' ', h('a', { href: '#/feeds' }, t('feed.manage'))),
        howTo());
      onCreated?.(feed);
    } catch (e) {
      button.disabled = false;
      showFormError(form, e);
    }
  });
  mount(body, form);
  return h('section', { class: 'card subscribe' }, h('h2', {}, t('feed.title')), h('p', { class: 'muted' }, t('feed.lead')), body);
}

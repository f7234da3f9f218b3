// calendar-sources.js — a resource's imported calendars, for its owners and
// staff (API.md § Importing calendars): each source's status, last fetch,
// error and the bookings its blackouts clash with; subscribe to a URL,
// upload an .ics file once, fetch now, remove.
import { h, field, showFormError } from '../dom.js';
import { get, post, del, upload, qs } from '../api.js';
import { t, addStrings, fmtDateTime } from '../i18n.js';

addStrings({
  pl: {
    'cal.title': 'Importowane kalendarze',
    'cal.lead': 'Kalendarz serwisowy (Outlook, Google, portal producenta) może sam blokować terminy: zajęte wydarzenia stają się wyłączeniami zasobu. Rezerwacji nikt nie odwołuje — kolizje pokazujemy tutaj i wysyłamy e-mailem.',
    'cal.none': 'Brak importowanych kalendarzy.',
    'cal.url': 'Adres kalendarza (http, https lub webcal)', 'cal.name': 'Nazwa', 'cal.add': 'Subskrybuj',
    'cal.file': 'Plik .ics (do 1 MB)', 'cal.upload': 'Importuj plik raz',
    'cal.kind.url': 'subskrypcja', 'cal.kind.file': 'plik zaimportowany raz',
    'cal.status': 'Stan', 'cal.last': 'Ostatnie pobranie', 'cal.never': 'jeszcze nie pobrano',
    'cal.events': 'Wyłączenia', 'cal.conflicts': 'Kolizje z rezerwacjami', 'cal.noconflicts': 'brak',
    'cal.st.ok': 'pobrano', 'cal.st.not_modified': 'bez zmian', 'cal.st.error': 'błąd',
    'cal.refresh': 'Pobierz teraz', 'cal.remove': 'Usuń',
    'cal.confirm': 'Usunąć ten kalendarz i wszystkie jego wyłączenia?',
    'cal.err.too_large': 'Kalendarz jest większy niż 5 MB.',
    'cal.err.refused': 'Adres prowadzi do sieci prywatnej lub lokalnej — odmówiono połączenia.',
    'cal.err.redirects': 'Za dużo przekierowań (najwyżej 3).',
    'cal.err.timeout': 'Serwer nie odpowiedział w ciągu 10 s.',
    'cal.err.network': 'Nie udało się połączyć z serwerem.',
    'cal.err.http': 'Serwer odpowiedział błędem.',
    'cal.err.invalid': 'Plik nie jest poprawnym kalendarzem iCalendar.',
    'cal.booking': 'rezerwacja #{id}',
  },
  en: {
    'cal.title': 'Imported calendars',
    'cal.lead': 'A service calendar (Outlook, Google, a vendor’s portal) can block times by itself: its busy events become blackouts of the resource. No booking is ever cancelled — clashes are shown here and sent by e-mail.',
    'cal.none': 'No imported calendars.',
    'cal.url': 'Calendar address (http, https or webcal)', 'cal.name': 'Name', 'cal.add': 'Subscribe',
    'cal.file': '.ics file (up to 1 MB)', 'cal.upload': 'Import the file once',
    'cal.kind.url': 'subscription', 'cal.kind.file': 'file imported once',
    'cal.status': 'Status', 'cal.last': 'Last fetched', 'cal.never': 'not fetched yet',
    'cal.events': 'Blackouts', 'cal.conflicts': 'Clashes with bookings', 'cal.noconflicts': 'none',
    'cal.st.ok': 'fetched', 'cal.st.not_modified': 'unchanged', 'cal.st.error': 'error',
    'cal.refresh': 'Fetch now', 'cal.remove': 'Remove',
    'cal.confirm': 'Remove this calendar and all its blackouts?',
    'cal.err.too_large': 'The calendar is larger than 5 MB.',
    'cal.err.refused': 'The address leads to a private or local network — the connection was refused.',
    'cal.err.redirects': 'Too many redirects (at most 3).',
    'cal.err.timeout': 'The server did not answer within 10 s.',
    'cal.err.network': 'Could not connect to the server.',
    'cal.err.http': 'The server answered with an error.',
    'cal.err.invalid': 'The file is not a valid iCalendar calendar.',
    'cal.booking': 'booking #{id}',
  },
});

function sourceRow(s, reload) {
  const status = s.last_status
    ? h('span', { class: ['cal-status', s.last_status] }, t('cal.st.' + s.last_status))
    : h('span', { class: 'muted' }, t('cal.never'));
  const error = s.error_code
    ? h('p', { class: 'form-error', role: 'status' }, t('cal.err.' + s.error_code), s.error ? h('small', {}, ` (${s.error})`) : null)
    : null;
  const conflicts = s.conflicts.length
    ? s.conflicts.map((id, i) => [i ? ', ' : '', h('a', { href: `#/bookings/${id}` }, t('cal.booking', { id }))])
    : h('span', { class: 'muted' }, t('cal.noconflicts'));
  const act = async (fn) => {
    try { await fn(); } catch (e) { alert(e.message); }
    reload();
  };
  return h('li', { class: 'cal-source', dataset: { id: s.id } },
    h('strong', {}, s.name), ' ', h('span', { class: 'muted' }, t('cal.kind.' + s.kind)),
    s.url ? h('div', { class: 'cal-url' }, h('code', {}, s.url)) : null,
    h('dl', { class: 'facts' },
      h('dt', {}, t('cal.status')), h('dd', {}, status),
      h('dt', {}, t('cal.last')), h('dd', {}, s.last_fetch ? fmtDateTime(s.last_fetch) : '—'),
      h('dt', {}, t('cal.events')), h('dd', {}, String(s.events)),
      h('dt', {}, t('cal.conflicts')), h('dd', { class: 'cal-conflicts' }, conflicts)),
    error,
    h('div', { class: 'cat-actions' },
      s.kind === 'url' ? h('button', { type: 'button', class: 'btn secondary small cal-refresh', onclick: () => act(() => post(`/api/v1/calendar-sources/${s.id}/refresh`)) }, t('cal.refresh')) : null,
      h('button', { type: 'button', class: 'btn danger small cal-remove', onclick: () => { if (confirm(t('cal.confirm'))) act(() => del(`/api/v1/calendar-sources/${s.id}`)); } }, t('cal.remove'))));
}

function clearErrors(form) {
  for (const e of form.querySelectorAll('.field-error, .form-error')) e.textContent = '';
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
}

/** The card; fills itself in. */
export function calendarSources(resourceId) {
  const list = h('ul', { class: 'cal-sources' });
  const card = h('section', { class: 'card cal-card', id: 'calendars' },
    h('h2', {}, t('cal.title')), h('p', { class: 'hint' }, t('cal.lead')), list);
  const reload = async () => {
    try {
      const r = await get(`/api/v1/resources/${resourceId}/calendar-sources`);
      list.replaceChildren(...(r.items.length ? r.items.map((s) => sourceRow(s, reload)) : [h('li', { class: 'muted' }, t('cal.none'))]));
    } catch (e) {
      list.replaceChildren(h('li', { class: 'form-error' }, e.message));
    }
  };

  const url = h('input', { name: 'url', type: 'url', required: true, autocomplete: 'off' });
  const name = h('input', { name: 'name', required: true, maxlength: 200 });
  const form = h('form', { class: 'cal-add' }, field(t('cal.url'), url), field(t('cal.name'), name),
    h('button', { type: 'submit', class: 'btn small' }, t('cal.add')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await post(`/api/v1/resources/${resourceId}/calendar-sources`, { url: url.value.trim(), name: name.value.trim() });
      form.reset();
      clearErrors(form);
      reload();
    } catch (e) { showFormError(form, e); }
  });

  const file = h('input', { name: 'file', type: 'file', accept: '.ics,text/calendar', required: true });
  const up = h('form', { class: 'cal-upload' }, field(t('cal.file'), file),
    h('button', { type: 'submit', class: 'btn secondary small' }, t('cal.upload')));
  up.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = file.files[0];
    if (!f) return;
    try {
      await upload(`/api/v1/resources/${resourceId}/blackouts/import` + qs({ name: f.name }), await f.text(), 'text/calendar');
      up.reset();
      clearErrors(up);
      reload();
    } catch (e) { showFormError(up, e); }
  });
  card.append(form, up);
  reload();
  return card;
}

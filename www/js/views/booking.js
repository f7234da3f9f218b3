// booking.js — #/bookings/:id: one booking with its history; the booker may
// cancel or move it, the resource's managers also approve, decline and mark
// a no-show.
import { h, mount, field, showFormError } from '../dom.js';
import { get, post, patch } from '../api.js';
import { t, addStrings, fmtDateTime } from '../i18n.js';
import { toLocalInput, fromLocalInput, toOffsetString, LocalTimeError } from '../localtime.js';
import { statusBadge, fmtSpan, fmtMinutes, tzNote, cancelButton, manages, findClashes, clashList, clearErrors } from './booking-common.js';
import { priceLines } from '../money.js';
import { bodySchema, label } from '../schema.js';

addStrings({
  pl: {
    'bkd.title': 'Rezerwacja #{id}', 'bkd.user': 'Rezerwujący', 'bkd.org': 'Organizacja', 'bkd.start': 'Początek', 'bkd.end': 'Koniec',
    'bkd.duration': 'Czas trwania', 'bkd.created': 'Utworzona', 'bkd.updated': 'Ostatnia zmiana', 'bkd.decided': 'Decyzja',
    'bkd.reason': 'Powód', 'bkd.series': 'Seria', 'bkd.sequence': 'Wersja', 'bkd.you': 'Ty', 'bkd.userid': 'użytkownik #{id}',
    'bkd.history': 'Historia', 'bkd.h.created': 'Wniosek złożony {t}.', 'bkd.h.updated': 'Zmieniona {t} (wersja {n}).',
    'bkd.h.decided': 'Decyzja: {who}.', 'bkd.h.noshow': 'Oznaczona jako niewykorzystana.',
    'bkd.move': 'Zmień termin', 'bkd.move.hint': 'Daty i godziny według czasu krakowskiego.', 'bkd.move.save': 'Zapisz nowy termin',
    'bkd.moved': 'Termin zmieniony.', 'bkd.gap': 'Ta godzina nie istnieje tego dnia (zmiana czasu na letni).',
    'bkd.invalid': 'Podaj datę i godzinę.',
    'bkd.approve': 'Zatwierdź', 'bkd.decline': 'Odrzuć', 'bkd.decline.reason': 'Powód odrzucenia', 'bkd.decline.send': 'Odrzuć wniosek',
    'bkd.approved': 'Zatwierdzono.', 'bkd.declined': 'Odrzucono.', 'bkd.noshow': 'Oznacz jako niewykorzystaną', 'bkd.noshown': 'Oznaczono jako niewykorzystaną.',
    'bkd.manage': 'Decyzja opiekuna', 'bkd.book': 'Zarezerwuj ponownie ten zasób', 'bkd.ics': 'Dodaj do mojego kalendarza (.ics)',
  },
  en: {
    'bkd.title': 'Booking #{id}', 'bkd.user': 'Booked by', 'bkd.org': 'Organisation', 'bkd.start': 'Start', 'bkd.end': 'End',
    'bkd.duration': 'Duration', 'bkd.created': 'Created', 'bkd.updated': 'Last changed', 'bkd.decided': 'Decided by',
    'bkd.reason': 'Reason', 'bkd.series': 'Series', 'bkd.sequence': 'Revision', 'bkd.you': 'you', 'bkd.userid': 'user #{id}',
    'bkd.history': 'History', 'bkd.h.created': 'Requested {t}.', 'bkd.h.updated': 'Changed {t} (revision {n}).',
    'bkd.h.decided': 'Decided by {who}.', 'bkd.h.noshow': 'Marked as not used.',
    'bkd.move': 'Change the time', 'bkd.move.hint': 'Dates and times in Kraków time.', 'bkd.move.save': 'Save the new time',
    'bkd.moved': 'Time changed.', 'bkd.gap': 'That time does not exist on that day (clocks go forward).',
    'bkd.invalid': 'Enter a date and time.',
    'bkd.approve': 'Approve', 'bkd.decline': 'Decline', 'bkd.decline.reason': 'Reason for declining', 'bkd.decline.send': 'Decline the request',
    'bkd.approved': 'Approved.', 'bkd.declined': 'Declined.', 'bkd.noshow': 'Mark as no-show', 'bkd.noshown': 'Marked as no-show.',
    'bkd.manage': 'Owner’s decision', 'bkd.book': 'Book this resource again', 'bkd.ics': 'Add to my calendar (.ics)',
  },
});

export async function render(root, { params, state, toast }) {
  const id = params.id;
  let b = await get(`/api/v1/bookings/${encodeURIComponent(id)}`);
  const [res, org] = await Promise.all([
    get(`/api/v1/resources/${b.resource_id}`).catch(() => null),
    b.organisation_id ? get(`/api/v1/organisations/${b.organisation_id}`).catch(() => null) : null,
  ]);
  const me = state.user;
  const isManager = manages(me, { organisation_id: b.resource_organisation_id ?? res?.organisation_id ?? null });
  const body = h('div', { class: 'booking-detail' });
  root.append(body);

  const who = (uid, name) => (uid == null ? '—' : uid === me?.id ? t('bkd.you') : name || t('bkd.userid', { id: uid }));

  function paint() {
    const live = b.status === 'pending' || b.status === 'approved';
    const ended = Date.parse(b.end) <= Date.now();
    const started = Date.parse(b.start) <= Date.now();
    const mayEdit = live && (b.user_id === me?.id || isManager);
    const history = [
      t('bkd.h.created', { t: fmtDateTime(b.created) }),
      b.updated && b.updated !== b.created ? t('bkd.h.updated', { t: fmtDateTime(b.updated), n: b.sequence ?? '—' }) : null,
      b.decided_by != null ? t('bkd.h.decided', { who: who(b.decided_by) }) : null,
      b.reason ? `${t('bkd.reason')}: ${b.reason}` : null,
      b.no_show ? t('bkd.h.noshow') : null,
    ].filter(Boolean);
    mount(body,
      h('h1', {}, t('bkd.title', { id: b.id })),
      tzNote(),
      h('section', { class: 'card' },
        h('p', {}, statusBadge(b), ' ', h('strong', {}, fmtSpan(b.start, b.end))),
        h('dl', { class: 'facts' },
          h('dt', {}, label('Booking', 'resource_id')), h('dd', {}, h('a', { href: `#/resources/${b.resource_id}` }, b.resource_name || res?.name || `#${b.resource_id}`)),
          h('dt', {}, t('bkd.start')), h('dd', {}, fmtDateTime(b.start, { dateStyle: 'full' })),
          h('dt', {}, t('bkd.end')), h('dd', {}, fmtDateTime(b.end, { dateStyle: 'full' })),
          h('dt', {}, t('bkd.duration')), h('dd', {}, fmtMinutes(Math.round((Date.parse(b.end) - Date.parse(b.start)) / 60000))),
          h('dt', {}, label('Booking', 'purpose')), h('dd', { class: 'purpose' }, b.purpose || '—'),
          h('dt', {}, t('bkd.user')), h('dd', {}, who(b.user_id, b.user_name)),
          h('dt', {}, t('bkd.org')), h('dd', {}, org ? org.name : b.organisation_id == null ? '—' : `#${b.organisation_id}`),
          b.series_id ? [h('dt', {}, t('bkd.series')), h('dd', {}, `#${b.series_id}`)] : null,
          h('dt', {}, t('bkd.created')), h('dd', {}, fmtDateTime(b.created)),
          h('dt', {}, t('bkd.updated')), h('dd', {}, fmtDateTime(b.updated)),
          h('dt', {}, t('bkd.decided')), h('dd', {}, who(b.decided_by)),
          b.reason ? [h('dt', {}, t('bkd.reason')), h('dd', {}, b.reason)] : null,
          h('dt', {}, t('price.title')), h('dd', { class: 'booking-price' }, priceLines(b.price).join(' · ')),
          b.project ? [h('dt', {}, t('price.project')), h('dd', {}, b.project)] : null,
          b.cost_centre ? [h('dt', {}, t('price.cost_centre')), h('dd', {}, b.cost_centre)] : null,
          h('dt', {}, t('price.economic')), h('dd', { class: 'booking-economic' }, b.economic ? t('price.economic.yes') : t('price.economic.no'))),
        h('h2', {}, t('bkd.history')),
        h('ul', { class: 'history' }, history.map((x) => h('li', {}, x))),
        h('div', { class: 'actions' },
          live && !ended && (b.user_id === me?.id || isManager) ? cancelButton(b, { toast, onDone: reload }) : null,
          res ? h('a', { class: 'btn secondary small', href: `#/book/${b.resource_id}` }, t('bkd.book')) : null),
        h('div', { class: 'booking-calendar-actions' },
          b.status !== 'declined' ? h('a', { class: 'btn secondary small', href: `/api/v1/bookings/${b.id}/ics`, download: `booking-${b.id}.ics` }, t('bkd.ics')) : null)),
      isManager ? managerBox(ended) : null,
      mayEdit && !started ? moveForm() : null);
  }

  async function reload() { b = await get(`/api/v1/bookings/${b.id}`); paint(); }

  async function act(path, bodyObj, okMsg, errBox) {
    for (const x of errBox.parentElement.querySelectorAll('.field-error')) x.textContent = '';
    for (const x of errBox.parentElement.querySelectorAll('[aria-invalid]')) x.removeAttribute('aria-invalid');
    mount(errBox);
    try {
      const r = await post(`/api/v1/bookings/${b.id}/${path}`, bodyObj);
      toast(okMsg);
      if (r && r.id) { b = r; paint(); } else await reload();
    } catch (e) {
      if (e.status === 409) {
        const clashes = await findClashes(b.resource_id, [{ start: new Date(b.start), end: new Date(b.end) }], { exclude: b.id });
        mount(errBox, clashList(clashes));
      } else if (e.field && errBox.parentElement.querySelector(`.field[data-field="${CSS.escape(e.field)}"]`)) {
        showFormError(errBox.parentElement, e); // under the input it names (the decline's reason)
      } else mount(errBox, e.message);
      toast(e.message, 'bad');
    }
  }

  function managerBox(ended) {
    const err = h('div', { class: 'form-error', role: 'alert' });
    const parts = [];
    if (b.status === 'pending') {
      // The reason is required: the booker is told it (a 422 names it).
      const reason = h('input', { type: 'text', name: 'reason', maxlength: bodySchema('post', '/api/v1/bookings/{id}/decline').properties.reason.maxLength, required: true });
      parts.push(h('div', { class: 'decide' },
        h('button', { type: 'button', class: 'btn approve', onclick: () => act('approve', {}, t('bkd.approved'), err) }, t('bkd.approve')),
        field(t('bkd.decline.reason'), reason),
        h('button', { type: 'button', class: 'btn danger decline', onclick: () => act('decline', { reason: reason.value.trim() }, t('bkd.declined'), err) }, t('bkd.decline.send'))));
    }
    if (b.status === 'approved' && ended && !b.no_show)
      parts.push(h('button', { type: 'button', class: 'btn secondary no-show', onclick: () => act('no-show', {}, t('bkd.noshown'), err) }, t('bkd.noshow')));
    if (b.status === 'pending' || b.status === 'approved')
      parts.push(h('button', {
        type: 'button', class: 'btn secondary economic-toggle',
        onclick: async () => {
          try {
            b = await patch(`/api/v1/bookings/${b.id}`, { economic: !b.economic });
            toast(t('price.economic.saved'));
            paint();
          } catch (e) { mount(err, e.message); toast(e.message, 'bad'); }
        },
      }, b.economic ? t('price.economic.unset') : t('price.economic.set')));
    if (!parts.length) return null;
    return h('section', { class: 'card manage-box' }, h('h2', {}, t('bkd.manage')), parts, err);
  }

  function moveForm() {
    const start = h('input', { type: 'datetime-local', name: 'start', value: toLocalInput(new Date(b.start)), step: '60' });
    const end = h('input', { type: 'datetime-local', name: 'end', value: toLocalInput(new Date(b.end)), step: '60' });
    const purpose = h('textarea', { name: 'purpose', maxlength: bodySchema('patch', '/api/v1/bookings/{id}').properties.purpose.maxLength, rows: '2' }, b.purpose || '');
    const form = h('form', { class: 'card move-form', novalidate: true },
      h('h2', {}, t('bkd.move')), h('p', { class: 'hint' }, t('bkd.move.hint')),
      h('div', { class: 'row' }, field(t('bkd.start'), start), field(t('bkd.end'), end)),
      field(label('Booking', 'purpose'), purpose),
      h('button', { type: 'submit', class: 'btn' }, t('bkd.move.save')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const out = {};
      for (const [name, input] of [['start', start], ['end', end]]) {
        try { out[name] = fromLocalInput(input.value); } catch (e) {
          showFormError(form, { field: name, message: e instanceof LocalTimeError && e.code === 'nonexistent' ? t('bkd.gap') : t('bkd.invalid') });
          return;
        }
      }
      const req = {};
      if (out.start.getTime() !== Date.parse(b.start)) req.start = toOffsetString(out.start);
      if (out.end.getTime() !== Date.parse(b.end)) req.end = toOffsetString(out.end);
      if (purpose.value.trim() !== (b.purpose || '')) req.purpose = purpose.value.trim();
      if (!Object.keys(req).length) return;
      try {
        b = await patch(`/api/v1/bookings/${b.id}`, req);
        toast(t('bkd.moved'));
        paint();
      } catch (e) {
        if (e.status === 409) {
          const clashes = await findClashes(b.resource_id, [{ start: out.start, end: out.end }], { exclude: b.id });
          form.prepend(h('div', { class: 'form-error clash', role: 'alert' }, clashList(clashes)));
        } else showFormError(form, e);
      }
    });
    return form;
  }

  paint();
}

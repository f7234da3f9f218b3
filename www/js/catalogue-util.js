// catalogue-util.js — what the catalogue pages share: strings that are not
// field labels (those, and the enumerations with their labels, come from
// openapi.json through schema.js), site-local time conversion, cached
// look-ups of organisations and labs, cards, and API errors on inputs.
import { h, showFormError } from './dom.js';
import { get, qs } from './api.js';
import { t, addStrings, ZONE, getLang } from './i18n.js';
import { choiceLabel, roleMayCall } from './schema.js';

addStrings({
  pl: {
    'cat.title': 'Katalog', 'cat.lead': 'Laboratoria, aparatura, biurka i usługi członków klastra.',
    'cat.tab.resources': 'Zasoby', 'cat.tab.labs': 'Laboratoria', 'cat.tab.services': 'Usługi',
    'cat.search': 'Szukaj w katalogu', 'cat.search.ph': 'np. mikroskop konfokalny, PCR, biurko…',
    'cat.filters': 'Filtry', 'cat.f.free_hint': 'Tylko zasoby, które można zarezerwować na cały ten czas: otwarte przez cały czas, bez wyłączeń i bez zatwierdzonych rezerwacji.', 'cat.f.clear': 'Wyczyść filtry', 'cat.f.any': 'dowolny', 'cat.f.anyf': 'dowolna',
    'cat.f.free_both': 'Podaj początek i koniec przedziału.', 'cat.f.free_order': 'Koniec musi być po początku.',
    'cat.results': 'Wyniki: {n}', 'cat.page': 'Strona {n} z {m}', 'cat.prev': 'Poprzednia', 'cat.next': 'Następna',
    'cat.empty': 'Nic nie pasuje do tych kryteriów.', 'cat.empty.hint': 'Spróbuj innego słowa lub wyczyść filtry.',
    'cat.book': 'Zarezerwuj', 'cat.details': 'Szczegóły', 'cat.resources_n': 'Zasoby: {n}',
    'cat.shared': 'udostępniany', 'cat.notshared': 'tylko dla organizacji', 'cat.approval': 'wymaga akceptacji',
    'cat.instant': 'rezerwacja od razu', 'cat.training': 'wymaga szkolenia',
    'f.yes': 'tak', 'f.no': 'nie',
    'energy.default': 'domyślnie dla typu {kind}: {v} kWh/m²·rok', 'energy.hint': 'Puste pole = wartość domyślna dla typu ({v} kWh/m²·rok, CIBSE TM46). Wpisz zmierzone zużycie, jeśli je znasz.',
    'energy.estimated': 'szacunek', 'energy.ph': '{v} (domyślnie)',
    'power.hint': 'Typowy pobór (METHODS.md):', 'draw.ult': 'zamrażarka −80 °C ≈ 0,63 kW', 'draw.bsc': 'komora laminarna ≈ 0,3 kW',
    'draw.confocal': 'mikroskop konfokalny ≈ 1,0 kW', 'draw.lcms': 'LC-MS/MS ≈ 2,0 kW', 'draw.ngs': 'sekwenator NGS ≈ 2,5 kW',
    'hours.closed': 'zamknięte', 'hours.allday': 'całą dobę', 'hours.none': 'Brak godzin otwarcia — zasobu nie można zarezerwować.',
    'hours.add': 'Dodaj przedział', 'hours.remove': 'Usuń przedział', 'hours.preset247': 'Całą dobę 7 dni',
    'hours.presetWork': 'Pn–Pt 8–18', 'hours.clear': 'Zamknięte', 'hours.open': 'Od', 'hours.close': 'Do',
    'hours.format': 'Format GG:MM, koniec dnia to 24:00.', 'hours.bad': '{day}: podaj godziny jako GG:MM, koniec po początku.',
    'wd.1': 'poniedziałek', 'wd.2': 'wtorek', 'wd.3': 'środa', 'wd.4': 'czwartek', 'wd.5': 'piątek', 'wd.6': 'sobota', 'wd.7': 'niedziela',
    'res.booking': 'Zasady rezerwacji', 'res.minmax': 'Długość rezerwacji',
    'res.minutes': '{n} min', 'res.range': '{a} – {b}', 'res.power': 'Pobór mocy', 'res.kw': '{v} kW', 'res.standby': 'czuwanie {v} kW',
    'res.approval.yes': 'Opiekun akceptuje każdą rezerwację.', 'res.approval.no': 'Rezerwacja jest potwierdzana od razu.',
    'res.training.yes': 'Rezerwować mogą tylko osoby przeszkolone na tym urządzeniu.',
    'res.trained.you': 'Masz to szkolenie.', 'res.trained.not': 'Nie masz jeszcze szkolenia — skontaktuj się z opiekunem.',
    'res.shared.no': 'Dostępny tylko dla pracowników organizacji-właściciela.',
    'res.hours': 'Godziny otwarcia', 'res.avail': 'Dostępność w najbliższych 7 dniach', 'res.avail.na': 'Podgląd dostępności nie jest jeszcze dostępny.',
    'res.avail.free': 'wolne {h} h', 'res.avail.busy': 'zajęte {h} h', 'res.avail.closed': 'zamknięte', 'res.avail.blackout': 'wyłączenie',
    'res.avail.pending': 'oczekujące {n}', 'res.avail.legend': 'Legenda: jasne — otwarte, ciemne — zarezerwowane, szare — wyłączenie.',
    'res.edit': 'Edytuj zasób', 'res.where': 'Gdzie', 'lab.resources': 'Zasoby w tym laboratorium',
    'lab.edit': 'Edytuj laboratorium', 'lab.m2': '{v} m²', 'lab.kwh': '{v} kWh/m²·rok', 'lab.noresources': 'To laboratorium nie ma jeszcze zasobów do rezerwacji.',
    'org.labs': 'Laboratoria', 'org.services': 'Usługi', 'org.edit': 'Edytuj organizację', 'org.nolabs': 'Brak laboratoriów.', 'org.noservices': 'Brak usług.',
    'svc.resources': 'Zasoby: ', 'svc.none': 'Brak usług.',
    'man.title': 'Zarządzanie katalogiem', 'man.org': 'Organizacja', 'man.orgs': 'Organizacje', 'man.labs': 'Laboratoria',
    'man.resources': 'Zasoby', 'man.services': 'Usługi', 'man.newOrg': 'Nowa organizacja', 'man.newLab': 'Nowe laboratorium',
    'man.newRes': 'Nowy zasób', 'man.newSvc': 'Nowa usługa', 'man.noorg': 'Twoje konto nie jest przypisane do organizacji.',
    'man.pick': 'Wybierz organizację', 'man.empty': 'Jeszcze nic tu nie ma.', 'man.view': 'Podgląd',
    'edit.org.new': 'Nowa organizacja', 'edit.org': 'Organizacja: {name}', 'edit.lab.new': 'Nowe laboratorium', 'edit.lab': 'Laboratorium: {name}',
    'edit.res.new': 'Nowy zasób', 'edit.res': 'Zasób: {name}', 'edit.svc.new': 'Nowa usługa', 'edit.svc': 'Usługa: {name}',
    'edit.created': 'Dodano.', 'edit.nochange': 'Nic się nie zmieniło.', 'edit.deleted': 'Usunięto.',
    'edit.confirm': 'Na pewno usunąć „{name}”? Tego nie da się cofnąć.', 'edit.cannotDelete': 'Nie można usunąć: {msg}',
    'edit.nolabs': 'Najpierw dodaj laboratorium.', 'edit.noresources': 'Ta organizacja nie ma jeszcze zasobów.',
    'edit.denied': 'Nie możesz zarządzać tym obiektem.',
    'bo.title': 'Wyłączenia (przeglądy, awarie, święta)', 'bo.add': 'Dodaj wyłączenie', 'bo.none': 'Brak zaplanowanych wyłączeń.',
    'bo.added': 'Dodano wyłączenie.',
    'tr.title': 'Przeszkoleni użytkownicy', 'tr.add': 'Wpisz szkolenie',
    'tr.none': 'Nikt nie jest jeszcze przeszkolony.', 'tr.added': 'Oznaczono jako przeszkolonego.', 'tr.removed': 'Usunięto z listy przeszkolonych.',
  },
  en: {
    'cat.title': 'Catalogue', 'cat.lead': 'Labs, instruments, desks and services of the cluster members.',
    'cat.tab.resources': 'Resources', 'cat.tab.labs': 'Labs', 'cat.tab.services': 'Services',
    'cat.search': 'Search the catalogue', 'cat.search.ph': 'e.g. confocal microscope, PCR, desk…',
    'cat.filters': 'Filters', 'cat.f.free_hint': 'Only resources bookable for the whole span: open throughout it, with no blackout and no approved booking in it.', 'cat.f.clear': 'Clear filters', 'cat.f.any': 'any', 'cat.f.anyf': 'any',
    'cat.f.free_both': 'Give both the start and the end of the span.', 'cat.f.free_order': 'The end must be after the start.',
    'cat.results': '{n} results', 'cat.page': 'Page {n} of {m}', 'cat.prev': 'Previous', 'cat.next': 'Next',
    'cat.empty': 'Nothing matches these criteria.', 'cat.empty.hint': 'Try another word or clear the filters.',
    'cat.book': 'Book', 'cat.details': 'Details', 'cat.resources_n': '{n} resources',
    'cat.shared': 'shared', 'cat.notshared': 'own organisation only', 'cat.approval': 'needs approval',
    'cat.instant': 'instant booking', 'cat.training': 'training required',
    'f.yes': 'yes', 'f.no': 'no',
    'energy.default': 'default for its kind ({kind}): {v} kWh/m²·year', 'energy.hint': 'Empty = the default for the kind ({v} kWh/m²·year, CIBSE TM46). Enter the metered figure if you know it.',
    'energy.estimated': 'estimated', 'energy.ph': '{v} (default)',
    'power.hint': 'Typical draw (METHODS.md):', 'draw.ult': '−80 °C freezer ≈ 0.63 kW', 'draw.bsc': 'biosafety cabinet ≈ 0.3 kW',
    'draw.confocal': 'confocal microscope ≈ 1.0 kW', 'draw.lcms': 'LC-MS/MS ≈ 2.0 kW', 'draw.ngs': 'NGS sequencer ≈ 2.5 kW',
    'hours.closed': 'closed', 'hours.allday': 'all day', 'hours.none': 'No opening hours — it cannot be booked.',
    'hours.add': 'Add window', 'hours.remove': 'Remove window', 'hours.preset247': '24/7',
    'hours.presetWork': 'Mon–Fri 8–18', 'hours.clear': 'Closed', 'hours.open': 'From', 'hours.close': 'To',
    'hours.format': 'Format HH:MM; the end of the day is 24:00.', 'hours.bad': '{day}: give times as HH:MM, the end after the start.',
    'wd.1': 'Monday', 'wd.2': 'Tuesday', 'wd.3': 'Wednesday', 'wd.4': 'Thursday', 'wd.5': 'Friday', 'wd.6': 'Saturday', 'wd.7': 'Sunday',
    'res.booking': 'Booking rules', 'res.minmax': 'Booking length',
    'res.minutes': '{n} min', 'res.range': '{a} – {b}', 'res.power': 'Power draw', 'res.kw': '{v} kW', 'res.standby': 'standby {v} kW',
    'res.approval.yes': 'The owner approves every booking.', 'res.approval.no': 'Bookings are confirmed at once.',
    'res.training.yes': 'Only people trained on this instrument may book it.',
    'res.trained.you': 'You are trained.', 'res.trained.not': 'You are not trained yet — contact the owner.',
    'res.shared.no': 'Only for staff of the owning organisation.',
    'res.hours': 'Opening hours', 'res.avail': 'Availability in the next 7 days', 'res.avail.na': 'The availability preview is not available yet.',
    'res.avail.free': '{h} h free', 'res.avail.busy': '{h} h booked', 'res.avail.closed': 'closed', 'res.avail.blackout': 'blackout',
    'res.avail.pending': '{n} pending', 'res.avail.legend': 'Legend: light — open, dark — booked, grey — blackout.',
    'res.edit': 'Edit resource', 'res.where': 'Where', 'lab.resources': 'Resources in this lab',
    'lab.edit': 'Edit lab', 'lab.m2': '{v} m²', 'lab.kwh': '{v} kWh/m²·year', 'lab.noresources': 'This lab has no bookable resources yet.',
    'org.labs': 'Labs', 'org.services': 'Services', 'org.edit': 'Edit organisation', 'org.nolabs': 'No labs.', 'org.noservices': 'No services.',
    'svc.resources': 'Resources: ', 'svc.none': 'No services.',
    'man.title': 'Manage the catalogue', 'man.org': 'Organisation', 'man.orgs': 'Organisations', 'man.labs': 'Labs',
    'man.resources': 'Resources', 'man.services': 'Services', 'man.newOrg': 'New organisation', 'man.newLab': 'New lab',
    'man.newRes': 'New resource', 'man.newSvc': 'New service', 'man.noorg': 'Your account does not belong to an organisation.',
    'man.pick': 'Choose an organisation', 'man.empty': 'Nothing here yet.', 'man.view': 'View',
    'edit.org.new': 'New organisation', 'edit.org': 'Organisation: {name}', 'edit.lab.new': 'New lab', 'edit.lab': 'Lab: {name}',
    'edit.res.new': 'New resource', 'edit.res': 'Resource: {name}', 'edit.svc.new': 'New service', 'edit.svc': 'Service: {name}',
    'edit.created': 'Created.', 'edit.nochange': 'Nothing changed.', 'edit.deleted': 'Deleted.',
    'edit.confirm': 'Really delete “{name}”? This cannot be undone.', 'edit.cannotDelete': 'Cannot delete: {msg}',
    'edit.nolabs': 'Add a lab first.', 'edit.noresources': 'This organisation has no resources yet.',
    'edit.denied': 'You cannot manage this.',
    'bo.title': 'Blackouts (maintenance, breakdowns, holidays)', 'bo.add': 'Add blackout', 'bo.none': 'No blackouts planned.',
    'bo.added': 'Blackout added.',
    'tr.title': 'Trained users', 'tr.add': 'Record training',
    'tr.none': 'Nobody is trained yet.', 'tr.added': 'Marked as trained.', 'tr.removed': 'Removed from the trained users.',
  },
});

/* ---------- site-local time (Europe/Warsaw) ---------- */

const partsFmt = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit',
  day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
const WD = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Wall-clock parts of an instant in the site's zone. */
export function localParts(d) {
  const p = {};
  for (const x of partsFmt.formatToParts(d instanceof Date ? d : new Date(d))) p[x.type] = x.value;
  const hour = Number(p.hour) % 24;
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${String(hour).padStart(2, '0')}:${p.minute}`,
    y: Number(p.year), m: Number(p.month), d: Number(p.day), hour, minute: Number(p.minute), second: Number(p.second), weekday: WD[p.weekday] };
}

function offsetAt(ms) {
  const p = localParts(new Date(ms));
  return Date.UTC(p.y, p.m - 1, p.d, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant of a site-local wall time ('YYYY-MM-DD', 'HH:MM'). */
export function localToDate(date, time = '00:00') {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  let ms = wall - offsetAt(wall);
  ms = wall - offsetAt(ms);
  return new Date(ms);
}

/** 'YYYY-MM-DDTHH:MM' (a datetime-local value, site-local) → RFC 3339 UTC, or '' if empty/invalid. */
export function localInputToIso(v) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(v || '');
  return m ? isoZ(localToDate(m[1], m[2])) : '';
}
/** RFC 3339 instant → 'YYYY-MM-DDTHH:MM' site-local for a datetime-local input. */
export function isoToLocalInput(v) {
  const p = localParts(new Date(v));
  return `${p.date}T${p.time}`;
}
export function isoZ(d) { return d.toISOString().replace(/\.\d{3}Z$/, 'Z'); }
export function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

/* ---------- fetching ---------- */

/** Every item of a list route (follows offset up to `cap` items). */
export async function listAll(path, params = {}, cap = 2000) {
  const items = [];
  for (let offset = 0; offset < cap;) {
    const r = await get(path + qs({ ...params, limit: 500, offset }));
    items.push(...r.items);
    offset += r.items.length;
    if (!r.items.length || items.length >= r.total) break;
  }
  return items;
}

const cache = new Map();
/** Caches a look-up for a short while; writes call invalidate(). */
export function cached(key, fn, ttl = 30000) {
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < ttl) return hit.p;
  const p = fn();
  cache.set(key, { at: Date.now(), p });
  p.catch(() => cache.delete(key));
  return p;
}
export function invalidate() { cache.clear(); }

/** Maps of all organisations and labs by id (for names, cities, areas). */
export async function lookups() {
  const [orgs, labs] = await Promise.all([
    cached('orgs', () => listAll('/api/v1/organisations')),
    cached('labs', () => listAll('/api/v1/labs')),
  ]);
  return { orgs: new Map(orgs.map((o) => [o.id, o])), labs: new Map(labs.map((l) => [l.id, l])), orgList: orgs, labList: labs };
}

/** Organisation id of a resource: its own field if the API gives it, else through its lab. */
export function resourceOrgId(r, labs) {
  return r.organisation_id ?? labs.get(r.lab_id)?.organisation_id ?? null;
}

export function canManage(user, orgId) {
  return !!user && (user.role === 'staff' || (user.role === 'owner' && orgId != null && user.organisation_id === orgId));
}

/* ---------- formatting ---------- */

/** A number with at most `digits` decimals, in the current language's style. */
export const num = (v, digits = 1) => new Intl.NumberFormat(getLang() === 'pl' ? 'pl-PL' : 'en-GB', { maximumFractionDigits: digits }).format(Number(v));
export const orgLabel = (o) => (o ? (o.short_name ? `${o.name} (${o.short_name})` : o.name) : '');
/**
 * Default energy intensity (kWh/m²·year) per lab kind, the figures the
 * indicators use: GET /api/v1/stats/energy-defaults where the user's role may
 * read it. That route is staff-only today, so others see METHODS.md's
 * published CIBSE TM46 figures (PUBLISHED_KWH) — which staff may have changed
 * since; drop this table once the route is open to signed-in users.
 */
const PUBLISHED_KWH = { commercial: 160, scientific: 160, teaching: 160, office: 95, coworking: 95 };
const ENERGY_DEFAULTS = '/api/v1/stats/energy-defaults';
export function energyDefaults(user) {
  if (!roleMayCall(user, 'GET', ENERGY_DEFAULTS)) return Promise.resolve(new Map(Object.entries(PUBLISHED_KWH)));
  return cached('energy-defaults', async () => new Map((await listAll(ENERGY_DEFAULTS)).map((d) => [d.kind, d.kwh_per_m2_year])));
}
/** The lab's energy intensity, or the default of its kind as the user may read it. */
export async function energyText(lab, user) {
  if (lab.energy_kwh_per_m2_year !== null && lab.energy_kwh_per_m2_year !== undefined)
    return t('lab.kwh', { v: num(lab.energy_kwh_per_m2_year) });
  const v = (await energyDefaults(user)).get(lab.kind);
  return t('energy.default', { kind: choiceLabel('Lab', 'kind', lab.kind), v: v === undefined ? '—' : num(v) });
}
export function minutesText(n) {
  if (n >= 60 && n % 60 === 0) return `${n / 60} h`;
  return t('res.minutes', { n });
}

/** Opening hours as one line of windows per weekday 1..7. */
export function hoursByDay(hours) {
  const days = [1, 2, 3, 4, 5, 6, 7].map(() => []);
  for (const w of hours || []) if (w.weekday >= 1 && w.weekday <= 7) days[w.weekday - 1].push(w);
  for (const d of days) d.sort((a, b) => a.open.localeCompare(b.open));
  return days;
}
export function windowText(w) {
  return w.open === '00:00' && w.close === '24:00' ? t('hours.allday') : `${w.open}–${w.close}`;
}

/** <dl class="facts"> from [label, value] pairs; pairs with an empty value are left out. */
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export function badges(r) {
  return h('div', { class: 'cat-badges' },
    h('span', { class: 'badge' }, choiceLabel('Resource', 'type', r.type)),
    r.shared ? h('span', { class: 'badge' }, t('cat.shared')) : h('span', { class: 'badge estimated' }, t('cat.notshared')),
    r.requires_approval ? h('span', { class: 'badge pending' }, t('cat.approval')) : h('span', { class: 'badge approved' }, t('cat.instant')),
    r.requires_training ? h('span', { class: 'badge training' }, t('cat.training')) : null);
}

/** A catalogue card of a resource with its lab and organisation. */
export function resourceCard(r, lab, org) {
  const name = h('a', { href: `#/resources/${r.id}` }, r.name);
  const bits = [];
  if (lab?.city || org?.city) bits.push(lab?.city || org?.city);
  if (lab?.area_m2) bits.push(t('lab.m2', { v: num(lab.area_m2) }));
  if (lab && lab.biosafety_level) bits.push('BSL-' + lab.biosafety_level);
  if (r.power_kw) bits.push(t('res.kw', { v: num(r.power_kw, 2) }));
  return h('article', { class: 'card cat-card', dataset: { id: r.id } },
    h('h3', { class: 'cat-card-title' }, name),
    r.category ? h('p', { class: 'cat-category' }, r.category) : null,
    h('p', { class: 'cat-where' },
      lab || r.lab_name ? h('a', { href: `#/labs/${r.lab_id}` }, lab?.name || r.lab_name) : null,
      (lab || r.lab_name) && (org || r.organisation_name) ? ' · ' : null,
      org || r.organisation_name ? h('a', { href: `#/organisations/${org?.id ?? r.organisation_id}` }, org?.short_name || org?.name || r.organisation_name) : null),
    bits.length ? h('p', { class: 'cat-meta muted' }, bits.join(' · ')) : null,
    badges(r),
    h('div', { class: 'cat-actions' },
      h('a', { class: 'btn small', href: `#/book/${r.id}`, 'aria-label': `${t('cat.book')}: ${r.name}` }, t('cat.book')),
      h('a', { class: 'btn small secondary', href: `#/resources/${r.id}`, 'aria-label': `${t('cat.details')}: ${r.name}` }, t('cat.details'))));
}

export function labCard(lab, org, count) {
  const bits = [choiceLabel('Lab', 'kind', lab.kind)];
  if (lab.city || org?.city) bits.push(lab.city || org?.city);
  bits.push(t('lab.m2', { v: num(lab.area_m2) }));
  if (lab.biosafety_level) bits.push('BSL-' + lab.biosafety_level);
  return h('article', { class: 'card cat-card', dataset: { id: lab.id } },
    h('h3', { class: 'cat-card-title' }, h('a', { href: `#/labs/${lab.id}` }, lab.name)),
    org ? h('p', { class: 'cat-where' }, h('a', { href: `#/organisations/${org.id}` }, orgLabel(org))) : null,
    h('p', { class: 'cat-meta muted' }, bits.join(' · ')),
    lab.building ? h('p', { class: 'cat-meta muted' }, lab.building) : null,
    count !== undefined ? h('p', { class: 'cat-meta' }, t('cat.resources_n', { n: count })) : null);
}

export function serviceCard(s, org, resById) {
  const res = (s.resource_ids || []).map((id) => resById?.get(id)).filter(Boolean);
  return h('article', { class: 'card cat-card', dataset: { id: s.id } },
    h('h3', { class: 'cat-card-title' }, s.name),
    org ? h('p', { class: 'cat-where' }, h('a', { href: `#/organisations/${org.id}` }, orgLabel(org))) : null,
    s.description ? h('p', { class: 'cat-desc' }, s.description) : null,
    res.length ? h('p', { class: 'cat-meta' }, t('svc.resources'),
      res.map((r, i) => [i ? ', ' : null, h('a', { href: `#/resources/${r.id}` }, r.name)])) : null);
}

/* ---------- forms ---------- */

/** An <option> list; `pairs` is [[value, label], ...]. */
export function options(pairs, selected) {
  return pairs.map(([v, l]) => h('option', { value: String(v), selected: String(v) === String(selected ?? '') ? true : null }, l));
}
/**
 * Shows an API error on a form. A field like "opening_hours[2].close" that has
 * no input of its own goes to the nearest named field ("opening_hours").
 */
export function formError(form, e) {
  let f = e && e.field;
  if (f && !form.querySelector(`.field[data-field="${CSS.escape(f)}"]`)) {
    const base = f.split(/[[.]/)[0];
    if (form.querySelector(`.field[data-field="${CSS.escape(base)}"]`)) f = base;
  }
  showFormError(form, { field: f, message: e && e.message ? e.message : String(e) });
}

export function backLink(href, label) {
  return h('p', { class: 'cat-back' }, h('a', { href }, '← ', label || t('common.back')));
}

// catalogue-util.js — what the catalogue pages share: strings, labels of the
// enumerations, site-local time conversion, cached look-ups of organisations
// and labs, cards, and form helpers (changed fields, API errors on inputs).
import { h, showFormError } from './dom.js';
import { get, qs } from './api.js';
import { t, addStrings, ZONE, getLang } from './i18n.js';

// Default energy intensity per lab kind (METHODS.md, CIBSE TM46), kWh/m²·year.
export const KIND_DEFAULT_KWH = { commercial: 160, scientific: 160, teaching: 160, office: 95, coworking: 95 };
export const TYPES = ['room', 'instrument', 'desk'];
export const KINDS = ['commercial', 'scientific', 'teaching', 'office', 'coworking'];
export const GROUPS = ['BioF', 'BIZ', 'MED', 'R&D', 'EDU', 'GOV'];
export const PACKAGES = ['standard', 'silver', 'gold', 'none'];
// Typical active draw (METHODS.md) offered as hints on the resource form.
export const TYPICAL_DRAW = [
  ['draw.ult', 0.63], ['draw.bsc', 0.3], ['draw.confocal', 1.0], ['draw.lcms', 2.0], ['draw.ngs', 2.5],
];

addStrings({
  pl: {
    'cat.title': 'Katalog', 'cat.lead': 'Laboratoria, aparatura, biurka i usługi członków klastra.',
    'cat.tab.resources': 'Zasoby', 'cat.tab.labs': 'Laboratoria', 'cat.tab.services': 'Usługi',
    'cat.search': 'Szukaj w katalogu', 'cat.search.ph': 'np. mikroskop konfokalny, PCR, biurko…',
    'cat.filters': 'Filtry', 'cat.f.type': 'Rodzaj zasobu', 'cat.f.kind': 'Typ laboratorium', 'cat.f.org': 'Organizacja',
    'cat.f.category': 'Kategoria', 'cat.f.bsl': 'Poziom BSL co najmniej', 'cat.f.free_from': 'Do zarezerwowania od',
    'cat.f.free_to': 'do', 'cat.f.free_hint': 'Tylko zasoby, które można zarezerwować na cały ten czas: otwarte przez cały czas, bez wyłączeń i bez zatwierdzonych rezerwacji.', 'cat.f.clear': 'Wyczyść filtry', 'cat.f.any': 'dowolny', 'cat.f.anyf': 'dowolna',
    'cat.f.free_both': 'Podaj początek i koniec przedziału.', 'cat.f.free_order': 'Koniec musi być po początku.',
    'cat.results': 'Wyniki: {n}', 'cat.page': 'Strona {n} z {m}', 'cat.prev': 'Poprzednia', 'cat.next': 'Następna',
    'cat.empty': 'Nic nie pasuje do tych kryteriów.', 'cat.empty.hint': 'Spróbuj innego słowa lub wyczyść filtry.',
    'cat.book': 'Zarezerwuj', 'cat.details': 'Szczegóły', 'cat.resources_n': 'Zasoby: {n}',
    'cat.shared': 'udostępniany', 'cat.notshared': 'tylko dla organizacji', 'cat.approval': 'wymaga akceptacji',
    'cat.instant': 'rezerwacja od razu', 'cat.training': 'wymaga szkolenia',
    'type.room': 'pomieszczenie', 'type.instrument': 'aparatura', 'type.desk': 'biurko',
    'kind.commercial': 'komercyjne', 'kind.scientific': 'naukowe', 'kind.teaching': 'dydaktyczne',
    'kind.office': 'biuro', 'kind.coworking': 'coworking',
    'group.BioF': 'BioF — biotechnologia', 'group.BIZ': 'BIZ — otoczenie biznesu', 'group.MED': 'MED — ochrona zdrowia',
    'group.R&D': 'R&D — instytuty badawcze', 'group.EDU': 'EDU — uczelnie i edukacja', 'group.GOV': 'GOV — samorząd',
    'package.standard': 'standard', 'package.silver': 'srebrny', 'package.gold': 'złoty', 'package.none': 'brak',
    'f.name': 'Nazwa', 'f.short_name': 'Skrót', 'f.group': 'Grupa', 'f.package': 'Pakiet członkowski',
    'f.member': 'Członek klastra', 'f.city': 'Miasto', 'f.website': 'Strona WWW', 'f.description': 'Opis',
    'f.organisation': 'Organizacja', 'f.lab': 'Laboratorium', 'f.kind': 'Typ', 'f.area_m2': 'Powierzchnia (m²)',
    'f.energy': 'Zużycie energii (kWh/m²·rok)', 'f.building': 'Budynek', 'f.address': 'Adres',
    'f.bsl': 'Poziom bezpieczeństwa biologicznego (BSL)', 'f.type': 'Rodzaj', 'f.category': 'Kategoria',
    'f.shared': 'Udostępniany innym organizacjom', 'f.requires_approval': 'Rezerwacje wymagają akceptacji',
    'f.requires_training': 'Wymaga szkolenia', 'f.power_kw': 'Moc w trakcie pracy (kW)', 'f.standby_kw': 'Moc w czuwaniu (kW)',
    'f.slot_minutes': 'Siatka slotów (min)', 'f.min_minutes': 'Najkrótsza rezerwacja (min)',
    'f.max_minutes': 'Najdłuższa rezerwacja (min)', 'f.opening_hours': 'Godziny otwarcia',
    'f.resources': 'Wykorzystywane zasoby', 'f.reason': 'Powód', 'f.start': 'Początek', 'f.end': 'Koniec',
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
    'res.booking': 'Zasady rezerwacji', 'res.slot': 'Siatka slotów', 'res.minmax': 'Długość rezerwacji',
    'res.minutes': '{n} min', 'res.range': '{a} – {b}', 'res.power': 'Pobór mocy', 'res.kw': '{v} kW', 'res.standby': 'czuwanie {v} kW',
    'res.approval.yes': 'Opiekun akceptuje każdą rezerwację.', 'res.approval.no': 'Rezerwacja jest potwierdzana od razu.',
    'res.training.yes': 'Rezerwować mogą tylko osoby przeszkolone na tym urządzeniu.',
    'res.trained.you': 'Masz to szkolenie.', 'res.trained.not': 'Nie masz jeszcze szkolenia — skontaktuj się z opiekunem.',
    'res.shared.no': 'Dostępny tylko dla pracowników organizacji-właściciela.',
    'res.hours': 'Godziny otwarcia', 'res.avail': 'Dostępność w najbliższych 7 dniach', 'res.avail.na': 'Podgląd dostępności nie jest jeszcze dostępny.',
    'res.avail.free': 'wolne {h} h', 'res.avail.busy': 'zajęte {h} h', 'res.avail.closed': 'zamknięte', 'res.avail.blackout': 'wyłączenie',
    'res.avail.pending': 'oczekujące {n}', 'res.avail.legend': 'Legenda: jasne — otwarte, ciemne — zarezerwowane, szare — wyłączenie.',
    'res.edit': 'Edytuj zasób', 'res.where': 'Gdzie', 'res.lab': 'Laboratorium', 'res.org': 'Organizacja',
    'lab.area': 'Powierzchnia', 'lab.kind': 'Typ', 'lab.energy': 'Intensywność energetyczna', 'lab.bsl': 'BSL',
    'lab.building': 'Budynek', 'lab.address': 'Adres', 'lab.city': 'Miasto', 'lab.resources': 'Zasoby w tym laboratorium',
    'lab.edit': 'Edytuj laboratorium', 'lab.m2': '{v} m²', 'lab.kwh': '{v} kWh/m²·rok', 'lab.noresources': 'To laboratorium nie ma jeszcze zasobów do rezerwacji.',
    'org.labs': 'Laboratoria', 'org.services': 'Usługi', 'org.group': 'Grupa', 'org.package': 'Pakiet', 'org.member': 'Członek klastra',
    'org.website': 'Strona WWW', 'org.edit': 'Edytuj organizację', 'org.nolabs': 'Brak laboratoriów.', 'org.noservices': 'Brak usług.',
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
    'cat.filters': 'Filters', 'cat.f.type': 'Resource type', 'cat.f.kind': 'Lab kind', 'cat.f.org': 'Organisation',
    'cat.f.category': 'Category', 'cat.f.bsl': 'Biosafety level at least', 'cat.f.free_from': 'Bookable from',
    'cat.f.free_to': 'until', 'cat.f.free_hint': 'Only resources bookable for the whole span: open throughout it, with no blackout and no approved booking in it.', 'cat.f.clear': 'Clear filters', 'cat.f.any': 'any', 'cat.f.anyf': 'any',
    'cat.f.free_both': 'Give both the start and the end of the span.', 'cat.f.free_order': 'The end must be after the start.',
    'cat.results': '{n} results', 'cat.page': 'Page {n} of {m}', 'cat.prev': 'Previous', 'cat.next': 'Next',
    'cat.empty': 'Nothing matches these criteria.', 'cat.empty.hint': 'Try another word or clear the filters.',
    'cat.book': 'Book', 'cat.details': 'Details', 'cat.resources_n': '{n} resources',
    'cat.shared': 'shared', 'cat.notshared': 'own organisation only', 'cat.approval': 'needs approval',
    'cat.instant': 'instant booking', 'cat.training': 'training required',
    'type.room': 'room', 'type.instrument': 'instrument', 'type.desk': 'desk',
    'kind.commercial': 'commercial', 'kind.scientific': 'scientific', 'kind.teaching': 'teaching',
    'kind.office': 'office', 'kind.coworking': 'coworking',
    'group.BioF': 'BioF — life-science enterprises', 'group.BIZ': 'BIZ — business support', 'group.MED': 'MED — healthcare',
    'group.R&D': 'R&D — research institutes', 'group.EDU': 'EDU — universities, education', 'group.GOV': 'GOV — government',
    'package.standard': 'standard', 'package.silver': 'silver', 'package.gold': 'gold', 'package.none': 'none',
    'f.name': 'Name', 'f.short_name': 'Short name', 'f.group': 'Interest group', 'f.package': 'Membership package',
    'f.member': 'Cluster member', 'f.city': 'City', 'f.website': 'Website', 'f.description': 'Description',
    'f.organisation': 'Organisation', 'f.lab': 'Lab', 'f.kind': 'Kind', 'f.area_m2': 'Floor area (m²)',
    'f.energy': 'Energy intensity (kWh/m²·year)', 'f.building': 'Building', 'f.address': 'Address',
    'f.bsl': 'Biosafety level (BSL)', 'f.type': 'Type', 'f.category': 'Category',
    'f.shared': 'Shared with other organisations', 'f.requires_approval': 'Bookings need approval',
    'f.requires_training': 'Requires training', 'f.power_kw': 'Active power draw (kW)', 'f.standby_kw': 'Standby draw (kW)',
    'f.slot_minutes': 'Slot grid (min)', 'f.min_minutes': 'Shortest booking (min)',
    'f.max_minutes': 'Longest booking (min)', 'f.opening_hours': 'Opening hours',
    'f.resources': 'Resources it uses', 'f.reason': 'Reason', 'f.start': 'Start', 'f.end': 'End',
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
    'res.booking': 'Booking rules', 'res.slot': 'Slot grid', 'res.minmax': 'Booking length',
    'res.minutes': '{n} min', 'res.range': '{a} – {b}', 'res.power': 'Power draw', 'res.kw': '{v} kW', 'res.standby': 'standby {v} kW',
    'res.approval.yes': 'The owner approves every booking.', 'res.approval.no': 'Bookings are confirmed at once.',
    'res.training.yes': 'Only people trained on this instrument may book it.',
    'res.trained.you': 'You are trained.', 'res.trained.not': 'You are not trained yet — contact the owner.',
    'res.shared.no': 'Only for staff of the owning organisation.',
    'res.hours': 'Opening hours', 'res.avail': 'Availability in the next 7 days', 'res.avail.na': 'The availability preview is not available yet.',
    'res.avail.free': '{h} h free', 'res.avail.busy': '{h} h booked', 'res.avail.closed': 'closed', 'res.avail.blackout': 'blackout',
    'res.avail.pending': '{n} pending', 'res.avail.legend': 'Legend: light — open, dark — booked, grey — blackout.',
    'res.edit': 'Edit resource', 'res.where': 'Where', 'res.lab': 'Lab', 'res.org': 'Organisation',
    'lab.area': 'Floor area', 'lab.kind': 'Kind', 'lab.energy': 'Energy intensity', 'lab.bsl': 'BSL',
    'lab.building': 'Building', 'lab.address': 'Address', 'lab.city': 'City', 'lab.resources': 'Resources in this lab',
    'lab.edit': 'Edit lab', 'lab.m2': '{v} m²', 'lab.kwh': '{v} kWh/m²·year', 'lab.noresources': 'This lab has no bookable resources yet.',
    'org.labs': 'Labs', 'org.services': 'Services', 'org.group': 'Interest group', 'org.package': 'Package', 'org.member': 'Cluster member',
    'org.website': 'Website', 'org.edit': 'Edit organisation', 'org.nolabs': 'No labs.', 'org.noservices': 'No services.',
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
export function energyText(lab) {
  if (lab.energy_kwh_per_m2_year !== null && lab.energy_kwh_per_m2_year !== undefined)
    return t('lab.kwh', { v: num(lab.energy_kwh_per_m2_year) });
  return t('energy.default', { kind: t('kind.' + lab.kind), v: KIND_DEFAULT_KWH[lab.kind] ?? '—' });
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
    h('span', { class: 'badge' }, t('type.' + r.type)),
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
  const bits = [t('kind.' + lab.kind)];
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
export function select(name, pairs, selected, attrs = {}) {
  return h('select', { name, ...attrs }, options(pairs, selected));
}
export function checkbox(name, label, checked) {
  const input = h('input', { type: 'checkbox', name, checked: !!checked });
  return h('div', { class: 'field check', dataset: { field: name } },
    h('label', {}, input, ' ', label), h('div', { class: 'field-error', 'aria-live': 'polite' }));
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

/** The fields of `now` that differ from `orig` (arrays and objects by JSON). */
export function changed(orig, now) {
  const out = {};
  for (const [k, v] of Object.entries(now)) {
    const a = orig[k];
    if (JSON.stringify(a ?? null) !== JSON.stringify(v ?? null)) out[k] = v;
  }
  return out;
}

/** Keeps only keys the server is known to accept: always the contract's, plus extras seen on a real object. */
export function accepted(body, contract, sample) {
  const out = {};
  for (const [k, v] of Object.entries(body)) if (contract.includes(k) || (sample && k in sample)) out[k] = v;
  return out;
}

export const textOrNull = (v) => (v.trim() === '' ? null : v.trim());
export function numberOrNull(v) {
  const s = String(v).trim().replace(',', '.');
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : s; // a non-number goes to the server, which names the field
}

export function backLink(href, label) {
  return h('p', { class: 'cat-back' }, h('a', { href }, '← ', label || t('common.back')));
}

// i18n.js — Polish and English. Views register their own strings with
// addStrings({pl: {...}, en: {...}}); t(key, vars) looks a key up in the
// current language, falling back to English, then to the key itself.

const dict = { pl: {}, en: {} };
let lang = localStorage.getItem('labshare.lang') || (navigator.language || 'pl').slice(0, 2);
if (!['pl', 'en'].includes(lang)) lang = 'en';

export const ZONE = 'Europe/Warsaw';

export function addStrings(strings) {
  for (const l of ['pl', 'en']) Object.assign(dict[l], strings[l] || {});
}

export function getLang() { return lang; }
export function setLang(l) {
  if (!['pl', 'en'].includes(l)) return;
  lang = l;
  localStorage.setItem('labshare.lang', l);
  document.documentElement.lang = l;
}
document.documentElement.lang = lang;

export function t(key, vars = {}) {
  let s = dict[lang][key] ?? dict.en[key] ?? key;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

const locale = () => (lang === 'pl' ? 'pl-PL' : 'en-GB');

/** Formats an instant (RFC 3339 string or Date) in the site's zone. */
export function fmtDateTime(v, opts = {}) {
  const d = v instanceof Date ? v : new Date(v);
  return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, dateStyle: 'medium', timeStyle: 'short', ...opts }).format(d);
}
export function fmtDate(v, opts = {}) {
  const d = v instanceof Date ? v : new Date(v);
  return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, dateStyle: 'medium', ...opts }).format(d);
}
export function fmtTime(v) {
  const d = v instanceof Date ? v : new Date(v);
  return new Intl.DateTimeFormat(locale(), { timeZone: ZONE, hour: '2-digit', minute: '2-digit' }).format(d);
}
export function fmtNumber(n, digits = 0) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);
}

addStrings({
  pl: {
    'nav.home': 'Start', 'nav.catalogue': 'Katalog', 'nav.bookings': 'Moje rezerwacje', 'nav.inbox': 'Wnioski',
    'nav.dashboard': 'Statystyki', 'nav.statements': 'Rozliczenia', 'nav.manage': 'Zarządzanie', 'nav.admin': 'Administracja', 'nav.profile': 'Profil', 'nav.invite': 'Zaproś',
    'auth.signin': 'Zaloguj się', 'auth.signout': 'Wyloguj', 'auth.email': 'E-mail', 'auth.password': 'Hasło',
    'auth.title': 'Logowanie', 'auth.failed': 'Nieprawidłowy e-mail lub hasło.',
    'role.researcher': 'badacz', 'role.owner': 'opiekun laboratorium', 'role.staff': 'koordynator klastra',
    'common.save': 'Zapisz', 'common.cancel': 'Anuluj', 'common.delete': 'Usuń', 'common.edit': 'Edytuj',
    'common.create': 'Dodaj', 'common.search': 'Szukaj', 'common.loading': 'Ładowanie…', 'common.none': 'Brak wyników.',
    'common.error': 'Coś poszło nie tak', 'common.saved': 'Zapisano.', 'common.back': 'Wstecz', 'common.all': 'wszystkie',
    'common.notfound': 'Nie ma takiej strony.', 'common.more': 'Więcej',
    'home.title': 'Wspólne laboratoria Klastra LifeScience Kraków',
    'home.lead': 'Znajdź laboratorium, aparaturę lub biurko u członków klastra, zarezerwuj czas i śledź, jak wspólnie i coraz bardziej ekologicznie wykorzystujemy infrastrukturę.',
    'home.f1': 'Katalog laboratoriów, aparatury i usług członków klastra',
    'home.f2': 'Wnioski o rezerwację i akceptacja przez opiekunów, bez podwójnych rezerwacji',
    'home.f3': 'Kalendarze iCalendar dla Google, Outlook, Apple i Thunderbird',
    'home.f4': 'Wskaźniki wykorzystania i śladu węglowego dla ścieżki Infrastruktura',
    'home.start': 'Przeglądaj katalog',
  },
  en: {
    'nav.home': 'Home', 'nav.catalogue': 'Catalogue', 'nav.bookings': 'My bookings', 'nav.inbox': 'Requests',
    'nav.dashboard': 'Statistics', 'nav.statements': 'Statements', 'nav.manage': 'Manage', 'nav.admin': 'Administration', 'nav.profile': 'Profile', 'nav.invite': 'Invite',
    'auth.signin': 'Sign in', 'auth.signout': 'Sign out', 'auth.email': 'Email', 'auth.password': 'Password',
    'auth.title': 'Sign in', 'auth.failed': 'Wrong email or password.',
    'role.researcher': 'researcher', 'role.owner': 'lab owner', 'role.staff': 'cluster staff',
    'common.save': 'Save', 'common.cancel': 'Cancel', 'common.delete': 'Delete', 'common.edit': 'Edit',
    'common.create': 'Add', 'common.search': 'Search', 'common.loading': 'Loading…', 'common.none': 'Nothing found.',
    'common.error': 'Something went wrong', 'common.saved': 'Saved.', 'common.back': 'Back', 'common.all': 'all',
    'common.notfound': 'No such page.', 'common.more': 'More',
    'home.title': 'Shared labs of the Klaster LifeScience Kraków',
    'home.lead': 'Find a lab, an instrument or a desk at a cluster member, book time, and follow how we use our infrastructure together and ever more greenly.',
    'home.f1': 'A catalogue of the members’ labs, instruments and services',
    'home.f2': 'Booking requests approved by lab owners, never double-booked',
    'home.f3': 'iCalendar feeds for Google, Outlook, Apple and Thunderbird',
    'home.f4': 'Utilisation and carbon indicators for the Infrastructure path',
    'home.start': 'Browse the catalogue',
  },
});

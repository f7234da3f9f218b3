// audit.js — #/admin/audit (staff): the security audit log with filters.
import { h, mount, field, showFormError } from '../dom.js';
import { get, qs } from '../api.js';
import { t, addStrings, fmtDateTime } from '../i18n.js';
import { setQuery } from '../shell.js';
import { adminTabs } from './users.js';

addStrings({
  pl: {
    'audit.title': 'Dziennik zdarzeń', 'audit.user': 'Użytkownik (numer)', 'audit.action': 'Zdarzenie',
    'audit.action.any': 'wszystkie', 'audit.from': 'Od dnia', 'audit.to': 'Do dnia (włącznie)', 'audit.filter': 'Filtruj',
    'audit.col.at': 'Czas', 'audit.col.user': 'Kto', 'audit.col.action': 'Zdarzenie', 'audit.col.object': 'Obiekt',
    'audit.col.detail': 'Szczegóły', 'audit.col.ip': 'Adres IP', 'audit.anon': 'anonim',
    'audit.a.session': 'logowanie i wylogowanie', 'audit.a.session.create': 'logowanie',
    'audit.a.session.fail': 'nieudane logowanie', 'audit.a.session.delete': 'wylogowanie',
    'audit.a.user': 'zmiany kont', 'audit.a.user.create': 'utworzenie konta', 'audit.a.user.role': 'zmiana roli',
    'audit.a.user.organisation': 'zmiana organizacji', 'audit.a.user.activate': 'aktywacja konta',
    'audit.a.user.deactivate': 'dezaktywacja konta', 'audit.a.user.password': 'hasła',
    'audit.a.user.password.change': 'zmiana hasła', 'audit.a.user.password.reset': 'nowe hasło od koordynatora',
    'audit.a.user.password.fail': 'błędne obecne hasło', 'audit.a.booking': 'decyzje o rezerwacjach',
  },
  en: {
    'audit.title': 'Audit log', 'audit.user': 'User (id)', 'audit.action': 'Event',
    'audit.action.any': 'all', 'audit.from': 'From day', 'audit.to': 'To day (inclusive)', 'audit.filter': 'Filter',
    'audit.col.at': 'Time', 'audit.col.user': 'Who', 'audit.col.action': 'Event', 'audit.col.object': 'Object',
    'audit.col.detail': 'Detail', 'audit.col.ip': 'IP address', 'audit.anon': 'anonymous',
    'audit.a.session': 'sign-ins and sign-outs', 'audit.a.session.create': 'sign-in',
    'audit.a.session.fail': 'failed sign-in', 'audit.a.session.delete': 'sign-out',
    'audit.a.user': 'account changes', 'audit.a.user.create': 'account created', 'audit.a.user.role': 'role changed',
    'audit.a.user.organisation': 'organisation changed', 'audit.a.user.activate': 'account activated',
    'audit.a.user.deactivate': 'account deactivated', 'audit.a.user.password': 'passwords',
    'audit.a.user.password.change': 'password changed', 'audit.a.user.password.reset': 'password set by staff',
    'audit.a.user.password.fail': 'wrong current password', 'audit.a.booking': 'booking decisions',
  },
});

const ACTIONS = ['session', 'session.create', 'session.fail', 'session.delete', 'user', 'user.create', 'user.role',
  'user.organisation', 'user.activate', 'user.deactivate', 'user.password', 'user.password.change',
  'user.password.reset', 'booking'];
const PAGE = 50;

const actionLabel = (a) => { const k = 'audit.a.' + a; const s = t(k); return s === k ? a : s; };

// The day after a yyyy-mm-dd date, for an inclusive end day.
function nextDay(d) {
  const [y, m, day] = d.split('-').map(Number);
  const n = new Date(Date.UTC(y, m - 1, day + 1));
  return n.toISOString().slice(0, 10);
}

export async function render(root, ctx) {
  const query = ctx.params.query;
  // The filter lives in the address: back, reload and a shared link show the same page of the log.
  const filter = { user_id: query.get('user_id') || '', action: query.get('action') || '', from: query.get('from') || '', to: query.get('to') || '', offset: Math.max(0, Number(query.get('offset')) || 0) };
  const user = h('input', { type: 'number', name: 'user_id', min: 1, value: filter.user_id, inputmode: 'numeric' });
  const action = h('select', { name: 'action' }, h('option', { value: '' }, t('audit.action.any')),
    ACTIONS.map((a) => h('option', { value: a, selected: filter.action === a }, actionLabel(a))));
  const from = h('input', { type: 'date', name: 'from', value: filter.from });
  const to = h('input', { type: 'date', name: 'to', value: filter.to });
  const form = h('form', { class: 'card account-filters', novalidate: true },
    h('div', { class: 'account-fields' },
      field(t('audit.user'), user), field(t('audit.action'), action), field(t('audit.from'), from), field(t('audit.to'), to)),
    h('button', { type: 'submit', class: 'btn' }, t('audit.filter')));
  const tableBox = h('div', { class: 'table-wrap', id: 'audit-table' });
  const pager = h('div', { class: 'pager' });

  let shown = false;
  async function load() {
    setQuery({ ...filter, offset: filter.offset || '' }, { replace: !shown });
    shown = true;
    // Days are local (site zone): an instant without offset is read as Europe/Warsaw.
    const r = await get('/api/v1/audit' + qs({
      user_id: filter.user_id, action: filter.action,
      from: filter.from ? filter.from + 'T00:00' : '', to: filter.to ? nextDay(filter.to) + 'T00:00' : '',
      limit: PAGE, offset: filter.offset,
    }));
    for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
    form.querySelector('.form-error')?.remove();
    if (!r.items.length) { mount(tableBox, h('p', { class: 'muted' }, t('common.none'))); mount(pager); return; }
    mount(tableBox, h('table', { class: 'data audit' },
      h('thead', {}, h('tr', {}, ['at', 'user', 'action', 'object', 'detail', 'ip'].map((c) => h('th', { scope: 'col' }, t('audit.col.' + c))))),
      h('tbody', {}, r.items.map((e) => h('tr', { class: e.action === 'session.fail' || e.action.endsWith('.fail') ? 'audit-fail' : null },
        h('td', { 'data-label': t('audit.col.at') }, h('time', { datetime: e.at }, fmtDateTime(e.at, { timeStyle: 'medium' }))),
        h('td', { 'data-label': t('audit.col.user') }, e.user_id ? h('span', { title: e.user_email || '' }, e.user_name || `#${e.user_id}`) : h('span', { class: 'muted' }, t('audit.anon'))),
        h('td', { 'data-label': t('audit.col.action') }, h('span', { class: 'audit-action', title: e.action }, actionLabel(e.action))),
        h('td', { 'data-label': t('audit.col.object') }, e.object_type ? `${e.object_type}${e.object_id ? ' #' + e.object_id : ''}` : ''),
        h('td', { 'data-label': t('audit.col.detail') }, e.detail),
        h('td', { 'data-label': t('audit.col.ip'), class: 'audit-ip' }, e.ip))))));
    const prev = h('button', { type: 'button', class: 'btn small secondary', disabled: filter.offset === 0 }, t('users.prev'));
    const next = h('button', { type: 'button', class: 'btn small secondary', disabled: filter.offset + PAGE >= r.total }, t('users.next'));
    prev.addEventListener('click', () => { filter.offset = Math.max(0, filter.offset - PAGE); load().catch((e) => showFormError(form, e)); });
    next.addEventListener('click', () => { filter.offset += PAGE; load().catch((e) => showFormError(form, e)); });
    mount(pager, prev, h('span', { class: 'muted' }, t('users.range', { from: filter.offset + 1, to: filter.offset + r.items.length, total: r.total })), next);
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    Object.assign(filter, { user_id: user.value.trim(), action: action.value, from: from.value, to: to.value, offset: 0 });
    try { await load(); } catch (e) { showFormError(form, e); }
  });

  await load();
  root.append(h('h1', {}, t('audit.title')), adminTabs('audit'), form, tableBox, pager);
}

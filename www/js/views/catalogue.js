// catalogue.js — #/catalogue: search and filter resources, labs and services.
// The filters live in the URL query (#/catalogue?q=…&type=…), so links, back
// and forward work; typing updates the results in place without re-rendering
// the page, so the search box keeps focus.
import { h, mount } from '../dom.js';
import { qs } from '../api.js';
import { t } from '../i18n.js';
import { choices, limits, param, paramLabel } from '../schema.js';
import {
  lookups, listAll, resourceOrgId, resourceCard, labCard, serviceCard, options,
  localInputToIso, orgLabel,
} from '../catalogue-util.js';

const PAGE = 24;
const VIEWS = ['resources', 'labs', 'services'];
// Filters each view understands (the rest are ignored when switching view).
const KEYS = {
  resources: ['q', 'type', 'kind', 'organisation_id', 'category', 'bsl', 'free_from', 'free_to'],
  labs: ['q', 'kind', 'organisation_id', 'bsl'],
  services: ['q', 'organisation_id'],
};

function readQuery(query) {
  const view = VIEWS.includes(query.get('view')) ? query.get('view') : 'resources';
  const f = { view, page: Math.max(1, parseInt(query.get('page') || '1', 10) || 1) };
  for (const k of KEYS[view]) f[k] = query.get(k) || '';
  return f;
}

function hashOf(f) {
  const p = {};
  if (f.view !== 'resources') p.view = f.view;
  for (const k of KEYS[f.view]) if (f[k]) p[k] = f[k];
  if (f.page > 1) p.page = f.page;
  return '#/catalogue' + qs(p);
}

const words = (s) => s.toLowerCase().split(/\s+/).filter(Boolean);
const matchesQ = (q, ...texts) => words(q).every((w) => texts.some((x) => (x || '').toLowerCase().includes(w)));

export async function render(root, { params }) {
  const f = readQuery(params.query);
  const look = await lookups();
  let seq = 0;

  const results = h('div', { class: 'cat-results', 'aria-live': 'polite' });
  const status = h('p', { class: 'cat-status muted', role: 'status' });
  const filterErr = h('div', { class: 'field-error cat-filter-error', role: 'alert' });

  /* --- controls --- */
  const search = h('input', { type: 'search', name: 'q', class: 'search', value: f.q, placeholder: t('cat.search.ph'),
    'aria-label': t('cat.search'), autocomplete: 'off', maxlength: param('/api/v1/resources', 'q').maxLength });
  const controls = {};
  const ctl = (key, label, input) => {
    controls[key] = input;
    input.id = 'cat-f-' + key;
    return h('div', { class: 'cat-filter' }, h('label', { for: input.id }, label), input);
  };
  // Labels of the filters are those of the resource list's query parameters.
  const L = (key) => paramLabel('/api/v1/resources', key);
  const orgPairs = [['', t('cat.f.anyf')], ...look.orgList.slice().sort((a, b) => a.name.localeCompare(b.name)).map((o) => [o.id, orgLabel(o)])];
  const bsl = limits('Lab', 'biosafety_level');
  const bslLevels = [];
  for (let n = Math.max(1, bsl.min); n <= bsl.max; n++) bslLevels.push([n, 'BSL-' + n]);
  const filterFields = [];
  if (f.view === 'resources')
    filterFields.push(ctl('type', L('type'), h('select', { name: 'type' }, options([['', t('cat.f.any')], ...choices('Resource', 'type')], f.type))));
  if (f.view !== 'services')
    filterFields.push(ctl('kind', L('kind'), h('select', { name: 'kind' }, options([['', t('cat.f.any')], ...choices('Lab', 'kind')], f.kind))));
  filterFields.push(ctl('organisation_id', L('organisation_id'), h('select', { name: 'organisation_id' }, options(orgPairs, f.organisation_id))));
  const catList = h('datalist', { id: 'cat-categories' });
  if (f.view === 'resources')
    filterFields.push(ctl('category', L('category'), h('input', { type: 'text', name: 'category', value: f.category, list: 'cat-categories', autocomplete: 'off',
      maxlength: limits('Resource', 'category').maxLength })));
  if (f.view !== 'services')
    filterFields.push(ctl('bsl', L('biosafety_level_min'), h('select', { name: 'bsl' }, options([['', t('cat.f.any')], ...bslLevels], f.bsl))));
  if (f.view === 'resources') {
    filterFields.push(ctl('free_from', L('free_from'), h('input', { type: 'datetime-local', name: 'free_from', value: f.free_from, step: 60 })));
    filterFields.push(ctl('free_to', L('free_to'), h('input', { type: 'datetime-local', name: 'free_to', value: f.free_to, step: 60 })));
    // The server's free_from/free_to: bookable for the whole span (opening
    // hours, blackouts and approved bookings all respected).
    filterFields.push(h('p', { class: 'hint cat-free-hint' }, t('cat.f.free_hint')));
  }
  const clear = h('button', { type: 'button', class: 'link cat-clear' }, t('cat.f.clear'));
  const activeFilters = () => KEYS[f.view].filter((k) => k !== 'q' && f[k]).length;
  const details = h('details', { class: 'cat-filters', open: activeFilters() > 0 || window.innerWidth > 700 },
    h('summary', {}, t('cat.filters')),
    h('div', { class: 'cat-filter-grid' }, filterFields, catList),
    filterErr, clear);

  const tabs = h('nav', { class: 'cat-tabs', 'aria-label': t('cat.title') }, VIEWS.map((v) =>
    h('a', { href: hashOf({ view: v, page: 1, q: f.q }), 'aria-current': v === f.view ? 'page' : null, class: v === f.view ? 'active' : null }, t('cat.tab.' + v))));

  const form = h('form', { class: 'cat-search', role: 'search' },
    search, h('button', { type: 'submit', class: 'btn' }, t('common.search')));

  /* --- URL and results --- */
  function commit({ push = true, resetPage = true } = {}) {
    if (resetPage) f.page = 1;
    const hash = hashOf(f);
    if (hash !== location.hash) history[push ? 'pushState' : 'replaceState'](null, '', hash);
    load();
  }

  let timer = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { f.q = search.value.trim(); commit(); }, 300);
  });
  form.addEventListener('submit', (ev) => { ev.preventDefault(); clearTimeout(timer); f.q = search.value.trim(); commit(); });
  for (const [k, el] of Object.entries(controls)) {
    el.addEventListener('change', () => { f[k] = el.value; commit(); });
    if (k === 'category') el.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { f[k] = el.value.trim(); commit(); }, 300); });
  }
  clear.addEventListener('click', () => {
    for (const [k, el] of Object.entries(controls)) { el.value = ''; f[k] = ''; }
    commit();
  });

  async function fetchResources() {
    filterErr.textContent = '';
    const p = { q: f.q, type: f.type, organisation_id: f.organisation_id };
    if (f.free_from || f.free_to) {
      if (!f.free_from || !f.free_to) { filterErr.textContent = t('cat.f.free_both'); }
      else if (f.free_to <= f.free_from) { filterErr.textContent = t('cat.f.free_order'); }
      else { p.free_from = localInputToIso(f.free_from); p.free_to = localInputToIso(f.free_to); }
    }
    let items;
    try { items = await listAll('/api/v1/resources', p); } catch (e) {
      if (e.status === 422) { filterErr.textContent = e.message; items = []; } else throw e;
    }
    const cats = new Set(items.map((r) => r.category).filter(Boolean));
    mount(catList, [...cats].sort().map((c) => h('option', { value: c })));
    return items.filter((r) => {
      const lab = look.labs.get(r.lab_id);
      if (f.kind && lab?.kind !== f.kind) return false;
      if (f.bsl && !((lab?.biosafety_level ?? 0) >= Number(f.bsl))) return false;
      if (f.category && !(r.category || '').toLowerCase().includes(f.category.toLowerCase())) return false;
      return true;
    }).map((r) => {
      const lab = look.labs.get(r.lab_id);
      return resourceCard(r, lab, look.orgs.get(resourceOrgId(r, look.labs)));
    });
  }

  async function fetchLabs() {
    const [labs, resources] = await Promise.all([
      listAll('/api/v1/labs', { q: f.q, kind: f.kind, organisation_id: f.organisation_id }),
      listAll('/api/v1/resources'),
    ]);
    const count = new Map();
    for (const r of resources) count.set(r.lab_id, (count.get(r.lab_id) || 0) + 1);
    return labs.filter((l) => !f.bsl || l.biosafety_level >= Number(f.bsl))
      .map((l) => labCard(l, look.orgs.get(l.organisation_id), count.get(l.id) || 0));
  }

  async function fetchServices() {
    const [services, resources] = await Promise.all([listAll('/api/v1/services'), listAll('/api/v1/resources')]);
    const byId = new Map(resources.map((r) => [r.id, r]));
    return services.filter((s) => (!f.organisation_id || String(s.organisation_id) === f.organisation_id)
      && (!f.q || matchesQ(f.q, s.name, s.description, look.orgs.get(s.organisation_id)?.name, ...(s.resource_ids || []).map((id) => byId.get(id)?.name))))
      .map((s) => serviceCard(s, look.orgs.get(s.organisation_id), byId));
  }

  function pager(total) {
    const pages = Math.max(1, Math.ceil(total / PAGE));
    if (pages <= 1) return null;
    const go = (n) => () => { f.page = n; commit({ resetPage: false }); root.scrollIntoView?.(); };
    return h('nav', { class: 'cat-pager', 'aria-label': t('cat.page', { n: f.page, m: pages }) },
      h('button', { type: 'button', class: 'btn small secondary', disabled: f.page <= 1, onclick: go(f.page - 1) }, '← ' + t('cat.prev')),
      h('span', {}, t('cat.page', { n: f.page, m: pages })),
      h('button', { type: 'button', class: 'btn small secondary', disabled: f.page >= pages, onclick: go(f.page + 1) }, t('cat.next') + ' →'));
  }

  async function load() {
    const my = ++seq;
    results.setAttribute('aria-busy', 'true');
    let cards;
    try {
      cards = await (f.view === 'labs' ? fetchLabs() : f.view === 'services' ? fetchServices() : fetchResources());
    } catch (e) {
      if (my !== seq) return;
      results.removeAttribute('aria-busy');
      mount(results, h('p', { class: 'field-error' }, e.message));
      return;
    }
    if (my !== seq) return;
    results.removeAttribute('aria-busy');
    const pages = Math.max(1, Math.ceil(cards.length / PAGE));
    if (f.page > pages) f.page = pages;
    status.textContent = t('cat.results', { n: cards.length });
    if (!cards.length) {
      mount(results, h('div', { class: 'card cat-empty' }, h('p', {}, h('strong', {}, t('cat.empty'))), h('p', { class: 'muted' }, t('cat.empty.hint'))));
      return;
    }
    mount(results, h('div', { class: 'grid cat-grid' }, cards.slice((f.page - 1) * PAGE, f.page * PAGE)), pager(cards.length));
  }

  root.append(
    h('div', { class: 'cat-head' }, h('h1', {}, t('cat.title')), h('p', { class: 'muted' }, t('cat.lead'))),
    tabs, form, details, status, results);
  await load();
}


// training.js — who is trained on a resource, for its owners: the people
// who asked to be trained, the trained users, and a type-ahead that finds
// people by name or e-mail among those the owner may see (their
// organisation, anyone trained on or asking for training on its resources;
// staff everyone). An address the owner types is recorded as it is. Another
// organisation's addresses are never shown: the server leaves them out.
import { h, field, mount } from '../dom.js';
import { get, post, del, qs } from '../api.js';
import { t, addStrings, fmtDate } from '../i18n.js';
import { clearErrors } from './schema-form.js';
import { listAll, formError } from '../catalogue-util.js';

addStrings({
  pl: {
    'train.title': 'Szkolenia', 'train.find': 'Imię i nazwisko lub e-mail', 'train.find.hint': 'Zacznij pisać, by wyszukać osoby z Twojej organizacji i te, które prosiły o szkolenie; możesz też wpisać pełny adres e-mail.',
    'train.none.found': 'Nikogo nie znaleziono. Wpisz pełny adres e-mail, by wpisać szkolenie tej osoby.',
    'train.pick': 'Wybierz osobę z listy albo wpisz pełny adres e-mail.',
    'train.trained': 'przeszkolony(-a)', 'train.asked': 'prosi o szkolenie', 'train.guest': 'gość',
    'train.requests': 'Prośby o szkolenie', 'train.requests.none': 'Brak oczekujących próśb.',
    'train.record': 'Wpisz szkolenie', 'train.asked.on': 'prośba z {date}',
  },
  en: {
    'train.title': 'Training', 'train.find': 'Name or e-mail', 'train.find.hint': 'Start typing to find people of your organisation and those who asked for training; or type a whole e-mail address.',
    'train.none.found': 'Nobody found. Type the whole e-mail address to record that person’s training.',
    'train.pick': 'Pick someone from the list or type a whole e-mail address.',
    'train.trained': 'trained', 'train.asked': 'asks for training', 'train.guest': 'guest',
    'train.requests': 'Requests for training', 'train.requests.none': 'No open requests.',
    'train.record': 'Record training', 'train.asked.on': 'asked on {date}',
  },
});

const who = (p) => [p.name, p.email || p.organisation_name || t('train.guest')].filter(Boolean).join(' · ');

export function trainingBox(res, ctx) {
  const base = `/api/v1/resources/${res.id}`;
  const requests = h('div', { class: 'training-requests' });
  const list = h('div', {});
  const input = h('input', { type: 'text', name: 'user', autocomplete: 'off', role: 'combobox', 'aria-autocomplete': 'list',
    'aria-expanded': 'false', 'aria-controls': 'train-options' });
  const options = h('ul', { class: 'typeahead', id: 'train-options', role: 'listbox', hidden: true });
  const note = h('div', { class: 'hint', 'aria-live': 'polite' });
  const form = h('form', { class: 'cat-inline-form', novalidate: true, id: 'trained-form' },
    field(t('train.find'), input, t('train.find.hint')), options, note,
    h('button', { type: 'submit', class: 'btn small' }, t('tr.add')));
  let picked = null; // {user_id, name} chosen from the list
  let timer = 0, asked = 0;

  async function record(body, label) {
    await post(`${base}/trained`, body);
    ctx.toast(`${t('tr.added')} ${label}`);
    load();
  }

  async function load() {
    let items, open;
    try {
      [items, open] = await Promise.all([listAll(`${base}/trained`), listAll(`${base}/training-requests`)]);
    } catch (e) { mount(list, h('p', { class: 'field-error' }, e.message)); return; }
    mount(requests, h('h3', {}, t('train.requests')), open.length
      ? h('ul', { class: 'cat-list' }, open.map((q) => h('li', { dataset: { user: String(q.user_id) } },
        h('span', {}, who(q), ' ', h('span', { class: 'hint' }, t('train.asked.on', { date: fmtDate(q.created) })),
          q.message ? h('div', { class: 'hint' }, q.message) : null),
        h('button', { type: 'button', class: 'btn small', onclick: () => record({ user_id: q.user_id }, q.name).catch((e) => ctx.toast(e.message, 'bad')) }, t('train.record')))))
      : h('p', { class: 'muted' }, t('train.requests.none')));
    mount(list, items.length ? h('ul', { class: 'cat-list' }, items.map((u) => {
      const label = who(u);
      return h('li', { dataset: { user: String(u.user_id) } }, h('span', {}, label),
        h('button', { type: 'button', class: 'btn small secondary', 'aria-label': `${t('common.delete')}: ${label}`,
          onclick: async () => {
            try { await del(`${base}/trained/${u.user_id}`); ctx.toast(t('tr.removed')); load(); } catch (e) { ctx.toast(e.message, 'bad'); }
          } }, t('common.delete')));
    })) : h('p', { class: 'muted' }, t('tr.none')));
  }

  function show(people) {
    options.hidden = !people.length;
    input.setAttribute('aria-expanded', String(people.length > 0));
    mount(options, people.map((p) => h('li', { role: 'option', dataset: { user: String(p.user_id) } },
      h('button', { type: 'button', class: 'link', onclick: () => { picked = p; input.value = p.name; show([]); note.textContent = who(p); input.focus(); } },
        who(p), p.trained ? ` (${t('train.trained')})` : p.asked ? ` (${t('train.asked')})` : ''))));
  }
  input.addEventListener('input', () => {
    picked = null;
    note.textContent = '';
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2) { show([]); return; }
    timer = setTimeout(async () => {
      const mine = ++asked;
      try {
        const r = await get(`${base}/training-candidates` + qs({ q }));
        if (mine !== asked) return; // a later keystroke's answer wins
        show(r.items);
        if (!r.items.length && !q.includes('@')) note.textContent = t('train.none.found');
      } catch (e) { note.textContent = e.message; }
    }, 200);
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const text = input.value.trim();
    try {
      if (picked) await record({ user_id: picked.user_id }, picked.name);
      else if (text.includes('@')) await record({ email: text }, text);
      else throw { field: 'user', message: t('train.pick') };
      input.value = ''; picked = null; note.textContent = ''; show([]);
    } catch (e) { formError(form, e.field === 'email' || e.field === 'user_id' ? { ...e, message: e.message, field: 'user' } : e); }
  });
  load();
  return h('section', { class: 'card cat-sub', id: 'trained' }, h('h2', {}, t('train.title')), requests, h('h3', {}, t('tr.title')), list, form);
}

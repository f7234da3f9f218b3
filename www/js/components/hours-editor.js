// hours-editor.js — weekly opening hours: per weekday, any number of
// HH:MM–HH:MM windows ("24:00" closes at midnight), presets for 24/7 and
// Mon–Fri 08:00–18:00. value() gives the API's
// [{"weekday","open","close"}] list; invalid rows are reported, not dropped.
import { h, mount } from '../dom.js';
import { t } from '../i18n.js';
import '../catalogue-util.js'; // registers the strings used here

const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export function hoursEditor(initial = []) {
  const days = new Map([1, 2, 3, 4, 5, 6, 7].map((d) => [d, h('div', { class: 'hours-windows' })]));

  function windowRow(day, w = { open: '08:00', close: '18:00' }) {
    const attrs = (label) => ({ type: 'text', inputmode: 'numeric', pattern: '([01][0-9]|2[0-4]):[0-5][0-9]', maxlength: 5, size: 5,
      placeholder: 'HH:MM', 'aria-label': `${t('wd.' + day)} — ${label}` });
    const open = h('input', { ...attrs(t('hours.open')), class: 'hours-open', value: w.open });
    const close = h('input', { ...attrs(t('hours.close')), class: 'hours-close', value: w.close });
    const row = h('div', { class: 'hours-window' }, open, h('span', { 'aria-hidden': 'true' }, '–'), close,
      h('button', { type: 'button', class: 'btn small secondary hours-remove', 'aria-label': `${t('hours.remove')}: ${t('wd.' + day)}`,
        onclick: () => { const next = row.nextElementSibling || row.previousElementSibling; row.remove(); sync(day); (next?.querySelector('input') || addButtons.get(day)).focus(); } }, '×'));
    return row;
  }

  function sync(day) {
    const box = days.get(day);
    box.classList.toggle('closed', !box.querySelector('.hours-window'));
  }

  const addButtons = new Map();
  function set(hours) {
    for (const [d, box] of days) {
      mount(box, (hours || []).filter((w) => w.weekday === d).sort((a, b) => a.open.localeCompare(b.open)).map((w) => windowRow(d, w)));
      sync(d);
    }
  }

  const rows = [...days].map(([d, box]) => {
    const add = h('button', { type: 'button', class: 'link hours-add', 'aria-label': `${t('hours.add')}: ${t('wd.' + d)}` }, '+ ' + t('hours.add'));
    add.addEventListener('click', () => {
      const last = box.querySelector('.hours-window:last-child .hours-close')?.value;
      const row = windowRow(d, last && last < '24:00' && TIME.test(last) ? { open: last, close: '24:00' } : undefined);
      box.append(row); sync(d); row.querySelector('input').focus();
    });
    addButtons.set(d, add);
    return h('div', { class: 'hours-day', dataset: { weekday: d } },
      h('div', { class: 'hours-dayname' }, t('wd.' + d)), box, h('span', { class: 'hours-closed muted' }, t('hours.closed')), add);
  });

  const preset = (label, fn) => h('button', { type: 'button', class: 'btn small secondary', onclick: () => set(fn()) }, label);
  const el = h('div', { class: 'hours-editor' },
    h('div', { class: 'hours-presets' },
      preset(t('hours.presetWork'), () => [1, 2, 3, 4, 5].map((weekday) => ({ weekday, open: '08:00', close: '18:00' }))),
      preset(t('hours.preset247'), () => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, open: '00:00', close: '24:00' }))),
      preset(t('hours.clear'), () => [])),
    rows,
    h('div', { class: 'hint' }, t('hours.format')));
  set(initial);

  /** The windows as the API wants them; throws {field, message} on a malformed row. */
  function value() {
    const out = [];
    for (const [d, box] of days) {
      for (const row of box.querySelectorAll('.hours-window')) {
        const open = row.querySelector('.hours-open').value.trim(), close = row.querySelector('.hours-close').value.trim();
        if (!TIME.test(open) || !TIME.test(close) || open === '24:00' || close <= open) {
          row.querySelector(TIME.test(open) && open !== '24:00' ? '.hours-close' : '.hours-open').setAttribute('aria-invalid', 'true');
          throw { field: 'opening_hours', message: t('hours.bad', { day: t('wd.' + d) }) };
        }
        out.push({ weekday: d, open, close });
      }
    }
    return out;
  }
  return { el, value, set };
}

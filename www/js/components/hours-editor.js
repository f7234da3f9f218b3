// hours-editor.js — the x-widget "opening-hours" of a schema: per weekday,
// any number of HH:MM–HH:MM windows ("24:00" closes at midnight), presets for
// 24/7 and Mon–Fri 08:00–18:00. The weekdays and time patterns are the
// property's item schema (openapi.json). value() gives the API's
// [{"weekday","open","close"}] list; invalid rows are reported, not dropped.
import { h, mount } from '../dom.js';
import { t } from '../i18n.js';
import '../catalogue-util.js'; // registers the strings used here

/** The "Mon–Fri 8–18" preset. */
export const workWeek = () => [1, 2, 3, 4, 5].map((weekday) => ({ weekday, open: '08:00', close: '18:00' }));
/** Windows by weekday, then opening time (the order the API's answers are compared in). */
export const sortHours = (hs) => [...(hs || [])].sort((a, b) => a.weekday - b.weekday || a.open.localeCompare(b.open));

/**
 * initial: windows to show; items: the property's item schema ({weekday,
 * open, close} with minimum/maximum and patterns); field: the JSON name its
 * errors carry.
 */
export function hoursEditor(initial, { items, field }) {
  const { weekday, open: openP, close: closeP } = items.properties;
  const OPEN = new RegExp(openP.pattern), CLOSE = new RegExp(closeP.pattern);
  const weekdays = [];
  for (let d = weekday.minimum; d <= weekday.maximum; d++) weekdays.push(d);
  const days = new Map(weekdays.map((d) => [d, h('div', { class: 'hours-windows' })]));

  function windowRow(day, w = { open: '08:00', close: '18:00' }) {
    const attrs = (label, pattern) => ({ type: 'text', inputmode: 'numeric', pattern, maxlength: 5, size: 5,
      placeholder: 'HH:MM', 'aria-label': `${t('wd.' + day)} — ${label}` });
    const open = h('input', { ...attrs(t('hours.open'), openP.pattern), class: 'hours-open', value: w.open });
    const close = h('input', { ...attrs(t('hours.close'), closeP.pattern), class: 'hours-close', value: w.close });
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
      const row = windowRow(d, last && OPEN.test(last) ? { open: last, close: '24:00' } : undefined);
      box.append(row); sync(d); row.querySelector('input').focus();
    });
    addButtons.set(d, add);
    return h('div', { class: 'hours-day', dataset: { weekday: d } },
      h('div', { class: 'hours-dayname' }, t('wd.' + d)), box, h('span', { class: 'hours-closed muted' }, t('hours.closed')), add);
  });

  const preset = (label, fn) => h('button', { type: 'button', class: 'btn small secondary', onclick: () => set(fn()) }, label);
  const el = h('div', { class: 'hours-editor' },
    h('div', { class: 'hours-presets' },
      preset(t('hours.presetWork'), workWeek),
      preset(t('hours.preset247'), () => weekdays.map((weekday) => ({ weekday, open: '00:00', close: '24:00' }))),
      preset(t('hours.clear'), () => [])),
    rows,
    h('div', { class: 'hint' }, t('hours.format')));
  set(initial || []);

  /** The windows as the API wants them; throws {field, message} on a malformed row. */
  function value() {
    const out = [];
    for (const [d, box] of days) {
      for (const row of box.querySelectorAll('.hours-window')) {
        const open = row.querySelector('.hours-open').value.trim(), close = row.querySelector('.hours-close').value.trim();
        if (!OPEN.test(open) || !CLOSE.test(close) || close <= open) {
          row.querySelector(OPEN.test(open) ? '.hours-close' : '.hours-open').setAttribute('aria-invalid', 'true');
          throw { field, message: t('hours.bad', { day: t('wd.' + d) }) };
        }
        out.push({ weekday: d, open, close });
      }
    }
    return out;
  }
  return { el, value, set };
}

// dom.js — building DOM without innerHTML, so every value shown is text.
// h('a', {href: '#/x', class: 'btn', onclick: fn}, 'label', child, ...)

export function h(tag, attrs = {}, ...children) {
  const svg = ['svg', 'g', 'rect', 'line', 'path', 'text', 'circle', 'polyline', 'title', 'tspan'].includes(tag);
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value' && !svg) el.value = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces the children of el. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A form field with label and an error slot that validation messages fill. */
export function field(label, input, hint) {
  const id = input.id || (input.id = 'f-' + Math.random().toString(36).slice(2, 9));
  const err = h('div', { class: 'field-error', id: id + '-err', 'aria-live': 'polite' });
  input.setAttribute('aria-describedby', hint ? `${id}-err ${id}-hint` : id + '-err');
  return h('div', { class: 'field', dataset: { field: input.name || '' } },
    h('label', { for: id }, label), input, hint ? h('div', { class: 'hint', id: id + '-hint' }, hint) : null, err);
}

/** Shows an API error on a form: the named field gets the message inline. */
export function showFormError(form, err) {
  for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  const name = err && err.field;
  const box = name && form.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
  if (box) {
    box.querySelector('.field-error').textContent = err.message;
    const input = box.querySelector('input,select,textarea');
    if (input) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
    return;
  }
  let g = form.querySelector('.form-error');
  if (!g) { g = h('div', { class: 'form-error', role: 'alert' }); form.prepend(g); }
  g.textContent = (err && err.message) || String(err);
}

/** Removes what showFormError left on a form (messages, aria-invalid, the form's own message). */
export function clearFormErrors(form) {
  for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  for (const e of form.querySelectorAll('.form-error')) e.remove();
}

// schema-form.js — the create/change form of a catalogue type, built from
// its <Name>Create / <Name>Change schema in openapi.json, so a new field in
// the server's field table appears here without a browser change, and the
// first object on an empty database gets every field.
//
// Property → input: text (maxLength; textarea when x-multiline; url for
// format uri; datetime-local, site time, for date-time), number (min/max,
// integer step), checkbox, select of an enumeration with its labels, select
// of objects for an x-ref id (loaded from the type's list route), checkboxes
// for an x-ref id array, one line of comma-separated words for an array of
// strings, the week editor for x-widget "opening-hours", a group of these
// for a nested object (its members named "parent.member"; when it may be
// null, a checkbox says whether it is given).
// Nullable fields send null when empty; the schema's defaults fill a new
// form. Create = POST of the filled-in fields, change = PATCH of the changed
// ones, delete after a confirm. A 422 lands under the input its `field`
// names (the message comes ready, in the user's language). Per-type
// touches are hooks: hooks[key](control, form) → a hint node under that input.
import { h } from '../dom.js';
import { post, patch, del } from '../api.js';
import { t, addStrings } from '../i18n.js';
import * as S from '../schema.js';
import { hoursEditor, sortHours } from './hours-editor.js';
import { formError, invalidate, listAll, orgLabel, localInputToIso, isoToLocalInput } from '../catalogue-util.js';

addStrings({
  pl: {
    'form.required': 'Pola oznaczone * są wymagane.', 'form.choose': '— wybierz —', 'form.empty': '— brak —',
    'form.number': '{label}: wpisz liczbę', 'form.noref': 'Na razie nie ma z czego wybrać.',
    'form.words': 'Oddziel przecinkami.', 'form.given': '{label}: podaj',
  },
  en: {
    'form.required': 'Fields marked * are required.', 'form.choose': '— choose —', 'form.empty': '— none —',
    'form.number': '{label}: enter a number', 'form.noref': 'Nothing to choose from yet.',
    'form.words': 'Separate them with commas.', 'form.given': '{label}: give it',
  },
});

let seq = 0;

/**
 * Builds the form (async: the choices of x-ref fields are loaded first).
 * opts: type ('Lab': schemas Lab, LabCreate, LabChange), obj (null = create),
 * user (staff choose any referenced object, others those of their
 * organisation), initial (values of a new object beyond the schema's
 * defaults), context ({organisation_id}: preferred choice of a reference
 * with no value), hooks ({key: (control, form) => Node}), title, back (the
 * Cancel link; none when absent), ctx (toast), createPath (default: the
 * type's list route; an object is changed at /{id} under it), submitLabel,
 * createdText (the toast), compact (no card, no title), done(saved, created),
 * afterDelete(), send(method, path, body) (how a create or change goes to the
 * server; default post/patch; an answer of null means the user backed out,
 * as from a change that would cancel bookings: nothing is saved).
 * The form element carries .controls (key → control) and .fill(values).
 */
export async function schemaForm(opts) {
  const { type, user, hooks = {}, ctx, done, afterDelete } = opts;
  let obj = opts.obj || null;
  const bodyName = type + (obj ? 'Change' : 'Create');
  const req = S.hasSchema(type + 'Create') ? S.required(type + 'Create') : new Set();
  const fields = S.writable(bodyName).filter(([, p]) => !p['x-staff-only'] || user?.role === 'staff');
  const base = opts.createPath || S.listPath(type);
  const itemPath = (id) => `${base}/${id}`;
  const start = obj || { ...defaultsOf(fields), ...(opts.initial || {}) };
  const uid = `sf${++seq}`;

  const refs = await loadRefs(fields, user);
  const controls = new Map();
  for (const [key, p] of fields) {
    const c = control(key, p, { id: `${uid}-${key}`, required: req.has(key), refs, obj, start, context: opts.context || {} });
    if (c) controls.set(key, c);
  }
  const api = { control: (k) => controls.get(k), controls };
  linkRefs(controls, refs);
  for (const [key, hook] of Object.entries(hooks)) {
    const c = controls.get(key);
    const node = c && hook(c, api);
    if (node) c.addHint(node);
  }

  const save = h('button', { type: 'submit', class: opts.compact ? 'btn small' : 'btn' },
    opts.submitLabel || (obj ? t('common.save') : t('common.create')));
  const canDelete = obj && afterDelete && S.hasRoute('delete', `${base}/{id}`);
  const remove = canDelete ? h('button', { type: 'button', class: 'btn danger', id: 'delete' }, t('common.delete')) : null;
  const note = req.size ? h('p', { class: 'hint form-note' }, t('form.required')) : null;
  const form = opts.compact
    ? h('form', { class: 'cat-inline-form schema-form', novalidate: true, dataset: { schema: bodyName } },
      note, [...controls.values()].map((c) => c.box), save)
    : h('form', { class: 'card cat-form schema-form', novalidate: true, dataset: { schema: bodyName } },
      h('h1', {}, opts.title), note,
      h('div', { class: 'cat-form-grid' }, layout([...controls.values()])),
      h('div', { class: 'cat-form-actions' }, save,
        opts.back ? h('a', { class: 'btn secondary', href: opts.back }, t('common.cancel')) : null, remove));
  form.controls = controls;
  /** Writes values (default: those the form started with) into the inputs. */
  form.fill = (values = start) => { for (const c of controls.values()) c.write(values[c.key]); };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let values;
    try { values = readAll(controls); } catch (e) { formError(form, e); return; }
    save.disabled = true;
    try {
      if (!obj) {
        const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
        const created = await (opts.send ? opts.send('post', base, body) : post(base, body));
        if (!created) return;
        invalidate();
        clearErrors(form);
        ctx.toast(opts.createdText || t('edit.created'));
        done?.(created, true);
      } else {
        const diff = {};
        for (const [k, v] of Object.entries(values))
          if (same(controls.get(k), obj[k], v) === false) diff[k] = v === undefined ? null : v;
        if (!Object.keys(diff).length) { ctx.toast(t('edit.nochange')); return; }
        const saved = await (opts.send ? opts.send('patch', itemPath(obj.id), diff) : patch(itemPath(obj.id), diff));
        if (!saved) return;
        obj = saved;
        invalidate();
        clearErrors(form);
        for (const c of controls.values()) if (c.key in obj) c.write(obj[c.key]);
        ctx.toast(t('common.saved'));
        done?.(obj, false);
      }
    } catch (e) {
      formError(form, e);
    } finally {
      save.disabled = false;
    }
  });

  remove?.addEventListener('click', async () => {
    if (!confirm(t('edit.confirm', { name: obj.name }))) return;
    try {
      await del(itemPath(obj.id));
      invalidate();
      ctx.toast(t('edit.deleted'));
      afterDelete();
    } catch (e) {
      formError(form, { message: e.status === 409 ? t('edit.cannotDelete', { msg: e.message }) : e.message });
    }
  });
  return form;
}

export function clearErrors(form) {
  for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
  for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
  form.querySelector('.form-error')?.remove();
}

/* ---------- values ---------- */

function defaultsOf(fields) {
  const out = {};
  for (const [k, p] of fields) if (p.default !== undefined) out[k] = p.default;
  return out;
}

/** Every control's value; undefined = left empty with no null to send. Throws {field, message}. */
function readAll(controls) {
  const out = {};
  for (const c of controls.values()) out[c.key] = c.read();
  return out;
}

/** Whether a value read from a control equals the object's (id sets and hours in any order). */
function same(c, was, now) {
  const norm = (v) => JSON.stringify(c.normalise ? c.normalise(v ?? []) : v ?? null);
  return norm(was) === norm(now);
}

/* ---------- references (x-ref) ---------- */

const orgOf = (name, o) => (name === 'Organisation' ? o.id : o.organisation_id);

/** The objects each referenced type offers (staff: any; others: their organisation's), by organisation and name. */
async function loadRefs(fields, user) {
  const names = [...new Set(fields.map(([, p]) => p['x-ref']).filter(Boolean))];
  const lists = await Promise.all(names.map((n) => listAll(S.listPath(n))));
  const refs = new Map();
  names.forEach((n, i) => {
    const mine = user?.role === 'staff' ? lists[i] : lists[i].filter((o) => user?.organisation_id != null && orgOf(n, o) === user.organisation_id);
    refs.set(n, mine.sort((a, b) => String(a.organisation_name ?? '').localeCompare(String(b.organisation_name ?? '')) || String(a.name).localeCompare(String(b.name))));
  });
  return refs;
}

const refText = (name, o) => (name === 'Organisation' ? orgLabel(o) : o.name);

/** <option>s of objects, grouped by organisation when they span more than one. */
function refOptions(name, items) {
  const groups = new Map();
  for (const o of items) {
    const g = o.organisation_name ?? '';
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(h('option', { value: String(o.id) }, refText(name, o)));
  }
  if (groups.size <= 1) return [...groups.values()].flat();
  return [...groups].map(([g, opts]) => h('optgroup', { label: g }, opts));
}

/**
 * A reference whose objects carry another field of the form (a service's
 * resource_ids and its organisation_id) offers only the objects matching
 * that field's value, and follows it when it changes.
 */
function linkRefs(controls, refs) {
  for (const c of controls.values()) {
    const name = c.p['x-ref'];
    if (!name || !c.filter) continue;
    const objSchema = S.schema(name);
    for (const other of controls.values()) {
      const op = objSchema.properties?.[other.key];
      if (other === c || !other.p['x-ref'] || !op || op['x-ref'] !== other.p['x-ref']) continue;
      const apply = () => {
        let v;
        try { v = other.read(); } catch { v = undefined; }
        c.filter((o) => v == null || o[other.key] === v);
      };
      other.onChange(apply);
      apply();
    }
  }
}

/* ---------- controls ---------- */

/**
 * A control: {key, p, box (the .field element), input (what its label names),
 * read() → value (may throw {field, message}), write(v), onChange(fn),
 * addHint(node), normalise?(v), filter?(pred)}.
 */
function control(key, p, env) {
  const { id, required, refs, start } = env;
  const text = S.tr(p['x-label'], key);
  const type = S.baseType(p);
  const nul = S.nullable(p);
  const errId = id + '-err';
  const err = h('div', { class: 'field-error', id: errId, 'aria-live': 'polite' });
  const mark = required && type !== 'boolean' ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null;
  const hints = h('div', { class: 'hint', id: id + '-hint', hidden: true });
  const describe = (el) => el.setAttribute('aria-describedby', `${errId} ${id}-hint`);
  const c = { key, p, onChange: (fn) => c.input.addEventListener('change', fn) };
  c.addHint = (node) => { hints.hidden = false; hints.append(node); };
  const plain = (input, wide) => {
    c.input = input;
    if (required) { input.required = true; input.setAttribute('aria-required', 'true'); }
    describe(input);
    c.box = h('div', { class: ['field', wide && 'cat-wide'], dataset: { field: key } },
      h('label', { for: id }, text, mark), input, hints, err);
  };

  const nested = S.objectOf(p);
  if (nested) {
    // A nested object is sent whole: every member, over the member's default.
    const nreq = new Set(nested.required || []);
    const memberDefaults = Object.fromEntries(Object.entries(nested.properties || {}).map(([sk, sp]) => [sk, sp.default]));
    const memberStart = Object.fromEntries(Object.entries(memberDefaults).map(([sk, v]) => [`${key}.${sk}`, v]));
    const subs = Object.entries(nested.properties || {}).filter(([, sp]) => !sp.readOnly).map(([sk, sp]) =>
      control(`${key}.${sk}`, sp, { ...env, id: `${id}-${sk}`, required: nreq.has(sk) && !S.nullable(sp), start: memberStart })).filter(Boolean);
    const nul2 = S.nullable(p);
    const on = nul2 ? h('input', { type: 'checkbox', name: key + '.given', id: id + '-given' }) : null;
    const grid = h('div', { class: 'cat-form-grid' }, subs.map((x) => x.box));
    const group = h('fieldset', { id, class: 'schema-object' }, h('legend', {}, text, mark),
      on ? h('div', { class: 'field check' }, h('label', { for: on.id }, on, ' ', t('form.given', { label: text }))) : null, grid);
    describe(group);
    const show = () => { grid.hidden = !!on && !on.checked; };
    on?.addEventListener('change', show);
    c.input = group;
    c.box = h('div', { class: 'field cat-wide', dataset: { field: key } }, group, hints, err);
    c.read = () => {
      if (on && !on.checked) return null;
      const out = {};
      for (const x of subs) {
        const v = x.read();
        if (v !== undefined) out[x.key.slice(key.length + 1)] = v;
      }
      return out;
    };
    c.write = (v) => {
      if (on) on.checked = v != null;
      for (const x of subs) {
        const sk = x.key.slice(key.length + 1);
        x.write(v == null ? memberDefaults[sk] : v[sk]);
      }
      show();
    };
    c.normalise = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? v : null);
    c.onChange = (fn) => group.addEventListener('change', fn);
    c.write(start[key]);
    return c;
  }

  if (p['x-widget'] === 'opening-hours') {
    const hours = hoursEditor(start[key] || [], { items: p.items, field: key });
    const labelId = id + '-label';
    hours.el.setAttribute('role', 'group');
    hours.el.setAttribute('aria-labelledby', labelId);
    hours.el.id = id;
    describe(hours.el);
    c.input = hours.el;
    c.box = h('div', { class: 'field cat-wide', dataset: { field: key } }, h('span', { class: 'label', id: labelId }, text, mark), hours.el, hints, err);
    c.read = () => sortHours(hours.value());
    c.write = (v) => hours.set(v || []);
    c.normalise = sortHours;
    c.onChange = (fn) => hours.el.addEventListener('change', fn);
    return c;
  }

  if (type === 'array' && p['x-ref']) {
    const name = p['x-ref'];
    const all = refs.get(name) || [];
    const list = h('div', { class: 'cat-checklist' });
    let picked = new Set(start[key] || []);
    let shown = all;
    const render = () => {
      list.replaceChildren(...(shown.length ? shown.map((o) => h('label', { class: 'cat-check' },
        h('input', { type: 'checkbox', name: key, value: String(o.id), checked: picked.has(o.id) }), ' ', refText(name, o),
        o.category ? h('span', { class: 'muted' }, ` · ${o.category}`) : null)) : [h('p', { class: 'muted' }, t('form.noref'))]));
    };
    const group = h('fieldset', { id }, h('legend', {}, text, mark), list);
    describe(group);
    c.input = group;
    c.box = h('div', { class: 'field cat-wide', dataset: { field: key } }, group, hints, err);
    const checked = () => [...list.querySelectorAll('input:checked')].map((x) => Number(x.value));
    c.read = () => checked().sort((a, b) => a - b);
    c.write = (v) => { picked = new Set(v || []); render(); };
    c.normalise = (v) => [...v].sort((a, b) => a - b);
    c.filter = (pred) => { picked = new Set(checked()); shown = all.filter(pred); render(); };
    c.onChange = (fn) => group.addEventListener('change', fn);
    render();
    return c;
  }

  if ((type === 'integer' || type === 'number') && p['x-ref']) {
    const name = p['x-ref'];
    const all = refs.get(name) || [];
    const select = h('select', { name: key, id });
    let value = start[key];
    if (value == null && env.context.organisation_id != null)
      value = all.find((o) => orgOf(name, o) === env.context.organisation_id)?.id;
    if (value == null && required && all.length === 1) value = all[0].id;
    const render = (items) => {
      const lead = !required || nul ? t('form.empty') : t('form.choose');
      if (value != null && !items.some((o) => o.id === value)) value = undefined;
      select.replaceChildren(h('option', { value: '' }, lead), ...refOptions(name, items));
      select.value = value == null ? '' : String(value);
    };
    plain(select);
    if (!all.length) c.addHint(h('span', {}, t('form.noref')));
    c.read = () => (select.value === '' ? (nul ? null : undefined) : Number(select.value));
    c.write = (v) => { value = v; select.value = v == null ? '' : String(v); };
    c.filter = (pred) => render(all.filter(pred));
    select.addEventListener('change', () => { value = select.value === '' ? undefined : Number(select.value); });
    render(all);
    return c;
  }

  if (p.enum) {
    const pairs = S.enumChoices(p);
    const hasValue = start[key] != null;
    // An empty first choice: "none" where the field may stay empty, "choose"
    // where it is required and the schema gives no default.
    const lead = nul || (!required && !hasValue) ? t('form.empty') : required && !hasValue ? t('form.choose') : null;
    const select = h('select', { name: key, id }, lead ? h('option', { value: '' }, lead) : null,
      pairs.map(([v, l]) => h('option', { value: String(v) }, l)));
    plain(select);
    c.read = () => (select.value === '' ? (nul ? null : undefined) : pairs.find(([v]) => String(v) === select.value)?.[0]);
    c.write = (v) => { select.value = v == null ? '' : String(v); };
    c.write(start[key]);
    return c;
  }

  if (type === 'boolean') {
    const input = h('input', { type: 'checkbox', name: key, id });
    describe(input);
    c.input = input;
    c.box = h('div', { class: 'field check', dataset: { field: key } }, h('label', { for: id }, input, ' ', text), hints, err);
    c.read = () => input.checked;
    c.write = (v) => { input.checked = !!v; };
    c.write(start[key]);
    return c;
  }

  if (type === 'integer' || type === 'number') {
    const integer = type === 'integer';
    const input = h('input', {
      type: 'number', name: key, id, inputmode: integer ? 'numeric' : 'decimal', step: integer ? '1' : 'any',
      min: p.minimum ?? p.exclusiveMinimum, max: p.maximum ?? p.exclusiveMaximum,
    });
    plain(input);
    c.read = () => {
      if (input.validity.badInput) throw { field: key, message: t('form.number', { label: text }) };
      return input.value === '' ? (nul ? null : undefined) : Number(input.value);
    };
    c.write = (v) => { input.value = v == null ? '' : String(v); };
    c.write(start[key]);
    return c;
  }

  if (type === 'array' && S.baseType(p.items || {}) === 'string') {
    // Short texts (e-mail domains): one line, separated by commas or spaces.
    const input = h('input', { type: 'text', name: key, id, autocomplete: 'off', spellcheck: 'false' });
    plain(input, true);
    c.addHint(h('span', {}, t('form.words')));
    c.read = () => input.value.split(/[\s,;]+/).filter(Boolean);
    c.write = (v) => { input.value = (v || []).join(', '); };
    c.normalise = (v) => [...v].sort();
    c.write(start[key]);
    return c;
  }

  if (type === 'string') {
    const multiline = !!p['x-multiline'];
    const when = p.format === 'date-time';
    const input = multiline ? h('textarea', { name: key, id, rows: 4, maxlength: p.maxLength })
      : h('input', {
        type: when ? 'datetime-local' : p.format === 'uri' ? 'url' : p.format === 'email' ? 'email' : 'text',
        name: key, id, maxlength: p.maxLength, step: when ? 60 : null,
        placeholder: p.format === 'uri' ? 'https://' : null,
      });
    plain(input, multiline);
    c.read = () => {
      const s = input.value.trim();
      if (s === '') return nul ? null : when ? undefined : '';
      return when ? localInputToIso(s) || s : s;
    };
    c.write = (v) => { input.value = v == null ? '' : when ? isoToLocalInput(v) : String(v); };
    c.write(start[key]);
    return c;
  }
  return null; // a kind of property this builder does not know: the form test names it
}

/** Fields in the schema's order; consecutive checkboxes share one row. */
function layout(controls) {
  const out = [];
  let checks = null;
  for (const c of controls) {
    if (S.baseType(c.p) === 'boolean') {
      if (!checks) out.push(checks = h('div', { class: 'cat-checks cat-wide' }));
      checks.append(c.box);
    } else {
      checks = null;
      out.push(c.box);
    }
  }
  return out;
}

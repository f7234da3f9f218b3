// schema.js — the API's own description (GET /api/v1/openapi.json, generated
// by the server from its field and route tables), loaded once per page. It is
// the browser's one source of enumerations and their labels, limits, field
// labels, defaults and the list route of each type: nothing here is a copy.
// Importing modules wait for the document (top-level await), so every export
// below answers synchronously.
import { get } from './api.js';
import { getLang } from './i18n.js';

const doc = await get('/api/v1/openapi.json');
const schemas = doc.components?.schemas || {};
const REF = '#/components/schemas/';

/** A text of an {en, pl} object in the current language (English, then `fallback`, when missing). */
export function tr(texts, fallback = '') {
  return (texts && (texts[getLang()] ?? texts.en)) ?? fallback;
}

/** A component schema by name ("Lab", "LabCreate", "LabChange", ...). */
export function schema(name) {
  const s = schemas[name];
  if (!s) throw new Error(`openapi.json has no schema ${name}`);
  return s;
}
export const hasSchema = (name) => name in schemas;

/** A property of a schema. */
export function prop(name, key) {
  const p = schema(name).properties?.[key];
  if (!p) throw new Error(`openapi.json: ${name} has no property ${key}`);
  return p;
}

/** How forms label a property, in the current language. */
export const label = (name, key) => tr(prop(name, key)['x-label'], key);
/** What one object of the type is called ("lab", "laboratorium"). */
export const noun = (name) => tr(schema(name)['x-label'], name);

/** [[value, label], ...] of an enumeration, in the document's order. */
export function choices(name, key) {
  return enumChoices(prop(name, key));
}
/** The same for a property already in hand. */
export function enumChoices(p) {
  const labels = p['x-enum-labels'] || {};
  return (p.enum || []).filter((v) => v !== null).map((v) => [v, tr(labels[v], String(v))]);
}
/** The label of one value of an enumeration (the value itself when unknown). */
export function choiceLabel(name, key, value) {
  return tr(prop(name, key)['x-enum-labels']?.[value], value == null ? '' : String(value));
}

/** The JSON type without null ("string", "integer", "number", "boolean", "array", "object"). */
export const baseType = (p) => [].concat(p.type ?? 'object').find((x) => x !== 'null');
/** Whether null is a value of the property ("type": [..., "null"], or a oneOf with null). */
export const nullable = (p) => (Array.isArray(p.type) && p.type.includes('null')) ||
  (Array.isArray(p.oneOf) && p.oneOf.some((x) => x.type === 'null'));
/** The schema of a nested object with members (a $ref resolved, null left out), or null. */
export function objectOf(p) {
  const one = Array.isArray(p.oneOf) ? p.oneOf.find((x) => x.type !== 'null') : p;
  const o = one?.$ref ? schema(one.$ref.slice(REF.length)) : one;
  return o && o.properties && baseType(o) === 'object' ? o : null;
}

/**
 * The limits of a property: min/max (numbers, inclusive unless
 * exclusiveMin), maxLength (characters), maxItems, integer.
 */
export function limits(name, key) {
  const p = prop(name, key);
  return {
    min: p.minimum ?? p.exclusiveMinimum, exclusiveMin: p.exclusiveMinimum !== undefined,
    max: p.maximum ?? p.exclusiveMaximum, maxLength: p.maxLength, maxItems: p.maxItems,
    integer: baseType(p) === 'integer',
  };
}

/** Names a Create schema requires. */
export const required = (name) => new Set(schema(name).required || []);

/** [key, property] pairs a body may carry (read-only ones left out), in the document's order. */
export function writable(name) {
  return Object.entries(schema(name).properties || {}).filter(([, p]) => !p.readOnly);
}

/** The list route whose items are objects of a schema ("Lab" → "/api/v1/labs"). */
export function listPath(name) {
  for (const [path, ops] of Object.entries(doc.paths || {})) {
    if (path.includes('{')) continue;
    const items = ops.get?.responses?.['200']?.content?.['application/json']?.schema?.properties?.items;
    if (items?.items?.$ref === REF + name) return path;
  }
  throw new Error(`openapi.json has no list route of ${name}`);
}

/** Whether the document has a route ("delete", "/api/v1/labs/{id}"). */
export const hasRoute = (method, path) => !!doc.paths?.[path]?.[method.toLowerCase()];

/** The operation of a route ("get", "/api/v1/labs"). */
export function operation(method, path) {
  const op = doc.paths?.[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`openapi.json has no route ${method.toUpperCase()} ${path}`);
  return op;
}

/** The body schema a route accepts (a component's, or one written inline), e.g. ("post", "/api/v1/bookings/{id}/decline"). */
export function bodySchema(method, path) {
  const s = operation(method, path).requestBody?.content?.['application/json']?.schema;
  if (!s) throw new Error(`openapi.json: ${method.toUpperCase()} ${path} takes no JSON body`);
  return s.$ref ? schema(s.$ref.slice(REF.length)) : s;
}

/** A query parameter's schema and label. */
export function param(path, key, method = 'get') {
  const p = (operation(method, path).parameters || []).find((x) => x.name === key && x.in === 'query');
  if (!p) throw new Error(`openapi.json: ${method.toUpperCase()} ${path} has no parameter ${key}`);
  return p.schema || {};
}
export const paramLabel = (path, key) => tr(param(path, key)['x-label'], key);

const RANK = { public: 0, user: 1, owner: 2, staff: 3 };
const ROLE_RANK = { researcher: 1, owner: 2, staff: 3 };
/**
 * Whether the user's role passes a route's role gate (x-access.role). The
 * object rule (own organisation, ...) is the server's to check.
 */
export function roleMayCall(user, method, path) {
  const need = RANK[operation(method, path)['x-access']?.role ?? 'staff'] ?? 3;
  return need === 0 || (!!user && (ROLE_RANK[user.role] ?? 0) >= need);
}

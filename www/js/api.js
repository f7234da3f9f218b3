// api.js — the JSON API client: session cookie is HttpOnly, the CSRF token
// is kept in memory (and sessionStorage so a reload keeps it). Every request
// says the page's language (Accept-Language), which the server answers in
// when no one is signed in; a signed-in user's language is their account's,
// which the language switch keeps equal to the page's (app.js). A request
// refused with 401 because the session ended may ask the shell to sign in
// again (onUnauthenticated) and is then sent once more.
import { getLang } from './i18n.js';

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.error;
    this.field = body && body.field;
    this.body = body;
  }
}

let csrf = sessionStorage.getItem('labshare.csrf');

export function setCsrf(token) {
  csrf = token;
  if (token) sessionStorage.setItem('labshare.csrf', token);
  else sessionStorage.removeItem('labshare.csrf');
}

let reauth = null;

/**
 * Sets what a 401 on a request other than the sign-in itself calls:
 * fn(error) → Promise<boolean>, true once the user is signed in again (the
 * request is then repeated, with the new CSRF token), false to give up (the
 * caller gets the 401). The server refuses an unauthenticated request before
 * it does anything, so repeating it does nothing twice.
 */
export function onUnauthenticated(fn) { reauth = fn; }

export async function api(method, path, body, bodyType = 'application/json', again = true) {
  const headers = { accept: 'application/json', 'accept-language': getLang() };
  if (body !== undefined) headers['content-type'] = bodyType;
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const payload = body === undefined || bodyType !== 'application/json' ? body : JSON.stringify(body);
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (res.status === 204) return null;
  const type = res.headers.get('content-type') || '';
  const data = type.startsWith('application/json') ? await res.json() : await res.text();
  if (!res.ok) {
    const err = new ApiError(res.status, typeof data === 'object' ? data : { message: data });
    if (res.status === 401 && again && reauth && !path.startsWith('/api/v1/session') && await reauth(err))
      return api(method, path, body, bodyType, false);
    throw err;
  }
  return data;
}

export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b ?? {});
export const patch = (p, b) => api('PATCH', p, b);
export const put = (p, b) => api('PUT', p, b);
export const del = (p) => api('DELETE', p);
/** POSTs a body as it is (a file's text), with its content type. */
export const upload = (p, body, type) => api('POST', p, body, type);

/** Builds a query string from an object, skipping empty values. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}

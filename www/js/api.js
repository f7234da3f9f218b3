// api.js — the JSON API client: session cookie is HttpOnly, the CSRF token
// is kept in memory (and sessionStorage so a reload keeps it).

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

export async function api(method, path, body, bodyType = 'application/json') {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = bodyType;
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const payload = body === undefined || bodyType !== 'application/json' ? body : JSON.stringify(body);
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (res.status === 204) return null;
  const type = res.headers.get('content-type') || '';
  const data = type.startsWith('application/json') ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(res.status, typeof data === 'object' ? data : { message: data });
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

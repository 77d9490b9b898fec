// The REST API, same origin. Every error becomes an ApiError carrying the API's own
// {"error":{"code","message"}} and a sentence a person can act on.
import { getToken } from './token.js';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// What to tell the user for an error response, by status.
export function explain(err) {
  if (!(err instanceof ApiError)) {
    return `The server could not be reached (${err && err.message ? err.message : err}). ` +
      'Check that complaints is running; the page retries on the next action.';
  }
  switch (err.status) {
    case 401:
      return 'The token was refused: it is wrong, revoked or expired. ' +
        'Enter a valid operator token (complaints token create --role operator).';
    case 403:
      return `This token may not do that: ${err.message}. An operator or admin token is needed.`;
    case 404:
      return `Not found: ${err.message}`;
    case 503:
      return `A dependency is unavailable: ${err.message}. Try again in a moment.`;
    default:
      return err.message || `HTTP ${err.status}`;
  }
}

async function toError(res) {
  let code = `http_${res.status}`;
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, code, message);
}

function headers(extra, withToken) {
  const h = { Accept: 'application/json', ...extra };
  const token = withToken ? getToken() : null;
  if (token) h.Authorization = `Bearer ${token}`;
  return h;
}

export async function get(path, { signal } = {}) {
  const res = await fetch(path, { headers: headers({}, true), signal, cache: 'no-store' });
  if (!res.ok) throw await toError(res);
  return res.json();
}

// GET that resolves to {status, body} without throwing on HTTP errors (for optional routes).
export async function probe(path, { signal } = {}) {
  const res = await fetch(path, { headers: headers({}, true), signal, cache: 'no-store' });
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  return { status: res.status, body };
}

// Writes always carry the token (when one is set); the server answers 401 without it.
export async function send(method, path, body) {
  const init = { method, headers: headers({}, true) };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (!res.ok) throw await toError(res);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

// Query string from a plain object, skipping empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

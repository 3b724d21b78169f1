// The only place that talks HTTP to the server (named http.js: the server keeps every path starting
// with /api for the API). Errors become ApiError carrying the server's
// `error.code` and `error.message`; a 401 also tells the app to show the login page.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let unauthorizedHandler = null;

/** Called with the ApiError whenever a request (other than the login itself) gets a 401. */
export function onUnauthorized(fn) { unauthorizedHandler = fn; }

export async function request(method, path, body, {ignore401 = false} = {}) {
  const init = {method, credentials: 'same-origin', headers: {Accept: 'application/json'}};
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', e.message || 'network error');
  }
  const text = response.status === 204 ? '' : await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    const err = (data && data.error) || {};
    const error = new ApiError(response.status, err.code || `http_${response.status}`,
      err.message || `${response.status} ${response.statusText}`.trim());
    if (response.status === 401 && !ignore401 && unauthorizedHandler) unauthorizedHandler(error);
    throw error;
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body, options) => request('POST', path, body, options);
export const put = (path, body) => request('PUT', path, body);
export const del = (path) => request('DELETE', path);

/** '?a=1&b=2' from an object, skipping null/undefined/'' values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value != null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A list from responses that are either `[...]` or `{"items": [...]}`. */
export function items(data) {
  if (Array.isArray(data)) return data;
  return (data && Array.isArray(data.items)) ? data.items : [];
}

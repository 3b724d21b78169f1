// Who is logged in: the answer of GET /api/me, kept for the pages and the top bar.
import * as api from './http.js';

let me = {login_required: false, user: null};
const listeners = [];

export function currentMe() { return me; }

export function needsLogin() { return Boolean(me.login_required && !me.user); }

export function isAdmin() { return Boolean(me.user && me.user.admin); }

export function onSessionChange(fn) { listeners.push(fn); }

function changed() { for (const fn of listeners) fn(me); }

export async function loadMe() {
  me = await api.get('/api/me');
  changed();
  return me;
}

/** After a 401: the session is gone. */
export function markLoggedOut() {
  me = {...me, login_required: true, user: null};
  changed();
}

export async function login(username, password) {
  await api.post('/api/login', {username, password}, {ignore401: true});
  return loadMe();
}

export async function logout() {
  try {
    await api.post('/api/logout', undefined, {ignore401: true});
  } catch (e) {
    if (e.status !== 401) throw e;
  }
  return loadMe();
}

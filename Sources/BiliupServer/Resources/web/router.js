// Hash routing: '#/streamers/3?x=1' → the page registered for 'streamers/:id', given
// {params: ['3'], query: URLSearchParams}. A page's render(root, ctx) may return a cleanup function,
// called when the page is left (timers, sockets).

const routes = [];
let cleanup = null;
let guard = null;
let root = null;

/** pattern: 'streamers' or 'streamers/:id' (':x' matches one path segment). */
export function route(pattern, page) {
  const parts = pattern.split('/');
  routes.push({parts, page, name: parts[0]});
}

/** guard(ctx) may render something else instead (the login page) and return true. */
export function setGuard(fn) { guard = fn; }

export function current() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = raw.split('?');
  return {path: path.replace(/\/+$/, ''), query: new URLSearchParams(search)};
}

function match(path) {
  const segments = path.split('/');
  for (const r of routes) {
    if (r.parts.length !== segments.length) continue;
    const params = [];
    const ok = r.parts.every((part, i) => {
      if (part.startsWith(':')) { params.push(decodeURIComponent(segments[i])); return segments[i] !== ''; }
      return part === segments[i];
    });
    if (ok) return {route: r, params};
  }
  return null;
}

export function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

/** Renders the page for the current hash again (after a login or a language switch). */
export function render() {
  if (cleanup) { try { cleanup(); } catch (e) { console.error(e); } }
  cleanup = null;
  const {path, query} = current();
  const found = match(path);
  if (!found) { history.replaceState(null, '', '#/dashboard'); render(); return; }
  const ctx = {params: found.params, query, name: found.route.name};
  root.replaceChildren();
  root.dataset.page = found.route.name;
  if (guard && guard(ctx, root)) return;
  document.dispatchEvent(new CustomEvent('routechange', {detail: ctx}));
  const result = found.route.page(root, ctx);
  if (typeof result === 'function') cleanup = result;
}

export function start(container) {
  root = container;
  window.addEventListener('hashchange', render);
  if (!location.hash || location.hash === '#' || location.hash === '#/') history.replaceState(null, '', '#/dashboard');
  render();
}

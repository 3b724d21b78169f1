// Short messages in the corner: API errors (their `error.message`) and confirmations.
import {h} from './dom.js';
import {t} from './i18n.js';

const SHOW_MS = 6000;

function show(kind, text) {
  const box = document.getElementById('toasts');
  if (!box) return;
  const toast = h('div', {class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status',
    'data-testid': `toast-${kind}`, onclick: () => toast.remove()}, text);
  box.append(toast);
  setTimeout(() => toast.remove(), SHOW_MS);
}

export function info(text) { show('info', text); }

/** Shows an error; a 401 is skipped (the login page is already being shown for it). */
export function error(err) {
  if (err && err.status === 401) return;
  const text = err && err.message ? err.message : String(err);
  show('error', err && err.status === 0 ? t('error.network', {message: text}) : text);
}

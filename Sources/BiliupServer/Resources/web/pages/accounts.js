// Bilibili accounts: the list (state, token expiry; an account that needs a new login stands out),
// QR login with the code shown here and polled until it is done or expired, cookie import (biliup's
// cookies.json pasted), renew and remove. Changing accounts is an admin's.
import * as api from '../http.js';
import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import * as fmt from '../format.js';
import * as toast from '../toast.js';
import {currentMe, isAdmin} from '../session.js';
import {pageHeader, loading, empty, badge, button, actionButton, table, field, parseJSONObject} from '../ui.js';

/** How often the page asks how a QR login stands (the server asks Bilibili at most once a second). */
const QR_POLL_MS = 1500;

export function renderAccounts(root) {
  let alive = true;
  let qr = null;  // {id, timer}
  const me = currentMe();
  const mayChange = isAdmin() || !me.login_required;
  const list = h('section', {class: 'card', id: 'accounts-list', 'data-testid': 'accounts-list'}, h('h2', null, t('accounts.title')), loading());
  const login = h('section', {class: 'card', id: 'accounts-qr', 'data-testid': 'accounts-qr'});
  const importer = h('section', {class: 'card', id: 'accounts-import', 'data-testid': 'accounts-import'});
  root.append(pageHeader(t('nav.accounts')), list);
  if (mayChange) root.append(login, importer);

  function row(a) {
    const needsLogin = a.state === 'needs_login';
    return h('tr', {'data-testid': 'account-row', 'data-name': a.name, 'data-state': a.state, class: needsLogin ? 'needs-login' : null},
      h('td', null, a.name),
      h('td', null, a.uname, h('span', {class: 'muted'}, ` (${a.mid})`)),
      h('td', null, needsLogin ? badge(t('accounts.needsLogin'), 'danger', {'data-testid': 'account-needs-login', title: a.state_message ?? ''})
        : badge(t('accounts.ok'), 'ok')),
      h('td', null, a.expires_at != null ? fmt.dateTime(a.expires_at) : t('accounts.noToken')),
      h('td', null, a.last_checked_at != null ? fmt.dateTime(a.last_checked_at) : '–'),
      h('td', null, mayChange ? [
        actionButton(t('accounts.renew'), async () => {
          try {
            await api.post(`/api/accounts/${a.id}/renew`);
            toast.info(t('accounts.renewed', {name: a.name}));
          } catch (e) {
            toast.error(e);
          }
          await load();
        }, {class: 'btn small', 'data-testid': 'account-renew'}),
        button(t('action.delete'), async () => {
          if (!confirm(t('accounts.confirmRemove', {name: a.name}))) return;
          try {
            await api.del(`/api/accounts/${a.id}`);
            toast.info(t('accounts.removed', {name: a.name}));
            await load();
          } catch (e) {
            toast.error(e);
          }
        }, {class: 'btn small danger', 'data-testid': 'account-remove'}),
      ] : null));
  }

  async function load() {
    try {
      const accounts = api.items(await api.get('/api/accounts'));
      if (!alive) return;
      replace(list, h('h2', null, t('accounts.title')), h('p', {class: 'muted'}, t('accounts.intro')),
        accounts.length ? table([t('accounts.name'), t('accounts.user'), t('accounts.state'), t('accounts.expires'), t('accounts.checked'), ''],
          accounts.map(row), {'data-testid': 'account-table'}, {stack: true}) : empty(t('accounts.none')));
    } catch (e) {
      if (alive) replace(list, h('h2', null, t('accounts.title')), h('p', {class: 'error-text'}, e.message));
    }
  }

  function stopQR() {
    if (qr) clearTimeout(qr.timer);
    qr = null;
  }

  function showLoginStart(message) {
    const name = h('input', {id: 'qr-name', 'data-testid': 'qr-name', placeholder: t('accounts.nameOptional'), autocomplete: 'off'});
    replace(login, h('h2', null, t('accounts.qrTitle')),
      message ? h('p', {class: 'note', 'data-testid': 'qr-message'}, message) : h('p', {class: 'muted'}, t('accounts.qrIntro')),
      h('div', {class: 'toolbar'}, name,
        actionButton(message ? t('accounts.qrNew') : t('accounts.qrStart'), () => startQR(name.value.trim()),
          {class: 'btn primary', id: 'qr-start', 'data-testid': 'qr-start'})));
  }

  async function startQR(name) {
    stopQR();
    let started;
    try {
      started = await api.post('/api/accounts/qr', name ? {name} : {});
    } catch (e) {
      toast.error(e);
      return;
    }
    if (!alive) return;
    const status = h('p', {'data-testid': 'qr-state', 'data-state': 'waiting'}, t('accounts.qrWaiting'));
    replace(login, h('h2', null, t('accounts.qrTitle')),
      h('img', {src: started.qr_png, alt: t('accounts.qrAlt'), class: 'qr', id: 'qr-image', 'data-testid': 'qr-image'}),
      status,
      h('p', {class: 'muted'}, t('accounts.qrUntil', {time: fmt.clock(started.expires_at)})),
      button(t('action.cancel'), async () => {
        const id = qr?.id;
        stopQR();
        try { if (id != null) await api.del(`/api/accounts/qr/${id}`); } catch (e) { toast.error(e); }
        showLoginStart();
      }, {class: 'btn ghost', 'data-testid': 'qr-cancel'}));
    qr = {id: started.id, timer: null};
    const poll = async () => {
      if (!alive || !qr || qr.id !== started.id) return;
      let answer;
      try {
        answer = await api.get(`/api/accounts/qr/${started.id}`);
      } catch (e) {
        if (e.status === 404) { stopQR(); showLoginStart(t('accounts.qrExpired')); return; }
        status.textContent = e.message;
        qr.timer = setTimeout(poll, QR_POLL_MS * 2);
        return;
      }
      if (!alive || !qr || qr.id !== started.id) return;
      status.dataset.state = answer.state;
      if (answer.state === 'done') {
        stopQR();
        toast.info(t('accounts.loggedIn', {name: answer.account?.name ?? ''}));
        showLoginStart();
        await load();
      } else if (answer.state === 'expired' || answer.state === 'cancelled') {
        stopQR();
        showLoginStart(t(answer.state === 'expired' ? 'accounts.qrExpired' : 'accounts.qrCancelled'));
      } else {
        status.textContent = t(answer.state === 'scanned' ? 'accounts.qrScanned' : 'accounts.qrWaiting');
        qr.timer = setTimeout(poll, QR_POLL_MS);
      }
    };
    qr.timer = setTimeout(poll, QR_POLL_MS);
  }

  function showImporter() {
    const cookies = h('textarea', {id: 'import-cookies', 'data-testid': 'import-cookies', rows: 6, class: 'mono',
      placeholder: '{"cookie_info": {...}, "token_info": {...}, "sso": [...], "platform": "BiliTV"}', autocomplete: 'off'});
    const name = h('input', {id: 'import-name', 'data-testid': 'import-name', placeholder: t('accounts.nameOptional'), autocomplete: 'off'});
    const form = h('form', {class: 'form', id: 'import-form'},
      field(t('accounts.cookies'), cookies, t('accounts.cookiesHint')), field(t('accounts.name'), name),
      h('div', {class: 'form-actions'}, h('button', {type: 'submit', class: 'btn primary', 'data-testid': 'import-submit'}, t('accounts.import'))));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        const body = {cookies: parseJSONObject(cookies.value, t('accounts.cookies'))};
        if (name.value.trim()) body.name = name.value.trim();
        const added = await api.post('/api/accounts/import', body);
        cookies.value = '';
        toast.info(t('accounts.imported', {name: added.name}));
        await load();
      } catch (e) {
        toast.error(e);
      }
    });
    replace(importer, h('h2', null, t('accounts.importTitle')), form);
  }

  load();
  if (mayChange) { showLoginStart(); showImporter(); }
  return () => { alive = false; stopQR(); };
}

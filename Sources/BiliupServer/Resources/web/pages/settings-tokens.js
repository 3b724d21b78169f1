// API tokens (admin only): list, create (the secret is shown once), revoke.
import * as api from '../http.js';
import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import * as fmt from '../format.js';
import * as toast from '../toast.js';
import {loading, button, table, empty} from '../ui.js';

const DAY = 86400;

export function tokensSection() {
  let alive = true;
  let secret = null;
  const el = h('section', {class: 'card', id: 'settings-tokens', 'data-testid': 'settings-tokens'},
    h('h2', null, t('tokens.title')), loading());

  function row(token) {
    return h('tr', {'data-testid': 'token-row', 'data-name': token.name ?? ''},
      h('td', null, token.name ?? `#${token.id}`),
      h('td', null, fmt.dateTime(token.created_at)),
      h('td', null, token.expires_at != null ? fmt.dateTime(token.expires_at) : t('tokens.never')),
      h('td', null, token.last_used_at != null ? fmt.dateTime(token.last_used_at) : '–'),
      h('td', null, button(t('tokens.revoke'), async () => {
        if (!confirm(t('tokens.confirmRevoke', {name: token.name ?? token.id}))) return;
        try {
          await api.del(`/api/tokens/${token.id}`);
          toast.info(t('tokens.revoked'));
          await load();
        } catch (e) {
          toast.error(e);
        }
      }, {class: 'btn small danger', 'data-testid': 'token-revoke'})));
  }

  function createForm() {
    const name = h('input', {id: 'token-name', 'data-testid': 'token-name', placeholder: t('tokens.name'), required: true,
      autocomplete: 'off'});
    const days = h('input', {id: 'token-days', 'data-testid': 'token-days', type: 'number', min: 1, step: 1, class: 'wide',
      placeholder: t('tokens.days')});
    const form = h('form', {class: 'toolbar', id: 'token-form'}, name, days,
      h('button', {type: 'submit', class: 'btn primary', 'data-testid': 'token-create'}, t('tokens.create')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = {name: name.value.trim()};
      if (days.value) body.expires_in = Math.round(Number(days.value) * DAY);
      try {
        const created = await api.post('/api/tokens', body);
        secret = created && created.token ? {name: body.name, token: created.token} : null;
        await load();
      } catch (e) {
        toast.error(e);
      }
    });
    return form;
  }

  function secretBox() {
    if (!secret) return null;
    const code = h('code', {id: 'token-secret', 'data-testid': 'token-secret'}, secret.token);
    return h('div', {class: 'note'}, h('p', null, t('tokens.shownOnce', {name: secret.name})), code,
      button(t('tokens.copy'), async () => {
        try { await navigator.clipboard.writeText(secret.token); toast.info(t('tokens.copied')); } catch { /* select it by hand */ }
      }, {class: 'btn small'}));
  }

  async function load() {
    try {
      const tokens = api.items(await api.get('/api/tokens'));
      if (!alive) return;
      replace(el, h('h2', null, t('tokens.title')), h('p', {class: 'muted'}, t('tokens.intro')), secretBox(),
        tokens.length ? table([t('tokens.name'), t('tokens.created'), t('tokens.expires'), t('tokens.lastUsed'), ''],
          tokens.map(row), {'data-testid': 'token-table'}) : empty(t('tokens.none')),
        createForm());
    } catch (e) {
      if (alive) replace(el, h('h2', null, t('tokens.title')), h('p', {class: 'error-text'}, e.message));
    }
  }

  load();
  return {el, cleanup: () => { alive = false; }};
}

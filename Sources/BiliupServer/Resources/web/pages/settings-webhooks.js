// Webhooks (admin only): where events are POSTed. Lists main.lua's (read-only) and the API's with their
// delivery counts; adds one (URL, events, secret), sends a test event, deletes. Secrets are never shown.
import * as api from '../http.js';
import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import * as toast from '../toast.js';
import {loading, button, table, empty, checkbox} from '../ui.js';

const EVENTS = ['stream_start', 'segment', 'stream_end', 'error', 'upload_start', 'upload_done', 'upload_error'];
const DEFAULT_EVENTS = ['stream_start', 'segment', 'stream_end', 'upload_done', 'error'];

export function webhooksSection() {
  let alive = true;
  const el = h('section', {class: 'card', id: 'settings-webhooks', 'data-testid': 'settings-webhooks'},
    h('h2', null, t('webhooks.title')), loading());

  function row(hook) {
    const fromScript = hook.origin === 'script';
    const counts = t('webhooks.counts', {delivered: hook.delivered, failed: hook.failed, dropped: hook.dropped, queued: hook.queued});
    return h('tr', {'data-testid': 'webhook-row', 'data-name': hook.name},
      h('td', null, hook.name, fromScript ? h('span', {class: 'muted'}, ` (${t('webhooks.fromScript')})`) : null),
      h('td', null, h('code', null, hook.url)),
      h('td', null, hook.events.join(', ')),
      h('td', null, hook.has_secret ? t('webhooks.signed') : t('webhooks.unsigned')),
      h('td', null, counts, hook.last_error ? h('div', {class: 'error-text'}, hook.last_error) : null),
      h('td', null,
        button(t('webhooks.test'), async () => {
          try {
            const result = await api.post(`/api/webhooks/${hook.id}/test`);
            if (result.delivered) toast.info(t('webhooks.testDelivered', {status: result.status}));
            else toast.error(new Error(t('webhooks.testFailed', {error: result.error})));
          } catch (e) {
            toast.error(e);
          }
        }, {class: 'btn small', 'data-testid': 'webhook-test'}),
        fromScript ? null : button(t('webhooks.delete'), async () => {
          if (!confirm(t('webhooks.confirmDelete', {name: hook.name}))) return;
          try {
            await api.del(`/api/webhooks/${hook.id}`);
            await load();
          } catch (e) {
            toast.error(e);
          }
        }, {class: 'btn small danger', 'data-testid': 'webhook-delete'})));
  }

  function createForm() {
    const url = h('input', {id: 'webhook-url', 'data-testid': 'webhook-url', type: 'url', placeholder: 'https://…', required: true,
      autocomplete: 'off', class: 'wide'});
    const secret = h('input', {id: 'webhook-secret', 'data-testid': 'webhook-secret', type: 'password',
      placeholder: t('webhooks.secret'), autocomplete: 'new-password'});
    const boxes = EVENTS.map((name) => h('input', {type: 'checkbox', value: name, checked: DEFAULT_EVENTS.includes(name),
      'data-testid': `webhook-event-${name}`}));
    const form = h('form', {class: 'toolbar', id: 'webhook-form'}, url, secret, ...boxes.map((box) => checkbox(box.value, box)),
      h('button', {type: 'submit', class: 'btn primary', 'data-testid': 'webhook-add'}, t('webhooks.add')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const events = boxes.filter((box) => box.checked).map((box) => box.value);
      const body = {url: url.value.trim(), events};
      if (secret.value) body.secret = secret.value;
      try {
        await api.post('/api/webhooks', body);
        toast.info(t('webhooks.added'));
        await load();
      } catch (e) {
        toast.error(e);
      }
    });
    return form;
  }

  async function load() {
    try {
      const hooks = api.items(await api.get('/api/webhooks'));
      if (!alive) return;
      replace(el, h('h2', null, t('webhooks.title')), h('p', {class: 'muted'}, t('webhooks.intro')),
        hooks.length ? table([t('webhooks.name'), 'URL', t('webhooks.events'), t('webhooks.signature'), t('webhooks.deliveries'), ''],
          hooks.map(row), {'data-testid': 'webhook-table'}) : empty(t('webhooks.none')),
        createForm());
    } catch (e) {
      if (alive) replace(el, h('h2', null, t('webhooks.title')), h('p', {class: 'error-text'}, e.message));
    }
  }

  load();
  return {el, cleanup: () => { alive = false; }};
}

// Add or edit one upload template: a name and its fields as a JSON object.
import * as api from '../http.js';
import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import * as toast from '../toast.js';
import * as router from '../router.js';
import {pageHeader, field, loading, parseJSONObject, button} from '../ui.js';
import {removeTemplate} from './templates.js';

const EXAMPLE = '{\n  "title": "{streamer} {title} %Y-%m-%d",\n  "tid": 171,\n  "tags": ["直播录像"]\n}';

export function renderTemplateForm(root, ctx) {
  const isNew = ctx.params.length === 0;
  const id = isNew ? null : Number(ctx.params[0]);
  let alive = true;
  const body = h('div', null, loading());
  root.append(body);

  (isNew ? Promise.resolve(null) : api.get(`/api/templates/${id}`)).then((tp) => {
    if (alive) show(tp);
  }).catch((e) => {
    if (!alive) return;
    toast.error(e);
    replace(body, h('p', {class: 'error-text'}, e.message), h('a', {href: '#/templates', class: 'btn'}, t('action.back')));
  });

  function show(tp) {
    const readOnly = Boolean(tp && tp.origin === 'script');
    const name = h('input', {id: 'template-name', 'data-testid': 'template-name', required: true,
      value: tp?.name ?? '', disabled: readOnly, autocomplete: 'off'});
    const fields = h('textarea', {id: 'template-fields', 'data-testid': 'template-fields', rows: 12,
      class: 'mono', disabled: readOnly, placeholder: EXAMPLE}, tp ? JSON.stringify(tp.fields || {}, null, 2) : '');
    const account = accountSelect(tp?.fields?.account, fields, readOnly);
    const save = h('button', {type: 'submit', class: 'btn primary', id: 'template-save', 'data-testid': 'template-save',
      hidden: readOnly}, isNew ? t('template.create') : t('action.save'));
    const form = h('form', {id: 'template-form', class: 'card form', 'data-testid': 'template-form'},
      readOnly ? h('p', {class: 'note', 'data-testid': 'template-readonly'}, t('template.scriptNote')) : null,
      field(t('template.name'), name),
      field(t('template.account'), account, t('template.accountHint')),
      field(t('template.fields'), fields, t('template.fieldsHint')),
      h('div', {class: 'form-actions'}, save,
        tp && !readOnly ? button(t('action.delete'), () => removeTemplate(tp, () => router.navigate('#/templates')),
          {class: 'btn danger', 'data-testid': 'template-delete'}) : null,
        h('a', {href: '#/templates', class: 'btn ghost'}, t('action.back'))));

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (readOnly) return;
      let payload;
      try {
        payload = {name: name.value.trim(), fields: parseJSONObject(fields.value, t('template.fields'))};
      } catch (e) {
        toast.error(e);
        return;
      }
      save.disabled = true;
      try {
        if (isNew) await api.post('/api/templates', payload);
        else await api.put(`/api/templates/${id}`, payload);
        toast.info(t('template.saved', {name: payload.name}));
        router.navigate('#/templates');
      } catch (e) {
        toast.error(e);
      } finally {
        save.disabled = false;
      }
    });

    replace(body, pageHeader(isNew ? t('template.add') : tp.name), form);
  }

  return () => { alive = false; };
}

/**
 * The template's `account` field as a choice among the stored Bilibili accounts: choosing one writes
 * it into the fields' JSON (which stays the one thing saved), choosing none removes it.
 */
function accountSelect(current, fields, readOnly) {
  const select = h('select', {id: 'template-account', 'data-testid': 'template-account', disabled: readOnly},
    h('option', {value: ''}, t('template.noAccount')));
  if (typeof current === 'string' && current) select.append(h('option', {value: current, selected: true}, current));
  api.get('/api/accounts').then((data) => {
    for (const a of api.items(data)) {
      if (a.name === current) continue;
      select.append(h('option', {value: a.name}, a.state === 'needs_login' ? `${a.name} (${t('accounts.needsLogin')})` : a.name));
    }
  }).catch(() => {});
  select.addEventListener('change', () => {
    let value;
    try { value = parseJSONObject(fields.value, t('template.fields')); } catch (e) { toast.error(e); return; }
    if (select.value) value.account = select.value;
    else delete value.account;
    fields.value = JSON.stringify(value, null, 2);
  });
  return select;
}

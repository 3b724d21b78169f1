// Upload templates: the list, with their fields; main.lua's are read-only.
import * as api from '../http.js';
import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import * as fmt from '../format.js';
import * as toast from '../toast.js';
import {pageHeader, badge, empty, loading, button} from '../ui.js';

export async function removeTemplate(tp, done) {
  if (!confirm(t('template.confirmDelete', {name: tp.name}))) return;
  try {
    await api.del(`/api/templates/${tp.id}`);
    toast.info(t('template.deleted', {name: tp.name}));
    done();
  } catch (e) {
    toast.error(e);
  }
}

export function renderTemplates(root) {
  let alive = true;
  const list = h('div', {id: 'template-list', class: 'cards', 'data-testid': 'template-list'}, loading());
  root.append(pageHeader(t('nav.templates'),
    h('a', {href: '#/templates/new', class: 'btn primary', id: 'template-add', 'data-testid': 'template-add'},
      t('template.add'))),
  h('p', {class: 'muted'}, t('template.intro')), list);

  function card(tp) {
    const script = tp.origin === 'script';
    return h('article', {class: 'card', 'data-testid': 'template-row', 'data-id': tp.id, 'data-name': tp.name},
      h('div', {class: 'card-head'},
        h('a', {class: 'title', href: `#/templates/${tp.id}`}, tp.name),
        script ? badge('main.lua', 'origin', {title: t('template.scriptNote')}) : null),
      h('pre', {class: 'json'}, JSON.stringify(tp.fields || {}, null, 2)),
      h('p', {class: 'muted small'}, t('common.updated', {time: fmt.dateTime(tp.updated_at)})),
      h('div', {class: 'card-actions'},
        h('a', {href: `#/templates/${tp.id}`, class: 'btn small', 'data-testid': 'template-edit'},
          script ? t('action.view') : t('action.edit')),
        script ? null : button(t('action.delete'), () => removeTemplate(tp, refresh),
          {class: 'btn small danger', 'data-testid': 'template-delete'})));
  }

  async function refresh() {
    try {
      const templates = api.items(await api.get('/api/templates'));
      if (!alive) return;
      replace(list, templates.length ? templates.map(card) : empty(t('template.none')));
    } catch (e) {
      if (alive) { toast.error(e); replace(list, empty(e.message)); }
    }
  }

  refresh();
  return () => { alive = false; };
}

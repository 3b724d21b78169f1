// The recording options: values from defaults, main.lua or the API; editable ones can be set or
// cleared here (PUT /api/config {"key": value | null}).
import * as api from '../http.js';
import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import * as fmt from '../format.js';
import * as toast from '../toast.js';
import {loading, badge, button, table} from '../ui.js';

const SIZE_KEYS = new Set(['split_size', 'min_segment_size', 'min_free_disk']);
const TIME_KEYS = new Set(['split_time', 'check_interval', 'delay']);

/** "= 2.00 GiB" / "= 1:00:00" beside a number of bytes or seconds. */
function readable(key, value) {
  if (typeof value !== 'number') return null;
  if (SIZE_KEYS.has(key)) return `= ${fmt.bytes(value)}`;
  if (TIME_KEYS.has(key) && value >= 60) return `= ${fmt.duration(value)}`;
  return null;
}

export function configSection() {
  let alive = true;
  const el = h('section', {class: 'card', id: 'settings-config', 'data-testid': 'settings-config'},
    h('h2', null, t('settings.options')), loading());

  /** `choices`: the server's lists of allowed values (`format`). */
  function input(key, value, choices) {
    const list = choices[key];
    if (list) {
      return h('select', {id: `config-${key}`, 'data-testid': `config-${key}`},
        h('option', {value: '', selected: value == null}, t('common.streamFormat')),
        list.map((f) => h('option', {value: f, selected: value === f}, f)),
        list.includes(value) || value == null ? null : h('option', {value: String(value), selected: true}, String(value)));
    }
    return h('input', {id: `config-${key}`, 'data-testid': `config-${key}`, value: fmt.showScalar(value),
      placeholder: t(`option.placeholder.${key}`) === `option.placeholder.${key}` ? '' : t(`option.placeholder.${key}`)});
  }

  function show(config) {
    const options = config.options || {};
    const sources = config.sources || {};
    const editable = Array.isArray(config.editable) ? config.editable : [];
    const inputs = new Map();
    const rows = editable.map((key) => {
      const control = input(key, options[key], config.choices || {});
      inputs.set(key, control);
      const source = sources[key] || 'default';
      return h('tr', {'data-testid': 'config-row', 'data-key': key},
        h('th', {scope: 'row'}, h('label', {for: control.id}, t(`option.${key}`)), h('div', {class: 'muted mono small'}, key)),
        h('td', null, control, readable(key, options[key]) ? h('span', {class: 'config-hint muted small nowrap'}, readable(key, options[key])) : null),
        h('td', null, badge(t(`source.${source}`), `source-${source}`, {'data-testid': 'config-source'})),
        h('td', null, source === 'api'
          ? button(t('settings.reset'), () => saveValues({[key]: null}), {class: 'btn small ghost', 'data-testid': 'config-reset',
            title: t('settings.resetHint')}) : null));
    });
    // Options main.lua sets that cannot be changed here: `read_only` (or any non-editable key of `options`).
    const fixed = {...(config.read_only || {})};
    for (const [k, v] of Object.entries(options)) if (!editable.includes(k) && !(k in fixed)) fixed[k] = v;
    const others = Object.keys(fixed).sort();
    const form = h('form', {id: 'config-form', 'data-testid': 'config-form'},
      table([t('settings.option'), t('settings.value'), t('settings.source'), ''], rows, {class: 'config'}, {stack: true}),
      h('div', {class: 'form-actions'},
        h('button', {type: 'submit', class: 'btn primary', id: 'config-save', 'data-testid': 'config-save'}, t('action.save'))));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const changes = {};
      for (const [key, control] of inputs) {
        const before = fmt.showScalar(options[key]);
        const now = control.value.trim();
        if (now === before) continue;
        changes[key] = now === '' ? null : fmt.parseScalar(now);
      }
      if (Object.keys(changes).length === 0) { toast.info(t('settings.nothingChanged')); return; }
      saveValues(changes);
    });
    replace(el, h('h2', null, t('settings.options')), h('p', {class: 'muted'}, t('settings.optionsIntro')), form,
      others.length ? h('details', null, h('summary', null, t('settings.otherOptions')),
        table([t('settings.option'), t('settings.value'), t('settings.source')], others.map((k) => h('tr', null,
          h('td', {class: 'mono'}, k), h('td', {class: 'mono'}, JSON.stringify(fixed[k])),
          h('td', null, t(`source.${sources[k] || 'default'}`)))))) : null);
  }

  async function saveValues(changes) {
    try {
      const updated = await api.put('/api/config', changes);
      toast.info(t('settings.saved'));
      if (updated && updated.options) show(updated);
      else await load();
    } catch (e) {
      toast.error(e);
    }
  }

  async function load() {
    try {
      const config = await api.get('/api/config');
      if (alive) show(config);
    } catch (e) {
      if (alive) { toast.error(e); replace(el, h('h2', null, t('settings.options')), h('p', {class: 'error-text'}, e.message)); }
    }
  }

  load();
  return {el, cleanup: () => { alive = false; }};
}

// Add or edit one streamer: URLs, template, schedule, title filters, danmaku, recording overrides and
// plugin options. Streamers declared in main.lua are shown read-only (the file is their only source),
// with the controls that work on every streamer.
import * as api from '../http.js';
import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import * as fmt from '../format.js';
import * as toast from '../toast.js';
import * as router from '../router.js';
import {pageHeader, field, checkbox, loading, button} from '../ui.js';
import {controlButtons, remove} from '../streamer-actions.js';
import {stateBadge} from './streamers.js';

export const OVERRIDE_KEYS = ['output', 'format', 'split_time', 'split_size', 'check_interval', 'delay', 'min_segment_size'];

/** 'key=value' lines ↔ an object (values that read as JSON numbers/booleans become those). */
function optionsToText(options) {
  return Object.entries(options || {}).map(([k, v]) => `${k}=${fmt.showScalar(v)}`).join('\n');
}

function textToOptions(text) {
  const options = {};
  for (const line of fmt.lines(text)) {
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(t('streamer.badOption', {line}));
    options[line.slice(0, at).trim()] = fmt.parseScalar(line.slice(at + 1));
  }
  return options;
}

/** `formats`: the server's list (GET /api/config `choices.format`). */
export function formatSelect(id, value, formats) {
  return h('select', {id, 'data-testid': id},
    h('option', {value: '', selected: !value}, t('common.inherit')),
    formats.map((f) => h('option', {value: f, selected: value === f}, f)));
}

export function renderStreamerForm(root, ctx) {
  const isNew = ctx.name === 'streamers' && ctx.params.length === 0;
  const id = isNew ? null : Number(ctx.params[0]);
  let alive = true;
  const body = h('div', null, loading());
  root.append(body);

  Promise.all([
    isNew ? Promise.resolve(null) : api.get(`/api/streamers/${id}`),
    api.get('/api/templates').catch(() => ({items: []})),
    api.get('/api/config'),
  ]).then(([streamer, templates, config]) => {
    if (alive) show(streamer, api.items(templates), config.choices.format);
  }).catch((e) => {
    if (!alive) return;
    toast.error(e);
    replace(body, h('p', {class: 'error-text', 'data-testid': 'streamer-load-error'}, e.message),
      h('a', {href: '#/streamers', class: 'btn'}, t('action.back')));
  });

  function show(s, templates, formats) {
    const readOnly = Boolean(s && s.origin === 'script');
    const o = (s && s.overrides) || {};
    const input = (key, value, attrs = {}) => h('input', {id: `streamer-${key}`, 'data-testid': `streamer-${key}`,
      value: value ?? '', disabled: readOnly, ...attrs});
    const area = (key, value, rows = 3, attrs = {}) => h('textarea', {id: `streamer-${key}`,
      'data-testid': `streamer-${key}`, rows, disabled: readOnly, ...attrs}, value ?? '');

    const name = input('name', s?.name, {required: true, autocomplete: 'off'});
    const urls = area('urls', (s?.urls || []).join('\n'), 3, {required: true, placeholder: 'https://live.bilibili.com/1'});
    const template = h('select', {id: 'streamer-template', 'data-testid': 'streamer-template', disabled: readOnly},
      h('option', {value: ''}, t('common.none')),
      templates.map((tp) => h('option', {value: tp.name, selected: s?.template === tp.name}, tp.name)),
      s?.template && !templates.some((tp) => tp.name === s.template)
        ? h('option', {value: s.template, selected: true}, s.template) : null);
    const schedule = area('schedule', (s?.schedule || []).join('\n'), 2, {placeholder: '20:00-02:00\nsat,sun 10:00-12:00'});
    const include = area('title_include', (s?.title_include || []).join('\n'), 2);
    const exclude = area('title_exclude', (s?.title_exclude || []).join('\n'), 2);
    const danmaku = h('input', {type: 'checkbox', id: 'streamer-danmaku', 'data-testid': 'streamer-danmaku',
      checked: Boolean(s?.danmaku), disabled: readOnly});
    const danmakuDetail = h('input', {type: 'checkbox', id: 'streamer-danmaku-detail', 'data-testid': 'streamer-danmaku-detail',
      checked: Boolean(s?.danmaku_detail), disabled: readOnly});
    const danmakuAss = h('input', {type: 'checkbox', id: 'streamer-danmaku-ass', 'data-testid': 'streamer-danmaku-ass',
      checked: Boolean(s?.danmaku_ass), disabled: readOnly});
    const overrides = Object.fromEntries(OVERRIDE_KEYS.map((key) => [key, key === 'format'
      ? formatSelect('streamer-format', o.format, formats)
      : input(key, fmt.showScalar(o[key]), {placeholder: t(`option.placeholder.${key}`)})]));
    if (readOnly) overrides.format.disabled = true;
    const options = area('options', optionsToText(s?.options), 3, {placeholder: 'qn=10000'});
    const known = new Set(OVERRIDE_KEYS);
    const otherOverrides = Object.fromEntries(Object.entries(o).filter(([k]) => !known.has(k)));

    const save = h('button', {type: 'submit', class: 'btn primary', id: 'streamer-save', 'data-testid': 'streamer-save',
      hidden: readOnly}, isNew ? t('streamer.create') : t('action.save'));
    const form = h('form', {id: 'streamer-form', class: 'card form', 'data-testid': 'streamer-form'},
      readOnly ? h('p', {class: 'note', id: 'streamer-readonly', 'data-testid': 'streamer-readonly'}, t('streamer.scriptNote')) : null,
      h('div', {class: 'grid-2'},
        field(t('streamer.name'), name),
        field(t('streamer.template'), template)),
      field(t('streamer.urls'), urls, t('streamer.urlsHint')),
      h('div', {class: 'grid-2'},
        field(t('streamer.schedule'), schedule, t('streamer.scheduleHint')),
        field(t('streamer.options'), options, t('streamer.optionsHint'))),
      h('div', {class: 'grid-2'},
        field(t('streamer.titleInclude'), include, t('common.onePerLine')),
        field(t('streamer.titleExclude'), exclude, t('common.onePerLine'))),
      h('div', {class: 'grid-3'},
        checkbox(t('streamer.danmakuLabel'), danmaku),
        checkbox(t('streamer.danmakuDetailLabel'), danmakuDetail),
        checkbox(t('streamer.danmakuAssLabel'), danmakuAss)),
      h('fieldset', null, h('legend', null, t('streamer.overrides')),
        h('p', {class: 'hint'}, t('streamer.overridesHint')),
        h('div', {class: 'grid-3'}, OVERRIDE_KEYS.map((key) => field(t(`option.${key}`), overrides[key])))),
      h('div', {class: 'form-actions'}, save,
        h('a', {href: '#/streamers', class: 'btn ghost', 'data-testid': 'streamer-cancel'}, t('action.back'))));

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (readOnly) return;
      let payload;
      try {
        const overrideValues = {...otherOverrides};
        for (const key of OVERRIDE_KEYS) {
          const raw = overrides[key].value.trim();
          if (raw !== '') overrideValues[key] = fmt.parseScalar(raw);
        }
        payload = {
          name: name.value.trim(), urls: fmt.lines(urls.value), template: template.value,
          schedule: fmt.lines(schedule.value), title_include: fmt.lines(include.value),
          title_exclude: fmt.lines(exclude.value), danmaku: danmaku.checked,
          danmaku_detail: danmakuDetail.checked, danmaku_ass: danmakuAss.checked,
          overrides: overrideValues, options: textToOptions(options.value),
        };
      } catch (e) {
        toast.error(e);
        return;
      }
      save.disabled = true;
      try {
        const saved = isNew ? await api.post('/api/streamers', payload) : await api.put(`/api/streamers/${id}`, payload);
        toast.info(t('streamer.saved', {name: saved?.name ?? payload.name}));
        router.navigate('#/streamers');
      } catch (e) {
        toast.error(e);
      } finally {
        save.disabled = false;
      }
    });

    const controls = s ? h('div', {class: 'card-actions', 'data-testid': 'streamer-controls'},
      stateBadge(s),
      controlButtons(s, () => router.render()),
      readOnly ? null : button(t('action.delete'), () => remove(s, () => router.navigate('#/streamers')),
        {class: 'btn small danger', 'data-testid': 'streamer-delete'})) : null;
    const title = isNew ? t('streamer.add') : s.name;
    replace(body, pageHeader(title), controls,
      s && s.last_error ? h('p', {class: 'error-text'}, s.last_error) : null, form);
    if (isNew) name.focus();
  }

  return () => { alive = false; };
}

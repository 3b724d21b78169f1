// Small building blocks shared by the pages.
import {h} from './dom.js';
import {t} from './i18n.js';

/** The heading of a page with its actions on the right. */
export function pageHeader(title, ...actions) {
  return h('div', {class: 'page-header'}, h('h1', null, title), h('div', {class: 'actions'}, actions));
}

export function button(label, onclick, attrs = {}) {
  return h('button', {type: 'button', class: 'btn', onclick, ...attrs}, label);
}

/** A button that disables itself while its async action runs. */
export function actionButton(label, action, attrs = {}) {
  const el = button(label, async () => {
    el.disabled = true;
    try { await action(); } finally { el.disabled = false; }
  }, attrs);
  return el;
}

/** A labelled form field; `hint` is shown under it. */
export function field(label, input, hint) {
  return h('label', {class: 'field'}, h('span', {class: 'field-label'}, label), input,
    hint ? h('span', {class: 'hint'}, hint) : null);
}

export function checkbox(label, input) {
  return h('label', {class: 'field check'}, input, h('span', null, label));
}

export function badge(text, kind = '', attrs = {}) {
  return h('span', {class: `badge ${kind}`.trim(), ...attrs}, text);
}

export function loading() {
  return h('p', {class: 'muted', 'data-testid': 'loading'}, t('common.loading'));
}

export function empty(text) {
  return h('p', {class: 'muted empty', 'data-testid': 'empty'}, text);
}

/**
 * A table whose rows come from `rows` (<tr> elements). It scrolls sideways on narrow screens, or with
 * `stack` turns each row into a block of "header: value" lines there.
 */
export function table(headers, rows, attrs = {}, {stack = false} = {}) {
  if (stack) {
    for (const row of rows) {
      [...row.children].forEach((cell, i) => { if (headers[i]) cell.dataset.label = headers[i]; });
    }
  }
  return h('div', {class: stack ? 'table-wrap stack' : 'table-wrap'}, h('table', attrs,
    h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))),
    h('tbody', null, rows)));
}

/** The "options/fields" JSON editor: a textarea that must hold a JSON object. */
export function parseJSONObject(text, what) {
  const trimmed = text.trim();
  if (!trimmed) return {};
  let value;
  try { value = JSON.parse(trimmed); } catch (e) { throw new Error(t('error.json', {what, message: e.message})); }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(t('error.jsonObject', {what}));
  return value;
}

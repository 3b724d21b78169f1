// Building DOM nodes without innerHTML: every string becomes a text node or an attribute value,
// so text from the server can never turn into markup.

/**
 * h('button', {class: 'btn', onclick: fn, 'data-testid': 'x'}, 'Label', child, [more, children])
 * Attributes: `class`, `on<event>` (functions), `value`/`checked`/`disabled`/`selected` (properties),
 * everything else through setAttribute (null/false skips it, true sets it empty).
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'disabled') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings, numbers, nested arrays; null/false are skipped). */
export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces all children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** An href only for http(s) URLs and same-origin paths; anything else (javascript:, data:) is dropped. */
export function safeHref(url) {
  if (typeof url !== 'string') return null;
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A link that opens an external URL safely, or plain text when the URL is not http(s). */
export function extLink(url, text = url) {
  const href = safeHref(url);
  return href ? h('a', {href, target: '_blank', rel: 'noopener noreferrer'}, text) : h('span', null, text);
}

// The page's language: Chinese or English, picked from navigator.language, switchable, remembered.
import en from './locales/en.js';
import zh from './locales/zh.js';

const DICTIONARIES = {en, zh};
const STORAGE_KEY = 'biliup.lang';
const listeners = [];

function stored() {
  try { return localStorage.getItem(STORAGE_KEY); } catch { return null; }
}

function initial() {
  const saved = stored();
  if (saved && saved in DICTIONARIES) return saved;
  const preferred = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
  return preferred.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

let lang = initial();
document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';

export function getLang() { return lang; }

export const LANGUAGES = [['en', 'English'], ['zh', '中文']];

export function setLang(next) {
  if (!(next in DICTIONARIES) || next === lang) return;
  lang = next;
  try { localStorage.setItem(STORAGE_KEY, next); } catch { /* private mode: not remembered */ }
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) { listeners.push(fn); }

/** The text for `key`, with `{name}` placeholders filled from `vars`. */
export function t(key, vars) {
  let text = DICTIONARIES[lang][key] ?? DICTIONARIES.en[key] ?? key;
  if (vars) text = text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
  return text;
}

// Interface text in English and Chinese. `t(key, params)` fills {name} placeholders;
// elements carry data-i18n (text), data-i18n-placeholder, data-i18n-label (aria-label).
import { EN } from './strings-en.js';
import { ZH } from './strings-zh.js';

const STRINGS = { en: EN, zh: ZH };

const LANG_KEY = 'tandem.lang';
let lang = pickLanguage();

function pickLanguage() {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return /^zh\b/i.test(navigator.language || '') ? 'zh' : 'en';
}

export function currentLanguage() {
  return lang;
}

export function setLanguage(next) {
  lang = next === 'zh' ? 'zh' : 'en';
  localStorage.setItem(LANG_KEY, lang);
  applyStatic();
}

export function t(key, params = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (params[k] === undefined ? `{${k}}` : String(params[k])));
}

/** Fill every element that names its text with data-i18n*. */
export function applyStatic(root = document) {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}

/** Numbers and times in the interface language. */
export function formatNumber(n) {
  return new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en').format(n);
}

export function formatTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const sameDay = d.toDateString() === new Date().toDateString();
  const opts = sameDay ? { timeStyle: 'medium' } : { dateStyle: 'short', timeStyle: 'short' };
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en', opts).format(d);
}

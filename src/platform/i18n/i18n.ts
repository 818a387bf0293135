import { fill } from '../../kernel/index.js';

/**
 * Message catalogs: zh-CN is the default language, en the second. Every module contributes a
 * flat catalog whose keys start with its name; a test keeps the two languages' keys in step.
 */
export type Lang = 'zh-CN' | 'en';
export const LANGS: readonly Lang[] = ['zh-CN', 'en'];
export const DEFAULT_LANG: Lang = 'zh-CN';
export type Messages = Readonly<Record<string, string>>;

const catalogs: Record<Lang, Record<string, string>> = { 'zh-CN': {}, en: {} };
const owners = new Map<string, string>();

export function addMessages(owner: string, m: { 'zh-CN': Messages; en: Messages }): void {
  for (const lang of LANGS) {
    for (const [k, v] of Object.entries(m[lang])) {
      const prev = owners.get(`${lang}:${k}`);
      if (prev && prev !== owner) throw new Error(`message key ${k} defined by ${prev} and ${owner}`);
      owners.set(`${lang}:${k}`, owner);
      catalogs[lang][k] = v;
    }
  }
}

export function allKeys(lang: Lang): string[] {
  return Object.keys(catalogs[lang]).sort();
}

export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** A translator for one language. A missing key shows as the key itself (and fails the parity test). */
export function translator(lang: Lang): Translate {
  const cat = catalogs[lang];
  const fallback = catalogs[DEFAULT_LANG];
  return (key, params) => {
    const t = cat[key] ?? fallback[key];
    if (t === undefined) return key;
    return params ? fill(t, params) : t;
  };
}

export function hasKey(key: string): boolean {
  return key in catalogs[DEFAULT_LANG];
}

/**
 * The language of a request: an explicit `lang` query or cookie wins, then Accept-Language;
 * zh-CN by default (the platform serves a Chinese city first).
 */
export function pickLang(opts: {
  query?: string | undefined;
  cookie?: string | undefined;
  acceptLanguage?: string | undefined;
}): Lang {
  for (const v of [opts.query, opts.cookie]) {
    if (v === 'en' || v === 'zh-CN') return v;
  }
  const al = opts.acceptLanguage;
  if (al) {
    const prefs = al
      .split(',')
      .map((part) => {
        const [tag, ...ps] = part.trim().split(';');
        const q = ps.find((p) => p.trim().startsWith('q='));
        return { tag: (tag ?? '').toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
      })
      .sort((a, b) => b.q - a.q);
    for (const p of prefs) {
      if (p.tag.startsWith('zh')) return 'zh-CN';
      if (p.tag.startsWith('en')) return 'en';
    }
  }
  return DEFAULT_LANG;
}

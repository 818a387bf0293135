import { Jieba } from '@node-rs/jieba';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  COLLOQUIAL,
  GOV_TERMS,
  STOP_WORDS,
  SYNONYM_GROUPS,
  WEAK_COLLOQUIAL,
  synonymMap,
} from './search.dict.js';

/**
 * Chinese text analysis for the index and for queries. jieba's search mode (`cutForSearch`)
 * indexes a word and its dictionary sub-words (居民身份证 → 居民, 身份, 身份证, 居民身份证), so a
 * query cut in normal mode (`cut`) finds both the whole word and its parts.
 */

let shared: Jieba | undefined;

/**
 * The one jieba instance of the thread: the default dictionary plus the government terms.
 *
 * The dictionary file is read here and let go once jieba has parsed it: the package's own
 * `@node-rs/jieba/dict.js` reads it and its IDF table at import and keeps both (≈ 11 MB) for the
 * life of the process. jieba allocates with its own allocator (mimalloc, in a region of its own),
 * ≈ 30 MB for the parsed dictionary.
 */
export function segmenter(): Jieba {
  if (!shared) {
    const j = Jieba.withDict(readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt')));
    // frequency high enough to beat the default dictionary's splits of these compounds
    // the synonyms too, so a query word like 高龄补贴 is cut whole and finds its synonyms
    const words = new Set([...GOV_TERMS, ...SYNONYM_GROUPS.flat().filter((w) => w.length > 1)]);
    j.loadDict(Buffer.from([...words].map((w) => `${w} 20000 n`).join('\n'), 'utf-8'));
    shared = j;
  }
  return shared;
}

const SKIP = /^[\s\p{P}\p{S}]+$/u;

/** Tokens of a text for the index (search mode, lower-cased, without punctuation). */
export function indexTokens(text: string): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (const w of segmenter().cutForSearch(text, true)) {
    if (SKIP.test(w)) continue;
    out.push(w.toLowerCase());
    // search mode splits long words only into 2- and 3-character parts: add the 4-character
    // ones, so 医疗保险 is found inside 城乡居民基本医疗保险 and 食品经营 inside 食品经营许可证
    if (w.length >= 5 && HAN.test(w)) for (let i = 0; i + 4 <= w.length; i++) out.push(w.slice(i, i + 4));
  }
  return out;
}

const HAN = /^\p{Script=Han}+$/u;

/** One alternative of a query group: a term and its weight (1 for the word typed). */
export interface QueryTerm {
  readonly term: string;
  readonly weight: number;
}

/** A query word and its alternatives; a document matches the group through any of them. */
export interface QueryGroup {
  readonly label: string;
  readonly terms: readonly QueryTerm[];
}

export interface AnalyzedQuery {
  /** the query without spaces and punctuation, lower-cased (for the exact-title boost) */
  readonly normalized: string;
  readonly groups: readonly QueryGroup[];
  /** the query looks like pinyin initials (gtgs) */
  readonly initials: string | undefined;
}

const synonyms = synonymMap(SYNONYM_GROUPS);
const colloquialKeys = Object.keys(COLLOQUIAL).sort((a, b) => b.length - a.length);
const SYNONYM_WEIGHT = 0.7;
const COLLOQUIAL_WEIGHT = 0.8;

export const normalizeText = (s: string): string => s.replace(/[\s\p{P}\p{S}]+/gu, '').toLowerCase();

/**
 * Turns a query into groups: colloquial phrases first (生孩子 → 生育 | 出生 | 新生儿), then the
 * remaining text cut in normal mode without stop-words, each word with its synonyms. A query of
 * stop-words only keeps them (someone may search for 办理).
 */
export function analyzeQuery(q: string): AnalyzedQuery {
  const raw = q.trim().slice(0, 200);
  const normalized = normalizeText(raw);
  const groups: QueryGroup[] = [];
  let rest = raw;
  for (const k of colloquialKeys) {
    if (!rest.includes(k)) continue;
    rest = rest.split(k).join(' ');
    const alts = COLLOQUIAL[k] ?? [];
    const w = WEAK_COLLOQUIAL.has(k) ? COLLOQUIAL_WEIGHT / 2 : COLLOQUIAL_WEIGHT;
    groups.push({ label: k, terms: alts.map((t) => ({ term: t, weight: w })) });
  }
  const words: string[] = [];
  const all: string[] = [];
  for (const part of rest.split(/\s+/)) {
    if (!part) continue;
    for (const w of segmenter().cut(part, true)) {
      if (SKIP.test(w)) continue;
      const lw = w.toLowerCase();
      all.push(lw);
      if (!STOP_WORDS.has(lw)) words.push(lw);
    }
  }
  const kept = words.length || groups.length ? words : all;
  const seen = new Set<string>();
  for (const w of kept) {
    if (seen.has(w)) continue;
    seen.add(w);
    const terms: QueryTerm[] = [{ term: w, weight: 1 }];
    for (const s of synonyms.get(w) ?? []) terms.push({ term: s.toLowerCase(), weight: SYNONYM_WEIGHT });
    groups.push({ label: w, terms });
  }
  const initials = /^[a-z]{2,16}$/i.test(raw) ? raw.toLowerCase() : undefined;
  return { normalized, groups, initials };
}

/** Cuts a query word the index does not know into the known words inside it. */
export function subTerms(word: string): string[] {
  return indexTokens(word).filter((t) => t !== word);
}

let pinyinLib: typeof import('pinyin-pro') | undefined;

/**
 * Pinyin initials of a title: 个体工商户设立登记 → gtgshsldj (letters and digits kept as they
 * are). pinyin-pro is loaded on first use (≈ 25 MB): builds compute initials in their worker, so
 * the serving thread loads it only when an item arrives from the event stream.
 */
export function pinyinInitials(title: string): string {
  pinyinLib ??= createRequire(import.meta.url)('pinyin-pro') as typeof import('pinyin-pro');
  const letters = pinyinLib.pinyin(title, {
    pattern: 'first',
    toneType: 'none',
    type: 'array',
    nonZh: 'consecutive',
  });
  let out = '';
  for (const l of letters) out += l.toLowerCase().replace(/[^a-z0-9]/g, '');
  return out;
}

/** Other words for a query that found nothing: its synonyms and colloquial readings. */
export function suggestions(q: string, max = 8): string[] {
  const out: string[] = [];
  for (const g of analyzeQuery(q).groups) {
    for (const t of g.terms) if (t.weight < 1 && !out.includes(t.term)) out.push(t.term);
  }
  return out.slice(0, max);
}

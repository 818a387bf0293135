import { divisionPrefix } from '../../platform/codes/index.js';
import { highlight, snippet } from './search.highlight.js';
import {
  type AnalyzedQuery,
  analyzeQuery,
  indexTokens,
  normalizeText,
  pinyinInitials,
  subTerms,
} from './search.segment.js';
import type {
  SearchDoc,
  SearchFilters,
  SearchHit,
  SearchKind,
  SearchRequest,
  SearchResult,
} from './search.types.js';

/**
 * The in-memory inverted index. Built once from every source into compressed postings
 * (term → sorted document numbers and weighted term frequencies in typed arrays); changes after
 * the build go to a small mutable delta and tombstones until the next rebuild. A query is scored
 * with BM25F-style weights (title ≫ keywords > body), ranked first by how many query words a
 * document covers, boosted when the title is the query, and cut with a bounded heap.
 *
 * Queries are synchronous and share scratch arrays: JavaScript runs one at a time, so no lock.
 */

const KIND_CODES: Record<SearchKind, number> = { item: 0, information: 1, convenience: 2 };
const KINDS: readonly SearchKind[] = ['item', 'information', 'convenience'];

/** field weights (BM25F): a word in the title counts as five in the body */
const TITLE_W = 5;
const KEYWORD_W = 3;
const BODY_W = 1;
const K1 = 1.2;
const B = 0.75;
/** service items are what most visitors look for: a mild prior over the 70k information items */
const KIND_PRIOR = [1.5, 1, 1];
/** at most this many query groups are scored (coverage is a 32-bit mask) */
const MAX_GROUPS = 12;
/** characters of a body kept in memory for snippets */
const BODY_KEPT = 400;
/** candidates re-ranked with the phrase boosts before the page is cut */
const RERANK = 200;

interface DocRecord {
  readonly kind: SearchKind;
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly url: string;
  readonly region: string;
  readonly department: string;
  readonly type: string;
  readonly themes: readonly string[];
  readonly depth: number;
  readonly titleNorm: string;
}

interface ResolvedAlt {
  readonly tokens: readonly string[];
  readonly weight: number;
}

interface ResolvedGroup {
  readonly label: string;
  readonly alts: readonly ResolvedAlt[];
}

interface DeltaPostings {
  docs: number[];
  tfs: number[];
}

const keyOf = (kind: SearchKind, id: string): string => `${kind}:${id}`;

const URL_PREFIX: Record<SearchKind, string> = {
  item: '/items/',
  information: '/disclosure/',
  convenience: '/convenience/',
};
const usualUrl = (kind: SearchKind, id: string): string => `${URL_PREFIX[kind]}${encodeURIComponent(id)}`;

/** Per-document weighted term frequencies, in the order the words first appear. */
function weightedTerms(doc: IndexText, acc: Map<string, number>): number {
  acc.clear();
  let len = 0;
  const add = (text: string | undefined, w: number) => {
    if (!text) return;
    for (const t of indexTokens(text)) {
      acc.set(t, (acc.get(t) ?? 0) + w);
      len += w;
    }
  };
  add(doc.title, TITLE_W);
  add(doc.keywords, KEYWORD_W);
  add(doc.body, BODY_W);
  return len;
}

/**
 * Attribute values repeat across documents (a department publishes thousands): keep one string
 * per value instead of one per row read from the store.
 */
const interned = new Map<string, string>();
function intern(v: string | undefined): string {
  if (!v) return '';
  const hit = interned.get(v);
  if (hit !== undefined) return hit;
  if (interned.size < 50_000) interned.set(v, v);
  return v;
}

/**
 * A string of its own: V8 keeps a slice as a view of the string it was cut from, so a kept start
 * of a body would hold the whole body in memory (2,000 bodies of 4,500 characters: 21 MB kept
 * instead of 4.6 MB, measured with --expose-gc).
 */
const detached = (s: string): string => Buffer.from(s, 'utf16le').toString('utf16le');

function toRecord(doc: SearchDoc): DocRecord {
  return {
    kind: doc.kind,
    id: doc.id,
    title: doc.title,
    // the whole body is indexed; only its start is kept for snippets (memory: 100k documents)
    body: doc.body.length > BODY_KEPT ? detached(`${doc.body.slice(0, BODY_KEPT)}…`) : doc.body,
    // most addresses follow the kind's pattern: keep only the ones that do not
    url: doc.url === usualUrl(doc.kind, doc.id) ? '' : doc.url,
    region: intern(doc.region),
    department: intern(doc.department),
    type: intern(doc.type),
    themes: doc.themes?.map(intern) ?? [],
    depth: doc.depth ?? 0,
    titleNorm: normalizeText(doc.title),
  };
}

/** The text of a document that is indexed (all a build worker needs). */
export interface IndexText {
  readonly title: string;
  readonly keywords?: string | undefined;
  readonly body: string;
  /** compute the title's pinyin initials (service items) */
  readonly initials?: boolean | undefined;
}

/** Frozen postings: the part of an index a worker thread can build and hand over. */
export interface FrozenPostings {
  terms: string[];
  offsets: Int32Array;
  docs: Int32Array;
  tfs: Uint16Array;
  lens: Float32Array;
  /** [document number, pinyin initials] of the documents that asked for them */
  initials: Array<[number, string]>;
}

/**
 * Tokenises documents (numbered in the order added) into postings. The postings are kept in
 * document order as (term, weighted frequency) pairs, 6 bytes each, with where each document's
 * pairs end; `finish` sorts them by term. At city scale (≈ 6 million postings) these buffers are
 * the build's largest allocation: they grow by half, not double, so the copy made when they grow
 * stays small beside them.
 */
export class PostingsBuilder {
  private readonly termIds = new Map<string, number>();
  private readonly terms: string[] = [];
  private lens = new Float32Array(1 << 14);
  /** where each document's postings end */
  private ends = new Int32Array(1 << 14);
  private pTerm = new Int32Array(1 << 20);
  // weighted frequencies are small integers (title 5, keywords 3, body 1 per occurrence)
  private pTf = new Uint16Array(1 << 20);
  private np = 0;
  private nd = 0;
  private readonly scratch = new Map<string, number>();
  private readonly initials: Array<[number, string]> = [];

  add(doc: IndexText): void {
    const d = this.nd++;
    if (doc.initials) this.initials.push([d, pinyinInitials(doc.title)]);
    if (d === this.lens.length) {
      const l = new Float32Array(this.lens.length * 2);
      l.set(this.lens);
      this.lens = l;
      const e = new Int32Array(this.ends.length * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.lens[d] = weightedTerms(doc, this.scratch);
    for (const [t, tf] of this.scratch) {
      let id = this.termIds.get(t);
      if (id === undefined) {
        id = this.terms.length;
        this.termIds.set(t, id);
        this.terms.push(t);
      }
      if (this.np === this.pTerm.length) this.grow();
      this.pTerm[this.np] = id;
      this.pTf[this.np] = Math.min(65_535, tf);
      this.np++;
    }
    this.ends[d] = this.np;
  }

  private grow(): void {
    const n = Math.ceil(this.pTerm.length * 1.5);
    const t = new Int32Array(n);
    t.set(this.pTerm);
    this.pTerm = t;
    const f = new Uint16Array(n);
    f.set(this.pTf);
    this.pTf = f;
  }

  /** Freezes the postings (a counting sort by term keeps each list in document order). */
  finish(): FrozenPostings {
    const nTerms = this.terms.length;
    const offsets = new Int32Array(nTerms + 1);
    for (let i = 0; i < this.np; i++) offsets[(this.pTerm[i] as number) + 1]!++;
    for (let t = 0; t < nTerms; t++) offsets[t + 1]! += offsets[t] as number;
    const fill = offsets.slice(0, nTerms);
    const docs = new Int32Array(this.np);
    const tfs = new Uint16Array(this.np);
    let i = 0;
    for (let d = 0; d < this.nd; d++) {
      const end = this.ends[d] as number;
      for (; i < end; i++) {
        const at = fill[this.pTerm[i] as number]!++;
        docs[at] = d;
        tfs[at] = this.pTf[i] as number;
      }
    }
    const lens = this.lens.slice(0, this.nd);
    // the build buffers are the largest allocation of all: let them go before the index serves
    this.pTerm = new Int32Array(0);
    this.pTf = new Uint16Array(0);
    this.ends = new Int32Array(0);
    this.np = 0;
    return { terms: this.terms, offsets, docs, tfs, lens, initials: this.initials };
  }
}

/** The documents of a build, each once, in the order their postings are numbered. */
export class DocCollector {
  readonly records: DocRecord[] = [];
  private readonly keys = new Set<string>();

  /** Returns false for a document already collected (a scan returns each record once; keep the first). */
  add(doc: SearchDoc): boolean {
    const key = keyOf(doc.kind, doc.id);
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    this.records.push(toRecord(doc));
    return true;
  }

  freeze(p: FrozenPostings): SearchIndex {
    const termIds = new Map<string, number>();
    for (let i = 0; i < p.terms.length; i++) termIds.set(p.terms[i] as string, i);
    return new SearchIndex(this.records, p.lens, termIds, p.offsets, p.docs, p.tfs, new Map(p.initials));
  }
}

/** Collects documents and freezes them into an index, on the calling thread. */
export class IndexBuilder {
  private readonly docs = new DocCollector();
  private readonly postings = new PostingsBuilder();

  get size(): number {
    return this.docs.records.length;
  }

  add(doc: SearchDoc): void {
    if (this.docs.add(doc))
      this.postings.add({
        title: doc.title,
        keywords: doc.keywords,
        body: doc.body,
        initials: doc.kind === 'item',
      });
  }

  finish(): SearchIndex {
    return this.docs.freeze(this.postings.finish());
  }
}

export class SearchIndex {
  private docs: DocRecord[];
  private kinds: Uint8Array;
  private alive: Uint8Array;
  private lens: Float32Array;
  /** document number by id, one map per kind (keyed by the record's own id string: no copies) */
  private readonly byId: Record<SearchKind, Map<string, number>> = {
    item: new Map(),
    information: new Map(),
    convenience: new Map(),
  };
  /** normalised title → its document, or documents when several share it */
  private readonly exactTitles = new Map<string, number | number[]>();
  private readonly initials: Array<{ ini: string; doc: number }> = [];
  private readonly delta = new Map<string, DeltaPostings>();
  private aliveCount = 0;
  private totalLen = 0;
  /** documents added or replaced since the build */
  deltaDocs = 0;
  // scratch, sized to the document capacity
  private scores: Float32Array;
  private groupScore: Float32Array;
  private covered: Uint32Array;
  private touched: Int32Array;
  private groupTouched: Int32Array;
  private altScore: Float32Array;
  private altCount: Uint8Array;
  private altTouched: Int32Array;

  constructor(
    docs: DocRecord[],
    lens: ArrayLike<number>,
    private readonly termIds: Map<string, number>,
    private readonly offsets: Int32Array,
    private readonly postDocs: Int32Array,
    private readonly postTfs: Uint16Array,
    initials: ReadonlyMap<number, string> = new Map(),
  ) {
    const n = docs.length;
    const cap = Math.max(1024, Math.ceil(n * 1.1));
    this.docs = docs;
    this.kinds = new Uint8Array(cap);
    this.alive = new Uint8Array(cap);
    this.lens = new Float32Array(cap);
    for (let d = 0; d < n; d++) this.index(d, lens[d] as number, initials.get(d));
    this.scores = new Float32Array(cap);
    this.groupScore = new Float32Array(cap);
    this.covered = new Uint32Array(cap);
    this.touched = new Int32Array(cap);
    this.groupTouched = new Int32Array(cap);
    this.altScore = new Float32Array(cap);
    this.altCount = new Uint8Array(cap);
    this.altTouched = new Int32Array(cap);
  }

  static empty(): SearchIndex {
    return new IndexBuilder().finish();
  }

  /** live documents */
  get size(): number {
    return this.aliveCount;
  }

  get terms(): number {
    return this.termIds.size + this.delta.size;
  }

  private facets: { departments: string[]; types: string[]; themes: string[] } | undefined;

  /** the departments, item types and themes of the live service items (filter choices) */
  itemFacets(): { departments: string[]; types: string[]; themes: string[] } {
    if (this.facets) return this.facets;
    const dep = new Set<string>();
    const typ = new Set<string>();
    const th = new Set<string>();
    for (let d = 0; d < this.docs.length; d++) {
      if (this.alive[d] === 0 || this.kinds[d] !== 0) continue;
      const r = this.docs[d] as DocRecord;
      if (r.department) dep.add(r.department);
      if (r.type) typ.add(r.type);
      for (const t of r.themes) th.add(t);
    }
    const sort = (x: Set<string>) => [...x].sort((a, b) => a.localeCompare(b, 'zh-CN'));
    this.facets = { departments: sort(dep), types: sort(typ), themes: sort(th) };
    return this.facets;
  }

  /** the titles of the live documents of a kind (evaluation, diagnostics) */
  titles(kind: SearchKind): Set<string> {
    const out = new Set<string>();
    for (let d = 0; d < this.docs.length; d++) {
      if (this.alive[d] === 1 && this.kinds[d] === KIND_CODES[kind])
        out.add((this.docs[d] as DocRecord).title);
    }
    return out;
  }

  has(kind: SearchKind, id: string): boolean {
    return this.byId[kind].has(id);
  }

  private index(d: number, len: number, ini?: string): void {
    const r = this.docs[d] as DocRecord;
    this.byId[r.kind].set(r.id, d);
    this.kinds[d] = KIND_CODES[r.kind];
    this.alive[d] = 1;
    this.lens[d] = len;
    this.aliveCount++;
    this.totalLen += len;
    const ex = this.exactTitles.get(r.titleNorm);
    if (ex === undefined) this.exactTitles.set(r.titleNorm, d);
    else if (typeof ex === 'number') this.exactTitles.set(r.titleNorm, [ex, d]);
    else ex.push(d);
    if (r.kind === 'item') this.initials.push({ ini: ini ?? pinyinInitials(r.title), doc: d });
  }

  /** Adds or replaces one document (from the event stream). */
  upsert(doc: SearchDoc): void {
    this.remove(doc.kind, doc.id);
    this.facets = undefined;
    const d = this.docs.length;
    if (d >= this.kinds.length) this.growDocs();
    const acc = new Map<string, number>();
    const len = weightedTerms(doc, acc);
    this.docs.push(toRecord(doc));
    this.index(d, len);
    for (const [t, tf] of acc) {
      let p = this.delta.get(t);
      if (!p) {
        p = { docs: [], tfs: [] };
        this.delta.set(t, p);
      }
      p.docs.push(d);
      p.tfs.push(tf);
    }
    this.deltaDocs++;
  }

  /** Withdraws one document; returns whether it was there. */
  remove(kind: SearchKind, id: string): boolean {
    const d = this.byId[kind].get(id);
    if (d === undefined) return false;
    this.facets = undefined;
    this.byId[kind].delete(id);
    this.alive[d] = 0;
    this.aliveCount--;
    this.totalLen -= this.lens[d] as number;
    const r = this.docs[d] as DocRecord;
    const ex = this.exactTitles.get(r.titleNorm);
    if (ex === d) this.exactTitles.delete(r.titleNorm);
    else if (Array.isArray(ex)) {
      const i = ex.indexOf(d);
      if (i >= 0) ex.splice(i, 1);
      if (ex.length === 1) this.exactTitles.set(r.titleNorm, ex[0] as number);
    }
    if (r.kind === 'item') {
      const i = this.initials.findIndex((x) => x.doc === d);
      if (i >= 0) this.initials.splice(i, 1);
    }
    this.deltaDocs++;
    return true;
  }

  private growDocs(): void {
    const cap = Math.ceil(this.kinds.length * 1.5);
    const g8 = (a: Uint8Array) => {
      const n = new Uint8Array(cap);
      n.set(a);
      return n;
    };
    this.kinds = g8(this.kinds);
    this.alive = g8(this.alive);
    const lens = new Float32Array(cap);
    lens.set(this.lens);
    this.lens = lens;
    this.scores = new Float32Array(cap);
    this.groupScore = new Float32Array(cap);
    this.covered = new Uint32Array(cap);
    this.touched = new Int32Array(cap);
    this.groupTouched = new Int32Array(cap);
    this.altScore = new Float32Array(cap);
    this.altCount = new Uint8Array(cap);
    this.altTouched = new Int32Array(cap);
  }

  private knows(term: string): boolean {
    return this.termIds.has(term) || this.delta.has(term);
  }

  private df(term: string): number {
    const id = this.termIds.get(term);
    const base = id === undefined ? 0 : (this.offsets[id + 1] as number) - (this.offsets[id] as number);
    return base + (this.delta.get(term)?.docs.length ?? 0);
  }

  /**
   * Resolves each alternative of each group into index tokens: a word the index knows is one
   * token; a word it does not know (食品经营许可) becomes the known words inside it, all required.
   */
  private resolveGroups(aq: AnalyzedQuery): ResolvedGroup[] {
    const out: ResolvedGroup[] = [];
    for (const g of aq.groups.slice(0, MAX_GROUPS)) {
      const alts: ResolvedAlt[] = [];
      for (const t of g.terms) {
        if (this.knows(t.term)) {
          alts.push({ tokens: [t.term], weight: t.weight });
          continue;
        }
        const parts = subTerms(t.term).filter((x) => this.knows(x));
        // keep the longest parts only: 许可证 covers 许可
        const longest = [
          ...new Set(parts.filter((x) => !parts.some((o) => o.length > x.length && o.includes(x)))),
        ];
        if (longest.length > 0) alts.push({ tokens: longest, weight: t.weight * 0.9 });
      }
      // a word the index cannot match still counts against coverage, unless it is a lone character
      if (alts.length > 0 || [...g.label].length > 1) out.push({ label: g.label, alts });
    }
    return out;
  }

  private passes(d: number, f: SearchFilters): boolean {
    const r = this.docs[d] as DocRecord;
    if (f.region && !regionMatches(r.region, f.region)) return false;
    if (f.department && r.department !== f.department) return false;
    if (f.type && r.type !== f.type) return false;
    if (f.theme && !r.themes.includes(f.theme)) return false;
    if (f.depth && r.depth !== f.depth) return false;
    return true;
  }

  /**
   * Adds the BM25 contribution of one token to `acc` (max: false → sum), recording first
   * touches in `list`; returns the new list length.
   */
  private scoreToken(
    token: string,
    weight: number,
    N: number,
    avgdl: number,
    acc: Float32Array,
    list: Int32Array,
    n: number,
    counts?: Uint8Array,
  ): number {
    const df = this.df(token);
    if (df === 0) return n;
    const num = Math.log(1 + (N - df + 0.5) / (df + 0.5)) * weight * (K1 + 1);
    const c1 = K1 * (1 - B);
    const c2 = (K1 * B) / avgdl;
    const lens = this.lens;
    const id = this.termIds.get(token);
    if (id !== undefined) {
      const docs = this.postDocs;
      const tfs = this.postTfs;
      const end = this.offsets[id + 1] as number;
      for (let i = this.offsets[id] as number; i < end; i++) {
        const d = docs[i] as number;
        const tf = tfs[i] as number;
        const s = (num * tf) / (tf + c1 + c2 * (lens[d] as number));
        if (counts) {
          if (counts[d] === 0) list[n++] = d;
          counts[d]!++;
          acc[d]! += s;
        } else {
          if (acc[d] === 0) list[n++] = d;
          if (s > (acc[d] as number)) acc[d] = s;
        }
      }
    }
    const dp = this.delta.get(token);
    if (dp) {
      for (let i = 0; i < dp.docs.length; i++) {
        const d = dp.docs[i] as number;
        const tf = dp.tfs[i] as number;
        const s = (num * tf) / (tf + c1 + c2 * (lens[d] as number));
        if (counts) {
          if (counts[d] === 0) list[n++] = d;
          counts[d]!++;
          acc[d]! += s;
        } else {
          if (acc[d] === 0) list[n++] = d;
          if (s > (acc[d] as number)) acc[d] = s;
        }
      }
    }
    return n;
  }

  /** Adds one token's BM25 to the totals and its bit to the coverage; returns the touched count. */
  private scoreInto(
    token: string,
    weight: number,
    N: number,
    avgdl: number,
    bit: number,
    nt: number,
  ): number {
    const df = this.df(token);
    if (df === 0) return nt;
    const num = Math.log(1 + (N - df + 0.5) / (df + 0.5)) * weight * (K1 + 1);
    const c1 = K1 * (1 - B);
    const c2 = (K1 * B) / avgdl;
    const { lens, scores, covered, touched } = this;
    let n = nt;
    const id = this.termIds.get(token);
    if (id !== undefined) {
      const docs = this.postDocs;
      const tfs = this.postTfs;
      const end = this.offsets[id + 1] as number;
      for (let i = this.offsets[id] as number; i < end; i++) {
        const d = docs[i] as number;
        const tf = tfs[i] as number;
        if (covered[d] === 0) touched[n++] = d;
        scores[d]! += (num * tf) / (tf + c1 + c2 * (lens[d] as number));
        covered[d]! |= bit;
      }
    }
    const dp = this.delta.get(token);
    if (dp) {
      for (let i = 0; i < dp.docs.length; i++) {
        const d = dp.docs[i] as number;
        const tf = dp.tfs[i] as number;
        if (covered[d] === 0) touched[n++] = d;
        scores[d]! += (num * tf) / (tf + c1 + c2 * (lens[d] as number));
        covered[d]! |= bit;
      }
    }
    return n;
  }

  /** The single-word path: BM25 of one token, filters, counts and the heap in one pass. */
  private collectSingle(
    alt: ResolvedAlt,
    N: number,
    avgdl: number,
    f: SearchFilters,
    filtered: boolean,
    kindCode: number,
    perKind: number[],
    heap: MinHeap,
  ): number {
    const token = alt.tokens[0] as string;
    const df = this.df(token);
    if (df === 0) return 0;
    const num = Math.log(1 + (N - df + 0.5) / (df + 0.5)) * alt.weight * (K1 + 1);
    const c1 = K1 * (1 - B);
    const c2 = (K1 * B) / avgdl;
    const { alive, kinds, lens } = this;
    let total = 0;
    const visit = (d: number, tf: number) => {
      if (alive[d] === 0) return;
      if (filtered && !this.passes(d, f)) return;
      const k = kinds[d] as number;
      perKind[k]!++;
      if (kindCode >= 0 && k !== kindCode) return;
      total++;
      const s = ((num * tf) / (tf + c1 + c2 * (lens[d] as number))) * (KIND_PRIOR[k] as number);
      if (heap.full && s <= heap.min) return;
      heap.push(d, s);
    };
    const id = this.termIds.get(token);
    if (id !== undefined) {
      const docs = this.postDocs;
      const tfs = this.postTfs;
      const end = this.offsets[id + 1] as number;
      for (let i = this.offsets[id] as number; i < end; i++) visit(docs[i] as number, tfs[i] as number);
    }
    const dp = this.delta.get(token);
    if (dp) for (let i = 0; i < dp.docs.length; i++) visit(dp.docs[i] as number, dp.tfs[i] as number);
    return total;
  }

  search(req: SearchRequest): SearchResult {
    const page = Math.max(1, req.page ?? 1);
    const pageSize = Math.max(1, req.pageSize ?? 10);
    const aq = analyzeQuery(req.q);
    const groups = this.resolveGroups(aq);
    const G = Math.max(1, groups.length);
    const N = Math.max(1, this.aliveCount);
    const avgdl = this.totalLen / N || 1;
    const scores = this.scores;
    const covered = this.covered;
    const touched = this.touched;
    const gs = this.groupScore;
    const gt = this.groupTouched;
    let nt = 0;

    // one word without alternatives (the commonest query, and the one with the longest lists):
    // score and collect in a single pass over its postings
    const single =
      !aq.initials &&
      groups.length === 1 &&
      groups[0]?.alts.length === 1 &&
      groups[0].alts[0]?.tokens.length === 1
        ? groups[0].alts[0]
        : undefined;
    for (let g = 0; !single && g < groups.length; g++) {
      const bit = 1 << g;
      const group = groups[g] as ResolvedGroup;
      const one = group.alts.length === 1 && group.alts[0]?.tokens.length === 1 ? group.alts[0] : undefined;
      if (one) {
        // no alternatives to take the best of: add straight into the totals
        nt = this.scoreInto(one.tokens[0] as string, one.weight, N, avgdl, bit, nt);
        continue;
      }
      let ngt = 0;
      for (const alt of group.alts) {
        if (alt.tokens.length === 1) {
          ngt = this.scoreToken(alt.tokens[0] as string, alt.weight, N, avgdl, gs, gt, ngt);
          continue;
        }
        // every word of a multi-word alternative is required: sum where all are present
        const as = this.altScore;
        const at = this.altTouched;
        const ac = this.altCount;
        let nat = 0;
        for (const tok of alt.tokens)
          nat = this.scoreToken(tok, alt.weight / alt.tokens.length, N, avgdl, as, at, nat, ac);
        const k = alt.tokens.length;
        for (let i = 0; i < nat; i++) {
          const d = at[i] as number;
          if (ac[d] === k) {
            const s = as[d] as number;
            if (gs[d] === 0) gt[ngt++] = d;
            if (s > (gs[d] as number)) gs[d] = s;
          }
          as[d] = 0;
          ac[d] = 0;
        }
      }
      for (let i = 0; i < ngt; i++) {
        const d = gt[i] as number;
        if (covered[d] === 0) touched[nt++] = d;
        scores[d]! += gs[d] as number;
        covered[d]! |= bit;
        gs[d] = 0;
      }
    }

    // pinyin initials of item names: gtgs → 个体工商户设立登记
    const pinyinBoost = new Map<number, number>();
    if (aq.initials) {
      for (const { ini, doc } of this.initials) {
        const at = ini.indexOf(aq.initials);
        if (at < 0) continue;
        pinyinBoost.set(doc, at === 0 ? 40 : 20);
        if (covered[doc] === 0) touched[nt++] = doc;
        covered[doc] = G >= 32 ? 0xffffffff : (1 << G) - 1;
      }
    }

    // exact titles are always candidates, whatever their BM25 rank
    const ex = aq.normalized ? this.exactTitles.get(aq.normalized) : undefined;
    const exact = ex === undefined ? undefined : typeof ex === 'number' ? [ex] : ex;

    const kindCode = req.kind ? KIND_CODES[req.kind] : -1;
    let maxCov = nt > 0 ? 1 : 0;
    if (G > 1) {
      for (let i = 0; i < nt; i++) {
        const c = popcount(covered[touched[i] as number] as number);
        if (c > maxCov) maxCov = c;
      }
    }
    // most query words must match: all of one or two, all but one of three or four …; when no
    // document reaches that, half of them will do (better a near answer than none)
    const strict = G - Math.floor(G / 3);
    const need = maxCov >= strict ? strict : Math.max(1, Math.ceil(G / 2));
    const filtered = !!(req.region || req.department || req.type || req.theme || req.depth);
    const perKind = [0, 0, 0];
    const heap = new MinHeap(Math.max(RERANK, page * pageSize));
    const covFactor = new Float64Array(G + 1);
    for (let c = 0; c <= G; c++) covFactor[c] = 0.4 + (0.6 * c) / G;
    const alive = this.alive;
    const kinds = this.kinds;
    const withPinyin = pinyinBoost.size > 0;
    let total = 0;
    if (single) total = this.collectSingle(single, N, avgdl, req, filtered, kindCode, perKind, heap);
    for (let i = 0; i < nt; i++) {
      const d = touched[i] as number;
      const cov = G === 1 ? 1 : popcount(covered[d] as number);
      let s = scores[d] as number;
      scores[d] = 0;
      covered[d] = 0;
      if (alive[d] === 0 || cov < need) continue;
      if (filtered && !this.passes(d, req)) continue;
      const k = kinds[d] as number;
      perKind[k]!++;
      if (kindCode >= 0 && k !== kindCode) continue;
      total++;
      s = s * (covFactor[cov] as number) * (KIND_PRIOR[k] as number);
      if (withPinyin) s += pinyinBoost.get(d) ?? 0;
      if (heap.full && s <= heap.min) continue;
      heap.push(d, s);
    }
    const kindCounts: Record<SearchKind, number> = {
      item: perKind[0] ?? 0,
      information: perKind[1] ?? 0,
      convenience: perKind[2] ?? 0,
    };
    const candidates = heap.drain();
    if (exact) {
      for (const d of exact) {
        if (this.alive[d] === 0 || (kindCode >= 0 && this.kinds[d] !== kindCode) || !this.passes(d, req))
          continue;
        if (candidates.some((c) => c.doc === d)) continue;
        total++;
        kindCounts[KINDS[this.kinds[d] as number] as SearchKind]++;
        candidates.push({ doc: d, score: 0 });
      }
    }

    // re-rank the best candidates with the phrase boosts: the item whose name is the query first
    const ranked = candidates.map(({ doc, score }) => {
      const r = this.docs[doc] as DocRecord;
      let s = score;
      if (aq.normalized) {
        if (r.titleNorm === aq.normalized) s += 1000;
        else if (r.titleNorm.startsWith(aq.normalized)) s = s * 1.6 + 20;
        else if (r.titleNorm.includes(aq.normalized)) s = s * 1.4 + 10;
      }
      return { doc, score: s };
    });
    ranked.sort((a, b) => b.score - a.score || a.doc - b.doc);
    // the same item implemented by many units has the same name: let other items through
    // between its copies (each further copy scores half the one before)
    const seen = new Map<string, number>();
    for (const c of ranked) {
      const t = (this.docs[c.doc] as DocRecord).titleNorm;
      const n = seen.get(t) ?? 0;
      if (n > 0) c.score /= 2 ** n;
      seen.set(t, n + 1);
    }
    ranked.sort((a, b) => b.score - a.score || a.doc - b.doc);
    const words = highlightWords(groups);
    const hits: SearchHit[] = ranked.slice((page - 1) * pageSize, page * pageSize).map(({ doc, score }) => {
      const r = this.docs[doc] as DocRecord;
      return {
        kind: r.kind,
        id: r.id,
        title: r.title,
        url: r.url || usualUrl(r.kind, r.id),
        titleSegments: highlight(r.title, words),
        snippetSegments: snippet(r.body, words),
        score,
        region: r.region || undefined,
        department: r.department || undefined,
        type: r.type || undefined,
      };
    });
    return { total, page, pageSize, hits, kindCounts, terms: words };
  }
}

/** Words to mark in titles and snippets: every alternative searched, longest first. */
function highlightWords(groups: readonly ResolvedGroup[]): string[] {
  const set = new Set<string>();
  for (const g of groups) for (const a of g.alts) for (const t of a.tokens) set.add(t);
  const all = [...set];
  const multi = all.filter((w) => w.length > 1);
  // single characters would mark half a page; keep them only when nothing longer was asked
  return (multi.length > 0 ? multi : all).sort((a, b) => b.length - a.length);
}

/** A region filter matches its own code and every code below it (410105 ⊇ 410105001). */
export function regionMatches(docRegion: string, filter: string): boolean {
  return docRegion !== '' && docRegion.startsWith(divisionPrefix(filter));
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A bounded min-heap of (doc, score): keeps the `cap` best. */
class MinHeap {
  private readonly docs: Int32Array;
  private readonly scores: Float64Array;
  private n = 0;
  constructor(private readonly cap: number) {
    this.docs = new Int32Array(cap);
    this.scores = new Float64Array(cap);
  }
  push(doc: number, score: number): void {
    if (this.n < this.cap) {
      let i = this.n++;
      this.docs[i] = doc;
      this.scores[i] = score;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if ((this.scores[p] as number) <= score) break;
        this.swap(i, p);
        i = p;
      }
      return;
    }
    if (score <= (this.scores[0] as number)) return;
    this.docs[0] = doc;
    this.scores[0] = score;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.n && (this.scores[l] as number) < (this.scores[m] as number)) m = l;
      if (r < this.n && (this.scores[r] as number) < (this.scores[m] as number)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
  private swap(a: number, b: number): void {
    const d = this.docs[a] as number;
    const s = this.scores[a] as number;
    this.docs[a] = this.docs[b] as number;
    this.scores[a] = this.scores[b] as number;
    this.docs[b] = d;
    this.scores[b] = s;
  }
  get full(): boolean {
    return this.n === this.cap;
  }
  get min(): number {
    return this.scores[0] as number;
  }
  drain(): Array<{ doc: number; score: number }> {
    const out: Array<{ doc: number; score: number }> = [];
    for (let i = 0; i < this.n; i++)
      out.push({ doc: this.docs[i] as number, score: this.scores[i] as number });
    return out;
  }
}

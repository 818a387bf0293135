import { z } from 'zod';
import type { EventRecord } from '../../platform/events/index.js';
import { REGION_CODE_RE } from '../../platform/codes/index.js';

/**
 * What the search index holds: service items (办事服务), government information (政务公开,
 * 政府信息公开) and convenience information (便民服务信息), one document each.
 */
export const SEARCH_KINDS = ['item', 'information', 'convenience'] as const;
export const SearchKind = z.enum(SEARCH_KINDS);
export type SearchKind = z.infer<typeof SearchKind>;

/** One document as a source hands it to the index (plain text, never markup). */
export interface SearchDoc {
  readonly kind: SearchKind;
  /** unique within its kind (an item's implementation code, a publication id …) */
  readonly id: string;
  readonly title: string;
  /** the text searched besides the title: summary, body, address … */
  readonly body: string;
  /** where the hit links to */
  readonly url: string;
  /** GB/T 2260 region code of the publisher or implementer */
  readonly region?: string | undefined;
  readonly department?: string | undefined;
  /** item type (行政许可 01 …), disclosure domain or convenience class */
  readonly type?: string | undefined;
  /** 主题 (items may have several) */
  readonly themes?: readonly string[] | undefined;
  /** 网上办理深度 1–4 (items only) */
  readonly depth?: number | undefined;
  /** extra words indexed with the title weight but not shown (item codes, aliases) */
  readonly keywords?: string | undefined;
}

/** What a source asks the index to do about one event of the stream. */
export type SourceAction =
  | { readonly op: 'upsert'; readonly kind: SearchKind; readonly id: string }
  | { readonly op: 'remove'; readonly kind: SearchKind; readonly id: string }
  | { readonly op: 'rebuild' };

/**
 * A module whose records are searchable. Sources are adapted in app.ts from the owning module's
 * exported query functions, so the search module never reads another module's tables.
 */
export interface SearchSource {
  readonly name: string;
  /** pages through every searchable record in a stable order; `cursor` is opaque to search */
  scan(cursor: string | undefined, limit: number): Promise<{ docs: SearchDoc[]; next: string | undefined }>;
  /** the current document, or undefined when it is no longer searchable */
  get(kind: SearchKind, id: string): Promise<SearchDoc | undefined>;
  /** maps an event of the stream to an index action (undefined: not this source's event) */
  onEvent(e: EventRecord): SourceAction | undefined;
}

export interface SearchFilters {
  readonly kind?: SearchKind | undefined;
  /** a region code; matches documents of that region and of the regions below it */
  readonly region?: string | undefined;
  readonly department?: string | undefined;
  readonly type?: string | undefined;
  readonly theme?: string | undefined;
  readonly depth?: number | undefined;
}

export interface SearchRequest extends SearchFilters {
  readonly q: string;
  readonly page?: number;
  readonly pageSize?: number;
}

/** A piece of displayed text; `hit` pieces are the matched terms (rendered as <mark>). */
export interface TextSegment {
  readonly text: string;
  readonly hit: boolean;
}

export interface SearchHit {
  readonly kind: SearchKind;
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly titleSegments: readonly TextSegment[];
  readonly snippetSegments: readonly TextSegment[];
  readonly score: number;
  readonly region?: string | undefined;
  readonly department?: string | undefined;
  readonly type?: string | undefined;
}

export interface SearchResult {
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly hits: readonly SearchHit[];
  /** counts per kind for the same query and filters except kind (the tabs) */
  readonly kindCounts: Readonly<Record<SearchKind, number>>;
  /** the query terms used after segmentation and synonym expansion (for the zero-results help) */
  readonly terms: readonly string[];
}

export const MAX_QUERY_CHARS = 100;
export const MAX_PAGE = 50;

/** GET /api/v1/search query string (CONTRACT.md: q, kind, page; filters and pageSize optional). */
export const SearchQuery = z.object({
  q: z.string().max(1000),
  kind: z.enum(['all', ...SEARCH_KINDS]).optional(),
  page: z.coerce.number().int().min(1).max(MAX_PAGE).default(1),
  pageSize: z.coerce.number().int().min(1).max(50).default(10),
  region: z.string().regex(REGION_CODE_RE).optional(),
  department: z.string().max(100).optional(),
  type: z.string().max(50).optional(),
  theme: z.string().max(50).optional(),
  depth: z.coerce.number().int().min(1).max(4).optional(),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchHitJson = z.object({
  kind: SearchKind,
  id: z.string(),
  title: z.string(),
  snippet: z.string(),
  url: z.string(),
  /** [start, end) UTF-16 offsets of the matched terms in `snippet` */
  highlights: z.array(z.tuple([z.number(), z.number()])),
});

export const SearchResponse = z.object({
  total: z.number().int(),
  hits: z.array(SearchHitJson),
});

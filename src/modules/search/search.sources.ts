import {
  DISCLOSURE_EVENTS,
  REQUEST_EVENTS,
  type ConvenienceEntry,
  type DisclosureService,
  type Publication,
  type RegisterEntry,
} from '../disclosure/index.js';
import { type IndexEntry, THEMES } from '../catalog/index.js';
import type { SearchDoc, SearchKind, SearchSource, SourceAction } from './search.types.js';

/**
 * Adapters from the modules that own searchable records to `SearchSource`. Search reads them only
 * through their public faces (index.ts), never their tables.
 */

export const publicationDoc = (p: Publication): SearchDoc => ({
  kind: 'information',
  id: p.id,
  title: p.title,
  body: p.body,
  url: `/disclosure/${encodeURIComponent(p.id)}`,
  region: p.regionCode,
  department: p.department,
  type: p.domain,
  keywords: [p.docNumber ?? '', p.category].join(' '),
});

export const convenienceDoc = (c: ConvenienceEntry): SearchDoc => ({
  kind: 'convenience',
  id: c.id,
  title: c.name,
  body: [c.address, c.hours, c.description].filter(Boolean).join('。'),
  url: `/convenience/${encodeURIComponent(c.id)}`,
  region: c.regionCode,
  type: c.class,
  keywords: c.class,
});

/** the type a register entry is filtered by among government information */
export const REGISTER_TYPE = '依申请公开答复';

/** A request and its reply on the public register, without its requester (searchable as information). */
export const registerDoc = (e: RegisterEntry): SearchDoc => ({
  kind: 'information',
  id: e.requestNumber,
  title: e.description.length > 60 ? `${e.description.slice(0, 60)}…` : e.description,
  body: [e.description, e.reply.text].join('。'),
  url: `/disclosure/register/${encodeURIComponent(e.requestNumber)}`,
  region: e.regionCode,
  department: e.body.name,
  type: REGISTER_TYPE,
  keywords: e.requestNumber,
});

/** The slice of the requests' public face the index reads: the public register. */
export interface RegisterForSearch {
  publicEntry(requestNumber: string): Promise<RegisterEntry | undefined>;
  scanPublic(after: string, limit: number): Promise<{ entries: RegisterEntry[]; next?: string }>;
}

/** register entries are keyed by request number (GK…); publications by UUIDv7 */
const isRequestNumber = (id: string) => /^GK\d{19}$/.test(id);

export function disclosureSource(api: DisclosureService, register?: RegisterForSearch): SearchSource {
  return {
    name: 'disclosure',
    async scan(cursor, limit) {
      // publications, convenience entries (cursor p:… / c:…), then the register (r:…)
      if (register && cursor?.startsWith('r:')) {
        const r = await register.scanPublic(cursor.slice(2), limit);
        return { docs: r.entries.map(registerDoc), next: r.next === undefined ? undefined : `r:${r.next}` };
      }
      const r = await api.scanForIndex(cursor, limit);
      return {
        docs: [...r.publications.map(publicationDoc), ...r.convenience.map(convenienceDoc)],
        next: r.next ?? (register ? 'r:' : undefined),
      };
    },
    async get(kind, id) {
      if (kind === 'information' && register && isRequestNumber(id)) {
        const e = await register.publicEntry(id);
        return e ? registerDoc(e) : undefined;
      }
      if (kind === 'information') {
        const p = await api.findPublication(id);
        return p ? publicationDoc(p) : undefined;
      }
      if (kind === 'convenience') {
        const c = await api.findConvenience(id);
        return c ? convenienceDoc(c) : undefined;
      }
      return undefined;
    },
    onEvent(e): SourceAction | undefined {
      switch (e.type) {
        case DISCLOSURE_EVENTS.published:
          return { op: 'upsert', kind: 'information', id: e.aggregateId };
        case 'disclosure.withdrawn':
          return { op: 'remove', kind: 'information', id: e.aggregateId };
        case DISCLOSURE_EVENTS.conveniencePublished:
          return { op: 'upsert', kind: 'convenience', id: e.aggregateId };
        case DISCLOSURE_EVENTS.bulkImported:
          return { op: 'rebuild' };
        // a reply may put a request on the public register
        case REQUEST_EVENTS.acted:
          return register && e.payload.action === 'reply'
            ? { op: 'upsert', kind: 'information', id: e.aggregateId }
            : undefined;
        default:
          return undefined;
      }
    },
  };
}

/** A source over documents held in memory (tests, benchmarks, fixtures). */
export function memorySource(
  name: string,
  docs: SearchDoc[],
  onEvent: SearchSource['onEvent'] = () => undefined,
): SearchSource & { docs: SearchDoc[] } {
  return {
    name,
    docs,
    async scan(cursor, limit) {
      const from = cursor ? Number(cursor) : 0;
      const page = docs.slice(from, from + limit);
      return { docs: page, next: from + limit < docs.length ? String(from + limit) : undefined };
    },
    async get(kind: SearchKind, id: string) {
      return docs.find((d) => d.kind === kind && d.id === id);
    },
    onEvent,
  };
}

/** The slice of the catalogue's public face the index reads. */
export interface CatalogForSearch {
  listPublishedForIndex(
    cursor: string,
    limit: number,
  ): Promise<{ items: IndexEntry[]; nextCursor: string | null }>;
  /** the entry of the current published version, built as `listPublishedForIndex` builds it */
  getIndexEntry(implementationCode: string): Promise<IndexEntry | undefined>;
}

const themeNames = (codes: readonly string[]): string =>
  codes
    .map((c) => THEMES.find((t) => t.code === c)?.zh ?? '')
    .filter(Boolean)
    .join(' ');

export const itemDoc = (e: IndexEntry): SearchDoc => ({
  kind: 'item',
  id: e.implementationCode,
  title: e.name,
  body: `${e.departmentName}。${e.summary}`,
  url: e.url,
  region: e.regionCode,
  department: e.departmentName,
  type: e.type,
  themes: e.themes,
  depth: e.depth,
  // codes and theme names are searchable but not shown
  keywords: `${e.implementationCode} ${e.basicCode} ${themeNames(e.themes)}`,
});

/** Catalogue items: published versions; `catalog.item.published` / `.withdrawn` keep them fresh. */
export function catalogSource(api: CatalogForSearch): SearchSource {
  return {
    name: 'catalog',
    async scan(cursor, limit) {
      const r = await api.listPublishedForIndex(cursor ?? '', limit);
      return {
        docs: r.items.map(itemDoc),
        next: r.items.length < limit || r.nextCursor === null ? undefined : r.nextCursor,
      };
    },
    async get(kind, id) {
      if (kind !== 'item') return undefined;
      const e = await api.getIndexEntry(id);
      return e ? itemDoc(e) : undefined;
    },
    onEvent(e): SourceAction | undefined {
      if (e.type === 'catalog.item.published') return { op: 'upsert', kind: 'item', id: e.aggregateId };
      if (e.type === 'catalog.item.withdrawn') return { op: 'remove', kind: 'item', id: e.aggregateId };
      return undefined;
    },
  };
}

/** Theme labels for the filter, from the catalogue's theme list. */
export const catalogThemeLabels = (): Record<string, { zh: string; en: string }> =>
  Object.fromEntries(THEMES.map((t) => [t.code, { zh: t.zh, en: t.en }]));

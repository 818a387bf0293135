import { type Clock, DomainError, newId } from '../../kernel/index.js';
import { divisionPrefix } from '../../platform/codes/index.js';
import { type Store, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import {
  countAll,
  findConvenience,
  findPublication,
  findWithdrawn,
  insertConvenience,
  insertPublications,
  listPublications,
  scanConvenience,
  scanPublications,
} from './disclosure.store.js';
import {
  type ConvenienceEntry,
  NewConvenience,
  NewPublication,
  type Publication,
  type PublicationListQuery,
} from './disclosure.types.js';

/** Event types this module writes (payloads carry no personal data). */
export const DISCLOSURE_EVENTS = {
  /** one publication made public; aggregate `disclosure.publication` */
  published: 'disclosure.published',
  /** one convenience entry added or changed; aggregate `disclosure.convenience` */
  conveniencePublished: 'disclosure.convenience-published',
  /** a bulk import (the city-scale generator): readers rebuild rather than read 93k events */
  bulkImported: 'disclosure.bulk-imported',
} as const;

export const PAGE_SIZE = 20;

export interface DisclosureDeps {
  readonly store: Store;
  readonly clock: Clock;
}

function parse<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: Array<{ path: PropertyKey[]; code: string }> } };
  },
  input: unknown,
): T {
  const r = schema.safeParse(input);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ field: i.path.map(String).join('.'), rule: i.code }));
    throw new DomainError('DISCLOSURE.INVALID', { details: { issues } });
  }
  return r.data;
}

export function createDisclosureService(deps: DisclosureDeps) {
  const db = deps.store.db;
  return {
    /** Makes one publication public (主动公开) and records the event in the same transaction. */
    async publish(input: unknown, actor?: string): Promise<Publication> {
      const p = parse(NewPublication, input);
      const pub: Publication = {
        ...p,
        docNumber: p.docNumber ?? null,
        id: newId(),
        createdAt: deps.clock.now().toISOString(),
      };
      await inTransaction(db, async (trx) => {
        await insertPublications(trx, [pub]);
        await appendEvent(trx, deps.clock, {
          type: DISCLOSURE_EVENTS.published,
          aggregateType: 'disclosure.publication',
          aggregateId: pub.id,
          regionCode: pub.regionCode,
          actor: actor ?? null,
          payload: { domain: pub.domain },
        });
      });
      return pub;
    },

    async addConvenience(input: unknown, actor?: string): Promise<ConvenienceEntry> {
      const c = parse(NewConvenience, input);
      const entry: ConvenienceEntry = { ...c, id: newId(), createdAt: deps.clock.now().toISOString() };
      await inTransaction(db, async (trx) => {
        await insertConvenience(trx, [entry]);
        await appendEvent(trx, deps.clock, {
          type: DISCLOSURE_EVENTS.conveniencePublished,
          aggregateType: 'disclosure.convenience',
          aggregateId: entry.id,
          regionCode: entry.regionCode,
          actor: actor ?? null,
          payload: { class: entry.class },
        });
      });
      return entry;
    },

    /**
     * Imports many records in one transaction with a single `disclosure.bulk-imported` event
     * (the input is trusted generator output: validated by type, not row by row).
     */
    async bulkImport(
      pubs: Iterable<Omit<Publication, 'id' | 'createdAt'>>,
      convs: Iterable<Omit<ConvenienceEntry, 'id' | 'createdAt'>>,
      onBatch?: (n: number) => void,
    ): Promise<{ publications: number; convenience: number }> {
      const now = deps.clock.now().toISOString();
      let np = 0;
      let nc = 0;
      await inTransaction(db, async (trx) => {
        let batch: Publication[] = [];
        for (const p of pubs) {
          batch.push({ ...p, id: newId(), createdAt: now });
          if (batch.length === 5000) {
            await insertPublications(trx, batch);
            np += batch.length;
            onBatch?.(batch.length);
            batch = [];
          }
        }
        await insertPublications(trx, batch);
        np += batch.length;
        onBatch?.(batch.length);
        let cb: ConvenienceEntry[] = [];
        for (const c of convs) {
          cb.push({ ...c, id: newId(), createdAt: now });
          if (cb.length === 5000) {
            await insertConvenience(trx, cb);
            nc += cb.length;
            onBatch?.(cb.length);
            cb = [];
          }
        }
        await insertConvenience(trx, cb);
        nc += cb.length;
        onBatch?.(cb.length);
        await appendEvent(trx, deps.clock, {
          type: DISCLOSURE_EVENTS.bulkImported,
          aggregateType: 'disclosure.import',
          aggregateId: newId(),
          payload: { publications: np, convenience: nc },
        });
      });
      return { publications: np, convenience: nc };
    },

    async getPublication(id: string): Promise<Publication> {
      const p = await findPublication(db, id);
      if (!p) throw new DomainError('DISCLOSURE.NOT_FOUND');
      return p;
    },

    async getConvenience(id: string): Promise<ConvenienceEntry> {
      const c = await findConvenience(db, id);
      if (!c) throw new DomainError('DISCLOSURE.CONVENIENCE_NOT_FOUND');
      return c;
    },

    findPublication: (id: string) => findPublication(db, id),
    findWithdrawn: (id: string) => findWithdrawn(db, id),
    findConvenience: (id: string) => findConvenience(db, id),

    async list(
      q: PublicationListQuery,
    ): Promise<{ total: number; rows: Publication[]; page: number; pageSize: number }> {
      const regionPrefix = q.region ? divisionPrefix(q.region) : undefined;
      const r = await listPublications(db, {
        domain: q.domain,
        regionPrefix,
        offset: (q.page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
      });
      return { ...r, page: q.page, pageSize: PAGE_SIZE };
    },

    /**
     * Pages through every publication, then every convenience entry (the search index build).
     * The cursor is `p:<id>` or `c:<id>`.
     */
    async scanForIndex(
      cursor: string | undefined,
      limit: number,
    ): Promise<{ publications: Publication[]; convenience: ConvenienceEntry[]; next: string | undefined }> {
      const cur = cursor ?? 'p:';
      if (cur.startsWith('p:')) {
        const publications = await scanPublications(db, cur.slice(2), limit);
        const last = publications[publications.length - 1];
        return {
          publications,
          convenience: [],
          next: publications.length < limit || !last ? 'c:' : `p:${last.id}`,
        };
      }
      const convenience = await scanConvenience(db, cur.slice(2), limit);
      const last = convenience[convenience.length - 1];
      return {
        publications: [],
        convenience,
        next: convenience.length < limit || !last ? undefined : `c:${last.id}`,
      };
    },

    counts: () => countAll(db),
  };
}

export type DisclosureService = ReturnType<typeof createDisclosureService>;

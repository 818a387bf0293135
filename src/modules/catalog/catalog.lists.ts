import { DomainError } from '../../kernel/index.js';
import { csvLine } from '../../platform/csv.js';
import type { Executor } from '../../platform/db/index.js';
import * as store from './catalog.store.js';
import type {
  Channel,
  Duty,
  ItemVersion,
  LegalBasis,
  NegativeListEdition,
  NegativeListEntry,
  NegativeListQuery,
  PowerListQuery,
} from './catalog.types.js';

/**
 * 权力清单, 责任清单 and 负面清单 (DOMAIN.md §2): the power list is each body's power items
 * (types 01–10) with their legal basis and source of power, read from the published versions — or
 * as they stood on a past day, so the list is versioned with the items; the responsibility list is
 * the same items' duties with when the body answers for them; the market-access negative list is
 * kept in editions, each measure linked to the items that grant its permission.
 */

export interface PowerEntry {
  implementationCode: string;
  basicCode: string;
  version: number;
  name: string;
  type: string;
  department: string;
  departmentId: string;
  region: string;
  level: string;
  /** 权力来源: statutory, delegated, entrusted */
  powerSource: string;
  /** 实施主体性质 */
  bodyNature: string;
  entrustedBy: string | null;
  legalBasis: Array<Pick<LegalBasis, 'law' | 'article'>>;
  publishedAt: string | null;
  url: string;
}

export interface DutyEntry {
  implementationCode: string;
  basicCode: string;
  version: number;
  name: string;
  type: string;
  department: string;
  departmentId: string;
  region: string;
  duties: Duty[];
  /** 监督方式: where to complain, and the review and litigation bodies */
  supervision: { complaint: Channel[]; reconsideration: string; litigation: string };
  url: string;
}

export interface NegativeMeasure extends NegativeListEntry {
  /** the items that grant the permission, as the catalogue has them now */
  items: Array<{ basicCode: string; name: string | null; implementations: number; url: string }>;
}

export interface NegativeListView {
  edition: { edition: string; title: string; publishedOn: string } | null;
  editions: Array<{ edition: string; title: string; publishedOn: string }>;
  total: number;
  counts: { prohibited: number; permitted: number };
  measures: NegativeMeasure[];
  /** against the edition before this one: codes added and removed */
  changes: { previous: string; added: string[]; removed: string[] } | null;
}

export function powerEntry(v: ItemVersion): PowerEntry {
  const g = v.guide;
  return {
    implementationCode: v.implementationCode,
    basicCode: g.basicCode,
    version: v.version,
    name: g.name,
    type: g.type,
    department: g.implementingBody.name,
    departmentId: g.implementingBody.departmentId,
    region: g.regionCode,
    level: g.exerciseLevel,
    powerSource: g.powerSource,
    bodyNature: g.implementingBody.nature,
    entrustedBy: g.entrustedBy ?? null,
    legalBasis: g.legalBasis.map((b) => ({ law: b.law, article: b.article })),
    publishedAt: v.publishedAt,
    url: `/items/${v.implementationCode}/versions/${v.version}`,
  };
}

export function dutyEntry(v: ItemVersion): DutyEntry {
  const g = v.guide;
  return {
    implementationCode: v.implementationCode,
    basicCode: g.basicCode,
    version: v.version,
    name: g.name,
    type: g.type,
    department: g.implementingBody.name,
    departmentId: g.implementingBody.departmentId,
    region: g.regionCode,
    duties: g.duties,
    supervision: {
      complaint: g.complaint,
      reconsideration: g.review.reconsideration,
      litigation: g.review.litigation,
    },
    url: `/items/${v.implementationCode}/versions/${v.version}`,
  };
}

export const POWER_CSV_COLUMNS = [
  'implementationCode',
  'basicCode',
  'version',
  'name',
  'type',
  'department',
  'departmentId',
  'region',
  'level',
  'powerSource',
  'bodyNature',
  'entrustedBy',
  'legalBasis',
  'publishedAt',
] as const;

export function powerCsvRow(e: PowerEntry): string {
  return csvLine([
    e.implementationCode,
    e.basicCode,
    String(e.version),
    e.name,
    e.type,
    e.department,
    e.departmentId,
    e.region,
    e.level,
    e.powerSource,
    e.bodyNature,
    e.entrustedBy ?? '',
    e.legalBasis.map((b) => `${b.law}${b.article}`).join('；'),
    e.publishedAt ?? '',
  ]);
}

export const DUTY_CSV_COLUMNS = [
  'implementationCode',
  'basicCode',
  'version',
  'name',
  'department',
  'departmentId',
  'region',
  'duty',
  'basis',
  'accountability',
  'complaint',
  'reconsideration',
  'litigation',
] as const;

/** one CSV line per duty of the item (an item without duties: one line with the duty cells empty) */
export function dutyCsvRows(e: DutyEntry): string[] {
  const duties: Array<Duty | undefined> = e.duties.length ? e.duties : [undefined];
  return duties.map((d) =>
    csvLine([
      e.implementationCode,
      e.basicCode,
      String(e.version),
      e.name,
      e.department,
      e.departmentId,
      e.region,
      d?.content ?? '',
      d?.basis ?? '',
      d?.accountability ?? '',
      e.supervision.complaint.map((c) => c.value).join('；'),
      e.supervision.reconsideration,
      e.supervision.litigation,
    ]),
  );
}

export const NEGATIVE_CSV_COLUMNS = [
  'edition',
  'code',
  'category',
  'measure',
  'basis',
  'basicCodes',
] as const;

export function negativeCsvRow(edition: string, m: NegativeListEntry): string {
  return csvLine([edition, m.code, m.category, m.measure, m.basis ?? '', m.basicCodes.join(' ')]);
}

export function createLists(db: Executor) {
  return {
    async power(q: PowerListQuery) {
      const { page, pageSize, ...f } = q;
      const r = await store.powerList(db, f, page, pageSize);
      return { total: r.total, asOf: q.asOf ?? null, items: r.rows.map(powerEntry) };
    },
    async duties(q: PowerListQuery) {
      const { page, pageSize, ...f } = q;
      const r = await store.powerList(db, f, page, pageSize);
      return { total: r.total, asOf: q.asOf ?? null, items: r.rows.map(dutyEntry) };
    },
    /** every row matching, in pages (exports) */
    async *allPower(q: Omit<PowerListQuery, 'page' | 'pageSize'>): AsyncGenerator<ItemVersion[]> {
      yield* store.powerListAll(db, q);
    },

    async negative(q: NegativeListQuery): Promise<NegativeListView> {
      const editions = await store.negativeEditions(db);
      const chosen = q.edition ? editions.find((e) => e.edition === q.edition) : editions[0];
      if (q.edition && !chosen) throw new DomainError('CATALOG.LIST_EDITION_NOT_FOUND');
      if (!chosen)
        return {
          edition: null,
          editions,
          total: 0,
          counts: { prohibited: 0, permitted: 0 },
          measures: [],
          changes: null,
        };
      const all = await store.negativeMeasures(db, chosen.edition);
      const idx = editions.indexOf(chosen);
      const prev = editions[idx + 1];
      let changes: NegativeListView['changes'] = null;
      if (prev) {
        const before = new Set((await store.negativeMeasures(db, prev.edition)).map((m) => m.code));
        const now = new Set(all.map((m) => m.code));
        changes = {
          previous: prev.edition,
          added: [...now].filter((c) => !before.has(c)),
          removed: [...before].filter((c) => !now.has(c)),
        };
      }
      const word = q.q?.toLowerCase();
      const shown = all.filter(
        (m) =>
          (!q.category || m.category === q.category) &&
          (!word ||
            m.measure.toLowerCase().includes(word) ||
            m.code.toLowerCase().includes(word) ||
            (m.basis ?? '').toLowerCase().includes(word)),
      );
      const items = await store.itemsByBasicCodes(db, [...new Set(shown.flatMap((m) => m.basicCodes))]);
      return {
        edition: chosen,
        editions,
        total: shown.length,
        counts: {
          prohibited: all.filter((m) => m.category === 'prohibited').length,
          permitted: all.filter((m) => m.category === 'permitted').length,
        },
        measures: shown.map((m) => ({
          ...m,
          items: m.basicCodes.map((c) => ({
            basicCode: c,
            name: items.get(c)?.name ?? null,
            implementations: items.get(c)?.implementations ?? 0,
            url: `/lists/power?basicCode=${c}`,
          })),
        })),
        changes,
      };
    },

    putNegativeEdition: (e: NegativeListEdition, now: string) => store.putNegativeEdition(db, e, now),
  };
}

export type ListsApi = ReturnType<typeof createLists>;

import { chinaDate, type Clock, DomainError } from '../../kernel/index.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { type NewEvent, appendEvents } from '../../platform/events/index.js';
import { buildDemoBundles, buildDemoGuides, generateScaleGuides } from './catalog.demo.js';
import { type FieldChange, diffGuides } from './catalog.diff.js';
import { demoNegativeEditions } from './catalog.lists.demo.js';
import { type ImportFormat, type RowIssue, parseImport, validateRows } from './catalog.io.js';
import { checkQuality } from './catalog.quality.js';
import type { RegionsPort } from './catalog.regions.js';
import * as store from './catalog.store.js';
import {
  Guide,
  type ItemListQuery,
  type ItemSummary,
  type ItemVersion,
  type QualityIssue,
  implementationCodeOf,
} from './catalog.types.js';

export interface CatalogServiceDeps {
  readonly db: Executor;
  readonly clock: Clock;
  readonly regions: RegionsPort;
}

export interface Progress {
  tick(n?: number): void;
  done(): void;
}
export type ProgressFactory = (label: string, total: number) => Progress;

const silent: ProgressFactory = () => ({ tick() {}, done() {} });

function itemEvent(
  type: string,
  g: Guide,
  version: number,
  actor: string | null,
  extra: Record<string, unknown> = {},
): NewEvent {
  return {
    type,
    aggregateType: 'item',
    aggregateId: implementationCodeOf(g),
    regionCode: g.regionCode,
    actor,
    payload: {
      version,
      basicCode: g.basicCode,
      name: g.name,
      type: g.type,
      departmentId: g.implementingBody.departmentId,
      exerciseLevel: g.exerciseLevel,
      depth: g.online.depth,
      ...extra,
    },
  };
}

export function createCatalogService(deps: CatalogServiceDeps) {
  const { db, clock, regions } = deps;
  const now = () => clock.now().toISOString();

  function parseGuide(input: unknown): Guide {
    const r = Guide.safeParse(input);
    if (r.success) return r.data;
    throw new DomainError('CATALOG.INVALID_GUIDE', {
      details: r.error.issues.map((i) => ({
        field: i.path.join('.') || '*',
        rule: `SCHEMA.${i.code.toUpperCase()}`,
        message: i.message,
      })),
    });
  }

  function qualityGate(g: Guide): void {
    const issues = checkQuality(g);
    if (issues.length)
      throw new DomainError('CATALOG.QUALITY_FAILED', { params: { count: issues.length }, details: issues });
  }

  async function checkBody(g: Guide): Promise<void> {
    const d = await regions.departmentById(g.implementingBody.departmentId);
    if (!d || d.creditCode !== g.implementingBody.creditCode) {
      throw new DomainError('CATALOG.DEPARTMENT_UNKNOWN', {
        details: { departmentId: g.implementingBody.departmentId },
      });
    }
  }

  /** Publishes many guides as new versions in one transaction (seed and import). */
  async function publishMany(
    guides: readonly Guide[],
    actor: string | null,
    progress: Progress,
  ): Promise<number> {
    const at = now();
    await inTransaction(db, async (trx) => {
      const codes = guides.map(implementationCodeOf);
      const max = await store.maxVersions(trx, codes);
      const rows = guides.map((g, i) =>
        store.versionRow(g, {
          version: (max.get(codes[i]!) ?? 0) + 1,
          status: 'published',
          now: at,
          actor,
          // the day it takes effect is China's (UTC+8)
          effectiveFrom: chinaDate(at),
          publishedAt: at,
        }),
      );
      await store.supersedePublished(
        trx,
        codes.filter((c) => max.has(c)),
        at,
      );
      await store.insertVersions(trx, rows, (n) => progress.tick(n));
      for (let i = 0; i < guides.length; i += 1000) {
        await appendEvents(
          trx,
          clock,
          guides
            .slice(i, i + 1000)
            .map((g, j) => itemEvent('catalog.item.published', g, rows[i + j]!.version, actor)),
        );
      }
    });
    progress.done();
    return guides.length;
  }

  const service = {
    parseGuide,
    checkQuality: (g: Guide): QualityIssue[] => checkQuality(g),

    async listItems(
      q: ItemListQuery & { status?: store.ListFilters['status']; basicCode?: string | undefined },
    ): Promise<{
      total: number;
      items: ItemSummary[];
      rows: Awaited<ReturnType<typeof store.listItems>>['rows'];
    }> {
      const { page, pageSize, ...filters } = q;
      const { total, rows } = await store.listItems(db, filters, page, pageSize);
      return {
        total,
        rows,
        items: rows.map((r) => ({
          implementationCode: r.implementation_code,
          basicCode: r.basic_code,
          name: r.name,
          type: r.type,
          department: r.department_name,
          region: r.region_code,
          level: r.exercise_level,
          depth: Number(r.depth),
          promisedLimit: Number(r.promised_limit),
          statutoryLimit: Number(r.statutory_limit),
        })),
      };
    },

    getPublishedItem: (code: string) => store.getPublished(db, code),
    async requirePublished(code: string): Promise<ItemVersion> {
      const v = await store.getPublished(db, code);
      if (!v) throw new DomainError('CATALOG.NOT_FOUND');
      return v;
    },
    getItemVersion: (code: string, version: number) => store.getVersion(db, code, version),
    async requireVersion(code: string, version: number): Promise<ItemVersion> {
      const v = await store.getVersion(db, code, version);
      if (!v) throw new DomainError('CATALOG.VERSION_NOT_FOUND');
      return v;
    },
    /** The open draft/review version, else the published one (for the editor). */
    async current(code: string): Promise<ItemVersion | undefined> {
      return (await store.getOpen(db, code)) ?? (await store.getPublished(db, code));
    },
    listVersions: (code: string) => store.listVersions(db, code),

    async diff(
      code: string,
      from: number,
      to: number,
    ): Promise<{ from: ItemVersion; to: ItemVersion; changes: FieldChange[] }> {
      const a = await service.requireVersion(code, from);
      const b = await service.requireVersion(code, to);
      return { from: a, to: b, changes: diffGuides(a.guide, b.guide) };
    },

    /** A new item: its first version, as a draft. */
    async createDraft(actor: string | null, input: unknown): Promise<ItemVersion> {
      const g = parseGuide(input);
      await checkBody(g);
      const code = implementationCodeOf(g);
      const at = now();
      await inTransaction(db, async (trx) => {
        const max = await store.maxVersions(trx, [code]);
        if (max.has(code))
          throw new DomainError('CATALOG.ALREADY_EXISTS', { details: { implementationCode: code } });
        await store.insertVersions(trx, [
          store.versionRow(g, { version: 1, status: 'draft', now: at, actor }),
        ]);
        await appendEvents(trx, clock, [itemEvent('catalog.item.drafted', g, 1, actor)]);
      });
      return (await store.getVersion(db, code, 1))!;
    },

    /** A new draft version of a published item, starting from the published guide. */
    async startRevision(actor: string | null, code: string): Promise<ItemVersion> {
      const at = now();
      const version = await inTransaction(db, async (trx) => {
        if (await store.getOpen(trx, code)) throw new DomainError('CATALOG.DRAFT_EXISTS');
        const pub = await store.getPublished(trx, code);
        if (!pub) throw new DomainError('CATALOG.NOT_FOUND');
        const v = ((await store.maxVersions(trx, [code])).get(code) ?? 0) + 1;
        await store.insertVersions(trx, [
          store.versionRow(pub.guide, { version: v, status: 'draft', now: at, actor }),
        ]);
        await appendEvents(trx, clock, [itemEvent('catalog.item.drafted', pub.guide, v, actor)]);
        return v;
      });
      return (await store.getVersion(db, code, version))!;
    },

    async updateDraft(actor: string | null, code: string, input: unknown): Promise<ItemVersion> {
      const g = parseGuide(input);
      if (implementationCodeOf(g) !== code) throw new DomainError('CATALOG.CODE_CHANGED');
      await checkBody(g);
      const open = await store.getOpen(db, code);
      if (open?.status !== 'draft') throw new DomainError('CATALOG.NO_DRAFT');
      const at = now();
      await inTransaction(db, async (trx) => {
        const row = store.versionRow(g, { version: open.version, status: 'draft', now: at, actor });
        const n = await store.updateDraftRow(trx, code, open.version, row);
        if (n !== 1) throw new DomainError('CATALOG.NO_DRAFT');
        await appendEvents(trx, clock, [itemEvent('catalog.item.draft-updated', g, open.version, actor)]);
      });
      return (await store.getVersion(db, code, open.version))!;
    },

    /** draft → review; the quality rules already apply here so a reviewer sees a clean guide. */
    async submitForReview(actor: string | null, code: string): Promise<ItemVersion> {
      const open = await store.getOpen(db, code);
      if (open?.status !== 'draft') throw new DomainError('CATALOG.NO_DRAFT');
      qualityGate(open.guide);
      await inTransaction(db, async (trx) => {
        const n = await store.setStatus(trx, code, open.version, ['draft'], 'review', { updated_at: now() });
        if (n !== 1) throw new DomainError('CATALOG.NO_DRAFT');
        await appendEvents(trx, clock, [
          itemEvent('catalog.item.submitted', open.guide, open.version, actor),
        ]);
      });
      return (await store.getVersion(db, code, open.version))!;
    },

    /** review → draft (the reviewer sends it back). */
    async returnToDraft(actor: string | null, code: string, reason: string): Promise<ItemVersion> {
      const open = await store.getOpen(db, code);
      if (open?.status !== 'review') throw new DomainError('CATALOG.NOT_IN_REVIEW');
      await inTransaction(db, async (trx) => {
        const n = await store.setStatus(trx, code, open.version, ['review'], 'draft', { updated_at: now() });
        if (n !== 1) throw new DomainError('CATALOG.NOT_IN_REVIEW');
        await appendEvents(trx, clock, [
          itemEvent('catalog.item.returned', open.guide, open.version, actor, {
            reason: reason.slice(0, 500),
          }),
        ]);
      });
      return (await store.getVersion(db, code, open.version))!;
    },

    /**
     * review → published. Every quality rule runs; any failure refuses with the full list and
     * writes nothing. The previously published version becomes superseded (still readable).
     */
    async publish(
      actor: string | null,
      code: string,
      opts: { effectiveFrom?: string | undefined } = {},
    ): Promise<ItemVersion> {
      const open = await store.getOpen(db, code);
      if (open?.status !== 'review') throw new DomainError('CATALOG.NOT_IN_REVIEW');
      qualityGate(open.guide);
      const at = now();
      const effectiveFrom = opts.effectiveFrom ?? chinaDate(at);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom)) throw new DomainError('CATALOG.BAD_DATE');
      await inTransaction(db, async (trx) => {
        await store.supersedePublished(trx, [code], at);
        const n = await store.setStatus(trx, code, open.version, ['review'], 'published', {
          effective_from: effectiveFrom,
          published_at: at,
          published_by: actor,
          updated_at: at,
        });
        if (n !== 1) throw new DomainError('CATALOG.NOT_IN_REVIEW');
        await appendEvents(trx, clock, [
          itemEvent('catalog.item.published', open.guide, open.version, actor, { effectiveFrom }),
        ]);
      });
      return (await store.getVersion(db, code, open.version))!;
    },

    /** published → withdrawn (the item is no longer offered; its versions stay readable). */
    async withdraw(actor: string | null, code: string, reason: string): Promise<ItemVersion> {
      const pub = await store.getPublished(db, code);
      if (!pub) throw new DomainError('CATALOG.NOT_PUBLISHED');
      const at = now();
      await inTransaction(db, async (trx) => {
        const n = await store.setStatus(trx, code, pub.version, ['published'], 'withdrawn', {
          withdrawn_at: at,
          updated_at: at,
        });
        if (n !== 1) throw new DomainError('CATALOG.NOT_PUBLISHED');
        await appendEvents(trx, clock, [
          itemEvent('catalog.item.withdrawn', pub.guide, pub.version, actor, {
            reason: reason.slice(0, 500),
          }),
        ]);
      });
      return (await store.getVersion(db, code, pub.version))!;
    },

    /**
     * `tongban import items`: every row is checked first (schema, quality rules, implementing
     * body, stated code, duplicates). Any failure: the full report and nothing written.
     * Otherwise every row is published as a new version in one transaction.
     */
    async importText(
      text: string,
      format: ImportFormat,
      opts: { actor?: string | null; progress?: ProgressFactory } = {},
    ): Promise<{ imported: number; issues: RowIssue[] }> {
      const progress = opts.progress ?? silent;
      let parsed: ReturnType<typeof parseImport>;
      try {
        parsed = parseImport(text, format);
      } catch (e) {
        throw new DomainError('CATALOG.IMPORT_FORMAT', {
          params: { reason: (e as Error).message.slice(0, 200) },
        });
      }
      const check = progress('check', parsed.rows.length);
      const { guides, issues } = await validateRows(
        parsed.rows,
        (id) => regions.departmentById(id),
        () => check.tick(),
      );
      check.done();
      const all = [...parsed.issues, ...issues].sort((a, b) => a.row - b.row);
      if (all.length) return { imported: 0, issues: all };
      const n = await publishMany(
        guides.map((g) => g.guide),
        opts.actor ?? null,
        progress('write', guides.length),
      );
      return { imported: n, issues: [] };
    },

    /** Every published guide (for export), in code order. */
    async *exportPublished(): AsyncGenerator<Guide[]> {
      for await (const page of store.allPublished(db, 1000)) yield page.map((v) => v.guide);
    },

    /** For the search module: published items after a cursor (the last implementation code). */
    async listPublishedForIndex(cursor: string, limit: number) {
      const page = await store.publishedAfter(db, cursor, Math.min(Math.max(limit, 1), 5000));
      return {
        items: page.map((v) => indexEntry(v)),
        nextCursor: page.length ? page[page.length - 1]!.implementationCode : null,
      };
    },
    /** For the search module: the index entry of one item's published version. */
    async getIndexEntry(code: string): Promise<IndexEntry | undefined> {
      const v = await store.getPublished(db, code);
      return v ? indexEntry(v) : undefined;
    },

    listBundles: (regionPrefix?: string) => store.listBundles(db, regionPrefix),
    departmentsWithItems: () => store.departmentsWithItems(db),
    /** published items per theme code (themes without items are absent) */
    themeCounts: () => store.themeCounts(db),

    async seedDemo(): Promise<{ items: number; bundles: number; skipped: string[]; ms: number }> {
      const started = performance.now();
      const input = {
        departments: await regions.listDepartments(),
        regions: await regions.listRegions(),
        halls: await regions.listHalls(),
      };
      const { guides, skipped } = buildDemoGuides(input);
      await publishMany(guides, null, silent('demo', guides.length));
      const city = input.regions.find((r) => r.level === 'city');
      const bundles = city ? buildDemoBundles(guides, city.code) : [];
      await inTransaction(db, async (trx) => {
        await store.putBundles(trx, bundles, now());
        for (const e of demoNegativeEditions(guides)) await store.putNegativeEdition(trx, e, now());
      });
      return {
        items: guides.length,
        bundles: bundles.length,
        skipped,
        ms: Math.round(performance.now() - started),
      };
    },

    async scaleGuides(): Promise<Guide[]> {
      const input = {
        departments: await regions.listDepartments(),
        regions: await regions.listRegions(),
        halls: await regions.listHalls(),
      };
      return [...generateScaleGuides(input)];
    },

    async seedScale(progress: ProgressFactory = silent): Promise<number> {
      const guides = await service.scaleGuides();
      return publishMany(guides, null, progress('catalogue items', guides.length));
    },
  };
  return service;
}

export type CatalogService = ReturnType<typeof createCatalogService>;

/** What the search index needs of one item. */
export interface IndexEntry {
  implementationCode: string;
  basicCode: string;
  name: string;
  type: string;
  departmentName: string;
  departmentId: string;
  regionCode: string;
  exerciseLevel: string;
  depth: number;
  themes: string[];
  audiences: string[];
  /** conditions, material names and FAQ, for full-text search */
  summary: string;
  promisedLimit: number;
  statutoryLimit: number;
  /** 到办事现场次数 and 即办件: the supervision figures' item side (最多跑一次, 即办件 share) */
  visits: number;
  immediate: boolean;
  version: number;
  url: string;
}

export function indexEntry(v: ItemVersion): IndexEntry {
  const g = v.guide;
  return {
    implementationCode: v.implementationCode,
    basicCode: g.basicCode,
    name: g.name,
    type: g.type,
    departmentName: g.implementingBody.name,
    departmentId: g.implementingBody.departmentId,
    regionCode: g.regionCode,
    exerciseLevel: g.exerciseLevel,
    depth: g.online.depth,
    themes: g.themes,
    audiences: g.audiences,
    summary: [
      ...g.conditions,
      ...g.materials.map((m) => m.name),
      ...g.situations.map((s) => s.name),
      ...g.faq.flatMap((f) => [f.question, f.answer]),
      ...g.results.map((r) => r.name),
    ].join(' '),
    promisedLimit: g.promisedLimit.days,
    statutoryLimit: g.statutoryLimit.days,
    visits: g.online.visits,
    immediate: g.handlingKind === 'immediate',
    version: v.version,
    url: `/items/${v.implementationCode}`,
  };
}

import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import { catalogMessages } from './catalog.messages.js';
import {
  type RegionsApiLike,
  type RegionsPort,
  localRegions,
  regionsPortFromApi,
} from './catalog.regions.js';
import { catalogRoutes } from './catalog.routes.js';
import { createLists } from './catalog.lists.js';
import { listsRoutes } from './catalog.lists.routes.js';
import type { ImportFormat, RowIssue } from './catalog.io.js';
import { type IndexEntry, type ProgressFactory, createCatalogService } from './catalog.service.js';
import { catalogMigrations } from './catalog.store.js';
import type { Bundle, Guide, ItemVersion, Material, Situation, Step } from './catalog.types.js';

export { CatalogErrors } from './catalog.errors.js';
export { QUALITY_RULES, checkQuality } from './catalog.quality.js';
export { csvHeader, csvRow, exportJsonText, formatOf } from './catalog.io.js';
export type { ImportFormat, RowIssue } from './catalog.io.js';
export {
  Bundle,
  Guide,
  ITEM_TYPES,
  ON_APPLICATION_TYPES,
  THEMES,
  implementationCodeOf,
} from './catalog.types.js';
export type {
  Audience,
  Depth,
  ExerciseLevel,
  FormDefinition,
  FormField,
  HandlingKind,
  ItemResult,
  ItemType,
  ItemVersion,
  Material,
  NegativeListEntry,
  QualityIssue,
  Situation,
  Step,
  TimeLimit,
  VersionStatus,
} from './catalog.types.js';
export type { IndexEntry } from './catalog.service.js';
export type { RegionsApiLike, RegionsPort } from './catalog.regions.js';

/** What the cases module needs of one item, from one version of its guide. */
export interface ItemForCases {
  implementationCode: string;
  version: number;
  basicCode: string;
  name: string;
  type: Guide['type'];
  departmentId: string;
  departmentName: string;
  departmentCreditCode: string;
  regionCode: string;
  exerciseLevel: Guide['exerciseLevel'];
  handlingKind: Guide['handlingKind'];
  promisedLimit: Guide['promisedLimit'];
  statutoryLimit: Guide['statutoryLimit'];
  depth: Guide['online']['depth'];
  steps: Step[];
  specialProcedures: Guide['specialProcedures'];
  materials: Material[];
  situations: Situation[];
  results: Guide['results'];
  acceptanceScope: Guide['acceptanceScope'];
  /** the application form as JSON Schema, with layout hints */
  form: {
    schema: Record<string, unknown>;
    layout: Array<{
      name: string;
      section: string;
      widget?: string;
      label: string;
      hint?: string;
      prefill?: string;
    }>;
  };
  guide: Guide;
}

/** JSON Schema (draft 2020-12) of an item's application form, with layout hints beside it. */
export function formSchemaOf(g: Guide): ItemForCases['form'] {
  const properties: Record<string, Record<string, unknown>> = {};
  const required: string[] = [];
  for (const f of g.form.fields) {
    const p: Record<string, unknown> = { title: f.label };
    switch (f.type) {
      case 'enum':
        p.type = 'string';
        p.enum = f.options ?? [];
        break;
      case 'date':
        p.type = 'string';
        p.format = 'date';
        break;
      default:
        p.type = f.type;
    }
    if (f.pattern) p.pattern = f.pattern;
    if (f.maxLength) p.maxLength = f.maxLength;
    if (f.hint) p.description = f.hint;
    properties[f.name] = p;
    if (f.required) required.push(f.name);
  }
  return {
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties,
      required,
      additionalProperties: false,
    },
    layout: g.form.fields.map((f) => ({
      name: f.name,
      section: f.section,
      widget: f.widget,
      label: f.label,
      hint: f.hint,
      prefill: f.prefill,
    })),
  };
}

function forCases(v: ItemVersion): ItemForCases {
  const g = v.guide;
  return {
    implementationCode: v.implementationCode,
    version: v.version,
    basicCode: g.basicCode,
    name: g.name,
    type: g.type,
    departmentId: g.implementingBody.departmentId,
    departmentName: g.implementingBody.name,
    departmentCreditCode: g.implementingBody.creditCode,
    regionCode: g.regionCode,
    exerciseLevel: g.exerciseLevel,
    handlingKind: g.handlingKind,
    promisedLimit: g.promisedLimit,
    statutoryLimit: g.statutoryLimit,
    depth: g.online.depth,
    steps: g.steps,
    specialProcedures: g.specialProcedures,
    materials: g.materials,
    situations: g.situations,
    results: g.results,
    acceptanceScope: g.acceptanceScope,
    form: formSchemaOf(g),
    guide: g,
  };
}

/** The catalogue's public face for other modules (search, cases, stats). */
export interface CatalogApi {
  /** the current published version, or undefined */
  getPublishedItem(implementationCode: string): Promise<ItemForCases | undefined>;
  /** published items in code order after `cursor` ('' to start), for the search index */
  listPublishedForIndex(
    cursor: string,
    limit: number,
  ): Promise<{ items: IndexEntry[]; nextCursor: string | null }>;
  /** the search-index entry of the current published version (as `listPublishedForIndex` gives it) */
  getIndexEntry(implementationCode: string): Promise<IndexEntry | undefined>;
  listBundles(regionPrefix?: string): Promise<Bundle[]>;
  getBundle(code: string, regionCode?: string): Promise<Bundle | undefined>;
  /** `tongban import items`: all or nothing; every bad row reported */
  importItems(
    text: string,
    format: ImportFormat,
    progress?: ProgressFactory,
  ): Promise<{ imported: number; issues: RowIssue[] }>;
  /** every published guide, in pages, for `tongban export items` */
  exportItems(): AsyncGenerator<Guide[]>;
  /** the generated Zhengzhou-scale list (3,498 + 1,816 items), not written */
  generateScaleItems(): Promise<Guide[]>;
}

/**
 * The service catalogue: 基本目录 items and each body's 实施清单, their guides in versions
 * (draft → review → published, superseded or withdrawn), quality rules, themes, bundles, the
 * public 权力清单 / 责任清单 / 负面清单 (/lists), import/export and the public guide pages. A leaf module: it sees departments, divisions
 * and halls through a RegionsPort (the regions module's api in app.ts; a small local slice of
 * Zhengzhou when none is given).
 */
export function createCatalogModule(
  deps: PlatformDeps,
  opts: { regions?: RegionsApiLike | RegionsPort } = {},
) {
  const port: RegionsPort = !opts.regions
    ? localRegions()
    : 'listDepartments' in opts.regions
      ? opts.regions
      : regionsPortFromApi(opts.regions);
  const service = createCatalogService({ db: deps.store.db, clock: deps.clock, regions: port });
  const lists = createLists(deps.store.db);
  const definition: ModuleDefinition = {
    name: 'catalog',
    migrations: catalogMigrations,
    messages: catalogMessages,
    routes: (app) => {
      catalogRoutes(app, service);
      listsRoutes(app, lists, async () =>
        (await service.departmentsWithItems()).map((d) => ({ id: d.id, name: d.name })),
      );
    },
    nav: (p) => [
      { href: '/items', labelKey: 'catalog.nav.items' },
      ...(p?.grants.some((g) => g.permissions.includes('catalog.edit'))
        ? [{ href: '/admin/items', labelKey: 'catalog.nav.admin' }]
        : []),
    ],
    async seedDemo() {
      const r = await service.seedDemo();
      deps.log.info(
        { items: r.items, bundles: r.bundles, ms: r.ms, skipped: r.skipped.length },
        'catalogue seeded',
      );
      if (r.skipped.length)
        deps.log.warn({ skipped: r.skipped.slice(0, 20) }, 'demo items without an implementing body');
    },
    async seedScale(o) {
      if (o.scale !== 'zhengzhou') return;
      await service.seedScale(o.progress);
    },
  };
  const api: CatalogApi = {
    async getPublishedItem(code) {
      const v = await service.getPublishedItem(code);
      return v ? forCases(v) : undefined;
    },
    listPublishedForIndex: (cursor, limit) => service.listPublishedForIndex(cursor, limit),
    getIndexEntry: (code) => service.getIndexEntry(code),
    listBundles: (regionPrefix) => service.listBundles(regionPrefix),
    async getBundle(code, regionCode) {
      return (await service.listBundles(regionCode)).find((b) => b.code === code);
    },
    importItems: (text, format, progress) => service.importText(text, format, { progress }),
    exportItems: () => service.exportPublished(),
    generateScaleItems: () => service.scaleGuides(),
  };
  return { definition, api, service, lists };
}

export type CatalogModule = ReturnType<typeof createCatalogModule>;

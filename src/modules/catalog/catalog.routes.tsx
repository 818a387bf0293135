import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, type FieldIssue, isDomainError } from '../../kernel/index.js';
import { type App, allows, authorize, formBody } from '../../platform/http/index.js';
import type { Translate } from '../../platform/i18n/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import {
  AdminListPage,
  BundlesPage,
  DepartmentsPage,
  DiffPage,
  EditPage,
  type EditValues,
  GuidePage,
  ItemsPage,
  ThemesPage,
  VersionsPage,
  issueLines,
  valuesOf,
} from './catalog.pages.js';
import type { CatalogService } from './catalog.service.js';
import {
  Bundle,
  Guide,
  IMPLEMENTATION_CODE_RE,
  ItemListQuery,
  ItemListResponse,
  type ItemVersion,
  THEMES,
  VersionStatus,
  implementationCodeOf,
} from './catalog.types.js';

const CodeParams = z.object({ code: z.string().regex(IMPLEMENTATION_CODE_RE) });
const VersionParams = CodeParams.extend({ version: z.coerce.number().int().min(1) });
/** statuses the public may read: a draft is internal until published */
const PUBLIC_STATUSES: readonly VersionStatus[] = ['published', 'superseded', 'withdrawn'];

const GuideResponse = Guide.extend({
  implementationCode: z.string(),
  version: z.number(),
  status: VersionStatus,
  effectiveFrom: z.string().nullable(),
  withdrawnAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
});
const VersionSummary = z.object({
  version: z.number(),
  status: VersionStatus,
  effectiveFrom: z.string().nullable(),
  withdrawnAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
});

function guideBody(v: ItemVersion) {
  return {
    implementationCode: v.implementationCode,
    version: v.version,
    status: v.status,
    effectiveFrom: v.effectiveFrom,
    withdrawnAt: v.withdrawnAt,
    publishedAt: v.publishedAt,
    ...v.guide,
  };
}

const actorOf = (req: FastifyRequest) => req.principal?.accountId ?? null;
const scopeOf = (g: Guide) => ({ regionCode: g.regionCode, departmentId: g.implementingBody.departmentId });

function queryStrings(q: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q))
    if (typeof v === 'string' && v !== '' && k !== 'page' && k !== 'lang') out[k] = v;
  return out;
}

export function catalogRoutes(app: App, service: CatalogService): void {
  // ── JSON API (CONTRACT.md) ───────────────────────────────────────────────────────────────
  app.get(
    '/api/v1/items',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['catalog'],
        summary: 'Published service items (实施清单), filtered and paged',
        querystring: ItemListQuery,
        response: { 200: ItemListResponse },
      },
    },
    async (req) => {
      const { total, items } = await service.listItems(req.query);
      return { total, items };
    },
  );

  app.get(
    '/api/v1/items/:code',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['catalog'],
        summary: 'The full service guide (办事指南) of the published version',
        params: CodeParams,
        response: { 200: GuideResponse },
      },
    },
    async (req) => guideBody(await service.requirePublished(req.params.code)),
  );

  app.get(
    '/api/v1/items/:code/versions',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['catalog'],
        summary: 'The versions an item was ever published in',
        params: CodeParams,
        response: { 200: z.object({ versions: z.array(VersionSummary) }) },
      },
    },
    async (req) => {
      const all = await service.listVersions(req.params.code);
      const versions = all.filter((v) => PUBLIC_STATUSES.includes(v.status));
      if (versions.length === 0) throw new DomainError('CATALOG.NOT_FOUND');
      return {
        versions: versions.map(({ version, status, effectiveFrom, withdrawnAt, publishedAt }) => ({
          version,
          status,
          effectiveFrom,
          withdrawnAt,
          publishedAt,
        })),
      };
    },
  );

  app.get(
    '/api/v1/items/:code/versions/:version',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['catalog'],
        summary: 'One published version of a guide (readable forever)',
        params: VersionParams,
        response: { 200: GuideResponse },
      },
    },
    async (req) => {
      const v = await service.requireVersion(req.params.code, req.params.version);
      if (!PUBLIC_STATUSES.includes(v.status)) throw new DomainError('CATALOG.VERSION_NOT_FOUND');
      return guideBody(v);
    },
  );

  app.get(
    '/api/v1/items/:code/diff',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['catalog'],
        summary: 'Field-by-field changes between two published versions',
        params: CodeParams,
        querystring: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }),
        response: {
          200: z.object({
            from: z.number(),
            to: z.number(),
            changes: z.array(z.object({ path: z.string(), before: z.unknown(), after: z.unknown() })),
          }),
        },
      },
    },
    async (req) => {
      const d = await service.diff(req.params.code, req.query.from, req.query.to);
      if (!PUBLIC_STATUSES.includes(d.from.status) || !PUBLIC_STATUSES.includes(d.to.status))
        throw new DomainError('CATALOG.VERSION_NOT_FOUND');
      return { from: d.from.version, to: d.to.version, changes: d.changes };
    },
  );

  app.get(
    '/api/v1/bundles',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['catalog'],
        summary: '一件事 bundles',
        querystring: z.object({
          region: z
            .string()
            .regex(/^\d{2,12}$/)
            .optional(),
        }),
        response: { 200: z.object({ bundles: z.array(Bundle) }) },
      },
    },
    async (req) => ({ bundles: await service.listBundles(req.query.region) }),
  );

  app.get(
    '/api/v1/themes',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['catalog'],
        summary: 'Themes for individuals and organisations, with item counts',
        response: {
          200: z.object({
            themes: z.array(
              z.object({ code: z.string(), audience: z.string(), name: z.string(), count: z.number() }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const counts = await service.themeCounts();
      return {
        themes: THEMES.map((t) => ({
          code: t.code,
          audience: t.audience,
          name: req.lang === 'en' ? t.en : t.zh,
          count: counts.get(t.code) ?? 0,
        })),
      };
    },
  );

  // ── admin JSON ───────────────────────────────────────────────────────────────────────────
  const AdminVersion = z.object({
    implementationCode: z.string(),
    version: z.number(),
    status: VersionStatus,
  });
  const adminVersion = (v: ItemVersion) => ({
    implementationCode: v.implementationCode,
    version: v.version,
    status: v.status,
  });

  app.post(
    '/api/v1/admin/items',
    {
      config: { permission: { permission: 'catalog.edit' } },
      schema: {
        tags: ['catalog'],
        summary: 'Create a new item as a draft (version 1)',
        body: Guide,
        response: { 201: AdminVersion },
      },
    },
    async (req, reply) => {
      authorize(req, 'catalog.edit', scopeOf(req.body));
      const v = await service.createDraft(actorOf(req), req.body);
      return reply.code(201).send(adminVersion(v));
    },
  );

  app.get(
    '/api/v1/admin/items/:code',
    {
      config: { permission: { permission: 'catalog.edit' } },
      schema: {
        tags: ['catalog'],
        summary: 'The working version (draft or review, else published) with its quality check',
        params: CodeParams,
        response: {
          200: z.object({
            item: GuideResponse,
            quality: z.array(
              z.object({
                field: z.string(),
                rule: z.string(),
                fix: z.object({ zh: z.string(), en: z.string() }),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const v = await service.current(req.params.code);
      if (!v) throw new DomainError('CATALOG.NOT_FOUND');
      authorize(req, 'catalog.edit', scopeOf(v.guide));
      return { item: guideBody(v), quality: service.checkQuality(v.guide) };
    },
  );

  app.put(
    '/api/v1/admin/items/:code/draft',
    {
      config: { permission: { permission: 'catalog.edit' } },
      schema: {
        tags: ['catalog'],
        summary: 'Replace the draft guide',
        params: CodeParams,
        body: Guide,
        response: { 200: AdminVersion },
      },
    },
    async (req) => {
      await requireScope(req, 'catalog.edit', req.params.code);
      return adminVersion(await service.updateDraft(actorOf(req), req.params.code, req.body));
    },
  );

  const transition = (
    path: string,
    permission: 'catalog.edit' | 'catalog.publish',
    summary: string,
    body: z.ZodObject,
    run: (req: FastifyRequest, code: string, body: Record<string, unknown>) => Promise<ItemVersion>,
  ) =>
    app.post(
      `/api/v1/admin/items/:code/${path}`,
      {
        config: { permission: { permission } },
        schema: { tags: ['catalog'], summary, params: CodeParams, body, response: { 200: AdminVersion } },
      },
      async (req) => {
        const { code } = req.params as { code: string };
        await requireScope(req, permission, code);
        return adminVersion(await run(req, code, (req.body ?? {}) as Record<string, unknown>));
      },
    );

  const NoBody = z.object({}).optional() as unknown as z.ZodObject;
  transition(
    'revisions',
    'catalog.edit',
    'Start a new draft version from the published one',
    NoBody,
    (req, code) => service.startRevision(actorOf(req), code),
  );
  transition(
    'submit',
    'catalog.edit',
    'Submit the draft for review (quality rules run)',
    NoBody,
    (req, code) => service.submitForReview(actorOf(req), code),
  );
  transition(
    'return',
    'catalog.publish',
    'Send a version in review back to draft',
    z.object({ reason: z.string().max(500).default('') }),
    (req, code, b) => service.returnToDraft(actorOf(req), code, String(b.reason ?? '')),
  );
  transition(
    'publish',
    'catalog.publish',
    'Publish the version in review; 422 CATALOG.QUALITY_FAILED lists every failed rule',
    z.object({ effectiveFrom: z.iso.date().optional() }),
    (req, code, b) =>
      service.publish(actorOf(req), code, { effectiveFrom: b.effectiveFrom as string | undefined }),
  );
  transition(
    'withdraw',
    'catalog.publish',
    'Withdraw the published item',
    z.object({ reason: z.string().min(1).max(500) }),
    (req, code, b) => service.withdraw(actorOf(req), code, String(b.reason)),
  );

  async function requireScope(req: FastifyRequest, permission: string, code: string): Promise<ItemVersion> {
    const v = await service.current(code);
    if (!v) throw new DomainError('CATALOG.NOT_FOUND');
    authorize(req, permission, scopeOf(v.guide));
    return v;
  }

  // ── pages ────────────────────────────────────────────────────────────────────────────────
  const PageQuery = ItemListQuery.extend({
    // empty selects submit '' — treat as absent
    region: z.string().optional(),
    type: z.string().optional(),
    theme: z.string().optional(),
    level: z.string().optional(),
    depth: z.string().optional(),
    department: z.string().optional(),
  });

  type DepartmentWithItems = Awaited<ReturnType<CatalogService['departmentsWithItems']>>[number];

  /** `departments`: the list of departments with items, when the caller has loaded it already. */
  async function browse(
    req: FastifyRequest,
    reply: FastifyReply,
    fixed: { department?: string } = {},
    title?: string,
    departmentsWithItems?: readonly DepartmentWithItems[],
  ) {
    const raw = PageQuery.safeParse(req.query);
    const q = raw.success ? raw.data : PageQuery.parse({});
    const clean = ItemListQuery.safeParse({
      ...Object.fromEntries(Object.entries(q).filter(([, v]) => v !== '' && v !== undefined)),
      ...fixed,
    });
    const query = clean.success ? clean.data : ItemListQuery.parse({});
    const { total, rows } = await service.listItems(query);
    const departments = (departmentsWithItems ?? (await service.departmentsWithItems())).map((d) => ({
      id: d.id,
      name: d.name,
    }));
    const ctx = req.view(reply);
    const t = title ?? ctx.t('catalog.items.title');
    return sendHtml(
      reply,
      renderPage(
        ctx,
        t,
        <ItemsPage
          ctx={ctx}
          title={t}
          total={total}
          rows={rows.map((r) => ({
            implementationCode: r.implementation_code,
            name: r.name,
            department: r.department_name,
            region: r.region_code,
            level: r.exercise_level,
            depth: Number(r.depth),
            promisedLimit: Number(r.promised_limit),
            type: r.type,
          }))}
          page={query.page}
          pageSize={query.pageSize}
          query={queryStrings(req.query as Record<string, unknown>)}
          departments={departments}
          hideDepartment={fixed.department !== undefined}
          action={fixed.department ? `/departments/${encodeURIComponent(fixed.department)}/items` : '/items'}
        />,
        { wide: true },
      ),
    );
  }

  app.get('/items', { config: { permission: 'public' }, schema: { hide: true } }, (req, reply) =>
    browse(req, reply),
  );

  app.get('/themes', { config: { permission: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const counts = await service.themeCounts();
    const ctx = req.view(reply);
    return sendHtml(
      reply,
      renderPage(ctx, ctx.t('catalog.themes.title'), <ThemesPage ctx={ctx} counts={counts} />),
    );
  });

  app.get(
    '/departments',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (req, reply) => {
      const ctx = req.view(reply);
      const departments = await service.departmentsWithItems();
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('catalog.departments.title'),
          <DepartmentsPage ctx={ctx} departments={departments} />,
        ),
      );
    },
  );

  app.get(
    '/departments/:id/items',
    {
      config: { permission: 'public' },
      schema: { hide: true, params: z.object({ id: z.string().max(64) }) },
    },
    async (req, reply) => {
      const all = await service.departmentsWithItems();
      const dept = all.find((d) => d.id === req.params.id);
      if (!dept) throw new DomainError('COMMON.NOT_FOUND');
      return browse(req, reply, { department: dept.id }, dept.name, all);
    },
  );

  app.get('/bundles', { config: { permission: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const ctx = req.view(reply);
    return sendHtml(
      reply,
      renderPage(
        ctx,
        ctx.t('catalog.bundles.title'),
        <BundlesPage ctx={ctx} bundles={await service.listBundles()} />,
      ),
    );
  });

  app.get(
    '/items/:code',
    { config: { permission: 'public' }, schema: { hide: true, params: CodeParams } },
    async (req, reply) => {
      const v = await service.requirePublished(req.params.code);
      const ctx = req.view(reply);
      return sendHtml(reply, renderPage(ctx, v.guide.name, <GuidePage ctx={ctx} v={v} current />));
    },
  );

  app.get(
    '/items/:code/versions',
    { config: { permission: 'public' }, schema: { hide: true, params: CodeParams } },
    async (req, reply) => {
      const versions = (await service.listVersions(req.params.code)).filter((v) =>
        PUBLIC_STATUSES.includes(v.status),
      );
      if (versions.length === 0) throw new DomainError('CATALOG.NOT_FOUND');
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('catalog.versions.title'),
          <VersionsPage ctx={ctx} code={req.params.code} name={versions[0]!.name} versions={versions} />,
        ),
      );
    },
  );

  app.get(
    '/items/:code/versions/:version',
    { config: { permission: 'public' }, schema: { hide: true, params: VersionParams } },
    async (req, reply) => {
      const v = await service.requireVersion(req.params.code, req.params.version);
      if (!PUBLIC_STATUSES.includes(v.status)) throw new DomainError('CATALOG.VERSION_NOT_FOUND');
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(ctx, v.guide.name, <GuidePage ctx={ctx} v={v} current={v.status === 'published'} />),
      );
    },
  );

  app.get(
    '/items/:code/diff',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        params: CodeParams,
        querystring: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }),
      },
    },
    async (req, reply) => {
      const d = await service.diff(req.params.code, req.query.from, req.query.to);
      if (!PUBLIC_STATUSES.includes(d.from.status) || !PUBLIC_STATUSES.includes(d.to.status))
        throw new DomainError('CATALOG.VERSION_NOT_FOUND');
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('catalog.diff.title'),
          <DiffPage
            ctx={ctx}
            code={req.params.code}
            name={d.to.guide.name}
            from={d.from.version}
            to={d.to.version}
            changes={d.changes}
          />,
          { wide: true },
        ),
      );
    },
  );

  // ── admin pages ──────────────────────────────────────────────────────────────────────────
  app.get(
    '/admin/items',
    { config: { permission: { permission: 'catalog.edit' } }, schema: { hide: true } },
    async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const status = q.status === 'published' || q.status === 'withdrawn' ? q.status : 'open';
      const page = Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1);
      const { total, rows } = await service.listItems({ q: q.q || undefined, status, page, pageSize: 50 });
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('catalog.admin.title'),
          <AdminListPage
            ctx={ctx}
            total={total}
            page={page}
            pageSize={50}
            query={queryStrings(q)}
            rows={rows.map((r) => ({
              implementationCode: r.implementation_code,
              name: r.name,
              department: r.department_name,
              region: r.region_code,
              level: r.exercise_level,
              depth: Number(r.depth),
              promisedLimit: Number(r.promised_limit),
              type: r.type,
              status: r.status,
            }))}
          />,
          { wide: true },
        ),
      );
    },
  );

  const editPage = (
    req: FastifyRequest,
    reply: FastifyReply,
    p: {
      code: string | null;
      version: ItemVersion | null;
      values: EditValues;
      issues?: Array<FieldIssue & { message: string }>;
      notice?: string;
      preview?: ItemVersion;
    },
    status = 200,
  ) => {
    const ctx = req.view(reply);
    const canPublish = p.version ? allows(req.principal, 'catalog.publish', scopeOf(p.version.guide)) : false;
    return sendHtml(
      reply,
      renderPage(
        ctx,
        p.values.name || ctx.t('catalog.admin.new'),
        <EditPage ctx={ctx} {...p} issues={p.issues ?? []} canPublish={canPublish} />,
        { wide: true },
      ),
      status,
    );
  };

  /** The edited guide: the JSON box, with the main fields laid over it. */
  function guideFromForm(f: Record<string, string>): { values: EditValues } {
    const values: EditValues = {
      name: f.name ?? '',
      promisedDays: f.promisedDays ?? '',
      statutoryDays: f.statutoryDays ?? '',
      handlingKind: f.handlingKind ?? 'promised',
      depth: f.depth ?? '1',
      visits: f.visits ?? '',
      realNameLevel: f.realNameLevel ?? '2',
      themes: f.themes ?? '',
      conditions: f.conditions ?? '',
      guideJson: f.guideJson ?? '',
    };
    return { values };
  }

  const blankGuideJson = JSON.stringify(
    {
      basicCode: '',
      variant: '00',
      name: '',
      type: '01',
      exerciseLevel: 'city',
      implementingBody: { departmentId: '', name: '', creditCode: '', nature: 'statutory' },
      regionCode: '410100',
      powerSource: 'statutory',
      legalBasis: [{ law: '', article: '' }],
      audiences: ['person'],
      conditions: [''],
      handlingKind: 'promised',
      statutoryLimit: { days: 20, unit: 'workingDay' },
      promisedLimit: { days: 10, unit: 'workingDay' },
      handlingForms: ['window'],
      steps: [],
      materials: [],
      fees: { charged: false },
      results: [],
      halls: [],
      appointment: { available: false, dailyQuota: 0 },
      acceptanceScope: { citywide: false },
      online: { available: false, depth: 1, visits: 1 },
      consultation: [{ kind: 'phone', value: '12345' }],
      complaint: [{ kind: 'phone', value: '12345' }],
      review: { reconsideration: '', litigation: '' },
      form: { fields: [] },
    },
    null,
    2,
  );

  function overlay(
    values: EditValues,
    t: Translate,
  ): { input?: unknown; issues: Array<FieldIssue & { message: string }> } {
    const issues: Array<FieldIssue & { message: string }> = [];
    let base: Record<string, unknown>;
    try {
      base = JSON.parse(values.guideJson || '{}') as Record<string, unknown>;
      if (typeof base !== 'object' || base === null || Array.isArray(base)) throw new Error('not an object');
    } catch (e) {
      const reason = (e as Error).message.slice(0, 120);
      return {
        issues: [
          {
            field: 'guideJson',
            rule: 'JSON',
            message: t('catalog.edit.badJson', { reason }),
          },
        ],
      };
    }
    const num = (name: 'promisedDays' | 'statutoryDays' | 'visits'): number | undefined => {
      const s = values[name].trim();
      if (!/^\d{1,4}$/.test(s)) {
        issues.push({
          field: name,
          rule: 'NUMBER',
          message: t('catalog.edit.badNumber'),
        });
        return undefined;
      }
      return Number(s);
    };
    const promised = num('promisedDays');
    const statutory = num('statutoryDays');
    const visits = num('visits');
    const obj = (k: string) =>
      typeof base[k] === 'object' && base[k] !== null ? (base[k] as Record<string, unknown>) : {};
    const input = {
      ...base,
      name: values.name.trim(),
      handlingKind: values.handlingKind === 'immediate' ? 'immediate' : 'promised',
      promisedLimit: { ...obj('promisedLimit'), days: promised ?? 0 },
      statutoryLimit: { ...obj('statutoryLimit'), days: statutory ?? 0 },
      online: { ...obj('online'), depth: Number(values.depth) || 1, visits: visits ?? 0 },
      // anything but 1, 2 or 3 is left for the schema to refuse, on this field
      realNameLevel: /^[123]$/.test(values.realNameLevel)
        ? Number(values.realNameLevel)
        : values.realNameLevel,
      themes: values.themes
        .split(/[,，\s]+/)
        .map((s) => s.trim())
        .filter(Boolean),
      conditions: values.conditions
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean),
    };
    return { input, issues };
  }

  const schemaIssues = (e: DomainError) =>
    ((e.details as Array<{ field: string; rule: string; message: string }> | undefined) ?? []).map((i) => ({
      field: i.field,
      rule: i.rule,
      message: i.message,
    }));

  app.get(
    '/admin/items/new',
    { config: { permission: { permission: 'catalog.edit' } }, schema: { hide: true } },
    async (req, reply) =>
      editPage(req, reply, {
        code: null,
        version: null,
        values: {
          name: '',
          promisedDays: '10',
          statutoryDays: '20',
          handlingKind: 'promised',
          depth: '1',
          visits: '1',
          realNameLevel: '2',
          themes: '',
          conditions: '',
          guideJson: blankGuideJson,
        },
      }),
  );

  app.post(
    '/admin/items/new',
    { config: { permission: { permission: 'catalog.edit' } }, schema: { hide: true } },
    async (req, reply) => {
      const { values } = guideFromForm(formBody(req));
      const ctx = req.view(reply);
      const { input, issues } = overlay(values, ctx.t);
      if (!input || issues.length)
        return editPage(req, reply, { code: null, version: null, values, issues }, 400);
      const parsed = Guide.safeParse(input);
      if (!parsed.success) {
        const list = parsed.error.issues.map((i) => ({
          field: i.path.join('.') || '*',
          rule: i.code,
          message: `${i.path.join('.')}：${i.message}`,
        }));
        return editPage(
          req,
          reply,
          { code: null, version: null, values, issues: issueLines(ctx, list) },
          400,
        );
      }
      const g = parsed.data;
      const action = (formBody(req).do ?? 'save') as string;
      if (action === 'preview') {
        const preview = previewVersion(g, null);
        return editPage(req, reply, {
          code: null,
          version: null,
          values,
          preview,
          issues: issueLines(ctx, service.checkQuality(g)),
        });
      }
      authorize(req, 'catalog.edit', scopeOf(g));
      try {
        const v = await service.createDraft(actorOf(req), g);
        return reply.redirect(`/admin/items/${v.implementationCode}/edit?done=saved`, 303);
      } catch (e) {
        if (isDomainError(e) && e.status < 500) {
          const list =
            e.code === 'CATALOG.INVALID_GUIDE'
              ? issueLines(ctx, schemaIssues(e))
              : [{ field: 'guideJson', rule: e.code, message: e.messageIn(ctx.lang) }];
          return editPage(req, reply, { code: null, version: null, values, issues: list }, e.status);
        }
        throw e;
      }
    },
  );

  function previewVersion(g: Guide, v: ItemVersion | null): ItemVersion {
    const at = new Date().toISOString();
    return {
      implementationCode: implementationCodeOf(g),
      version: v?.version ?? 1,
      status: 'draft',
      effectiveFrom: null,
      withdrawnAt: null,
      publishedAt: null,
      createdAt: at,
      updatedAt: at,
      departmentName: g.implementingBody.name,
      guide: g,
    };
  }

  app.get(
    '/admin/items/:code/edit',
    {
      config: { permission: { permission: 'catalog.edit' } },
      schema: {
        hide: true,
        params: CodeParams,
        querystring: z.object({ done: z.string().max(20).optional() }),
      },
    },
    async (req, reply) => {
      const v = await requireScope(req, 'catalog.edit', req.params.code);
      const ctx = req.view(reply);
      const done = req.query.done;
      const notice = done && /^[a-z]+$/.test(done) ? ctx.t(`catalog.edit.${done}`) : undefined;
      // the current quality failures are shown as warnings while editing
      const issues = v.status === 'draft' ? issueLines(ctx, service.checkQuality(v.guide)) : [];
      return editPage(req, reply, {
        code: req.params.code,
        version: v,
        values: valuesOf(v.guide),
        notice,
        issues,
      });
    },
  );

  app.post(
    '/admin/items/:code/edit',
    { config: { permission: { permission: 'catalog.edit' } }, schema: { hide: true, params: CodeParams } },
    async (req, reply) => {
      const code = req.params.code;
      const v = await requireScope(req, 'catalog.edit', code);
      const f = formBody(req);
      const action = f.do ?? 'save';
      const ctx = req.view(reply);
      const actor = actorOf(req);
      const back = (done: string) => reply.redirect(`/admin/items/${code}/edit?done=${done}`, 303);
      const fail = (e: unknown, values: EditValues) => {
        if (isDomainError(e) && e.status < 500) {
          const list =
            e.code === 'CATALOG.QUALITY_FAILED'
              ? issueLines(ctx, e.details as never)
              : e.code === 'CATALOG.INVALID_GUIDE'
                ? issueLines(ctx, schemaIssues(e))
                : [{ field: 'guideJson', rule: e.code, message: e.messageIn(ctx.lang) }];
          return editPage(req, reply, { code, version: v, values, issues: list }, e.status);
        }
        throw e;
      };
      try {
        switch (action) {
          case 'submit':
            await service.submitForReview(actor, code);
            return back('submitted');
          case 'publish':
            authorize(req, 'catalog.publish', scopeOf(v.guide));
            await service.publish(actor, code, { effectiveFrom: f.effectiveFrom?.trim() || undefined });
            return back('published');
          case 'return':
            authorize(req, 'catalog.publish', scopeOf(v.guide));
            await service.returnToDraft(actor, code, f.reason ?? '');
            return back('returned');
          case 'withdraw':
            authorize(req, 'catalog.publish', scopeOf(v.guide));
            await service.withdraw(actor, code, f.reason?.trim() || '管理员停用');
            return back('withdrawn');
          case 'revise':
            await service.startRevision(actor, code);
            return back('revising');
        }
      } catch (e) {
        return fail(e, valuesOf(v.guide));
      }
      // save or preview
      const { values } = guideFromForm(f);
      const { input, issues } = overlay(values, ctx.t);
      if (!input || issues.length) return editPage(req, reply, { code, version: v, values, issues }, 400);
      const parsed = Guide.safeParse(input);
      if (!parsed.success) {
        const list = parsed.error.issues.map((i) => ({
          field: i.path.join('.') || '*',
          rule: i.code,
          message: `${i.path.join('.')}：${i.message}`,
        }));
        return editPage(req, reply, { code, version: v, values, issues: issueLines(ctx, list) }, 400);
      }
      if (action === 'preview') {
        return editPage(req, reply, {
          code,
          version: v,
          values,
          preview: previewVersion(parsed.data, v),
          issues: issueLines(ctx, service.checkQuality(parsed.data)),
        });
      }
      try {
        await service.updateDraft(actor, code, parsed.data);
        return back('saved');
      } catch (e) {
        return fail(e, values);
      }
    },
  );
}

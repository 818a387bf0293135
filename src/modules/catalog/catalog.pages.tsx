import type { ComponentChildren } from 'preact';
import { type FieldIssue, chinaDate } from '../../kernel/index.js';
import {
  Breadcrumbs,
  Button,
  LinkButton,
  CsrfField,
  ErrorSummary,
  Notice,
  PageHeading,
  Pagination,
  SelectField,
  SummaryList,
  Table,
  Tag,
  TextArea,
  TextField,
  type ViewContext,
  fieldId,
} from '../../platform/views/index.js';
import type { FieldChange } from './catalog.diff.js';
import {
  type Bundle,
  EXERCISE_LEVELS,
  type Guide,
  ITEM_TYPES,
  type ItemVersion,
  type Material,
  type QualityIssue,
  THEMES,
  type TimeLimit,
  type VersionStatus,
} from './catalog.types.js';

/** Server-rendered catalogue pages: browse, the guide (printable), versions, diff, admin editing. */

const PRINT_CSS = `
@media print {
  .site-header, .site-nav, .site-footer, .skip-link, .no-print, .demo-banner { display: none !important; }
  .guide-section { break-inside: avoid; }
  a[href]::after { content: ""; }
  .checklist input { width: 1em; height: 1em; }
}
.guide-section { margin-block: 1.5rem; }
.reuse-box { border-left: 6px solid #00703c; padding: .75rem 1rem; background: #f3f9f5; }
.checklist { list-style: none; padding-left: 0; }
.checklist li { margin-block: .35rem; }
.diff-before { background: #fdecea; }
.diff-after { background: #e8f5e9; }
.json-input { width: 100%; min-height: 24rem; font-family: monospace; font-size: .85rem; }
`;

export function limitText(ctx: ViewContext, l: TimeLimit): string {
  if (l.days === 0) return ctx.t('catalog.limit.immediate');
  return ctx.t(l.unit === 'naturalDay' ? 'catalog.limit.naturalDays' : 'catalog.limit.workingDays', {
    n: l.days,
  });
}

const depthColour = (d: number) => (d >= 4 ? 'green' : d === 3 ? 'blue' : d === 2 ? 'yellow' : 'grey');

export function DepthTag({ ctx, depth }: { ctx: ViewContext; depth: number }) {
  return <Tag colour={depthColour(depth)}>{ctx.t(`catalog.depth.${depth}`)}</Tag>;
}

function themeLabel(ctx: ViewContext, code: string): string {
  return ctx.t(`catalog.theme.${code}`);
}

// ── browse ────────────────────────────────────────────────────────────────────────────────

export interface BrowseRow {
  implementationCode: string;
  name: string;
  department: string;
  region: string;
  level: string;
  depth: number;
  promisedLimit: number;
  type: string;
  status?: string;
}

export function ItemsPage(p: {
  ctx: ViewContext;
  title: string;
  total: number;
  rows: BrowseRow[];
  page: number;
  pageSize: number;
  query: Record<string, string>;
  departments: Array<{ id: string; name: string }>;
  hideDepartment?: boolean;
  action?: string;
}) {
  const { ctx, query } = p;
  const opt = (value: string, label: string) => ({ value, label });
  return (
    <div>
      <PageHeading caption={ctx.t('catalog.caption')}>{p.title}</PageHeading>
      <form
        method="get"
        action={p.action ?? '/items'}
        class="filter-form"
        aria-label={ctx.t('catalog.filter.label')}
      >
        <TextField
          name="q"
          label={ctx.t('catalog.filter.q')}
          value={query.q ?? ''}
          type="search"
          width="medium"
        />
        <SelectField
          name="theme"
          label={ctx.t('catalog.filter.theme')}
          value={query.theme ?? ''}
          options={[
            opt('', ctx.t('catalog.filter.all')),
            ...THEMES.map((t) =>
              opt(t.code, `${ctx.t(`catalog.audience.${t.audience}`)} · ${themeLabel(ctx, t.code)}`),
            ),
          ]}
        />
        {p.hideDepartment ? null : (
          <SelectField
            name="department"
            label={ctx.t('catalog.filter.department')}
            value={query.department ?? ''}
            options={[opt('', ctx.t('catalog.filter.all')), ...p.departments.map((d) => opt(d.id, d.name))]}
          />
        )}
        <SelectField
          name="level"
          label={ctx.t('catalog.filter.level')}
          value={query.level ?? ''}
          options={[
            opt('', ctx.t('catalog.filter.all')),
            ...EXERCISE_LEVELS.map((l) => opt(l, ctx.t(`catalog.level.${l}`))),
          ]}
        />
        <SelectField
          name="depth"
          label={ctx.t('catalog.filter.depth')}
          value={query.depth ?? ''}
          options={[
            opt('', ctx.t('catalog.filter.all')),
            ...[1, 2, 3, 4].map((d) => opt(String(d), ctx.t(`catalog.depth.${d}`))),
          ]}
        />
        <SelectField
          name="type"
          label={ctx.t('catalog.filter.type')}
          value={query.type ?? ''}
          options={[
            opt('', ctx.t('catalog.filter.all')),
            ...ITEM_TYPES.map((t) => opt(t, ctx.t(`catalog.type.${t}`))),
          ]}
        />
        <Button variant="secondary">{ctx.t('catalog.filter.apply')}</Button>
      </form>
      <p role="status">{ctx.t('catalog.items.count', { n: p.total })}</p>
      <Table
        caption={p.title}
        rows={p.rows}
        empty={ctx.t('catalog.items.empty')}
        columns={[
          {
            header: ctx.t('catalog.col.name'),
            cell: (r) => <a href={`/items/${r.implementationCode}`}>{r.name}</a>,
          },
          { header: ctx.t('catalog.col.type'), cell: (r) => ctx.t(`catalog.type.${r.type}`) },
          { header: ctx.t('catalog.col.department'), cell: (r) => r.department },
          { header: ctx.t('catalog.col.level'), cell: (r) => ctx.t(`catalog.level.${r.level}`) },
          { header: ctx.t('catalog.col.depth'), cell: (r) => <DepthTag ctx={ctx} depth={r.depth} /> },
          {
            header: ctx.t('catalog.col.promised'),
            cell: (r) => limitText(ctx, { days: r.promisedLimit, unit: 'workingDay' }),
          },
        ]}
      />
      <Pagination ctx={ctx} page={p.page} pageSize={p.pageSize} total={p.total} baseQuery={query} />
    </div>
  );
}

export function ThemesPage({ ctx, counts }: { ctx: ViewContext; counts: Map<string, number> }) {
  const group = (audience: 'person' | 'organization') => (
    <section>
      <h2>{ctx.t(`catalog.themes.${audience}`)}</h2>
      <ul class="theme-list">
        {THEMES.filter((t) => t.audience === audience).map((t) => (
          <li>
            <a href={`/items?theme=${t.code}`}>{themeLabel(ctx, t.code)}</a>{' '}
            <span class="muted">({counts.get(t.code) ?? 0})</span>
          </li>
        ))}
      </ul>
    </section>
  );
  return (
    <div>
      <PageHeading caption={ctx.t('catalog.caption')}>{ctx.t('catalog.themes.title')}</PageHeading>
      {group('person')}
      {group('organization')}
      <p>
        <a href="/bundles">{ctx.t('catalog.bundles.title')}</a> ·{' '}
        <a href="/departments">{ctx.t('catalog.departments.title')}</a>
      </p>
    </div>
  );
}

export function DepartmentsPage({
  ctx,
  departments,
}: {
  ctx: ViewContext;
  departments: Array<{ id: string; name: string; regionCode: string; count: number }>;
}) {
  return (
    <div>
      <PageHeading caption={ctx.t('catalog.caption')}>{ctx.t('catalog.departments.title')}</PageHeading>
      <Table
        caption={ctx.t('catalog.departments.title')}
        rows={departments}
        columns={[
          {
            header: ctx.t('catalog.col.department'),
            cell: (d) => <a href={`/departments/${encodeURIComponent(d.id)}/items`}>{d.name}</a>,
          },
          { header: ctx.t('catalog.col.region'), cell: (d) => d.regionCode },
          { header: ctx.t('catalog.col.count'), cell: (d) => d.count, numeric: true },
        ]}
      />
    </div>
  );
}

export function BundlesPage({ ctx, bundles }: { ctx: ViewContext; bundles: Bundle[] }) {
  return (
    <div>
      <PageHeading caption={ctx.t('catalog.caption')}>{ctx.t('catalog.bundles.title')}</PageHeading>
      {bundles.map((b) => (
        <section class="guide-section" id={`bundle-${b.code}`}>
          <h2>
            {b.name} {b.demo ? <Tag>{ctx.t('catalog.demo')}</Tag> : null}
          </h2>
          <p>{b.description}</p>
          <p>
            {ctx.t('catalog.guide.promised')}: {limitText(ctx, b.promisedLimit)}
          </p>
          <p>
            <LinkButton href={`/bundles/${encodeURIComponent(b.code)}/apply`} variant="primary">
              {ctx.t('catalog.bundles.apply')}
            </LinkButton>
          </p>
          <h3>{ctx.t('catalog.bundles.members')}</h3>
          <ol>
            {b.members.map((m) => (
              <li>
                <a href={`/items/${m.implementationCode}`}>{m.name}</a>
              </li>
            ))}
          </ol>
          <Table
            caption={ctx.t('catalog.bundles.materials', { name: b.name })}
            rows={b.materials}
            columns={[
              { header: ctx.t('catalog.material.name'), cell: (m) => m.name },
              { header: ctx.t('catalog.material.source'), cell: (m) => <SourceCell ctx={ctx} m={m} /> },
              { header: ctx.t('catalog.bundles.usedBy'), cell: (m) => m.usedBy.length, numeric: true },
            ]}
          />
        </section>
      ))}
    </div>
  );
}

// ── the guide ─────────────────────────────────────────────────────────────────────────────

function Section({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="guide-section" id={id} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{title}</h2>
      {children}
    </section>
  );
}

function SourceCell({ ctx, m }: { ctx: ViewContext; m: Material }) {
  if (m.source === 'government') {
    return (
      <span>
        {ctx.t('catalog.source.government')}
        {m.licenceType ? ` · ${ctx.t('catalog.material.licence', { type: m.licenceType })}` : ''}
        {m.sharedData ? ` · ${ctx.t('catalog.material.shared', { data: m.sharedData })}` : ''}
      </span>
    );
  }
  return <span>{ctx.t(m.source ? `catalog.source.${m.source}` : 'catalog.source.unknown')}</span>;
}

function MaterialsTable({
  ctx,
  materials,
  caption,
}: {
  ctx: ViewContext;
  materials: Material[];
  caption: string;
}) {
  return (
    <Table
      caption={caption}
      rows={materials}
      empty={ctx.t('catalog.material.none')}
      columns={[
        { header: ctx.t('catalog.material.name'), cell: (m) => m.name },
        {
          header: ctx.t('catalog.material.necessity'),
          cell: (m) =>
            m.necessity === 'required'
              ? ctx.t('catalog.necessity.required')
              : `${ctx.t('catalog.necessity.optional')}（${m.requiredWhen ?? ''}）`,
        },
        { header: ctx.t('catalog.material.form'), cell: (m) => ctx.t(`catalog.materialForm.${m.form}`) },
        { header: ctx.t('catalog.material.source'), cell: (m) => <SourceCell ctx={ctx} m={m} /> },
        { header: ctx.t('catalog.material.originals'), cell: (m) => m.originals, numeric: true },
        { header: ctx.t('catalog.material.copies'), cell: (m) => m.copies, numeric: true },
        {
          header: ctx.t('catalog.material.blank'),
          cell: (m) =>
            m.blankForm || m.sample ? (
              <span>
                {m.blankForm ? <a href={m.blankForm}>{ctx.t('catalog.material.blankForm')}</a> : null}{' '}
                {m.sample ? <a href={m.sample}>{ctx.t('catalog.material.sample')}</a> : null}
              </span>
            ) : (
              '—'
            ),
        },
      ]}
    />
  );
}

const yesNo = (ctx: ViewContext, b: boolean) => ctx.t(b ? 'common.yes' : 'common.no');

export function GuidePage({
  ctx,
  v,
  current,
  preview,
}: {
  ctx: ViewContext;
  v: ItemVersion;
  /** the version is the one currently published */
  current: boolean;
  preview?: boolean;
}) {
  const g: Guide = v.guide;
  const allMaterials = [...g.materials, ...g.situations.flatMap((s) => s.materials)];
  const reusable = allMaterials.filter((m) => m.source === 'government' && (m.licenceType || m.sharedData));
  const code = v.implementationCode;
  return (
    <article class="guide">
      <style>{PRINT_CSS}</style>
      {preview ? null : (
        <Breadcrumbs
          label={ctx.t('catalog.breadcrumbs')}
          items={[
            { href: '/items', text: ctx.t('catalog.items.title') },
            {
              href: `/departments/${encodeURIComponent(g.implementingBody.departmentId)}/items`,
              text: g.implementingBody.name,
            },
            { text: g.name },
          ]}
        />
      )}
      <PageHeading caption={`${g.implementingBody.name} · ${ctx.t(`catalog.type.${g.type}`)}`}>
        {g.name}
      </PageHeading>
      {g.demo ? <Notice kind="warning">{ctx.t('catalog.demoNotice')}</Notice> : null}
      {!current && !preview ? (
        <Notice kind="warning">
          {ctx.t('catalog.guide.oldVersion', {
            version: v.version,
            status: ctx.t(`catalog.status.${v.status}`),
          })}{' '}
          <a href={`/items/${code}`}>{ctx.t('catalog.guide.currentLink')}</a>
        </Notice>
      ) : null}
      <p class="no-print">
        <a href={`/items/${code}/versions`}>{ctx.t('catalog.guide.versionsLink')}</a>
      </p>

      <Section id="basics" title={ctx.t('catalog.guide.basics')}>
        <SummaryList
          rows={[
            { key: ctx.t('catalog.guide.implementationCode'), value: <code>{code}</code> },
            { key: ctx.t('catalog.guide.basicCode'), value: <code>{g.basicCode}</code> },
            {
              key: ctx.t('catalog.guide.version'),
              value: `${v.version}（${ctx.t(`catalog.status.${v.status}`)}${v.effectiveFrom ? `，${ctx.t('catalog.guide.effectiveFrom', { date: v.effectiveFrom })}` : ''}）`,
            },
            { key: ctx.t('catalog.guide.type'), value: ctx.t(`catalog.type.${g.type}`) },
            { key: ctx.t('catalog.guide.level'), value: ctx.t(`catalog.level.${g.exerciseLevel}`) },
            {
              key: ctx.t('catalog.guide.body'),
              value: `${g.implementingBody.name}（${g.implementingBody.creditCode}，${ctx.t(`catalog.nature.${g.implementingBody.nature}`)}）`,
            },
            ...(g.entrustedBy ? [{ key: ctx.t('catalog.guide.entrustedBy'), value: g.entrustedBy }] : []),
            ...(g.jointBodies.length
              ? [{ key: ctx.t('catalog.guide.jointBodies'), value: g.jointBodies.join('、') }]
              : []),
            { key: ctx.t('catalog.guide.powerSource'), value: ctx.t(`catalog.powerSource.${g.powerSource}`) },
            {
              key: ctx.t('catalog.guide.audiences'),
              value: g.audiences.map((a) => ctx.t(`catalog.audience.${a}`)).join('、'),
            },
            {
              key: ctx.t('catalog.guide.realNameLevel'),
              value: ctx.t(`catalog.realNameLevel.${g.realNameLevel}`),
            },
            { key: ctx.t('catalog.guide.handlingKind'), value: ctx.t(`catalog.handling.${g.handlingKind}`) },
            {
              key: ctx.t('catalog.guide.statutory'),
              value: `${limitText(ctx, g.statutoryLimit)}${g.statutoryLimit.note ? `（${g.statutoryLimit.note}）` : ''}`,
            },
            {
              key: ctx.t('catalog.guide.promised'),
              value: `${limitText(ctx, g.promisedLimit)}${g.promisedLimit.note ? `（${g.promisedLimit.note}）` : ''}`,
            },
            {
              key: ctx.t('catalog.guide.handlingForms'),
              value: g.handlingForms.map((f) => ctx.t(`catalog.handlingForm.${f}`)).join('、'),
            },
            { key: ctx.t('catalog.guide.depth'), value: <DepthTag ctx={ctx} depth={g.online.depth} /> },
            {
              key: ctx.t('catalog.guide.visits'),
              value: ctx.t('catalog.guide.visitsN', { n: g.online.visits }),
            },
            {
              key: ctx.t('catalog.guide.scope'),
              value: [
                g.acceptanceScope.citywide ? ctx.t('catalog.scope.citywide') : ctx.t('catalog.scope.local'),
                ...g.acceptanceScope.crossRegion.map((c) => ctx.t(`catalog.scope.${c}`)),
              ].join('、'),
            },
            ...(g.quantityLimit
              ? [{ key: ctx.t('catalog.guide.quantityLimit'), value: g.quantityLimit }]
              : []),
            ...(g.themes.length
              ? [
                  {
                    key: ctx.t('catalog.guide.themes'),
                    value: g.themes.map((t) => themeLabel(ctx, t)).join('、'),
                  },
                ]
              : []),
          ]}
        />
      </Section>

      <Section id="basis" title={ctx.t('catalog.guide.legalBasis')}>
        <ul>
          {g.legalBasis.map((b) => (
            <li>
              {b.law}
              {b.article}
              {b.text ? `：${b.text}` : ''}
            </li>
          ))}
        </ul>
      </Section>

      <Section id="conditions" title={ctx.t('catalog.guide.conditions')}>
        <ol>
          {g.conditions.map((c) => (
            <li>{c}</li>
          ))}
        </ol>
      </Section>

      <Section id="materials" title={ctx.t('catalog.guide.materials')}>
        <MaterialsTable ctx={ctx} materials={g.materials} caption={ctx.t('catalog.guide.materials')} />
        {reusable.length ? (
          <div class="reuse-box" role="note" aria-labelledby="reuse-h">
            <h3 id="reuse-h">{ctx.t('catalog.guide.reuseTitle')}</h3>
            <p>{ctx.t('catalog.guide.reuseIntro')}</p>
            <ul>
              {reusable.map((m) => (
                <li>
                  {m.name} —{' '}
                  {m.licenceType
                    ? ctx.t('catalog.material.licence', { type: m.licenceType })
                    : ctx.t('catalog.material.shared', { data: m.sharedData ?? '' })}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <h3>{ctx.t('catalog.guide.checklist')}</h3>
        <ul class="checklist">
          {allMaterials.map((m, i) => (
            <li>
              <input type="checkbox" id={`chk-${i}`} />{' '}
              <label for={`chk-${i}`}>
                {m.name}
                {m.necessity === 'optional'
                  ? `（${m.requiredWhen ?? ctx.t('catalog.necessity.optional')}）`
                  : ''}
                {m.source === 'government'
                  ? ` — ${ctx.t('catalog.guide.reusable')}`
                  : ` — ${ctx.t('catalog.guide.originalsCopies', { o: m.originals, c: m.copies })}`}
              </label>
            </li>
          ))}
        </ul>
      </Section>

      {g.situations.length ? (
        <Section id="situations" title={ctx.t('catalog.guide.situations')}>
          {g.situations.map((s) => (
            <div>
              <h3>
                {s.code} {s.name}
              </h3>
              {s.description ? <p>{s.description}</p> : null}
              {s.promisedLimit ? (
                <p>
                  {ctx.t('catalog.guide.promised')}: {limitText(ctx, s.promisedLimit)}
                </p>
              ) : null}
              {s.statutoryLimit ? (
                <p>
                  {ctx.t('catalog.guide.statutory')}: {limitText(ctx, s.statutoryLimit)}
                </p>
              ) : null}
              {s.materials.length ? (
                <MaterialsTable
                  ctx={ctx}
                  materials={s.materials}
                  caption={ctx.t('catalog.guide.situationMaterials', { name: s.name })}
                />
              ) : (
                <p>{ctx.t('catalog.guide.noExtraMaterials')}</p>
              )}
            </div>
          ))}
        </Section>
      ) : null}

      <Section id="steps" title={ctx.t('catalog.guide.steps')}>
        <Table
          caption={ctx.t('catalog.guide.steps')}
          rows={g.steps}
          columns={[
            { header: ctx.t('catalog.step.name'), cell: (s) => s.name },
            { header: ctx.t('catalog.step.office'), cell: (s) => s.office },
            { header: ctx.t('catalog.step.limit'), cell: (s) => limitText(ctx, s.limit) },
            { header: ctx.t('catalog.step.description'), cell: (s) => s.description ?? '—' },
          ]}
        />
        {g.specialProcedures.length ? (
          <>
            <h3>{ctx.t('catalog.guide.special')}</h3>
            <p>{ctx.t('catalog.guide.specialNote')}</p>
            <ul>
              {g.specialProcedures.map((s) => (
                <li>
                  {s.name}（{ctx.t(`catalog.special.${s.kind}`)}）：{limitText(ctx, s.limit)}
                  {s.basis ? `，${s.basis}` : ''}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </Section>

      <Section id="fees" title={ctx.t('catalog.guide.fees')}>
        {g.fees.charged ? (
          <>
            <Table
              caption={ctx.t('catalog.guide.fees')}
              rows={g.fees.items}
              columns={[
                { header: ctx.t('catalog.fee.name'), cell: (f) => f.name },
                { header: ctx.t('catalog.fee.standard'), cell: (f) => f.standard },
                { header: ctx.t('catalog.fee.basis'), cell: (f) => f.basis },
              ]}
            />
            <p>
              {ctx.t('catalog.fee.payment')}:{' '}
              {g.fees.paymentMethods.map((m) => ctx.t(`catalog.payment.${m}`)).join('、')}
              {g.fees.waiver ? `；${g.fees.waiver}` : ''}
            </p>
          </>
        ) : (
          <p>{ctx.t('catalog.fee.free')}</p>
        )}
      </Section>

      <Section id="results" title={ctx.t('catalog.guide.results')}>
        <Table
          caption={ctx.t('catalog.guide.results')}
          rows={g.results}
          columns={[
            { header: ctx.t('catalog.result.name'), cell: (r) => r.name },
            { header: ctx.t('catalog.result.kind'), cell: (r) => ctx.t(`catalog.resultKind.${r.kind}`) },
            {
              header: ctx.t('catalog.result.eLicence'),
              cell: (r) => (r.eLicence ? (r.licenceType ?? yesNo(ctx, true)) : yesNo(ctx, false)),
            },
            { header: ctx.t('catalog.result.post'), cell: (r) => yesNo(ctx, r.postalDelivery) },
            {
              header: ctx.t('catalog.result.sample'),
              cell: (r) => (r.sample ? <a href={r.sample}>{ctx.t('catalog.material.sample')}</a> : '—'),
            },
          ]}
        />
      </Section>

      <Section id="where" title={ctx.t('catalog.guide.where')}>
        {g.halls.length ? (
          <ul>
            {g.halls.map((h) => (
              <li>
                <strong>{h.name}</strong>：{h.address}；{h.hours}
                {h.windows ? `；${h.windows}` : ''}
                {h.phone ? `；${ctx.t('catalog.guide.phone')} ${h.phone}` : ''}
              </li>
            ))}
          </ul>
        ) : (
          <p>{ctx.t('catalog.guide.noHall')}</p>
        )}
        <p>
          {g.appointment.available
            ? ctx.t('catalog.guide.appointment', { n: g.appointment.dailyQuota })
            : ctx.t('catalog.guide.noAppointment')}
        </p>
        <p>
          {ctx.t('catalog.guide.online')}:{' '}
          {g.online.available ? ctx.t('catalog.guide.onlineYes') : ctx.t('catalog.guide.onlineNo')}
          {g.online.singleSignOn ? `；${ctx.t('catalog.guide.sso')}` : ''}
        </p>
      </Section>

      {g.faq.length ? (
        <Section id="faq" title={ctx.t('catalog.guide.faq')}>
          <dl>
            {g.faq.map((f) => (
              <>
                <dt>
                  <strong>{f.question}</strong>
                </dt>
                <dd>{f.answer}</dd>
              </>
            ))}
          </dl>
        </Section>
      ) : null}

      <Section id="help" title={ctx.t('catalog.guide.help')}>
        <SummaryList
          rows={[
            {
              key: ctx.t('catalog.guide.consultation'),
              value: g.consultation
                .map((c) => `${ctx.t(`catalog.channel.${c.kind}`)}：${c.value}`)
                .join('；'),
            },
            {
              key: ctx.t('catalog.guide.complaint'),
              value: g.complaint.map((c) => `${ctx.t(`catalog.channel.${c.kind}`)}：${c.value}`).join('；'),
            },
            { key: ctx.t('catalog.guide.reconsideration'), value: g.review.reconsideration },
            { key: ctx.t('catalog.guide.litigation'), value: g.review.litigation },
          ]}
        />
      </Section>

      {g.duties.length ? (
        <Section id="duties" title={ctx.t('catalog.guide.duties')}>
          <ul>
            {g.duties.map((d) => (
              <li>
                {d.content}
                {d.basis ? `（${d.basis}）` : ''}
              </li>
            ))}
          </ul>
          {g.negativeListRefs.length ? (
            <p>{ctx.t('catalog.guide.negativeList', { refs: g.negativeListRefs.join('、') })}</p>
          ) : null}
        </Section>
      ) : null}
    </article>
  );
}

// ── versions and diff ─────────────────────────────────────────────────────────────────────

export function VersionsPage({
  ctx,
  code,
  name,
  versions,
}: {
  ctx: ViewContext;
  code: string;
  name: string;
  versions: Array<{
    version: number;
    status: VersionStatus;
    effectiveFrom: string | null;
    withdrawnAt: string | null;
    publishedAt: string | null;
  }>;
}) {
  const nums = versions.map((v) => v.version);
  return (
    <div>
      <Breadcrumbs
        label={ctx.t('catalog.breadcrumbs')}
        items={[
          { href: '/items', text: ctx.t('catalog.items.title') },
          { href: `/items/${code}`, text: name },
          { text: ctx.t('catalog.versions.title') },
        ]}
      />
      <PageHeading caption={name}>{ctx.t('catalog.versions.title')}</PageHeading>
      <Table
        caption={ctx.t('catalog.versions.title')}
        rows={versions}
        columns={[
          {
            header: ctx.t('catalog.guide.version'),
            cell: (v) => <a href={`/items/${code}/versions/${v.version}`}>{v.version}</a>,
            numeric: true,
          },
          { header: ctx.t('catalog.col.status'), cell: (v) => ctx.t(`catalog.status.${v.status}`) },
          { header: ctx.t('catalog.versions.effectiveFrom'), cell: (v) => v.effectiveFrom ?? '—' },
          {
            header: ctx.t('catalog.versions.withdrawnAt'),
            cell: (v) => (v.withdrawnAt ? chinaDate(v.withdrawnAt) : '—'),
          },
        ]}
      />
      {nums.length >= 2 ? (
        <form method="get" action={`/items/${code}/diff`} class="filter-form">
          <SelectField
            name="from"
            label={ctx.t('catalog.diff.from')}
            value={String(nums[1])}
            options={nums.map((n) => ({ value: String(n), label: String(n) }))}
          />
          <SelectField
            name="to"
            label={ctx.t('catalog.diff.to')}
            value={String(nums[0])}
            options={nums.map((n) => ({ value: String(n), label: String(n) }))}
          />
          <Button variant="secondary">{ctx.t('catalog.diff.compare')}</Button>
        </form>
      ) : null}
    </div>
  );
}

const show = (v: unknown) =>
  v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);

export function DiffPage({
  ctx,
  code,
  name,
  from,
  to,
  changes,
}: {
  ctx: ViewContext;
  code: string;
  name: string;
  from: number;
  to: number;
  changes: FieldChange[];
}) {
  return (
    <div>
      <Breadcrumbs
        label={ctx.t('catalog.breadcrumbs')}
        items={[
          { href: `/items/${code}`, text: name },
          { href: `/items/${code}/versions`, text: ctx.t('catalog.versions.title') },
          { text: ctx.t('catalog.diff.title') },
        ]}
      />
      <PageHeading caption={name}>{ctx.t('catalog.diff.heading', { from, to })}</PageHeading>
      <Table
        caption={ctx.t('catalog.diff.caption', { n: changes.length })}
        rows={changes}
        empty={ctx.t('catalog.diff.none')}
        columns={[
          { header: ctx.t('catalog.diff.path'), cell: (c) => <code>{c.path}</code> },
          {
            header: ctx.t('catalog.diff.before'),
            cell: (c) => <span class="diff-before">{show(c.before)}</span>,
          },
          {
            header: ctx.t('catalog.diff.after'),
            cell: (c) => <span class="diff-after">{show(c.after)}</span>,
          },
        ]}
      />
    </div>
  );
}

// ── admin ─────────────────────────────────────────────────────────────────────────────────

export function AdminListPage(p: {
  ctx: ViewContext;
  total: number;
  rows: BrowseRow[];
  page: number;
  pageSize: number;
  query: Record<string, string>;
}) {
  const { ctx } = p;
  return (
    <div>
      <PageHeading caption={ctx.t('catalog.admin.caption')}>{ctx.t('catalog.admin.title')}</PageHeading>
      <p>
        <LinkButton href="/admin/items/new" variant="primary">
          {ctx.t('catalog.admin.new')}
        </LinkButton>
      </p>
      <form method="get" action="/admin/items" class="filter-form">
        <TextField
          name="q"
          label={ctx.t('catalog.filter.q')}
          value={p.query.q ?? ''}
          type="search"
          width="medium"
        />
        <SelectField
          name="status"
          label={ctx.t('catalog.col.status')}
          value={p.query.status ?? 'open'}
          options={[
            { value: 'open', label: ctx.t('catalog.admin.open') },
            { value: 'published', label: ctx.t('catalog.status.published') },
            { value: 'withdrawn', label: ctx.t('catalog.status.withdrawn') },
          ]}
        />
        <Button variant="secondary">{ctx.t('catalog.filter.apply')}</Button>
      </form>
      <Table
        caption={ctx.t('catalog.admin.title')}
        rows={p.rows}
        empty={ctx.t('catalog.items.empty')}
        columns={[
          {
            header: ctx.t('catalog.col.name'),
            cell: (r) => <a href={`/admin/items/${r.implementationCode}/edit`}>{r.name}</a>,
          },
          {
            header: ctx.t('catalog.col.status'),
            cell: (r) => ctx.t(`catalog.status.${r.status ?? 'published'}`),
          },
          { header: ctx.t('catalog.col.department'), cell: (r) => r.department },
          { header: ctx.t('catalog.col.level'), cell: (r) => ctx.t(`catalog.level.${r.level}`) },
        ]}
      />
      <Pagination ctx={ctx} page={p.page} pageSize={p.pageSize} total={p.total} baseQuery={p.query} />
    </div>
  );
}

export interface EditValues {
  name: string;
  promisedDays: string;
  statutoryDays: string;
  handlingKind: string;
  depth: string;
  visits: string;
  realNameLevel: string;
  themes: string;
  conditions: string;
  guideJson: string;
}

export function valuesOf(g: Guide): EditValues {
  return {
    name: g.name,
    promisedDays: String(g.promisedLimit.days),
    statutoryDays: String(g.statutoryLimit.days),
    handlingKind: g.handlingKind,
    depth: String(g.online.depth),
    visits: String(g.online.visits),
    realNameLevel: String(g.realNameLevel),
    themes: g.themes.join(','),
    conditions: g.conditions.join('\n'),
    guideJson: JSON.stringify(g, null, 2),
  };
}

/** Translates a quality or schema failure into a line of the error summary. */
export function issueLines(
  ctx: ViewContext,
  issues: ReadonlyArray<QualityIssue | (FieldIssue & { message?: string })>,
) {
  return issues.map((i) => {
    const fix = 'fix' in i ? (ctx.lang === 'en' ? i.fix.en : i.fix.zh) : (i.message ?? i.rule);
    return { field: mainField(i.field), rule: i.rule, message: `${i.field}：${fix}（${i.rule}）` };
  });
}

/** Links an issue to the form control that edits it (the JSON box for nested elements). */
function mainField(field: string): string {
  if (field.startsWith('promisedLimit')) return 'promisedDays';
  if (field.startsWith('statutoryLimit')) return 'statutoryDays';
  if (field === 'handlingKind' || field === 'name' || field === 'themes') return field;
  if (field === 'online.visits') return 'visits';
  if (field === 'online.depth') return 'depth';
  if (field === 'realNameLevel') return field;
  if (field.startsWith('conditions')) return 'conditions';
  return 'guideJson';
}

export function EditPage(p: {
  ctx: ViewContext;
  code: string | null;
  version: ItemVersion | null;
  values: EditValues;
  issues: Array<FieldIssue & { message: string }>;
  notice?: string;
  preview?: ItemVersion;
  canPublish: boolean;
}) {
  const { ctx, values, code, version } = p;
  const status = version?.status;
  const action = code ? `/admin/items/${code}/edit` : '/admin/items/new';
  const text = (
    name: keyof EditValues,
    label: string,
    hint?: string,
    width: 'short' | 'medium' | 'full' = 'full',
  ) => (
    <TextField
      name={name}
      label={label}
      hint={hint}
      value={values[name]}
      width={width}
      error={p.issues.find((i) => i.field === name)?.message}
    />
  );
  const editable = !version || status === 'draft';
  return (
    <div>
      <Breadcrumbs
        label={ctx.t('catalog.breadcrumbs')}
        items={[
          { href: '/admin/items', text: ctx.t('catalog.admin.title') },
          { text: values.name || ctx.t('catalog.admin.new') },
        ]}
      />
      <PageHeading caption={code ?? ctx.t('catalog.admin.new')}>
        {values.name || ctx.t('catalog.admin.new')}
      </PageHeading>
      <ErrorSummary ctx={ctx} issues={p.issues} />
      {p.notice ? <Notice kind="success">{p.notice}</Notice> : null}
      {version ? (
        <p>
          {ctx.t('catalog.admin.state', {
            version: version.version,
            status: ctx.t(`catalog.status.${version.status}`),
          })}{' '}
          {code ? <a href={`/items/${code}/versions`}>{ctx.t('catalog.guide.versionsLink')}</a> : null}
        </p>
      ) : null}
      {editable ? (
        <form method="post" action={action} novalidate>
          <CsrfField ctx={ctx} />
          {text('name', ctx.t('catalog.edit.name'))}
          {text('promisedDays', ctx.t('catalog.edit.promisedDays'), ctx.t('catalog.edit.daysHint'), 'short')}
          {text('statutoryDays', ctx.t('catalog.edit.statutoryDays'), undefined, 'short')}
          <SelectField
            name="handlingKind"
            label={ctx.t('catalog.guide.handlingKind')}
            value={values.handlingKind}
            options={[
              { value: 'immediate', label: ctx.t('catalog.handling.immediate') },
              { value: 'promised', label: ctx.t('catalog.handling.promised') },
            ]}
            error={p.issues.find((i) => i.field === 'handlingKind')?.message}
          />
          <SelectField
            name="depth"
            label={ctx.t('catalog.guide.depth')}
            value={values.depth}
            options={[1, 2, 3, 4].map((d) => ({ value: String(d), label: ctx.t(`catalog.depth.${d}`) }))}
          />
          {text('visits', ctx.t('catalog.guide.visits'), undefined, 'short')}
          <SelectField
            name="realNameLevel"
            label={ctx.t('catalog.edit.realNameLevel')}
            value={values.realNameLevel}
            options={[1, 2, 3].map((l) => ({ value: String(l), label: ctx.t(`catalog.realNameLevel.${l}`) }))}
            error={p.issues.find((i) => i.field === 'realNameLevel')?.message}
          />
          {text(
            'themes',
            ctx.t('catalog.edit.themes'),
            ctx.t('catalog.edit.themesHint', { codes: THEMES.map((t) => t.code).join(', ') }),
          )}
          <TextArea
            name="conditions"
            label={ctx.t('catalog.guide.conditions')}
            hint={ctx.t('catalog.edit.conditionsHint')}
            value={values.conditions}
            rows={4}
            error={p.issues.find((i) => i.field === 'conditions')?.message}
          />
          <div class={p.issues.some((i) => i.field === 'guideJson') ? 'field field-error' : 'field'}>
            <label class="field-label" for={fieldId('guideJson')}>
              {ctx.t('catalog.edit.json')}
            </label>
            <div class="field-hint" id={`${fieldId('guideJson')}-hint`}>
              {ctx.t('catalog.edit.jsonHint')}
            </div>
            <textarea
              id={fieldId('guideJson')}
              name="guideJson"
              class="json-input"
              aria-describedby={`${fieldId('guideJson')}-hint`}
              spellcheck={false}
            >
              {values.guideJson}
            </textarea>
          </div>
          <div class="button-group">
            <Button name="do" value="preview" variant="secondary">
              {ctx.t('catalog.edit.preview')}
            </Button>
            <Button name="do" value="save">
              {ctx.t('catalog.edit.save')}
            </Button>
            {code && status === 'draft' ? (
              <Button name="do" value="submit" variant="secondary">
                {ctx.t('catalog.edit.submit')}
              </Button>
            ) : null}
          </div>
        </form>
      ) : null}
      {code && status === 'review' ? (
        <form method="post" action={`/admin/items/${code}/edit`}>
          <CsrfField ctx={ctx} />
          {p.canPublish ? (
            <>
              <TextField
                name="effectiveFrom"
                label={ctx.t('catalog.edit.effectiveFrom')}
                hint={ctx.t('catalog.edit.effectiveFromHint')}
                width="medium"
              />
              <Button name="do" value="publish">
                {ctx.t('catalog.edit.publish')}
              </Button>{' '}
              <Button name="do" value="return" variant="secondary">
                {ctx.t('catalog.edit.return')}
              </Button>
            </>
          ) : (
            <p>{ctx.t('catalog.edit.awaitingReview')}</p>
          )}
        </form>
      ) : null}
      {code && (status === 'published' || status === 'withdrawn' || status === 'superseded') ? (
        <form method="post" action={`/admin/items/${code}/edit`}>
          <CsrfField ctx={ctx} />
          <Button name="do" value="revise">
            {ctx.t('catalog.edit.revise')}
          </Button>{' '}
          {status === 'published' && p.canPublish ? (
            <Button name="do" value="withdraw" variant="warning">
              {ctx.t('catalog.edit.withdraw')}
            </Button>
          ) : null}
        </form>
      ) : null}
      {p.preview ? (
        <section aria-labelledby="preview-h" class="preview">
          <h2 id="preview-h">{ctx.t('catalog.edit.previewTitle')}</h2>
          <GuidePage ctx={ctx} v={p.preview} current preview />
        </section>
      ) : null}
    </div>
  );
}

import { type FieldIssue, chinaDateTime } from '../../kernel/index.js';
import {
  Breadcrumbs,
  Button,
  ChartFigure,
  type Column,
  CsrfField,
  ErrorSummary,
  LinkButton,
  PageHeading,
  SelectField,
  SummaryList,
  Table,
  TextArea,
  TextField,
  type ViewContext,
} from '../../platform/views/index.js';
import type { MyAccessRecord } from './exchange.access.js';
import type { ProviderDashboard } from './exchange.dashboard.js';
import type { NoticeView } from './exchange.notices.js';
import type { ObjectionView } from './exchange.objections.js';
import { type DataItem, type Resource, SHARE_TYPES } from './exchange.types.js';

/** Server-rendered pages of the exchange: the public catalogue and 我的数据使用记录 (no JavaScript needed). */

export interface ResourceView extends Resource {
  readonly providerName: string;
}

export function CataloguePage({
  ctx,
  rows,
  q,
  shareType,
}: {
  ctx: ViewContext;
  rows: readonly ResourceView[];
  q: string;
  shareType: string;
}) {
  const { t } = ctx;
  const columns: Column<ResourceView>[] = [
    { header: t('exchange.field.code'), cell: (r) => <code>{r.code}</code> },
    {
      header: t('exchange.field.name'),
      cell: (r) => <a href={`/exchange/resources/${encodeURIComponent(r.code)}`}>{r.name}</a>,
    },
    { header: t('exchange.field.provider'), cell: (r) => r.providerName },
    { header: t('exchange.field.shareType'), cell: (r) => t(`exchange.share.${r.shareType}`) },
    { header: t('exchange.field.updateCycle'), cell: (r) => t(`exchange.cycle.${r.updateCycle}`) },
  ];
  return (
    <>
      <PageHeading>{t('exchange.catalogue.title')}</PageHeading>
      <p>{t('exchange.catalogue.intro')}</p>
      <form method="get" action="/exchange" class="filters">
        <TextField name="q" label={t('exchange.catalogue.search')} value={q} type="search" maxLength={60} />
        <SelectField
          name="shareType"
          label={t('exchange.catalogue.shareType')}
          value={shareType}
          options={[
            { value: '', label: t('exchange.catalogue.all') },
            ...SHARE_TYPES.map((s) => ({ value: s, label: t(`exchange.share.${s}`) })),
          ]}
        />
        <Button variant="secondary">{t('exchange.catalogue.apply')}</Button>
      </form>
      <Table
        caption={t('exchange.catalogue.caption', { total: rows.length })}
        columns={columns}
        rows={rows}
        empty={t('exchange.catalogue.empty')}
      />
    </>
  );
}

export interface HistoryRow {
  readonly version: number;
  readonly changedAt: string;
  readonly changed: readonly string[];
}

export function ResourcePage({
  ctx,
  r,
  details = false,
  history = [],
  canEdit = false,
  notice,
}: {
  ctx: ViewContext;
  r: ResourceView;
  /** the data items, condition, basis and history: staff and department accounts only */
  details?: boolean;
  history?: readonly HistoryRow[];
  canEdit?: boolean;
  notice?: string | undefined;
}) {
  const { t } = ctx;
  const columns: Column<DataItem>[] = [
    { header: t('exchange.items.name'), cell: (i) => i.label },
    { header: t('exchange.items.code'), cell: (i) => <code>{i.name}</code> },
    { header: t('exchange.items.type'), cell: (i) => i.type },
    { header: t('exchange.items.sensitivity'), cell: (i) => t(`exchange.sensitivity.${i.sensitivity}`) },
  ];
  return (
    <>
      <Breadcrumbs
        label={t('exchange.breadcrumbs')}
        items={[
          { href: '/', text: t('exchange.home') },
          { href: '/exchange', text: t('exchange.catalogue.title') },
          { text: r.name },
        ]}
      />
      <PageHeading caption={r.code}>{r.name}</PageHeading>
      <SummaryList
        rows={[
          { key: t('exchange.field.classification'), value: t(`exchange.class.${r.classification}`) },
          { key: t('exchange.field.category'), value: r.category },
          { key: t('exchange.field.provider'), value: r.providerName },
          { key: t('exchange.field.summary'), value: r.summary },
          { key: t('exchange.field.shareType'), value: t(`exchange.share.${r.shareType}`) },
          ...(details && r.shareCondition
            ? [{ key: t('exchange.field.shareCondition'), value: r.shareCondition }]
            : []),
          ...(details ? [{ key: t('exchange.field.legalBasis'), value: r.legalBasis || '—' }] : []),
          {
            key: t('exchange.field.methods'),
            value: r.methods.map((m) => t(`exchange.method.${m}`)).join('、'),
          },
          { key: t('exchange.field.updateCycle'), value: t(`exchange.cycle.${r.updateCycle}`) },
          { key: t('exchange.field.publishedOn'), value: r.publishedOn },
          { key: t('exchange.field.version'), value: String(r.version) },
        ]}
      />
      {details ? <Table caption={t('exchange.items.caption')} columns={columns} rows={r.items} /> : null}
      {notice ? (
        <div class="notice" role="status">
          {notice}
        </div>
      ) : null}
      {canEdit ? (
        <p>
          <LinkButton href={`/exchange/resources/${encodeURIComponent(r.code)}/edit`} variant="secondary">
            {t('exchange.edit.link')}
          </LinkButton>
        </p>
      ) : null}
      {details ? (
        <Table
          caption={t('exchange.history.caption')}
          columns={[
            { header: t('exchange.field.version'), cell: (h: HistoryRow) => String(h.version) },
            { header: t('exchange.history.at'), cell: (h: HistoryRow) => chinaDateTime(h.changedAt) },
            {
              header: t('exchange.history.changed'),
              cell: (h: HistoryRow) =>
                h.changed.length ? h.changed.join(', ') : h.version === 1 ? t('exchange.history.first') : '—',
            },
          ]}
          rows={history}
        />
      ) : (
        <p class="hint">{t('exchange.details.staffOnly')}</p>
      )}
    </>
  );
}

/** The values of the edit form, as typed (strings). */
export interface ResourceEditValues {
  readonly name: string;
  readonly summary: string;
  readonly shareType: string;
  readonly shareCondition: string;
  readonly legalBasis: string;
  readonly updateCycle: string;
  readonly methods: string;
}

export const UPDATE_CYCLES = ['realtime', 'daily', 'weekly', 'monthly', 'yearly'] as const;

/** A provider edits its own catalogue entry; saving publishes the next version. */
export function ResourceEditPage({
  ctx,
  r,
  values,
  issues,
}: {
  ctx: ViewContext;
  r: ResourceView;
  values: ResourceEditValues;
  issues: ReadonlyArray<FieldIssue & { message: string }>;
}) {
  const { t } = ctx;
  return (
    <>
      <Breadcrumbs
        label={t('exchange.breadcrumbs')}
        items={[
          { href: '/', text: t('exchange.home') },
          { href: '/exchange', text: t('exchange.catalogue.title') },
          { href: `/exchange/resources/${encodeURIComponent(r.code)}`, text: r.name },
          { text: t('exchange.edit.title') },
        ]}
      />
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading caption={`${r.code} · ${t('exchange.field.version')} ${r.version}`}>
        {t('exchange.edit.title')}
      </PageHeading>
      <p>{t('exchange.edit.intro')}</p>
      <form method="post" action={`/exchange/resources/${encodeURIComponent(r.code)}/edit`}>
        <CsrfField ctx={ctx} />
        <TextField name="name" label={t('exchange.field.name')} value={values.name} maxLength={80} required />
        <TextArea name="summary" label={t('exchange.field.summary')} value={values.summary} maxLength={500} />
        <SelectField
          name="shareType"
          label={t('exchange.field.shareType')}
          value={values.shareType}
          options={SHARE_TYPES.map((s) => ({ value: s, label: t(`exchange.share.${s}`) }))}
        />
        <TextArea
          name="shareCondition"
          label={t('exchange.field.shareCondition')}
          value={values.shareCondition}
          rows={2}
          maxLength={300}
        />
        <TextArea
          name="legalBasis"
          label={t('exchange.field.legalBasis')}
          hint={t('exchange.edit.legalBasisHint')}
          value={values.legalBasis}
          rows={2}
          maxLength={300}
        />
        <SelectField
          name="methods"
          label={t('exchange.field.methods')}
          value={values.methods}
          options={[
            { value: 'api', label: t('exchange.method.api') },
            { value: 'bulk', label: t('exchange.method.bulk') },
            { value: 'api,bulk', label: `${t('exchange.method.api')}、${t('exchange.method.bulk')}` },
          ]}
        />
        <SelectField
          name="updateCycle"
          label={t('exchange.field.updateCycle')}
          value={values.updateCycle}
          options={UPDATE_CYCLES.map((c) => ({ value: c, label: t(`exchange.cycle.${c}`) }))}
        />
        <Button>{t('exchange.edit.save')}</Button>
      </form>
    </>
  );
}

export function MyDataAccessPage({
  ctx,
  rows,
  notice,
}: {
  ctx: ViewContext;
  rows: readonly MyAccessRecord[];
  notice?: string | undefined;
}) {
  const { t } = ctx;
  const columns: Column<MyAccessRecord>[] = [
    { header: t('exchange.my.time'), cell: (a) => chinaDateTime(a.at) },
    { header: t('exchange.my.department'), cell: (a) => a.departmentName ?? '—' },
    { header: t('exchange.my.resource'), cell: (a) => a.resourceName ?? a.resourceCode },
    { header: t('exchange.my.fields'), cell: (a) => a.fields.join(', ') || '—' },
    { header: t('exchange.my.purpose'), cell: (a) => a.purpose },
    { header: t('exchange.my.case'), cell: (a) => a.caseNumber ?? '—' },
    {
      header: t('exchange.my.outcome'),
      cell: (a) =>
        a.outcome === 'ok'
          ? t('exchange.my.outcome.ok')
          : t('exchange.my.outcome.denied', { code: a.outcome }),
    },
    {
      header: t('exchange.my.proof'),
      cell: (a) => (
        <a href={`/log/object?type=exchangeAccess&id=${encodeURIComponent(a.id)}`}>
          {t('exchange.my.proofLink')}
        </a>
      ),
    },
    {
      header: t('exchange.my.objection'),
      cell: (a) =>
        a.objection ? (
          a.objection.status === 'open' ? (
            t('exchange.my.objectionOpen', { due: a.objection.dueOn })
          ) : (
            <>
              <strong>{t(`exchange.obj.result.${a.objection.result ?? 'rejected'}`)}</strong>
              {a.objection.corrected.length ? ` (${a.objection.corrected.join(', ')})` : ''}
              {a.objection.answeredAt ? ` · ${chinaDateTime(a.objection.answeredAt)}` : ''}
              <br />
              {a.objection.answer}
            </>
          )
        ) : a.outcome === 'ok' ? (
          <form method="post" action={`/account/data-access/${encodeURIComponent(a.id)}/objection`}>
            <CsrfField ctx={ctx} />
            <TextArea
              name="text"
              label={t('exchange.my.objectLabel', { time: chinaDateTime(a.at) })}
              rows={2}
              maxLength={1000}
              required
            />
            <Button variant="secondary">{t('exchange.my.object')}</Button>
          </form>
        ) : (
          '—'
        ),
    },
  ];
  return (
    <>
      <PageHeading>{t('exchange.my.title')}</PageHeading>
      <p>{t('exchange.my.intro')}</p>
      {notice ? (
        <div class="notice" role="status">
          {notice}
        </div>
      ) : null}
      <Table
        caption={t('exchange.my.caption', { total: rows.length })}
        columns={columns}
        rows={rows}
        empty={t('exchange.my.empty')}
      />
    </>
  );
}

export function ProviderDashboardPage({
  ctx,
  d,
  objections = [],
  notices = { received: [], sent: [] },
  notice,
  error,
}: {
  ctx: ViewContext;
  d: ProviderDashboard;
  objections?: readonly ObjectionView[];
  /** 校核纠错 notices: received as a consumer, sent as a provider */
  notices?: { received: readonly NoticeView[]; sent: readonly NoticeView[] };
  notice?: string | undefined;
  error?: string | undefined;
}) {
  const { t } = ctx;
  const objectionColumns: Column<ObjectionView>[] = [
    { header: t('exchange.my.resource'), cell: (o) => o.resourceName ?? o.resourceCode ?? '—' },
    { header: t('exchange.obj.raisedAt'), cell: (o) => chinaDateTime(o.raisedAt) },
    {
      header: t('exchange.obj.text'),
      cell: (o) => (o.raisedBy === 'consumer' ? `${t('exchange.obj.byConsumer')}${o.text}` : o.text),
    },
    {
      header: t('exchange.dash.due'),
      cell: (o) =>
        o.clock
          ? t('exchange.dash.clock', {
              due: o.dueOn,
              days: o.clock.remainingWorkingDays,
              colour: t(`exchange.dash.colour.${o.clock.colour}`),
            })
          : t(`exchange.obj.result.${o.result ?? 'rejected'}`),
    },
    {
      header: t('exchange.obj.answer'),
      cell: (o) =>
        o.status === 'answered' ? (
          o.answer
        ) : (
          <form method="post" action={`/exchange/provider/objections/${encodeURIComponent(o.id)}/answer`}>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="department" value={d.departmentId} />
            <SelectField
              name="result"
              label={t('exchange.obj.result')}
              options={[
                { value: 'rejected', label: t('exchange.obj.result.rejected') },
                { value: 'corrected', label: t('exchange.obj.result.corrected') },
              ]}
            />
            <TextArea
              name="answer"
              label={t('exchange.obj.answerLabel')}
              rows={2}
              maxLength={1000}
              required
            />
            <TextField
              name="field"
              label={t('exchange.obj.field')}
              hint={t('exchange.obj.fieldHint')}
              maxLength={40}
            />
            <TextField name="value" label={t('exchange.obj.value')} maxLength={200} />
            <Button variant="secondary">{t('exchange.obj.send')}</Button>
          </form>
        ),
    },
  ];
  const noticeColumns: Column<NoticeView>[] = [
    { header: t('exchange.notices.at'), cell: (n) => chinaDateTime(n.correctedAt) },
    { header: t('exchange.field.code'), cell: (n) => <code>{n.resource}</code> },
    { header: t('exchange.notices.fields'), cell: (n) => n.fields.join(', ') },
    {
      header: t('exchange.notices.reads'),
      cell: (n) => (
        <ul>
          {n.accessIds.map((id) => (
            <li>
              <a href={`/log/object?type=exchangeAccess&id=${encodeURIComponent(id)}`}>{id}</a>
            </li>
          ))}
        </ul>
      ),
    },
    {
      header: t('exchange.notices.webhook'),
      cell: (n) =>
        n.webhooks.total === 0
          ? t('exchange.notices.noWebhook')
          : t('exchange.notices.delivered', {
              delivered: n.webhooks.delivered,
              total: n.webhooks.total,
            }) + (n.webhooks.lastError ? ` (${n.webhooks.lastError})` : ''),
    },
  ];
  type Pending = ProviderDashboard['pending'][number];
  const pendingColumns: Column<Pending>[] = [
    { header: t('exchange.field.code'), cell: (r) => <code>{r.resourceCode}</code> },
    { header: t('exchange.dash.consumer'), cell: (r) => r.consumerName },
    { header: t('exchange.my.purpose'), cell: (r) => r.purpose },
    { header: t('exchange.dash.requestedAt'), cell: (r) => chinaDateTime(r.requestedAt) },
    {
      header: t('exchange.dash.due'),
      cell: (r) =>
        r.clock
          ? t('exchange.dash.clock', {
              due: r.clock.due,
              days: r.clock.remainingWorkingDays,
              colour: t(`exchange.dash.colour.${r.clock.colour}`),
            })
          : '—',
    },
  ];
  return (
    <>
      {error ? (
        <div class="error-summary" role="alert" tabIndex={-1} data-focus="">
          <h2>{t('error.summaryTitle')}</h2>
          <p>{error}</p>
        </div>
      ) : null}
      <PageHeading caption={d.departmentName}>{t('exchange.dash.title')}</PageHeading>
      <p>{t('exchange.dash.intro', { resources: d.resources.length, objections: d.openObjections })}</p>
      {notice ? (
        <div class="notice" role="status">
          {notice}
        </div>
      ) : null}
      <ChartFigure
        title={t('exchange.dash.daily', { days: d.days.length })}
        categoryHeader={t('exchange.dash.date')}
        spec={{
          kind: 'stacked-bar',
          categories: d.days.map((x) => x.date.slice(5)),
          series: [
            { name: t('exchange.dash.ok'), values: d.days.map((x) => x.ok) },
            { name: t('exchange.dash.denied'), values: d.days.map((x) => x.denied) },
          ],
        }}
      />
      <ChartFigure
        title={t('exchange.dash.byConsumer')}
        categoryHeader={t('exchange.dash.consumer')}
        spec={{
          kind: 'bar',
          categories: d.consumers.map((c) => c.name),
          series: [
            { name: t('exchange.dash.ok'), values: d.consumers.map((c) => c.ok) },
            { name: t('exchange.dash.denied'), values: d.consumers.map((c) => c.denied) },
          ],
        }}
      />
      <Table
        caption={t('exchange.dash.pending', { total: d.pending.length })}
        columns={pendingColumns}
        rows={d.pending}
        empty={t('exchange.dash.noPending')}
      />
      <Table
        caption={t('exchange.dash.resources')}
        columns={[
          {
            header: t('exchange.field.name'),
            cell: (r: Resource) => <a href={`/exchange/resources/${encodeURIComponent(r.code)}`}>{r.name}</a>,
          },
          {
            header: t('exchange.field.shareType'),
            cell: (r: Resource) => t(`exchange.share.${r.shareType}`),
          },
        ]}
        rows={d.resources}
      />
      <Table
        caption={t('exchange.obj.caption', { total: objections.length })}
        columns={objectionColumns}
        rows={objections}
        empty={t('exchange.obj.empty')}
      />
      <Table
        caption={t('exchange.notices.received', { total: notices.received.length })}
        columns={noticeColumns}
        rows={notices.received}
        empty={t('exchange.notices.noneReceived')}
      />
      <Table
        caption={t('exchange.notices.sent', { total: notices.sent.length })}
        columns={noticeColumns}
        rows={notices.sent}
        empty={t('exchange.notices.noneSent')}
      />
    </>
  );
}

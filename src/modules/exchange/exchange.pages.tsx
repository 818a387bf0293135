import { chinaDateTime } from '../../kernel/index.js';
import {
  Breadcrumbs,
  Button,
  ChartFigure,
  type Column,
  CsrfField,
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

export function ResourcePage({ ctx, r }: { ctx: ViewContext; r: ResourceView }) {
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
          ...(r.shareCondition ? [{ key: t('exchange.field.shareCondition'), value: r.shareCondition }] : []),
          { key: t('exchange.field.legalBasis'), value: r.legalBasis || '—' },
          {
            key: t('exchange.field.methods'),
            value: r.methods.map((m) => t(`exchange.method.${m}`)).join('、'),
          },
          { key: t('exchange.field.updateCycle'), value: t(`exchange.cycle.${r.updateCycle}`) },
          { key: t('exchange.field.publishedOn'), value: r.publishedOn },
          { key: t('exchange.field.version'), value: String(r.version) },
        ]}
      />
      <Table caption={t('exchange.items.caption')} columns={columns} rows={r.items} />
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
          t('exchange.my.objectionOpen', { due: a.objection.dueOn })
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

export function ProviderDashboardPage({ ctx, d }: { ctx: ViewContext; d: ProviderDashboard }) {
  const { t } = ctx;
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
      <PageHeading caption={d.departmentName}>{t('exchange.dash.title')}</PageHeading>
      <p>{t('exchange.dash.intro', { resources: d.resources.length, objections: d.openObjections })}</p>
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
    </>
  );
}

import {
  Breadcrumbs,
  Notice,
  Button,
  type Column,
  PageHeading,
  Pagination,
  SelectField,
  SummaryList,
  Table,
  type ViewContext,
} from '../../platform/views/index.js';
import { ZHENGZHOU_REGIONS } from './disclosure.generate.js';
import { type ConvenienceEntry, DISCLOSURE_DOMAINS, type Publication } from './disclosure.types.js';

/** Server-rendered pages of open government information; they work without JavaScript. */

export function PublicationListPage({
  ctx,
  rows,
  total,
  page,
  pageSize,
  domain,
  region,
}: {
  ctx: ViewContext;
  rows: readonly Publication[];
  total: number;
  page: number;
  pageSize: number;
  domain: string | undefined;
  region: string | undefined;
}) {
  const { t } = ctx;
  const columns: Column<Publication>[] = [
    {
      header: t('disclosure.field.title'),
      cell: (p) => <a href={`/disclosure/${encodeURIComponent(p.id)}`}>{p.title}</a>,
    },
    { header: t('disclosure.field.department'), cell: (p) => p.department },
    { header: t('disclosure.field.domain'), cell: (p) => p.domain },
    { header: t('disclosure.field.publishedOn'), cell: (p) => p.publishedOn },
  ];
  const baseQuery: Record<string, string> = {};
  if (domain) baseQuery.domain = domain;
  if (region) baseQuery.region = region;
  return (
    <>
      <PageHeading>{t('disclosure.list.title')}</PageHeading>
      <p>{t('disclosure.list.intro')}</p>
      <form method="get" action="/disclosure" class="filters">
        <SelectField
          name="domain"
          label={t('disclosure.filter.domain')}
          value={domain ?? ''}
          options={[
            { value: '', label: t('disclosure.filter.all') },
            ...DISCLOSURE_DOMAINS.map((d) => ({ value: d, label: d })),
          ]}
        />
        <SelectField
          name="region"
          label={t('disclosure.filter.region')}
          value={region ?? ''}
          options={[
            { value: '', label: t('disclosure.filter.all') },
            ...ZHENGZHOU_REGIONS.map((r) => ({ value: r.code, label: r.name })),
          ]}
        />
        <Button variant="secondary">{t('disclosure.filter.apply')}</Button>
      </form>
      <Table
        caption={t('disclosure.list.caption', { total })}
        columns={columns}
        rows={rows}
        empty={t('disclosure.list.empty')}
      />
      <Pagination ctx={ctx} page={page} pageSize={pageSize} total={total} baseQuery={baseQuery} />
    </>
  );
}

export function PublicationPage({ ctx, p }: { ctx: ViewContext; p: Publication }) {
  const { t } = ctx;
  return (
    <>
      <Breadcrumbs
        label={t('disclosure.breadcrumbs')}
        items={[
          { href: '/', text: t('disclosure.home') },
          { href: '/disclosure', text: t('disclosure.list.title') },
          { text: p.title },
        ]}
      />
      <PageHeading caption={p.domain}>{p.title}</PageHeading>
      <SummaryList
        rows={[
          { key: t('disclosure.field.department'), value: p.department },
          { key: t('disclosure.field.category'), value: p.category },
          ...(p.docNumber ? [{ key: t('disclosure.field.docNumber'), value: p.docNumber }] : []),
          { key: t('disclosure.field.publishedOn'), value: p.publishedOn },
          { key: t('disclosure.field.region'), value: p.regionCode },
        ]}
      />
      <h2>{t('disclosure.field.body')}</h2>
      {p.body.split(/\n+/).map((para) => (
        <p>{para}</p>
      ))}
    </>
  );
}

export function WithdrawnPage({
  ctx,
  w,
}: {
  ctx: ViewContext;
  w: { title: string; department: string; withdrawnOn: string; reason: string };
}) {
  const { t } = ctx;
  return (
    <>
      <PageHeading caption={w.department}>{w.title}</PageHeading>
      <Notice kind="warning">{t('disclosure.publishing.withdrawnNotice', { date: w.withdrawnOn })}</Notice>
      <p>
        {t('disclosure.publishing.withdrawReason')}: {w.reason}
      </p>
      <p>
        <a href="/disclosure">{t('disclosure.list.title')}</a>
      </p>
    </>
  );
}

export function ConveniencePage({ ctx, c }: { ctx: ViewContext; c: ConvenienceEntry }) {
  const { t } = ctx;
  return (
    <>
      <Breadcrumbs
        label={t('disclosure.breadcrumbs')}
        items={[
          { href: '/', text: t('disclosure.home') },
          {
            href: `/convenience?class=${encodeURIComponent(c.class)}`,
            text: t('disclosure.convenience.title'),
          },
          { text: c.name },
        ]}
      />
      <PageHeading caption={c.class}>{c.name}</PageHeading>
      <SummaryList
        rows={[
          { key: t('disclosure.convenience.class'), value: c.class },
          { key: t('disclosure.convenience.address'), value: c.address },
          {
            key: t('disclosure.convenience.phone'),
            value: c.phone ? <a href={`tel:${c.phone.replace(/[^\d+]/g, '')}`}>{c.phone}</a> : '—',
          },
          { key: t('disclosure.convenience.hours'), value: c.hours || '—' },
          { key: t('disclosure.convenience.description'), value: c.description || '—' },
        ]}
      />
    </>
  );
}

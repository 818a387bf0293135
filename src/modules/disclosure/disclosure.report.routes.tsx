import { z } from 'zod';
import { type App, requirePrincipal } from '../../platform/http/index.js';
import {
  Button,
  ChartFigure,
  PageHeading,
  SelectField,
  SummaryList,
  Table,
  TextField,
  type ViewContext,
  renderPage,
  sendHtml,
} from '../../platform/views/index.js';
import type { Body } from './disclosure.ports.js';
import { type AnnualReport, RESULT_ROWS, type ReportsApi, ReviewCountsInput } from './disclosure.report.js';

const tags = ['disclosure'];
const CITY = '410100';
const Query = z.object({
  body: z.string().max(100).optional(),
  year: z.coerce.number().int().min(2008).max(2100),
});

type T = ViewContext['t'];

/** The report as label/figure rows, for the page's tables and the PDF alike. */
function sections(t: T, r: AnnualReport) {
  const review = (part: 'review' | 'litigationDirect' | 'litigationAfterReview') =>
    (['upheld', 'corrected', 'other', 'pending'] as const).map(
      (k) => [t(`disclosure.report.review.${k}`), r.review ? String(r.review[part][k] ?? 0) : '—'] as const,
    );
  return [
    {
      heading: t('disclosure.report.published'),
      rows: [
        [t('disclosure.report.publishedTotal'), String(r.published.total)] as const,
        ...Object.entries(r.published.byDomain)
          .sort((a, b) => b[1] - a[1])
          .map(([d, n]) => [d, String(n)] as const),
        [t('disclosure.report.withdrawn'), String(r.published.withdrawn)] as const,
      ],
    },
    {
      heading: t('disclosure.report.requests'),
      rows: [
        [t('disclosure.report.receivedPerson'), String(r.received.person)] as const,
        [t('disclosure.report.receivedOrganization'), String(r.received.organization)] as const,
        [t('disclosure.report.receivedTotal'), String(r.received.total)] as const,
        [t('disclosure.report.carriedIn'), String(r.carriedIn)] as const,
        ...RESULT_ROWS.map((k) => [t(`disclosure.report.result.${k}`), String(r.results[k])] as const),
        [t('disclosure.report.resultsTotal'), String(r.results.total)] as const,
        [t('disclosure.report.carriedOut'), String(r.carriedOut)] as const,
      ],
    },
    { heading: t('disclosure.report.reviewHeading'), rows: review('review') },
    { heading: t('disclosure.report.litigationDirect'), rows: review('litigationDirect') },
    { heading: t('disclosure.report.litigationAfterReview'), rows: review('litigationAfterReview') },
  ];
}

/** Table 三 of the template: its rows, each with the requester columns (自然人, five kinds of 法人或其他组织, 总计). */
function requesterRows(t: T, r: AnnualReport) {
  const m = r.byRequester;
  return [
    { label: t('disclosure.report.row.received'), v: m.received },
    { label: t('disclosure.report.row.carriedIn'), v: m.carriedIn },
    ...RESULT_ROWS.map((k) => ({ label: t(`disclosure.report.result.${k}`), v: m.results[k] })),
    {
      label: `${t('disclosure.report.row.results')}（${t('disclosure.report.col.total')}）`,
      v: m.results.total,
    },
    { label: t('disclosure.report.row.carriedOut'), v: m.carriedOut },
  ];
}

/** the same table as label/figure rows for the PDF: "自然人 / 商业企业 … 其他 / 总计" */
function requesterSection(t: T, r: AnnualReport) {
  const cols = r.byRequester.columns;
  const heading = `${t('disclosure.report.byRequester')}：${cols
    .map((c) => (c === 'person' ? t('disclosure.report.col.person') : t(`disclosure.request.orgType.${c}`)))
    .join(' / ')} / ${t('disclosure.report.col.total')}`;
  return {
    heading,
    rows: requesterRows(t, r).map(
      (x) => [x.label, [...cols.map((c) => String(x.v[c])), String(x.v.total)].join(' / ')] as const,
    ),
  };
}

const titleOf = (t: T, r: AnnualReport) =>
  t('disclosure.report.title', { year: r.year, body: r.body?.name ?? t('disclosure.report.city') });

function ReportPage({
  ctx,
  r,
  bodies,
  pdfHref,
}: {
  ctx: ViewContext;
  r: AnnualReport;
  bodies: readonly Body[];
  pdfHref: string;
}) {
  const { t } = ctx;
  return (
    <>
      <PageHeading>{titleOf(t, r)}</PageHeading>
      <p>{t('disclosure.report.intro')}</p>
      <form method="get" action="/disclosure/annual-report" class="filters">
        <SelectField
          name="body"
          label={t('disclosure.request.col.body')}
          value={r.body?.id ?? ''}
          options={[
            { value: '', label: t('disclosure.report.city') },
            ...bodies.map((b) => ({ value: b.id, label: b.name })),
          ]}
        />
        <TextField
          name="year"
          type="number"
          label={t('disclosure.report.year')}
          value={String(r.year)}
          width="short"
        />
        <Button variant="secondary">{t('disclosure.request.queue.show')}</Button>
      </form>
      <p>
        <a href={pdfHref}>{t('disclosure.report.pdf')}</a>
      </p>
      <ChartFigure
        title={t('disclosure.report.resultsChart')}
        categoryHeader={t('disclosure.report.resultRow')}
        spec={{
          kind: 'bar',
          categories: RESULT_ROWS.map((k) => t(`disclosure.report.result.${k}`)),
          series: [{ name: t('disclosure.report.count'), values: RESULT_ROWS.map((k) => r.results[k]) }],
          height: 360,
        }}
      />
      <Table
        caption={t('disclosure.report.byRequester')}
        rows={requesterRows(t, r)}
        columns={[
          { header: t('disclosure.report.resultRow'), cell: (x) => x.label },
          ...r.byRequester.columns.map((c) => ({
            header:
              c === 'person'
                ? t('disclosure.report.col.person')
                : `${t('disclosure.report.col.orgs')}：${t(`disclosure.request.orgType.${c}`)}`,
            numeric: true,
            cell: (x: ReturnType<typeof requesterRows>[number]) => String(x.v[c]),
          })),
          { header: t('disclosure.report.col.total'), numeric: true, cell: (x) => String(x.v.total) },
        ]}
      />
      {sections(t, r).map((s) => (
        <Table
          caption={s.heading}
          rows={s.rows}
          columns={[
            { header: t('disclosure.report.resultRow'), cell: (x) => x[0] },
            { header: t('disclosure.report.count'), numeric: true, cell: (x) => x[1] },
          ]}
        />
      ))}
      <SummaryList rows={[{ key: t('disclosure.report.basis'), value: t('disclosure.report.basisText') }]} />
    </>
  );
}

/** 年度报告: the JSON (CONTRACT), the page and the PDF (public), and the staff's review counts. */
export function reportRoutes(
  app: App,
  reports: ReportsApi,
  bodies: { bodiesIn(region: string): Promise<Body[]> },
): void {
  app.get(
    '/api/v1/disclosure/annual-report',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: '年度报告 of a body (or the city without body) for a year, by the national template',
        querystring: Query,
      },
    },
    async (req) => reports.build({ body: req.query.body || undefined, year: req.query.year, city: CITY }),
  );
  app.post(
    '/api/v1/disclosure/annual-report/review-counts',
    {
      config: { permission: { permission: 'disclosure.publish' } },
      schema: {
        tags,
        summary: "A body's administrative review and litigation counts for a year",
        body: ReviewCountsInput,
      },
    },
    async (req, reply) => {
      await reports.enterReviewCounts(requirePrincipal(req), req.body);
      return reply.code(204).send();
    },
  );
  app.get(
    '/disclosure/annual-report',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        querystring: z.object({
          body: z.string().max(100).optional(),
          year: z.coerce.number().int().min(2008).max(2100).optional(),
        }),
      },
    },
    async (req, reply) => {
      const ctx = req.view(reply);
      const year = req.query.year ?? new Date().getUTCFullYear() - 1;
      const r = await reports.build({ body: req.query.body || undefined, year, city: CITY });
      const q = new URLSearchParams({ year: String(year), ...(r.body ? { body: r.body.id } : {}) });
      return sendHtml(
        reply,
        renderPage(
          ctx,
          titleOf(ctx.t, r),
          <ReportPage
            ctx={ctx}
            r={r}
            bodies={await bodies.bodiesIn(CITY)}
            pdfHref={`/disclosure/annual-report.pdf?${q}`}
          />,
          { wide: true },
        ),
      );
    },
  );
  app.get(
    '/disclosure/annual-report.pdf',
    { config: { permission: 'public' }, schema: { hide: true, querystring: Query } },
    async (req, reply) => {
      const ctx = req.view(reply);
      const r = await reports.build({ body: req.query.body || undefined, year: req.query.year, city: CITY });
      // pdf-lib and fontkit load at the first PDF, not with the app (0.6 s of CPU every start)
      const { reportPdf } = await import('./disclosure.report.pdf.js');
      const pdf = await reportPdf({
        title: titleOf(ctx.t, r),
        sections: [...sections(ctx.t, r), requesterSection(ctx.t, r)],
        footer: ctx.t('disclosure.report.basisText'),
      });
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="annual-report-${r.year}.pdf"`)
        .send(pdf);
    },
  );
}

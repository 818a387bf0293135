import { CHINA_TIME_LABEL, chinaDateTime } from '../../kernel/index.js';
import {
  BackLink,
  Button,
  ChartFigure,
  PageHeading,
  SelectField,
  SummaryList,
  Table,
  type ViewContext,
} from '../../platform/views/index.js';
import type { StatsDepartment, StatsDivision } from './stats.ports.js';
import type { Performance } from './stats.service.js';

/** Server-rendered supervision pages (效能监察) and the public summary; no script needed. */

const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);
const num = (v: number | null) => (v === null ? '—' : String(v));

export interface FilterModel {
  readonly action: string;
  readonly months: readonly string[];
  readonly divisions: readonly StatsDivision[];
  /** omitted on the public page */
  readonly departments?: readonly StatsDepartment[];
  readonly from: string;
  readonly to: string;
  readonly region: string;
  readonly department: string;
}

function Filters({ ctx, f }: { ctx: ViewContext; f: FilterModel }) {
  const { t } = ctx;
  const monthOptions = [...f.months].reverse().map((m) => ({ value: m, label: m }));
  return (
    <form method="get" action={f.action} class="filters" aria-label={t('stats.filter.title')}>
      <SelectField name="from" label={t('stats.filter.from')} value={f.from} options={monthOptions} />
      <SelectField name="to" label={t('stats.filter.to')} value={f.to} options={monthOptions} />
      <SelectField
        name="region"
        label={t('stats.filter.region')}
        value={f.region}
        options={f.divisions.map((d) => ({ value: d.code, label: d.name }))}
      />
      {f.departments ? (
        <SelectField
          name="department"
          label={t('stats.filter.department')}
          value={f.department}
          options={[
            { value: '', label: t('stats.filter.all') },
            ...f.departments.map((d) => ({ value: d.id, label: d.name })),
          ]}
        />
      ) : null}
      <Button variant="secondary">{t('stats.filter.apply')}</Button>
    </form>
  );
}

function KeyFigures({ ctx, perf, cardsHref }: { ctx: ViewContext; perf: Performance; cardsHref?: string }) {
  const { t } = ctx;
  const f = perf.total;
  const target = (v: number) => t('stats.figure.target', { target: v });
  const cityTarget = perf.targets.onlineAvailabilityCityCounty;
  return (
    <SummaryList
      rows={[
        { key: t('stats.figure.submitted'), value: String(f.submitted) },
        { key: t('stats.figure.completed'), value: String(f.completed) },
        {
          key: t('stats.figure.onTimeRate'),
          value: `${pct(f.onTimeRate)}${target(perf.targets.onTimeRate)}`,
        },
        {
          key: t('stats.figure.onlineAvailabilityRate'),
          value: `${pct(f.onlineAvailabilityRate)}${target(cityTarget)}`,
        },
        { key: t('stats.figure.fullyOnlineRate'), value: pct(f.fullyOnlineRate) },
        { key: t('stats.figure.immediateShare'), value: pct(f.immediateShare) },
        { key: t('stats.figure.atMostOneVisitRate'), value: pct(f.atMostOneVisitRate) },
        {
          key: t('stats.figure.avgDays'),
          value: `${num(f.avgWorkingDaysUsed)} / ${num(f.avgWorkingDaysPromised)}`,
        },
        { key: t('stats.figure.ratings'), value: String(f.ratings) },
        { key: t('stats.figure.goodRatingRate'), value: pct(f.goodRatingRate) },
        { key: t('stats.figure.rectificationRate'), value: pct(f.rectificationRate) },
        { key: t('stats.figure.callbackRate'), value: pct(f.callbackRate) },
        { key: t('stats.figure.complaintsOnTimeRate'), value: pct(f.complaintsOnTimeRate) },
        ...(cardsHref
          ? [
              {
                key: t('stats.figure.cards'),
                value: (
                  <>
                    <a href={`${cardsHref}&colour=red`}>
                      {t('stats.cards.red')} {perf.cards.red}
                    </a>
                    {' / '}
                    <a href={`${cardsHref}&colour=yellow`}>
                      {t('stats.cards.yellow')} {perf.cards.yellow}
                    </a>
                  </>
                ),
              },
            ]
          : []),
      ]}
    />
  );
}

function MonthCharts({ ctx, perf }: { ctx: ViewContext; perf: Performance }) {
  const { t } = ctx;
  const months = perf.months.map((m) => m.month);
  return (
    <>
      <ChartFigure
        title={t('stats.chart.onTime')}
        categoryHeader={t('stats.chart.month')}
        spec={{
          kind: 'line',
          percent: true,
          categories: months,
          series: [{ name: t('stats.figure.onTimeRate'), values: perf.months.map((m) => m.onTimeRate) }],
          target: {
            label: t('stats.chart.target', { target: perf.targets.onTimeRate }),
            value: perf.targets.onTimeRate,
          },
        }}
      />
      <ChartFigure
        title={t('stats.chart.goodRating')}
        categoryHeader={t('stats.chart.month')}
        spec={{
          kind: 'line',
          percent: true,
          categories: months,
          series: [
            { name: t('stats.figure.goodRatingRate'), values: perf.months.map((m) => m.goodRatingRate) },
            {
              name: t('stats.figure.rectificationRate'),
              values: perf.months.map((m) => m.rectificationRate),
            },
          ],
        }}
      />
      <ChartFigure
        title={t('stats.chart.completed')}
        categoryHeader={t('stats.chart.month')}
        spec={{
          kind: 'bar',
          categories: months,
          series: [
            { name: t('stats.figure.submitted'), values: perf.months.map((m) => m.submitted) },
            { name: t('stats.figure.completed'), values: perf.months.map((m) => m.completed) },
          ],
        }}
      />
    </>
  );
}

type DeptRank = Performance['rankings']['departments'][number];
type CountyRank = Performance['rankings']['counties'][number];

function Rankings({ ctx, perf, withOnline }: { ctx: ViewContext; perf: Performance; withOnline: boolean }) {
  const { t } = ctx;
  return (
    <>
      <h2>{t('stats.rank.departments')}</h2>
      <Table<DeptRank>
        caption={t('stats.rank.departments')}
        empty={t('stats.rank.empty')}
        rows={perf.rankings.departments}
        columns={[
          { header: t('stats.rank.rank'), numeric: true, cell: (r) => String(r.rank) },
          { header: t('stats.rank.department'), cell: (r) => r.departmentName },
          { header: t('stats.figure.completed'), numeric: true, cell: (r) => String(r.completed) },
          { header: t('stats.figure.onTimeRate'), numeric: true, cell: (r) => pct(r.onTimeRate) },
          { header: t('stats.figure.goodRatingRate'), numeric: true, cell: (r) => pct(r.goodRatingRate) },
          {
            header: t('stats.figure.rectificationRate'),
            numeric: true,
            cell: (r) => pct(r.rectificationRate),
          },
          ...(withOnline
            ? [
                {
                  header: t('stats.figure.onlineAvailabilityRate'),
                  numeric: true,
                  cell: (r: DeptRank) => pct(r.onlineAvailabilityRate),
                },
              ]
            : []),
        ]}
      />
      <h2>{t('stats.rank.counties')}</h2>
      <Table<CountyRank>
        caption={t('stats.rank.counties')}
        empty={t('stats.rank.empty')}
        rows={perf.rankings.counties}
        columns={[
          { header: t('stats.rank.rank'), numeric: true, cell: (r) => String(r.rank) },
          { header: t('stats.rank.county'), cell: (r) => r.regionName },
          { header: t('stats.figure.completed'), numeric: true, cell: (r) => String(r.completed) },
          { header: t('stats.figure.onTimeRate'), numeric: true, cell: (r) => pct(r.onTimeRate) },
          { header: t('stats.figure.goodRatingRate'), numeric: true, cell: (r) => pct(r.goodRatingRate) },
          {
            header: t('stats.figure.rectificationRate'),
            numeric: true,
            cell: (r) => pct(r.rectificationRate),
          },
        ]}
      />
    </>
  );
}

function Levels({ ctx, perf }: { ctx: ViewContext; perf: Performance }) {
  const { t } = ctx;
  type L = Performance['catalogue']['levels'][number];
  return (
    <Table<L>
      caption={t('stats.levels.title')}
      rows={perf.catalogue.levels}
      columns={[
        { header: t('stats.levels.level'), cell: (l) => t(`stats.level.${l.level}`) },
        { header: t('stats.levels.items'), numeric: true, cell: (l) => String(l.items) },
        { header: t('stats.levels.online'), numeric: true, cell: (l) => String(l.online) },
        { header: t('stats.levels.rate'), numeric: true, cell: (l) => pct(l.onlineAvailabilityRate) },
        { header: t('stats.levels.target'), numeric: true, cell: (l) => `${l.target}%` },
        {
          header: t('stats.levels.meets'),
          cell: (l) => t(l.meetsTarget ? 'stats.levels.yes' : 'stats.levels.no'),
        },
      ]}
    />
  );
}

const query = (o: Record<string, string | undefined>) =>
  Object.entries(o)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`)
    .join('&');

export function SupervisionPage({
  ctx,
  perf,
  filters,
}: {
  ctx: ViewContext;
  perf: Performance;
  filters: FilterModel;
}) {
  const { t } = ctx;
  const q = query({
    region: perf.region.code,
    department: perf.department?.id,
    from: perf.period.from,
    to: perf.period.to,
  });
  const scope = query({ region: perf.region.code, department: perf.department?.id });
  type Card = Performance['cards']['byDepartment'][number];
  return (
    <>
      <PageHeading caption={t('stats.period', { from: perf.period.from, to: perf.period.to })}>
        {t('stats.supervision.title')}
      </PageHeading>
      <p>{t('stats.supervision.intro')}</p>
      <div class="split">
        <aside class="split-side">
          <Filters ctx={ctx} f={filters} />
          <h2>{t('stats.export.title')}</h2>
          <ul>
            <li>
              <a href={`/api/v1/stats/performance.csv?${q}`} download>
                {t('stats.export.csv')}
              </a>
            </li>
            <li>
              <a href={`/api/v1/stats/performance?${q}`}>{t('stats.export.json')}</a>
            </li>
          </ul>
        </aside>
        <div class="split-main">
          <h2>{t('stats.figures.title')}</h2>
          <KeyFigures ctx={ctx} perf={perf} cardsHref={`/supervision/cards?${scope}`} />
          <MonthCharts ctx={ctx} perf={perf} />
          <h2>{t('stats.levels.title')}</h2>
          <Levels ctx={ctx} perf={perf} />
          <h2>{t('stats.cards.title')}</h2>
          <Table<Card>
            caption={t('stats.cards.title')}
            empty={t('stats.cards.empty')}
            rows={perf.cards.byDepartment}
            columns={[
              { header: t('stats.cards.department'), cell: (c) => c.departmentName },
              {
                header: t('stats.cards.red'),
                numeric: true,
                cell: (c) =>
                  c.red ? (
                    <a
                      href={`/supervision/cards?${query({ region: perf.region.code, department: c.departmentId, colour: 'red' })}`}
                    >
                      {c.red}
                    </a>
                  ) : (
                    '0'
                  ),
              },
              {
                header: t('stats.cards.yellow'),
                numeric: true,
                cell: (c) =>
                  c.yellow ? (
                    <a
                      href={`/supervision/cards?${query({ region: perf.region.code, department: c.departmentId, colour: 'yellow' })}`}
                    >
                      {c.yellow}
                    </a>
                  ) : (
                    '0'
                  ),
              },
            ]}
          />
          <Rankings ctx={ctx} perf={perf} withOnline={true} />
        </div>
      </div>
    </>
  );
}

export function PublicPerformancePage({
  ctx,
  perf,
  filters,
}: {
  ctx: ViewContext;
  perf: Performance;
  filters: FilterModel;
}) {
  const { t } = ctx;
  return (
    <>
      <PageHeading caption={t('stats.period', { from: perf.period.from, to: perf.period.to })}>
        {t('stats.public.title')}
      </PageHeading>
      <p>{t('stats.public.intro')}</p>
      <Filters ctx={ctx} f={filters} />
      <h2>{t('stats.figures.title')}</h2>
      <KeyFigures ctx={ctx} perf={perf} />
      <MonthCharts ctx={ctx} perf={perf} />
      <h2>{t('stats.levels.title')}</h2>
      <Levels ctx={ctx} perf={perf} />
      <Rankings ctx={ctx} perf={perf} withOnline={false} />
    </>
  );
}

export interface CardsModel {
  readonly colour: 'yellow' | 'red';
  readonly backHref: string;
  readonly cases: ReadonlyArray<{
    caseNumber: string;
    departmentName: string;
    status: string;
    due: string | null;
    submittedAt: string;
  }>;
}

export function CardsPage({ ctx, m }: { ctx: ViewContext; m: CardsModel }) {
  const { t } = ctx;
  type C = CardsModel['cases'][number];
  return (
    <>
      <BackLink href={m.backHref}>{t('stats.drill.back')}</BackLink>
      <PageHeading>{t(`stats.drill.title.${m.colour}`)}</PageHeading>
      <Table<C>
        caption={t('stats.drill.caption', { n: m.cases.length })}
        empty={t('stats.drill.empty')}
        rows={m.cases}
        columns={[
          {
            header: t('stats.drill.case'),
            cell: (c) => <a href={`/workbench/cases/${encodeURIComponent(c.caseNumber)}`}>{c.caseNumber}</a>,
          },
          { header: t('stats.drill.department'), cell: (c) => c.departmentName },
          { header: t('stats.drill.status'), cell: (c) => t(`cases.status.${c.status}`) },
          { header: t('stats.drill.due'), cell: (c) => c.due ?? '—' },
          {
            header: t('stats.drill.submitted'),
            cell: (c) => (
              <time dateTime={c.submittedAt}>
                {chinaDateTime(c.submittedAt)} {CHINA_TIME_LABEL}
              </time>
            ),
          },
        ]}
      />
    </>
  );
}

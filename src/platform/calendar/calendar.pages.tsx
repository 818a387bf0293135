import {
  Button,
  ErrorSummary,
  Notice,
  PageHeading,
  Panel,
  Table,
  TextField,
  type ViewContext,
  renderPage,
} from '../views/index.js';
import type { CalendarCoverage } from './calendar.service.js';

export interface CalendarPageModel {
  values: { start: string; workingDays: string; region: string };
  errors: Partial<Record<'start' | 'workingDays' | 'region', string>>;
  coverage: CalendarCoverage;
  result?: { start: string; n: number; due: string };
  days?: Array<{
    date: string;
    weekday: string;
    counted: boolean;
    ordinal: number | undefined;
    reason: string;
  }>;
}

/** The public deadline calculator: a GET form (works without JavaScript) and the day-by-day table. */
export function calendarPage(ctx: ViewContext, m: CalendarPageModel): string {
  const t = ctx.t;
  const issues = Object.entries(m.errors).map(([field, message]) => ({
    field,
    rule: 'invalid',
    message: message ?? '',
  }));
  const years = m.coverage.years;
  const dueRow = m.days?.[m.days.length - 1];
  // a result that reaches into a year without holiday data is only weekend-correct: say so
  const uncovered =
    m.result && years.length
      ? [...new Set([m.result.start, m.result.due].map((d) => Number(d.slice(0, 4))))].filter(
          (y) => !years.includes(y),
        )
      : [];
  const body = (
    <>
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading>{t('calendar.page.title')}</PageHeading>
      <p>{t('calendar.page.intro')}</p>
      {m.coverage.missing.length ? (
        <Notice kind="warning">{t('calendar.noData', { years: m.coverage.missing.join('、') })}</Notice>
      ) : null}
      <form method="get" action="/calendar" novalidate>
        <TextField
          name="start"
          type="date"
          label={t('calendar.page.start')}
          hint={t('calendar.page.startHint')}
          value={m.values.start}
          error={m.errors.start}
          required
          width="medium"
        />
        <TextField
          name="workingDays"
          type="text"
          inputmode="numeric"
          label={t('calendar.page.workingDays')}
          hint={t('calendar.page.workingDaysHint')}
          value={m.values.workingDays}
          error={m.errors.workingDays}
          required
          width="short"
          maxLength={4}
        />
        <TextField
          name="region"
          type="text"
          inputmode="numeric"
          label={t('calendar.page.region')}
          hint={t('calendar.page.regionHint')}
          value={m.values.region}
          error={m.errors.region}
          width="medium"
          maxLength={12}
        />
        <Button>{t('calendar.page.calculate')}</Button>
      </form>
      {m.result && m.days && dueRow ? (
        <>
          <Panel title={t('calendar.page.result', { due: m.result.due, weekday: dueRow.weekday })}>
            {t('calendar.page.resultSummary', { n: m.result.n, start: m.result.start })}
          </Panel>
          {uncovered.length ? (
            <Notice kind="warning">{t('calendar.noData', { years: uncovered.join('、') })}</Notice>
          ) : null}
          <Table
            caption={t('calendar.page.tableCaption', { start: m.result.start, due: m.result.due })}
            rows={m.days}
            columns={[
              { header: t('calendar.page.colDate'), cell: (d) => <time dateTime={d.date}>{d.date}</time> },
              { header: t('calendar.page.colWeekday'), cell: (d) => d.weekday },
              {
                header: t('calendar.page.colCounted'),
                cell: (d) =>
                  d.counted
                    ? d.ordinal !== undefined
                      ? t('calendar.page.counted', { n: d.ordinal })
                      : t('common.yes')
                    : t('calendar.page.notCounted'),
              },
              { header: t('calendar.page.colReason'), cell: (d) => d.reason },
            ]}
          />
        </>
      ) : null}
      {years.length ? (
        <p class="field-hint">
          {t('calendar.page.coverage', { from: years[0]!, to: years[years.length - 1]! })}
        </p>
      ) : null}
    </>
  );
  return renderPage(ctx, t('calendar.page.title'), body);
}

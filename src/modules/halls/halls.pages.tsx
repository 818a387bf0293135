import { CHINA_TIME_LABEL, chinaDateTime } from '../../kernel/index.js';
import { render } from 'preact-render-to-string';
import {
  Button,
  ChartFigure,
  CsrfField,
  ErrorSummary,
  Notice,
  PageHeading,
  SelectField,
  SummaryList,
  Table,
  TextField,
  type ViewContext,
  fieldId,
} from '../../platform/views/index.js';
import type { HallInfo, HallWindowInfo } from './halls.ports.js';
import type { CallRow } from './halls.store.js';
import type { DayFigures, LayoutView, Line, NearestHall, TicketView } from './halls.types.js';

const hhmm = (iso: string) => chinaDateTime(iso).slice(11);

/**
 * The calling screen (`/halls/{id}/screen`): a full-screen page of its own (no site header), high
 * contrast, the latest calls in a table. screen.js follows `/api/v1/halls/{id}/events` and speaks
 * each call (SpeechSynthesis, zh-CN); without scripts the page reloads every 10 seconds.
 */
export function screenPage(
  ctx: ViewContext,
  hall: HallInfo,
  calls: readonly CallRow[],
  waiting: Record<Line, number>,
): string {
  const { t } = ctx;
  const title = t('halls.screen.title', { hall: hall.name });
  return `<!doctype html>${render(
    <html lang={ctx.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <noscript>
          <meta http-equiv="refresh" content="10" />
        </noscript>
        <link rel="stylesheet" href="/halls/assets/halls.css" />
        <script src="/halls/assets/screen.js" defer />
      </head>
      <body class="hall-screen">
        <main
          id="main"
          data-hall={hall.id}
          data-lang={ctx.lang}
          data-say={t('halls.screen.say', { ticket: '{ticket}', window: '{window}' })}
          data-offline={t('halls.screen.offline')}
        >
          <h1>{title}</h1>
          {ctx.demo ? <p class="screen-demo">{t('app.demoBanner')}</p> : null}
          <p class="screen-note">{t('halls.screen.live')}</p>
          <p class="screen-status" role="status" aria-live="polite" id="screen-status" />
          <table class="screen-calls" aria-live="polite">
            <caption>{t('halls.screen.calling')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('halls.screen.ticket')}</th>
                <th scope="col">{t('halls.screen.window')}</th>
                <th scope="col">{t('halls.screen.time', { zone: CHINA_TIME_LABEL })}</th>
              </tr>
            </thead>
            <tbody id="calls">
              {calls.length === 0 ? (
                <tr class="empty">
                  <td colSpan={3}>{t('halls.screen.none')}</td>
                </tr>
              ) : (
                calls.map((c) => (
                  <tr class={`call-${c.kind}`}>
                    <td class="ticket">{c.ticket}</td>
                    <td>
                      {c.window} <span class="kind">{t(`halls.kind.${c.kind}`)}</span>
                    </td>
                    <td>
                      <time datetime={c.at}>{hhmm(c.at)}</time>
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
          <h2>{t('halls.screen.waiting')}</h2>
          <ul class="screen-waiting">
            {(Object.keys(waiting) as Line[]).map((l) => (
              <li>
                {l} {t(`halls.line.${l}`)}: <strong>{waiting[l]}</strong>
              </li>
            ))}
          </ul>
        </main>
      </body>
    </html>,
  )}`;
}

/** The citizen's view of a ticket (on the phone, from the receipt's link): position and wait. */
export function TicketPage({ ctx, hall, v }: { ctx: ViewContext; hall: HallInfo; v: TicketView }) {
  const { t } = ctx;
  const status =
    v.status === 'called'
      ? t('halls.ticket.status.called', { window: v.window ?? '' })
      : t(`halls.ticket.status.${v.status}`);
  return (
    <div data-follow-hall={hall.id} data-follow-ticket={v.id}>
      <PageHeading caption={hall.name}>{t('halls.ticket.title', { ticket: v.ticket })}</PageHeading>
      {v.status === 'called' ? <Notice kind="success">{status}</Notice> : null}
      <SummaryList
        rows={[
          { key: t('halls.ticket.hall'), value: hall.name },
          { key: t('halls.ticket.line'), value: `${v.line} ${t(`halls.line.${v.line}`)}` },
          { key: t('halls.ticket.status'), value: <span id="ticket-status">{status}</span> },
          {
            key: t('halls.ticket.position'),
            value: <span id="ticket-position">{t('halls.ticket.positionValue', { n: v.position })}</span>,
          },
          {
            key: t('halls.ticket.wait'),
            value: <span id="ticket-wait">{t('halls.ticket.waitValue', { n: v.estimatedWaitMinutes })}</span>,
          },
          {
            key: t('halls.ticket.takenAt', { zone: CHINA_TIME_LABEL }),
            value: <time datetime={v.takenAt}>{chinaDateTime(v.takenAt)}</time>,
          },
        ]}
      />
      <p>{t('halls.ticket.live')}</p>
      <p>
        <a class="button button-secondary" href={`/halls/${hall.id}/tickets/${v.id}`}>
          {t('halls.ticket.refresh')}
        </a>
      </p>
    </div>
  );
}

/** The clerk's calling desk: call next, recall, skip, finish, transfer; take a walk-in ticket. */
export function DeskPage({
  ctx,
  hall,
  windows,
  waiting,
  window,
  serving,
  flash,
}: {
  ctx: ViewContext;
  hall: HallInfo;
  windows: ReadonlyArray<HallWindowInfo & { serving: string | null; lines: Line[] }>;
  waiting: Record<Line, number>;
  window: number;
  serving: TicketView | undefined;
  flash?: string | undefined;
}) {
  const { t } = ctx;
  const base = `/halls/${hall.id}/desk`;
  return (
    <>
      <PageHeading caption={hall.name}>{t('halls.desk.title', { hall: hall.name })}</PageHeading>
      {flash ? <Notice kind="success">{flash}</Notice> : null}
      <form method="get" action={base} class="filters">
        <label for="desk-window">{t('halls.desk.window')}</label>
        <select id="desk-window" name="window">
          {windows.map((w) => (
            <option value={String(w.number)} selected={w.number === window}>
              {w.number} ({w.lines.join(' ')})
            </option>
          ))}
        </select>
        <Button variant="secondary">{t('halls.desk.window')}</Button>
      </form>
      <h2>
        {t('halls.desk.serving')}: {serving ? serving.ticket : '—'}
      </h2>
      {serving?.caseNumber ? (
        <p>
          <a href={`/workbench/cases/${encodeURIComponent(serving.caseNumber)}`}>{t('halls.desk.open')}</a>
        </p>
      ) : null}
      <form method="post" action={`${base}/call`} class="action-form">
        <CsrfField ctx={ctx} />
        <input type="hidden" name="window" value={String(window)} />
        <Button>{t('halls.desk.call')}</Button>
      </form>
      {serving ? (
        <form method="post" action={`${base}/act`} class="action-form">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="window" value={String(window)} />
          <input type="hidden" name="ticket" value={serving.id} />
          <Button variant="secondary" name="action" value="recall">
            {t('halls.desk.recall')}
          </Button>{' '}
          <Button variant="secondary" name="action" value="finish">
            {t('halls.desk.finish')}
          </Button>{' '}
          <Button variant="warning" name="action" value="skip">
            {t('halls.desk.skip')}
          </Button>
          <p>
            <label for="transfer-to">{t('halls.desk.transfer')}</label>{' '}
            <select id="transfer-to" name="to">
              {windows
                .filter((w) => w.number !== window)
                .map((w) => (
                  <option value={String(w.number)}>{w.number}</option>
                ))}
            </select>{' '}
            <Button variant="secondary" name="action" value="transfer">
              {t('halls.desk.transfer')}
            </Button>
          </p>
        </form>
      ) : null}
      <form method="post" action={`${base}/take`} class="action-form">
        <CsrfField ctx={ctx} />
        <input type="hidden" name="window" value={String(window)} />
        <label for="take-line">{t('halls.ticket.line')}</label>{' '}
        <select id="take-line" name="line">
          {(['A', 'B', 'C'] as const).map((l) => (
            <option value={l}>
              {l} {t(`halls.line.${l}`)}
            </option>
          ))}
        </select>{' '}
        <Button variant="secondary">{t('halls.desk.take')}</Button>
      </form>
      <Table
        caption={t('halls.desk.waiting')}
        columns={[
          { header: t('halls.ticket.line'), cell: (l: Line) => `${l} ${t(`halls.line.${l}`)}` },
          { header: t('halls.screen.waiting'), cell: (l: Line) => String(waiting[l]), numeric: true },
        ]}
        rows={['A', 'B', 'C'] as Line[]}
      />
      <Table
        caption={t('halls.desk.windows')}
        columns={[
          { header: t('halls.screen.window'), cell: (w: (typeof windows)[number]) => String(w.number) },
          { header: t('halls.ticket.line'), cell: (w: (typeof windows)[number]) => w.lines.join(' ') },
          { header: t('halls.desk.serving'), cell: (w: (typeof windows)[number]) => w.serving ?? '—' },
        ]}
        rows={windows}
      />
      <p>
        <a href={`/halls/${hall.id}/screen`}>{t('halls.screen.title', { hall: hall.name })}</a>
      </p>
    </>
  );
}

/** 就近办: where to go, nearest first, today's hours and the current wait. */
export function NearestPage({
  ctx,
  q,
  r,
}: {
  ctx: ViewContext;
  q: {
    region?: string | undefined;
    item?: string | undefined;
    lat?: string | undefined;
    lng?: string | undefined;
  };
  r: { halls: readonly NearestHall[] } | undefined;
}) {
  const { t } = ctx;
  return (
    <>
      <PageHeading>{t('halls.nearest.title')}</PageHeading>
      <p>{t('halls.nearest.intro')}</p>
      <form method="get" action="/halls/nearest" class="filters">
        <p>
          <label for="n-region">{t('halls.nearest.region')}</label>
          <input id="n-region" name="region" value={q.region ?? ''} inputMode="numeric" maxLength={12} />
        </p>
        <p>
          <label for="n-lat">{t('halls.nearest.lat')}</label>
          <input id="n-lat" name="lat" value={q.lat ?? ''} inputMode="decimal" maxLength={20} />
          <label for="n-lng">{t('halls.nearest.lng')}</label>
          <input id="n-lng" name="lng" value={q.lng ?? ''} inputMode="decimal" maxLength={20} />
        </p>
        <p>
          <label for="n-item">{t('halls.nearest.item')}</label>
          <input id="n-item" name="item" value={q.item ?? ''} maxLength={40} />
        </p>
        <Button>{t('halls.nearest.find')}</Button>
      </form>
      {r ? (
        <Table
          caption={t('halls.nearest.caption', { n: r.halls.length })}
          columns={[
            {
              header: t('halls.ticket.hall'),
              cell: (h: NearestHall) => (
                <>
                  {h.name}
                  <br />
                  <small>{h.address}</small>
                </>
              ),
            },
            {
              header: t('halls.nearest.distance'),
              cell: (h: NearestHall) => `${h.distanceKm} km`,
              numeric: true,
            },
            {
              header: t('halls.nearest.today', { zone: CHINA_TIME_LABEL }),
              cell: (h: NearestHall) =>
                h.openToday
                  ? h.todayHours.join(', ')
                  : t(`halls.nearest.closed.${h.dayReason === 'holiday' ? 'holiday' : 'day'}`),
            },
            {
              header: t('halls.screen.waiting'),
              cell: (h: NearestHall) => t('halls.nearest.wait', { n: h.waiting, m: h.estimatedWaitMinutes }),
            },
            {
              header: t('halls.nearest.book'),
              cell: (h: NearestHall) => <a href={`/halls/${h.id}/screen`}>{t('halls.nearest.screen')}</a>,
            },
          ]}
          rows={r.halls}
        />
      ) : null}
    </>
  );
}

/** Hall management: the day's figures (ChartFigure with its table) and the quota form. */
export function ManagePage({
  ctx,
  hall,
  f,
  saved,
}: {
  ctx: ViewContext;
  hall: HallInfo;
  f: DayFigures;
  saved: boolean;
}) {
  const { t } = ctx;
  const n = (x: number | null) => (x === null ? '—' : String(x));
  return (
    <>
      <PageHeading caption={hall.name}>{t('halls.manage.title', { hall: hall.name })}</PageHeading>
      {saved ? <Notice kind="success">{t('halls.manage.saved')}</Notice> : null}
      <p>
        <a href={`/halls/${hall.id}/manage/layout`}>{t('halls.manage.layoutLink')}</a>
      </p>
      <form method="get" action={`/halls/${hall.id}/manage`} class="filters">
        <label for="m-date">{t('halls.manage.date')}</label>
        <input id="m-date" name="date" type="date" value={f.date} />
        <Button variant="secondary">{t('halls.manage.show')}</Button>
      </form>
      <Table
        caption={t('halls.manage.lines', { date: f.date })}
        columns={[
          {
            header: t('halls.ticket.line'),
            cell: (r: DayFigures['lines'][number]) => `${r.line} ${t(`halls.line.${r.line}`)}`,
          },
          {
            header: t('halls.manage.taken'),
            cell: (r: DayFigures['lines'][number]) => String(r.taken),
            numeric: true,
          },
          {
            header: t('halls.manage.called'),
            cell: (r: DayFigures['lines'][number]) => String(r.called),
            numeric: true,
          },
          {
            header: t('halls.manage.skipped'),
            cell: (r: DayFigures['lines'][number]) => String(r.skipped),
            numeric: true,
          },
          {
            header: t('halls.screen.waiting'),
            cell: (r: DayFigures['lines'][number]) => String(r.waiting),
            numeric: true,
          },
          {
            header: t('halls.manage.wait'),
            cell: (r: DayFigures['lines'][number]) => n(r.averageWaitMinutes),
            numeric: true,
          },
          {
            header: t('halls.manage.service'),
            cell: (r: DayFigures['lines'][number]) => n(r.averageServiceMinutes),
            numeric: true,
          },
        ]}
        rows={f.lines}
      />
      <ChartFigure
        title={t('halls.manage.byHour', { zone: CHINA_TIME_LABEL })}
        categoryHeader={t('halls.manage.hour')}
        spec={{
          kind: 'stacked-bar',
          categories: f.byHour.map((h) => h.hour),
          series: (['A', 'B', 'C'] as const).map((l) => ({
            name: `${l} ${t(`halls.line.${l}`)}`,
            values: f.byHour.map((h) => h[l]),
          })),
        }}
      />
      <SummaryList
        rows={[
          { key: t('halls.manage.booked'), value: String(f.appointments.booked) },
          { key: t('halls.manage.checkedIn'), value: String(f.appointments.checkedIn) },
          { key: t('halls.manage.cancelled'), value: String(f.appointments.cancelled) },
          { key: t('halls.manage.noShows'), value: String(f.appointments.noShows) },
        ]}
      />
      <Table
        caption={t('halls.manage.ratings', {
          count: f.ratings.count,
          good: f.ratings.good,
          poor: f.ratings.poor,
          average: n(f.ratings.average),
        })}
        columns={[
          {
            header: t('halls.manage.ratingWindow'),
            cell: (r: DayFigures['ratings']['byWindow'][number]) => r.window,
          },
          {
            header: t('halls.manage.ratingClerk'),
            cell: (r: DayFigures['ratings']['byWindow'][number]) => r.clerk ?? '—',
          },
          {
            header: t('halls.manage.ratingCount'),
            cell: (r: DayFigures['ratings']['byWindow'][number]) => String(r.count),
            numeric: true,
          },
          {
            header: t('halls.manage.ratingPoor'),
            cell: (r: DayFigures['ratings']['byWindow'][number]) => String(r.poor),
            numeric: true,
          },
          {
            header: t('halls.manage.ratingAverage'),
            cell: (r: DayFigures['ratings']['byWindow'][number]) => String(r.average),
            numeric: true,
          },
        ]}
        rows={f.ratings.byWindow}
      />
      <h2>{t('halls.manage.quota')}</h2>
      <form method="post" action={`/halls/${hall.id}/manage/quota`} class="action-form">
        <CsrfField ctx={ctx} />
        <label for="q-line">{t('halls.ticket.line')}</label>{' '}
        <select id="q-line" name="line">
          {(['A', 'B', 'C'] as const).map((l) => (
            <option value={l}>
              {l} {t(`halls.line.${l}`)}
            </option>
          ))}
        </select>{' '}
        <label for="q-per">{t('halls.manage.perSlot')}</label>{' '}
        <input id="q-per" name="perSlot" type="number" min="0" max="500" inputMode="numeric" required />{' '}
        <Button variant="secondary">{t('halls.manage.saveQuota')}</Button>
      </form>
    </>
  );
}

/** Extra empty rows the layout form offers (a window or an opening period to add, without scripts). */
export const LAYOUT_BLANK_ROWS = 2;

/**
 * 大厅管理: the hall's windows (number, kind, lines, items, staff on duty) and opening hours, one
 * form saved whole; an empty window number or period drops the row. Problems are listed at the
 * top, each linking to its field.
 */
export function LayoutPage({
  ctx,
  hall,
  layout,
  issues,
  saved,
}: {
  ctx: ViewContext;
  hall: HallInfo;
  layout: LayoutView;
  issues: ReadonlyArray<{ field: string; rule: string }>;
  saved: boolean;
}) {
  const { t } = ctx;
  const windows = [...layout.windows, ...Array.from({ length: LAYOUT_BLANK_ROWS }, () => undefined)];
  const hours = [...layout.hours, ...Array.from({ length: LAYOUT_BLANK_ROWS }, () => undefined)];
  const errorOf = (field: string) => {
    const i = issues.find((x) => x.field === field);
    return i ? layoutRuleMessage(ctx, i.rule) : undefined;
  };
  return (
    <>
      <PageHeading caption={hall.name}>{t('halls.layout.title')}</PageHeading>
      {saved ? <Notice kind="success">{t('halls.manage.saved')}</Notice> : null}
      <ErrorSummary
        ctx={ctx}
        issues={issues.map((i) => ({
          ...i,
          message: layoutRuleMessage(ctx, i.rule),
          href: `#${fieldId(i.field)}`,
        }))}
      />
      <p>
        {layout.managed ? t('halls.layout.managed') : t('halls.layout.fromRegions')}{' '}
        <a href={`/halls/${hall.id}/manage`}>{t('halls.layout.back')}</a>
      </p>
      <form method="post" action={`/halls/${hall.id}/manage/layout`} novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="windowRows" value={String(windows.length)} />
        <input type="hidden" name="hourRows" value={String(hours.length)} />
        <h2 id="layout-windows">{t('halls.layout.windows')}</h2>
        {windows.map((w, i) => (
          <fieldset class="fieldset">
            <legend>{w ? t('halls.layout.window', { n: w.number }) : t('halls.layout.newWindow')}</legend>
            <TextField
              name={`windows.${i}.number`}
              label={t('halls.layout.number')}
              type="number"
              inputmode="numeric"
              width="short"
              value={w ? String(w.number) : ''}
              error={errorOf(`windows.${i}.number`)}
            />
            <SelectField
              name={`windows.${i}.kind`}
              label={t('halls.layout.kind')}
              value={w?.kind ?? 'general'}
              options={(['general', 'enquiry', 'delivery'] as const).map((k) => ({
                value: k,
                label: t(`halls.layout.kind.${k}`),
              }))}
            />
            <fieldset
              class="fieldset"
              aria-describedby={errorOf(`windows.${i}.lines`) ? fieldId(`windows.${i}.lines`) : undefined}
            >
              <legend>{t('halls.layout.lines')}</legend>
              {errorOf(`windows.${i}.lines`) ? (
                <p class="error-message" id={fieldId(`windows.${i}.lines`)}>
                  {errorOf(`windows.${i}.lines`)}
                </p>
              ) : null}
              {(['A', 'B', 'C'] as const).map((l) => (
                <div class="checkbox">
                  <input
                    type="checkbox"
                    id={fieldId(`windows.${i}.line${l}`)}
                    name={`windows.${i}.line${l}`}
                    value="1"
                    checked={w?.lines.includes(l) ?? false}
                  />
                  <label for={fieldId(`windows.${i}.line${l}`)}>
                    {l} {t(`halls.line.${l}`)}
                  </label>
                </div>
              ))}
            </fieldset>
            <TextField
              name={`windows.${i}.items`}
              label={t('halls.layout.items')}
              hint={t('halls.layout.itemsHint')}
              value={w?.items.join(' ') ?? ''}
              error={errorOf(`windows.${i}.items`)}
            />
            <TextField
              name={`windows.${i}.staff`}
              label={t('halls.layout.staff')}
              hint={t('halls.layout.staffHint')}
              value={w?.staff.join(' ') ?? ''}
              error={errorOf(`windows.${i}.staff`)}
            />
          </fieldset>
        ))}
        <h2 id="layout-hours">{t('halls.layout.hours', { zone: CHINA_TIME_LABEL })}</h2>
        {hours.map((h, i) => (
          <fieldset class="fieldset">
            <legend>{t('halls.layout.period', { n: i + 1 })}</legend>
            <SelectField
              name={`hours.${i}.days`}
              label={t('halls.layout.days')}
              value={h?.days ?? ''}
              options={[
                { value: '', label: t('halls.layout.days.none') },
                ...(['weekdays', 'saturday', 'sunday', 'daily'] as const).map((d) => ({
                  value: d,
                  label: t(`halls.layout.days.${d}`),
                })),
              ]}
            />
            <TextField
              name={`hours.${i}.from`}
              label={t('halls.layout.from')}
              hint="HH:mm"
              width="short"
              value={h?.from ?? ''}
              error={errorOf(`hours.${i}.from`)}
            />
            <TextField
              name={`hours.${i}.to`}
              label={t('halls.layout.to')}
              hint="HH:mm"
              width="short"
              value={h?.to ?? ''}
              error={errorOf(`hours.${i}.to`)}
            />
          </fieldset>
        ))}
        <Button>{t('halls.layout.save')}</Button>
      </form>
    </>
  );
}

/** A field issue of the layout form in words: the rule's own message, or the schema's. */
export function layoutRuleMessage(ctx: ViewContext, rule: string): string {
  const key = `halls.layout.rule.${rule}`;
  const m = ctx.t(key);
  return m === key ? ctx.t('halls.layout.rule.SCHEMA') : m;
}

/**
 * The pages of 好差评 and 政民互动: the citizen's rating form (case page link and the SMS / QR
 * link), my ratings, the complaint form and its status; the staff queues of rectifications and
 * complaints with their working-day clocks; the supervisor's appeals; the public monthly results.
 * Server-rendered, usable without JavaScript; times in China time, labelled.
 */
import type { ComponentChildren } from 'preact';
import type { FieldIssue } from '../../kernel/index.js';
import { CHINA_TIME_LABEL, chinaDateTime } from '../../kernel/index.js';
import {
  Button,
  ChartFigure,
  CsrfField,
  ErrorSummary,
  Notice,
  PageHeading,
  RadioGroup,
  SelectField,
  SummaryList,
  Table,
  Tag,
  type TagColour,
  TextArea,
  TextField,
  type ViewContext,
} from '../../platform/views/index.js';
import type { ClockColour } from './ratings.clock.js';
import type { RectificationView } from './ratings.rectify.js';
import type { DepartmentResult } from './ratings.results.js';
import {
  COMPLAINT_KINDS,
  type Complaint,
  type Indicator,
  RATING_LEVELS,
  type Rating,
} from './ratings.types.js';

export type Issues = ReadonlyArray<FieldIssue & { message: string }>;
const enc = encodeURIComponent;
const fieldError = (issues: Issues, field: string) => issues.find((i) => i.field === field)?.message;

/** A time shown to people: China time, labelled. */
function When({ at }: { at: string }) {
  return (
    <time dateTime={at}>
      {chinaDateTime(at)} ({CHINA_TIME_LABEL})
    </time>
  );
}

const COLOUR_TAG: Record<ClockColour, TagColour> = {
  green: 'green',
  yellow: 'yellow',
  red: 'red',
  stopped: 'grey',
};

function Checkboxes(p: {
  name: string;
  legend: string;
  hint?: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  checked: readonly string[];
}) {
  const id = `f-${p.name}`;
  return (
    <fieldset class="fieldset" id={id} aria-describedby={p.hint ? `${id}-hint` : undefined}>
      <legend class="field-label">{p.legend}</legend>
      {p.hint ? (
        <div id={`${id}-hint`} class="field-hint">
          {p.hint}
        </div>
      ) : null}
      {p.options.map((o, i) => (
        <div class="checkbox">
          <input
            type="checkbox"
            id={`${id}-${i}`}
            name={p.name}
            value={o.value}
            checked={p.checked.includes(o.value)}
          />
          <label for={`${id}-${i}`}>{o.label}</label>
        </div>
      ))}
    </fieldset>
  );
}

// ── rating ───────────────────────────────────────────────────────────────────────────────────

export interface RateModel {
  readonly caseNumber: string;
  readonly itemName: string;
  /** stages the case reached; the form offers these */
  readonly stages: ReadonlyArray<'accepted' | 'completed'>;
  readonly indicators: readonly Indicator[];
  /** ratings already given (this page's channel) */
  readonly given: readonly Rating[];
  readonly action: string;
  /** the SMS / QR link fixes the stage */
  readonly fixedStage?: 'accepted' | 'completed' | undefined;
  readonly values?: Readonly<Record<string, string>>;
}

/** The window pad's one-time rating link as a QR code (一次一评 on the applicant's own phone). */
export interface WindowQr {
  /** the QR code as SVG text, drawn on the server by the qrcode library */
  readonly svg: string;
  readonly url: string;
  readonly expiresAt: string;
}

function WindowQrPanel({
  ctx,
  m,
  qr,
  action,
  window,
}: {
  ctx: ViewContext;
  m: RateModel;
  qr?: WindowQr | undefined;
  action: string;
  window: string;
}) {
  const { t } = ctx;
  return (
    <section aria-labelledby="qr-h" class="window-qr">
      <h2 id="qr-h">{t('ratings.qr.heading')}</h2>
      <p>{t('ratings.qr.lead')}</p>
      {qr ? (
        <figure>
          {/* the drawing is the link for a camera; the same link is written out below it */}
          <div
            role="img"
            aria-label={t('ratings.qr.alt')}
            id="window-qr"
            dangerouslySetInnerHTML={{ __html: qr.svg }}
          />
          <figcaption>
            <a href={qr.url}>{qr.url}</a>
            <br />
            {t('ratings.qr.expires')} <When at={qr.expiresAt} />
          </figcaption>
        </figure>
      ) : null}
      <form method="post" action={action}>
        <CsrfField ctx={ctx} />
        <TextField
          name="window"
          label={t('ratings.field.window')}
          value={window}
          width="short"
          maxLength={16}
        />
        <SelectField
          name="stage"
          label={t('ratings.field.stage')}
          options={m.stages.map((s) => ({ value: s, label: t(`ratings.stage.${s}`) }))}
        />
        <Button variant="secondary">{t('ratings.qr.issue')}</Button>
      </form>
    </section>
  );
}

export function RatePage({
  ctx,
  m,
  issues,
  notice,
  window,
  qr,
  qrAction,
}: {
  ctx: ViewContext;
  m: RateModel;
  issues: Issues;
  notice?: string | undefined;
  /** the window pad: the window's code (asked for when not given in the address) */
  window?: string | undefined;
  /** the window pad: the QR of a one-time link just issued, and where to ask for one */
  qr?: WindowQr | undefined;
  qrAction?: string | undefined;
}) {
  const { t } = ctx;
  const v = m.values ?? {};
  const rated = new Set(m.given.filter((r) => !r.followUp).map((r) => r.stage));
  const open = m.stages.filter((s) => !rated.has(s));
  const canFollowUp = m.stages.some((s) => rated.has(s));
  return (
    <div class="narrow">
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading caption={m.itemName}>{t('ratings.rate.title', { caseNumber: m.caseNumber })}</PageHeading>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <p>{t('ratings.rate.intro')}</p>
      {m.given.length ? (
        <Table
          caption={t('ratings.rate.given')}
          columns={[
            { header: t('ratings.col.stage'), cell: (r: Rating) => t(`ratings.stage.${r.stage}`) },
            { header: t('ratings.col.level'), cell: (r) => t(`ratings.level.${r.level}`) },
            {
              header: t('ratings.col.kind'),
              cell: (r) => t(r.followUp ? 'ratings.followUp' : 'ratings.first'),
            },
            { header: t('ratings.col.at'), cell: (r) => <When at={r.createdAt} /> },
          ]}
          rows={m.given}
        />
      ) : null}
      {m.stages.length === 0 ? (
        <Notice>{t('ratings.rate.notYet')}</Notice>
      ) : open.length === 0 && !canFollowUp ? null : (
        <form method="post" action={m.action} novalidate>
          <CsrfField ctx={ctx} />
          {window !== undefined ? (
            <TextField
              name="window"
              label={t('ratings.field.window')}
              value={window}
              width="short"
              maxLength={16}
              error={fieldError(issues, 'window')}
            />
          ) : null}
          {m.fixedStage ? (
            <input type="hidden" name="stage" value={m.fixedStage} />
          ) : (
            <RadioGroup
              name="stage"
              legend={t('ratings.field.stage')}
              value={v.stage ?? open[0] ?? m.stages[0]}
              error={fieldError(issues, 'stage')}
              options={m.stages.map((s) => ({
                value: s,
                label: t(`ratings.stage.${s}`),
                hint: rated.has(s) ? t('ratings.rate.stageRated') : undefined,
              }))}
            />
          )}
          <RadioGroup
            name="level"
            legend={t('ratings.field.level')}
            value={v.level}
            error={fieldError(issues, 'level')}
            options={RATING_LEVELS.map((l) => ({ value: String(l), label: t(`ratings.level.${l}`) }))}
          />
          <Checkboxes
            name="indicators"
            legend={t('ratings.field.indicators')}
            hint={t('ratings.field.indicatorsHint')}
            options={m.indicators.map((i) => ({ value: i, label: t(`ratings.indicator.${i}`) }))}
            checked={(v.indicators ?? '').split('\n')}
          />
          <TextArea
            name="text"
            label={t('ratings.field.text')}
            hint={t('ratings.field.textHint')}
            value={v.text}
            maxLength={500}
            rows={4}
            error={fieldError(issues, 'text')}
          />
          <Checkboxes
            name="anonymous"
            legend={t('ratings.field.privacy')}
            options={[{ value: '1', label: t('ratings.field.anonymous') }]}
            checked={v.anonymous ? ['1'] : []}
          />
          {canFollowUp ? (
            <Checkboxes
              name="followUp"
              legend={t('ratings.field.round')}
              hint={t('ratings.field.followUpHint')}
              options={[{ value: '1', label: t('ratings.followUp') }]}
              checked={v.followUp ? ['1'] : []}
            />
          ) : null}
          <Button>{t('ratings.rate.submit')}</Button>
        </form>
      )}
      {qrAction && m.stages.length ? (
        <WindowQrPanel ctx={ctx} m={m} qr={qr} action={qrAction} window={window ?? ''} />
      ) : null}
    </div>
  );
}

export function MyRatingsPage({ ctx, rows }: { ctx: ViewContext; rows: readonly Rating[] }) {
  const { t } = ctx;
  return (
    <>
      <PageHeading>{t('ratings.mine.title')}</PageHeading>
      <p>{t('ratings.mine.intro')}</p>
      <Table
        caption={t('ratings.mine.caption')}
        empty={t('ratings.mine.empty')}
        columns={[
          {
            header: t('ratings.col.case'),
            cell: (r: Rating) => <a href={`/cases/${enc(r.caseNumber)}/rate`}>{r.caseNumber}</a>,
          },
          { header: t('ratings.col.stage'), cell: (r) => t(`ratings.stage.${r.stage}`) },
          { header: t('ratings.col.channel'), cell: (r) => t(`ratings.channel.${r.channel}`) },
          { header: t('ratings.col.level'), cell: (r) => t(`ratings.level.${r.level}`) },
          { header: t('ratings.col.at'), cell: (r) => <When at={r.createdAt} /> },
        ]}
        rows={rows}
      />
    </>
  );
}

// ── complaints ───────────────────────────────────────────────────────────────────────────────

export function ComplaintFormPage({
  ctx,
  issues,
  values,
}: {
  ctx: ViewContext;
  issues: Issues;
  values: Readonly<Record<string, string>>;
}) {
  const { t } = ctx;
  return (
    <div class="narrow">
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading>{t('ratings.complaint.new')}</PageHeading>
      <p>{t('ratings.complaint.intro')}</p>
      <form method="post" action="/complaints" novalidate>
        <CsrfField ctx={ctx} />
        <RadioGroup
          name="kind"
          legend={t('ratings.field.kind')}
          value={values.kind ?? 'enquiry'}
          error={fieldError(issues, 'kind')}
          options={COMPLAINT_KINDS.map((k) => ({
            value: k,
            label: t(`ratings.kind.${k}`),
            hint: t(`ratings.kind.${k}.hint`),
          }))}
        />
        <SelectField
          name="subjectType"
          label={t('ratings.field.subjectType')}
          value={values.subjectType ?? 'case'}
          error={fieldError(issues, 'subject.type')}
          options={['case', 'item', 'hall'].map((s) => ({ value: s, label: t(`ratings.subject.${s}`) }))}
        />
        <TextField
          name="subjectRef"
          label={t('ratings.field.subjectRef')}
          hint={t('ratings.field.subjectRefHint')}
          value={values.subjectRef}
          width="full"
          error={fieldError(issues, 'subject') ?? fieldError(issues, 'subjectRef')}
        />
        <TextField
          name="title"
          label={t('ratings.field.title')}
          value={values.title}
          maxLength={100}
          error={fieldError(issues, 'title')}
        />
        <TextArea
          name="body"
          label={t('ratings.field.body')}
          value={values.body}
          maxLength={4000}
          error={fieldError(issues, 'body')}
        />
        <Button>{t('ratings.complaint.submit')}</Button>
      </form>
    </div>
  );
}

const statusTag = (ctx: ViewContext, c: Complaint) => (
  <Tag colour={c.status === 'answered' ? 'green' : 'blue'}>
    {ctx.t(`ratings.complaintStatus.${c.status}`)}
  </Tag>
);

export function MyComplaintsPage({ ctx, rows }: { ctx: ViewContext; rows: readonly Complaint[] }) {
  const { t } = ctx;
  return (
    <>
      <PageHeading>{t('ratings.complaint.mine')}</PageHeading>
      <p>
        <a href="/complaints/new">{t('ratings.complaint.new')}</a>
      </p>
      <ComplaintTable ctx={ctx} rows={rows} caption={t('ratings.complaint.mine')} base="/complaints" />
    </>
  );
}

function ComplaintTable({
  ctx,
  rows,
  caption,
  base,
}: {
  ctx: ViewContext;
  rows: readonly Complaint[];
  caption: string;
  base: string;
}) {
  const { t } = ctx;
  return (
    <Table
      caption={caption}
      empty={t('ratings.complaint.empty')}
      columns={[
        {
          header: t('ratings.col.number'),
          cell: (c: Complaint) => <a href={`${base}/${enc(c.complaintNumber)}`}>{c.complaintNumber}</a>,
        },
        { header: t('ratings.field.kind'), cell: (c) => t(`ratings.kind.${c.kind}`) },
        { header: t('ratings.field.title'), cell: (c) => c.title },
        { header: t('ratings.col.channel'), cell: (c) => t(`ratings.complaintChannel.${c.channel}`) },
        { header: t('ratings.col.due'), cell: (c) => c.dueOn },
        { header: t('ratings.col.status'), cell: (c) => statusTag(ctx, c) },
      ]}
      rows={rows}
    />
  );
}

export function ComplaintPage({
  ctx,
  c,
  mode,
  issues,
  notice,
}: {
  ctx: ViewContext;
  c: Complaint;
  /** the filer sees the answer and rates it; staff answer */
  mode: 'filer' | 'staff';
  issues: Issues;
  notice?: string | undefined;
}) {
  const { t } = ctx;
  const base =
    mode === 'filer'
      ? `/complaints/${enc(c.complaintNumber)}`
      : `/staff/complaints/${enc(c.complaintNumber)}`;
  const subject =
    c.subject.type === 'case'
      ? c.subject.caseNumber
      : c.subject.type === 'item'
        ? c.subject.implementationCode
        : c.subject.hallCode;
  return (
    <div class="narrow">
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading caption={t(`ratings.kind.${c.kind}`)}>{c.title}</PageHeading>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <SummaryList
        rows={[
          { key: t('ratings.col.number'), value: c.complaintNumber },
          { key: t('ratings.col.status'), value: statusTag(ctx, c) },
          { key: t(`ratings.subject.${c.subject.type}`), value: subject },
          { key: t('ratings.col.filed'), value: c.filedOn },
          { key: t('ratings.col.due'), value: `${c.dueOn} (${t('ratings.clock.workingDays')})` },
          ...(c.answeredAt ? [{ key: t('ratings.col.answeredAt'), value: <When at={c.answeredAt} /> }] : []),
        ]}
      />
      <h2>{t('ratings.field.body')}</h2>
      <p>{c.body}</p>
      {c.answer ? (
        <>
          <h2>{t('ratings.complaint.answer')}</h2>
          <p>{c.answer}</p>
        </>
      ) : null}
      {mode === 'filer' && c.status === 'answered' && c.answerLevel === null ? (
        <form method="post" action={`${base}/rating`} novalidate>
          <CsrfField ctx={ctx} />
          <RadioGroup
            name="level"
            legend={t('ratings.complaint.rateAnswer')}
            error={fieldError(issues, 'level')}
            options={RATING_LEVELS.map((l) => ({ value: String(l), label: t(`ratings.level.${l}`) }))}
          />
          <Button>{t('ratings.rate.submit')}</Button>
        </form>
      ) : null}
      {c.answerLevel !== null ? (
        <p>{t('ratings.complaint.answerRated', { level: t(`ratings.level.${c.answerLevel}`) })}</p>
      ) : null}
      {mode === 'staff' && c.status === 'open' ? (
        <form method="post" action={`${base}/answer`} novalidate>
          <CsrfField ctx={ctx} />
          <TextArea
            name="answer"
            label={t('ratings.complaint.answer')}
            maxLength={4000}
            error={fieldError(issues, 'answer')}
          />
          <Button>{t('ratings.complaint.sendAnswer')}</Button>
        </form>
      ) : null}
    </div>
  );
}

export function ComplaintQueuePage({ ctx, rows }: { ctx: ViewContext; rows: readonly Complaint[] }) {
  const { t } = ctx;
  return (
    <>
      <PageHeading>{t('ratings.staff.complaints')}</PageHeading>
      <StaffNav ctx={ctx} />
      <ComplaintTable
        ctx={ctx}
        rows={rows}
        caption={t('ratings.staff.complaints')}
        base="/staff/complaints"
      />
    </>
  );
}

// ── rectifications ───────────────────────────────────────────────────────────────────────────

function StaffNav({ ctx }: { ctx: ViewContext }) {
  const { t } = ctx;
  return (
    <nav aria-label={t('ratings.staff.nav')}>
      <ul>
        <li>
          <a href="/staff/rectifications">{t('ratings.staff.rectifications')}</a>
        </li>
        <li>
          <a href="/staff/complaints">{t('ratings.staff.complaints')}</a>
        </li>
        <li>
          <a href="/supervision/appeals">{t('ratings.staff.appeals')}</a>
        </li>
      </ul>
    </nav>
  );
}

function ClockTag({ ctx, r }: { ctx: ViewContext; r: RectificationView }) {
  const { t } = ctx;
  // colour is never the only signal: the words say it too
  const words =
    r.colour === 'stopped'
      ? t(`ratings.outcome.${r.outcome ?? 'fixed'}`)
      : r.colour === 'red'
        ? t('ratings.clock.overdue')
        : t('ratings.clock.remaining', { days: r.remaining });
  return <Tag colour={COLOUR_TAG[r.colour]}>{words}</Tag>;
}

export function RectificationQueuePage({
  ctx,
  rows,
  title,
}: {
  ctx: ViewContext;
  rows: readonly RectificationView[];
  title: string;
}) {
  const { t } = ctx;
  const red = rows.filter((r) => r.colour === 'red').length;
  return (
    <>
      <PageHeading>{title}</PageHeading>
      <StaffNav ctx={ctx} />
      {red ? <Notice kind="warning">{t('ratings.staff.overdueCount', { n: red })}</Notice> : null}
      <Table
        caption={title}
        empty={t('ratings.staff.empty')}
        columns={[
          {
            header: t('ratings.col.case'),
            cell: (r: RectificationView) => <a href={`/staff/rectifications/${enc(r.id)}`}>{r.caseNumber}</a>,
          },
          { header: t('ratings.col.level'), cell: (r) => t(`ratings.level.${r.level}`) },
          { header: t('ratings.col.opened'), cell: (r) => r.openedOn },
          { header: t('ratings.col.due'), cell: (r) => r.dueOn },
          { header: t('ratings.col.clock'), cell: (r) => <ClockTag ctx={ctx} r={r} /> },
          { header: t('ratings.col.status'), cell: (r) => t(`ratings.rectStatus.${r.status}`) },
          {
            header: t('ratings.col.callback'),
            cell: (r) =>
              t(r.calledBack ? 'ratings.yes' : r.realName ? 'ratings.no' : 'ratings.anonymousRater'),
          },
        ]}
        rows={rows}
      />
    </>
  );
}

export function RectificationPage({
  ctx,
  r,
  may,
  issues,
  notice,
}: {
  ctx: ViewContext;
  r: RectificationView;
  may: { handle: boolean; supervise: boolean };
  issues: Issues;
  notice?: string | undefined;
}) {
  const { t } = ctx;
  const action = `/staff/rectifications/${enc(r.id)}`;
  const form = (name: string, children: ComponentChildren) => (
    <form method="post" action={action} novalidate>
      <CsrfField ctx={ctx} />
      <input type="hidden" name="action" value={name} />
      {children}
      <Button variant={name === 'appeal' ? 'secondary' : 'primary'}>{t(`ratings.step.${name}`)}</Button>
    </form>
  );
  const needsCallback = r.realName && !r.calledBack;
  return (
    <div class="narrow">
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading caption={t('ratings.staff.rectification')}>{r.caseNumber}</PageHeading>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <SummaryList
        rows={[
          { key: t('ratings.col.level'), value: t(`ratings.level.${r.level}`) },
          { key: t('ratings.col.status'), value: t(`ratings.rectStatus.${r.status}`) },
          { key: t('ratings.col.opened'), value: r.openedOn },
          { key: t('ratings.col.due'), value: `${r.dueOn} (${t('ratings.clock.workingDays')})` },
          { key: t('ratings.col.clock'), value: <ClockTag ctx={ctx} r={r} /> },
          {
            key: t('ratings.col.callback'),
            value: t(r.calledBack ? 'ratings.yes' : r.realName ? 'ratings.no' : 'ratings.anonymousRater'),
          },
          ...(r.fixLevel !== null
            ? [{ key: t('ratings.col.fixLevel'), value: t(`ratings.level.${r.fixLevel}`) }]
            : []),
        ]}
      />
      <h2>{t('ratings.staff.steps')}</h2>
      <ol class="timeline">
        {r.steps.map((s) => (
          <li>
            <strong>{t(`ratings.step.${s.action}`)}</strong> — <When at={s.at} />
            {s.action === 'opened' ? null : <p>{s.note}</p>}
          </li>
        ))}
      </ol>
      {may.handle && r.status === 'open' ? (
        <section aria-labelledby="handle-h">
          <h2 id="handle-h">{t('ratings.staff.handle')}</h2>
          {!r.calledBack
            ? form(
                'callback',
                <TextArea
                  name="note"
                  label={t('ratings.field.callbackNote')}
                  rows={3}
                  error={fieldError(issues, 'note')}
                />,
              )
            : null}
          {needsCallback ? (
            <p>{t('ratings.staff.callbackFirst')}</p>
          ) : (
            <>
              {form('fix', <TextArea name="note" label={t('ratings.field.fixNote')} rows={3} />)}
              {form('explain', <TextArea name="note" label={t('ratings.field.explainNote')} rows={3} />)}
            </>
          )}
          {form(
            'appeal',
            <>
              <RadioGroup
                name="ground"
                legend={t('ratings.field.ground')}
                options={['malicious', 'mistaken'].map((g) => ({
                  value: g,
                  label: t(`ratings.ground.${g}`),
                }))}
              />
              <TextArea name="note" label={t('ratings.field.appealNote')} rows={3} />
            </>,
          )}
        </section>
      ) : null}
      {may.supervise && r.status === 'appealed' ? (
        <section aria-labelledby="decide-h">
          <h2 id="decide-h">{t('ratings.staff.decide')}</h2>
          {form(
            'decideAppeal',
            <>
              <RadioGroup
                name="upheld"
                legend={t('ratings.field.upheld')}
                options={[
                  { value: 'true', label: t('ratings.appeal.upheld') },
                  { value: 'false', label: t('ratings.appeal.rejected') },
                ]}
              />
              <TextArea
                name="note"
                label={t('ratings.field.reasons')}
                rows={4}
                error={fieldError(issues, 'note')}
              />
            </>,
          )}
        </section>
      ) : null}
    </div>
  );
}

// ── public results ───────────────────────────────────────────────────────────────────────────

export function ResultsPage({
  ctx,
  month,
  region,
  rows,
}: {
  ctx: ViewContext;
  month: string;
  region: string;
  rows: readonly DepartmentResult[];
}) {
  const { t } = ctx;
  const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
  const top = rows.slice(0, 12);
  return (
    <>
      <PageHeading>{t('ratings.results.title')}</PageHeading>
      <p>{t('ratings.results.intro')}</p>
      <form method="get" action="/ratings/results" class="filters">
        <TextField
          name="month"
          label={t('ratings.results.month')}
          type="text"
          value={month}
          width="short"
          inputmode="numeric"
        />
        <TextField
          name="region"
          label={t('ratings.results.region')}
          value={region}
          width="short"
          inputmode="numeric"
        />
        <Button variant="secondary">{t('ratings.results.show')}</Button>
      </form>
      {top.length ? (
        <ChartFigure
          title={t('ratings.results.chart', { month })}
          categoryHeader={t('ratings.col.department')}
          spec={{
            kind: 'bar',
            categories: top.map((r) => r.departmentName),
            percent: true,
            series: [
              {
                name: t('ratings.col.goodRate'),
                values: top.map((r) => (r.goodRate === null ? null : r.goodRate * 100)),
              },
              {
                name: t('ratings.col.rectificationRate'),
                values: top.map((r) => (r.rectificationRate === null ? null : r.rectificationRate * 100)),
              },
            ],
          }}
        />
      ) : null}
      <Table
        caption={t('ratings.results.caption', { month })}
        empty={t('ratings.results.empty')}
        columns={[
          { header: t('ratings.col.department'), cell: (r: DepartmentResult) => r.departmentName },
          { header: t('ratings.col.ratings'), numeric: true, cell: (r) => r.ratings },
          { header: t('ratings.col.goodRate'), numeric: true, cell: (r) => pct(r.goodRate) },
          { header: t('ratings.col.poor'), numeric: true, cell: (r) => r.poor },
          {
            header: t('ratings.col.rectified'),
            numeric: true,
            cell: (r) => `${r.rectificationsClosed}/${r.rectificationsOpened}`,
          },
          {
            header: t('ratings.col.rectificationRate'),
            numeric: true,
            cell: (r) => pct(r.rectificationRate),
          },
        ]}
        rows={rows}
      />
    </>
  );
}

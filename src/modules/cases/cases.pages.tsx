import { CHINA_TIME_LABEL, type FieldIssue, chinaDate, chinaDateTime, chinaIso } from '../../kernel/index.js';
import {
  BackLink,
  Button,
  CsrfField,
  ErrorSummary,
  LinkButton,
  RadioGroup,
  Notice,
  PageHeading,
  Pagination,
  Panel,
  SelectField,
  SummaryList,
  Table,
  Tag,
  type TagColour,
  TextField,
  type ViewContext,
  TextArea,
} from '../../platform/views/index.js';
import { RequestIdField, SupplementForm } from './cases.apply.pages.js';
import type { ApplicationMaterial, SharedDataRead } from './cases.ports.js';
import type { ExplainedClockDay } from './cases.sla.js';
import type { ApplicantCaseRow, QueueRow } from './cases.store.js';
import type { CaseView, ClockView } from './cases.types.js';
import { type ActionType, SPECIAL_PROCEDURES } from './cases.workflow.js';

/** Server-rendered pages of the cases module: portal (citizen) and workbench (staff). */

const colourTag = (c: string): TagColour =>
  c === 'green' ? 'green' : c === 'yellow' ? 'yellow' : c === 'red' ? 'red' : 'grey';
const enc = encodeURIComponent;

/** The clock's explanation in a sentence: what has been counted up to today, and what skipped. */
export function clockSummary(t: ViewContext['t'], days: readonly ExplainedClockDay[], today: string): string {
  const start = days.find((d) => d.reason === 'start');
  if (!start) return t('cases.clock.notStarted');
  const upTo = days.filter((d) => d.date <= today);
  const n = (r: ExplainedClockDay['reason']) => upTo.filter((d) => d.reason === r).length;
  const paused = n('paused');
  return t('cases.clock.summary', {
    start: start.date,
    counted: n('counted'),
    nonWorking: n('nonWorking'),
    paused: paused ? t('cases.clock.summaryPaused', { n: paused }) : '',
  });
}

function ClockPanel({
  ctx,
  clock,
  explainHref,
  explained,
}: {
  ctx: ViewContext;
  clock: ClockView;
  explainHref?: string;
  /** the day-by-day explanation (the workbench shows its sentence beside the clock) */
  explained?: { readonly days: readonly ExplainedClockDay[]; readonly today: string } | undefined;
}) {
  const t = ctx.t;
  const rem = clock.remainingWorkingDays;
  return (
    <Panel title={t('cases.clock.heading')}>
      <SummaryList
        rows={[
          { key: t('cases.col.clock'), value: t(`cases.clock.state.${clock.state}`) },
          ...(clock.due
            ? [
                {
                  key: t('cases.clock.due'),
                  value: (
                    <>
                      {clock.due}{' '}
                      <Tag colour={colourTag(clock.colour)}>{t(`cases.clock.colour.${clock.colour}`)}</Tag>
                    </>
                  ),
                },
                { key: t('cases.clock.statutoryDue'), value: clock.statutoryDue ?? '—' },
              ]
            : []),
          ...(rem !== null && clock.state !== 'stopped'
            ? [
                {
                  key: t('cases.col.remaining'),
                  value:
                    rem >= 0 ? t('cases.clock.remaining', { n: rem }) : t('cases.clock.overdue', { n: -rem }),
                },
              ]
            : []),
          ...(explained
            ? [{ key: t('cases.clock.why'), value: clockSummary(t, explained.days, explained.today) }]
            : []),
        ]}
      />
      {explainHref && clock.due ? <a href={explainHref}>{t('cases.clock.explain')}</a> : null}
    </Panel>
  );
}

function Timeline({ ctx, view }: { ctx: ViewContext; view: CaseView }) {
  const t = ctx.t;
  return (
    <section aria-labelledby="timeline-h">
      <h2 id="timeline-h">{t('cases.timeline.heading')}</h2>
      <ol class="timeline">
        {view.actions.map((a) => (
          <li>
            <strong>{t(`cases.action.${a.action}`)}</strong>{' '}
            <time dateTime={chinaIso(a.at)}>
              {chinaDateTime(a.at)} {CHINA_TIME_LABEL}
            </time>
            {' · '}
            {a.actor === 'applicant'
              ? t('cases.timeline.by.applicant')
              : a.actor === 'staff'
                ? t('cases.timeline.by.staff')
                : a.actor === 'agent'
                  ? t('cases.timeline.by.agent')
                  : a.actor}
            {Object.keys(a.details).length ? (
              <ul>
                {Object.entries(a.details).map(([k, v]) => (
                  <li>
                    {k}: {Array.isArray(v) ? v.join('、') : String(v)}
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
      <p>
        <a href={`/log/object?type=case&id=${encodeURIComponent(view.caseNumber)}`}>
          {t('cases.timeline.verify')}
        </a>
      </p>
    </section>
  );
}

function Materials({ ctx, view, base }: { ctx: ViewContext; view: CaseView; base: string }) {
  const t = ctx.t;
  return (
    <Table
      caption={t('cases.materials.caption')}
      rows={view.materials}
      empty={t('cases.materials.none')}
      columns={[
        { header: t('cases.materials.heading'), cell: (m) => m.name },
        { header: t('cases.materials.trust'), cell: (m) => m.trustLevel },
        {
          header: t('cases.materials.download'),
          cell: (m) =>
            m.sha256 ? (
              <a
                href={`${base}/materials/${m.sha256}`}
              >{`${m.mediaType ?? ''} · ${Math.ceil((m.size ?? 0) / 1024)} KB`}</a>
            ) : m.accessId ? (
              <a href={`/log/object?type=exchangeAccess&id=${encodeURIComponent(m.accessId)}`}>
                {t('cases.materials.sharedRead', { id: m.accessId })}
              </a>
            ) : (
              (m.licenceIdentifier ?? '—')
            ),
        },
      ]}
    />
  );
}

/**
 * Required materials the department could not read from shared data at submission (named on the
 * submit action): the applicant is asked for them instead; the clerk is told to ask (补正).
 */
function SharedUnread({ ctx, view, staff }: { ctx: ViewContext; view: CaseView; staff: boolean }) {
  const unread = view.actions.find((a) => a.action === 'submit')?.details.sharedUnread;
  if (!Array.isArray(unread) || !unread.length) return null;
  const names = unread.map(String).join('、');
  return (
    <div class="notice notice-warning" role="status">
      {ctx.t(staff ? 'cases.materials.sharedUnreadStaff' : 'cases.materials.sharedUnread', { names })}
    </div>
  );
}

/** Fields the registers prefilled that the applicant corrected: the clerk checks them (names only). */
function PrefillCorrected({ ctx, view }: { ctx: ViewContext; view: CaseView }) {
  const fields = view.actions.find((a) => a.action === 'submit')?.details.prefillCorrected;
  if (!Array.isArray(fields) || !fields.length) return null;
  return (
    <div class="notice notice-warning" role="status">
      {ctx.t('cases.materials.prefillCorrected', { fields: fields.map(String).join('、') })}
    </div>
  );
}

/** The register reads made for the case (the exchange's access records), each provable in the log. */
function SharedReads({ ctx, reads }: { ctx: ViewContext; reads: readonly SharedDataRead[] }) {
  const t = ctx.t;
  return (
    <section aria-labelledby="reads-h">
      <h2 id="reads-h">{t('cases.reads.heading')}</h2>
      <Table
        caption={t('cases.reads.caption')}
        rows={reads}
        empty={t('cases.reads.none')}
        columns={[
          {
            header: t('cases.reads.at'),
            cell: (r) => (
              <time dateTime={chinaIso(r.at)}>
                {chinaDateTime(r.at)} {CHINA_TIME_LABEL}
              </time>
            ),
          },
          { header: t('cases.reads.resource'), cell: (r) => r.resourceName ?? r.resourceCode },
          { header: t('cases.reads.fields'), cell: (r) => r.fields.join('、') || '—' },
          { header: t('cases.reads.purpose'), cell: (r) => r.purpose },
          {
            header: t('cases.reads.outcome'),
            cell: (r) =>
              r.outcome === 'ok' ? (
                <Tag colour="green">{t('cases.reads.ok')}</Tag>
              ) : (
                <Tag colour="red">{t('cases.reads.refused', { code: r.outcome })}</Tag>
              ),
          },
          {
            header: t('cases.reads.proof'),
            cell: (r) => (
              <a href={`/log/object?type=exchangeAccess&id=${enc(r.id)}`}>{t('cases.reads.verify')}</a>
            ),
          },
        ]}
      />
    </section>
  );
}

/** A case's page: the citizen's, or the workbench's. */
export const caseHref = (caseNumber: string, staff: boolean): string =>
  `${staff ? '/workbench/cases' : '/cases'}/${enc(caseNumber)}`;

/** How many open cases by clock colour (红牌 first), as tags. */
function ColourCounts({ ctx, counts }: { ctx: ViewContext; counts: Readonly<Record<string, number>> }) {
  return (
    <p>
      {['red', 'yellow', 'green', 'none'].map((c) => (
        <>
          <Tag colour={colourTag(c)}>{`${ctx.t(`cases.clock.colour.${c}`)} ${counts[c] ?? 0}`}</Tag>{' '}
        </>
      ))}
    </p>
  );
}

export function MyCasesPage({ ctx, rows }: { ctx: ViewContext; rows: readonly ApplicantCaseRow[] }) {
  const t = ctx.t;
  return (
    <>
      <PageHeading>{t('cases.title.mine')}</PageHeading>
      <Table
        caption={t('cases.mine.caption')}
        rows={rows}
        empty={t('cases.mine.empty')}
        columns={[
          {
            header: t('cases.col.caseNumber'),
            cell: (r) => <a href={`/cases/${enc(r.case_number)}`}>{r.case_number}</a>,
          },
          { header: t('cases.col.item'), cell: (r) => r.item_name },
          { header: t('cases.col.status'), cell: (r) => t(`cases.status.${r.status}`) },
          {
            header: t('cases.col.due'),
            cell: (r) =>
              r.promised_due ? (
                <>
                  {r.promised_due}{' '}
                  <Tag colour={colourTag(r.colour)}>{t(`cases.clock.colour.${r.colour}`)}</Tag>
                </>
              ) : (
                '—'
              ),
          },
          { header: t('cases.col.created'), cell: (r) => chinaDate(r.created_at) },
        ]}
      />
    </>
  );
}

/**
 * 帮办代办: the open cases of the people who delegated to the caller (a grid worker: of their grid),
 * with the 委托 each is followed under; status and due date only (the agent opens no case). A
 * result waiting at the window has a button to record its collection (出件); the page links to
 * applying for one of those people.
 */
export function AssistedCasesPage({
  ctx,
  rows,
  paging,
  notice,
  issues = [],
}: {
  ctx: ViewContext;
  /** which page of how many cases (the list is paged in the query) */
  paging: { page: number; pageSize: number; total: number };
  rows: ReadonlyArray<{
    caseNumber: string;
    itemName: string;
    status: string;
    promisedDue: string | null;
    colour: string;
    createdAt: string;
    delegationId: string;
    applicantName: string;
    awaitingCollection: boolean;
  }>;
  notice?: string | undefined;
  issues?: ReadonlyArray<FieldIssue & { message: string }>;
}) {
  const t = ctx.t;
  return (
    <>
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading>{t('cases.title.assisted')}</PageHeading>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <p>{t('cases.assisted.lead')}</p>
      <p>
        <LinkButton href="/cases/assisted/apply" variant="primary">
          {t('cases.assisted.applyFor')}
        </LinkButton>
      </p>
      <Table
        caption={t('cases.assisted.caption')}
        rows={rows}
        empty={t('cases.assisted.empty')}
        columns={[
          { header: t('cases.col.caseNumber'), cell: (r) => r.caseNumber },
          { header: t('cases.col.applicant'), cell: (r) => r.applicantName },
          { header: t('cases.col.item'), cell: (r) => r.itemName },
          {
            header: t('cases.col.status'),
            cell: (r) =>
              r.awaitingCollection ? (
                <>
                  {t(`cases.status.${r.status}`)}{' '}
                  <Tag colour="blue">{t('cases.assisted.awaitingCollection')}</Tag>
                </>
              ) : (
                t(`cases.status.${r.status}`)
              ),
          },
          {
            header: t('cases.col.due'),
            cell: (r) =>
              r.promisedDue ? (
                <>
                  {r.promisedDue}{' '}
                  <Tag colour={colourTag(r.colour)}>{t(`cases.clock.colour.${r.colour}`)}</Tag>
                </>
              ) : (
                '—'
              ),
          },
          { header: t('cases.col.created'), cell: (r) => chinaDate(r.createdAt) },
          { header: t('cases.col.delegation'), cell: (r) => r.delegationId },
          {
            header: t('cases.col.collect'),
            cell: (r) =>
              r.awaitingCollection ? (
                <form method="post" action={`/cases/assisted/${encodeURIComponent(r.caseNumber)}/collect`}>
                  <CsrfField ctx={ctx} />
                  <button type="submit" class="button button-secondary">
                    {t('cases.assisted.collect')}
                    <span class="visually-hidden"> {r.caseNumber}</span>
                  </button>
                </form>
              ) : (
                '—'
              ),
          },
        ]}
      />
      <Pagination ctx={ctx} {...paging} baseQuery={{}} />
    </>
  );
}

/** A live 委托 to the agent as the chooser lists it (cases.assist.ts `DelegatorView`). */
export interface DelegatorRow {
  delegationId: string;
  principalName: string;
  scopes: readonly string[];
  validTo: string;
  items: ReadonlyArray<{ code: string; name: string }>;
}

const scopeText = (t: ViewContext['t'], d: DelegatorRow) =>
  d.scopes.includes('*') ? t('cases.assist.scopeAll') : d.items.map((i) => i.name).join('、') || '—';

/** 帮办代办, step 1: whom to apply for — the people whose 委托 to the caller is in force now. */
export function DelegatorsPage({ ctx, rows }: { ctx: ViewContext; rows: readonly DelegatorRow[] }) {
  const t = ctx.t;
  return (
    <>
      <BackLink href="/cases/assisted">{t('cases.apply.back')}</BackLink>
      <PageHeading caption={t('cases.title.assisted')}>{t('cases.assist.chooseTitle')}</PageHeading>
      <p>{t('cases.assist.chooseLead')}</p>
      <Table
        caption={t('cases.assist.chooseCaption')}
        rows={rows}
        empty={t('cases.assist.none')}
        columns={[
          { header: t('cases.col.applicant'), cell: (d) => d.principalName },
          { header: t('cases.assist.scope'), cell: (d) => scopeText(t, d) },
          {
            header: t('cases.assist.validTo'),
            cell: (d) => (
              <time dateTime={chinaIso(d.validTo)}>
                {chinaDateTime(d.validTo)} {CHINA_TIME_LABEL}
              </time>
            ),
          },
          { header: t('cases.col.delegation'), cell: (d) => d.delegationId },
          {
            header: t('cases.assist.action'),
            cell: (d) => (
              <a href={`/cases/assisted/apply/${encodeURIComponent(d.delegationId)}`}>
                {t('cases.assist.applyForName', { name: d.principalName })}
              </a>
            ),
          },
        ]}
      />
    </>
  );
}

/** 帮办代办, step 2: which item — those the 委托 names, or any item's 实施编码 under a 委托 for all. */
export function AssistItemPage({
  ctx,
  d,
  itemCode = '',
  issues = [],
}: {
  ctx: ViewContext;
  d: DelegatorRow;
  itemCode?: string;
  issues?: ReadonlyArray<FieldIssue & { message: string }>;
}) {
  const t = ctx.t;
  const all = d.scopes.includes('*');
  const err = issues.find((i) => i.field === 'itemCode')?.message;
  return (
    <>
      <BackLink href="/cases/assisted/apply">{t('cases.apply.back')}</BackLink>
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading caption={t('cases.assist.forName', { name: d.principalName })}>
        {t('cases.assist.itemTitle')}
      </PageHeading>
      <SummaryList
        rows={[
          { key: t('cases.col.applicant'), value: d.principalName },
          { key: t('cases.assist.scope'), value: scopeText(t, d) },
          { key: t('cases.assist.validTo'), value: `${chinaDateTime(d.validTo)} ${CHINA_TIME_LABEL}` },
          { key: t('cases.col.delegation'), value: d.delegationId },
        ]}
      />
      <form method="post" action={`/cases/assisted/apply/${encodeURIComponent(d.delegationId)}`} novalidate>
        <CsrfField ctx={ctx} />
        {all ? (
          <TextField
            name="itemCode"
            label={t('cases.assist.itemCode')}
            hint={t('cases.assist.itemCodeHint')}
            value={itemCode}
            error={err}
            required
          />
        ) : (
          <RadioGroup
            name="itemCode"
            legend={t('cases.assist.itemLegend')}
            options={d.items.map((i) => ({ value: i.code, label: i.name, hint: i.code }))}
            value={itemCode}
            error={err}
          />
        )}
        <Button>{t('cases.assist.start')}</Button>
      </form>
    </>
  );
}

export interface BundleProgress {
  bundleNumber: string;
  name: string;
  createdAt: string;
  progress: { done: number; total: number };
  complete: boolean;
  cases: ReadonlyArray<{ caseNumber: string; itemName: string; status: string; promisedDue: string | null }>;
}

/** 一件事: one progress for the citizen over the departments' sub-cases. */
export function BundlePage({ ctx, b, notice }: { ctx: ViewContext; b: BundleProgress; notice?: string }) {
  const t = ctx.t;
  return (
    <>
      <PageHeading caption={b.bundleNumber}>{t('cases.title.bundle', { name: b.name })}</PageHeading>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <p>
        <label for="bundle-progress">{t('cases.bundle.progress', b.progress)}</label>{' '}
        <progress id="bundle-progress" max={b.progress.total} value={b.progress.done}>
          {t('cases.bundle.progress', b.progress)}
        </progress>
      </p>
      {b.complete ? <Notice kind="success">{t('cases.bundle.complete')}</Notice> : null}
      <Table
        caption={t('cases.bundle.caption')}
        rows={b.cases}
        columns={[
          {
            header: t('cases.col.caseNumber'),
            cell: (r) => <a href={`/cases/${enc(r.caseNumber)}`}>{r.caseNumber}</a>,
          },
          { header: t('cases.col.item'), cell: (r) => r.itemName },
          { header: t('cases.col.status'), cell: (r) => t(`cases.status.${r.status}`) },
          { header: t('cases.col.due'), cell: (r) => r.promisedDue ?? '—' },
        ]}
      />
    </>
  );
}

/** A form of the action's required fields (reasons, legal basis, lists) and its button. */
function ActionForm({ ctx, action, postTo }: { ctx: ViewContext; action: ActionType; postTo: string }) {
  const t = ctx.t;
  const f = (name: string, label: string, required = true) => (
    <TextField name={`${action}.${name}`} label={label} required={required} />
  );
  const area = (name: string, label: string, required = true) => (
    <TextArea name={`${action}.${name}`} label={label} rows={3} required={required} maxLength={1000} />
  );
  let fields = null;
  switch (action) {
    case 'refuse':
    case 'reject':
      fields = (
        <>
          {area('reason', t('cases.act.reason'))}
          {f('legalBasis', t('cases.act.legalBasis'))}
        </>
      );
      break;
    case 'requestSupplement':
    case 'acceptWithDeficiency':
      fields = area('missing', t('cases.act.missing'));
      break;
    case 'acceptWithCommitment':
      fields = area('commitments', t('cases.act.commitments'));
      break;
    case 'startStep':
      fields = f('step', t('cases.act.step'));
      break;
    case 'suspend':
      fields = (
        <>
          <SelectField
            name={`${action}.procedure`}
            label={t('cases.act.procedure')}
            options={SPECIAL_PROCEDURES.map((p) => ({ value: p, label: t(`cases.procedure.${p}`) }))}
          />
          {area('note', t('cases.act.noteOptional'), false)}
        </>
      );
      break;
    case 'withdraw':
      fields = area('reason', t('cases.act.reasonOptional'), false);
      break;
    case 'extend':
      fields = (
        <>
          <TextField
            name={`${action}.days`}
            label={t('cases.act.days')}
            type="number"
            inputmode="numeric"
            required
            value="10"
            width="short"
          />
          {f('approvedBy', t('cases.act.approvedBy'))}
          {area('reason', t('cases.act.reasonOptional'), false)}
        </>
      );
      break;
    default:
      fields = null;
  }
  const warning = action === 'refuse' || action === 'reject' || action === 'withdraw';
  return (
    <form method="post" action={postTo} class="action-form">
      <CsrfField ctx={ctx} />
      <RequestIdField />
      <input type="hidden" name="action" value={action} />
      {fields}
      <Button
        variant={warning ? 'warning' : action === 'approve' || action === 'accept' ? 'primary' : 'secondary'}
      >
        {t(`cases.action.${action}`)}
      </Button>
    </form>
  );
}

export interface SupplementModel {
  missing: readonly string[];
  materials: readonly ApplicationMaterial[];
  maxMb: number;
  issues: ReadonlyArray<FieldIssue & { message: string }>;
}

export function CasePage({
  ctx,
  view,
  actions,
  staff,
  notice,
  supplement,
  reads,
  explained,
}: {
  ctx: ViewContext;
  view: CaseView;
  actions: readonly ActionType[];
  staff: boolean;
  notice?: string | undefined;
  /** the register reads made for the case (the workbench shows them beside the materials) */
  reads?: readonly SharedDataRead[] | undefined;
  /** the clock's day-by-day explanation, summed up beside the clock */
  explained?: { readonly days: readonly ExplainedClockDay[]; readonly today: string } | undefined;
  /** 补正: what was asked for, the item's materials, and problems with a posted supplement */
  supplement?: SupplementModel | undefined;
}) {
  const t = ctx.t;
  const base = caseHref(view.caseNumber, staff);
  return (
    <>
      <PageHeading caption={view.itemName}>
        {t(staff ? 'cases.title.workbenchCase' : 'cases.title.case', { caseNumber: view.caseNumber })}
      </PageHeading>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      {staff ? (
        <p>
          <a href="/workbench">{t('cases.workbench.backToQueue')}</a>
          {' · '}
          <a
            href={`/workbench/next?department=${enc(view.departmentId)}&after=${enc(view.caseNumber)}`}
            data-shortcut="n"
            aria-keyshortcuts="n"
            rel="next"
          >
            {t('cases.workbench.next')}
          </a>
        </p>
      ) : null}
      <SummaryList
        rows={[
          { key: t('cases.col.status'), value: <strong>{t(`cases.status.${view.status}`)}</strong> },
          { key: t('cases.col.channel'), value: t(`cases.channel.${view.channel}`) },
          { key: t('cases.col.created'), value: chinaDate(view.createdAt) },
          ...(view.bundleNumber
            ? [
                {
                  key: t('cases.title.bundle', { name: '' }),
                  value: staff ? (
                    view.bundleNumber
                  ) : (
                    <a href={`/cases/bundles/${enc(view.bundleNumber)}`}>{view.bundleNumber}</a>
                  ),
                },
              ]
            : []),
        ]}
      />
      <ClockPanel ctx={ctx} clock={view.clock} explainHref={`${base}/clock`} explained={explained} />
      {staff ? null : (
        // 一事一评 and 政民互动 live in the ratings module; the case page links to them
        <ul>
          <li>
            <a href={`/cases/${enc(view.caseNumber)}/rate`}>{t('cases.rate.link')}</a>
          </li>
          <li>
            <a href={`/complaints/new?case=${enc(view.caseNumber)}`}>{t('cases.complain.link')}</a>
          </li>
        </ul>
      )}
      {view.result ? (
        <Panel title={t('cases.result.heading')}>
          <p>{t(`cases.status.${String(view.result.outcome ?? view.status)}`)}</p>
        </Panel>
      ) : null}
      <section aria-labelledby="actions-h">
        <h2 id="actions-h">{t('cases.act.heading')}</h2>
        {actions.length === 0 ? (
          <p>{t('cases.act.none')}</p>
        ) : (
          actions.map((a) =>
            a === 'supplement' && supplement ? (
              <SupplementForm ctx={ctx} postTo={`${base}/actions`} {...supplement} />
            ) : (
              <ActionForm ctx={ctx} action={a} postTo={`${base}/actions`} />
            ),
          )
        )}
      </section>
      <Timeline ctx={ctx} view={view} />
      <h2>{t('cases.materials.heading')}</h2>
      <Materials ctx={ctx} view={view} base={`/api/v1/cases/${enc(view.caseNumber)}`} />
      <SharedUnread ctx={ctx} view={view} staff={!!reads} />
      <PrefillCorrected ctx={ctx} view={view} />
      {reads ? <SharedReads ctx={ctx} reads={reads} /> : null}
    </>
  );
}

export function ExplainPage({
  ctx,
  caseNumber,
  days,
  back,
}: {
  ctx: ViewContext;
  caseNumber: string;
  days: readonly ExplainedClockDay[];
  back: string;
}) {
  const t = ctx.t;
  const reason = (d: ExplainedClockDay) =>
    d.reason === 'counted'
      ? t('cases.clock.day.counted', { n: d.ordinal ?? 0 })
      : t(`cases.clock.day.${d.reason}`);
  return (
    <>
      <PageHeading caption={caseNumber}>{t('cases.clock.explain')}</PageHeading>
      <Table
        caption={t('cases.clock.explainCaption')}
        rows={days}
        columns={[
          { header: t('cases.col.date'), cell: (d) => d.date },
          { header: t('cases.col.counts'), cell: (d) => (d.counted ? t('common.yes') : t('common.no')) },
          {
            header: t('cases.col.note'),
            cell: (d) => (
              <>
                {reason(d)}
                {d.note ? ` · ${d.reason === 'paused' ? pauseLabel(t, d.note) : d.note}` : ''}
                {(d.due ?? []).map((k) => (
                  <>
                    {' '}
                    <Tag colour="blue">{t(`cases.clock.dueMark.${k}`)}</Tag>
                  </>
                ))}
              </>
            ),
          },
        ]}
      />
      <LinkButton href={back}>{t('common.back')}</LinkButton>
    </>
  );
}

function pauseLabel(t: ViewContext['t'], note: string): string {
  if ((SPECIAL_PROCEDURES as readonly string[]).includes(note)) return t(`cases.procedure.${note}`);
  return t('cases.status.awaitingSupplement');
}

export interface WorkbenchModel {
  departmentId: string | undefined;
  /** the queues the caller may open, by name */
  departments: ReadonlyArray<{ id: string; name: string }>;
  rows: readonly QueueRow[];
  counts: Record<string, number>;
  statusCounts: Record<string, number>;
  status?: string | undefined;
  colour?: string | undefined;
  page: number;
  /** applications waiting for acceptance in the clerk's region */
  accepting: readonly QueueRow[];
  /** the caller may accept (a window clerk): 即办件 can be accepted in bulk */
  mayAccept: boolean;
  /** supervisors: open cases of their region by clock colour */
  regionCounts?: Record<string, number> | undefined;
  /** supervisors: their figures */
  supervision: boolean;
  /** after a bulk acceptance: how many were accepted and refused */
  bulk?: { accepted: number; refused: number } | undefined;
}

/**
 * The workbench: the filters (department from a list, status, clock colour) in a panel beside the
 * queue; counts per status and per clock colour; a window's applications waiting for acceptance,
 * 即办件 among them accepted in bulk; "next case" (key N) opens the first case of the queue.
 */
export function WorkbenchPage({
  ctx,
  m,
  statuses,
}: {
  ctx: ViewContext;
  m: WorkbenchModel;
  statuses: readonly string[];
}) {
  const t = ctx.t;
  const deptName = m.departments.find((d) => d.id === m.departmentId)?.name;
  const nextHref = m.departmentId ? `/workbench/next?department=${enc(m.departmentId)}` : undefined;
  return (
    <>
      <PageHeading caption={deptName}>{t('cases.title.workbench')}</PageHeading>
      {m.bulk ? <Notice kind="success">{t('cases.workbench.bulkDone', m.bulk)}</Notice> : null}
      <div class="split">
        <aside class="split-side" aria-labelledby="wb-filters-h">
          <h2 id="wb-filters-h">{t('cases.workbench.filters')}</h2>
          <form method="get" action="/workbench" class="filters">
            {m.departments.length ? (
              <SelectField
                name="department"
                label={t('cases.workbench.department')}
                value={m.departmentId ?? ''}
                options={m.departments.map((d) => ({ value: d.id, label: d.name }))}
              />
            ) : null}
            <SelectField
              name="status"
              label={t('cases.col.status')}
              value={m.status ?? ''}
              options={[
                { value: '', label: t('cases.workbench.allStatuses') },
                ...statuses.map((s) => ({ value: s, label: t(`cases.status.${s}`) })),
              ]}
            />
            <SelectField
              name="colour"
              label={t('cases.col.clock')}
              value={m.colour ?? ''}
              options={[
                { value: '', label: t('cases.workbench.allColours') },
                ...['green', 'yellow', 'red'].map((c) => ({ value: c, label: t(`cases.clock.colour.${c}`) })),
              ]}
            />
            <Button variant="secondary">{t('cases.workbench.filter')}</Button>
          </form>
          {nextHref ? (
            <p>
              <a href={nextHref} data-shortcut="n" aria-keyshortcuts="n" class="button button-primary">
                {t('cases.workbench.next')}
              </a>
            </p>
          ) : null}
          <p class="muted">{t('cases.workbench.keys')}</p>
          {m.supervision ? (
            <p>
              <a href="/supervision">{t('cases.workbench.toSupervision')}</a>
            </p>
          ) : null}
        </aside>
        <div class="split-main">
          {m.mayAccept ? (
            <section aria-labelledby="wb-accept-h">
              <h2 id="wb-accept-h">{t('cases.workbench.acceptCaption')}</h2>
              <form method="post" action="/workbench/accept">
                <CsrfField ctx={ctx} />
                <Table
                  caption={t('cases.workbench.acceptCaption')}
                  rows={m.accepting}
                  empty={t('cases.workbench.empty')}
                  columns={[
                    {
                      header: t('cases.workbench.select'),
                      cell: (r) =>
                        r.promised_days === 0 ? (
                          <input
                            type="checkbox"
                            name="cases"
                            value={r.case_number}
                            aria-label={t('cases.workbench.selectCase', { caseNumber: r.case_number })}
                          />
                        ) : (
                          <span class="muted">{t('cases.workbench.oneByOne')}</span>
                        ),
                    },
                    {
                      header: t('cases.col.caseNumber'),
                      cell: (r) => <a href={`/workbench/cases/${enc(r.case_number)}`}>{r.case_number}</a>,
                    },
                    { header: t('cases.col.item'), cell: (r) => r.item_name },
                    { header: t('cases.col.status'), cell: (r) => t(`cases.status.${r.status}`) },
                    {
                      header: t('cases.col.created'),
                      cell: (r) => `${chinaDateTime(r.created_at)} ${CHINA_TIME_LABEL}`,
                    },
                    { header: t('cases.col.channel'), cell: (r) => t(`cases.channel.${r.channel}`) },
                  ]}
                />
                {m.accepting.some((r) => r.promised_days === 0) ? (
                  <Button>{t('cases.workbench.bulkAccept')}</Button>
                ) : null}
              </form>
            </section>
          ) : null}
          {m.departmentId ? (
            <section aria-labelledby="wb-queue-h">
              <h2 id="wb-queue-h">{t('cases.workbench.caption')}</h2>
              <h3>{t('cases.workbench.counts')}</h3>
              <ColourCounts ctx={ctx} counts={m.counts} />
              <h3>{t('cases.workbench.statusCounts')}</h3>
              <ul class="inline-list">
                {statuses
                  .filter((s) => m.statusCounts[s])
                  .map((s) => (
                    <li>
                      <a href={`/workbench?department=${enc(m.departmentId ?? '')}&status=${s}`}>
                        {`${t(`cases.status.${s}`)} ${m.statusCounts[s]}`}
                      </a>
                    </li>
                  ))}
              </ul>
              <Table
                caption={t('cases.workbench.caption')}
                rows={m.rows}
                empty={t('cases.workbench.empty')}
                columns={[
                  {
                    header: t('cases.col.caseNumber'),
                    cell: (r) => <a href={`/workbench/cases/${enc(r.case_number)}`}>{r.case_number}</a>,
                  },
                  { header: t('cases.col.item'), cell: (r) => r.item_name },
                  { header: t('cases.col.status'), cell: (r) => t(`cases.status.${r.status}`) },
                  {
                    header: t('cases.col.due'),
                    cell: (r) =>
                      r.promised_due ? (
                        <Tag colour={colourTag(r.colour)}>
                          {`${r.promised_due} · ${t(`cases.clock.colour.${r.colour}`)}`}
                        </Tag>
                      ) : (
                        '—'
                      ),
                  },
                  {
                    header: t('cases.col.remaining'),
                    numeric: true,
                    cell: (r) => (r.remaining_days === null ? '—' : String(r.remaining_days)),
                  },
                  { header: t('cases.col.channel'), cell: (r) => t(`cases.channel.${r.channel}`) },
                ]}
              />
            </section>
          ) : m.mayAccept ? null : (
            <p>{t('cases.workbench.noDepartment')}</p>
          )}
          {m.regionCounts ? (
            <section aria-labelledby="wb-region-h">
              <h2 id="wb-region-h">{t('cases.workbench.regionCounts')}</h2>
              <ColourCounts ctx={ctx} counts={m.regionCounts} />
            </section>
          ) : null}
        </div>
      </div>
    </>
  );
}

import type { FieldIssue } from '../../kernel/index.js';
import {
  Button,
  CsrfField,
  ErrorSummary,
  FileField,
  LinkButton,
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
import type { Body } from './disclosure.ports.js';
import type { RegisterEntry, RequestActionView, RequestView } from './disclosure.requests.js';
import {
  CHANNELS,
  DELIVERIES,
  FORMS,
  LEGAL_REFERENCES,
  ORG_TYPES,
  REDACTION_GROUNDS,
  REPLY_KINDS,
  type ReplyKind,
} from './disclosure.requests.types.js';

/** the search filter of register entries (search's REGISTER_TYPE; the modules share no code) */
const REGISTER_TYPE = '依申请公开答复';

/** Pages of 依申请公开: the request form, my requests, one request (follow and act), the body's queue. */

const enc = encodeURIComponent;

/** 信息处理费 as shown: free, or the amount in yuan. */
const feeText = (t: (k: string) => string, fen: number): string =>
  fen === 0 ? t('disclosure.request.fee.none') : `¥${(fen / 100).toFixed(2)}`;

export const requestHref = (n: string) => `/disclosure/requests/${enc(n)}`;
const colourTag = (c: string): TagColour =>
  c === 'green' ? 'green' : c === 'yellow' ? 'yellow' : c === 'red' ? 'red' : 'grey';
type Issue = FieldIssue & { message: string };
const errorOf = (issues: readonly Issue[], field: string) => issues.find((i) => i.field === field)?.message;

export interface RequestFormModel {
  readonly region: string;
  readonly divisions: ReadonlyArray<{ code: string; name: string }>;
  readonly bodies: readonly Body[];
  readonly values: Record<string, string>;
  readonly issues: readonly Issue[];
  /** a clerk of some body: may enter requests that came by post or in person */
  readonly staff: boolean;
}

export function RequestFormPage({ ctx, m }: { ctx: ViewContext; m: RequestFormModel }) {
  const { t } = ctx;
  const v = m.values;
  const err = (f: string) => errorOf(m.issues, f);
  return (
    <>
      <PageHeading>{t('disclosure.request.new.title')}</PageHeading>
      <ErrorSummary ctx={ctx} issues={m.issues} />
      <p>{t('disclosure.request.new.intro')}</p>
      <form method="get" action="/disclosure/requests/new" class="filters">
        <SelectField
          name="region"
          label={t('disclosure.filter.region')}
          value={m.region}
          options={m.divisions.map((d) => ({ value: d.code, label: d.name }))}
        />
        <Button variant="secondary">{t('disclosure.request.queue.show')}</Button>
      </form>
      <form method="post" action="/disclosure/requests" enctype="multipart/form-data" novalidate>
        <CsrfField ctx={ctx} />
        <SelectField
          name="body"
          label={t('disclosure.request.field.body')}
          hint={t('disclosure.request.field.body.hint')}
          value={v.body ?? ''}
          error={err('body')}
          options={[
            { value: '', label: t('disclosure.request.queue.noBody') },
            ...m.bodies.map((b) => ({ value: b.id, label: b.name })),
          ]}
        />
        <TextArea
          name="description"
          label={t('disclosure.request.field.description')}
          value={v.description}
          error={err('description')}
          maxLength={4000}
        />
        <TextField
          name="purpose"
          label={t('disclosure.request.field.purpose')}
          value={v.purpose}
          maxLength={1000}
        />
        <RadioGroup
          name="form"
          legend={t('disclosure.request.field.form')}
          value={v.form ?? 'electronic'}
          options={FORMS.map((f) => ({ value: f, label: t(`disclosure.request.form.${f}`) }))}
        />
        <SelectField
          name="delivery"
          label={t('disclosure.request.field.delivery')}
          value={v.delivery ?? 'online'}
          options={DELIVERIES.map((d) => ({ value: d, label: t(`disclosure.request.delivery.${d}`) }))}
        />
        <RadioGroup
          name="requesterKind"
          legend={t('disclosure.request.field.requesterKind')}
          value={v.requesterKind ?? 'person'}
          options={['person', 'organization'].map((k) => ({
            value: k,
            label: t(`disclosure.request.kind.${k}`),
          }))}
        />
        <SelectField
          name="orgType"
          label={t('disclosure.request.field.orgType')}
          hint={t('disclosure.request.field.orgTypeHint')}
          value={v.orgType ?? ''}
          options={[
            { value: '', label: t('disclosure.request.orgType.none') },
            ...ORG_TYPES.map((o) => ({ value: o, label: t(`disclosure.request.orgType.${o}`) })),
          ]}
        />
        <TextField
          name="name"
          label={t('disclosure.request.field.name')}
          value={v.name}
          error={err('requester.name')}
          autocomplete="name"
        />
        <TextField
          name="idNumber"
          label={t('disclosure.request.field.idNumber')}
          value={v.idNumber}
          width="medium"
        />
        <TextField
          name="phone"
          label={t('disclosure.request.field.phone')}
          value={v.phone}
          type="tel"
          autocomplete="tel"
          width="medium"
        />
        <TextField
          name="email"
          label={t('disclosure.request.field.email')}
          value={v.email}
          type="email"
          autocomplete="email"
          error={err('requester.email')}
        />
        <TextField name="address" label={t('disclosure.request.field.address')} value={v.address} />
        {m.staff ? (
          <>
            <RadioGroup
              name="channel"
              legend={t('disclosure.request.field.channel')}
              value={v.channel ?? 'inPerson'}
              options={CHANNELS.filter((c) => c !== 'forwarded').map((c) => ({
                value: c,
                label: t(`disclosure.request.channel.${c}`),
              }))}
            />
            <TextField
              name="receivedOn"
              type="date"
              label={t('disclosure.request.field.receivedOn')}
              value={v.receivedOn}
              error={err('receivedOn')}
              width="short"
            />
          </>
        ) : null}
        <FileField
          name="attachment"
          label={t('disclosure.request.field.attachment')}
          accept="application/pdf,image/png,image/jpeg"
          error={err('attachments')}
        />
        <div class="checkbox">
          <input
            type="checkbox"
            id="f-publicRegister"
            name="publicRegister"
            value="1"
            checked={v.publicRegister === '1'}
          />
          <label for="f-publicRegister">{t('disclosure.request.field.publicRegister')}</label>
        </div>
        <Button>{t('disclosure.request.submit')}</Button>
      </form>
    </>
  );
}

export interface MyRequestRow {
  readonly requestNumber: string;
  readonly body: string;
  readonly receivedOn: string;
  readonly state: string;
  readonly dueOn: string | null;
}

export function MyRequestsPage({ ctx, rows }: { ctx: ViewContext; rows: readonly MyRequestRow[] }) {
  const { t } = ctx;
  return (
    <>
      <PageHeading>{t('disclosure.request.mine.title')}</PageHeading>
      <p>
        <LinkButton href="/disclosure/requests/new" variant="primary">
          {t('disclosure.request.mine.new')}
        </LinkButton>
      </p>
      <Table
        caption={t('disclosure.request.mine.caption', { n: rows.length })}
        empty={t('disclosure.request.mine.empty')}
        rows={rows}
        columns={[
          {
            header: t('disclosure.request.col.number'),
            cell: (r) => <a href={requestHref(r.requestNumber)}>{r.requestNumber}</a>,
          },
          { header: t('disclosure.request.col.body'), cell: (r) => r.body },
          { header: t('disclosure.request.col.receivedOn'), cell: (r) => r.receivedOn },
          {
            header: t('disclosure.request.col.state'),
            cell: (r) => t(`disclosure.request.state.${r.state}`),
          },
          { header: t('disclosure.request.col.dueOn'), cell: (r) => r.dueOn ?? '—' },
        ]}
      />
      <p class="field-hint">{t('disclosure.request.times')}</p>
    </>
  );
}

function ClockPanel({ ctx, v }: { ctx: ViewContext; v: RequestView }) {
  const { t } = ctx;
  const c = v.clock;
  const rows = [
    { key: t('disclosure.request.col.state'), value: t(`disclosure.request.state.${c.state}`) },
    { key: t('disclosure.request.col.receivedOn'), value: c.receivedOn },
    ...(c.countsFrom !== c.receivedOn
      ? [{ key: t('disclosure.request.clock.countsFrom'), value: c.countsFrom }]
      : []),
    ...(c.dueOn
      ? [
          {
            key: t('disclosure.request.col.dueOn'),
            value: (
              <>
                {c.dueOn}{' '}
                {c.colour !== 'none' ? (
                  <Tag colour={colourTag(c.colour)}>{t(`disclosure.request.colour.${c.colour}`)}</Tag>
                ) : null}
                {c.extended ? <> ({t('disclosure.request.clock.extended')})</> : null}
              </>
            ),
          },
        ]
      : []),
    ...(c.remainingWorkingDays !== null
      ? [{ key: t('disclosure.request.col.remaining'), value: String(c.remainingWorkingDays) }]
      : []),
    ...(c.supplementDueOn
      ? [{ key: t('disclosure.request.clock.supplementDueOn'), value: c.supplementDueOn }]
      : []),
    ...(c.onTime !== null
      ? [
          {
            key: t('disclosure.request.col.state'),
            value: t(c.onTime ? 'disclosure.request.clock.onTime' : 'disclosure.request.clock.late'),
          },
        ]
      : []),
    ...c.thirdParty.map((p) => ({
      key: t('disclosure.request.step.consultThirdParty'),
      value: t('disclosure.request.clock.thirdParty', { from: p.from, latest: p.to ?? p.latest }),
    })),
  ];
  return (
    <>
      <section aria-labelledby="clock-heading">
        <h2 id="clock-heading">{t('disclosure.request.clock.heading')}</h2>
        <SummaryList rows={rows} />
      </section>
      <p class="field-hint">{t('disclosure.request.times')}</p>
    </>
  );
}

const str = (x: unknown) => (typeof x === 'string' ? x : '');

function StepDetail({ ctx, v, a }: { ctx: ViewContext; v: RequestView; a: RequestActionView }) {
  const { t } = ctx;
  const p = a.payload;
  const attachments =
    (p.attachments as Array<{ sha256: string; filename: string; size: number }> | undefined) ?? [];
  const files = attachments.length ? (
    <>
      <h4>{t('disclosure.request.detail.attachments')}</h4>
      <ul>
        {attachments.map((f) => (
          <li>
            <a href={`/api/v1/disclosure/requests/${enc(v.requestNumber)}/attachments/${f.sha256}`}>
              {f.filename}
            </a>{' '}
            ({Math.ceil(f.size / 1024)} KB)
          </li>
        ))}
      </ul>
    </>
  ) : null;
  switch (a.type) {
    case 'reply': {
      const kind = str(p.kind) as ReplyKind;
      const ref = str(p.legalReference) || LEGAL_REFERENCES[kind];
      const redactions = (p.redactions as Array<{ part: string; ground: string }> | undefined) ?? [];
      return (
        <>
          <p>
            <Tag colour="blue">{t(`disclosure.request.reply.${kind}`)}</Tag>
          </p>
          <p>{t(`disclosure.request.template.${kind}`, { ref, body: str(p.rightBodyName) })}</p>
          {p.ground ? (
            <p>
              {t('disclosure.request.detail.ground')}: {t(`disclosure.request.ground.${str(p.ground)}`)}
            </p>
          ) : null}
          {redactions.length ? (
            <>
              <h4>{t('disclosure.request.detail.redactions')}</h4>
              <ul>
                {redactions.map((r) => (
                  <li>
                    {r.part}: {t(`disclosure.request.ground.${r.ground}`)}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <p class="pre-line">{str(p.text)}</p>
          {p.forwardedTo ? (
            <p>
              {t('disclosure.request.detail.forwardedTo')}:{' '}
              <a href={requestHref(str(p.forwardedTo))}>{str(p.forwardedTo)}</a>
            </p>
          ) : null}
          {files}
          <p class="field-hint">
            {t('disclosure.request.detail.legalReference')}: {ref} · {t('disclosure.request.col.fee')}:{' '}
            {feeText(t, typeof p.feeFen === 'number' ? p.feeFen : 0)}
          </p>
        </>
      );
    }
    case 'requestSupplement':
      return (
        <>
          <p>
            {t('disclosure.request.template.needSupplement', {
              ref: str(p.legalReference),
              by: str(p.answerBy),
            })}
          </p>
          <ul>
            {((p.points as string[] | undefined) ?? []).map((x) => (
              <li>{x}</li>
            ))}
          </ul>
        </>
      );
    case 'extend':
      return (
        <>
          <p>
            {t('disclosure.request.template.extend', { ref: str(p.legalReference), due: v.dueOn ?? '—' })}
          </p>
          <p>
            {t('disclosure.request.detail.reason')}: {str(p.reason)}
          </p>
        </>
      );
    case 'consultThirdParty':
      return (
        <>
          <p>{t('disclosure.request.template.consult', { ref: str(p.legalReference) })}</p>
          <p>
            {t('disclosure.request.detail.thirdParty')}: {str(p.thirdParty)} ·{' '}
            {t('disclosure.request.detail.commentsBy')}: {str(p.commentsBy)}
          </p>
        </>
      );
    case 'thirdPartyReplied':
      return (
        <p>
          {t(p.consents ? 'disclosure.request.detail.consents' : 'disclosure.request.detail.refuses')}
          {p.note ? ` · ${str(p.note)}` : ''}
        </p>
      );
    case 'supplement':
      return <p class="pre-line">{str(p.text)}</p>;
    case 'withdraw':
      return p.reason ? <p>{str(p.reason)}</p> : null;
    case 'filed':
      return (
        <>
          <p>{t(`disclosure.request.channel.${str(p.channel) || 'online'}`)}</p>
          {files}
        </>
      );
    default:
      return null;
  }
}

function ActForms({ ctx, v, bodies }: { ctx: ViewContext; v: RequestView; bodies: readonly Body[] }) {
  const { t } = ctx;
  const action = `${requestHref(v.requestNumber)}/actions`;
  const may = new Set(v.mayAct);
  if (may.size === 0) return null;
  const none = { value: '', label: t('disclosure.request.act.none') };
  return (
    <section aria-labelledby="act-heading">
      <h2 id="act-heading">{t('disclosure.request.act.heading')}</h2>
      {may.has('reply') ? (
        <form method="post" action={action} enctype="multipart/form-data" class="act-form" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="action" value="reply" />
          <h3>{t('disclosure.request.act.reply')}</h3>
          <SelectField
            name="reply.kind"
            label={t('disclosure.request.act.kind')}
            options={REPLY_KINDS.map((k) => ({ value: k, label: t(`disclosure.request.reply.${k}`) }))}
          />
          <TextArea name="reply.text" label={t('disclosure.request.act.text')} maxLength={20000} />
          <SelectField
            name="reply.ground"
            label={t('disclosure.request.act.ground')}
            options={[
              none,
              ...REDACTION_GROUNDS.map((g) => ({ value: g, label: t(`disclosure.request.ground.${g}`) })),
            ]}
          />
          <TextArea name="reply.redactions" label={t('disclosure.request.act.redactions')} rows={3} />
          <SelectField
            name="reply.rightBody"
            label={t('disclosure.request.act.rightBody')}
            options={[
              none,
              ...bodies.filter((b) => b.id !== v.body.id).map((b) => ({ value: b.id, label: b.name })),
            ]}
          />
          <div class="checkbox">
            <input type="checkbox" id="f-reply-forward" name="reply.forward" value="1" />
            <label for="f-reply-forward">{t('disclosure.request.act.forward')}</label>
          </div>
          <TextField
            name="reply.previousRequest"
            label={t('disclosure.request.act.previousRequest')}
            width="medium"
          />
          <FileField
            name="reply.attachment"
            label={t('disclosure.request.field.attachment')}
            accept="application/pdf,image/png,image/jpeg"
          />
          <Button>{t('disclosure.request.act.reply')}</Button>
        </form>
      ) : null}
      {may.has('requestSupplement') ? (
        <form method="post" action={action} class="act-form" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="action" value="requestSupplement" />
          <h3>{t('disclosure.request.act.requestSupplement')}</h3>
          <TextArea name="requestSupplement.points" label={t('disclosure.request.act.points')} rows={3} />
          <Button variant="secondary">{t('disclosure.request.act.requestSupplement')}</Button>
        </form>
      ) : null}
      {may.has('extend') ? (
        <form method="post" action={action} class="act-form" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="action" value="extend" />
          <h3>{t('disclosure.request.act.extend')}</h3>
          <TextArea name="extend.reason" label={t('disclosure.request.act.reason')} rows={2} />
          <Button variant="secondary">{t('disclosure.request.act.extend')}</Button>
        </form>
      ) : null}
      {may.has('consultThirdParty') ? (
        <form method="post" action={action} class="act-form" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="action" value="consultThirdParty" />
          <h3>{t('disclosure.request.act.consultThirdParty')}</h3>
          <TextField name="consultThirdParty.thirdParty" label={t('disclosure.request.act.thirdParty')} />
          <TextField name="consultThirdParty.note" label={t('disclosure.request.act.note')} />
          <Button variant="secondary">{t('disclosure.request.act.consultThirdParty')}</Button>
        </form>
      ) : null}
      {may.has('thirdPartyReplied') ? (
        <form method="post" action={action} class="act-form" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="action" value="thirdPartyReplied" />
          <h3>{t('disclosure.request.act.thirdPartyReplied')}</h3>
          <RadioGroup
            name="thirdPartyReplied.consents"
            legend={t('disclosure.request.act.consents')}
            value="0"
            options={[
              { value: '1', label: t('disclosure.request.act.consentsYes') },
              { value: '0', label: t('disclosure.request.act.consentsNo') },
            ]}
          />
          <TextField name="thirdPartyReplied.note" label={t('disclosure.request.act.note')} />
          <Button variant="secondary">{t('disclosure.request.act.thirdPartyReplied')}</Button>
        </form>
      ) : null}
      {may.has('supplement') ? (
        <form method="post" action={action} class="act-form" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="action" value="supplement" />
          <h3>{t('disclosure.request.act.supplement')}</h3>
          <TextArea name="supplement.text" label={t('disclosure.request.act.supplementText')} />
          <Button>{t('disclosure.request.act.supplement')}</Button>
        </form>
      ) : null}
      {may.has('withdraw') ? (
        <form method="post" action={action} class="act-form" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="action" value="withdraw" />
          <h3>{t('disclosure.request.act.withdraw')}</h3>
          <TextField name="withdraw.reason" label={t('disclosure.request.act.withdrawReason')} />
          <Button variant="warning">{t('disclosure.request.act.withdraw')}</Button>
        </form>
      ) : null}
    </section>
  );
}

export function RequestPage({
  ctx,
  v,
  bodies,
  done,
  issues,
}: {
  ctx: ViewContext;
  v: RequestView;
  bodies: readonly Body[];
  done?: string | undefined;
  issues: readonly Issue[];
}) {
  const { t } = ctx;
  const r = v.requester;
  const contact = [r.phone, r.email, r.address].filter(Boolean).join(' · ');
  return (
    <>
      <PageHeading caption={v.body.name}>{t('disclosure.request.title', { n: v.requestNumber })}</PageHeading>
      <ErrorSummary ctx={ctx} issues={issues} />
      {done ? (
        <Notice kind="success">
          {t('disclosure.request.done', { step: t(`disclosure.request.step.${done}`) })}
        </Notice>
      ) : null}
      <ClockPanel ctx={ctx} v={v} />
      <SummaryList
        rows={[
          { key: t('disclosure.request.col.body'), value: v.body.name },
          { key: t('disclosure.request.col.channel'), value: t(`disclosure.request.channel.${v.channel}`) },
          {
            key: t('disclosure.request.col.description'),
            value: <span class="pre-line">{v.description}</span>,
          },
          ...(v.purpose ? [{ key: t('disclosure.request.col.purpose'), value: v.purpose }] : []),
          { key: t('disclosure.request.field.form'), value: t(`disclosure.request.form.${v.form}`) },
          {
            key: t('disclosure.request.field.delivery'),
            value: t(`disclosure.request.delivery.${v.delivery}`),
          },
          {
            key: t('disclosure.request.col.requester'),
            value: `${r.name} (${t(`disclosure.request.kind.${r.kind}`)})`,
          },
          ...(contact ? [{ key: t('disclosure.request.col.contact'), value: contact }] : []),
          {
            key: t('disclosure.request.col.register'),
            value: t(v.publicRegister ? 'disclosure.request.register.yes' : 'disclosure.request.register.no'),
          },
          { key: t('disclosure.request.col.fee'), value: feeText(t, v.feeFen) },
          ...(v.forwardedFrom
            ? [
                {
                  key: t('disclosure.request.col.forwardedFrom'),
                  value: v.forwardedFrom,
                },
              ]
            : []),
        ]}
      />
      <h2>{t('disclosure.request.history')}</h2>
      <ol class="timeline">
        {v.actions.map((a) => (
          <li>
            <h3>
              {t(`disclosure.request.step.${a.type}`)} · <time datetime={a.day}>{a.day}</time>
            </h3>
            <StepDetail ctx={ctx} v={v} a={a} />
          </li>
        ))}
      </ol>
      <ActForms ctx={ctx} v={v} bodies={bodies} />
    </>
  );
}

export interface QueueModel {
  readonly body: Body | undefined;
  readonly bodies: readonly Body[];
  readonly open: boolean;
  readonly total: number;
  readonly rows: ReadonlyArray<{
    requestNumber: string;
    channel: string;
    receivedOn: string;
    description: string;
    state: string;
    dueOn: string | null;
    supplementDueOn: string | null;
    remainingWorkingDays: number | null;
    colour: string;
  }>;
}

export function QueuePage({ ctx, m }: { ctx: ViewContext; m: QueueModel }) {
  const { t } = ctx;
  const short = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);
  return (
    <>
      <PageHeading>{t('disclosure.request.queue.title')}</PageHeading>
      <form method="get" action="/workbench/disclosure" class="filters">
        <SelectField
          name="body"
          label={t('disclosure.request.col.body')}
          value={m.body?.id ?? ''}
          options={[
            { value: '', label: t('disclosure.request.queue.noBody') },
            ...m.bodies.map((b) => ({ value: b.id, label: b.name })),
          ]}
        />
        <SelectField
          name="open"
          label={t('disclosure.request.col.state')}
          value={m.open ? '1' : '0'}
          options={[
            { value: '1', label: t('disclosure.request.queue.open') },
            { value: '0', label: t('disclosure.request.queue.closed') },
          ]}
        />
        <Button variant="secondary">{t('disclosure.request.queue.show')}</Button>
      </form>
      {m.body ? (
        <Table
          caption={t(m.open ? 'disclosure.request.queue.caption' : 'disclosure.request.queue.closedCaption', {
            body: m.body.name,
            n: m.total,
          })}
          empty={t('disclosure.request.queue.empty')}
          rows={m.rows}
          columns={[
            {
              header: t('disclosure.request.col.number'),
              cell: (r) => <a href={requestHref(r.requestNumber)}>{r.requestNumber}</a>,
            },
            { header: t('disclosure.request.col.description'), cell: (r) => short(r.description) },
            {
              header: t('disclosure.request.col.channel'),
              cell: (r) => t(`disclosure.request.channel.${r.channel}`),
            },
            { header: t('disclosure.request.col.receivedOn'), cell: (r) => r.receivedOn },
            {
              header: t('disclosure.request.col.state'),
              cell: (r) => t(`disclosure.request.state.${r.state}`),
            },
            { header: t('disclosure.request.col.dueOn'), cell: (r) => r.dueOn ?? r.supplementDueOn ?? '—' },
            {
              header: t('disclosure.request.col.remaining'),
              numeric: true,
              cell: (r) =>
                r.remainingWorkingDays === null ? (
                  '—'
                ) : (
                  <>
                    {r.remainingWorkingDays}{' '}
                    <Tag colour={colourTag(r.colour)}>{t(`disclosure.request.colour.${r.colour}`)}</Tag>
                  </>
                ),
            },
          ]}
        />
      ) : null}
      <p class="field-hint">{t('disclosure.request.times')}</p>
    </>
  );
}

export const registerHref = (n: string) => `/disclosure/register/${enc(n)}`;

/** The public register: answered requests whose requesters agreed, without their names. */
export function RegisterListPage({
  ctx,
  entries,
  total,
  page,
  pageSize,
}: {
  ctx: ViewContext;
  entries: readonly RegisterEntry[];
  total: number;
  page: number;
  pageSize: number;
}) {
  const { t } = ctx;
  const short = (s: string) => (s.length > 50 ? `${s.slice(0, 50)}…` : s);
  return (
    <>
      <PageHeading>{t('disclosure.register.title')}</PageHeading>
      <p>{t('disclosure.register.intro')}</p>
      <form method="get" action="/search" class="filters">
        <input type="hidden" name="kind" value="information" />
        <input type="hidden" name="type" value={REGISTER_TYPE} />
        <TextField name="q" type="search" label={t('disclosure.register.search')} width="medium" />
        <Button variant="secondary">{t('disclosure.register.searchButton')}</Button>
      </form>
      <Table
        caption={t('disclosure.register.caption', { n: total })}
        empty={t('disclosure.register.empty')}
        rows={entries}
        columns={[
          {
            header: t('disclosure.request.col.description'),
            cell: (e) => <a href={registerHref(e.requestNumber)}>{short(e.description)}</a>,
          },
          { header: t('disclosure.request.col.body'), cell: (e) => e.body.name },
          {
            header: t('disclosure.register.reply'),
            cell: (e) => t(`disclosure.request.reply.${e.replyKind}`),
          },
          { header: t('disclosure.register.answeredOn'), cell: (e) => e.answeredOn ?? '—' },
        ]}
      />
      {total > pageSize ? (
        <p>
          {page > 1 ? (
            <a href={`/disclosure/register?page=${page - 1}`}>{t('disclosure.register.previous')}</a>
          ) : null}{' '}
          {page * pageSize < total ? (
            <a href={`/disclosure/register?page=${page + 1}`}>{t('disclosure.register.next')}</a>
          ) : null}
        </p>
      ) : null}
      <p class="field-hint">{t('disclosure.request.times')}</p>
    </>
  );
}

export function RegisterEntryPage({ ctx, e }: { ctx: ViewContext; e: RegisterEntry }) {
  const { t } = ctx;
  const kind = e.replyKind as ReplyKind;
  return (
    <>
      <PageHeading caption={e.body.name}>
        {t('disclosure.register.entry', { n: e.requestNumber })}
      </PageHeading>
      <SummaryList
        rows={[
          { key: t('disclosure.request.col.body'), value: e.body.name },
          { key: t('disclosure.request.col.receivedOn'), value: e.receivedOn },
          { key: t('disclosure.register.answeredOn'), value: e.answeredOn ?? '—' },
          {
            key: t('disclosure.request.col.state'),
            value: t(e.onTime ? 'disclosure.request.clock.onTime' : 'disclosure.request.clock.late'),
          },
          { key: t('disclosure.request.col.requester'), value: t('disclosure.register.anonymous') },
        ]}
      />
      <h2>{t('disclosure.request.col.description')}</h2>
      <p class="pre-line">{e.description}</p>
      <h2>
        {t('disclosure.register.reply')}: {t(`disclosure.request.reply.${kind}`)}
      </h2>
      <p>
        {t(`disclosure.request.template.${kind}`, {
          ref: e.reply.legalReference,
          body: e.reply.rightBodyName ?? '',
        })}
      </p>
      {e.reply.ground ? (
        <p>
          {t('disclosure.request.detail.ground')}: {t(`disclosure.request.ground.${e.reply.ground}`)}
        </p>
      ) : null}
      {e.reply.redactions?.length ? (
        <>
          <h3>{t('disclosure.request.detail.redactions')}</h3>
          <ul>
            {e.reply.redactions.map((r) => (
              <li>
                {r.part}: {t(`disclosure.request.ground.${r.ground}`)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p class="pre-line">{e.reply.text}</p>
      <p class="field-hint">
        {t('disclosure.request.detail.legalReference')}: {e.reply.legalReference}
      </p>
      <p>
        <a href="/disclosure/register">{t('disclosure.register.back')}</a>
      </p>
    </>
  );
}

import { type FieldIssue, chinaDate } from '../../kernel/index.js';
import {
  Button,
  CsrfField,
  ErrorSummary,
  FileField,
  LinkButton,
  PageHeading,
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
import type { PublishClock, StaffPublicationView } from './disclosure.publishing.js';
import { DISCLOSURE_DOMAINS } from './disclosure.types.js';

/** Staff pages of 主动公开: the department's worklist with its clocks, the draft form, one publication. */

const enc = encodeURIComponent;
export const staffPublicationHref = (id: string) => `/workbench/disclosure/publications/${enc(id)}`;
type Issue = FieldIssue & { message: string };
const colourTag = (c: string): TagColour =>
  c === 'green' ? 'green' : c === 'yellow' ? 'yellow' : c === 'red' ? 'red' : 'grey';

function ClockCell({ ctx, c }: { ctx: ViewContext; c: PublishClock | null }) {
  const { t } = ctx;
  if (!c) return <>—</>;
  if (c.remainingWorkingDays === null)
    return <>{t(c.onTime ? 'disclosure.request.clock.onTime' : 'disclosure.publishing.late')}</>;
  return (
    <>
      {c.dueOn} ({c.remainingWorkingDays}){' '}
      <Tag colour={colourTag(c.colour)}>{t(`disclosure.request.colour.${c.colour}`)}</Tag>
    </>
  );
}

export function WorklistPage({
  ctx,
  body,
  bodies,
  rows,
}: {
  ctx: ViewContext;
  body: Body | undefined;
  bodies: readonly Body[];
  rows: ReadonlyArray<{
    id: string;
    title: string;
    status: string;
    madeOn: string | null;
    publishedOn: string | null;
    clock: PublishClock | null;
  }>;
}) {
  const { t } = ctx;
  return (
    <>
      <PageHeading>{t('disclosure.publishing.title')}</PageHeading>
      <p>{t('disclosure.publishing.intro')}</p>
      <form method="get" action="/workbench/disclosure/publications" class="filters">
        <SelectField
          name="department"
          label={t('disclosure.request.col.body')}
          value={body?.id ?? ''}
          options={bodies.map((b) => ({ value: b.id, label: b.name }))}
        />
        <Button variant="secondary">{t('disclosure.request.queue.show')}</Button>
      </form>
      {body ? (
        <>
          <p>
            <LinkButton
              href={`/workbench/disclosure/publications/new?department=${enc(body.id)}`}
              variant="primary"
            >
              {t('disclosure.publishing.new')}
            </LinkButton>
          </p>
          <Table
            caption={t('disclosure.publishing.caption', { body: body.name, n: rows.length })}
            empty={t('disclosure.publishing.empty')}
            rows={rows}
            columns={[
              {
                header: t('disclosure.field.title'),
                cell: (r) => <a href={staffPublicationHref(r.id)}>{r.title}</a>,
              },
              {
                header: t('disclosure.request.col.state'),
                cell: (r) => t(`disclosure.publishing.status.${r.status}`),
              },
              { header: t('disclosure.publishing.madeOn'), cell: (r) => r.madeOn ?? '—' },
              { header: t('disclosure.field.publishedOn'), cell: (r) => r.publishedOn ?? '—' },
              { header: t('disclosure.publishing.due'), cell: (r) => <ClockCell ctx={ctx} c={r.clock} /> },
            ]}
          />
        </>
      ) : null}
      <p class="field-hint">{t('disclosure.request.times')}</p>
    </>
  );
}

export function DraftFormPage({
  ctx,
  body,
  values,
  issues,
}: {
  ctx: ViewContext;
  body: Body;
  values: Record<string, string>;
  issues: readonly Issue[];
}) {
  const { t } = ctx;
  const err = (f: string) => issues.find((i) => i.field === f)?.message;
  return (
    <>
      <PageHeading caption={body.name}>{t('disclosure.publishing.new')}</PageHeading>
      <ErrorSummary ctx={ctx} issues={issues} />
      <form
        method="post"
        action="/workbench/disclosure/publications"
        enctype="multipart/form-data"
        novalidate
      >
        <CsrfField ctx={ctx} />
        <input type="hidden" name="department" value={body.id} />
        <TextField
          name="title"
          label={t('disclosure.field.title')}
          value={values.title}
          error={err('title')}
        />
        <SelectField
          name="domain"
          label={t('disclosure.field.domain')}
          value={values.domain ?? ''}
          error={err('domain')}
          options={DISCLOSURE_DOMAINS.map((d) => ({ value: d, label: d }))}
        />
        <TextField
          name="category"
          label={t('disclosure.field.category')}
          value={values.category ?? '公示公告'}
          error={err('category')}
          width="medium"
        />
        <TextField
          name="docNumber"
          label={t('disclosure.field.docNumber')}
          value={values.docNumber}
          width="medium"
        />
        <TextArea
          name="body"
          label={t('disclosure.field.body')}
          value={values.body}
          error={err('body')}
          rows={10}
        />
        <TextField
          name="madeOn"
          type="date"
          label={t('disclosure.publishing.madeOn')}
          hint={t('disclosure.publishing.madeOnHint')}
          value={values.madeOn}
          error={err('madeOn')}
          width="short"
        />
        <TextField
          name="effectiveFrom"
          type="date"
          label={t('disclosure.publishing.effectiveFrom')}
          value={values.effectiveFrom}
          width="short"
        />
        <TextField
          name="expiresOn"
          type="date"
          label={t('disclosure.publishing.expiresOn')}
          value={values.expiresOn}
          error={err('expiresOn')}
          width="short"
        />
        <FileField
          name="attachment"
          label={t('disclosure.publishing.attachment')}
          accept="application/pdf"
          error={err('attachments')}
        />
        <Button>{t('disclosure.publishing.saveDraft')}</Button>
      </form>
    </>
  );
}

export function StaffPublicationPage({
  ctx,
  v,
  issues,
}: {
  ctx: ViewContext;
  v: StaffPublicationView;
  issues: readonly Issue[];
}) {
  const { t } = ctx;
  const action = `${staffPublicationHref(v.id)}/actions`;
  return (
    <>
      <PageHeading caption={v.department.name}>{v.title}</PageHeading>
      <ErrorSummary ctx={ctx} issues={issues} />
      <SummaryList
        rows={[
          { key: t('disclosure.request.col.state'), value: t(`disclosure.publishing.status.${v.status}`) },
          { key: t('disclosure.field.domain'), value: v.domain },
          { key: t('disclosure.field.category'), value: v.category },
          ...(v.docNumber ? [{ key: t('disclosure.field.docNumber'), value: v.docNumber }] : []),
          { key: t('disclosure.publishing.madeOn'), value: v.madeOn ?? '—' },
          { key: t('disclosure.publishing.due'), value: <ClockCell ctx={ctx} c={v.clock} /> },
          { key: t('disclosure.field.publishedOn'), value: v.publishedOn ?? '—' },
          ...(v.effectiveFrom
            ? [{ key: t('disclosure.publishing.effectiveFrom'), value: v.effectiveFrom }]
            : []),
          ...(v.expiresOn ? [{ key: t('disclosure.publishing.expiresOn'), value: v.expiresOn }] : []),
          ...(v.withdrawnOn
            ? [
                {
                  key: t('disclosure.publishing.withdrawn'),
                  value: `${v.withdrawnOn}: ${v.withdrawnReason ?? ''}`,
                },
              ]
            : []),
        ]}
      />
      <h2>{t('disclosure.field.body')}</h2>
      <p class="pre-line">{v.body}</p>
      {v.attachments.length ? (
        <ul>
          {v.attachments.map((f) => (
            <li>
              {f.filename} ({Math.ceil(f.size / 1024)} KB)
            </li>
          ))}
        </ul>
      ) : null}
      <h2>{t('disclosure.request.history')}</h2>
      <ol>
        {v.actions.map((a) => (
          <li>
            {t(`disclosure.publishing.step.${a.type}`)} · {chinaDate(a.at)}
            {typeof a.payload.note === 'string' ? ` · ${a.payload.note}` : ''}
            {typeof a.payload.reason === 'string' ? ` · ${a.payload.reason}` : ''}
          </li>
        ))}
      </ol>
      {v.mayAct.length ? <h2>{t('disclosure.request.act.heading')}</h2> : null}
      {v.mayAct.includes('submit') ? (
        <form method="post" action={action} class="act-form">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="action" value="submit" />
          <Button>{t('disclosure.publishing.step.submit')}</Button>
        </form>
      ) : null}
      {v.mayAct.includes('publish') ? (
        <form method="post" action={action} class="act-form">
          <CsrfField ctx={ctx} />
          <input type="hidden" name="action" value="publish" />
          <Button>{t('disclosure.publishing.step.publish')}</Button>
        </form>
      ) : null}
      {v.mayAct.includes('return') ? (
        <form method="post" action={action} class="act-form" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="action" value="return" />
          <TextField
            name="note"
            label={t('disclosure.publishing.returnNote')}
            error={issues.find((i) => i.field === 'note')?.message}
          />
          <Button variant="secondary">{t('disclosure.publishing.step.return')}</Button>
        </form>
      ) : null}
      {v.mayAct.includes('withdraw') ? (
        <form method="post" action={action} class="act-form" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="action" value="withdraw" />
          <TextField
            name="reason"
            label={t('disclosure.publishing.withdrawReason')}
            error={issues.find((i) => i.field === 'reason')?.message}
          />
          <Button variant="warning">{t('disclosure.publishing.step.withdraw')}</Button>
        </form>
      ) : null}
    </>
  );
}

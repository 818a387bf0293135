import { z } from 'zod';
import { DomainError, newId } from '../../kernel/index.js';
import { type Principal, allows } from '../../platform/access.js';
import type { Executor } from '../../platform/db/index.js';
import type { Consumer, EventRecord } from '../../platform/events/index.js';
import type { Logger } from '../../platform/log.js';
import { postDelivery, refusedHostName } from '../../platform/net/outbound.js';
import type { ExchangeContext } from './exchange.context.js';
import { EXCHANGE_EVENTS, requireConsumer } from './exchange.grants.js';
import { xdb } from './exchange.store.js';

/**
 * 校核纠错 pushed to consumers (issue 12 item 6). When a provider corrects a record, the answer's
 * transaction appends one `exchange.correctionNotice` event per consumer department whose reads
 * answered a corrected field's old value (`noticeEventsFor`). The `exchange.notices` outbox consumer
 * turns each into the department's notification list row and, for each of the department's consumer
 * systems that registered a webhook, a delivery; the delivery worker posts them, recording every
 * attempt and retrying with back-off. Nothing personal travels: the access ids, the resource code
 * and the field names (the consumer reads the record again through its grant).
 */

export interface CorrectionNoticePayload {
  readonly objection: string;
  readonly department: string;
  readonly provider: string;
  readonly resource: string;
  readonly fields: readonly string[];
  readonly accessIds: readonly string[];
  readonly correctedAt: string;
}

/**
 * The notice events of one correction: the reads of the subject's record in the register (any of
 * its resources) that were answered, made before the correction, and named a corrected field —
 * grouped by the consumer department that made them. A department that read other fields only, or
 * never read the subject, gets nothing.
 */
export async function noticeEventsFor(
  trx: Executor,
  c: {
    objectionId: string;
    subjectHash: string;
    register: string;
    resourceCode: string;
    providerDepartmentId: string;
    fields: readonly string[];
    at: string;
    regionCode: string | null;
  },
) {
  const reads = await xdb(trx)
    .selectFrom('exchange_access')
    .innerJoin('exchange_resources', 'exchange_resources.id', 'exchange_access.resource_id')
    .select(['exchange_access.id', 'exchange_access.department_id', 'exchange_access.fields'])
    .where('exchange_access.subject_hash', '=', c.subjectHash)
    .where('exchange_resources.register', '=', c.register)
    .where('exchange_access.outcome', '=', 'ok')
    .where('exchange_access.at', '<=', c.at)
    .orderBy('exchange_access.at')
    .execute();
  const corrected = new Set(c.fields);
  const by = new Map<string, string[]>();
  for (const r of reads) {
    if (!r.department_id) continue;
    const read = JSON.parse(r.fields) as string[];
    if (!read.some((f) => corrected.has(f))) continue;
    const ids = by.get(r.department_id) ?? [];
    ids.push(r.id);
    by.set(r.department_id, ids);
  }
  return [...by].map(([department, accessIds]) => ({
    type: EXCHANGE_EVENTS.correctionNotice,
    aggregateType: 'exchangeNotice',
    aggregateId: c.objectionId,
    regionCode: c.regionCode,
    payload: {
      objection: c.objectionId,
      department,
      provider: c.providerDepartmentId,
      resource: c.resourceCode,
      fields: [...c.fields],
      accessIds,
      correctedAt: c.at,
    } satisfies CorrectionNoticePayload,
  }));
}

/** The webhook body: no personal data, only what lets the consumer find its reads and read again. */
export const webhookBody = (noticeId: string, n: CorrectionNoticePayload): string =>
  JSON.stringify({
    type: 'exchange.correction',
    notice: noticeId,
    resource: n.resource,
    fields: n.fields,
    accessIds: n.accessIds,
    correctedAt: n.correctedAt,
  });

/** The outbox consumer: each notice event once into the notification list and its webhook deliveries. */
export function noticesConsumer(): Consumer {
  return {
    name: 'exchange.notices',
    // it acts on a rare event (a correction notice) and passes over the rest: a large batch
    batchSize: 2000,
    async handle(trx, events: EventRecord[]) {
      for (const e of events) {
        if (e.type !== EXCHANGE_EVENTS.correctionNotice) continue;
        const n = e.payload as unknown as CorrectionNoticePayload;
        await xdb(trx)
          .insertInto('exchange_notices')
          .values({
            id: e.id,
            department_id: n.department,
            provider_department_id: n.provider,
            objection_id: n.objection,
            resource_code: n.resource,
            fields: JSON.stringify(n.fields),
            access_ids: JSON.stringify(n.accessIds),
            corrected_at: n.correctedAt,
            created_at: e.createdAt,
            region_code: e.regionCode ?? '',
          })
          .execute();
        const hooks = await xdb(trx)
          .selectFrom('exchange_consumers')
          .select(['client_id', 'webhook_url'])
          .where('department_id', '=', n.department)
          .where('webhook_url', 'is not', null)
          .execute();
        for (const h of hooks)
          await xdb(trx)
            .insertInto('exchange_notice_deliveries')
            .values({
              id: newId(),
              notice_id: e.id,
              client_id: h.client_id,
              url: h.webhook_url!,
              body: webhookBody(e.id, n),
              attempts: 0,
              next_at: e.createdAt,
              delivered_at: null,
              last_status: null,
              last_error: null,
              created_at: e.createdAt,
            })
            .execute();
      }
    },
  };
}

export { retryDelayMs } from '../../platform/net/outbound.js';

/** Posts the deliveries that are due; each attempt recorded (status, error, next try). */
export async function deliverNotices(
  ctx: ExchangeContext,
  log: Pick<Logger, 'warn'>,
  fetchImpl: typeof fetch = fetch,
  limit = 50,
): Promise<{ delivered: number; failed: number }> {
  const due = await xdb(ctx.db)
    .selectFrom('exchange_notice_deliveries')
    .selectAll()
    .where('delivered_at', 'is', null)
    .where('next_at', '<=', ctx.clock.now().toISOString())
    .orderBy('next_at')
    .limit(limit)
    .execute();
  let delivered = 0;
  let failed = 0;
  for (const d of due) {
    const r = await postDelivery(
      fetchImpl,
      d,
      { headers: { 'x-tongban-notice': d.notice_id }, redirect: 'manual' },
      () => ctx.clock.now(),
    );
    await xdb(ctx.db).updateTable('exchange_notice_deliveries').set(r).where('id', '=', d.id).execute();
    const { attempts, last_status: status, last_error: error } = r;
    if (error) {
      failed++;
      log.warn(
        { notice: d.notice_id, client: d.client_id, attempts, status },
        'exchange: correction notice not delivered, will retry',
      );
    } else delivered++;
  }
  return { delivered, failed };
}

/** A consumer system's webhook: https only, no credentials in it; `null` removes it. */
export const WebhookInput = z.object({
  url: z
    .string()
    .trim()
    .max(500)
    .url()
    .refine((u) => {
      // zod runs the refinement after a failed .url() too: never throw here
      const x = URL.canParse(u) ? new URL(u) : undefined;
      return !!x && x.protocol === 'https:' && !x.username && !x.password && !refusedHostName(x.hostname);
    }, 'https, without credentials, not this machine nor a link-local address')
    .nullable(),
});

/** A consumer system registers (or removes) the webhook its department's notices are posted to. */
export async function setWebhook(
  ctx: ExchangeContext,
  clientId: string,
  url: string | null,
): Promise<{ url: string | null }> {
  const r = await xdb(ctx.db)
    .updateTable('exchange_consumers')
    .set({ webhook_url: url })
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw new DomainError('EXCHANGE.NOT_CONSUMER');
  return { url };
}

export async function setOwnWebhook(ctx: ExchangeContext, p: Principal, raw: unknown) {
  const c = await requireConsumer(ctx, p);
  const parsed = WebhookInput.safeParse(raw);
  if (!parsed.success)
    throw new DomainError('EXCHANGE.INVALID', { details: { issues: [{ field: 'url', rule: 'https' }] } });
  return setWebhook(ctx, c.clientId, parsed.data.url);
}

export interface NoticeView {
  readonly id: string;
  readonly departmentId: string;
  readonly providerDepartmentId: string;
  readonly resource: string;
  readonly fields: readonly string[];
  readonly accessIds: readonly string[];
  readonly correctedAt: string;
  /** webhook deliveries of this notice: how many, how many delivered, the last error */
  readonly webhooks: { total: number; delivered: number; lastError: string | null };
}

async function noticeViews(
  ctx: ExchangeContext,
  column: 'department_id' | 'provider_department_id',
  departmentId: string,
): Promise<NoticeView[]> {
  const rows = await xdb(ctx.db)
    .selectFrom('exchange_notices')
    .selectAll()
    .where(column, '=', departmentId)
    .orderBy('corrected_at', 'desc')
    .limit(200)
    .execute();
  const ids = rows.map((r) => r.id);
  const deliveries = ids.length
    ? await xdb(ctx.db)
        .selectFrom('exchange_notice_deliveries')
        .select(['notice_id', 'delivered_at', 'last_error'])
        .where('notice_id', 'in', ids)
        .execute()
    : [];
  return rows.map((r) => {
    const mine = deliveries.filter((d) => d.notice_id === r.id);
    return {
      id: r.id,
      departmentId: r.department_id,
      providerDepartmentId: r.provider_department_id,
      resource: r.resource_code,
      fields: JSON.parse(r.fields) as string[],
      accessIds: JSON.parse(r.access_ids) as string[],
      correctedAt: r.corrected_at,
      webhooks: {
        total: mine.length,
        delivered: mine.filter((d) => d.delivered_at).length,
        lastError: mine.find((d) => !d.delivered_at && d.last_error)?.last_error ?? null,
      },
    };
  });
}

/**
 * A department's notification list as a consumer (notices received) and as a provider (notices
 * sent), for its dashboard: exchange.manage in the department's scope (fail closed).
 */
export async function noticesOfDepartment(
  ctx: ExchangeContext,
  p: Principal,
  departmentId: string,
): Promise<{ received: NoticeView[]; sent: NoticeView[] }> {
  const dept = await ctx.ports.regions.departmentById(departmentId);
  if (!dept || !allows(p, 'exchange.manage', { regionCode: dept.regionCode, departmentId }))
    throw new DomainError('EXCHANGE.NOT_PROVIDER');
  const [received, sent] = await Promise.all([
    noticeViews(ctx, 'department_id', departmentId),
    noticeViews(ctx, 'provider_department_id', departmentId),
  ]);
  return { received, sent };
}

/** A consumer system's own department's notices (the list its webhook pokes it about). */
export async function noticesForConsumer(ctx: ExchangeContext, p: Principal): Promise<NoticeView[]> {
  const c = await requireConsumer(ctx, p);
  return noticeViews(ctx, 'department_id', c.departmentId);
}

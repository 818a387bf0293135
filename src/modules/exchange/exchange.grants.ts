import { DomainError, chinaDate, newId } from '../../kernel/index.js';
import { type Principal, allows } from '../../platform/access.js';
import { inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { ANSWER_WORKING_DAYS, type ExchangeContext, clockColour, parse } from './exchange.context.js';
import { forgetGrants, resourceByCode, resourceById, toGrant, toRequest, xdb } from './exchange.store.js';
import {
  DecisionInput,
  type Grant,
  type GrantStatus,
  RequestInput,
  type Resource,
  type ShareRequest,
} from './exchange.types.js';

/** Event types of the exchange (payloads hold ids, codes and hashes only). */
export const EXCHANGE_EVENTS = {
  consumerAdded: 'exchange.consumerAdded',
  requested: 'exchange.requested',
  granted: 'exchange.granted',
  refused: 'exchange.refused',
  grantChanged: 'exchange.grantChanged',
  accessed: 'exchange.accessed',
  accessDenied: 'exchange.accessDenied',
  objectionRaised: 'exchange.objectionRaised',
  objectionAnswered: 'exchange.objectionAnswered',
  corrected: 'exchange.corrected',
  exported: 'exchange.exported',
  /** one per consumer department that read a corrected value (exchange.notices.ts) */
  correctionNotice: 'exchange.correctionNotice',
  imported: 'exchange.imported',
  resourcePublished: 'exchange.resourcePublished',
} as const;

export interface Consumer {
  readonly clientId: string;
  readonly departmentId: string;
  readonly name: string;
}

/** `tongban exchange consumer add`: a client-credentials client bound to a department. */
export async function addConsumer(
  ctx: ExchangeContext,
  input: { departmentId: string; name: string; webhookUrl?: string | undefined },
): Promise<{ client_id: string; client_secret: string }> {
  const name = input.name.trim();
  if (!name || name.length > 80) throw new DomainError('EXCHANGE.INVALID', { details: { field: 'name' } });
  const dept = await ctx.ports.regions.departmentById(input.departmentId);
  if (!dept) throw new DomainError('EXCHANGE.DEPARTMENT_UNKNOWN');
  const c = await ctx.ports.identity.createClient(`${dept.name} · ${name}`);
  await inTransaction(ctx.db, async (trx) => {
    await xdb(trx)
      .insertInto('exchange_consumers')
      .values({
        client_id: c.client_id,
        department_id: dept.id,
        name,
        region_code: dept.regionCode,
        created_at: ctx.clock.now().toISOString(),
        webhook_url: input.webhookUrl ?? null,
      })
      .execute();
    await appendEvent(trx, ctx.clock, {
      type: EXCHANGE_EVENTS.consumerAdded,
      aggregateType: 'exchangeConsumer',
      aggregateId: c.client_id,
      regionCode: dept.regionCode,
      payload: { department: dept.id },
    });
  });
  return c;
}

/** A consumer system as `tongban exchange consumer list` shows it: no secret. */
export interface ConsumerListing {
  readonly client_id: string;
  readonly name: string;
  readonly department: string;
  readonly created_at: string;
  readonly revoked_at: string | null;
}

/** Every consumer system, oldest first, with when it was revoked (its client's row, identity). */
export async function listConsumers(ctx: ExchangeContext): Promise<ConsumerListing[]> {
  const rows = await xdb(ctx.db)
    .selectFrom('exchange_consumers')
    .select(['client_id', 'name', 'department_id', 'created_at'])
    .orderBy('created_at')
    .orderBy('client_id')
    .execute();
  const revoked = await ctx.ports.identity.clientsRevokedAt(rows.map((r) => r.client_id));
  return rows.map((r) => ({
    client_id: r.client_id,
    name: r.name,
    department: r.department_id,
    created_at: r.created_at,
    revoked_at: revoked.get(r.client_id) ?? null,
  }));
}

/** The consumer's row read from the store (not the node's copy), or EXCHANGE.CONSUMER_UNKNOWN. */
async function consumerRow(ctx: ExchangeContext, clientId: string) {
  const r = await xdb(ctx.db)
    .selectFrom('exchange_consumers')
    .select(['client_id', 'region_code'])
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (!r) throw new DomainError('EXCHANGE.CONSUMER_UNKNOWN');
  return r;
}

/**
 * `tongban exchange consumer revoke`: a leaked consumer system cut off — its client and every
 * token it holds revoked in one transaction with the `identity.clientRevoked` event; refused on
 * this node at once, on others within 250 ms (ADR 0029).
 */
export async function revokeConsumer(ctx: ExchangeContext, clientId: string, reason: string) {
  const c = await consumerRow(ctx, clientId);
  const r = await ctx.ports.identity.revokeClient(c.client_id, reason, c.region_code);
  return { client_id: c.client_id, revokedAt: r.revokedAt, tokensRevoked: r.tokensRevoked };
}

/** `tongban exchange consumer rotate`: a new secret; the old one and its tokens are refused. */
export async function rotateConsumerSecret(ctx: ExchangeContext, clientId: string) {
  const c = await consumerRow(ctx, clientId);
  return ctx.ports.identity.rotateClientSecret(c.client_id, c.region_code);
}

/** Consumers never change department: a node keeps the ones it has seen (per store). */
const consumers = new WeakMap<object, Map<string, Consumer>>();

export async function consumerOf(
  ctx: ExchangeContext,
  clientId: string | undefined,
): Promise<Consumer | undefined> {
  if (!clientId) return undefined;
  let m = consumers.get(ctx.db);
  if (!m) {
    m = new Map();
    consumers.set(ctx.db, m);
  }
  const hit = m.get(clientId);
  if (hit) return hit;
  const r = await xdb(ctx.db)
    .selectFrom('exchange_consumers')
    .selectAll()
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (!r) return undefined;
  const c = { clientId: r.client_id, departmentId: r.department_id, name: r.name };
  if (m.size > 10_000) m.clear();
  m.set(clientId, c);
  return c;
}

/** The consumer department behind a caller: a registered client, else refused. */
export async function requireConsumer(ctx: ExchangeContext, p: Principal): Promise<Consumer> {
  const c = await consumerOf(ctx, p.clientId);
  if (!c) throw new DomainError('EXCHANGE.NOT_CONSUMER');
  return c;
}

/** Whether the caller may act for the resource's provider department (fail closed). */
export function mayProvide(p: Principal | undefined, r: Resource): boolean {
  return allows(p, 'exchange.manage', { regionCode: r.regionCode, departmentId: r.providerDepartmentId });
}

function checkFields(r: Resource, fields: readonly string[], at: string): void {
  const known = new Set(r.items.map((i) => i.name));
  const unknown = fields.filter((f) => !known.has(f));
  if (unknown.length)
    throw new DomainError('EXCHANGE.INVALID', {
      details: { issues: unknown.map((f) => ({ field: `${at}.${f}`, rule: 'unknownField' })) },
    });
}

/**
 * A consumer department's request (共享申请). 无条件 resources asking no sensitive field in clear
 * are granted at once; everything else waits for the provider, who must answer within 10
 * working days; 不予共享 resources are refused with their legal basis. One transaction.
 */
export async function requestResource(
  ctx: ExchangeContext,
  p: Principal,
  raw: unknown,
  opts: { departmentId?: string } = {},
): Promise<ShareRequest> {
  const input = parse(RequestInput, raw);
  const departmentId = opts.departmentId ?? (await requireConsumer(ctx, p)).departmentId;
  const r = await resourceByCode(ctx.db, input.resource);
  if (!r) throw new DomainError('EXCHANGE.RESOURCE_UNKNOWN');
  if (r.shareType === 'none')
    throw new DomainError('EXCHANGE.NOT_SHARED', { details: { legalBasis: r.legalBasis } });
  checkFields(r, input.fields, 'fields');
  checkFields(r, input.clearFields, 'clearFields');
  const fields = [...new Set(input.fields)];
  const clearFields = [...new Set(input.clearFields)].filter((f) => fields.includes(f));
  const sensitiveClear = clearFields.some(
    (f) => r.items.find((i) => i.name === f)?.sensitivity === 'sensitive',
  );
  const immediate =
    r.shareType === 'unconditional' && !sensitiveClear && (!input.bulk || r.methods.includes('bulk'));
  const now = ctx.clock.now().toISOString();
  const today = chinaDate(now);
  const dept = await ctx.ports.regions.departmentById(departmentId);
  const regionCode = dept?.regionCode ?? r.regionCode;
  const id = newId();
  const grantId = immediate ? newId() : null;
  await inTransaction(ctx.db, async (trx) => {
    await xdb(trx)
      .insertInto('exchange_requests')
      .values({
        id,
        resource_id: r.id,
        department_id: departmentId,
        fields: JSON.stringify(fields),
        clear_fields: JSON.stringify(clearFields),
        purpose: input.purpose,
        legal_basis: input.legalBasis,
        period_from: input.period.from,
        period_to: input.period.to,
        volume: input.volume,
        rate_per_minute: input.ratePerMinute,
        bulk: input.bulk ? 1 : 0,
        status: immediate ? 'granted' : 'pending',
        reason: null,
        requested_at: now,
        requested_by: p.accountId,
        due_on: ctx.calendar.dueDate(today, ANSWER_WORKING_DAYS, r.regionCode),
        decided_at: immediate ? now : null,
        decided_by: null,
        grant_id: grantId,
        region_code: regionCode,
      })
      .execute();
    await appendEvent(trx, ctx.clock, {
      type: EXCHANGE_EVENTS.requested,
      aggregateType: 'exchangeRequest',
      aggregateId: id,
      regionCode,
      actor: p.accountId,
      payload: { resource: r.code, department: departmentId, fields },
    });
    if (grantId)
      await insertGrant(ctx, trx, grantId, id, r, departmentId, input, fields, clearFields, now, null);
  });
  if (grantId) forgetGrants(ctx);
  return getRequest(ctx, id);
}

async function insertGrant(
  ctx: ExchangeContext,
  trx: Parameters<typeof xdb>[0],
  grantId: string,
  requestId: string,
  r: Resource,
  departmentId: string,
  input: { purpose: string; period: { from: string; to: string }; ratePerMinute: number; bulk: boolean },
  fields: readonly string[],
  clearFields: readonly string[],
  now: string,
  actor: string | null,
): Promise<void> {
  await xdb(trx)
    .insertInto('exchange_grants')
    .values({
      id: grantId,
      request_id: requestId,
      resource_id: r.id,
      department_id: departmentId,
      fields: JSON.stringify(fields),
      clear_fields: JSON.stringify(clearFields),
      purpose: input.purpose,
      valid_from: input.period.from,
      valid_to: input.period.to,
      rate_per_minute: input.ratePerMinute,
      bulk: input.bulk ? 1 : 0,
      status: 'active',
      changed_at: now,
      region_code: r.regionCode,
    })
    .execute();
  await appendEvent(trx, ctx.clock, {
    type: EXCHANGE_EVENTS.granted,
    aggregateType: 'exchangeGrant',
    aggregateId: grantId,
    regionCode: r.regionCode,
    actor,
    payload: { request: requestId, resource: r.code, department: departmentId, fields, clearFields },
  });
}

export async function getRequest(ctx: ExchangeContext, id: string): Promise<ShareRequest> {
  const row = await xdb(ctx.db)
    .selectFrom('exchange_requests')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new DomainError('EXCHANGE.REQUEST_NOT_FOUND');
  const r = await resourceById(ctx.db, row.resource_id);
  return toRequest(row, r?.code ?? '');
}

/** The clock of a pending request: due date, working days left, colour. */
export function requestClock(ctx: ExchangeContext, req: ShareRequest, regionCode?: string) {
  if (req.status !== 'pending') return null;
  const today = chinaDate(ctx.clock.now().toISOString());
  const remaining = ctx.calendar.workingDaysBetween(today, req.dueOn, regionCode);
  return { due: req.dueOn, remainingWorkingDays: remaining, colour: clockColour(remaining) };
}

/** The provider answers a pending request: grant (optionally with a lower rate) or refuse with a reason. */
export async function decideRequest(
  ctx: ExchangeContext,
  p: Principal,
  requestId: string,
  raw: unknown,
): Promise<ShareRequest> {
  const d = parse(DecisionInput, raw);
  const req = await getRequest(ctx, requestId);
  const r = await resourceById(ctx.db, req.resourceId);
  if (!r || !mayProvide(p, r)) throw new DomainError('EXCHANGE.NOT_PROVIDER');
  if (req.status !== 'pending') throw new DomainError('EXCHANGE.REQUEST_DECIDED');
  if (d.decision === 'refuse' && d.reason.length < 4) throw new DomainError('EXCHANGE.REASON_REQUIRED');
  const now = ctx.clock.now().toISOString();
  await inTransaction(ctx.db, async (trx) => {
    const grantId = d.decision === 'grant' ? newId() : null;
    const n = await xdb(trx)
      .updateTable('exchange_requests')
      .set({
        status: d.decision === 'grant' ? 'granted' : 'refused',
        reason: d.decision === 'refuse' ? d.reason : null,
        decided_at: now,
        decided_by: p.accountId,
        grant_id: grantId,
      })
      .where('id', '=', requestId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(n.numUpdatedRows) !== 1) throw new DomainError('EXCHANGE.REQUEST_DECIDED');
    if (grantId)
      await insertGrant(
        ctx,
        trx,
        grantId,
        requestId,
        r,
        req.departmentId,
        {
          purpose: req.purpose,
          period: { from: req.periodFrom, to: req.periodTo },
          ratePerMinute:
            d.decision === 'grant' && d.ratePerMinute
              ? Math.min(d.ratePerMinute, req.ratePerMinute)
              : req.ratePerMinute,
          bulk: req.bulk,
        },
        req.fields,
        req.clearFields,
        now,
        p.accountId,
      );
    else
      await appendEvent(trx, ctx.clock, {
        type: EXCHANGE_EVENTS.refused,
        aggregateType: 'exchangeRequest',
        aggregateId: requestId,
        regionCode: r.regionCode,
        actor: p.accountId,
        payload: { resource: r.code, department: req.departmentId },
      });
  });
  forgetGrants(ctx);
  return getRequest(ctx, requestId);
}

export async function getGrant(ctx: ExchangeContext, id: string): Promise<Grant> {
  const row = await xdb(ctx.db)
    .selectFrom('exchange_grants')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new DomainError('EXCHANGE.GRANT_NOT_FOUND');
  return toGrant(row);
}

/**
 * Suspend, revoke or resume a grant (the provider). This node forgets the grants it kept once the
 * change commits, so it holds here from then on; every other node reads the grants again within
 * GRANT_RECHECK_MS (ADR 0029). A revoked grant stays revoked.
 */
export async function setGrantStatus(
  ctx: ExchangeContext,
  p: Principal,
  grantId: string,
  status: GrantStatus,
  reason: string,
): Promise<Grant> {
  const g = await getGrant(ctx, grantId);
  const r = await resourceById(ctx.db, g.resourceId);
  if (!r || !mayProvide(p, r)) throw new DomainError('EXCHANGE.NOT_PROVIDER');
  if (reason.trim().length < 4) throw new DomainError('EXCHANGE.REASON_REQUIRED');
  if (g.status === 'revoked') throw new DomainError('EXCHANGE.REQUEST_DECIDED');
  const now = ctx.clock.now().toISOString();
  await inTransaction(ctx.db, async (trx) => {
    await xdb(trx)
      .updateTable('exchange_grants')
      .set({ status, changed_at: now })
      .where('id', '=', grantId)
      .execute();
    await appendEvent(trx, ctx.clock, {
      type: EXCHANGE_EVENTS.grantChanged,
      aggregateType: 'exchangeGrant',
      aggregateId: grantId,
      regionCode: r.regionCode,
      actor: p.accountId,
      payload: { status, from: g.status },
    });
  });
  forgetGrants(ctx);
  return getGrant(ctx, grantId);
}

/** Requests waiting for (or answered by) a provider department, with their clocks. */
export async function requestsForProvider(
  ctx: ExchangeContext,
  departmentId: string,
): Promise<ShareRequest[]> {
  const rows = await xdb(ctx.db)
    .selectFrom('exchange_requests')
    .innerJoin('exchange_resources', 'exchange_resources.id', 'exchange_requests.resource_id')
    .selectAll('exchange_requests')
    .select('exchange_resources.code as code')
    .where('exchange_resources.provider_department_id', '=', departmentId)
    .orderBy('exchange_requests.requested_at', 'desc')
    .limit(200)
    .execute();
  return rows.map((row) => toRequest(row, row.code));
}

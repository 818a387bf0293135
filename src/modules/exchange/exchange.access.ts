import { DomainError, chinaDate, newId } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { ANSWER_WORKING_DAYS, type ExchangeContext } from './exchange.context.js';
import { EXCHANGE_EVENTS, consumerOf } from './exchange.grants.js';
import { objectionsOfSubject } from './exchange.objections.js';
import { normaliseKey, subjectHash } from './exchange.registers.js';
import { toAccess, xdb } from './exchange.store.js';
import { type AccessRecord, KEY_KIND, type RegisterName } from './exchange.types.js';

export interface MyAccessRecord extends AccessRecord {
  readonly departmentName: string | null;
  readonly objection: {
    readonly status: 'open' | 'answered';
    readonly dueOn: string;
    readonly result: 'rejected' | 'corrected' | null;
    readonly answer: string | null;
    readonly answeredAt: string | null;
    readonly corrected: readonly string[];
  } | null;
}

/** The keyed hash of the signed-in person's or organisation's own data, if identity knows it. */
async function ownHash(ctx: ExchangeContext, p: Principal): Promise<string | undefined> {
  if (p.kind !== 'person' && p.kind !== 'organization') return undefined;
  const s = await ctx.ports.identity.subjectOf(p.accountId);
  return s ? subjectHash(ctx.cipher, s.kind, s.key) : undefined;
}

/** 我的数据使用记录: every read (and refused read) of the caller's data, newest first. */
export async function myDataAccess(
  ctx: ExchangeContext,
  p: Principal,
  limit = 200,
): Promise<MyAccessRecord[]> {
  const h = await ownHash(ctx, p);
  if (!h) return [];
  const rows = await xdb(ctx.db)
    .selectFrom('exchange_access')
    .leftJoin('exchange_resources', 'exchange_resources.id', 'exchange_access.resource_id')
    .selectAll('exchange_access')
    .select('exchange_resources.name as resource_name')
    .where('exchange_access.subject_hash', '=', h)
    .orderBy('exchange_access.at', 'desc')
    .limit(limit)
    .execute();
  const byAccess = await objectionsOfSubject(ctx, h);
  const names = new Map<string, string | null>();
  const out: MyAccessRecord[] = [];
  for (const r of rows) {
    const a = toAccess(r);
    if (a.departmentId && !names.has(a.departmentId))
      names.set(a.departmentId, (await ctx.ports.regions.departmentById(a.departmentId))?.name ?? null);
    out.push({
      ...a,
      departmentName: a.departmentId ? (names.get(a.departmentId) ?? null) : null,
      objection: (() => {
        const o = byAccess.get(a.id);
        return o
          ? {
              status: o.status,
              dueOn: o.dueOn,
              result: o.result,
              answer: o.answer,
              answeredAt: o.answeredAt,
              corrected: o.corrected,
            }
          : null;
      })(),
    });
  }
  return out;
}

/**
 * The reads made for a case (its register materials fetched at submission, and any lookup that
 * named the case), oldest first, with the resource's name: what the workbench's case page shows
 * beside the materials. Granted fields by name only — never the values read.
 */
export async function caseDataAccess(ctx: ExchangeContext, caseNumber: string): Promise<AccessRecord[]> {
  const rows = await xdb(ctx.db)
    .selectFrom('exchange_access')
    .leftJoin('exchange_resources', 'exchange_resources.id', 'exchange_access.resource_id')
    .selectAll('exchange_access')
    .select('exchange_resources.name as resource_name')
    .where('exchange_access.case_number', '=', caseNumber)
    .orderBy('exchange_access.at')
    .orderBy('exchange_access.id')
    .limit(100)
    .execute();
  return rows.map(toAccess);
}

/**
 * The subject objects to a read of their data: it goes to the providing department with a
 * 10-working-day clock. Only the subject of the read may object, once per read.
 */
export async function raiseObjection(
  ctx: ExchangeContext,
  p: Principal,
  accessId: string,
  text: string,
): Promise<{ id: string; dueOn: string }> {
  const body = text.trim();
  if (body.length < 4 || body.length > 1000)
    throw new DomainError('EXCHANGE.INVALID', { details: { issues: [{ field: 'text', rule: 'length' }] } });
  const h = await ownHash(ctx, p);
  const a = await xdb(ctx.db)
    .selectFrom('exchange_access')
    .leftJoin('exchange_resources', 'exchange_resources.id', 'exchange_access.resource_id')
    .select([
      'exchange_access.id',
      'exchange_access.subject_hash',
      'exchange_resources.provider_department_id as provider',
      'exchange_resources.region_code as region',
    ])
    .where('exchange_access.id', '=', accessId)
    .executeTakeFirst();
  // someone else's read is answered as no read at all (no existence oracle)
  if (!a || !h || a.subject_hash !== h || !a.provider) throw new DomainError('EXCHANGE.ACCESS_NOT_FOUND');
  return openObjection(ctx, {
    accessId,
    subjectHash: h,
    accountId: p.accountId,
    text: body,
    provider: a.provider,
    region: a.region,
    raisedBy: 'subject',
    subjectSealed: null,
  });
}

/**
 * 校核纠错 by a consumer: the consumer department that made a read reports an error in the record
 * it got. Fails closed: only a read of the caller's own department (someone else's read answers as
 * no read at all), answered, and the caller must name the subject's key, which must be the key of
 * that read (its keyed hash); kept sealed for the provider's correction. Goes to the provider on
 * the same 10-working-day clock as a subject's objection, one report per read.
 */
export async function reportError(
  ctx: ExchangeContext,
  p: Principal,
  accessId: string,
  input: { key: string; text: string },
): Promise<{ id: string; dueOn: string }> {
  const body = input.text.trim();
  if (body.length < 4 || body.length > 1000)
    throw new DomainError('EXCHANGE.INVALID', { details: { issues: [{ field: 'text', rule: 'length' }] } });
  const consumer = await consumerOf(ctx, p.clientId);
  if (!consumer) throw new DomainError('EXCHANGE.NOT_CONSUMER');
  const a = await xdb(ctx.db)
    .selectFrom('exchange_access')
    .leftJoin('exchange_resources', 'exchange_resources.id', 'exchange_access.resource_id')
    .select([
      'exchange_access.id',
      'exchange_access.subject_hash',
      'exchange_access.department_id',
      'exchange_access.outcome',
      'exchange_resources.provider_department_id as provider',
      'exchange_resources.region_code as region',
      'exchange_resources.register as register',
    ])
    .where('exchange_access.id', '=', accessId)
    .executeTakeFirst();
  const kind = a?.register ? KEY_KIND[a.register as RegisterName] : undefined;
  if (
    !a ||
    a.department_id !== consumer.departmentId ||
    a.outcome !== 'ok' ||
    !a.provider ||
    !kind ||
    !a.subject_hash ||
    subjectHash(ctx.cipher, kind, input.key) !== a.subject_hash
  )
    throw new DomainError('EXCHANGE.ACCESS_NOT_FOUND');
  return openObjection(ctx, {
    accessId,
    subjectHash: a.subject_hash,
    accountId: `client:${consumer.clientId}`,
    text: body,
    provider: a.provider,
    region: a.region,
    raisedBy: 'consumer',
    subjectSealed: ctx.cipher.encrypt(normaliseKey(input.key)),
  });
}

/**
 * Opens a 校核纠错 case on one read, on the 10-working-day clock, one per read (a second answers
 * EXCHANGE.REQUEST_DECIDED); the subject's objection and the consumer's error report both come here.
 */
async function openObjection(
  ctx: ExchangeContext,
  o: {
    accessId: string;
    subjectHash: string;
    accountId: string;
    text: string;
    provider: string;
    region: string | null;
    raisedBy: 'subject' | 'consumer';
    subjectSealed: string | null;
  },
): Promise<{ id: string; dueOn: string }> {
  const now = ctx.clock.now().toISOString();
  const dueOn = ctx.calendar.dueDate(chinaDate(now), ANSWER_WORKING_DAYS, o.region ?? undefined);
  const id = newId();
  await inTransaction(ctx.db, async (trx) => {
    const existing = await xdb(trx)
      .selectFrom('exchange_objections')
      .select('id')
      .where('access_id', '=', o.accessId)
      .executeTakeFirst();
    if (existing) throw new DomainError('EXCHANGE.REQUEST_DECIDED');
    await xdb(trx)
      .insertInto('exchange_objections')
      .values({
        id,
        access_id: o.accessId,
        subject_hash: o.subjectHash,
        account_id: o.accountId,
        text: o.text,
        provider_department_id: o.provider,
        status: 'open',
        raised_at: now,
        due_on: dueOn,
        answered_at: null,
        answer: null,
        region_code: o.region ?? '',
        result: null,
        answered_by: null,
        corrected: null,
        raised_by: o.raisedBy,
        subject_sealed: o.subjectSealed,
      })
      .execute();
    await appendEvent(trx, ctx.clock, {
      type: EXCHANGE_EVENTS.objectionRaised,
      aggregateType: 'exchangeObjection',
      aggregateId: id,
      regionCode: o.region ?? null,
      actor: o.accountId,
      payload:
        o.raisedBy === 'consumer'
          ? { access: o.accessId, provider: o.provider, raisedBy: 'consumer' }
          : { access: o.accessId, provider: o.provider },
    });
  });
  return { id, dueOn };
}

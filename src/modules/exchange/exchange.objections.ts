import { z } from 'zod';
import { DomainError, chinaDate, newId } from '../../kernel/index.js';
import { type Principal, allows } from '../../platform/access.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvent, appendEvents } from '../../platform/events/index.js';
import { type ExchangeContext, clockColour, parse } from './exchange.context.js';
import { EXCHANGE_EVENTS, consumerOf } from './exchange.grants.js';
import { noticeEventsFor } from './exchange.notices.js';
import { normaliseKey } from './exchange.registers.js';
import { resourceById, xdb } from './exchange.store.js';
import type { RegisterName } from './exchange.types.js';

/**
 * 校核纠错 on a read: the subject's objection goes to the providing department, which answers
 * within its clock (10 working days, yellow/red like cases) either by rejecting it with a reason or
 * by confirming it and correcting the register. A correction is versioned (the old and new values
 * sealed in exchange_corrections) and its event names the consumer departments that read the
 * subject's old record, so they can be told; the subject sees the result on /account/data-access.
 */

/** Register fields a correction may change: the record's name → its column (sealed or not). */
const CORRECTABLE: Readonly<
  Record<RegisterName, Readonly<Record<string, { column: string; sealed?: true; integer?: true }>>>
> = {
  population: {
    name: { column: 'name' },
    gender: { column: 'gender' },
    birthDate: { column: 'birth_date' },
    address: { column: 'address_sealed', sealed: true },
    householdType: { column: 'household_type' },
    relationToHead: { column: 'relation_to_head' },
    maritalStatus: { column: 'marital_status' },
    deathDate: { column: 'death_date' },
  },
  legalPersons: {
    name: { column: 'name' },
    type: { column: 'type' },
    legalRepresentative: { column: 'legal_rep_name' },
    address: { column: 'address' },
    status: { column: 'status' },
  },
  socialInsurance: {
    name: { column: 'name' },
    insuranceTypes: { column: 'insurance_types' },
    employer: { column: 'employer' },
    status: { column: 'status' },
    firstInsuredOn: { column: 'first_insured_on' },
    monthsPaid: { column: 'months_paid', integer: true },
  },
  // the e-licence directory is corrected in the licences module (a new version of the licence)
  licences: {},
};

const TABLE: Readonly<
  Record<
    Exclude<RegisterName, 'licences'>,
    'exchange_population' | 'exchange_legal_persons' | 'exchange_social_insurance'
  >
> = {
  population: 'exchange_population',
  legalPersons: 'exchange_legal_persons',
  socialInsurance: 'exchange_social_insurance',
};

export const ObjectionAnswer = z.discriminatedUnion('result', [
  z.object({ result: z.literal('rejected'), answer: z.string().trim().min(4).max(1000) }),
  z.object({
    result: z.literal('corrected'),
    answer: z.string().trim().min(4).max(1000),
    corrections: z
      .array(z.object({ field: z.string().min(1).max(40), value: z.string().trim().min(1).max(200) }))
      .min(1)
      .max(10),
  }),
]);
export type ObjectionAnswer = z.input<typeof ObjectionAnswer>;

export interface ObjectionView {
  readonly id: string;
  readonly accessId: string;
  readonly resourceCode: string | null;
  readonly resourceName: string | null;
  readonly text: string;
  readonly status: 'open' | 'answered';
  /** `subject`: the person or organisation read; `consumer`: the department that read it */
  readonly raisedBy: 'subject' | 'consumer';
  readonly result: 'rejected' | 'corrected' | null;
  readonly answer: string | null;
  readonly raisedAt: string;
  readonly dueOn: string;
  readonly answeredAt: string | null;
  readonly corrected: readonly string[];
  /** open ones: working days left and the colour, as the cases' clocks */
  readonly clock: { remainingWorkingDays: number; colour: 'green' | 'yellow' | 'red' } | null;
}

type Row = {
  id: string;
  access_id: string;
  text: string;
  status: string;
  result: string | null;
  answer: string | null;
  raised_at: string;
  due_on: string;
  answered_at: string | null;
  corrected: string | null;
  raised_by: string;
  region_code: string;
  resource_code: string | null;
  resource_name: string | null;
};

const baseQuery = (db: Executor) =>
  xdb(db)
    .selectFrom('exchange_objections')
    .leftJoin('exchange_access', 'exchange_access.id', 'exchange_objections.access_id')
    .leftJoin('exchange_resources', 'exchange_resources.id', 'exchange_access.resource_id')
    .select([
      'exchange_objections.id',
      'exchange_objections.access_id',
      'exchange_objections.text',
      'exchange_objections.status',
      'exchange_objections.result',
      'exchange_objections.answer',
      'exchange_objections.raised_at',
      'exchange_objections.due_on',
      'exchange_objections.answered_at',
      'exchange_objections.corrected',
      'exchange_objections.raised_by',
      'exchange_objections.region_code',
      'exchange_resources.code as resource_code',
      'exchange_resources.name as resource_name',
    ]);

export function objectionView(ctx: ExchangeContext, r: Row): ObjectionView {
  const open = r.status === 'open';
  const remaining = open
    ? ctx.calendar.workingDaysBetween(
        chinaDate(ctx.clock.now().toISOString()),
        r.due_on,
        r.region_code || undefined,
      )
    : 0;
  return {
    id: r.id,
    accessId: r.access_id,
    resourceCode: r.resource_code,
    resourceName: r.resource_name,
    text: r.text,
    status: open ? 'open' : 'answered',
    raisedBy: r.raised_by === 'consumer' ? 'consumer' : 'subject',
    result: (r.result as ObjectionView['result']) ?? null,
    answer: r.answer,
    raisedAt: r.raised_at,
    dueOn: r.due_on,
    answeredAt: r.answered_at,
    corrected: r.corrected ? (JSON.parse(r.corrected) as string[]) : [],
    clock: open ? { remainingWorkingDays: remaining, colour: clockColour(remaining) } : null,
  };
}

/** The objections to a department's resources, open ones first (oldest due first). */
export async function objectionsForProvider(
  ctx: ExchangeContext,
  p: Principal,
  departmentId: string,
): Promise<ObjectionView[]> {
  const dept = await ctx.ports.regions.departmentById(departmentId);
  if (!dept || !allows(p, 'exchange.manage', { regionCode: dept.regionCode, departmentId }))
    throw new DomainError('EXCHANGE.NOT_PROVIDER');
  const rows = await baseQuery(ctx.db)
    .where('exchange_objections.provider_department_id', '=', departmentId)
    .orderBy('exchange_objections.status', 'desc')
    .orderBy('exchange_objections.due_on')
    .limit(500)
    .execute();
  return rows.map((r) => objectionView(ctx, r as Row));
}

/** The objections a subject raised, by access id (for 我的数据使用记录). */
export async function objectionsOfSubject(
  ctx: ExchangeContext,
  subjectHash: string,
): Promise<Map<string, ObjectionView>> {
  const rows = await baseQuery(ctx.db).where('exchange_objections.subject_hash', '=', subjectHash).execute();
  return new Map(rows.map((r) => [r.access_id, objectionView(ctx, r as Row)]));
}

/**
 * The providing department answers an objection. Fails closed: only a principal managing the
 * objection's providing department (exchange.manage in its scope), checked before the answer is
 * looked at; an answered objection cannot be answered again. A correction names fields of the
 * resource the read was of, each one a register field that may be corrected.
 */
export async function answerObjection(
  ctx: ExchangeContext,
  p: Principal,
  objectionId: string,
  raw: unknown,
): Promise<ObjectionView> {
  const o = await xdb(ctx.db)
    .selectFrom('exchange_objections')
    .selectAll()
    .where('id', '=', objectionId)
    .executeTakeFirst();
  if (!o) throw new DomainError('EXCHANGE.OBJECTION_NOT_FOUND');
  if (
    !allows(p, 'exchange.manage', {
      regionCode: o.region_code || undefined,
      departmentId: o.provider_department_id,
    })
  )
    throw new DomainError('EXCHANGE.NOT_PROVIDER');
  const input = parse(ObjectionAnswer, raw);
  if (o.status !== 'open') throw new DomainError('EXCHANGE.OBJECTION_ANSWERED');
  const access = await xdb(ctx.db)
    .selectFrom('exchange_access')
    .select(['resource_id'])
    .where('id', '=', o.access_id)
    .executeTakeFirst();
  const resource = access?.resource_id ? await resourceById(ctx.db, access.resource_id) : undefined;
  if (!resource) throw new DomainError('EXCHANGE.RESOURCE_UNKNOWN');
  const now = ctx.clock.now().toISOString();
  const corrections = input.result === 'corrected' ? input.corrections : [];
  const allowed = CORRECTABLE[resource.register];
  const itemNames = new Set(resource.items.map((i) => i.name));
  const bad = corrections.filter((c) => !allowed[c.field] || !itemNames.has(c.field));
  if (bad.length)
    throw new DomainError('EXCHANGE.INVALID', {
      details: { issues: bad.map((c) => ({ field: `corrections.${c.field}`, rule: 'not_correctable' })) },
    });
  for (const c of corrections)
    if (allowed[c.field]?.integer && !/^\d{1,9}$/.test(c.value))
      throw new DomainError('EXCHANGE.INVALID', {
        details: { issues: [{ field: `corrections.${c.field}`, rule: 'integer' }] },
      });
  // the register row: by the subject's keyed hash, or by the organisation's credit code
  let where: { column: string; value: string } = { column: 'id_hash', value: o.subject_hash };
  if (resource.register === 'legalPersons' && corrections.length) {
    // a consumer's report carries the key sealed; a subject's objection is the organisation's own
    const key = o.subject_sealed
      ? ctx.cipher.decrypt(o.subject_sealed)
      : await ctx.ports.identity
          .subjectOf(o.account_id)
          .then((s) => (s?.kind === 'creditCode' ? s.key : undefined));
    if (!key) throw new DomainError('EXCHANGE.SUBJECT_NOT_FOUND');
    where = { column: 'credit_code', value: normaliseKey(key) };
  }
  const table = resource.register === 'licences' ? undefined : TABLE[resource.register];
  await inTransaction(ctx.db, async (trx) => {
    const n = await xdb(trx)
      .updateTable('exchange_objections')
      .set({
        status: 'answered',
        result: input.result,
        answer: input.answer,
        answered_at: now,
        answered_by: p.accountId,
        corrected: JSON.stringify(corrections.map((c) => c.field)),
      })
      .where('id', '=', o.id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(n.numUpdatedRows) !== 1) throw new DomainError('EXCHANGE.OBJECTION_ANSWERED');
    let readers: string[] = [];
    let notices: Awaited<ReturnType<typeof noticeEventsFor>> = [];
    if (corrections.length && table) {
      // biome-ignore lint/suspicious/noExplicitAny: one of three register tables, columns from CORRECTABLE
      const reg = xdb(trx) as any;
      const row = (await reg
        .selectFrom(table)
        .selectAll()
        .where(where.column, '=', where.value)
        .executeTakeFirst()) as Record<string, unknown> | undefined;
      if (!row) throw new DomainError('EXCHANGE.SUBJECT_NOT_FOUND');
      const set: Record<string, unknown> = { updated_at: now };
      for (const c of corrections) {
        const col = allowed[c.field]!;
        const old = row[col.column];
        const oldClear =
          old === null || old === undefined ? '' : col.sealed ? ctx.cipher.decrypt(String(old)) : String(old);
        set[col.column] = col.sealed ? ctx.cipher.encrypt(c.value) : col.integer ? Number(c.value) : c.value;
        await xdb(trx)
          .insertInto('exchange_corrections')
          .values({
            id: newId(),
            objection_id: o.id,
            resource_id: resource.id,
            register: resource.register,
            subject_hash: o.subject_hash,
            field: c.field,
            old_sealed: ctx.cipher.encrypt(oldClear),
            new_sealed: ctx.cipher.encrypt(c.value),
            corrected_at: now,
            corrected_by: p.accountId,
            region_code: o.region_code,
          })
          .execute();
      }
      await reg.updateTable(table).set(set).where(where.column, '=', where.value).execute();
      // the consumer departments whose reads answered a corrected field's old value (from any
      // resource of the register): one notice event each, delivered by the exchange.notices consumer
      notices = await noticeEventsFor(trx, {
        objectionId: o.id,
        subjectHash: o.subject_hash,
        register: resource.register,
        resourceCode: resource.code,
        providerDepartmentId: o.provider_department_id,
        fields: corrections.map((c) => c.field),
        at: now,
        regionCode: o.region_code || null,
      });
      readers = notices.map((n) => n.payload.department);
    }
    await appendEvent(trx, ctx.clock, {
      type: corrections.length ? EXCHANGE_EVENTS.corrected : EXCHANGE_EVENTS.objectionAnswered,
      aggregateType: 'exchangeObjection',
      aggregateId: o.id,
      regionCode: o.region_code || null,
      actor: p.accountId,
      payload: {
        access: o.access_id,
        resource: resource.code,
        result: input.result,
        fields: corrections.map((c) => c.field),
        // who read the old values: each told through its own notice event (below)
        notify: readers,
      },
    });
    if (notices.length)
      await appendEvents(
        trx,
        ctx.clock,
        notices.map((n) => ({ ...n, actor: p.accountId })),
      );
  });
  const row = await baseQuery(ctx.db).where('exchange_objections.id', '=', o.id).executeTakeFirstOrThrow();
  return objectionView(ctx, row as Row);
}

export interface CorrectionNotice {
  readonly correctedAt: string;
  readonly resource: string | null;
  readonly field: string;
  /** the caller's department's reads that answered the old value */
  readonly accessIds: readonly string[];
}

/**
 * 校核纠错's notice to consumers: the corrections made to records the caller's department read
 * before they were corrected, newest first, each with the reads that answered the old value (no
 * values: the consumer reads the record again through its grant). Only a consumer system, only
 * its own department's reads.
 */
export async function correctionsForConsumer(
  ctx: ExchangeContext,
  p: Principal,
  since: string | undefined,
): Promise<CorrectionNotice[]> {
  const consumer = await consumerOf(ctx, p.clientId);
  if (!consumer) throw new DomainError('EXCHANGE.NOT_CONSUMER');
  let q = xdb(ctx.db)
    .selectFrom('exchange_corrections')
    .innerJoin('exchange_access', (j) =>
      j
        .onRef('exchange_access.subject_hash', '=', 'exchange_corrections.subject_hash')
        .onRef('exchange_access.at', '<=', 'exchange_corrections.corrected_at'),
    )
    .innerJoin('exchange_resources', 'exchange_resources.id', 'exchange_access.resource_id')
    .select([
      'exchange_corrections.id',
      'exchange_corrections.corrected_at',
      'exchange_corrections.field',
      'exchange_access.id as access_id',
      'exchange_access.resource_code',
    ])
    .where('exchange_access.department_id', '=', consumer.departmentId)
    .where('exchange_access.outcome', '=', 'ok')
    .whereRef('exchange_resources.register', '=', 'exchange_corrections.register');
  if (since) q = q.where('exchange_corrections.corrected_at', '>=', since);
  const rows = await q.orderBy('exchange_corrections.corrected_at', 'desc').limit(5000).execute();
  const by = new Map<
    string,
    { correctedAt: string; resource: string | null; field: string; accessIds: string[] }
  >();
  for (const r of rows) {
    const n = by.get(r.id) ?? {
      correctedAt: r.corrected_at,
      resource: r.resource_code,
      field: r.field,
      accessIds: [],
    };
    n.accessIds.push(r.access_id);
    by.set(r.id, n);
  }
  return [...by.values()];
}

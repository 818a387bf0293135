import { createHash } from 'node:crypto';
import { DomainError, chinaDate, newId } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { isValidCreditCode, isValidIdNumber } from '../../platform/codes/index.js';
import type { z } from 'zod';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvents } from '../../platform/events/index.js';
import { type ExchangeContext, parse } from './exchange.context.js';
import { EXCHANGE_EVENTS, consumerOf } from './exchange.grants.js';
import { project, projectionFor } from './exchange.mask.js';
import { normaliseKey, readRecord, subjectHash } from './exchange.registers.js';
import { countLookup, grantsOf, grantsOfKept, insertAccess, resourceByCodeCached } from './exchange.store.js';
import { csvLine } from '../../platform/csv.js';
import {
  BulkInput,
  type Grant,
  KEY_KIND,
  LookupInput,
  type RegisterRecord,
  type Resource,
} from './exchange.types.js';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export interface LookupResult {
  readonly record: Record<string, string | number | boolean | null>;
  readonly accessId: string;
}

/** The grant that answers, or the refusal's code: active and within its period first. */
export function chooseGrant(
  grants: readonly Grant[],
  today: string,
): { grant: Grant } | { refusal: 'EXCHANGE.NO_GRANT' | 'EXCHANGE.GRANT_EXPIRED' | 'EXCHANGE.GRANT_REVOKED' } {
  const active = grants.filter((g) => g.status === 'active');
  const current = active.find((g) => g.validFrom <= today && today <= g.validTo);
  if (current) return { grant: current };
  if (active.length) return { refusal: 'EXCHANGE.GRANT_EXPIRED' };
  if (grants.length) return { refusal: 'EXCHANGE.GRANT_REVOKED' };
  return { refusal: 'EXCHANGE.NO_GRANT' };
}

/** chinaDate of the last minute asked (a lookup asks once per call; the day changes once a day) */
let lastDay = { minute: '', day: '' };
function chinaDay(now: string): string {
  const minute = now.slice(0, 16);
  if (lastDay.minute !== minute) lastDay = { minute, day: chinaDate(now) };
  return lastDay.day;
}

interface Attempt {
  clientId: string | null;
  departmentId: string | null;
  resource: Resource | undefined;
  resourceCode: string;
  subjectHash: string | null;
  fields: readonly string[];
  purpose: string;
  caseNumber: string | null;
  grant: Grant | undefined;
  /** the refusal decided before any write */
  refusal?: string;
}

/**
 * One lookup (`POST /api/v1/exchange/lookup`). Every attempt past input validation, answered or
 * refused, writes an access record and its outbox event (ids, codes and hashes only) in one
 * transaction that commits before the answer or the refusal leaves: no answer without its
 * record. The record holds the subject's keyed hash, never the key.
 */
export async function lookup(
  ctx: ExchangeContext,
  p: Principal,
  raw: unknown,
  opts: { groupCommits?: boolean } = {},
): Promise<LookupResult> {
  const input = parseLookup(raw);
  const consumer = await consumerOf(ctx, p.clientId);
  return lookupAs(
    ctx,
    ctx.db,
    { clientId: p.clientId ?? null, departmentId: consumer?.departmentId ?? null },
    input,
    opts.groupCommits === false ? direct(ctx, ctx.db) : grouped(ctx),
  );
}

/**
 * LookupInput, its common case checked by hand (a lookup by resource, key and purpose, perhaps a
 * case number): the same rules and the same result as the schema, without its per-call work;
 * anything else (field lists, anything malformed) goes through the schema, which gives the
 * coded EXCHANGE.INVALID with the fields at fault.
 */
export function parseLookup(raw: unknown): z.output<typeof LookupInput> {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const { resource, key, purpose, caseNumber, fields } = raw as Record<string, unknown>;
    if (
      fields === undefined &&
      typeof resource === 'string' &&
      resource.length >= 1 &&
      resource.length <= 40 &&
      typeof key === 'string' &&
      typeof purpose === 'string' &&
      (caseNumber === undefined || typeof caseNumber === 'string')
    ) {
      const k = key.trim();
      const p = purpose.trim();
      const c = caseNumber?.trim();
      if (
        k.length >= 1 &&
        k.length <= 40 &&
        p.length >= 2 &&
        p.length <= 300 &&
        (c === undefined || (c.length >= 1 && c.length <= 64))
      ) {
        // the schema's output exactly: a key given as undefined stays, as undefined
        const out: z.output<typeof LookupInput> = { resource, key: k, purpose: p };
        if ('caseNumber' in raw) out.caseNumber = c;
        if ('fields' in raw) out.fields = undefined;
        return out;
      }
    }
  }
  return parse(LookupInput, raw);
}

/** The rate check a lookup that passed every other check still needs, decided at commit time. */
interface RateCheck {
  readonly grantId: string;
  readonly limit: number;
  /** the grant's current minute, `YYYY-MM-DDTHH:mm` (UTC) */
  readonly window: string;
  /** whether the register holds the subject (decided before the write, answered after the count) */
  readonly found: boolean;
}

/** Writes an attempt's access record (and its rate count) and answers its outcome and id. */
type Settle = (a: Attempt, now: string, rate?: RateCheck) => Promise<Settled>;
interface Settled {
  readonly outcome: string;
  readonly id: string;
}
interface Unit {
  readonly a: Attempt;
  readonly now: string;
  readonly rate: RateCheck | undefined;
}

/** One transaction per lookup (or the caller's). */
const direct =
  (ctx: ExchangeContext, db: Executor): Settle =>
  async (a, now, rate) =>
    (await inTransaction(db, (trx) => settleAll(ctx, trx, [{ a, now, rate }])))[0]!;

interface Pending extends Unit {
  resolve: (s: Settled) => void;
  reject: (e: unknown) => void;
}
const queues = new WeakMap<object, { items: Pending[]; running: boolean }>();

/**
 * Group commit: the lookups that arrive while a commit is under way wait and are committed together
 * in the next transaction, each answered only after that commit (no answer without its durable
 * record). One fsync then serves many lookups instead of one, and the batch's rows go in as a few
 * multi-row statements (one rate upsert per grant and minute, one insert of the events, one of the
 * access records) instead of three statements per lookup. Per node and per store.
 */
function grouped(ctx: ExchangeContext): Settle {
  let q = queues.get(ctx.db);
  if (!q) {
    q = { items: [], running: false };
    queues.set(ctx.db, q);
  }
  const queue = q;
  const flush = async () => {
    while (queue.items.length) {
      const items = queue.items.splice(0, 500);
      try {
        const out = await inTransaction(ctx.db, (trx) => settleAll(ctx, trx, items));
        for (const [i, it] of items.entries()) it.resolve(out[i]!);
      } catch (e) {
        for (const it of items) it.reject(e);
      }
    }
    queue.running = false;
  };
  return (a, now, rate) =>
    new Promise<Settled>((resolve, reject) => {
      queue.items.push({ a, now, rate, resolve, reject });
      if (!queue.running) {
        queue.running = true;
        setImmediate(() => void flush());
      }
    });
}

/**
 * The outcomes of a batch of attempts and their access records, in the caller's transaction: each
 * grant's minute counted once for the batch (the n-th lookup of the batch on a grant gets the n-th
 * count, so the limit holds as if they had been counted one by one), then the events and the access
 * records inserted together.
 */
async function settleAll(ctx: ExchangeContext, trx: Executor, units: readonly Unit[]): Promise<Settled[]> {
  const counts = new Map<string, { grantId: string; window: string; k: number; n: number }>();
  for (const u of units) {
    if (!u.rate) continue;
    const key = `${u.rate.grantId}\u0000${u.rate.window}`;
    const c = counts.get(key) ?? { grantId: u.rate.grantId, window: u.rate.window, k: 0, n: 0 };
    c.k++;
    counts.set(key, c);
  }
  for (const c of counts.values()) c.n = (await countLookup(trx, c.grantId, c.window, c.k)) - c.k;
  const outcomes = units.map((u) => {
    if (!u.rate) return u.a.refusal ?? 'ok';
    const c = counts.get(`${u.rate.grantId}\u0000${u.rate.window}`)!;
    c.n++;
    return c.n > u.rate.limit ? 'EXCHANGE.RATE_EXCEEDED' : u.rate.found ? 'ok' : 'EXCHANGE.SUBJECT_NOT_FOUND';
  });
  const ids = units.map(() => newId());
  const eventIds = await appendEvents(
    trx,
    ctx.clock,
    units.map((u, i) => ({
      type: outcomes[i] === 'ok' ? EXCHANGE_EVENTS.accessed : EXCHANGE_EVENTS.accessDenied,
      aggregateType: 'exchangeAccess',
      aggregateId: ids[i]!,
      regionCode: u.a.resource?.regionCode || null,
      actor: u.a.clientId ? `client:${u.a.clientId}` : null,
      payload: {
        resource: u.a.resource?.code ?? sha256(u.a.resourceCode),
        department: u.a.departmentId,
        subjectHash: u.a.subjectHash,
        fields: u.a.fields,
        purposeSha256: sha256(u.a.purpose),
        caseSha256: u.a.caseNumber ? sha256(u.a.caseNumber) : null,
        grant: u.a.grant?.id ?? null,
        outcome: outcomes[i],
      },
    })),
  );
  const rows = units.map((u, i) => ({
    id: ids[i]!,
    at: u.now,
    client_id: u.a.clientId,
    department_id: u.a.departmentId,
    resource_code: u.a.resource?.code ?? u.a.resourceCode.slice(0, 40),
    resource_id: u.a.resource?.id ?? null,
    subject_hash: u.a.subjectHash,
    fields: JSON.stringify(u.a.fields),
    purpose: u.a.purpose,
    case_number: u.a.caseNumber,
    outcome: outcomes[i]!,
    grant_id: u.a.grant?.id ?? null,
    event_id: eventIds[i]!,
    region_code: u.a.resource?.regionCode ?? '',
  }));
  await insertAccess(trx, rows);
  return units.map((_, i) => ({ outcome: outcomes[i]!, id: ids[i]! }));
}

/**
 * A lookup by a department itself (not one of its client systems): cases fetch a material from
 * a register at submission through the deciding department's grant, inside the case's own
 * transaction, so the access record commits with the case (or not at all).
 */
export async function lookupForDepartment(
  ctx: ExchangeContext,
  within: Executor,
  departmentId: string,
  raw: unknown,
): Promise<LookupResult> {
  return lookupAs(ctx, within, { clientId: null, departmentId }, parseLookup(raw), direct(ctx, within));
}

async function lookupAs(
  ctx: ExchangeContext,
  db: Executor,
  who: { clientId: string | null; departmentId: string | null },
  input: z.output<typeof LookupInput>,
  settle: Settle,
): Promise<LookupResult> {
  const at = ctx.clock.now();
  const now = at.toISOString();
  const today = chinaDay(now);
  const resource = await resourceByCodeCached(db, input.resource);
  const kind = resource ? KEY_KIND[resource.register] : undefined;
  const key = normaliseKey(input.key);
  const attempt: Attempt = {
    clientId: who.clientId,
    departmentId: who.departmentId,
    resource,
    resourceCode: input.resource,
    subjectHash: kind ? subjectHash(ctx.cipher, kind, key) : null,
    fields: input.fields ?? [],
    purpose: input.purpose,
    caseNumber: input.caseNumber ?? null,
    grant: undefined,
  };
  const refuse = async (code: string): Promise<never> => {
    attempt.refusal = code;
    await settle(attempt, now);
    throw new DomainError(code);
  };
  if (!who.departmentId) return refuse('EXCHANGE.NOT_CONSUMER');
  if (!resource || !kind) return refuse('EXCHANGE.RESOURCE_UNKNOWN');
  if (resource.shareType === 'none') return refuse('EXCHANGE.NOT_SHARED');
  if (!(kind === 'idNumber' ? isValidIdNumber(key, { today }) : isValidCreditCode(key)))
    return refuse('EXCHANGE.KEY_INVALID');
  const chosen = chooseGrant(await grantsOfKept(ctx, db, who.departmentId, resource.id, at.getTime()), today);
  if ('refusal' in chosen) return refuse(chosen.refusal);
  const grant = chosen.grant;
  attempt.grant = grant;
  const fields = input.fields ?? grant.fields;
  attempt.fields = fields;
  if (fields.some((f) => !grant.fields.includes(f))) return refuse('EXCHANGE.FIELD_NOT_GRANTED');
  const found = await readRecord(db, ctx.cipher, resource.register, key, {
    hash: attempt.subjectHash ?? undefined,
    fields,
    licences: ctx.ports.licences,
  });
  const done = await settle(attempt, now, {
    grantId: grant.id,
    limit: grant.ratePerMinute,
    window: now.slice(0, 16),
    found: found !== undefined,
  });
  if (done.outcome !== 'ok' || !found) throw new DomainError(done.outcome);
  return { record: projectionFor(resource.items, grant, input.fields)(found), accessId: done.id };
}

/** A bulk file (批量文件) for a grant: one line per key asked, in the order asked. */
export interface BulkExport {
  readonly resource: string;
  readonly fields: readonly string[];
  readonly rows: ReadonlyArray<{
    readonly row: number;
    readonly accessId: string;
    /** `ok`, `EXCHANGE.SUBJECT_NOT_FOUND` or `EXCHANGE.KEY_INVALID` */
    readonly outcome: string;
    readonly record: Record<string, string | number | boolean | null> | null;
  }>;
}

/** Keys per bulk file: larger lists are split by the consumer. */
export const BULK_MAX_KEYS = 10_000;

/**
 * The bulk-file share method (批量): a consumer whose grant allows bulk files (and whose resource
 * offers them) sends a list of keys and gets one file with a line per key — only the granted
 * fields, masked as a lookup masks them. Every line is an access record of its subject (so each
 * person sees the read), all committed in one transaction before the file leaves; a refused file
 * records a refused read for every key asked. Bulk files are not counted against the grant's
 * per-minute rate; a file holds at most BULK_MAX_KEYS keys.
 */
export async function exportBulk(ctx: ExchangeContext, p: Principal, raw: unknown): Promise<BulkExport> {
  const input = parse(BulkInput, raw);
  const consumer = await consumerOf(ctx, p.clientId);
  const now = ctx.clock.now().toISOString();
  const today = chinaDay(now);
  const resource = await resourceByCodeCached(ctx.db, input.resource);
  const kind = resource ? KEY_KIND[resource.register] : undefined;
  const keys = input.keys.map(normaliseKey);
  const attempts: Attempt[] = keys.map((key) => ({
    clientId: p.clientId ?? null,
    departmentId: consumer?.departmentId ?? null,
    resource,
    resourceCode: input.resource,
    subjectHash: kind ? subjectHash(ctx.cipher, kind, key) : null,
    fields: input.fields ?? [],
    purpose: input.purpose,
    caseNumber: input.caseNumber ?? null,
    grant: undefined,
  }));
  const refuseAll = async (code: string): Promise<never> => {
    for (const a of attempts) a.refusal = code;
    await inTransaction(ctx.db, (trx) =>
      settleAll(
        ctx,
        trx,
        attempts.map((a) => ({ a, now, rate: undefined })),
      ),
    );
    throw new DomainError(code);
  };
  if (!consumer) return refuseAll('EXCHANGE.NOT_CONSUMER');
  if (!resource || !kind) return refuseAll('EXCHANGE.RESOURCE_UNKNOWN');
  if (resource.shareType === 'none') return refuseAll('EXCHANGE.NOT_SHARED');
  if (!resource.methods.includes('bulk')) return refuseAll('EXCHANGE.BULK_NOT_GRANTED');
  const chosen = chooseGrant(await grantsOf(ctx.db, consumer.departmentId, resource.id), today);
  if ('refusal' in chosen) return refuseAll(chosen.refusal);
  const grant = chosen.grant;
  const fields = input.fields ?? grant.fields;
  for (const a of attempts) {
    a.grant = grant;
    a.fields = fields;
  }
  if (!grant.bulk) return refuseAll('EXCHANGE.BULK_NOT_GRANTED');
  if (fields.some((f) => !grant.fields.includes(f))) return refuseAll('EXCHANGE.FIELD_NOT_GRANTED');
  const records: Array<RegisterRecord | undefined> = [];
  for (const [i, key] of keys.entries()) {
    const valid = kind === 'idNumber' ? isValidIdNumber(key, { today }) : isValidCreditCode(key);
    const found = valid
      ? await readRecord(ctx.db, ctx.cipher, resource.register, key, {
          hash: attempts[i]!.subjectHash ?? undefined,
          fields,
          licences: ctx.ports.licences,
        })
      : undefined;
    records.push(found);
    attempts[i]!.refusal = !valid ? 'EXCHANGE.KEY_INVALID' : found ? undefined : 'EXCHANGE.SUBJECT_NOT_FOUND';
  }
  const settled = await inTransaction(ctx.db, (trx) =>
    settleAll(
      ctx,
      trx,
      attempts.map((a) => ({ a, now, rate: undefined })),
    ),
  );
  return {
    resource: resource.code,
    fields,
    rows: settled.map((s, i) => ({
      row: i + 1,
      accessId: s.id,
      outcome: s.outcome,
      record:
        s.outcome === 'ok' && records[i]
          ? project(resource.items, records[i]!, fields, grant.clearFields)
          : null,
    })),
  };
}

/** The bulk file as CSV: row, accessId, outcome, then the fields (masked cells, formula-neutralised). */
export function bulkCsv(x: BulkExport): string {
  const lines = [csvLine(['row', 'accessId', 'outcome', ...x.fields])];
  for (const r of x.rows)
    lines.push(
      csvLine([
        String(r.row),
        r.accessId,
        r.outcome,
        ...x.fields.map((f) =>
          r.record && r.record[f] !== null && r.record[f] !== undefined ? String(r.record[f]) : '',
        ),
      ]),
    );
  return `${lines.join('\r\n')}\r\n`;
}

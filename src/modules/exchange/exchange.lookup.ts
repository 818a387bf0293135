import { createHash } from 'node:crypto';
import { DomainError, chinaDate, newId } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { isValidCreditCode, isValidIdNumber } from '../../platform/codes/index.js';
import type { z } from 'zod';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { type ExchangeContext, parse } from './exchange.context.js';
import { EXCHANGE_EVENTS, consumerOf } from './exchange.grants.js';
import { project } from './exchange.mask.js';
import { normaliseKey, readRecord, subjectHash } from './exchange.registers.js';
import { countLookup, grantsOf, resourceByCode, xdb } from './exchange.store.js';
import { type Grant, KEY_KIND, LookupInput, type Resource } from './exchange.types.js';

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
  const input = parse(LookupInput, raw);
  const consumer = await consumerOf(ctx, p.clientId);
  return lookupAs(
    ctx,
    ctx.db,
    { clientId: p.clientId ?? null, departmentId: consumer?.departmentId ?? null },
    input,
    opts.groupCommits === false ? direct(ctx, ctx.db) : grouped(ctx),
  );
}

/** Writes an attempt's access record (and whatever `decide` writes first) and answers its outcome and id. */
type Settle = (a: Attempt, now: string, decide?: (trx: Executor) => Promise<string>) => Promise<Settled>;
interface Settled {
  readonly outcome: string;
  readonly id: string;
}

/** One transaction per lookup (or the caller's). */
const direct =
  (ctx: ExchangeContext, db: Executor): Settle =>
  (a, now, decide) =>
    inTransaction(db, async (trx) => {
      const outcome = decide ? await decide(trx) : (a.refusal ?? 'ok');
      return { outcome, id: await record(ctx, trx, a, outcome, now) };
    });

interface Pending {
  a: Attempt;
  now: string;
  decide: ((trx: Executor) => Promise<string>) | undefined;
  resolve: (s: Settled) => void;
  reject: (e: unknown) => void;
}
const queues = new WeakMap<object, { items: Pending[]; running: boolean }>();

/**
 * Group commit: the lookups that arrive while a commit is under way wait and are committed together
 * in the next transaction, each answered only after that commit (no answer without its durable
 * record). One fsync then serves many lookups instead of one. Per node and per store.
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
        const out = await inTransaction(ctx.db, async (trx) => {
          const settled: Settled[] = [];
          for (const it of items) {
            const outcome = it.decide ? await it.decide(trx) : (it.a.refusal ?? 'ok');
            settled.push({ outcome, id: await record(ctx, trx, it.a, outcome, it.now) });
          }
          return settled;
        });
        for (const [i, it] of items.entries()) it.resolve(out[i]!);
      } catch (e) {
        for (const it of items) it.reject(e);
      }
    }
    queue.running = false;
  };
  return (a, now, decide) =>
    new Promise<Settled>((resolve, reject) => {
      queue.items.push({ a, now, decide, resolve, reject });
      if (!queue.running) {
        queue.running = true;
        setImmediate(() => void flush());
      }
    });
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
  return lookupAs(
    ctx,
    within,
    { clientId: null, departmentId },
    parse(LookupInput, raw),
    direct(ctx, within),
  );
}

async function lookupAs(
  ctx: ExchangeContext,
  db: Executor,
  who: { clientId: string | null; departmentId: string | null },
  input: z.output<typeof LookupInput>,
  settle: Settle,
): Promise<LookupResult> {
  const now = ctx.clock.now().toISOString();
  const today = chinaDate(now);
  const resource = await resourceByCode(db, input.resource);
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
  if (!(kind === 'idNumber' ? isValidIdNumber(key) : isValidCreditCode(key)))
    return refuse('EXCHANGE.KEY_INVALID');
  const chosen = chooseGrant(await grantsOf(db, who.departmentId, resource.id), today);
  if ('refusal' in chosen) return refuse(chosen.refusal);
  const grant = chosen.grant;
  attempt.grant = grant;
  const fields = input.fields ?? grant.fields;
  attempt.fields = fields;
  if (fields.some((f) => !grant.fields.includes(f))) return refuse('EXCHANGE.FIELD_NOT_GRANTED');
  const found = await readRecord(db, ctx.cipher, resource.register, key);
  const done = await settle(attempt, now, async (trx) => {
    const n = await countLookup(trx, grant.id, now.slice(0, 16));
    return n > grant.ratePerMinute ? 'EXCHANGE.RATE_EXCEEDED' : found ? 'ok' : 'EXCHANGE.SUBJECT_NOT_FOUND';
  });
  if (done.outcome !== 'ok' || !found) throw new DomainError(done.outcome);
  return { record: project(resource.items, found, fields, grant.clearFields), accessId: done.id };
}

/** The access record and its event, in the caller's transaction (or one of its own). */
async function record(
  ctx: ExchangeContext,
  db: Executor,
  a: Attempt,
  outcome: string,
  now: string,
): Promise<string> {
  const id = newId();
  const regionCode = a.resource?.regionCode ?? '';
  return inTransaction(db, async (trx) => {
    const eventId = await appendEvent(trx, ctx.clock, {
      type: outcome === 'ok' ? EXCHANGE_EVENTS.accessed : EXCHANGE_EVENTS.accessDenied,
      aggregateType: 'exchangeAccess',
      aggregateId: id,
      regionCode: regionCode || null,
      actor: a.clientId ? `client:${a.clientId}` : null,
      payload: {
        resource: a.resource?.code ?? sha256(a.resourceCode),
        department: a.departmentId,
        subjectHash: a.subjectHash,
        fields: a.fields,
        purposeSha256: sha256(a.purpose),
        caseSha256: a.caseNumber ? sha256(a.caseNumber) : null,
        grant: a.grant?.id ?? null,
        outcome,
      },
    });
    await xdb(trx)
      .insertInto('exchange_access')
      .values({
        id,
        at: now,
        client_id: a.clientId,
        department_id: a.departmentId,
        resource_code: a.resource?.code ?? a.resourceCode.slice(0, 40),
        resource_id: a.resource?.id ?? null,
        subject_hash: a.subjectHash,
        fields: JSON.stringify(a.fields),
        purpose: a.purpose,
        case_number: a.caseNumber,
        outcome,
        grant_id: a.grant?.id ?? null,
        event_id: eventId,
        region_code: regionCode,
      })
      .execute();
    return id;
  });
}

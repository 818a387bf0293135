/**
 * Idempotent submissions and actions. A client may send a `requestId` with each; the first answer
 * is kept under (account, requestId) in the same transaction as what it answers, so a retry of
 * the same request — a flaky mobile network, a second click, a browser re-posting a form — gets
 * that answer again instead of a second case or `CASES.TRANSITION_NOT_ALLOWED`. The same id with a
 * different request is refused (`CASES.REQUEST_ID_REUSED`, 422, as the IETF Idempotency-Key draft
 * answers a reused key), never silently answered with another request's result.
 */
import { createHash } from 'node:crypto';
import { DomainError, isDomainError } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import type { Executor } from '../../platform/db/index.js';
import * as st from './cases.store.js';

/** What was asked: a submission, a bundle submission, an action, or a draft submitted from the pages. */
export type RequestKind = 'submit' | 'bundle' | 'act' | 'draft';

/** A request that carries an id: its key and the fingerprint of what it asks. */
export interface KeyedRequest {
  readonly requestId: string;
  readonly kind: RequestKind;
  /** SHA-256 of the request's kind, target and body, keys sorted */
  readonly fingerprint: string;
}

const sorted = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(sorted);
  if (Buffer.isBuffer(v)) return createHash('sha256').update(v).digest('hex');
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
    );
  return v;
};

/**
 * The keyed request, or undefined without an id. `body` is everything that makes the request
 * what it is (the case it acts on, the parsed input without the id, the files' contents).
 */
export function keyed(
  requestId: string | undefined,
  kind: RequestKind,
  body: unknown,
): KeyedRequest | undefined {
  if (requestId === undefined) return undefined;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(sorted({ kind, body })))
    .digest('hex');
  return { requestId, kind, fingerprint };
}

function answerOf<T>(row: st.RequestRow, req: KeyedRequest): T | undefined {
  if (row.fingerprint !== req.fingerprint || row.kind !== req.kind)
    throw new DomainError('CASES.REQUEST_ID_REUSED');
  // reserved by a transaction that has not committed its answer yet (a caller's own transaction)
  return row.answer === null ? undefined : (JSON.parse(row.answer) as T);
}

/** The answer this principal already had for this request, before anything is checked again. */
export async function earlierAnswer<T>(
  ex: Executor,
  p: Principal,
  req: KeyedRequest | undefined,
): Promise<T | undefined> {
  if (!req) return undefined;
  const row = await st.requestOf(ex, p.accountId, req.requestId);
  return row ? answerOf<T>(row, req) : undefined;
}

/**
 * Runs a keyed request once. A retry of one already answered gets that answer before anything is
 * checked again; a duplicate racing the first — refused on what the first changed (the case moved
 * on, the draft is gone) — gets the first's answer instead of its own refusal.
 */
export async function once<T>(
  ex: Executor,
  p: Principal,
  req: KeyedRequest | undefined,
  run: () => Promise<T>,
): Promise<T> {
  if (!req) return run();
  const earlier = await earlierAnswer<T>(ex, p, req);
  if (earlier !== undefined) return earlier;
  try {
    return await run();
  } catch (e) {
    // inside a caller's transaction a failed statement may have ended it: the error stands
    if (ex.isTransaction || !isDomainError(e)) throw e;
    const first = await earlierAnswer<T>(ex, p, req);
    if (first !== undefined) return first;
    throw e;
  }
}

/**
 * First thing in the writing transaction: takes the id for this request. When another
 * transaction took it first (a concurrent duplicate), this waits for it (PostgreSQL holds the
 * key until that transaction ends) and returns its answer, and nothing is written twice.
 */
export async function reserve<T>(
  trx: Executor,
  p: Principal,
  req: KeyedRequest | undefined,
  regionCode: string,
  now: string,
): Promise<T | undefined> {
  if (!req) return undefined;
  const taken = await st.reserveRequest(trx, {
    account_id: p.accountId,
    request_id: req.requestId,
    kind: req.kind,
    fingerprint: req.fingerprint,
    answer: null,
    region_code: regionCode,
    created_at: now,
  });
  if (taken) return undefined;
  const row = await st.requestOf(trx, p.accountId, req.requestId);
  const answer = row ? answerOf<T>(row, req) : undefined;
  if (answer === undefined) throw new DomainError('CASES.CONCURRENT_CHANGE');
  return answer;
}

/** Last thing in the writing transaction: the answer the request gets now and on every retry. */
export async function recordAnswer(
  trx: Executor,
  p: Principal,
  req: KeyedRequest | undefined,
  answer: unknown,
): Promise<void> {
  if (req) await st.answerRequest(trx, p.accountId, req.requestId, JSON.stringify(answer));
}

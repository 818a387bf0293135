import { DomainError, newId } from '../../kernel/index.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { type IdentityContext, POLICY, isoIn, randomToken, sha256 } from './identity.context.js';
import { burnPasswordTime, hashPassword, verifyPassword } from './identity.password.js';
import {
  type AccountRow,
  type ThrottleRule,
  accountById,
  accountByLogin,
  forgetAttempts,
  forgetAttemptsOf,
  insertSession,
  recordFailure,
  releaseAttempt,
  reserveAttempt,
  sessionById,
  setPasswordHash,
  throttleRow,
} from './identity.store.js';
import { type NewToken, issueToken, requireActive } from './identity.tokens.js';
import { normaliseLogin } from './identity.types.js';

// ── throttling (OWASP ASVS 4.0.3 V2.2.1) ──────────────────────────────────────────────────────

/**
 * The three counters a password attempt passes, most specific first. The name is as typed, so an
 * unknown name is throttled exactly like a known one and the answers reveal no account.
 *  - the name at this address: a stranger's wrong guesses make only the stranger wait, with a
 *    back-off (1, 2, 4 … 30 minutes), so no one can lock a citizen out from elsewhere;
 *  - the address, whatever the name: one machine trying many accounts;
 *  - the name from anywhere: a hard lock, only for a clear attack — more wrong passwords in an hour
 *    than one person types (ASVS: no more than 100 an hour), which takes many addresses.
 */
function throttleRules(login: string, address: string): readonly ThrottleRule[] {
  return [
    {
      key: `pair:${login}|${address}`,
      free: POLICY.signinFreeFailures,
      windowMs: POLICY.signinWindowMs,
      waitsMs: POLICY.signinWaitsMs,
    },
    {
      key: `address:${address}`,
      free: POLICY.addressFailures,
      windowMs: POLICY.addressWindowMs,
      waitsMs: [POLICY.addressLockMs],
    },
    {
      key: `account:${login}`,
      free: POLICY.accountFailures,
      windowMs: POLICY.accountWindowMs,
      waitsMs: [POLICY.accountLockMs],
    },
  ];
}

/** Each counter's answer while it is waiting, in the order of throttleRules. */
const WAITING = [
  'IDENTITY.SIGNIN_THROTTLED',
  'IDENTITY.ADDRESS_THROTTLED',
  'IDENTITY.ACCOUNT_LOCKED',
] as const;
/** How long to come back after when a counter is full of attempts still being checked. */
const BUSY_RETRY_SECONDS = 5;

/** A refusal inside the reservation's transaction, which rolls the others back. */
class Refused extends Error {
  constructor(readonly index: number) {
    super('refused');
  }
}

/**
 * Reserves the attempt on every counter before any password is checked, each in one statement
 * that counts and answers (reserveAttempt), all in one transaction: if one counter refuses, none
 * keeps the attempt, and the caller learns how long to wait — the rest of the wait, or a few
 * seconds when the counter is only full of attempts still being checked.
 */
async function reserve(ctx: IdentityContext, rules: readonly ThrottleRule[]): Promise<void> {
  const nowMs = ctx.clock.now().getTime();
  try {
    await inTransaction(ctx.db, async (trx) => {
      for (const [i, rule] of rules.entries())
        if (!(await reserveAttempt(trx, rule, nowMs))) throw new Refused(i);
    });
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    const row = await throttleRow(ctx.db, rules[e.index]!.key);
    const until = row?.locked_until ? Date.parse(row.locked_until) : 0;
    if (until <= nowMs)
      throw new DomainError('IDENTITY.SIGNIN_BUSY', { details: { retryAfterSeconds: BUSY_RETRY_SECONDS } });
    throw new DomainError(WAITING[e.index]!, {
      params: { minutes: Math.ceil((until - nowMs) / 60_000) },
      details: { retryAfterSeconds: Math.ceil((until - nowMs) / 1000) },
    });
  }
}

/** A wrong password: a failure on every counter, which may start (or lengthen) a wait. */
async function settleFailure(ctx: IdentityContext, rules: readonly ThrottleRule[]): Promise<void> {
  const nowMs = ctx.clock.now().getTime();
  await inTransaction(ctx.db, async (trx) => {
    for (const rule of rules) await recordFailure(trx, rule, nowMs);
  });
}

/**
 * The right password: its name at this address starts afresh (unless other attempts are still
 * being checked there), and the attempt is given back on the other counters, so a success is no
 * failure and forgives no one else's.
 */
async function settleSuccess(trx: Executor, rules: readonly ThrottleRule[]): Promise<void> {
  const [pair, ...others] = rules;
  if (!(await forgetAttempts(trx, pair!.key))) await releaseAttempt(trx, pair!.key);
  for (const r of others) await releaseAttempt(trx, r.key);
}

// ── sign-in ───────────────────────────────────────────────────────────────────────────────────

/**
 * Signs in with a password and opens a session or an API token. The attempt is reserved on the
 * throttle counters before the (slow, scrypt) check, so a thousand guesses sent at once get no
 * more checks than a thousand sent one by one; afterwards a wrong password becomes a failure on
 * each counter, and a right one gives its reservation back in the same transaction that opens the
 * session or token (one commit: sign-in is hot). A right password is compared with the account
 * read again after the check: one changed while this check ran does not sign in.
 */
export async function signInWithPassword(
  ctx: IdentityContext,
  loginRaw: string,
  password: string,
  address: string,
  opens: 'session' | 'token',
): Promise<SignedIn> {
  const { db } = ctx;
  const login = normaliseLogin(loginRaw).slice(0, 100);
  const rules = throttleRules(login, address);
  await reserve(ctx, rules);

  let current: AccountRow | undefined;
  let rehash = false;
  try {
    const a = await accountByLogin(db, login);
    if (a) {
      const v = await verifyPassword(password, a.password_hash);
      rehash = v.ok && v.needsRehash;
      if (v.ok) current = await accountById(db, a.id);
      if (current?.password_hash !== a.password_hash) current = undefined;
    } else {
      await burnPasswordTime(password);
    }
  } catch (e) {
    // a fault before the answer counts as a failure: the attempt was made
    await settleFailure(ctx, rules);
    throw e;
  }
  if (!current) {
    await settleFailure(ctx, rules);
    throw new DomainError('IDENTITY.INVALID_CREDENTIALS');
  }
  const account = current;
  const opened = await inTransaction(db, async (trx) => {
    await settleSuccess(trx, rules);
    if (account.status !== 'active') return undefined;
    return opens === 'session'
      ? { session: await createSession(ctx, account.id, trx) }
      : { token: await issueToken(ctx, 'api', { accountId: account.id }, POLICY.apiTokenMs, trx) };
  });
  if (!opened) throw new DomainError('IDENTITY.ACCOUNT_DISABLED');
  if (rehash) await setPasswordHash(db, account.id, await hashPassword(password));
  return { account, ...opened };
}

/** A new password ends every wait of the account's name (docs/identity.md, Throttling). */
export async function forgetSignInFailures(db: Executor, login: string): Promise<void> {
  await forgetAttemptsOf(db, `account:${login}`, `pair:${login}|`);
}

// ── sessions ──────────────────────────────────────────────────────────────────────────────────

export interface NewSession {
  /** the cookie's value, returned once */
  readonly cookie: string;
  readonly sessionId: string;
  readonly expiresAt: string;
}

/** What a password sign-in opened: a session (pages) or a bearer token (the API). */
export interface SignedIn {
  readonly account: AccountRow;
  readonly session?: NewSession;
  readonly token?: NewToken;
}

/**
 * A new session: the cookie value is returned once; the store keeps only its hash. Every way of
 * signing in ends here (password, registration, federation), so a disabled account is refused
 * here once for all of them (`within`: the caller's transaction).
 */
export async function createSession(
  ctx: IdentityContext,
  accountId: string,
  within?: Executor,
): Promise<NewSession> {
  await requireActive(ctx, accountId, within);
  const cookie = randomToken('');
  const sessionId = newId();
  const at = isoIn(ctx);
  const expiresAt = isoIn(ctx, POLICY.sessionAbsoluteMs);
  await insertSession(within ?? ctx.db, {
    id: sessionId,
    token_hash: sha256(cookie),
    account_id: accountId,
    created_at: at,
    expires_at: expiresAt,
    last_seen_at: at,
  });
  return { cookie, sessionId, expiresAt };
}

/**
 * When the person behind a session gave their password: the session's start, since a session is
 * opened only by a sign-in (OpenID Connect's auth_time; max_age is measured from it).
 */
export async function sessionSignedInAt(ctx: IdentityContext, sessionId: string): Promise<Date | undefined> {
  const s = await sessionById(ctx.db, sessionId);
  return s ? new Date(s.created_at) : undefined;
}

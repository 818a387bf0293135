import { DomainError, newId } from '../../kernel/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { type IdentityContext, POLICY, isoIn, randomToken, sha256 } from './identity.context.js';
import { burnPasswordTime, hashPassword, verifyPassword } from './identity.password.js';
import {
  type AccountRow,
  accountById,
  accountByLogin,
  deleteSession,
  deleteSessionsOf,
  deleteThrottle,
  insertSession,
  insertThrottle,
  revokeTokensOf,
  setPasswordHash,
  throttleRow,
  updateThrottle,
} from './identity.store.js';
import { normaliseLogin } from './identity.types.js';

// ── throttling ────────────────────────────────────────────────────────────────────────────────

async function throttleState(
  ctx: IdentityContext,
  key: string,
): Promise<{ lockedMs: number; exists: boolean }> {
  const row = await throttleRow(ctx.db, key);
  const until = row?.locked_until ? new Date(row.locked_until).getTime() : 0;
  return { lockedMs: Math.max(0, until - ctx.clock.now().getTime()), exists: row !== undefined };
}

/** Counts a failure; returns true when this failure locks the key. */
async function recordFailure(
  ctx: IdentityContext,
  key: string,
  limit: number,
  windowMs: number,
  lockMs: number,
): Promise<boolean> {
  return inTransaction(ctx.db, async (trx) => {
    const t = ctx.clock.now().getTime();
    const row = await throttleRow(trx, key);
    const fresh = !row || t - new Date(row.window_start).getTime() > windowMs;
    const failures = fresh ? 1 : row.failures + 1;
    const lock = failures >= limit ? new Date(t + lockMs).toISOString() : null;
    const values = {
      failures: lock ? 0 : failures,
      window_start: fresh ? new Date(t).toISOString() : row.window_start,
      locked_until: lock,
    };
    if (row) await updateThrottle(trx, key, values);
    else await insertThrottle(trx, { key, ...values });
    return lock !== null;
  });
}

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

// ── sign-in ───────────────────────────────────────────────────────────────────────────────────

/**
 * Checks a password, with throttling per account name and per network address. The account key
 * is the name as typed, so unknown names are throttled exactly like known ones and the answers
 * do not reveal which accounts exist.
 */
export async function authenticatePassword(
  ctx: IdentityContext,
  loginRaw: string,
  password: string,
  address: string,
): Promise<AccountRow> {
  const { db } = ctx;
  const login = normaliseLogin(loginRaw);
  const acctKey = `account:${login}`;
  const addrKey = `address:${address}`;
  const addr = await throttleState(ctx, addrKey);
  if (addr.lockedMs > 0)
    throw new DomainError('IDENTITY.ADDRESS_THROTTLED', { params: { minutes: minutes(addr.lockedMs) } });
  const acct = await throttleState(ctx, acctKey);
  if (acct.lockedMs > 0)
    throw new DomainError('IDENTITY.ACCOUNT_LOCKED', { params: { minutes: minutes(acct.lockedMs) } });

  const a = await accountByLogin(db, login);
  let ok = false;
  if (a) {
    const v = await verifyPassword(password, a.password_hash);
    ok = v.ok;
    if (v.ok && v.needsRehash) await setPasswordHash(db, a.id, await hashPassword(password));
  } else {
    await burnPasswordTime(password);
  }
  if (!ok || !a) {
    const lockedAcct = await recordFailure(
      ctx,
      acctKey,
      POLICY.accountFailures,
      POLICY.accountWindowMs,
      POLICY.accountLockMs,
    );
    const lockedAddr = await recordFailure(
      ctx,
      addrKey,
      POLICY.addressFailures,
      POLICY.addressWindowMs,
      POLICY.addressLockMs,
    );
    if (lockedAcct)
      throw new DomainError('IDENTITY.ACCOUNT_LOCKED', {
        params: { minutes: minutes(POLICY.accountLockMs) },
      });
    if (lockedAddr)
      throw new DomainError('IDENTITY.ADDRESS_THROTTLED', {
        params: { minutes: minutes(POLICY.addressLockMs) },
      });
    throw new DomainError('IDENTITY.INVALID_CREDENTIALS');
  }
  if (a.status !== 'active') throw new DomainError('IDENTITY.ACCOUNT_DISABLED');
  // a success clears the account's failures (no write when there were none: sign-in is hot)
  if (acct.exists) await deleteThrottle(db, acctKey);
  return a;
}

// ── sessions ──────────────────────────────────────────────────────────────────────────────────

/** Refuses an account that is not active (disabled by an administrator) with ACCOUNT_DISABLED. */
export async function requireActive(ctx: IdentityContext, accountId: string): Promise<void> {
  const a = await accountById(ctx.db, accountId);
  if (a?.status !== 'active') throw new DomainError('IDENTITY.ACCOUNT_DISABLED');
}

/**
 * A new session: the cookie value is returned once; the store keeps only its hash. Every way of
 * signing in ends here (password, registration, federation), so a disabled account is refused
 * here once for all of them.
 */
export async function createSession(
  ctx: IdentityContext,
  accountId: string,
): Promise<{ cookie: string; sessionId: string; expiresAt: string }> {
  await requireActive(ctx, accountId);
  const cookie = randomToken('');
  const sessionId = newId();
  const at = isoIn(ctx);
  const expiresAt = isoIn(ctx, POLICY.sessionAbsoluteMs);
  await insertSession(ctx.db, {
    id: sessionId,
    token_hash: sha256(cookie),
    account_id: accountId,
    created_at: at,
    expires_at: expiresAt,
    last_seen_at: at,
  });
  return { cookie, sessionId, expiresAt };
}

export async function endSession(ctx: IdentityContext, sessionId: string): Promise<void> {
  await deleteSession(ctx.db, sessionId);
}

/** 退出所有设备: every session and every personal token of the account ends. */
export async function endAllSessions(ctx: IdentityContext, accountId: string): Promise<number> {
  return inTransaction(ctx.db, async (trx) => {
    const ended = await deleteSessionsOf(trx, accountId);
    await revokeTokensOf(trx, accountId, isoIn(ctx));
    await appendEvent(trx, ctx.clock, {
      type: 'identity.sessionsEnded',
      aggregateType: 'account',
      aggregateId: accountId,
      actor: accountId,
      payload: {},
    });
    return ended;
  });
}

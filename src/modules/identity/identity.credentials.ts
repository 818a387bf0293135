import { DomainError } from '../../kernel/index.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { type IdentityContext, isoIn } from './identity.context.js';
import { hashPassword, passwordWeakness, verifyPassword } from './identity.password.js';
import { type AccountRow, accountById, setPasswordHash, spendResetToken } from './identity.store.js';
import { forgetSignInFailures } from './identity.signin.js';
import { endEverything } from './identity.signout.js';
import { liveResetToken } from './identity.tokens.js';

/** A signed-in person changes their password: the current one first, then a strong new one. */
export async function changePassword(
  ctx: IdentityContext,
  accountId: string,
  current: string,
  next: string,
  keepSessionId?: string,
): Promise<void> {
  const a = await accountById(ctx.db, accountId);
  if (!a) throw new DomainError('IDENTITY.NOT_FOUND');
  if (!(await verifyPassword(current, a.password_hash)).ok)
    throw new DomainError('IDENTITY.WRONG_PASSWORD', {
      details: { issues: [{ field: 'currentPassword', rule: 'IDENTITY.WRONG_PASSWORD' }] },
    });
  await setPassword(ctx, a, await newPasswordHash(ctx, a, next), 'identity.passwordChanged', {
    keepSessionId,
  });
}

/** A new password through a single-use reset link; of two uses of one link only the first counts. */
export async function resetPassword(ctx: IdentityContext, token: string, next: string): Promise<void> {
  const row = await liveResetToken(ctx, token);
  if (!row) throw new DomainError('IDENTITY.RESET_TOKEN_INVALID');
  const a = await accountById(ctx.db, row.account_id);
  // a disabled account's links are spent when it is disabled; this also holds for one in flight
  if (a?.status !== 'active') throw new DomainError('IDENTITY.RESET_TOKEN_INVALID');
  const hash = await newPasswordHash(ctx, a, next);
  await inTransaction(ctx.db, async (trx) => {
    // single use: of two requests with the same token only the first marks it used
    if (!(await spendResetToken(trx, row.token_hash, isoIn(ctx))))
      throw new DomainError('IDENTITY.RESET_TOKEN_INVALID');
    await setPassword(ctx, a, hash, 'identity.passwordReset', { within: trx });
  });
}

/** Refuses a weak new password, else hashes it (slow on purpose: outside any transaction). */
async function newPasswordHash(ctx: IdentityContext, a: AccountRow, next: string): Promise<string> {
  const idNumber = a.id_number_enc ? ctx.cipher.decrypt(a.id_number_enc) : undefined;
  const weak = passwordWeakness(next, { login: a.login, idNumber });
  if (weak)
    throw new DomainError('IDENTITY.WEAK_PASSWORD', {
      details: { issues: [{ field: 'newPassword', rule: `IDENTITY.PASSWORD_${weak.toUpperCase()}` }] },
    });
  return hashPassword(next);
}

/**
 * Stores a new password hash (from newPasswordHash) and ends everything signed in with the old
 * one but the session changing it (endEverything); in the caller's transaction when given
 * (`within`).
 */
async function setPassword(
  ctx: IdentityContext,
  a: AccountRow,
  hash: string,
  eventType: string,
  opts: { keepSessionId?: string; within?: Executor } = {},
): Promise<void> {
  await inTransaction(opts.within ?? ctx.db, async (trx) => {
    await setPasswordHash(trx, a.id, hash, isoIn(ctx));
    // whoever knew the old password is signed out everywhere, relying parties included
    await endEverything(ctx, trx, a.id, opts.keepSessionId);
    await forgetSignInFailures(trx, a.login);
    await appendEvent(trx, ctx.clock, {
      type: eventType,
      aggregateType: 'account',
      aggregateId: a.id,
      actor: a.id,
      payload: {},
    });
  });
}

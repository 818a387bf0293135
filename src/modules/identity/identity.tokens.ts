import { DomainError, newId } from '../../kernel/index.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { type IdentityContext, POLICY, isoIn, randomToken, sha256 } from './identity.context.js';
import {
  type ResetTokenRow,
  accountById,
  accountByLogin,
  insertResetToken,
  insertToken,
  resetTokenByHash,
} from './identity.store.js';
import { normaliseMobile } from './identity.types.js';

/**
 * Refuses an account that is not active (disabled by an administrator) with ACCOUNT_DISABLED:
 * nothing that signs in — a session (identity.signin.ts) or a token — is opened for it.
 */
export async function requireActive(
  ctx: IdentityContext,
  accountId: string,
  within?: Executor,
): Promise<void> {
  const a = await accountById(within ?? ctx.db, accountId);
  if (a?.status !== 'active') throw new DomainError('IDENTITY.ACCOUNT_DISABLED');
}

// ── bearer tokens ─────────────────────────────────────────────────────────────────────────────

export interface NewToken {
  readonly token: string;
  readonly expiresAt: string;
}

/**
 * An opaque bearer token `tbt_…`: returned once, stored only as its hash (`within`: the caller's
 * transaction). Never for a disabled account (the JSON sign-in, the CLI and any later path all
 * come here).
 */
export async function issueToken(
  ctx: IdentityContext,
  kind: 'cli' | 'api' | 'client',
  owner: { accountId?: string; clientId?: string },
  ttlMs: number,
  within?: Executor,
): Promise<NewToken> {
  if (owner.accountId) await requireActive(ctx, owner.accountId, within);
  const token = randomToken('tbt_');
  const expiresAt = isoIn(ctx, ttlMs);
  await insertToken(within ?? ctx.db, {
    id: newId(),
    token_hash: sha256(token),
    kind,
    account_id: owner.accountId ?? null,
    client_id: owner.clientId ?? null,
    created_at: isoIn(ctx),
    expires_at: expiresAt,
    revoked_at: null,
  });
  return { token, expiresAt };
}

/** `tongban token --user <login>` */
export async function tokenForLogin(ctx: IdentityContext, login: string, ttlMs: number = POLICY.cliTokenMs) {
  const a = await accountByLogin(ctx.db, login);
  if (!a) throw new DomainError('IDENTITY.NOT_FOUND');
  return issueToken(ctx, 'cli', { accountId: a.id }, ttlMs);
}

// ── password reset links ──────────────────────────────────────────────────────────────────────

/**
 * 找回密码: sends a single-use link to the account's mobile. The answer is the same whether or
 * not the account exists or the mobile matches, so it reveals nothing.
 */
export async function requestPasswordReset(
  ctx: IdentityContext,
  loginRaw: string,
  mobileRaw: string,
): Promise<void> {
  const a = await accountByLogin(ctx.db, loginRaw);
  const mobile = normaliseMobile(mobileRaw);
  if (!a?.mobile_hash || a.mobile_hash !== ctx.cipher.lookupHash('mobile', mobile)) return;
  // a disabled account gets no link, and the answer stays the same: nothing is told
  if (a.status !== 'active') return;
  const token = randomToken('');
  await inTransaction(ctx.db, async (trx) => {
    await insertResetToken(trx, {
      token_hash: sha256(token),
      account_id: a.id,
      created_at: isoIn(ctx),
      expires_at: isoIn(ctx, POLICY.resetTokenMs),
      used_at: null,
    });
    await ctx.notifier.send(trx, {
      channel: 'sms',
      to: mobile,
      subject: 'password-reset',
      body: `【通办】您正在重设密码，30 分钟内有效：${ctx.config.publicUrl}/password/reset?token=${token} 如非本人操作请忽略。`,
    });
  });
}

/** The reset link's row while it is unused and unexpired. */
export async function liveResetToken(
  ctx: IdentityContext,
  token: string,
): Promise<ResetTokenRow | undefined> {
  const row = await resetTokenByHash(ctx.db, sha256(token));
  if (!row || row.used_at || new Date(row.expires_at).getTime() <= ctx.clock.now().getTime())
    return undefined;
  return row;
}

export async function resetTokenValid(ctx: IdentityContext, token: string): Promise<boolean> {
  return (await liveResetToken(ctx, token)) !== undefined;
}

import { inTransaction, type Executor } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { type IdentityContext, isoIn } from './identity.context.js';
import {
  deleteOidcObject,
  deleteOidcOf,
  deleteSession,
  deleteSessionsOf,
  oidcPayload,
  revokeOidcGrant,
  revokeTokensOf,
} from './identity.store.js';

/** The OpenID provider's name for its browser session in identity_oidc_store. */
const PROVIDER_SESSION = 'Session';

/** What the provider keeps of one browser session (oidc-provider 9's Session payload). */
interface ProviderSession {
  accountId?: string;
  authorizations?: Record<string, { grantId?: string; persistsLogout?: boolean }>;
}

/** Signing out on this browser: its session here ends. */
export async function endSession(ctx: IdentityContext, sessionId: string): Promise<void> {
  await deleteSession(ctx.db, sessionId);
}

/**
 * Signing out on this browser ends the OpenID provider's session of it too (by the id in the
 * provider's session cookie), as the provider's own end_session does: the grants given in that
 * session end with it, except those that asked to outlive it (offline_access, OpenID Connect Core
 * §11); otherwise the next person at this browser would be signed in at every relying party.
 */
export async function endProviderSession(ctx: IdentityContext, providerSessionId: string): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    const s = (await oidcPayload(trx, PROVIDER_SESSION, providerSessionId)) as ProviderSession | undefined;
    if (!s) return;
    for (const a of Object.values(s.authorizations ?? {}))
      if (a.grantId && !a.persistsLogout) await revokeOidcGrant(trx, a.grantId);
    await deleteOidcObject(trx, PROVIDER_SESSION, providerSessionId);
  });
}

/** The account the provider's session of a browser is signed in as, if any. */
export async function providerSessionAccount(
  ctx: IdentityContext,
  providerSessionId: string,
): Promise<string | undefined> {
  const s = (await oidcPayload(ctx.db, PROVIDER_SESSION, providerSessionId)) as ProviderSession | undefined;
  return typeof s?.accountId === 'string' ? s.accountId : undefined;
}

/**
 * Everything an account is signed in with ends, in the caller's transaction: its sessions here
 * (but `keepSessionId`, the one changing the password), its bearer tokens, and all the OpenID
 * provider keeps for it — browser sessions, grants, codes, access and refresh tokens — so whoever
 * held any of them must give the password again (OWASP ASVS 4.0.3 V3.3.3, V3.3.4).
 */
export async function endEverything(
  ctx: IdentityContext,
  trx: Executor,
  accountId: string,
  keepSessionId?: string,
): Promise<{ sessionsEnded: number; tokensRevoked: number; oidcRevoked: number }> {
  const sessionsEnded = await deleteSessionsOf(trx, accountId, keepSessionId);
  const tokensRevoked = await revokeTokensOf(trx, accountId, isoIn(ctx));
  const oidcRevoked = await deleteOidcOf(trx, accountId);
  return { sessionsEnded, tokensRevoked, oidcRevoked };
}

/** 退出所有设备: everything the account is signed in with ends (endEverything). */
export async function endAllSessions(ctx: IdentityContext, accountId: string): Promise<number> {
  return inTransaction(ctx.db, async (trx) => {
    const { sessionsEnded: ended } = await endEverything(ctx, trx, accountId);
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

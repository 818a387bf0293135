import { randomBytes } from 'node:crypto';
import { DomainError } from '../../kernel/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { checkReason } from './identity.admin.js';
import { type IdentityContext, isoIn, sha256 } from './identity.context.js';
import { forgetClientTokens } from './identity.principal.js';
import { clientById, revokeClientRow, revokeTokensOfClient, setClientSecret } from './identity.store.js';

/**
 * Cutting a machine client off (issue 12; `tongban exchange consumer revoke|rotate`): the client
 * row and every token it holds change in one transaction with one event (ids, counts and the
 * reason's SHA-256, never the reason). Once that commits this node forgets the client tokens it
 * keeps, so they are refused here on the next request; other nodes read a kept token again within
 * CLIENT_TOKEN_RECHECK_MS (ADR 0029), and a revoked client's token is refused there by its row.
 */
export interface ClientRevoked {
  readonly client_id: string;
  readonly revokedAt: string;
  readonly tokensRevoked: number;
}

export async function revokeClient(
  ctx: IdentityContext,
  clientId: string,
  reason: unknown,
  opts: { actor?: string | null; regionCode?: string | null } = {},
): Promise<ClientRevoked> {
  const why = checkReason(reason);
  const at = isoIn(ctx);
  const actor = opts.actor ?? null;
  const r = await inTransaction(ctx.db, async (trx) => {
    const c = await clientById(trx, clientId);
    if (!c) throw new DomainError('IDENTITY.CLIENT_NOT_FOUND');
    if (c.revoked_at || !(await revokeClientRow(trx, clientId, at, actor, why)))
      throw new DomainError('IDENTITY.CLIENT_REVOKED');
    const tokensRevoked = await revokeTokensOfClient(trx, clientId, at);
    await appendEvent(trx, ctx.clock, {
      type: 'identity.clientRevoked',
      aggregateType: 'client',
      aggregateId: clientId,
      regionCode: opts.regionCode ?? null,
      actor,
      payload: { tokensRevoked, reasonSha256: sha256(why) },
    });
    return { client_id: clientId, revokedAt: at, tokensRevoked };
  });
  forgetClientTokens(ctx);
  return r;
}

/** A new secret for a client in force; the old secret and every token it took are refused. */
export async function rotateClientSecret(
  ctx: IdentityContext,
  clientId: string,
  opts: { actor?: string | null; regionCode?: string | null } = {},
): Promise<{ client_id: string; client_secret: string; tokensRevoked: number }> {
  const secret = randomBytes(32).toString('base64url');
  const actor = opts.actor ?? null;
  const r = await inTransaction(ctx.db, async (trx) => {
    const c = await clientById(trx, clientId);
    if (!c) throw new DomainError('IDENTITY.CLIENT_NOT_FOUND');
    if (!(await setClientSecret(trx, clientId, sha256(secret), ctx.cipher.encrypt(secret))))
      throw new DomainError('IDENTITY.CLIENT_REVOKED');
    const tokensRevoked = await revokeTokensOfClient(trx, clientId, isoIn(ctx));
    await appendEvent(trx, ctx.clock, {
      type: 'identity.clientSecretRotated',
      aggregateType: 'client',
      aggregateId: clientId,
      regionCode: opts.regionCode ?? null,
      actor,
      payload: { tokensRevoked },
    });
    return { client_id: clientId, client_secret: secret, tokensRevoked };
  });
  forgetClientTokens(ctx);
  return r;
}

import { randomBytes } from 'node:crypto';
import { DomainError } from '../../kernel/index.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
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

type ClientChange = { actor?: string | null; regionCode?: string | null };

/**
 * One change to a client: `change` rewrites its row (0 rows: the client is revoked already), every
 * token it holds is revoked, one event records it — all in one transaction; then this node
 * forgets the client tokens it keeps.
 */
async function cutOff(
  ctx: IdentityContext,
  clientId: string,
  opts: ClientChange,
  type: 'identity.clientRevoked' | 'identity.clientSecretRotated',
  change: (trx: Executor, at: string) => Promise<number>,
  payload: Record<string, unknown> = {},
): Promise<{ at: string; tokensRevoked: number }> {
  const at = isoIn(ctx);
  const r = await inTransaction(ctx.db, async (trx) => {
    if (!(await clientById(trx, clientId))) throw new DomainError('IDENTITY.CLIENT_NOT_FOUND');
    if (!(await change(trx, at))) throw new DomainError('IDENTITY.CLIENT_REVOKED');
    const tokensRevoked = await revokeTokensOfClient(trx, clientId, at);
    await appendEvent(trx, ctx.clock, {
      type,
      aggregateType: 'client',
      aggregateId: clientId,
      regionCode: opts.regionCode ?? null,
      actor: opts.actor ?? null,
      payload: { tokensRevoked, ...payload },
    });
    return { at, tokensRevoked };
  });
  forgetClientTokens(ctx);
  return r;
}

export async function revokeClient(
  ctx: IdentityContext,
  clientId: string,
  reason: unknown,
  opts: ClientChange = {},
): Promise<ClientRevoked> {
  const why = checkReason(reason);
  const r = await cutOff(
    ctx,
    clientId,
    opts,
    'identity.clientRevoked',
    (trx, at) => revokeClientRow(trx, clientId, at, opts.actor ?? null, why),
    { reasonSha256: sha256(why) },
  );
  return { client_id: clientId, revokedAt: r.at, tokensRevoked: r.tokensRevoked };
}

/** A new secret for a client in force; the old secret and every token it took are refused. */
export async function rotateClientSecret(
  ctx: IdentityContext,
  clientId: string,
  opts: ClientChange = {},
): Promise<{ client_id: string; client_secret: string; tokensRevoked: number }> {
  const secret = randomBytes(32).toString('base64url');
  const r = await cutOff(ctx, clientId, opts, 'identity.clientSecretRotated', (trx) =>
    setClientSecret(trx, clientId, sha256(secret), ctx.cipher.encrypt(secret)),
  );
  return { client_id: clientId, client_secret: secret, tokensRevoked: r.tokensRevoked };
}

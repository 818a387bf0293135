import { randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { type IdentityContext, POLICY, isoIn, sha256 } from './identity.context.js';
import { checkRedirectUris } from './identity.oidc.js';
import { type Role, isRole, permissionsOf } from './identity.permissions.js';
import { type ClientRow, clientById as clientRow, insertClient } from './identity.store.js';
import { issueToken } from './identity.tokens.js';

export interface ClientInput {
  readonly name: string;
  readonly redirectUris: readonly string[];
  /** default: code + refresh with redirect URIs, else client credentials */
  readonly grantTypes?: readonly string[];
  readonly roles?: readonly Role[];
  readonly regionPrefix?: string;
  /** the client receives unmasked claims */
  readonly fullClaims?: boolean;
  readonly actor?: string | null;
}

/** Machine clients: OIDC relying parties and exchange consumers (`tongban oidc client add`). */
export async function createClient(
  ctx: IdentityContext,
  input: ClientInput,
): Promise<{ client_id: string; client_secret: string }> {
  const clientId = `tbc_${randomBytes(12).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  const grantTypes =
    input.grantTypes ??
    (input.redirectUris.length ? ['authorization_code', 'refresh_token'] : ['client_credentials']);
  checkRedirectUris(input.redirectUris);
  const roles = input.roles ?? (grantTypes.includes('client_credentials') ? ['dataConsumer' as const] : []);
  await inTransaction(ctx.db, async (trx) => {
    await insertClient(trx, {
      client_id: clientId,
      name: input.name,
      secret_hash: sha256(secret),
      secret_enc: ctx.cipher.encrypt(secret),
      redirect_uris: JSON.stringify(input.redirectUris),
      grant_types: JSON.stringify(grantTypes),
      full_claims: input.fullClaims ? 1 : 0,
      roles: JSON.stringify(roles),
      region_code: input.regionPrefix ?? '',
      created_at: isoIn(ctx),
      created_by: input.actor ?? null,
      revoked_at: null,
      revoked_by: null,
      revoked_reason: null,
    });
    await appendEvent(trx, ctx.clock, {
      type: 'identity.clientRegistered',
      aggregateType: 'client',
      aggregateId: clientId,
      actor: input.actor ?? null,
      payload: { grantTypes, roles },
    });
  });
  return { client_id: clientId, client_secret: secret };
}

export async function clientById(ctx: IdentityContext, clientId: string): Promise<ClientRow | undefined> {
  return clientRow(ctx.db, clientId);
}

/** A machine client's principal: the roles it was registered with, within its region. */
export async function clientPrincipal(
  ctx: IdentityContext,
  clientId: string,
): Promise<Principal | undefined> {
  const c = await clientById(ctx, clientId);
  // a revoked client's tokens are refused even if one was missed (identity.clients.revoke.ts)
  if (!c || c.revoked_at) return undefined;
  const roles = (JSON.parse(c.roles) as string[]).filter(isRole);
  return {
    accountId: `client:${c.client_id}`,
    kind: 'client',
    login: c.client_id,
    displayName: c.name,
    realNameLevel: 0,
    clientId: c.client_id,
    grants: roles.map((r) => ({
      role: r,
      permissions: permissionsOf(r),
      regionPrefix: c.region_code,
      departmentId: null,
    })),
    via: 'bearer',
  };
}

/** RFC 6749 §4.4 client credentials: a machine client trades its secret for a short token. */
export async function clientCredentialsToken(ctx: IdentityContext, clientId: string, secret: string) {
  const c = await clientById(ctx, clientId);
  const given = Buffer.from(sha256(secret), 'hex');
  const expected = Buffer.from(c?.secret_hash ?? sha256('tongban:none'), 'hex');
  if (
    !c ||
    !timingSafeEqual(given, expected) ||
    c.revoked_at ||
    !(JSON.parse(c.grant_types) as string[]).includes('client_credentials')
  )
    throw new DomainError('IDENTITY.CLIENT_INVALID');
  return issueToken(ctx, 'client', { clientId }, POLICY.clientTokenMs);
}

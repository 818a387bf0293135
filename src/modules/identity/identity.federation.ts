import * as oidc from 'openid-client';
import type { Config } from '../../config/index.js';
import { type Clock, DomainError } from '../../kernel/index.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import type { PersonalDataCipher } from '../../platform/privacy/index.js';
import { idb } from './identity.store.js';

/**
 * Federation: sign in with another region's OpenID provider (openid-client, authorization code +
 * PKCE) and link that identity to a local account once; afterwards the other region's sign-in
 * opens the local account. A link is (issuer, subject) → account: only the other provider's
 * stable subject is kept, no personal data from it.
 */
export interface FederationProvider {
  readonly id: string;
  readonly name: string;
  readonly issuer: string;
}

export function createFederation(deps: {
  db: Executor;
  clock: Clock;
  config: Config;
  cipher: PersonalDataCipher;
}) {
  const { db, clock, config, cipher } = deps;
  const configs = new Map<string, Promise<oidc.Configuration>>();

  async function providers(): Promise<FederationProvider[]> {
    return idb(db)
      .selectFrom('identity_federation_providers')
      .select(['id', 'name', 'issuer'])
      .orderBy('name')
      .execute();
  }

  /** Adds a provider; answers the redirect URI to register with it for this site. */
  async function addProvider(
    p: { id: string; name: string; issuer: string; clientId: string; clientSecret: string },
    actor: string | null,
  ): Promise<{ redirectUri: string }> {
    if (!/^[a-z0-9-]{2,32}$/.test(p.id) || !URL.canParse(p.issuer))
      throw new DomainError('COMMON.VALIDATION', { details: { issues: [{ field: 'id', rule: 'FORMAT' }] } });
    await inTransaction(db, async (trx) => {
      await idb(trx)
        .insertInto('identity_federation_providers')
        .values({
          id: p.id,
          name: p.name,
          issuer: p.issuer,
          client_id: p.clientId,
          client_secret_enc: cipher.encrypt(p.clientSecret),
          created_at: clock.now().toISOString(),
        })
        .execute();
      await appendEvent(trx, clock, {
        type: 'identity.federationProviderAdded',
        aggregateType: 'federationProvider',
        aggregateId: p.id,
        actor,
        payload: { issuer: p.issuer },
      });
    });
    return { redirectUri: redirectUri(p.id) };
  }

  function redirectUri(id: string): string {
    return `${config.publicUrl}/login/federated/${id}/callback`;
  }

  async function configFor(id: string): Promise<oidc.Configuration> {
    let c = configs.get(id);
    if (!c) {
      const row = await idb(db)
        .selectFrom('identity_federation_providers')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw new DomainError('COMMON.NOT_FOUND');
      const insecure = new URL(row.issuer).protocol === 'http:' && config.env !== 'production';
      c = oidc.discovery(
        new URL(row.issuer),
        row.client_id,
        cipher.decrypt(row.client_secret_enc),
        undefined,
        {
          ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        },
      );
      c.catch(() => configs.delete(id));
      configs.set(id, c);
    }
    return c;
  }

  /** The upstream authorization URL and the checks to keep (in a signed cookie) until the callback. */
  async function start(
    id: string,
  ): Promise<{ url: string; checks: { verifier: string; state: string; nonce: string } }> {
    const c = await configFor(id);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(c, {
      redirect_uri: redirectUri(id),
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, checks: { verifier, state, nonce } };
  }

  /** Exchanges the code; returns the other provider's (issuer, subject). */
  async function finish(
    id: string,
    currentUrl: URL,
    checks: { verifier: string; state: string; nonce: string },
  ) {
    const c = await configFor(id);
    const tokens = await oidc.authorizationCodeGrant(c, currentUrl, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    const claims = tokens.claims();
    if (!claims) throw new DomainError('IDENTITY.FEDERATION_FAILED');
    return { issuer: c.serverMetadata().issuer, subject: claims.sub };
  }

  async function linkedAccount(issuer: string, subject: string): Promise<string | undefined> {
    const r = await idb(db)
      .selectFrom('identity_federation_links')
      .select('account_id')
      .where('issuer', '=', issuer)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return r?.account_id;
  }

  async function link(accountId: string, issuer: string, subject: string): Promise<void> {
    await inTransaction(db, async (trx) => {
      await idb(trx)
        .insertInto('identity_federation_links')
        .values({ issuer, subject, account_id: accountId, created_at: clock.now().toISOString() })
        .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
        .execute();
      await appendEvent(trx, clock, {
        type: 'identity.federationLinked',
        aggregateType: 'account',
        aggregateId: accountId,
        actor: accountId,
        payload: { issuer },
      });
    });
  }

  return { providers, addProvider, redirectUri, start, finish, linkedAccount, link };
}

export type Federation = ReturnType<typeof createFederation>;

import type { IncomingMessage } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import type { Adapter, AdapterPayload, Provider } from 'oidc-provider';
import type { Config } from '../../config/index.js';
import { type Clock, DomainError } from '../../kernel/index.js';
import type { Executor } from '../../platform/db/index.js';
import { type Lang, pickLang, translator } from '../../platform/i18n/index.js';
import {
  type PersonalDataCipher,
  derivedKey,
  maskIdNumber,
  maskMobile,
  maskName,
} from '../../platform/privacy/index.js';
import { accountById, idb } from './identity.store.js';

/**
 * Single sign-on: an OpenID Connect provider (oidc-provider 9) at `<publicUrl>/oidc`, for other
 * government systems. Authorization code with PKCE (required for every client), refresh tokens
 * (scope offline_access), userinfo, JWKS, client credentials for machine clients. Everything it
 * stores goes through `SqlAdapter` into identity_oidc_store, so every app node shares it; clients
 * are the rows of identity_clients (registered by `tongban oidc client add`).
 *
 * Claims are masked (DOMAIN §8) unless the client was registered with full claims.
 */
export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'phone', 'id_card'] as const;

/** The provider's cookies (its defaults, named here so signing out can end its session too). */
export const OIDC_COOKIES = {
  session: '_session',
  interaction: '_interaction',
  resume: '_interaction_resume',
} as const;

/**
 * The account signed in on the platform, set on a request before it is handed to the provider:
 * the provider's own session counts only while it is this account's (see `platformSession`).
 */
export const PLATFORM_ACCOUNT = Symbol('tongban.platformAccount');
export type HandedOverRequest = IncomingMessage & { [PLATFORM_ACCOUNT]?: string };

/**
 * A check of the login prompt (oidc-provider's interaction policy): the provider's browser
 * session is trusted only while the same person is signed in on the platform. On a shared
 * computer the provider's session would otherwise outlive the platform's — by an idle timeout, a
 * sign-out before this check existed — and sign the next person in as the last one.
 */
function platformSession(Check: CheckClass) {
  return new Check(
    'platform_session',
    'the provider session is not that of the person signed in on the platform',
    (ctx: { req: HandedOverRequest; oidc: { session: { accountId?: string } } }) => {
      const provider = ctx.oidc.session.accountId;
      return provider !== undefined && provider !== ctx.req[PLATFORM_ACCOUNT];
    },
  );
}

type CheckClass = new (
  reason: string,
  description: string,
  check: (ctx: { req: HandedOverRequest; oidc: { session: { accountId?: string } } }) => boolean,
) => unknown;

/** The provider's pages (RP-initiated logout) in the platform's words and style. */
function providerPage(lang: Lang, title: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><link rel="stylesheet" href="/assets/app.css"></head><body><main class="container narrow"><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface ProviderPageContext {
  type: string;
  body: string;
  get(header: string): string;
  set(header: string, value: string): void;
  response: { get(header: string): string };
  cookies: { get(name: string, opts: { signed: boolean }): string | undefined };
  oidc: {
    client?: { clientId: string; clientName?: string };
    params?: { post_logout_redirect_uri?: unknown };
  };
}

/**
 * The confirmation ends in a redirect to the relying party's post-logout URI; browsers apply the
 * page's CSP form-action to redirects too, so it names that one registered origin as well.
 */
function allowFormRedirect(ctx: ProviderPageContext): void {
  const to = ctx.oidc.params?.post_logout_redirect_uri;
  const csp = ctx.response.get('content-security-policy');
  if (typeof to !== 'string' || !URL.canParse(to) || !csp) return;
  ctx.set(
    'content-security-policy',
    csp.replace("form-action 'self'", `form-action 'self' ${new URL(to).origin}`),
  );
}

const langOf = (ctx: ProviderPageContext): Lang =>
  pickLang({
    cookie: ctx.cookies.get('lang', { signed: false }),
    acceptLanguage: ctx.get('accept-language'),
  });

/**
 * OpenID Connect RP-Initiated Logout 1.0 §2: a relying party sends the person here to sign out;
 * the provider asks, and signing out here ends the platform's session too (the routes do that on
 * the confirmation) and every grant of the provider's session.
 */
async function logoutSource(ctx: ProviderPageContext, form: string): Promise<void> {
  const t = translator(langOf(ctx));
  const client = ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId;
  allowFormRedirect(ctx);
  ctx.type = 'html';
  ctx.body = providerPage(
    langOf(ctx),
    t('identity.sso.logoutTitle'),
    `${form}<p>${esc(client ? t('identity.sso.logoutIntroClient', { client }) : t('identity.sso.logoutIntro'))}</p><p><button type="submit" form="op.logoutForm" name="logout" value="yes" class="button">${esc(t('identity.sso.logoutConfirm'))}</button> <a href="/">${esc(t('identity.sso.logoutCancel'))}</a></p>`,
  );
}

async function postLogoutSuccessSource(ctx: ProviderPageContext): Promise<void> {
  const t = translator(langOf(ctx));
  ctx.type = 'html';
  ctx.body = providerPage(
    langOf(ctx),
    t('identity.sso.logoutDoneTitle'),
    `<p>${esc(t('identity.sso.logoutDone'))}</p><p><a href="/">${esc(t('identity.sso.home'))}</a></p>`,
  );
}

const CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'account_kind', 'real_name_level'],
  phone: ['phone_number'],
  id_card: ['id_number'],
} as const satisfies Partial<Record<(typeof OIDC_SCOPES)[number], readonly string[]>>;

/**
 * One claim as a client receives it. `masked` says whether the value is the masked form (true),
 * the full personal value (false), or not personal data at all (null).
 */
export interface ReleasedClaim {
  readonly claim: string;
  readonly value: string | number;
  readonly masked: boolean | null;
}

/**
 * What a client receives of an account: the one computation behind both the tokens/userinfo and
 * the consent page, so the page cannot promise less than is sent (DOMAIN §8: masked unless the
 * client was registered for full claims). Undefined for an account that may not sign in.
 */
export async function releasedClaims(
  db: Executor,
  cipher: PersonalDataCipher,
  accountId: string,
  clientId: string | undefined,
): Promise<ReleasedClaim[] | undefined> {
  const a = await accountById(db, accountId);
  if (a?.status !== 'active') return undefined;
  const full = clientId
    ? (
        await idb(db)
          .selectFrom('identity_clients')
          .select('full_claims')
          .where('client_id', '=', clientId)
          .executeTakeFirst()
      )?.full_claims === 1
    : false;
  // an ID number only claimed at registration (L1) is nobody's identity to assert to another
  // site: the claim is released once the account holds the number verified (L2 or L3)
  const idNumber = a.id_number_enc && a.id_number_hash ? cipher.decrypt(a.id_number_enc) : undefined;
  const mobile = a.mobile_enc ? cipher.decrypt(a.mobile_enc) : undefined;
  // an organisation's name is public (the business register), so it is never masked
  const nameIsPersonal = a.kind !== 'organization';
  return [
    { claim: 'sub', value: a.id, masked: null },
    {
      claim: 'name',
      value: full || !nameIsPersonal ? a.name : maskName(a.name),
      masked: nameIsPersonal ? !full : null,
    },
    { claim: 'account_kind', value: a.kind, masked: null },
    { claim: 'real_name_level', value: a.real_name_level, masked: null },
    ...(mobile ? [{ claim: 'phone_number', value: full ? mobile : maskMobile(mobile), masked: !full }] : []),
    ...(idNumber
      ? [{ claim: 'id_number', value: full ? idNumber : maskIdNumber(idNumber), masked: !full }]
      : []),
  ];
}

export interface ConsentScope {
  readonly scope: (typeof OIDC_SCOPES)[number];
  /** the claims this scope releases of this account, in the order the provider sends them */
  readonly claims: readonly ReleasedClaim[];
}

/** The scopes a client asks for, known ones only, each with the claims it would release. */
export function consentScopes(requested: string, released: readonly ReleasedClaim[]): ConsentScope[] {
  const asked = new Set(requested.split(' '));
  return OIDC_SCOPES.filter((s) => asked.has(s)).map((scope) => {
    const names: readonly string[] = scope in CLAIMS ? CLAIMS[scope as keyof typeof CLAIMS] : [];
    return { scope, claims: released.filter((c) => names.includes(c.claim)) };
  });
}

/** the loopback hosts a native or development client may listen on (RFC 8252 §7.3) */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * A redirect URI a client may register: an absolute http(s) URL without a fragment (RFC 6749
 * §3.1.2), over TLS (§3.1.2.1: the code and state travel in it) unless it is the loopback
 * interface, where nothing crosses the network.
 */
export function checkRedirectUris(uris: readonly string[]): void {
  for (const u of uris) {
    const url = URL.canParse(u) ? new URL(u) : undefined;
    if (!url || !['https:', 'http:'].includes(url.protocol) || url.hash)
      throw new DomainError('COMMON.VALIDATION', {
        details: { issues: [{ field: 'redirectUri', rule: 'URL' }] },
      });
    if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname))
      throw new DomainError('IDENTITY.REDIRECT_URI_NOT_HTTPS', { params: { uri: u } });
  }
}

const epoch = (iso: string | null) => (iso ? Math.floor(new Date(iso).getTime() / 1000) : undefined);

/** oidc-provider's storage contract over one SQL table, on SQLite and PostgreSQL alike. */
function sqlAdapterFactory(db: Executor, clock: Clock, cipher: PersonalDataCipher) {
  return class SqlAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const row = {
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
        user_code: typeof payload.userCode === 'string' ? payload.userCode : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        expires_at: expiresIn ? new Date(clock.now().getTime() + expiresIn * 1000).toISOString() : null,
        consumed_at: null,
        // found by account when everything of it is revoked (a password change, sign out everywhere)
        account_id: typeof payload.accountId === 'string' ? payload.accountId : null,
      };
      await idb(db)
        .insertInto('identity_oidc_store')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['model', 'id']).doUpdateSet({
            payload: row.payload,
            grant_id: row.grant_id,
            user_code: row.user_code,
            uid: row.uid,
            expires_at: row.expires_at,
            account_id: row.account_id,
          }),
        )
        .execute();
    }

    private async one(
      column: 'id' | 'uid' | 'user_code',
      value: string,
    ): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client' && column === 'id') return clientMetadata(db, cipher, value);
      const r = await idb(db)
        .selectFrom('identity_oidc_store')
        .selectAll()
        .where('model', '=', this.model)
        .where(column, '=', value)
        .executeTakeFirst();
      if (!r) return undefined;
      if (r.expires_at && r.expires_at <= clock.now().toISOString()) return undefined;
      const payload = JSON.parse(r.payload) as AdapterPayload;
      const consumed = epoch(r.consumed_at);
      return consumed ? { ...payload, consumed } : payload;
    }

    find(id: string) {
      return this.one('id', id);
    }
    findByUid(uid: string) {
      return this.one('uid', uid);
    }
    findByUserCode(userCode: string) {
      return this.one('user_code', userCode);
    }

    async consume(id: string): Promise<void> {
      await idb(db)
        .updateTable('identity_oidc_store')
        .set({ consumed_at: clock.now().toISOString() })
        .where('model', '=', this.model)
        .where('id', '=', id)
        .execute();
    }

    async destroy(id: string): Promise<void> {
      await idb(db)
        .deleteFrom('identity_oidc_store')
        .where('model', '=', this.model)
        .where('id', '=', id)
        .execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await idb(db).deleteFrom('identity_oidc_store').where('grant_id', '=', grantId).execute();
    }
  };
}

/** A registered client as oidc-provider's client metadata. */
async function clientMetadata(
  db: Executor,
  cipher: PersonalDataCipher,
  clientId: string,
): Promise<AdapterPayload | undefined> {
  const c = await idb(db)
    .selectFrom('identity_clients')
    .selectAll()
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  // a revoked client is unknown to the provider: no sign-in, no token
  if (!c || c.revoked_at) return undefined;
  const grantTypes = JSON.parse(c.grant_types) as string[];
  const redirectUris = JSON.parse(c.redirect_uris) as string[];
  return {
    client_id: c.client_id,
    client_secret: cipher.decrypt(c.secret_enc),
    client_name: c.name,
    redirect_uris: redirectUris,
    // where a relying party may send the person after signing out: its own site's root, by the
    // origins of its registered redirect URIs (registered with them, so no open redirect)
    post_logout_redirect_uris: [...new Set(redirectUris.map((u) => `${new URL(u).origin}/`))],
    grant_types: grantTypes,
    response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

/**
 * Signing keys, newest first: the newest signs, the previous one stays published in the JWKS so
 * tokens it signed still verify until they expire. Stored sealed in identity_oidc_store.
 */
export async function signingKeys(
  db: Executor,
  cipher: PersonalDataCipher,
): Promise<Array<Record<string, unknown>>> {
  const rows = await idb(db)
    .selectFrom('identity_oidc_store')
    .select(['id', 'payload'])
    .where('model', '=', 'SigningKey')
    .orderBy('id', 'desc')
    .limit(2)
    .execute();
  return rows.map(
    (r) => JSON.parse(cipher.decrypt(JSON.parse(r.payload).sealed as string)) as Record<string, unknown>,
  );
}

/** Adds a new signing key (the key id sorts by time); returns its kid. */
export async function addSigningKey(db: Executor, cipher: PersonalDataCipher, clock: Clock): Promise<string> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const kid = `k${clock
    .now()
    .toISOString()
    .replace(/[-:.TZ]/g, '')}${Math.random().toString(36).slice(2, 6)}`;
  const full = { ...jwk, kid, alg: 'RS256', use: 'sig' };
  await idb(db)
    .insertInto('identity_oidc_store')
    .values({
      model: 'SigningKey',
      id: kid,
      payload: JSON.stringify({ sealed: cipher.encrypt(JSON.stringify(full)) }),
      grant_id: null,
      user_code: null,
      uid: null,
      expires_at: null,
      consumed_at: null,
      account_id: null,
    })
    .execute();
  return kid;
}

export async function createOidcProvider(deps: {
  db: Executor;
  clock: Clock;
  config: Config;
  cipher: PersonalDataCipher;
}): Promise<Provider> {
  const { db, clock, config, cipher } = deps;
  let keys = await signingKeys(db, cipher);
  if (keys.length === 0) {
    await addSigningKey(db, cipher, clock);
    keys = await signingKeys(db, cipher);
  }
  const Adapter = sqlAdapterFactory(db, clock, cipher);
  // loaded on first use: the package warns about Node 20 at import, and most starts never need it
  const { Provider, interactionPolicy } = await import('oidc-provider');
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(platformSession(interactionPolicy.Check));
  const provider = new Provider(`${config.publicUrl}/oidc`, {
    adapter: Adapter,
    clients: [],
    jwks: { keys },
    cookies: {
      keys: [derivedKey(config.secretKey, 'oidc-cookies').toString('base64url')],
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
      names: OIDC_COOKIES,
    },
    claims: CLAIMS,
    scopes: [...OIDC_SCOPES],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    // PKCE (RFC 7636) for every authorization-code client, confidential ones included
    pkce: { required: () => true },
    interactions: {
      policy,
      url: (_ctx: unknown, interaction: { uid: string }) => `/sso/interaction/${interaction.uid}`,
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 14 * 86400,
      Grant: 14 * 86400,
      Session: 12 * 3600,
    },
    async findAccount(ctx: { oidc: { client?: { clientId: string } } }, sub: string) {
      const released = await releasedClaims(db, cipher, sub, ctx.oidc.client?.clientId);
      if (!released) return undefined;
      return {
        accountId: sub,
        claims: () => Object.fromEntries(released.map((c) => [c.claim, c.value])),
      };
    },
    async renderError(ctx: { type: string; body: string }, out: Record<string, string>) {
      ctx.type = 'html';
      const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      ctx.body = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>统一身份认证出错</title><link rel="stylesheet" href="/assets/app.css"></head><body><main class="container"><h1>统一身份认证出错</h1><p>请返回原网站重新登录。</p><p><code>${esc(out.error ?? '')}</code> ${esc(out.error_description ?? '')}</p></main></body></html>`;
    },
  });
  // behind a configured proxy, the issuer's scheme and host come from X-Forwarded-Proto/-Host
  provider.proxy = config.trustProxy !== false;
  return provider;
}

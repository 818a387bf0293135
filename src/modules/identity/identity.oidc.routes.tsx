import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Provider } from 'oidc-provider';
import { z } from 'zod';
import { DomainError, isDomainError } from '../../kernel/index.js';
import { type App, formBody } from '../../platform/http/index.js';
import {
  Button,
  CsrfField,
  ErrorSummary,
  Notice,
  PageHeading,
  renderPage,
  SummaryList,
  sendHtml,
  Tag,
  TextField,
  type ViewContext,
} from '../../platform/views/index.js';
import type { Issues } from './identity.pages.js';
import {
  type ConsentScope,
  consentScopes,
  type HandedOverRequest,
  OIDC_COOKIES,
  PLATFORM_ACCOUNT,
  type ReleasedClaim,
} from './identity.oidc.js';
import { CSRF_COOKIE, issuesOf, passwordSignIn, SESSION_COOKIE } from './identity.routes.js';
import type { IdentityService } from './identity.service.js';

const MOUNT = '/oidc';
/** oidc-provider's end_session confirmation route, under the mount */
const END_SESSION_CONFIRM = '/session/end/confirm';
/**
 * Reasons of the provider's login prompt that a platform session answers: the provider has no
 * session of this browser (or one of someone else), or max_age, which singleSignOn measures.
 */
const SSO_REASONS = new Set(['no_session', 'platform_session', 'max_age']);

function SsoLoginPage({
  ctx,
  client,
  uid,
  issues,
  login,
}: {
  ctx: ViewContext;
  client: string;
  uid: string;
  issues: Issues;
  login?: string;
}) {
  const { t } = ctx;
  return (
    <div class="narrow">
      <ErrorSummary ctx={ctx} issues={issues} />
      <PageHeading>{t('identity.sso.loginTitle')}</PageHeading>
      <p>{t('identity.sso.loginIntro', { client })}</p>
      <form method="post" action={`/sso/interaction/${uid}/login`} novalidate>
        <CsrfField ctx={ctx} />
        <TextField
          name="login"
          label={t('identity.login.login')}
          autocomplete="username"
          value={login}
          error={issues.find((i) => i.field === 'login')?.message}
        />
        <TextField
          name="password"
          type="password"
          label={t('identity.login.password')}
          autocomplete="current-password"
        />
        <Button>{t('identity.login.submit')}</Button>
      </form>
    </div>
  );
}

/** a claim's value as the person reads it: kind and level in words, the rest as sent */
function claimValue(ctx: ViewContext, c: ReleasedClaim): string {
  if (c.claim === 'account_kind') return ctx.t(`identity.account.kind.${c.value}`);
  if (c.claim === 'real_name_level') return ctx.t(`identity.account.level.${c.value}`);
  return String(c.value);
}

function ConsentPage({
  ctx,
  client,
  uid,
  scopes,
  who,
}: {
  ctx: ViewContext;
  client: string;
  uid: string;
  scopes: readonly ConsentScope[];
  who: string;
}) {
  const { t } = ctx;
  return (
    <div class="narrow">
      <PageHeading>{t('identity.sso.consentTitle')}</PageHeading>
      <p>{t('identity.sso.signedInAs', { name: who })}</p>
      <p>{t('identity.sso.consentIntro', { client })}</p>
      {scopes.map((s) => (
        <section>
          <h2>{t(`identity.sso.scope.${s.scope}`)}</h2>
          {s.scope === 'offline_access' ? (
            <p>{t('identity.sso.offlineAccess')}</p>
          ) : s.claims.length ? (
            <SummaryList
              rows={s.claims.map((c) => ({
                key: t(`identity.sso.claim.${c.claim}`),
                value: (
                  <>
                    {claimValue(ctx, c)}{' '}
                    {c.masked === null ? null : c.masked ? (
                      <Tag>{t('identity.sso.masked')}</Tag>
                    ) : (
                      <Tag colour="yellow">{t('identity.sso.full')}</Tag>
                    )}
                  </>
                ),
              }))}
            />
          ) : (
            <p>{t('identity.sso.scopeEmpty')}</p>
          )}
        </section>
      ))}
      <Notice>{t('identity.sso.maskedNote')}</Notice>
      <form method="post" action={`/sso/interaction/${uid}/confirm`} class="inline-form">
        <CsrfField ctx={ctx} />
        <Button>{t('identity.sso.allow')}</Button>
      </form>{' '}
      <form method="post" action={`/sso/interaction/${uid}/abort`} class="inline-form">
        <CsrfField ctx={ctx} />
        <Button variant="secondary">{t('identity.sso.deny')}</Button>
      </form>
    </div>
  );
}

/**
 * Mounts the provider under /oidc (a Koa app inside Fastify: the reply is handed over raw) and
 * renders its interactions (login, consent) as our own pages under /sso.
 */
export async function oidcRoutes(
  app: App,
  svc: IdentityService,
  getProvider: () => Promise<Provider>,
  secure: boolean,
  claimsOf: (accountId: string, clientId: string) => Promise<readonly ReleasedClaim[] | undefined>,
): Promise<void> {
  const handOver = async (req: FastifyRequest, reply: FastifyReply, path: string) => {
    const provider = await getProvider();
    if (req.method === 'POST' && path.startsWith(END_SESSION_CONFIRM)) await endPlatformSession(req, reply);
    reply.hijack();
    const raw = req.raw as HandedOverRequest & { originalUrl?: string };
    // as if mounted: the provider sees its own paths, and learns the mount path from originalUrl
    raw.originalUrl = `${MOUNT}${path}`;
    raw.url = path;
    // the provider's session counts only while it is this person's (identity.oidc.ts platformSession)
    if (req.principal && req.principal.kind !== 'client') raw[PLATFORM_ACCOUNT] = req.principal.accountId;
    provider.callback()(raw, reply.raw);
  };

  /**
   * A relying party's sign-out (RP-initiated logout), confirmed by the person: the platform's
   * session of this browser ends too, when it is the same person's as the provider's session
   * being ended — not when the provider ends an old session because someone else has just signed
   * in. The cookies are cleared on the raw reply, which the provider then writes.
   */
  async function endPlatformSession(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const p = req.principal;
    const providerSession = req.cookies?.[OIDC_COOKIES.session];
    if (!p?.sessionId || !providerSession) return;
    if ((await svc.providerSessionAccount(providerSession)) !== p.accountId) return;
    await svc.endSession(p.sessionId);
    const gone = `; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
    reply.raw.setHeader('set-cookie', [`${SESSION_COOKIE}=${gone}`, `${CSRF_COOKIE}=${gone}`]);
  }

  await app.register(async (scope) => {
    // leave the body unread: the provider parses its own requests
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    const opts = { config: { permission: 'public' as const, skipCsrf: true }, schema: { hide: true } };
    scope.all(`${MOUNT}/*`, opts, async (req, reply) =>
      handOver(req, reply, req.url.slice(MOUNT.length) || '/'),
    );
    scope.get('/.well-known/openid-configuration', opts, async (req, reply) =>
      handOver(req, reply, '/.well-known/openid-configuration'),
    );
  });

  const UidParams = z.object({ uid: z.string().max(64) });
  const pageOpts = { config: { permission: 'public' as const }, schema: { hide: true, params: UidParams } };

  async function details(req: FastifyRequest, reply: FastifyReply) {
    const provider = await getProvider();
    try {
      const d = await provider.interactionDetails(req.raw, reply.raw);
      const client = await provider.Client.find(d.params.client_id);
      return { provider, d, clientName: client?.clientName ?? d.params.client_id };
    } catch {
      throw new DomainError('COMMON.NOT_FOUND');
    }
  }

  async function finish(req: FastifyRequest, reply: FastifyReply, result: Record<string, unknown>) {
    const { provider } = await details(req, reply);
    const to = await provider.interactionResult(req.raw, reply.raw, result, {
      mergeWithLastSubmission: true,
    });
    return reply.code(303).header('location', to).send();
  }

  async function grantConsent(req: FastifyRequest, reply: FastifyReply) {
    const { provider, d } = await details(req, reply);
    const accountId = d.session?.accountId;
    // only the person it is for consents: not whoever finds the page open on a shared computer
    if (!accountId || req.principal?.accountId !== accountId) throw new DomainError('COMMON.UNAUTHENTICATED');
    const grant = d.grantId
      ? ((await provider.Grant.find(d.grantId)) ??
        new provider.Grant({ accountId, clientId: d.params.client_id }))
      : new provider.Grant({ accountId, clientId: d.params.client_id });
    const det = d.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (det.missingOIDCScope) grant.addOIDCScope(det.missingOIDCScope.join(' '));
    if (det.missingOIDCClaims) grant.addOIDCClaims(det.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(det.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    return finish(req, reply, { consent: d.grantId ? {} : { grantId } });
  }

  /**
   * The forms on these pages end in a redirect to the relying party; browsers apply the page's
   * CSP form-action to redirects too, so it must name that one origin (not any origin).
   */
  function allowRedirectTo(reply: FastifyReply, redirectUri: unknown): void {
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp !== 'string' || typeof redirectUri !== 'string' || !URL.canParse(redirectUri)) return;
    const origin = new URL(redirectUri).origin;
    reply.header(
      'content-security-policy',
      csp.replace("form-action 'self'", `form-action 'self' ${origin}`),
    );
  }

  /**
   * Whether the person signed in on the platform may pass the provider's login prompt without
   * the password, and as whom, since when. Not when the relying party asks for the password
   * (prompt=login, OpenID Connect Core §3.1.2.1), names someone else (id_token_hint), or wants a
   * sign-in more recent than this one (max_age); `ts` is the real sign-in time, which becomes the
   * ID token's auth_time.
   */
  async function singleSignOn(
    req: FastifyRequest,
    d: { prompt: { reasons: string[] }; params: Record<string, unknown> },
  ): Promise<{ accountId: string; ts: number } | undefined> {
    const p = req.principal;
    if (!p?.sessionId || p.kind === 'client') return undefined;
    if (!d.prompt.reasons.every((r) => SSO_REASONS.has(r))) return undefined;
    const signedInAt = await svc.sessionSignedInAt(p.sessionId);
    if (!signedInAt) return undefined;
    const ts = Math.floor(signedInAt.getTime() / 1000);
    const maxAge = d.params.max_age === undefined ? undefined : Number(d.params.max_age);
    // measured as the provider measures it (oidc-provider's Session#past)
    if (maxAge !== undefined && !(Math.floor(Date.now() / 1000) - ts <= maxAge)) return undefined;
    return { accountId: p.accountId, ts };
  }

  app.get('/sso/interaction/:uid', pageOpts, async (req, reply) => {
    const { d, clientName } = await details(req, reply);
    const uid = (req.params as { uid: string }).uid;
    const ctx = req.view(reply);
    allowRedirectTo(reply, d.params.redirect_uri);
    if (d.prompt.name === 'login') {
      // already signed in here, recently enough: that is the single sign-on
      const signedIn = await singleSignOn(req, d);
      if (signedIn) return finish(req, reply, { login: signedIn });
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('identity.sso.loginTitle'),
          <SsoLoginPage ctx={ctx} client={clientName} uid={uid} issues={[]} />,
        ),
      );
    }
    // the claims of the account the grant is for, as this client will receive them
    const accountId = d.session?.accountId;
    const released = accountId ? await claimsOf(accountId, String(d.params.client_id)) : undefined;
    if (!released) throw new DomainError('COMMON.UNAUTHENTICATED');
    const scopes = consentScopes(String(d.params.scope ?? 'openid'), released);
    const who = req.principal?.displayName ?? '';
    return sendHtml(
      reply,
      renderPage(
        ctx,
        ctx.t('identity.sso.consentTitle'),
        <ConsentPage ctx={ctx} client={clientName} uid={uid} scopes={scopes} who={who} />,
      ),
    );
  });

  app.post('/sso/interaction/:uid/login', pageOpts, async (req, reply) => {
    const f = formBody(req);
    try {
      // a session here too, so the next relying party needs no password; it replaces this
      // browser's session from before (a password asked again, or another person signing in)
      const { account: a } = await passwordSignIn(req, reply, svc, f.login ?? '', f.password ?? '', {
        opens: 'session',
        secure,
      });
      if (req.principal?.sessionId) await svc.endSession(req.principal.sessionId);
      return finish(req, reply, { login: { accountId: a.id } });
    } catch (e) {
      if (!isDomainError(e)) throw e;
      const { clientName, d } = await details(req, reply);
      allowRedirectTo(reply, d.params.redirect_uri);
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('identity.sso.loginTitle'),
          <SsoLoginPage
            ctx={ctx}
            client={clientName}
            uid={(req.params as { uid: string }).uid}
            issues={issuesOf(e, ctx, 'login')}
            login={f.login}
          />,
        ),
        e.status,
      );
    }
  });

  app.post('/sso/interaction/:uid/confirm', pageOpts, async (req, reply) => grantConsent(req, reply));

  app.post('/sso/interaction/:uid/abort', pageOpts, async (req, reply) =>
    finish(req, reply, { error: 'access_denied', error_description: 'the user denied access' }),
  );
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { DomainError, type FieldIssue, isDomainError } from '../../kernel/index.js';
import { type App, addressKey, formBody, requirePrincipal } from '../../platform/http/index.js';
import { chinaDate } from '../../platform/calendar/index.js';
import { hasKey } from '../../platform/i18n/index.js';
import { renderPage, sendHtml, type ViewContext } from '../../platform/views/index.js';
import {
  AccountPage,
  AdminAccountPage,
  AdminAccountsPage,
  InPersonCheckPage,
  type Issues,
  LoginPage,
  MailboxPage,
  MessagePage,
  RegisterCodePage,
  RegisterPage,
  ResetPasswordPage,
  ResetRequestPage,
  RevokeGrantPage,
  StaffOrganizationsPage,
} from './identity.pages.js';
import { type AdminAccountView, REASON_MAX } from './identity.admin.js';
import { OIDC_COOKIES } from './identity.oidc.js';
import { PERMISSIONS } from './identity.permissions.js';
import type { NewSession, SignedIn } from './identity.signin.js';
import type { Federation } from './identity.federation.js';
import { type IdentityService, POLICY } from './identity.service.js';
import {
  InPersonCheckInput,
  LoginInput,
  RealNameFactors,
  Registration,
  normaliseLogin,
  normaliseMobile,
  registrationIssues,
} from './identity.types.js';

export const SESSION_COOKIE = 'tb_session';
/** The CSRF secret's cookie (@fastify/csrf-protection's `cookieKey`, set where the app registers it). */
export const CSRF_COOKIE = 'tb_csrf';

/** The session cookie's options. */
export function sessionCookieOptions(secure: boolean) {
  return {
    path: '/',
    httpOnly: true,
    // Lax, not Strict: a sign-in started by another government site (OIDC) must arrive signed in
    sameSite: 'lax' as const,
    secure,
    maxAge: Math.floor(POLICY.sessionAbsoluteMs / 1000),
  };
}

/**
 * Signs an account in on this reply: a new session and its cookie, and a new CSRF secret with the
 * new session (the CSRF cookie is cleared), so tokens from before sign-in are dead.
 */
export async function startSession(
  reply: FastifyReply,
  svc: IdentityService,
  accountId: string,
  secure: boolean,
): Promise<void> {
  setSessionCookies(reply, await svc.createSession(accountId), secure);
}

/** The cookie of a new session, and the CSRF secret of the session before it cleared. */
function setSessionCookies(reply: FastifyReply, s: NewSession, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, s.cookie, sessionCookieOptions(secure));
  reply.clearCookie(CSRF_COOKIE, { path: '/' });
}

/**
 * Signs in with a password from this request's address (an IPv6 client by its /64, as the rate
 * limits count it), opening a session on this reply or a bearer token; a throttled attempt also
 * answers Retry-After (RFC 9110 §10.2.3).
 */
export async function passwordSignIn(
  req: FastifyRequest,
  reply: FastifyReply,
  svc: IdentityService,
  login: string,
  password: string,
  opts: { opens: 'session' | 'token'; secure: boolean },
): Promise<SignedIn> {
  try {
    const signedIn = await svc.signInWithPassword(login, password, addressKey(req.ip), opts.opens);
    if (signedIn.session) setSessionCookies(reply, signedIn.session, opts.secure);
    return signedIn;
  } catch (e) {
    const wait = isDomainError(e) ? (e.details as { retryAfterSeconds?: number } | undefined) : undefined;
    if (wait?.retryAfterSeconds) reply.header('retry-after', String(wait.retryAfterSeconds));
    throw e;
  }
}

/** A `next` parameter is followed only to a path on this site (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/(?![/\\])[^\s]*$/.test(next)) return '/';
  if (next.startsWith('/login') || next.startsWith('/logout')) return '/';
  return next;
}

/** A thrown user error as form issues: field rules get their own message, others go on `field`. */
export function issuesOf(err: unknown, ctx: ViewContext, field: string): Issues {
  if (!isDomainError(err) || err.status >= 500) throw err;
  const details = err.details as { issues?: FieldIssue[] } | undefined;
  if (details?.issues?.length)
    return details.issues.map((i) => ({
      ...i,
      message: hasKey(`identity.issue.${i.rule}`)
        ? ctx.t(`identity.issue.${i.rule}`)
        : err.messageIn(ctx.lang),
    }));
  return [{ field, rule: err.code, message: err.messageIn(ctx.lang) }];
}

/** Refuses a cookie-less JSON endpoint a cross-site form could reach: such forms cannot send JSON. */
function requireJson(req: FastifyRequest): void {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
    throw new DomainError('COMMON.UNSUPPORTED_MEDIA_TYPE');
}

const RegistrationStartedView = z.object({
  registrationId: z.string(),
  /** the phone the message went to, masked */
  sentTo: z.string(),
});
const RegistrationConfirmation = z.object({
  registrationId: z.string().max(64),
  code: z.string().max(12),
});

/**
 * Registration counts per address, and per phone it sends a message to (from anywhere): no one's
 * phone can be flooded with registration messages.
 */
const REGISTRATION_LIMITS = ['register', { name: 'registerTarget', target: registrationTarget }] as const;

/**
 * The phone a registration texts; none for a registration whose form is wrong (no message goes
 * out, and a person's typing mistakes must not use up their phone's allowance).
 */
function registrationTarget(req: FastifyRequest): string | undefined {
  const f = formBody(req);
  const kind = f.kind === 'organization' ? 'organization' : 'person';
  const input = Registration.safeParse({ ...blankRegistration(kind), ...f, kind });
  if (!input.success || registrationIssues(input.data, chinaDate(new Date())).length) return undefined;
  return normaliseMobile(input.data.kind === 'person' ? input.data.mobile : input.data.agentMobile);
}

const PersonalView = z.object({
  id: z.string(),
  kind: z.string(),
  login: z.string(),
  name: z.string(),
  idNumberMasked: z.string().nullable(),
  mobileMasked: z.string().nullable(),
  creditCode: z.string().nullable(),
  organizationState: z.string().nullable(),
  regionCode: z.string().nullable(),
  departmentId: z.string().nullable(),
  hallId: z.string().nullable(),
  realNameLevel: z.number(),
  roles: z.array(
    z.object({ role: z.string(), regionPrefix: z.string(), departmentId: z.string().nullable() }),
  ),
});

/** The person a reset request would message (its account and phone), as the service reads them. */
function resetTarget(req: FastifyRequest): string | undefined {
  const f = formBody(req);
  const login = normaliseLogin(f.login ?? '');
  const mobile = normaliseMobile(f.mobile ?? '');
  return login && mobile ? `${login}|${mobile}` : undefined;
}

export const FEDERATION_PENDING_COOKIE = 'tb_fed_link';

/** A federated identity waiting to be linked at the next local sign-in (signed cookie, 10 minutes). */
export function pendingLink(req: FastifyRequest): { issuer: string; subject: string } | undefined {
  const raw = req.cookies?.[FEDERATION_PENDING_COOKIE];
  if (!raw) return undefined;
  const u = req.unsignCookie(raw);
  if (!u.valid || !u.value) return undefined;
  try {
    const v = JSON.parse(u.value) as { issuer: string; subject: string; exp: number };
    return v.exp > Date.now() ? { issuer: v.issuer, subject: v.subject } : undefined;
  } catch {
    return undefined;
  }
}

export function identityRoutes(
  app: App,
  svc: IdentityService,
  config: Config,
  fed?: Federation,
  opts: { readonly mailbox?: boolean } = {},
): void {
  const secure = config.env === 'production';
  const inPersonMinutes = Math.round(POLICY.inPersonCodeMs / 60_000);

  const page = (
    req: FastifyRequest,
    reply: FastifyReply,
    title: (ctx: ViewContext) => string,
    body: (ctx: ViewContext) => preact.VNode,
    status = 200,
  ) => {
    const ctx = req.view(reply);
    return sendHtml(reply, renderPage(ctx, title(ctx), body(ctx)), status);
  };
  const redirect = (reply: FastifyReply, to: string) => reply.code(303).header('location', to).send();

  /**
   * Signing out of this browser: its session here, and the OpenID provider's session of it with
   * the grants given in it (identity.signout.ts endProviderSession), so the next person at this
   * browser is asked to sign in at every relying party too.
   */
  async function signOut(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (req.principal?.sessionId) await svc.endSession(req.principal.sessionId);
    const providerSession = req.cookies?.[OIDC_COOKIES.session];
    if (providerSession) await svc.endProviderSession(providerSession);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    for (const c of [OIDC_COOKIES.session, `${OIDC_COOKIES.session}.sig`])
      reply.clearCookie(c, { path: '/' });
  }

  // ── sign-in and out (pages) ───────────────────────────────────────────────────────────────────

  app.get('/login', { config: { permission: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const next = safeNext((req.query as Record<string, unknown>).next);
    if (req.principal) return redirect(reply, next);
    const providers = (await fed?.providers()) ?? [];
    const linkPending = pendingLink(req) !== undefined;
    return page(
      req,
      reply,
      (c) => c.t('identity.login.title'),
      (ctx) => (
        <LoginPage
          ctx={ctx}
          issues={[]}
          values={{}}
          next={next}
          providers={providers}
          linkPending={linkPending}
        />
      ),
    );
  });

  app.post('/login', { config: { permission: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const f = formBody(req);
    const next = safeNext(f.next);
    try {
      const { account: a } = await passwordSignIn(req, reply, svc, f.login ?? '', f.password ?? '', {
        opens: 'session',
        secure,
      });
      // 关联: a sign-in that started at another region's provider links it to this account
      const pending = pendingLink(req);
      if (pending && fed) {
        await fed.link(a.id, pending.issuer, pending.subject);
        reply.clearCookie(FEDERATION_PENDING_COOKIE, { path: '/' });
      }
      return redirect(reply, next);
    } catch (e) {
      const ctx = req.view(reply);
      const issues = issuesOf(e, ctx, 'login');
      const status = isDomainError(e) ? e.status : 400;
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('identity.login.title'),
          <LoginPage ctx={ctx} issues={issues} values={{ login: f.login }} next={next} />,
        ),
        status,
      );
    }
  });

  app.post('/logout', { config: { permission: 'public' }, schema: { hide: true } }, async (req, reply) => {
    await signOut(req, reply);
    reply.clearCookie(CSRF_COOKIE, { path: '/' });
    return redirect(reply, '/');
  });

  // ── registration ──────────────────────────────────────────────────────────────────────────────

  app.get('/register', { config: { permission: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const kind = (req.query as Record<string, unknown>).kind === 'organization' ? 'organization' : 'person';
    return page(
      req,
      reply,
      (c) => c.t('identity.register.title'),
      (ctx) => <RegisterPage ctx={ctx} kind={kind} issues={[]} values={{}} />,
    );
  });

  app.post(
    '/register',
    { config: { permission: 'public', limits: REGISTRATION_LIMITS }, schema: { hide: true } },
    async (req, reply) => {
      const f = formBody(req);
      const kind = f.kind === 'organization' ? 'organization' : 'person';
      const input = Registration.safeParse({ ...blankRegistration(kind), ...f, kind });
      try {
        if (!input.success) throw new DomainError('COMMON.VALIDATION');
        // the same page whether or not the details are taken: the phone is told which
        const started = await svc.startRegistration(input.data);
        return page(
          req,
          reply,
          (c) => c.t('identity.register.codeTitle'),
          (ctx) => <RegisterCodePage ctx={ctx} {...started} issues={[]} />,
        );
      } catch (e) {
        const ctx = req.view(reply);
        const issues = issuesOf(e, ctx, 'login');
        const status = isDomainError(e) ? e.status : 400;
        return sendHtml(
          reply,
          renderPage(
            ctx,
            ctx.t('identity.register.title'),
            <RegisterPage ctx={ctx} kind={kind} issues={issues} values={f} />,
          ),
          status,
        );
      }
    },
  );

  app.post(
    '/register/confirm',
    { config: { permission: 'public', limits: ['registerConfirm'] }, schema: { hide: true } },
    async (req, reply) => {
      const f = formBody(req);
      try {
        const a = await svc.confirmRegistration(f.registrationId ?? '', f.code ?? '');
        await startSession(reply, svc, a.id, secure);
        return redirect(reply, '/account');
      } catch (e) {
        const ctx = req.view(reply);
        return sendHtml(
          reply,
          renderPage(
            ctx,
            ctx.t('identity.register.codeTitle'),
            <RegisterCodePage
              ctx={ctx}
              registrationId={f.registrationId ?? ''}
              sentTo={f.sentTo ?? ''}
              issues={issuesOf(e, ctx, 'code')}
            />,
          ),
          isDomainError(e) ? e.status : 400,
        );
      }
    },
  );

  // ── the account page and its forms ───────────────────────────────────────────────────────────

  async function accountPage(
    req: FastifyRequest,
    reply: FastifyReply,
    opts: {
      issues?: Issues;
      values?: Record<string, string>;
      notice?: string;
      status?: number;
      inPersonCode?: { code: string; minutes: number };
    } = {},
  ) {
    const p = requirePrincipal(req);
    const account = await svc.accountView(p.accountId);
    if (!account) throw new DomainError('IDENTITY.NOT_FOUND');
    const delegations = account.kind === 'person' ? await svc.delegationsOf(p.accountId) : [];
    const history = await svc.accountHistory(p.accountId);
    const organization =
      account.kind === 'organization' ? await svc.organizationStatus(p.accountId) : undefined;
    const pending = await svc.pendingConfirmations(p);
    const ctx = req.view(reply);
    return sendHtml(
      reply,
      renderPage(
        ctx,
        ctx.t('identity.account.title'),
        <AccountPage
          ctx={ctx}
          account={account}
          delegations={delegations}
          organization={organization}
          pending={pending}
          issues={opts.issues ?? []}
          values={opts.values ?? {}}
          notice={opts.notice}
          inPersonCode={opts.inPersonCode}
          history={history}
        />,
      ),
      opts.status ?? 200,
    );
  }

  app.get(
    '/account',
    { config: { permission: 'authenticated' }, schema: { hide: true } },
    async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const ctx = req.view(reply);
      const notice =
        q.done === 'password'
          ? ctx.t('identity.account.passwordChanged')
          : q.done === 'delegation'
            ? ctx.t('identity.account.delegationAdded')
            : q.done === 'organization'
              ? ctx.t('identity.org.confirmed')
              : undefined;
      return accountPage(req, reply, { notice });
    },
  );

  app.post(
    '/account/password',
    { config: { permission: 'authenticated', limits: ['passwordCheck'] }, schema: { hide: true } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const f = formBody(req);
      try {
        await svc.changePassword(p.accountId, f.currentPassword ?? '', f.newPassword ?? '', p.sessionId);
        return redirect(reply, '/account?done=password');
      } catch (e) {
        return accountPage(req, reply, { issues: issuesOf(e, req.view(reply), 'newPassword'), status: 400 });
      }
    },
  );

  app.post(
    '/account/verify',
    { config: { permission: 'authenticated', limits: ['realName'] }, schema: { hide: true } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const f = formBody(req);
      try {
        const level = await svc.verifyRealName(p.accountId, {
          mobile: f.mobile,
          bankCard: f.bankCard,
          socialSecurityCard: f.socialSecurityCard,
        });
        return accountPage(req, reply, { notice: req.view(reply).t('identity.account.verified', { level }) });
      } catch (e) {
        return accountPage(req, reply, {
          issues: issuesOf(e, req.view(reply), 'mobile'),
          values: f,
          status: 400,
        });
      }
    },
  );

  app.post(
    '/account/in-person-code',
    { config: { permission: 'authenticated' }, schema: { hide: true } },
    async (req, reply) => {
      try {
        const { code } = await svc.issueInPersonCode(requirePrincipal(req).accountId);
        // no-store: the code is on this page only, never in a cache
        reply.header('cache-control', 'no-store');
        return accountPage(req, reply, { inPersonCode: { code, minutes: inPersonMinutes } });
      } catch (e) {
        return accountPage(req, reply, { issues: issuesOf(e, req.view(reply), 'in-person'), status: 400 });
      }
    },
  );

  // ── the in-person check at a window (clerks) ─────────────────────────────────────────────────

  const inPersonPage = (
    req: FastifyRequest,
    reply: FastifyReply,
    opts: { issues?: Issues; values?: Record<string, string>; done?: string; status?: number } = {},
  ) =>
    page(
      req,
      reply,
      (c) => c.t('identity.inPerson.title'),
      (ctx) => (
        <InPersonCheckPage
          ctx={ctx}
          issues={opts.issues ?? []}
          values={opts.values ?? {}}
          minutes={inPersonMinutes}
          done={opts.done}
        />
      ),
      opts.status,
    );

  app.get(
    '/staff/verify-in-person',
    { config: { permission: { permission: PERMISSIONS.identityVerifyInPerson } }, schema: { hide: true } },
    async (req, reply) => inPersonPage(req, reply),
  );

  app.post(
    '/staff/verify-in-person',
    { config: { permission: { permission: PERMISSIONS.identityVerifyInPerson } }, schema: { hide: true } },
    async (req, reply) => {
      const f = formBody(req);
      const input = {
        login: f.login ?? '',
        code: f.code ?? '',
        name: f.name ?? '',
        idNumber: f.idNumber ?? '',
      };
      try {
        await svc.verifyInPerson(requirePrincipal(req), input);
        return inPersonPage(req, reply, { done: normaliseLogin(input.login) });
      } catch (e) {
        const ctx = req.view(reply);
        const field =
          isDomainError(e) && e.code === 'IDENTITY.IN_PERSON_MISMATCH'
            ? 'name'
            : isDomainError(e) && e.code === 'IDENTITY.IN_PERSON_CODE_INVALID'
              ? 'code'
              : 'login';
        return inPersonPage(req, reply, {
          issues: issuesOf(e, ctx, field),
          values: { login: input.login, name: input.name, idNumber: input.idNumber },
          status: isDomainError(e) ? e.status : 400,
        });
      }
    },
  );

  app.post(
    '/account/logout-all',
    { config: { permission: 'authenticated' }, schema: { hide: true } },
    async (req, reply) => {
      await svc.endAllSessions(requirePrincipal(req).accountId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.clearCookie(CSRF_COOKIE, { path: '/' });
      return redirect(reply, '/login');
    },
  );

  app.post(
    '/account/delegations',
    { config: { permission: { permission: PERMISSIONS.identityDelegate } }, schema: { hide: true } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const f = formBody(req);
      try {
        const validTo = /^\d{4}-\d{2}-\d{2}$/.test(f.validTo ?? '') ? `${f.validTo}T23:59:59.000Z` : '';
        await svc.createDelegation(p, { agentLogin: f.agentLogin ?? '', scopes: ['*'], validTo });
        return redirect(reply, '/account?done=delegation');
      } catch (e) {
        return accountPage(req, reply, {
          issues: issuesOf(e, req.view(reply), 'agentLogin'),
          values: f,
          status: 400,
        });
      }
    },
  );

  app.post(
    '/account/delegations/:id/revoke',
    {
      config: { permission: { permission: PERMISSIONS.identityDelegate } },
      schema: { hide: true, params: z.object({ id: z.string().max(64) }) },
    },
    async (req, reply) => {
      await svc.revokeDelegation(requirePrincipal(req), req.params.id);
      return redirect(reply, '/account');
    },
  );

  // ── organisation verification: the legal representative's confirmation ─────────────────────

  app.post(
    '/account/organizations/:id/confirm',
    {
      config: { permission: 'authenticated' },
      schema: { hide: true, params: z.object({ id: z.string().max(64) }) },
    },
    async (req, reply) => {
      try {
        await svc.confirmOrganization(requirePrincipal(req), req.params.id);
        return redirect(reply, '/account?done=organization');
      } catch (e) {
        return accountPage(req, reply, { issues: issuesOf(e, req.view(reply), 'organization'), status: 400 });
      }
    },
  );

  // ── organisation verification: a clerk checks the business licence in person ──────────────

  async function staffOrganizationsPage(
    req: FastifyRequest,
    reply: FastifyReply,
    code: string,
    opts: { issues?: Issues; notice?: string; status?: number } = {},
  ) {
    const p = requirePrincipal(req);
    const ctx = req.view(reply);
    let issues = opts.issues ?? [];
    let holders: Awaited<ReturnType<IdentityService['creditCodeHolders']>> | undefined;
    if (code.trim())
      try {
        holders = await svc.creditCodeHolders(p, code);
      } catch (e) {
        issues = [...issues, ...issuesOf(e, ctx, 'creditCode')];
      }
    const status = opts.status ?? (issues.length ? 400 : 200);
    return sendHtml(
      reply,
      renderPage(
        ctx,
        ctx.t('identity.staffOrg.title'),
        <StaffOrganizationsPage
          ctx={ctx}
          code={code}
          holders={holders}
          issues={issues}
          notice={opts.notice}
        />,
        { wide: true },
      ),
      status,
    );
  }

  app.get(
    '/staff/organizations',
    {
      config: { permission: { permission: PERMISSIONS.identityVerifyOrganization } },
      schema: { hide: true, querystring: z.object({ creditCode: z.string().max(30).optional() }) },
    },
    async (req, reply) => staffOrganizationsPage(req, reply, req.query.creditCode ?? ''),
  );

  app.post(
    '/staff/organizations/:id/verify',
    {
      config: { permission: { permission: PERMISSIONS.identityVerifyOrganization } },
      schema: { hide: true, params: z.object({ id: z.string().max(64) }) },
    },
    async (req, reply) => {
      const f = formBody(req);
      const code = f.creditCode ?? '';
      const ctx = req.view(reply);
      try {
        // the form asks the clerk to say they saw the original (the API call is that statement)
        if (f.checked !== '1')
          throw new DomainError('COMMON.VALIDATION', {
            details: { issues: [{ field: 'checked', rule: 'IDENTITY.LICENCE_NOT_CHECKED' }] },
          });
        await svc.verifyOrganizationInPerson(requirePrincipal(req), req.params.id, {
          creditCode: code,
          dispute: f.dispute === '1',
        });
        const login = (await svc.accountView(req.params.id))?.login ?? '';
        return staffOrganizationsPage(req, reply, code, {
          notice: ctx.t('identity.staffOrg.verified', { login }),
        });
      } catch (e) {
        return staffOrganizationsPage(req, reply, code, {
          issues: issuesOf(e, ctx, 'creditCode'),
          status: 400,
        });
      }
    },
  );

  // ── password reset ──────────────────────────────────────────────────────────────────────────

  app.get(
    '/password/reset',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (req, reply) => {
      const token = (req.query as Record<string, unknown>).token;
      if (typeof token === 'string' && token) {
        if (!(await svc.resetTokenValid(token))) throw new DomainError('IDENTITY.RESET_TOKEN_INVALID');
        return page(
          req,
          reply,
          (c) => c.t('identity.reset.newTitle'),
          (ctx) => <ResetPasswordPage ctx={ctx} token={token} issues={[]} />,
        );
      }
      return page(
        req,
        reply,
        (c) => c.t('identity.reset.title'),
        (ctx) => <ResetRequestPage ctx={ctx} sent={false} issues={[]} />,
      );
    },
  );

  app.post(
    '/password/reset/request',
    {
      config: {
        permission: 'public',
        // per address, and per account and phone from anywhere: no SMS flood to one person
        limits: ['resetRequest', { name: 'resetTarget', target: resetTarget }],
      },
      schema: { hide: true },
    },
    async (req, reply) => {
      const f = formBody(req);
      await svc.requestPasswordReset(f.login ?? '', f.mobile ?? '');
      return page(
        req,
        reply,
        (c) => c.t('identity.reset.title'),
        (ctx) => <ResetRequestPage ctx={ctx} sent={true} issues={[]} />,
      );
    },
  );

  app.post(
    '/password/reset',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (req, reply) => {
      const f = formBody(req);
      const token = f.token ?? '';
      try {
        if ((f.newPassword ?? '') !== (f.confirmPassword ?? ''))
          throw new DomainError('COMMON.VALIDATION', {
            details: { issues: [{ field: 'confirmPassword', rule: 'IDENTITY.PASSWORD_MISMATCH' }] },
          });
        await svc.resetPassword(token, f.newPassword ?? '');
        return page(
          req,
          reply,
          (c) => c.t('identity.reset.title'),
          (ctx) => (
            <MessagePage
              title={ctx.t('identity.reset.title')}
              message={ctx.t('identity.reset.done')}
              link={{ href: '/login', text: ctx.t('identity.login.title') }}
            />
          ),
        );
      } catch (e) {
        if (isDomainError(e) && e.code === 'IDENTITY.RESET_TOKEN_INVALID') throw e;
        const ctx = req.view(reply);
        return sendHtml(
          reply,
          renderPage(
            ctx,
            ctx.t('identity.reset.newTitle'),
            <ResetPasswordPage ctx={ctx} token={token} issues={issuesOf(e, ctx, 'newPassword')} />,
          ),
          400,
        );
      }
    },
  );

  // ── dev mailbox: every message sent to anyone, so never in production nor on a store with real people ──

  if (opts.mailbox === true && config.env !== 'production') {
    app.get(
      '/dev/mailbox',
      { config: { permission: 'public' }, schema: { hide: true } },
      async (req, reply) => {
        const rows = await svc.notifications();
        return page(
          req,
          reply,
          (c) => c.t('identity.mailbox.title'),
          (ctx) => <MailboxPage ctx={ctx} rows={rows} />,
        );
      },
    );
  }

  // ── admin: accounts, their status and grants ─────────────────────────────────────────────────

  const manage = { permission: { permission: PERMISSIONS.identityManage } } as const;
  const accountParams = z.object({ id: z.string().max(64) });
  const grantParams = z.object({ id: z.string().max(64), grantId: z.string().max(64) });

  async function adminPage(
    req: FastifyRequest,
    reply: FastifyReply,
    opts: {
      issues?: Issues;
      notice?: string;
      status?: number;
      values?: Record<string, string | undefined>;
    } = {},
  ) {
    const staff = await svc.staffInReach(requirePrincipal(req));
    const ctx = req.view(reply);
    return sendHtml(
      reply,
      renderPage(
        ctx,
        ctx.t('identity.admin.title'),
        <AdminAccountsPage
          ctx={ctx}
          staff={staff}
          issues={opts.issues ?? []}
          notice={opts.notice}
          values={opts.values}
        />,
        { wide: true },
      ),
      opts.status ?? 200,
    );
  }

  app.get('/admin/accounts', { config: manage, schema: { hide: true } }, async (req, reply) => {
    const done = (req.query as Record<string, unknown>).done === 'grant';
    return adminPage(req, reply, {
      notice: done ? req.view(reply).t('identity.admin.grantAdded') : undefined,
    });
  });

  app.get(
    '/admin/accounts/find',
    {
      config: manage,
      schema: { hide: true, querystring: z.object({ login: z.string().max(64).optional() }) },
    },
    async (req, reply) => {
      const login = normaliseLogin(req.query.login ?? '');
      const id = login ? await svc.findAccount(requirePrincipal(req), login) : undefined;
      if (id) return redirect(reply, `/admin/accounts/${id}`);
      const message = req.view(reply).t('identity.admin.notFound');
      return adminPage(req, reply, {
        issues: [{ field: 'login', rule: 'IDENTITY.NOT_FOUND', message }],
        values: { login: req.query.login },
        status: 404,
      });
    },
  );

  app.post('/admin/accounts/grants', { config: manage, schema: { hide: true } }, async (req, reply) => {
    const f = formBody(req);
    try {
      await svc.addGrant(requirePrincipal(req), f.accountId ?? '', {
        role: f.role ?? '',
        regionPrefix: (f.regionPrefix ?? '').trim(),
        departmentId: f.departmentId?.trim() || null,
      });
      return redirect(reply, '/admin/accounts?done=grant');
    } catch (e) {
      const issues = issuesOf(e, req.view(reply), 'regionPrefix');
      return adminPage(req, reply, { issues, status: isDomainError(e) ? e.status : 400 });
    }
  });

  /** One account's page; `done` names the action just taken, for the notice. */
  async function adminAccountPage(
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    opts: { issues?: Issues; status?: number; values?: Record<string, string | undefined> } = {},
  ) {
    const account = await svc.adminAccountView(requirePrincipal(req), id);
    const ctx = req.view(reply);
    const q = req.query as Record<string, unknown>;
    const notice =
      q.done === 'disabled'
        ? ctx.t('identity.admin.disabled', {
            sessions: Number(q.sessions) || 0,
            tokens: Number(q.tokens) || 0,
          })
        : q.done === 'enabled'
          ? ctx.t('identity.admin.enabled')
          : q.done === 'revoked'
            ? ctx.t('identity.admin.revoked')
            : undefined;
    return sendHtml(
      reply,
      renderPage(
        ctx,
        `${account.login} · ${ctx.t('identity.admin.title')}`,
        <AdminAccountPage
          ctx={ctx}
          account={account}
          issues={opts.issues ?? []}
          notice={opts.issues?.length ? undefined : notice}
          values={opts.values}
        />,
        { wide: true },
      ),
      opts.status ?? 200,
    );
  }

  app.get(
    '/admin/accounts/:id',
    { config: manage, schema: { hide: true, params: accountParams } },
    async (req, reply) => adminAccountPage(req, reply, req.params.id),
  );

  app.post(
    '/admin/accounts/:id/disable',
    { config: manage, schema: { hide: true, params: accountParams } },
    async (req, reply) => {
      const f = formBody(req);
      try {
        const r = await svc.disableAccount(requirePrincipal(req), req.params.id, f.reason, 'page');
        return redirect(
          reply,
          `/admin/accounts/${req.params.id}?done=disabled&sessions=${r.sessionsEnded}&tokens=${r.tokensRevoked}`,
        );
      } catch (e) {
        const issues = issuesOf(e, req.view(reply), 'reason');
        const status = isDomainError(e) ? e.status : 400;
        return adminAccountPage(req, reply, req.params.id, { issues, status, values: f });
      }
    },
  );

  app.post(
    '/admin/accounts/:id/enable',
    { config: manage, schema: { hide: true, params: accountParams } },
    async (req, reply) => {
      const f = formBody(req);
      try {
        await svc.enableAccount(requirePrincipal(req), req.params.id, f.reason, 'page');
        return redirect(reply, `/admin/accounts/${req.params.id}?done=enabled`);
      } catch (e) {
        const issues = issuesOf(e, req.view(reply), 'reason');
        const status = isDomainError(e) ? e.status : 400;
        return adminAccountPage(req, reply, req.params.id, { issues, status, values: f });
      }
    },
  );

  async function revokePage(
    req: FastifyRequest<{ Params: { id: string; grantId: string } }>,
    reply: FastifyReply,
    opts: { issues?: Issues; status?: number; values?: Record<string, string | undefined> } = {},
  ) {
    const account = await svc.adminAccountView(requirePrincipal(req), req.params.id);
    const grant = account.grants.find((g) => g.id === req.params.grantId);
    if (!grant) throw new DomainError('IDENTITY.GRANT_NOT_FOUND');
    const ctx = req.view(reply);
    return sendHtml(
      reply,
      renderPage(
        ctx,
        ctx.t('identity.admin.revokeTitle'),
        <RevokeGrantPage
          ctx={ctx}
          account={account}
          grant={grant}
          issues={opts.issues ?? []}
          values={opts.values}
        />,
      ),
      opts.status ?? 200,
    );
  }

  app.get(
    '/admin/accounts/:id/grants/:grantId/revoke',
    { config: manage, schema: { hide: true, params: grantParams } },
    async (req, reply) => revokePage(req, reply),
  );

  app.post(
    '/admin/accounts/:id/grants/:grantId/revoke',
    { config: manage, schema: { hide: true, params: grantParams } },
    async (req, reply) => {
      const f = formBody(req);
      try {
        await svc.revokeGrant(requirePrincipal(req), req.params.id, req.params.grantId, f.reason, 'page');
        return redirect(reply, `/admin/accounts/${req.params.id}?done=revoked`);
      } catch (e) {
        const issues = issuesOf(e, req.view(reply), 'reason');
        const status = isDomainError(e) ? e.status : 400;
        return revokePage(req, reply, { issues, status, values: f });
      }
    },
  );

  // ── JSON API ──────────────────────────────────────────────────────────────────────────────────

  app.post(
    '/api/v1/auth/login',
    {
      config: { permission: 'public', skipCsrf: true },
      schema: {
        tags: ['identity'],
        summary:
          'Sign in with account name and password; answers a bearer token, or sets the session cookie (mode "cookie")',
        body: LoginInput,
        response: {
          200: z.object({ token: z.string().optional(), expiresAt: z.string(), accountId: z.string() }),
        },
      },
    },
    async (req, reply) => {
      requireJson(req);
      const opens = req.body.mode === 'cookie' ? 'session' : 'token';
      const { account, session, token } = await passwordSignIn(
        req,
        reply,
        svc,
        req.body.login,
        req.body.password,
        { opens, secure },
      );
      if (session) return { expiresAt: session.expiresAt, accountId: account.id };
      return { token: token!.token, expiresAt: token!.expiresAt, accountId: account.id };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { permission: 'authenticated' },
      schema: { tags: ['identity'], summary: 'End the current session', response: { 204: z.null() } },
    },
    async (req, reply) => {
      requirePrincipal(req);
      await signOut(req, reply);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/auth/token',
    {
      config: { permission: 'public', skipCsrf: true },
      schema: {
        tags: ['identity'],
        summary:
          'OAuth 2.0 client credentials (RFC 6749 §4.4) for machine clients such as exchange consumers; HTTP Basic or form fields',
        body: z.object({
          grant_type: z.literal('client_credentials'),
          client_id: z.string().optional(),
          client_secret: z.string().optional(),
        }),
        response: {
          200: z.object({
            access_token: z.string(),
            token_type: z.literal('Bearer'),
            expires_in: z.number(),
          }),
        },
      },
    },
    async (req, reply) => {
      let id = req.body.client_id;
      let secret = req.body.client_secret;
      const auth = req.headers.authorization;
      if (auth?.startsWith('Basic ')) {
        const dec = Buffer.from(auth.slice(6), 'base64').toString('utf8');
        const i = dec.indexOf(':');
        id = decodeURIComponent(dec.slice(0, i));
        secret = decodeURIComponent(dec.slice(i + 1));
      }
      const t = await svc.clientCredentialsToken(id ?? '', secret ?? '');
      reply.header('cache-control', 'no-store');
      return {
        access_token: t.token,
        token_type: 'Bearer' as const,
        expires_in: Math.floor(POLICY.clientTokenMs / 1000),
      };
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['identity'],
        summary: 'The signed-in account (personal fields masked)',
        response: { 200: PersonalView },
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      if (p.kind === 'client')
        return {
          id: p.accountId,
          kind: 'client',
          login: p.login,
          name: p.displayName,
          idNumberMasked: null,
          mobileMasked: null,
          creditCode: null,
          organizationState: null,
          regionCode: null,
          departmentId: null,
          hallId: null,
          realNameLevel: 0,
          roles: p.grants.map((g) => ({
            role: g.role,
            regionPrefix: g.regionPrefix,
            departmentId: g.departmentId,
          })),
        };
      const v = await svc.accountView(p.accountId);
      if (!v) throw new DomainError('IDENTITY.NOT_FOUND');
      return { ...v, roles: [...v.roles] };
    },
  );

  app.post(
    '/api/v1/accounts',
    {
      config: { permission: 'public', skipCsrf: true, limits: REGISTRATION_LIMITS },
      schema: {
        tags: ['identity'],
        summary: 'Register a person (自然人) or an organisation (法人) at level L1, step one',
        description:
          "Sends a text message to the mobile given (the agent's, for an organisation) and answers 202 with the same body whether or not the account name, ID number or credit code is taken: the message carries the code, or says why there is none. Step two is POST /api/v1/accounts/confirm.",
        body: Registration,
        response: { 202: RegistrationStartedView },
      },
    },
    async (req, reply) => {
      requireJson(req);
      return reply.code(202).send(await svc.startRegistration(req.body));
    },
  );

  app.post(
    '/api/v1/accounts/confirm',
    {
      config: { permission: 'public', skipCsrf: true, limits: ['registerConfirm'] },
      schema: {
        tags: ['identity'],
        summary: 'Register, step two: the code from the text message makes the account',
        body: RegistrationConfirmation,
        response: { 201: PersonalView },
      },
    },
    async (req, reply) => {
      requireJson(req);
      const v = await svc.confirmRegistration(req.body.registrationId, req.body.code);
      return reply.code(201).send({ ...v, roles: [...v.roles] });
    },
  );

  app.post(
    '/api/v1/me/real-name',
    {
      config: { permission: 'authenticated', limits: ['realName'] },
      schema: {
        tags: ['identity'],
        summary: 'Real-name verification to level L2: the ID number plus at least two factors',
        body: RealNameFactors,
        response: { 200: z.object({ realNameLevel: z.number() }) },
      },
    },
    async (req) => ({ realNameLevel: await svc.verifyRealName(requirePrincipal(req).accountId, req.body) }),
  );

  const OrganizationView = z.object({
    state: z.enum(['claimed', 'verifiedByRepresentative', 'verifiedInPerson', 'released']),
    level: z.number(),
    creditCode: z.string().nullable(),
    at: z.string().nullable(),
    legalRepresentativeMasked: z.string().nullable(),
    registerStatus: z.enum(['active', 'revoked', 'deregistered']).nullable(),
  });
  const Pending = z.object({
    accountId: z.string(),
    login: z.string(),
    name: z.string(),
    creditCode: z.string(),
    registerName: z.string(),
    agentMasked: z.string().nullable(),
    registeredAt: z.string(),
    heldElsewhere: z.boolean(),
  });
  const AccountIdParam = z.object({ accountId: z.string().max(64) });

  app.get(
    '/api/v1/me/organization',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['identity'],
        summary:
          "An organisation account's verification: claimed (level 1), verified by its legal representative (2) or in person (3), or released",
        response: { 200: OrganizationView },
      },
    },
    async (req) => {
      const v = await svc.organizationStatus(requirePrincipal(req).accountId);
      if (!v) throw new DomainError('IDENTITY.NOT_FOUND');
      return v;
    },
  );

  app.get(
    '/api/v1/me/pending-organizations',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['identity'],
        summary:
          "Organisation accounts awaiting the caller's confirmation as their legal representative (a person at L2 or above)",
        response: { 200: z.object({ organizations: z.array(Pending) }) },
      },
    },
    async (req) => ({ organizations: await svc.pendingConfirmations(requirePrincipal(req)) }),
  );

  app.post(
    '/api/v1/organizations/:accountId/confirm',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['identity'],
        summary:
          "The organisation's legal representative (signed in at L2 or above, matching the legal-person register) confirms its account: verified at level 2",
        params: AccountIdParam,
        response: { 200: z.object({ realNameLevel: z.number() }) },
      },
    },
    async (req) => ({
      realNameLevel: (await svc.confirmOrganization(requirePrincipal(req), req.params.accountId)).level,
    }),
  );

  app.get(
    '/api/v1/organizations',
    {
      config: { permission: { permission: PERMISSIONS.identityVerifyOrganization } },
      schema: {
        tags: ['identity'],
        summary:
          "A clerk looks a credit code up: the legal-person register's entry and every account claiming the code (organisations registered within the clerk's area)",
        querystring: z.object({ creditCode: z.string().max(30) }),
        response: {
          200: z.object({
            creditCode: z.string(),
            register: z
              .object({
                name: z.string(),
                legalRepresentativeMasked: z.string(),
                status: z.enum(['active', 'revoked', 'deregistered']),
              })
              .nullable(),
            accounts: z.array(
              z.object({
                accountId: z.string(),
                login: z.string(),
                name: z.string(),
                state: z.string(),
                level: z.number(),
                agentMasked: z.string().nullable(),
                registeredAt: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const h = await svc.creditCodeHolders(requirePrincipal(req), req.query.creditCode);
      return { ...h, accounts: [...h.accounts] };
    },
  );

  app.post(
    '/api/v1/organizations/:accountId/verify-in-person',
    {
      config: { permission: { permission: PERMISSIONS.identityVerifyOrganization } },
      schema: {
        tags: ['identity'],
        summary:
          'A clerk saw the original business licence: the account claiming its credit code is verified at level 3; `dispute` moves a code another verified account holds',
        params: AccountIdParam,
        body: z.object({ creditCode: z.string().max(30), dispute: z.boolean().optional() }),
        response: { 200: z.object({ realNameLevel: z.number() }) },
      },
    },
    async (req) => ({
      realNameLevel: (
        await svc.verifyOrganizationInPerson(requirePrincipal(req), req.params.accountId, req.body)
      ).level,
    }),
  );

  app.post(
    '/api/v1/me/in-person-code',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['identity'],
        summary:
          'A one-time code (现场核验码) the signed-in person shows a window clerk, who raises this account to L3',
        response: { 201: z.object({ code: z.string(), expiresAt: z.string() }) },
      },
    },
    async (req, reply) => {
      const r = await svc.issueInPersonCode(requirePrincipal(req).accountId);
      return reply.code(201).header('cache-control', 'no-store').send(r);
    },
  );

  app.post(
    '/api/v1/accounts/verify-in-person',
    {
      config: { permission: { permission: PERMISSIONS.identityVerifyInPerson } },
      schema: {
        tags: ['identity'],
        summary:
          'A clerk records an in-person identity check (level L3) of the account that shows the one-time code, against the ID card',
        body: InPersonCheckInput,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await svc.verifyInPerson(requirePrincipal(req), req.body);
      return reply.code(204).send(null);
    },
  );

  // administration: scope-checked in the service (a region's administrator, its region only)
  app.get(
    '/api/v1/accounts',
    {
      config: manage,
      schema: {
        tags: ['identity'],
        summary: 'An administrator finds an account by its login (empty when none, or outside its reach)',
        querystring: z.object({ login: z.string().min(1).max(64) }),
        response: { 200: z.object({ accounts: z.array(AdminView) }) },
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const id = await svc.findAccount(p, normaliseLogin(req.query.login));
      return { accounts: id ? [adminJson(await svc.adminAccountView(p, id))] : [] };
    },
  );

  app.get(
    '/api/v1/accounts/:id',
    {
      config: manage,
      schema: {
        tags: ['identity'],
        summary: 'An account as its administrator sees it: masked details, status, grants in force, history',
        params: accountParams,
        response: { 200: AdminView },
      },
    },
    async (req) => adminJson(await svc.adminAccountView(requirePrincipal(req), req.params.id)),
  );

  app.post(
    '/api/v1/accounts/:id/disable',
    {
      config: manage,
      schema: {
        tags: ['identity'],
        summary:
          'Disable an account: its sessions, bearer tokens, OIDC grants and tokens and reset links end at once; it keeps its data',
        params: accountParams,
        body: ReasonBody,
        response: {
          200: z.object({
            status: z.literal('disabled'),
            sessionsEnded: z.number(),
            tokensRevoked: z.number(),
            oidcRevoked: z.number(),
          }),
        },
      },
    },
    async (req) => svc.disableAccount(requirePrincipal(req), req.params.id, req.body.reason, 'api'),
  );

  app.post(
    '/api/v1/accounts/:id/enable',
    {
      config: manage,
      schema: {
        tags: ['identity'],
        summary: 'Enable a disabled account again (what was revoked stays revoked)',
        params: accountParams,
        body: ReasonBody,
        response: { 200: z.object({ status: z.literal('active') }) },
      },
    },
    async (req) => svc.enableAccount(requirePrincipal(req), req.params.id, req.body.reason, 'api'),
  );

  app.post(
    '/api/v1/accounts/:id/grants/:grantId/revoke',
    {
      config: manage,
      schema: {
        tags: ['identity'],
        summary: "Revoke one of an account's grants; it gives nothing from the account's next request on",
        params: grantParams,
        body: ReasonBody,
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await svc.revokeGrant(requirePrincipal(req), req.params.id, req.params.grantId, req.body.reason, 'api');
      return reply.code(204).send(null);
    },
  );
}

const ReasonBody = z.object({
  reason: z
    .string()
    .min(1)
    .max(REASON_MAX)
    .describe("why: required, kept in the account's history (the log records its SHA-256 only)"),
});

const AdminView = PersonalView.extend({
  status: z.enum(['active', 'disabled']),
  grants: z.array(
    z.object({
      id: z.string(),
      role: z.string(),
      regionPrefix: z.string(),
      departmentId: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
  history: z.array(
    z.object({
      id: z.string(),
      action: z.enum(['disabled', 'enabled', 'grantRevoked']),
      grantId: z.string().nullable(),
      reason: z.string(),
      actor: z.string().describe("the administrator's login, or `operator` for the command line"),
      via: z.enum(['page', 'api', 'cli']),
      at: z.string(),
    }),
  ),
});

/** The view with its read-only arrays copied, as the response schema's types want them. */
function adminJson(v: AdminAccountView) {
  return {
    ...v,
    roles: [...v.roles],
    grants: [...v.grants],
    history: [...v.history],
  };
}

function blankRegistration(kind: 'person' | 'organization'): Record<string, string> {
  return kind === 'person'
    ? { login: '', password: '', name: '', idNumber: '', mobile: '' }
    : {
        login: '',
        password: '',
        name: '',
        creditCode: '',
        legalRepresentative: '',
        agentName: '',
        agentIdNumber: '',
        agentMobile: '',
      };
}

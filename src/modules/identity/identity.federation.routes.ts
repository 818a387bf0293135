import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { DomainError } from '../../kernel/index.js';
import type { App } from '../../platform/http/index.js';
import type { Federation } from './identity.federation.js';
import { FEDERATION_PENDING_COOKIE, safeNext, startSession } from './identity.routes.js';
import type { IdentityService } from './identity.service.js';

const CHECKS_COOKIE = 'tb_fed';
const TEN_MINUTES = 600;

/** Sign-in through another region's OpenID provider: start, and the callback that links or signs in. */
export function federationRoutes(app: App, svc: IdentityService, fed: Federation, config: Config): void {
  const secure = config.env === 'production';
  const short = {
    path: '/login/federated',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure,
    signed: true,
    maxAge: TEN_MINUTES,
  };
  const Params = z.object({ provider: z.string().regex(/^[a-z0-9-]{2,32}$/) });
  const opts = { config: { permission: 'public' as const }, schema: { hide: true, params: Params } };
  const redirect = (reply: FastifyReply, to: string) => reply.code(303).header('location', to).send();

  app.get('/login/federated/:provider', opts, async (req, reply) => {
    const { provider } = req.params as { provider: string };
    const next = safeNext((req.query as Record<string, unknown>).next);
    const { url, checks } = await fed.start(provider);
    reply.setCookie(CHECKS_COOKIE, JSON.stringify({ provider, next, ...checks }), short);
    return redirect(reply, url);
  });

  app.get('/login/federated/:provider/callback', opts, async (req: FastifyRequest, reply) => {
    const { provider } = req.params as { provider: string };
    const raw = req.cookies?.[CHECKS_COOKIE];
    const u = raw ? req.unsignCookie(raw) : undefined;
    if (!u?.valid || !u.value) throw new DomainError('IDENTITY.FEDERATION_FAILED');
    const checks = JSON.parse(u.value) as {
      provider: string;
      next: string;
      verifier: string;
      state: string;
      nonce: string;
    };
    reply.clearCookie(CHECKS_COOKIE, { path: '/login/federated' });
    if (checks.provider !== provider) throw new DomainError('IDENTITY.FEDERATION_FAILED');
    let who: { issuer: string; subject: string };
    try {
      who = await fed.finish(provider, new URL(req.url, config.publicUrl), checks);
    } catch (e) {
      req.log.info({ err: e, provider }, 'federated sign-in failed');
      throw new DomainError('IDENTITY.FEDERATION_FAILED');
    }
    const linked = await fed.linkedAccount(who.issuer, who.subject);
    if (linked) {
      await startSession(reply, svc, linked, secure);
      return redirect(reply, checks.next);
    }
    const p = req.principal;
    if (p && (p.kind === 'person' || p.kind === 'organization')) {
      await fed.link(p.accountId, who.issuer, who.subject);
      return redirect(reply, checks.next);
    }
    // not linked yet: sign in here once, and the link is made (identity.routes POST /login)
    reply.setCookie(
      FEDERATION_PENDING_COOKIE,
      JSON.stringify({ ...who, exp: Date.now() + TEN_MINUTES * 1000 }),
      { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true, maxAge: TEN_MINUTES },
    );
    return redirect(reply, `/login?next=${encodeURIComponent(checks.next)}`);
  });
}

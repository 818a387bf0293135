import { createHmac, randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitName, RateLimits } from '../../config/index.js';
import { DomainError } from '../../kernel/index.js';
import type { App } from './app-type.js';

/**
 * The largest body a route open to everyone takes unless it declares its own `bodyLimit`: its
 * forms and JSON are a few fields (registration, sign-in, a reset request). Other routes check
 * the caller before the body is read (route permissions step), so a stranger's body is never
 * larger than this.
 */
export const PUBLIC_BODY_BYTES = 16 * 1024;

/**
 * A limit whose key is what the request names, not who sends it (the account a reset message
 * would go to): read from the parsed body, so it is checked after validation.
 */
export interface TargetLimit {
  readonly name: RateLimitName;
  /** the target, normalised as the service normalises it; undefined when the request names none */
  readonly target: (req: FastifyRequest) => string | undefined;
}

/** What a route declares in `config.limits`: named limits from the one table (config/rate-limits.ts). */
export type RouteLimit = RateLimitName | TargetLimit;

/**
 * The key of a client address: an IPv4 address whole, an IPv6 address by its /64 — one
 * subscriber's allocation, in which a client can pick a new address for every request.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

type Checker = (
  req: FastifyRequest,
) => Promise<{ isAllowed: boolean; isExceeded?: boolean; ttlInSeconds?: number }>;

/**
 * Step: rate limits and sizes. A route names its limits (`config.limits`); each name is one
 * counter shared by every route that names it (the registration page and API together), kept by
 * @fastify/rate-limit's store on this node. Over the limit: the coded 429 COMMON.RATE_LIMITED
 * with Retry-After. Addresses are the trusted-proxy-aware `req.ip`. Register after the security
 * plugins (the limiter) and before any route.
 */
export function limitsAndSizes(app: App, limits: RateLimits, opts: { keySecret?: Buffer } = {}): void {
  // target keys are personal data (a login and a phone number): only their hash is held, salted
  // per process so the counters' memory says nothing — or keyed by the secret every node shares,
  // when the counters are shared through the store (rate-store.ts)
  const salt = opts.keySecret ?? randomBytes(16);
  const hashed = (s: string) => createHmac('sha256', salt).update(s).digest('base64url');
  const checkers = new Map<string, Checker>();
  const checkerFor = (name: RateLimitName, key: (req: FastifyRequest) => string): Checker => {
    let c = checkers.get(name);
    if (!c) {
      const l = limits[name];
      // one counter per limit name and key (a shared store holds every limit's counters together)
      c = app.createRateLimit({
        max: l.max,
        timeWindow: l.windowMs,
        keyGenerator: (req) => `${name}|${key(req)}`,
      }) as Checker;
      checkers.set(name, c);
    }
    return c;
  };
  const enforce = async (check: Checker, req: FastifyRequest, reply: FastifyReply) => {
    const r = await check(req);
    if (r.isAllowed || !r.isExceeded) return;
    reply.header('retry-after', String(r.ttlInSeconds ?? 1));
    throw new DomainError('COMMON.RATE_LIMITED', { details: { retryAfterSeconds: r.ttlInSeconds } });
  };

  app.addHook('onRoute', (route) => {
    if (route.config?.permission === 'public' && route.bodyLimit === undefined)
      route.bodyLimit = PUBLIC_BODY_BYTES;
    for (const declared of route.config?.limits ?? []) {
      const name = typeof declared === 'string' ? declared : declared.name;
      const by = limits[name].by;
      if (by === 'target') {
        if (typeof declared === 'string')
          throw new Error(`${route.url}: the ${name} limit counts a target; declare { name, target }`);
        const target = declared.target;
        const check = checkerFor(name, (req) => `t:${hashed(target(req) ?? '')}`);
        route.preHandler = [
          ...[route.preHandler ?? []].flat(),
          async (req: FastifyRequest, reply: FastifyReply) => {
            if (target(req)) await enforce(check, req, reply);
          },
        ];
      } else {
        const check = checkerFor(name, (req) =>
          by === 'account' && req.principal ? `a:${req.principal.accountId}` : `ip:${addressKey(req.ip)}`,
        );
        route.onRequest = [
          ...[route.onRequest ?? []].flat(),
          async (req: FastifyRequest, reply: FastifyReply) => enforce(check, req, reply),
        ];
      }
    }
  });
}

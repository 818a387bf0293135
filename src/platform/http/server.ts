import Fastify, { type FastifyBaseLogger, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../config/index.js';
import { newId } from '../../kernel/index.js';
import type { Logger } from '../log.js';
import type { App } from './app-type.js';

/**
 * Fastify's `trustProxy` for the configured proxies. A hop count becomes a function: Fastify
 * treats a bare number as "trust nobody" (it cannot tell a proxy from a client), which would put
 * every client behind the proxy under one address; the operator who gives a hop count has said
 * that only the proxies can connect (docs/operations.md).
 */
export function trustProxyOption(trust: Config['trustProxy']): FastifyServerOptions['trustProxy'] {
  if (trust === false) return false;
  if ('hops' in trust) {
    const hops = trust.hops;
    // proxy-addr walks from the connection (i = 0) back through X-Forwarded-For
    return (_address: string, i: number) => i < hops;
  }
  return [...trust.addresses];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * The id a request is logged under. Behind trusted proxies (TONGBAN_TRUST_PROXY) the proxy's
 * X-Request-Id is kept when well-formed, so one request can be followed from the proxy's log through
 * whichever node answered (the nginx config in deploy/ sets it); otherwise, or when malformed, a new
 * id. Every answer carries its id back in X-Request-Id.
 */
export function requestIdFor(trusted: boolean, header: string | string[] | undefined): string {
  if (trusted && typeof header === 'string' && REQUEST_ID.test(header)) return header;
  return newId();
}

/**
 * The Fastify instance, before any step: our request ids (a client's X-Request-Id is trusted only from our proxies),
 * the body limit and proxy trust from the configuration, zod schemas for validation and answers.
 */
export function createServer(config: Config, log: Logger): App {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    genReqId: (req) => requestIdFor(config.trustProxy !== false, req.headers['x-request-id']),
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: trustProxyOption(config.trustProxy),
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  return app;
}

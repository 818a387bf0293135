import Fastify, { type FastifyBaseLogger } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../../config/index.js';
import { newId } from '../../kernel/index.js';
import type { Logger } from '../log.js';
import type { App } from './app-type.js';

/**
 * The Fastify instance, before any step: our request ids (a client's X-Request-Id is not trusted),
 * the body limit and proxy trust from the configuration, zod schemas for validation and answers.
 */
export function createServer(config: Config, log: Logger): App {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    genReqId: () => newId(),
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  return app;
}

import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { App } from './app-type.js';

/**
 * Step: API documentation. The OpenAPI document is made from the routes' zod schemas, so this is
 * registered before any route; the UI is served at /docs.
 */
export async function apiDocs(app: App): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'tongban API',
        description:
          '郑州市一网通办政务服务平台 (tongban) JSON API. Errors: {"error":{"code","message","details"}}.',
        version: '1',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'tb_session' },
        },
      },
    },
    transform: jsonSchemaTransform,
    hideUntagged: false,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list' },
    staticCSP: false,
  });
}

/** The OpenAPI document as JSON, for clients that generate code from it. */
export function openApiRoute(app: App): void {
  app.get('/api/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}

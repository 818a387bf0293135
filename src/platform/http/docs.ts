import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { App } from './app-type.js';

/**
 * Contrast fixes over Swagger UI's stylesheet (WCAG 1.4.3, 4.5:1), each measured by axe in the
 * shell's browser test: white on the light method colours (2.0–3.6:1) becomes white on darker ones
 * (5.2–6.4:1); the Authorize button's green text, the grey "(query)" labels, the green accept note
 * and the header's light-blue links are darkened. Example bodies wrap instead of scrolling, so no
 * scroll box needs a keyboard stop (axe: scrollable-region-focusable).
 */
const DOCS_CSS = `
.swagger-ui .info .title small { background: #505a5f; }
.swagger-ui .info .title small.version-stamp { background: #00703c; }
.swagger-ui .info a,
.swagger-ui .info a .url { color: #1d70b8; text-decoration: underline; }
.swagger-ui .info a:hover,
.swagger-ui .info a:hover .url { color: #003078; }
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #1d70b8; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #00703c; }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #a04b00; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #b52d1f; }
.swagger-ui .opblock.opblock-patch .opblock-summary-method { background: #006b5e; }
.swagger-ui .opblock.opblock-head .opblock-summary-method,
.swagger-ui .opblock.opblock-options .opblock-summary-method { background: #6f42c1; }
.swagger-ui .btn.authorize { color: #00703c; border-color: #00703c; }
.swagger-ui .btn.authorize svg { fill: #00703c; }
.swagger-ui .parameter__in,
.swagger-ui .parameter__type,
.swagger-ui .parameter__deprecated,
.swagger-ui .prop-format { color: #505a5f; }
.swagger-ui .response-control-media-type--accept-controller .response-control-media-type__accept-message,
.swagger-ui .response-control-media-type--accept-controller .response-control-media-type__accept-message code { color: #005a00; }
.swagger-ui .highlight-code > .microlight,
.swagger-ui .highlight-code pre {
  max-height: none;
  overflow: visible;
  white-space: pre-wrap;
  word-break: break-word;
}
`;

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
    uiConfig: {
      docExpansion: 'list',
      // no "Explore" bar: its logo image had no text alternative, its URL box no label, and it
      // only loads other documents; this page documents this API alone
      layout: 'BaseLayout',
      // operation paths as plain text: a deep link inside each operation's toggle button nests
      // one control in another (axe: nested-interactive), which a screen reader cannot reach
      deepLinking: false,
      // examples in plain white on dark grey: the highlighter's red numbers are 3.5:1 there
      syntaxHighlight: false,
    },
    theme: { title: 'tongban API', css: [{ filename: 'tongban-a11y.css', content: DOCS_CSS }] },
    staticCSP: false,
  });
  // Swagger UI's page has no viewport meta, so a phone lays it out 980 px wide and scrolls sideways
  const VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">';
  app.addHook('onSend', async (req, reply, payload) => {
    const path = req.url.split('?')[0];
    if (
      (path === '/docs' || path === '/docs/') &&
      typeof payload === 'string' &&
      !payload.includes('name="viewport"')
    ) {
      reply.removeHeader('content-length');
      return payload.replace('<head>', `<head>\n      ${VIEWPORT}`);
    }
    return payload;
  });
}

/** The OpenAPI document as JSON, for clients that generate code from it. */
export function openApiRoute(app: App): void {
  app.get('/api/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}

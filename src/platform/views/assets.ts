import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DomainError } from '../../kernel/index.js';
import type { App } from '../http/app-type.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function loadAssets(): Map<string, { body: Buffer; type: string }> {
  const m = new Map<string, { body: Buffer; type: string }>();
  m.set('app.css', { body: readFileSync(join(here, 'assets/app.css')), type: 'text/css; charset=utf-8' });
  m.set('app.js', {
    body: readFileSync(join(here, 'assets/app.js')),
    type: 'text/javascript; charset=utf-8',
  });
  m.set('htmx.min.js', {
    body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js')),
    type: 'text/javascript; charset=utf-8',
  });
  return m;
}

/** The pages' stylesheet and scripts, read once at start; the same for everyone (no session). */
export function assetRoutes(app: App): void {
  const assets = loadAssets();
  app.get(
    '/assets/:file',
    {
      config: { permission: 'public', anonymous: true },
      schema: { hide: true, params: z.object({ file: z.string() }) },
    },
    async (req, reply) => {
      const a = assets.get(req.params.file);
      if (!a) throw new DomainError('COMMON.NOT_FOUND');
      return reply.type(a.type).header('cache-control', 'public, max-age=3600').send(a.body);
    },
  );
}

/**
 * Bare Fastify (the HTTP floor beside the app in bench/actions.bench.ts and bench/mixed.bench.ts):
 * the same framework and node, no hooks, no store. `POST /action` parses a JSON body and answers a
 * small JSON object, as a case action does without its work; `GET /healthz` answers `ok`.
 *   node --import tsx bench/bare-fastify.server.ts PORT
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/healthz', async () => 'ok');
app.post('/action', async (req) => ({ ok: true, action: (req.body as { action?: string })?.action ?? null }));
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 3990) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));

import { timingSafeEqual } from 'node:crypto';
import client from 'prom-client';
import { DomainError } from '../../kernel/index.js';
import type { Store } from '../db/index.js';
import type { EventBus } from '../events/index.js';
import type { Logger } from '../log.js';
import type { App } from './app-type.js';

/**
 * `GET /metrics` in the Prometheus text format (prom-client, one registry per app). What it
 * carries: the process (memory, CPU, event-loop delay, GC), request latency per route pattern,
 * the outbox (each consumer's lag, the depth behind the slowest), the store's pool, and what the
 * app adds through `gauge()` (case clocks, the log's size). Who may read it: docs/operations.md,
 * Watching it — a bearer token when TONGBAN_METRICS_TOKEN is set, otherwise only a caller on this
 * machine that did not come through a proxy.
 */
export interface Metrics {
  readonly registry: client.Registry;
  /** a gauge read when /metrics is scraped; `read` answers its samples (label values → value) */
  gauge(
    name: string,
    help: string,
    labelNames: readonly string[],
    read: () => Promise<Array<{ labels?: Record<string, string>; value: number }>>,
  ): void;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

export function createMetrics(log: Logger): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return {
    registry,
    gauge(name, help, labelNames, read) {
      new client.Gauge({
        name,
        help,
        labelNames: [...labelNames],
        registers: [registry],
        async collect() {
          this.reset();
          try {
            for (const s of await read()) {
              if (s.labels) this.set(s.labels, s.value);
              else this.set(s.value);
            }
          } catch (err) {
            // one failing source leaves its gauge empty; the scrape still answers
            log.warn({ err, metric: name }, 'metrics: a gauge could not be read');
          }
        },
      });
    },
  };
}

/** Whether this request may read /metrics (exported for the tests of the rule). */
export function metricsAllowed(
  req: {
    headers: Record<string, string | string[] | undefined>;
    socket: { remoteAddress?: string | undefined };
  },
  token: string | undefined,
): boolean {
  if (token) {
    const auth = req.headers.authorization;
    const got = Buffer.from(typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : '');
    const want = Buffer.from(token);
    return got.length === want.length && timingSafeEqual(got, want);
  }
  // no token: this machine only, and not through a proxy on this machine (it would forward anyone)
  return (
    LOOPBACK.test(req.socket.remoteAddress ?? '') &&
    req.headers['x-forwarded-for'] === undefined &&
    req.headers.forwarded === undefined &&
    req.headers['x-real-ip'] === undefined
  );
}

/** Request latency per route pattern: added first, so that every route is observed. */
export function observeRequests(app: App, metrics: Metrics): void {
  const latency = new client.Histogram({
    name: 'tongban_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern (not the raw URL) and status class',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metrics.registry],
  });
  app.addHook('onResponse', (req, reply, done) => {
    latency.observe(
      {
        method: req.method,
        // the pattern (/api/v1/cases/:caseNumber), so label values stay few; unmatched URLs are one
        route: req.routeOptions.url ?? 'unmatched',
        status: `${Math.floor(reply.statusCode / 100)}xx`,
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}

/** The outbox, the pool; and the /metrics route itself. */
export function metricsRoutes(
  app: App,
  metrics: Metrics,
  deps: { readonly store: Store; readonly events: EventBus; readonly token: string | undefined },
): void {
  let status: ReturnType<EventBus['status']> | undefined;
  // the consumers' status is read once per scrape for both gauges
  const readStatus = () => {
    status ??= deps.events.status().finally(() => {
      setTimeout(() => {
        status = undefined;
      }, 0);
    });
    return status;
  };
  metrics.gauge(
    'tongban_consumer_lag',
    'Committed events beyond each consumer’s position',
    ['consumer'],
    async () => (await readStatus()).map((s) => ({ labels: { consumer: s.name }, value: s.lag })),
  );
  metrics.gauge(
    'tongban_consumer_failing',
    '1 when a consumer’s last batch failed (it retries), else 0',
    ['consumer'],
    async () =>
      (await readStatus()).map((s) => ({ labels: { consumer: s.name }, value: s.lastError ? 1 : 0 })),
  );
  metrics.gauge(
    'tongban_outbox_depth',
    'Committed events the slowest consumer has not handled yet',
    [],
    async () => [{ value: Math.max(0, ...(await readStatus()).map((s) => s.lag)) }],
  );
  metrics.gauge(
    'tongban_store_pool_connections',
    'Store connections by state (PostgreSQL pool: total, idle, waiting requests; SQLite: one connection)',
    ['state'],
    async () => {
      const p = deps.store.poolStats?.();
      if (!p) return [{ labels: { state: 'total' }, value: 1 }];
      return [
        { labels: { state: 'total' }, value: p.total },
        { labels: { state: 'idle' }, value: p.idle },
        { labels: { state: 'waiting' }, value: p.waiting },
      ];
    },
  );

  app.get(
    '/metrics',
    // not a session route: its own check (token, or this machine without a proxy)
    { config: { permission: 'public', anonymous: true }, schema: { hide: true } },
    async (req, reply) => {
      if (!metricsAllowed(req.raw, deps.token))
        throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'metrics' } });
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).header('cache-control', 'no-store').send(body);
    },
  );
}

import type { Store } from '../db/index.js';
import { sql } from '../db/index.js';
import type { EventBus } from '../events/index.js';
import type { App } from './app-type.js';

/**
 * Health checks for the orchestrator: /healthz (liveness: the store answers) and /readyz
 * (readiness: every event consumer has caught up). Anonymous: no session is looked up.
 */
export function healthRoutes(
  app: App,
  deps: {
    readonly store: Store;
    readonly events: EventBus;
    /** the demo's history being generated in the background after the start (app.history.ts) */
    readonly demoHistory?: () => string;
  },
): void {
  app.get(
    '/healthz',
    { config: { permission: 'public', anonymous: true }, schema: { hide: true } },
    async () => {
      await sql`select 1`.execute(deps.store.db);
      return { status: 'ok' };
    },
  );
  app.get(
    '/readyz',
    { config: { permission: 'public', anonymous: true }, schema: { hide: true } },
    async (_req, reply) => {
      const st = await deps.events.status();
      const behind = st.filter((s) => s.lag > 0);
      // the demo city's year of history is still being generated: serving, but not yet lived-in
      const seeding = deps.demoHistory?.() === 'seeding';
      return reply.code(behind.length || seeding ? 503 : 200).send({
        status: seeding ? 'seeding' : behind.length ? 'catching-up' : 'ok',
        ...(deps.demoHistory ? { demoHistory: deps.demoHistory() } : {}),
        consumers: st,
      });
    },
  );
}

import type { Store } from '../db/index.js';
import { sql } from '../db/index.js';
import type { EventBus } from '../events/index.js';
import type { App } from './app-type.js';

/**
 * Health checks for the orchestrator: /healthz (liveness: the store answers) and /readyz
 * (readiness: every event consumer has caught up). Anonymous: no session is looked up.
 */
export function healthRoutes(app: App, deps: { readonly store: Store; readonly events: EventBus }): void {
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
      return reply
        .code(behind.length ? 503 : 200)
        .send({ status: behind.length ? 'catching-up' : 'ok', consumers: st });
    },
  );
}

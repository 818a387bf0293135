import { type BuildOptions, type TongbanApp, buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import type { Clock } from '../../src/kernel/index.js';
import type { Store } from '../../src/platform/db/index.js';
import { openTestStore } from './store.js';
import { storeFromTemplate, templateKey } from './template.js';

/**
 * The real app on a fresh test store. Consumers do not run on a timer: call `t.events.drain()`
 * to let them catch up. `demo: 'on'` gives it the demo city: under scripts/run-tests.mjs a copy of
 * the run's seeded template (template.ts; the app then does not seed, `seeded` is false), else
 * seeded here (slower; use once per file).
 */
export async function buildTestApp(
  opts: {
    demo?: 'on' | 'off';
    clock?: Clock;
    config?: Partial<Config>;
    /** SQLite as a node runs it (a file, group commit: openTestStore's `shipped`); PostgreSQL unchanged */
    shipped?: boolean;
  } & Partial<Pick<BuildOptions, 'startConsumers'>> = {},
): Promise<TongbanApp> {
  const config = testConfig(opts.config);
  const key = opts.demo === 'on' ? templateKey(config, opts.clock) : null;
  const seedTemplate = async (store: Store) => {
    // the seed only: no warm-up, nothing left running; each copy warms up as a restart would
    const s = await buildApp({
      config,
      store,
      clock: opts.clock,
      demo: 'on',
      startConsumers: false,
      warmUp: false,
    });
    await s.close();
  };
  const shipped = opts.shipped ?? Boolean(process.env.TONGBAN_TEST_SQLITE_FILE);
  const store =
    (key && (await storeFromTemplate(key, seedTemplate, { shipped }))) || (await openTestStore({ shipped }));
  const t = await buildApp({
    config,
    store,
    clock: opts.clock,
    demo: opts.demo ?? 'off',
    startConsumers: opts.startConsumers ?? false,
  });
  return {
    ...t,
    async close() {
      await t.close();
      await store.close();
    },
  };
}

/** Reads the CSRF cookie and token from a page, for form posts through inject(). */
export function csrfFrom(res: { body: string; cookies: Array<{ name: string; value: string }> }): {
  token: string;
  cookie: string;
} {
  const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
  const c = res.cookies.find((x) => x.name === 'tb_csrf');
  if (!m || !c) throw new Error('no CSRF token on the page');
  return { token: m[1]!, cookie: `tb_csrf=${c.value}` };
}

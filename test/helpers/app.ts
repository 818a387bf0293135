import { type BuildOptions, type TongbanApp, buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import type { Clock } from '../../src/kernel/index.js';
import { openTestStore } from './store.js';

/**
 * The real app on a fresh test store. Consumers do not run on a timer: call `t.events.drain()`
 * to let them catch up. `demo: 'on'` seeds the demo city (slower; use once per file).
 */
export async function buildTestApp(
  opts: { demo?: 'on' | 'off'; clock?: Clock; config?: Partial<Config> } & Partial<
    Pick<BuildOptions, 'startConsumers'>
  > = {},
): Promise<TongbanApp> {
  const store = await openTestStore();
  const t = await buildApp({
    config: testConfig(opts.config),
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

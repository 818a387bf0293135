import type { Config } from '../config/index.js';
import type { Clock } from '../kernel/index.js';
import { type Store, getMeta, setMeta } from './db/index.js';

const SEEDED = 'demo.seeded';

/** What this start does about the demo city, decided once, before any route or page reads it. */
export interface DemoCity {
  /** the store holds (or is about to hold) the demo city: pages say so */
  readonly demo: boolean;
  /** this start seeds it */
  readonly seed: boolean;
}

/**
 * Decides the demo city from the store and the configuration. `requested` is the caller's own
 * choice (the CLI, tests); 'auto' seeds a store that has no demo city yet, unless in production.
 */
export async function decideDemo(
  store: Store,
  config: Config,
  requested: 'on' | 'off' | 'auto' = config.demo,
): Promise<DemoCity> {
  const seeded = (await getMeta(store.db, SEEDED)) !== undefined;
  const seed = !seeded && (requested === 'on' || (requested === 'auto' && config.env !== 'production'));
  return { seed, demo: seeded || seed || config.demo === 'on' };
}

/** Records that the demo city is in the store, so no later start seeds it again. */
export async function markDemoSeeded(store: Store, clock: Clock): Promise<void> {
  const now = clock.now().toISOString();
  await setMeta(store.db, SEEDED, now, now);
}

import { type Config, ConfigError } from '../config/index.js';
import type { Clock } from '../kernel/index.js';
import { type Store, getMeta, setMeta, sql } from './db/index.js';

const SEEDED = 'demo.seeded';

/**
 * What this start serves, decided once from the store and the configuration, before any route or
 * page reads it. Fails closed: the demo city's accounts have a published password and the
 * development mailbox shows every message sent to anyone (reset links included), so neither
 * reaches production nor a store that holds real people's data, whatever the configuration
 * forgot to say.
 */
export interface Site {
  /** the store holds (or is about to hold) the demo city: pages say so */
  readonly demo: boolean;
  /** this start seeds the demo city */
  readonly seed: boolean;
  /** development aids that show other people's data (/dev/mailbox): not in production, and only on an empty or demo store */
  readonly devTools: boolean;
}

/**
 * Whether the store holds anything but the platform's own start-up data: every change of an
 * account, case, item or licence is an event in the outbox; the working calendar seeds its own
 * at the first start.
 */
async function holdsData(store: Store): Promise<boolean> {
  const r = await sql<{
    one: number;
  }>`select 1 as one from events where aggregate_type <> 'calendar' limit 1`.execute(store.db);
  return r.rows.length > 0;
}

/**
 * Decides the demo city from the store and the configuration. `requested` is the caller's own
 * choice (the CLI, tests); 'auto' seeds an empty store, unless in production. Seeding is refused
 * (a ConfigError, so the start stops) in production and into a store that holds other data.
 */
export async function decideSite(
  store: Store,
  config: Config,
  requested: 'on' | 'off' | 'auto' = config.demo,
): Promise<Site> {
  const production = config.env === 'production';
  const seeded = (await getMeta(store.db, SEEDED)) !== undefined;
  const empty = !seeded && !(await holdsData(store));
  if (!seeded && requested === 'on') {
    if (production)
      throw new ConfigError(
        'TONGBAN_DEMO',
        'the demo city (published passwords) is never seeded in production',
      );
    if (!empty)
      throw new ConfigError(
        'TONGBAN_DEMO',
        'the store holds accounts or cases and is not the demo city: the demo accounts (published passwords) are seeded only into an empty store',
      );
  }
  const seed = !seeded && empty && !production && requested !== 'off';
  return {
    seed,
    demo: seeded || seed || config.demo === 'on',
    devTools: !production && (seeded || empty),
  };
}

/** Records that the demo city is in the store, so no later start seeds it again. */
export async function markDemoSeeded(store: Store, clock: Clock): Promise<void> {
  const now = clock.now().toISOString();
  await setMeta(store.db, SEEDED, now, now);
}

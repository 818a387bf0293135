/**
 * The child process of the crash test (src/modules/ledger/ledger.crash.int.test.ts): runs the app on a SQLite file
 * with its consumers on their timer, appends events without pause and publishes checkpoints,
 * printing each checkpoint it published, until it is killed with SIGKILL.
 */
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { systemClock } from '../../src/kernel/index.js';
import { openStore } from '../../src/platform/db/index.js';
import { appendEvents } from '../../src/platform/events/index.js';
import { ledgerOf } from '../../src/modules/ledger/index.js';

const file = process.argv[2];
if (!file) throw new Error('usage: ledger.crash-child.ts <sqlite file>');
const store = await openStore({ sqliteFile: file, sqliteSynchronous: 'NORMAL' });
const t = await buildApp({ config: testConfig(), store, demo: 'off', startConsumers: true });
const ledger = ledgerOf(t.modules);
let k = 0;
for (;;) {
  await store.db.transaction().execute((trx) =>
    appendEvents(
      trx,
      systemClock,
      Array.from({ length: 100 }, () => {
        k++;
        return {
          type: k % 4 === 0 ? 'stats.ignored' : 'cases.accepted',
          aggregateType: 'case',
          aggregateId: `c-${k}`,
        };
      }),
    ),
  );
  t.events.poke();
  if (k % 500 === 0) {
    const c = await ledger.publishCheckpoint();
    process.stdout.write(`CHECKPOINT ${JSON.stringify(c)}\n`);
  }
  await new Promise((r) => setImmediate(r));
}

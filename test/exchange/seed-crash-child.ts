/**
 * The child process of the seed crash test (src/modules/exchange/exchange.seed.crash.int.test.ts):
 * runs `tongban seed --scale`'s register load on the store it is given, with the CLI's progress
 * lines on stderr, until it finishes or is killed with SIGKILL.
 */
import { buildApp } from '../../src/app.js';
import { createProgress } from '../../src/cli/progress.js';
import { testConfig } from '../../src/config/index.js';
import { openStore } from '../../src/platform/db/index.js';

const [where, people, companies] = process.argv.slice(2);
if (!where || !people || !companies)
  throw new Error('usage: seed-crash-child.ts <sqlite file | postgres url> <people> <companies>');
const store = await openStore(where.startsWith('postgres') ? { databaseUrl: where } : { sqliteFile: where });
const t = await buildApp({ config: testConfig(), store, demo: 'off', startConsumers: false, warmUp: false });
const exchange = t.modules.find((m) => m.name === 'exchange');
await exchange?.seedScale?.({
  scale: 'zhengzhou',
  people: Number(people),
  companies: Number(companies),
  progress: (label, total) => createProgress(label, total, process.stderr),
});
process.stdout.write('SEEDED\n');
await t.close();
await store.close();

/**
 * The exchange bench's server, in its own process (the load generator runs in the parent):
 *   app FILE   the real app over a SQLite file (WAL, synchronous=FULL as in production) — or, when
 *              FILE is a postgres:// URL, over that PostgreSQL database — with the demo seeded and a
 *              consumer granted the population register at a rate no bench reaches; prints one
 *              JSON line {port, clientId, clientSecret, key}
 *   app-single FILE  the same with one commit per lookup (no grouping)
 *   bare       bare Fastify answering the same POST with a fixed JSON body; prints {port}
 * On 'cpu' it answers its CPU time so far (µs), after its log consumers have caught up.
 */
import Fastify from 'fastify';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { chinaDate } from '../src/kernel/index.js';
import { openStore, sql } from '../src/platform/db/index.js';
import { DEMO_PEOPLE } from '../src/modules/identity/index.js';
import { DEMO_RESOURCES } from '../src/modules/exchange/index.js';

const [mode, file] = process.argv.slice(2);
/** the app's log consumers have handled every event committed so far (before the CPU is read) */
let caughtUp = async (): Promise<void> => {};
const portOf = (a: unknown) => (typeof a === 'object' && a ? (a as { port: number }).port : 0);

if (mode === 'bare') {
  const app = Fastify();
  app.post('/api/v1/exchange/lookup', async () => ({ record: { name: '张*', gender: '男' }, accessId: 'x' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(JSON.stringify({ port: portOf(app.server.address()) }));
} else if ((mode === 'app' || mode === 'app-single') && file) {
  const store = file.startsWith('postgres://')
    ? await openStore({ databaseUrl: file })
    : await openStore({ sqliteFile: file, sqliteSynchronous: 'FULL' });
  const t = await buildApp({ config: testConfig({ logLevel: 'warn' }), store, demo: 'on' });
  // app-single: one transaction (one fsync) per lookup, to compare with grouped commits
  if (mode === 'app-single') t.exchange.service.setGroupCommits(false);
  const dept = (
    await sql<{
      id: string;
    }>`select id from regions_departments where kind = 'fgj' and region_code = '410100'`.execute(store.db)
  ).rows[0]!.id;
  const c = await t.exchange.addConsumer({ departmentId: dept, name: 'bench' });
  const today = chinaDate(new Date());
  const seedPrincipal = {
    accountId: 'bench',
    kind: 'staff' as const,
    login: 'bench',
    displayName: 'bench',
    realNameLevel: 0 as const,
    grants: [],
    via: 'bearer' as const,
  };
  const { requestResource } = await import('../src/modules/exchange/exchange.grants.js');
  await requestResource(
    t.exchange.service.ctx,
    seedPrincipal,
    {
      resource: DEMO_RESOURCES.population,
      fields: ['idNumber', 'name', 'gender', 'birthDate', 'division', 'householdType'],
      clearFields: ['gender', 'division'],
      purpose: '基准测试：公共租赁住房资格核验',
      legalBasis: '《公共租赁住房管理办法》第七条',
      period: { from: today, to: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}` },
      volume: 100_000_000,
      ratePerMinute: 10_000_000,
    },
    { departmentId: dept },
  );
  (globalThis as { gcStats?: unknown }).gcStats = store.groupCommit;
  caughtUp = () => t.events.drain();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  console.log(
    JSON.stringify({
      port: portOf(t.app.server.address()),
      clientId: c.client_id,
      clientSecret: c.client_secret,
      key: DEMO_PEOPLE.citizen.idNumber,
    }),
  );
} else {
  console.error('usage: exchange.server.ts app FILE | bare');
  process.exit(2);
}
process.on('message', (m) => {
  if (m === 'stop') {
    if (process.env.GC_STATS) console.error(JSON.stringify((globalThis as { gcStats?: unknown }).gcStats));
    process.exit(0);
  }
  if (m === 'cpu') {
    // the consumers' work for the events of a window counts in that window (they run after the
    // answers: a ledger leaf, the statistics)
    void caughtUp()
      .catch(() => {})
      .then(() => {
        const u = process.cpuUsage();
        process.send?.(u.user + u.system);
      });
  }
});

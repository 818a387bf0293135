/**
 * The search bench's server, in its own process so its RSS is the server's alone.
 *   prepare FILE  seeds the demo city and the Zhengzhou-scale corpus into a SQLite file, then exits
 *   serve FILE    starts the app over that file (the index is built at start), listens on
 *                 127.0.0.1, and prints one JSON line: port, RSS, documents, build time
 */
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { openStore } from '../src/platform/db/index.js';
import { type SearchService, searchServiceOf } from '../src/modules/search/index.js';

const [mode, file] = process.argv.slice(2);
if (!file || (mode !== 'prepare' && mode !== 'serve')) {
  console.error('usage: search.server.ts prepare|serve FILE');
  process.exit(2);
}
const store = await openStore({ sqliteFile: file, sqliteSynchronous: 'NORMAL' });
const silent = () => ({ tick() {}, done() {} });

if (mode === 'prepare') {
  const t = await buildApp({
    config: testConfig({ logLevel: 'warn' }),
    store,
    demo: 'on',
    startConsumers: false,
  });
  for (const m of t.modules) await m.seedScale?.({ scale: 'zhengzhou', progress: silent });
  await t.close();
  await store.close();
  process.exit(0);
}

const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
const t0 = performance.now();
const t = await buildApp({
  config: testConfig({ logLevel: 'warn' }),
  store,
  demo: 'off',
  startConsumers: false,
});
const search = searchServiceOf(t.modules) as SearchService;
await t.app.listen({ host: '127.0.0.1', port: 0 });
const startMs = performance.now() - t0;
(globalThis as { gc?: () => void }).gc?.();
const addr = t.app.server.address();
const port = typeof addr === 'object' && addr ? addr.port : 0;
const st = search.status();
const mem = process.memoryUsage();
console.log(
  JSON.stringify({
    port,
    rssBeforeMb,
    heapTotalMb: mem.heapTotal / 2 ** 20,
    rssMb: mem.rss / 2 ** 20,
    heapMb: mem.heapUsed / 2 ** 20,
    arrayBuffersMb: mem.arrayBuffers / 2 ** 20,
    documents: st.documents,
    terms: st.terms,
    buildMs: st.buildMs,
    startMs,
  }),
);
process.on('message', async (msg) => {
  if (msg === 'rss') {
    process.send?.({ rssMb: process.memoryUsage().rss / 2 ** 20 });
  }
  if (msg === 'stop') {
    await t.close();
    await store.close();
    process.exit(0);
  }
});

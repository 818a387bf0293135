import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TongbanApp, buildApp } from '../../src/app.js';
import { type RateLimits, testConfig } from '../../src/config/index.js';
import { systemClock } from '../../src/kernel/index.js';
import { createDisclosureService } from '../../src/modules/disclosure/index.js';
import { type Store, openStore, sql } from '../../src/platform/db/index.js';
import { incrementCounter } from '../../src/platform/http/rate-store.js';
import { type NewEvent, appendEvents } from '../../src/platform/events/index.js';
import { RATE_LIMITS } from '../../src/config/rate-limits.js';
import { WebSession } from '../helpers/session.js';
import { type ScratchDatabase, openTestStore, scratchDatabase } from '../helpers/store.js';

/**
 * Several app nodes on one PostgreSQL store, as behind the proxy in deploy/nginx.conf: nothing a
 * request needs lives only in one node's memory. Three nodes in this process, each with its own
 * pool, its own consumers and its own search index. (SQLite is one node by construction: the
 * counter itself is checked on it below.)
 */
const pgBase = process.env.TONGBAN_TEST_DATABASE_URL;
const MAX = 3;
const small = Object.fromEntries(
  Object.entries(RATE_LIMITS).map(([k, v]) => [k, { ...v, max: MAX, windowMs: 60_000 }]),
) as RateLimits;

describe('the store-backed rate-limit counter', () => {
  let store: Store;
  before(async () => {
    store = await openTestStore();
    const { rateCounterMigrations } = await import('../../src/platform/http/rate-store.js');
    const { migrate } = await import('../../src/platform/db/index.js');
    await migrate(store.db, rateCounterMigrations);
  });
  after(async () => store.close());

  test('counts per key within a window, starts again after it, atomically under concurrent increments', async () => {
    const t0 = 1_000_000;
    assert.deepEqual(await incrementCounter(store.db, 'k', 1000, t0), { current: 1, ttl: 1000 });
    assert.deepEqual(await incrementCounter(store.db, 'k', 1000, t0 + 400), { current: 2, ttl: 600 });
    assert.equal((await incrementCounter(store.db, 'other', 1000, t0 + 400)).current, 1);
    assert.deepEqual(await incrementCounter(store.db, 'k', 1000, t0 + 1000), { current: 1, ttl: 1000 });
    const all = await Promise.all(
      Array.from({ length: 40 }, () => incrementCounter(store.db, 'race', 60_000, t0)),
    );
    assert.deepEqual(
      all.map((r) => r.current).sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i + 1),
      'every increment counted once',
    );
  });
});

describe('three nodes on one PostgreSQL store', {
  skip: pgBase ? false : 'needs TONGBAN_TEST_DATABASE_URL',
}, () => {
  let db: ScratchDatabase;
  const stores: Store[] = [];
  const nodes: TongbanApp[] = [];

  before(async () => {
    db = await scratchDatabase(pgBase!, 'tongban_nodes');
    for (let i = 0; i < 3; i++) {
      const store = await openStore({ databaseUrl: db.url, poolSize: 4 });
      stores.push(store);
      // the first node seeds the demo city; the others start on the seeded store
      nodes.push(
        await buildApp({
          config: testConfig({ rateLimits: small }),
          store,
          demo: i === 0 ? 'on' : 'off',
          startConsumers: false,
        }),
      );
    }
  });
  after(async () => {
    for (const n of nodes) await n.close();
    for (const s of stores) await s.close();
    await db?.drop();
  });

  test('a session made on one node works on the others', async () => {
    const b = new WebSession(nodes[0]!);
    const r = await b.login('citizen');
    assert.equal(r.statusCode, 303);
    for (const n of nodes) {
      const me = await n.app.inject({
        url: '/api/v1/me',
        headers: { cookie: b.cookie, accept: 'application/json' },
      });
      assert.equal(me.statusCode, 200, me.body);
      assert.equal((me.json() as { login: string }).login, 'citizen');
    }
  });

  test('a rate limit holds across nodes: the allowance is shared, not per node', async () => {
    const remoteAddress = '198.51.100.77';
    const codes: number[] = [];
    for (let i = 0; i <= MAX; i++) {
      const r = await nodes[i % 3]!.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        remoteAddress,
        payload: { kind: 'person', login: `spread${i}`, password: 'x' },
      });
      codes.push(r.statusCode);
    }
    assert.deepEqual(codes.slice(0, MAX), Array(MAX).fill(400), 'answered (a bad form) while allowed');
    assert.equal(codes[MAX], 429, `the ${MAX + 1}th call, on another node than the first, is refused`);
    const elsewhere = await nodes[2]!.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      remoteAddress: '198.51.100.78',
      payload: { kind: 'person', login: 'x', password: 'x' },
    });
    assert.equal(elsewhere.statusCode, 400, 'another address has its own allowance');
  });

  test('each event is consumed once while all three nodes consume at once', async () => {
    const seen = stores[0]!.db.withTables<{ test_seen: { event_id: string; node: number; n: number } }>();
    await sql`create table test_seen (event_id text primary key, node integer not null, n integer not null)`.execute(
      stores[0]!.db,
    );
    // a consumer of the test's own, registered on every node before they start
    const N = 300;
    for (const [i, n] of nodes.entries())
      n.events.register({
        name: 'test.count',
        batchSize: 7,
        async handle(trx, events) {
          for (const e of events.filter((x) => x.type === 'test.counted'))
            await trx
              .withTables<{ test_seen: { event_id: string; node: number; n: number } }>()
              .insertInto('test_seen')
              .values({ event_id: e.id, node: i, n: 1 })
              .onConflict((oc) =>
                oc.column('event_id').doUpdateSet((eb) => ({ n: eb('test_seen.n', '+', 1) })),
              )
              .execute();
        },
      });
    const events: NewEvent[] = Array.from({ length: N }, (_, k) => ({
      type: 'test.counted',
      aggregateType: 'note',
      aggregateId: `n-${k}`,
    }));
    for (let k = 0; k < N; k += 50)
      await stores[0]!.db
        .transaction()
        .execute((trx) => appendEvents(trx, systemClock, events.slice(k, k + 50)));
    for (let round = 0; round < 200; round++) {
      await Promise.all(nodes.map((n) => n.events.drain()));
      const c = await seen
        .selectFrom('test_seen')
        .select((eb) => eb.fn.countAll<number>().as('c'))
        .executeTakeFirstOrThrow();
      if (Number(c.c) >= N) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const rows = await seen.selectFrom('test_seen').selectAll().execute();
    assert.equal(rows.length, N, 'every event handled');
    assert.deepEqual(
      rows.filter((r) => Number(r.n) !== 1),
      [],
      'none handled twice',
    );
  });

  test('a published item is searchable on every node (each index refreshes from the events)', async () => {
    const disclosure = createDisclosureService({ store: stores[0]!, clock: systemClock });
    const t0 = performance.now();
    const p = await disclosure.publish({
      regionCode: '410105',
      department: '金水区教育局',
      domain: '教育',
      category: '通知公告',
      title: '金水区2026年秋季学期义务教育阶段转学办理指南',
      body: '转学申请通过义务教育招生入学服务平台办理，转入学校在五个工作日内答复。',
      publishedOn: '2026-08-20',
    });
    const found: number[] = [];
    for (const [i, n] of nodes.entries()) {
      // the nodes poll the stream every 500 ms on their own timers; a bounded wait (no timing assertion)
      for (let k = 0; k < 400; k++) {
        // each poll from its own address: the search limit is shared by the nodes too
        const r = await n.app.inject({
          url: `/api/v1/search?q=${encodeURIComponent('转学办理指南')}`,
          remoteAddress: `203.0.113.${(k % 250) + 1}`,
        });
        assert.equal(r.statusCode, 200, r.body);
        const hits = (r.json() as { hits: Array<{ id?: string; url?: string }> }).hits;
        if (hits.some((h) => JSON.stringify(h).includes(p.id))) {
          found[i] = performance.now() - t0;
          break;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(found[i] !== undefined, `node ${i + 1} never found the publication`);
    }
    // the figure, for docs/benchmarks.md (not asserted: the machine is shared)
    console.log(`# searchable on all three nodes after ${Math.round(Math.max(...found))} ms`);
  });
});

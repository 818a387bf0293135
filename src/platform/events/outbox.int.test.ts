import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { openTestStore, testDialect } from '../../../test/helpers/store.js';
import { ManualClock } from '../../kernel/index.js';
import { type Store, inTransaction, migrate, sql } from '../db/index.js';
import { EventBus, appendEvents, eventsMigrations } from './index.js';

/** Counts the inserts into event_consumers that go through a store. */
function countingConsumerInserts(store: Store): { store: Store; inserts: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      const node = args.node as RootOperationNode & { into?: { table?: { identifier?: { name?: string } } } };
      if (node.kind === 'InsertQueryNode' && node.into?.table?.identifier?.name === 'event_consumers') n++;
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
  return { store: { ...store, db: store.db.withPlugin(plugin) }, inserts: () => n };
}

describe(`event bus on ${testDialect()}`, () => {
  let store: Store;
  const clock = new ManualClock('2026-01-05T01:00:00Z');
  const append = (n: number, prefix: string) =>
    inTransaction(store.db, (trx) =>
      appendEvents(
        trx,
        clock,
        Array.from({ length: n }, (_, i) => ({
          type: 'test.lag',
          aggregateType: 'note',
          aggregateId: `${prefix}${i}`,
        })),
      ),
    );

  before(async () => {
    store = await openTestStore();
    await migrate(store.db, eventsMigrations);
  });
  after(async () => store.close());

  test('a consumer’s position row is created once per bus, not on every batch', async () => {
    const counting = countingConsumerInserts(store);
    const bus = new EventBus(counting.store, clock);
    const seen: string[] = [];
    bus.register({
      name: 'test.ensure-once',
      async handle(_trx, events) {
        seen.push(...events.map((e) => e.aggregateId));
      },
    });
    for (let i = 0; i < 5; i++) await bus.drain(); // idle batches
    await append(2, 'once-');
    await bus.drain();
    await bus.drain();
    assert.deepEqual(seen, ['once-0', 'once-1']);
    assert.equal(counting.inserts(), 1);
    // the row it made is the one later batches move
    const st = await bus.status();
    assert.equal(st[0]?.processed, 2);
    assert.equal(st[0]?.lag, 0);
  });

  test('lag counts the committed events beyond each consumer’s position; rolled-back appends leave none', async () => {
    const bus = new EventBus(store, clock);
    bus.register({ name: 'test.lag', async handle() {} });
    const total = Number(
      (await sql<{ n: number | string }>`select count(*) as n from events`.execute(store.db)).rows[0]?.n,
    );
    assert.ok(total > 0);
    // never run: the whole stream is ahead of it
    assert.equal((await bus.status())[0]?.lag, total);
    await bus.drain();
    assert.equal((await bus.status())[0]?.lag, 0);
    // a transaction that rolls back takes sequence numbers (on PostgreSQL) but adds no event
    await assert.rejects(
      inTransaction(store.db, async (trx) => {
        await appendEvents(trx, clock, [
          { type: 'test.lag', aggregateType: 'note', aggregateId: 'gone-0' },
          { type: 'test.lag', aggregateType: 'note', aggregateId: 'gone-1' },
        ]);
        throw new Error('rolled back');
      }),
    );
    await append(3, 'lag-');
    const st = await bus.status();
    assert.equal(st[0]?.lag, 3);
    assert.equal(st[0]?.processed, total);
    await bus.drain();
    assert.equal((await bus.status())[0]?.lag, 0);
  });
});

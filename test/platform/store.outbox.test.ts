import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../src/kernel/index.js';
import { type Store, inTransaction, migrate, sql } from '../../src/platform/db/index.js';
import {
  type EventRecord,
  EventBus,
  appendEvent,
  appendEvents,
  eventsMigrations,
  readEvents,
} from '../../src/platform/events/index.js';
import { openTestStore, testDialect } from '../helpers/store.js';

/** The same store tests on SQLite and PostgreSQL (TONGBAN_TEST_DATABASE_URL selects the latter). */
describe(`store and outbox on ${testDialect()}`, () => {
  let store: Store;
  const clock = new ManualClock('2026-01-05T01:00:00Z');
  type T = { notes: { id: string; body: string } };

  const migrations = {
    ...eventsMigrations,
    'test.0001_notes': {
      async up(db: Parameters<(typeof eventsMigrations)[string]['up']>[0]) {
        await db.schema
          .createTable('notes')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('body', 'text')
          .execute();
      },
    },
  };
  before(async () => {
    store = await openTestStore();
    await migrate(store.db, migrations);
  });
  after(async () => store.close());

  test('migrations are idempotent', async () => {
    const again = await migrate(store.db, migrations);
    assert.deepEqual(again, []);
  });

  test('a failed transaction leaves neither the change nor its event', async () => {
    await assert.rejects(
      inTransaction(store.db, async (trx) => {
        await trx.withTables<T>().insertInto('notes').values({ id: 'n1', body: 'x' }).execute();
        await appendEvent(trx, clock, { type: 'test.noted', aggregateType: 'note', aggregateId: 'n1' });
        throw new Error('boom');
      }),
    );
    const notes = await store.db.withTables<T>().selectFrom('notes').selectAll().execute();
    const events = await readEvents(store.db, { tx: '0', seq: 0 }, 10);
    assert.equal(notes.length, 0);
    assert.equal(events.length, 0);
  });

  test('a committed change and its event appear together, in order', async () => {
    for (let i = 0; i < 3; i++) {
      await inTransaction(store.db, async (trx) => {
        await trx
          .withTables<T>()
          .insertInto('notes')
          .values({ id: `c${i}`, body: 'x' })
          .execute();
        await appendEvent(trx, clock, {
          type: 'test.noted',
          aggregateType: 'note',
          aggregateId: `c${i}`,
          regionCode: '410105',
        });
      });
    }
    // On PostgreSQL the stream is read only below the oldest transaction still open in the
    // cluster (pg_snapshot_xmin), which other databases' transactions (parallel test files) can
    // hold back for a moment: wait, boundedly, until the three committed events are readable.
    let events = await readEvents(store.db, { tx: '0', seq: 0 }, 10);
    for (let i = 0; i < 100 && events.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      events = await readEvents(store.db, { tx: '0', seq: 0 }, 10);
    }
    assert.deepEqual(
      events.map((e) => e.aggregateId),
      ['c0', 'c1', 'c2'],
    );
  });

  test('a consumer handles each event once, resumes from its position, and a failing batch is retried whole', async () => {
    const seen: string[] = [];
    let failNext = true;
    const mk = () => {
      const bus = new EventBus(store, clock);
      bus.register({
        name: 'test.collector',
        batchSize: 2,
        async handle(trx, events: EventRecord[]) {
          // the effect is written through trx: it commits with the position, or not at all
          for (const e of events) {
            await trx
              .withTables<T>()
              .insertInto('notes')
              .values({ id: `seen-${e.id}`, body: e.aggregateId })
              .execute();
          }
          if (failNext) {
            failNext = false;
            throw new Error('simulated crash inside the batch');
          }
          seen.push(...events.map((e) => e.aggregateId));
        },
      });
      return bus;
    };
    const bus1 = mk();
    await assert.rejects(bus1.drain(), /simulated crash/);
    // after the failure nothing of the failed batch was kept
    const partial = await store.db
      .withTables<T>()
      .selectFrom('notes')
      .selectAll()
      .where('id', 'like', 'seen-%')
      .execute();
    assert.equal(partial.length, 0);
    await bus1.drain();
    assert.deepEqual(seen, ['c0', 'c1', 'c2']);
    // a "restarted" process: a new bus with the same consumer name sees nothing old
    await inTransaction(store.db, (trx) =>
      appendEvents(trx, clock, [{ type: 'test.noted', aggregateType: 'note', aggregateId: 'c3' }]),
    );
    const bus2 = mk();
    await bus2.drain();
    assert.deepEqual(seen, ['c0', 'c1', 'c2', 'c3']);
    const st = await bus2.status();
    assert.equal(st[0]?.lag, 0);
    assert.equal(st[0]?.processed, 4);
    const effects = await store.db
      .withTables<T>()
      .selectFrom('notes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('id', 'like', 'seen-%')
      .executeTakeFirst();
    assert.equal(Number(effects?.n), 4);
  });

  test('thousands of events in one call are all written', async () => {
    const before = (await readEvents(store.db, { tx: '0', seq: 0 }, 100_000)).length;
    const many = Array.from({ length: 5000 }, (_, i) => ({
      type: 'test.bulk',
      aggregateType: 'note',
      aggregateId: `b${i}`,
    }));
    await inTransaction(store.db, (trx) => appendEvents(trx, clock, many));
    const after = (await readEvents(store.db, { tx: '0', seq: 0 }, 100_000)).length;
    assert.equal(after - before, 5000);
  });

  test('concurrent writers never let a consumer skip an event', async () => {
    // many transactions in flight at once; the consumer polls between them
    const bus = new EventBus(store, clock);
    const got = new Set<string>();
    bus.register({
      name: 'test.concurrent',
      async handle(_trx, events) {
        for (const e of events) got.add(e.aggregateId);
      },
    });
    const writes = Array.from({ length: 60 }, (_, i) =>
      inTransaction(store.db, async (trx) => {
        await appendEvent(trx, clock, {
          type: 'test.concurrent',
          aggregateType: 'note',
          aggregateId: `w${i}`,
        });
        if (i % 7 === 0) await sql`select 1`.execute(trx);
      }),
    );
    const polling = (async () => {
      for (let i = 0; i < 20; i++) await bus.drain();
    })();
    await Promise.all([...writes, polling]);
    await bus.drain();
    for (let i = 0; i < 60; i++) assert.ok(got.has(`w${i}`), `w${i} missing`);
  });
});

describe('outbox upgrade on SQLite: seq without AUTOINCREMENT', { skip: testDialect() !== 'sqlite' }, () => {
  test('the rebuilt table keeps every event and its seq; new events follow the largest', async () => {
    const store = await openTestStore();
    try {
      const clock = new ManualClock('2026-01-05T01:00:00Z');
      const { 'events.0003_sqlite_plain_seq': plain, ...before } = eventsMigrations;
      assert.ok(plain);
      await migrate(store.db, before);
      await inTransaction(store.db, (trx) =>
        appendEvents(
          trx,
          clock,
          Array.from({ length: 5 }, (_, i) => ({ type: 'test.e', aggregateType: 'x', aggregateId: `a${i}` })),
        ),
      );
      const old = await readEvents(store.db, { tx: '0', seq: 0 }, 100);
      await migrate(store.db, eventsMigrations);
      const kept = await readEvents(store.db, { tx: '0', seq: 0 }, 100);
      assert.deepEqual(
        kept.map((e) => [e.seq, e.id, e.aggregateId]),
        old.map((e) => [e.seq, e.id, e.aggregateId]),
      );
      await inTransaction(store.db, (trx) =>
        appendEvent(trx, clock, { type: 'test.e', aggregateType: 'x', aggregateId: 'after' }),
      );
      const all = await readEvents(store.db, { tx: '0', seq: 0 }, 100);
      assert.equal(all.at(-1)?.aggregateId, 'after');
      assert.equal(all.at(-1)?.seq, (old.at(-1)?.seq ?? 0) + 1);
      const sqlText = await sql<{ sql: string }>`select sql from sqlite_master where name = 'events'`.execute(
        store.db,
      );
      assert.doesNotMatch(sqlText.rows[0]?.sql ?? '', /autoincrement/i);
    } finally {
      await store.close();
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { openTestStore, scratchDatabase, scratchStore, testDialect } from '../../../test/helpers/store.js';
import { ManualClock } from '../../kernel/index.js';
import { type Executor, type Store, inTransaction, migrate, openStore, sql } from '../db/index.js';
import { type EventRecord, EventBus, appendEvents, eventsMigrations, readEvents } from './index.js';
import { pgWakeups } from './wakeups.js';

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

/** `n` events of `type` about notes `${prefix}0`, `${prefix}1`, … in one transaction */
const appendNotes = (store: Store, clock: ManualClock, type: string, n: number, prefix: string) =>
  inTransaction(store.db, (trx) =>
    appendEvents(
      trx,
      clock,
      Array.from({ length: n }, (_, i) => ({ type, aggregateType: 'note', aggregateId: `${prefix}${i}` })),
    ),
  );

describe(`event bus on ${testDialect()}`, () => {
  let store: Store;
  const clock = new ManualClock('2026-01-05T01:00:00Z');
  const append = (n: number, prefix: string) => appendNotes(store, clock, 'test.lag', n, prefix);

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

  test('consumers at one position are handed frozen events: one that changes an event cannot change what the next sees', async () => {
    await inTransaction(store.db, (trx) =>
      appendEvents(trx, clock, [
        {
          type: 'test.frozen',
          aggregateType: 'note',
          aggregateId: 'f0',
          payload: { n: 1, list: [{ k: 'a' }] },
        },
      ]),
    );
    const bus = new EventBus(store, clock, { pollMs: 600_000 });
    const refused: string[] = [];
    const seen: unknown[] = [];
    const frozen: boolean[] = [];
    const attempt = (what: string, f: () => void) => {
      try {
        f();
      } catch (e) {
        if (e instanceof TypeError) refused.push(what);
        else throw e;
      }
    };
    bus.register({
      name: 'test.frozen.writer',
      async handle(_trx, events) {
        for (const e of events.filter((x) => x.type === 'test.frozen')) {
          const p = e.payload as { n: number; list: Array<{ k: string }>; extra?: boolean };
          attempt('set', () => {
            p.n = 99;
          });
          attempt('add', () => {
            p.extra = true;
          });
          attempt('nested', () => {
            p.list[0]!.k = 'changed';
          });
          attempt('push', () => void p.list.push({ k: 'pushed' }));
          attempt('record', () => {
            (e as { type: string }).type = 'test.changed';
          });
        }
      },
    });
    bus.register({
      name: 'test.frozen.reader',
      async handle(_trx, events) {
        for (const e of events.filter((x) => x.type === 'test.frozen' || x.type === 'test.changed')) {
          seen.push({ type: e.type, payload: structuredClone(e.payload) });
          const list = (e.payload as { list: unknown[] }).list;
          frozen.push(
            Object.isFrozen(e),
            Object.isFrozen(e.payload),
            Object.isFrozen(list),
            Object.isFrozen(list[0]),
          );
        }
      },
    });
    // poke(): the round that reads once for both consumers (SQLite), as the running app does
    bus.poke();
    await bus.drain();
    assert.deepEqual(seen, [{ type: 'test.frozen', payload: { n: 1, list: [{ k: 'a' }] } }]);
    assert.deepEqual(frozen, [true, true, true, true]);
    assert.deepEqual(refused, ['set', 'add', 'nested', 'push', 'record']);
  });

  test('the fallback poll’s timer is unref’d: a started bus alone keeps no process alive', async () => {
    const bus = new EventBus(store, clock, { pollMs: 123_457 });
    bus.register({ name: 'test.unref', async handle() {} });
    const timers: NodeJS.Timeout[] = [];
    const real = globalThis.setTimeout;
    globalThis.setTimeout = ((fn: () => void, ms?: number, ...rest: unknown[]) => {
      const t = real(fn, ms, ...rest);
      if (ms === 123_457) timers.push(t as unknown as NodeJS.Timeout);
      return t;
    }) as typeof setTimeout;
    try {
      bus.start();
    } finally {
      globalThis.setTimeout = real;
    }
    try {
      assert.equal(timers.length, 1, 'start() set the fallback poll');
      assert.equal(timers[0]!.hasRef(), false);
    } finally {
      await bus.stop();
    }
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

describe(`event bus on ${testDialect()}: consumers woken while writes go on`, () => {
  let store: Store;
  let dir: string | undefined;
  const clock = new ManualClock('2026-01-05T01:00:00Z');
  type Seen = { seen: { consumer: string; event_id: string; seq: number } };

  before(async () => {
    // SQLite: a file synced on every commit, as shipped (group commit, a reader connection)
    if (testDialect() === 'sqlite') {
      dir = mkdtempSync(join(tmpdir(), 'tongban-bus-'));
      store = await openStore({ sqliteFile: join(dir, 'bus.sqlite'), sqliteSynchronous: 'FULL' });
    } else store = await openTestStore();
    await migrate(store.db, eventsMigrations);
    await sql`create table seen (consumer text not null, event_id text not null, seq integer not null)`.execute(
      store.db,
    );
  });
  after(async () => {
    await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('several consumers at different positions each handle every event once, in order', async () => {
    const bus = new EventBus(store, clock);
    let failures = 0;
    const consumer = (name: string, batchSize: number, fail = 0) => ({
      name,
      batchSize,
      async handle(trx: Executor, events: EventRecord[]) {
        for (const e of events)
          await trx
            .withTables<Seen>()
            .insertInto('seen')
            .values({ consumer: name, event_id: e.id, seq: e.seq })
            .execute();
        // a failing batch leaves nothing and is read again
        if (failures < fail) {
          failures++;
          throw new Error('simulated failure');
        }
      },
    });
    bus.register(consumer('test.small', 3));
    bus.register(consumer('test.large', 500));
    bus.register(consumer('test.failing', 7, 2));
    // one consumer far ahead of the others before the bus starts
    const first = await inTransaction(store.db, (trx) =>
      appendEvents(
        trx,
        clock,
        Array.from({ length: 20 }, (_, i) => ({
          type: 'test.bus',
          aggregateType: 'note',
          aggregateId: `a${i}`,
        })),
      ),
    );
    const ahead = new EventBus(store, clock);
    ahead.register(consumer('test.ahead', 500));
    await ahead.drain();
    bus.register(consumer('test.ahead', 500));
    const writes = Array.from({ length: 80 }, (_, i) =>
      inTransaction(store.db, async (trx) => {
        await appendEvents(trx, clock, [{ type: 'test.bus', aggregateType: 'note', aggregateId: `w${i}` }]);
      }).then(() => bus.poke()),
    );
    bus.poke();
    await Promise.all(writes);
    // drain() reports a failing batch: drained again until it passes
    for (let i = 0; i < 3; i++)
      if (
        await bus.drain().then(
          () => true,
          () => false,
        )
      )
        break;
    const all = await readEvents(store.db, { tx: '0', seq: 0 }, 10_000);
    assert.equal(all.length, 100);
    for (const name of ['test.small', 'test.large', 'test.failing', 'test.ahead']) {
      const rows = await store.db
        .withTables<Seen>()
        .selectFrom('seen')
        .select(['event_id', 'seq'])
        .where('consumer', '=', name)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        rows.map((r) => r.event_id),
        all.map((e) => e.id),
        `${name}: every event once, in stream order`,
      );
    }
    assert.equal(first.length, 20);
    assert.equal(failures, 2, 'the failing consumer failed twice and was retried');
  });

  test('SQLite: a round gives the writer back between pieces, so a write made meanwhile commits before the round ends', {
    skip: testDialect() !== 'sqlite',
  }, async () => {
    await inTransaction(store.db, (trx) =>
      appendEvents(
        trx,
        clock,
        Array.from({ length: 300 }, (_, i) => ({
          type: 'test.piece',
          aggregateType: 'note',
          aggregateId: `p${i}`,
        })),
      ),
    );
    const total = (await readEvents(store.db, { tx: '0', seq: 0 }, 10_000)).length;
    const bus = new EventBus(store, clock, { pieceMs: 1 });
    let handled = 0;
    let write: Promise<number> | undefined;
    bus.register({
      name: 'test.slow',
      batchSize: 1000,
      async handle(_trx, events) {
        // about 0.1 ms of work per event: the round's events are tens of milliseconds of work
        const until = performance.now() + events.length * 0.1;
        while (performance.now() < until) {}
        handled += events.length;
        // a request's write arriving while the round runs
        write ??= new Promise<void>((r) => setImmediate(r))
          .then(() =>
            inTransaction(store.db, (trx) => sql`insert into seen values ('write', 'x', 0)`.execute(trx)),
          )
          .then(() => handled);
      },
    });
    bus.poke();
    await bus.drain();
    assert.ok(write);
    const handledAtCommit = await write;
    assert.ok(
      handledAtCommit < total,
      `the write committed after ${handledAtCommit} of ${total} events, not after the whole round`,
    );
    assert.ok(bus.pieces > 1);
    assert.equal(handled, total, 'every event handled once');
    assert.equal((await bus.status())[0]?.lag, 0);
  });
});

describe(`event bus on ${testDialect()}: a round for all consumers`, () => {
  let store: Store;
  const clock = new ManualClock('2026-01-05T01:00:00Z');
  type Seen = { seen2: { consumer: string; event_id: string } };
  const seenBy = async (name: string) =>
    (
      await store.db
        .withTables<Seen>()
        .selectFrom('seen2')
        .select('event_id')
        .where('consumer', '=', name)
        .execute()
    ).map((r) => r.event_id);
  const append = (n: number, prefix: string) => appendNotes(store, clock, 'test.round', n, prefix);
  /** a consumer writing each event it handles through the round's transaction; `before` runs first */
  const recording = (name: string, before?: (trx: Executor) => Promise<void>) => ({
    name,
    async handle(trx: Executor, events: EventRecord[]) {
      for (const e of events)
        await trx.withTables<Seen>().insertInto('seen2').values({ consumer: name, event_id: e.id }).execute();
      await before?.(trx);
    },
  });
  const all = async () => (await readEvents(store.db, { tx: '0', seq: 0 }, 100_000)).map((e) => e.id);

  before(async () => {
    store = await openTestStore();
    await migrate(store.db, eventsMigrations);
    await sql`create table seen2 (consumer text not null, event_id text not null, primary key (consumer, event_id))`.execute(
      store.db,
    );
  });
  after(async () => store.close());

  test('a consumer that keeps failing neither holds back nor repeats the others’ work; it catches up once it passes', async () => {
    let broken = true;
    const bus = new EventBus(store, clock);
    const errors: string[] = [];
    const noted = new EventBus(store, clock, { onError: (c) => errors.push(c) });
    for (const b of [bus, noted]) {
      b.register(recording('round.a'));
      // writes its events, then fails: what it wrote must not stay
      b.register(
        recording('round.broken', async () => {
          if (broken) throw new Error('simulated failure');
        }),
      );
      b.register(recording('round.c'));
    }
    await append(5, 'f-');
    // drain() reports the failure; on PostgreSQL the round has gone on with the consumers around
    // it (SQLite's drain runs them in turn and stops at the failure, as before)
    await assert.rejects(bus.drain({ timeoutMs: 2000 }), /simulated failure/);
    assert.equal((await seenBy('round.a')).length, 5);
    if (testDialect() === 'postgres') assert.equal((await seenBy('round.c')).length, 5);
    assert.deepEqual(await seenBy('round.broken'), []);
    // the bus's own rounds record it and go on with the others
    await append(3, 'g-');
    noted.poke();
    // a bound, not a timing: another database's long transaction on the same server holds events
    // back (pg_snapshot_xmin is server-wide), as it did in a full run beside other files
    for (let i = 0; i < 500 && (await seenBy('round.c')).length < 8; i++)
      await new Promise((r) => setTimeout(r, 20));
    await noted.stop();
    assert.equal((await seenBy('round.a')).length, 8);
    assert.equal((await seenBy('round.c')).length, 8);
    assert.ok(errors.includes('round.broken'));
    const st = await noted.status();
    assert.match(st.find((s) => s.name === 'round.broken')?.lastError ?? '', /simulated failure/);
    assert.equal(st.find((s) => s.name === 'round.a')?.lastError, null);
    broken = false;
    await bus.drain();
    const ids = await all();
    for (const name of ['round.a', 'round.broken', 'round.c'])
      assert.deepEqual((await seenBy(name)).sort(), [...ids].sort(), `${name}: every event once`);
    assert.equal((await bus.status()).find((s) => s.name === 'round.broken')?.lastError, null);
  });

  test('a round cut off mid-way (its connection lost after some consumers wrote) leaves nothing half-done', async () => {
    let crash = testDialect() === 'postgres';
    const bus = new EventBus(store, clock);
    bus.register(recording('cut.a'));
    bus.register(recording('cut.b'));
    bus.register(
      recording('cut.z', async (trx) => {
        if (!crash) return;
        crash = false;
        // this backend ends, as a node's crash ends its transaction: nothing of the round commits
        await sql`select pg_terminate_backend(pg_backend_pid())`.execute(trx);
      }),
    );
    await append(4, 'cut-');
    for (let i = 0; i < 3; i++)
      if (
        await bus.drain({ timeoutMs: 5000 }).then(
          () => true,
          () => false,
        )
      )
        break;
    const ids = await all();
    for (const name of ['cut.a', 'cut.b', 'cut.z'])
      assert.deepEqual((await seenBy(name)).sort(), [...ids].sort(), `${name}: every event once`);
  });

  test('a consumer another node holds is skipped; the others go on; it is taken up when released', async (t) => {
    if (testDialect() !== 'postgres') return t.skip('row locks: PostgreSQL');
    const bus = new EventBus(store, clock);
    bus.register(recording('held.a'));
    bus.register(recording('held.b'));
    await bus.drain();
    await append(3, 'held-');
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    // "another node" holds held.b's position row
    const holder = inTransaction(store.db, async (trx) => {
      await sql`select name from event_consumers where name = 'held.b' for update`.execute(trx);
      locked();
      await released;
    });
    await isLocked;
    await assert.rejects(bus.drain({ timeoutMs: 300 }), /did not catch up/);
    const ids = await all();
    assert.deepEqual((await seenBy('held.a')).sort(), [...ids].sort());
    assert.equal((await seenBy('held.b')).length, ids.length - 3);
    release();
    await holder;
    await bus.drain();
    assert.deepEqual((await seenBy('held.b')).sort(), [...ids].sort());
  });
});

describe('three nodes woken by NOTIFY alone (PostgreSQL): rounds held off while another node holds the consumers', {
  skip: testDialect() === 'postgres' ? false : 'PostgreSQL: several nodes',
}, () => {
  test('events appended all the while are each handled once by some node, without a poll or a drain', async () => {
    const clock = new ManualClock('2026-01-05T01:00:00Z');
    const db = await scratchDatabase(process.env.TONGBAN_TEST_DATABASE_URL!);
    const stores: Store[] = [];
    const buses: EventBus[] = [];
    const wakeups = [0, 1, 2].map(() => pgWakeups(db.url));
    try {
      for (let i = 0; i < 3; i++) stores.push(await scratchStore({ ...db, drop: async () => {} }));
      await migrate(stores[0]!.db, eventsMigrations);
      await sql`create table seen3 (consumer text not null, event_id text not null, node integer not null)`.execute(
        stores[0]!.db,
      );
      for (const [i, store] of stores.entries()) {
        await wakeups[i]!.start();
        const bus = new EventBus(store, clock, { pollMs: 600_000, wakeups: wakeups[i] });
        for (const name of ['woken.a', 'woken.b', 'woken.c'])
          bus.register({
            name,
            batchSize: 5,
            async handle(trx, events) {
              for (const e of events)
                await sql`insert into seen3 (consumer, event_id, node) values (${name}, ${e.id}, ${i})`.execute(
                  trx,
                );
            },
          });
        buses.push(bus);
      }
      for (const b of buses) b.start();
      // 120 events in 60 transactions from the three stores, a few at a time
      for (let k = 0; k < 60; k += 3)
        await Promise.all(
          [0, 1, 2].map((j) =>
            inTransaction(stores[j]!.db, (trx) =>
              appendEvents(trx, clock, [
                { type: 'test.woken', aggregateType: 'note', aggregateId: `k${k + j}a` },
                { type: 'test.woken', aggregateType: 'note', aggregateId: `k${k + j}b` },
              ]),
            ),
          ),
        );
      const count = async () =>
        Number((await sql<{ n: string }>`select count(*) as n from seen3`.execute(stores[0]!.db)).rows[0]!.n);
      for (let i = 0; i < 300 && (await count()) < 360; i++) await new Promise((r) => setTimeout(r, 20));
      const dupes = await sql<{ consumer: string; event_id: string }>`
        select consumer, event_id from seen3 group by consumer, event_id having count(*) > 1`.execute(
        stores[0]!.db,
      );
      assert.deepEqual(dupes.rows, [], 'none handled twice');
      assert.equal(await count(), 360, 'every event handled by each consumer');
      assert.deepEqual(
        buses.map((b) => b.timerPolls),
        [0, 0, 0],
        'woken by NOTIFY, not by the poll',
      );
    } finally {
      for (const b of buses) await b.stop();
      for (const w of wakeups) await w.close();
      for (const s of stores) await s.close();
      await db.drop();
    }
  });
});

describe('the stream’s order where transaction ids gain a digit (PostgreSQL)', {
  skip: testDialect() !== 'postgres',
}, () => {
  let store: Store;
  const clock = new ManualClock('2026-01-05T01:00:00Z');

  before(async () => {
    store = await openTestStore();
    await migrate(store.db, eventsMigrations);
  });
  after(async () => store.close());

  test('events are read in transaction order, not in the order of the ids’ text; a consumer handles each once', async () => {
    // transaction 10's event stored before transaction 9's: in the stream 9 comes first, and as
    // text '10' sorts before '9' (as 100000 before 99999 once the server's ids gain a digit)
    for (const tx of ['10', '9'])
      await sql`insert into events (id, tx, type, aggregate_type, aggregate_id, payload, created_at)
        values (${`digit-${tx}`}, ${tx}::xid8, 'test.digit', 'note', ${tx}, '{}', ${clock.now().toISOString()})`.execute(
        store.db,
      );
    const read = await readEvents(store.db, { tx: '0', seq: 0 }, 100);
    const ours = read.filter((e) => e.type === 'test.digit').map((e) => e.tx);
    assert.deepEqual(ours, ['9', '10']);

    const bus = new EventBus(store, clock);
    const seen: string[] = [];
    bus.register({
      name: 'test.digit',
      batchSize: 1,
      async handle(_trx, events) {
        seen.push(...events.filter((e) => e.type === 'test.digit').map((e) => e.tx));
      },
    });
    for (let i = 0; i < 6; i++) await bus.drain();
    assert.deepEqual(seen, ['9', '10']);
  });
});

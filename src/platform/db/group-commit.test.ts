import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { type Store, openStore, readsBesideTransactions, sql } from './index.js';

/**
 * Group commit (SQLite, synchronous=FULL): concurrent transactions share COMMITs; each resolves
 * only once committed; a failed one leaves nothing while the others keep theirs; reads outside a
 * transaction never see a batch that is not committed yet.
 */
const dir = mkdtempSync(join(tmpdir(), 'tb-group-'));
const file = join(dir, 'g.sqlite');
let store: Store;
let probe: SQLite.Database;

type T = { t: { id: number; v: string }; counter: { id: number; n: number } };
const db = () => store.db.withTables<T>();

before(async () => {
  store = await openStore({ sqliteFile: file, sqliteSynchronous: 'FULL' });
  assert.match(store.description, /group commit/);
  await sql`create table t (id integer primary key, v text not null)`.execute(store.db);
  await sql`create table counter (id integer primary key, n integer not null)`.execute(store.db);
  await sql`insert into counter (id, n) values (1, 0)`.execute(store.db);
  // an independent connection: what another process (or the disk after a crash) would see
  probe = new SQLite(file, { readonly: true });
});
after(async () => {
  probe.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const committed = (id: number) =>
  probe.prepare('select count(*) as n from t where id = ?').get(id) as { n: number };

describe('group commit', () => {
  test('concurrent transactions share commits; each is committed when it resolves; read-modify-write stays serial', async () => {
    const before = { ...store.groupCommit! };
    const N = 60;
    const acknowledged: number[] = [];
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        db()
          .transaction()
          .execute(async (trx) => {
            await trx
              .insertInto('t')
              .values({ id: i + 1, v: `row ${i}` })
              .execute();
            const c = await trx
              .selectFrom('counter')
              .select('n')
              .where('id', '=', 1)
              .executeTakeFirstOrThrow();
            await trx
              .updateTable('counter')
              .set({ n: c.n + 1 })
              .where('id', '=', 1)
              .execute();
          })
          .then(() => {
            // at the moment a request would answer 2xx, the row is on disk for everyone
            assert.equal(committed(i + 1).n, 1, `row ${i + 1} committed when acknowledged`);
            acknowledged.push(i + 1);
          }),
      ),
    );
    assert.equal(acknowledged.length, N);
    assert.equal((await db().selectFrom('counter').select('n').executeTakeFirstOrThrow()).n, N);
    const batches = store.groupCommit!.batches - before.batches;
    assert.equal(store.groupCommit!.transactions - before.transactions, N);
    assert.ok(batches < N / 4, `${N} transactions in ${batches} commits`);
  });

  test('a transaction that fails leaves nothing; the others in its batch keep theirs', async () => {
    const results = await Promise.allSettled(
      [101, 102, 103, 104].map((id) =>
        db()
          .transaction()
          .execute(async (trx) => {
            await trx.insertInto('t').values({ id, v: 'x' }).execute();
            if (id === 102) throw new Error('refused');
            if (id === 103) await trx.insertInto('t').values({ id: 1, v: 'duplicate key' }).execute();
          }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(
      [101, 102, 103, 104].map((id) => committed(id).n),
      [1, 0, 0, 1],
    );
  });

  test('a read outside a transaction never sees a batch not yet committed; a write outside one resolves committed', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let inserted!: () => void;
    const wasInserted = new Promise<void>((r) => {
      inserted = r;
    });
    const tx = db()
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('t').values({ id: 201, v: 'pending' }).execute();
        inserted();
        await held;
      });
    await wasInserted;
    const seen = await db().selectFrom('t').select('id').where('id', '=', 201).execute();
    assert.deepEqual(seen, [], 'not visible outside while uncommitted');
    release();
    await tx;
    assert.equal((await db().selectFrom('t').select('id').where('id', '=', 201).execute()).length, 1);

    await db().insertInto('t').values({ id: 202, v: 'alone' }).execute();
    assert.equal(committed(202).n, 1);
  });

  test('nested savepoints inside a transaction (Kysely controlled transactions) still work', async () => {
    const trx = await db().startTransaction().execute();
    await trx.insertInto('t').values({ id: 301, v: 'kept' }).execute();
    const sp = await trx.savepoint('inner').execute();
    await sp.insertInto('t').values({ id: 302, v: 'undone' }).execute();
    await sp.rollbackToSavepoint('inner').execute();
    await trx.commit().execute();
    assert.deepEqual([committed(301).n, committed(302).n], [1, 0]);
  });

  test('a read outside a transaction, made while one is open, runs beside it (readsBesideTransactions)', async () => {
    assert.equal(readsBesideTransactions(store.db), true);
    const memory = await openStore({ sqliteFile: ':memory:' });
    try {
      // Kysely's own one-connection driver: such a read would wait for the open transaction
      assert.equal(readsBesideTransactions(memory.db), false);
    } finally {
      await memory.close();
    }
    const seen = await db()
      .transaction()
      .execute(async (trx) => {
        assert.equal(readsBesideTransactions(trx), true);
        await trx.insertInto('t').values({ id: 401, v: 'in the batch' }).execute();
        // answered at once, by the reader, without what the open transaction wrote
        return db().selectFrom('t').select('id').where('id', '=', 401).execute();
      });
    assert.deepEqual(seen, []);
    assert.equal(committed(401).n, 1);
  });

  test('a held batch stays open while nobody joins it; a transaction that joins commits it; ending the hold commits it', async () => {
    const turn = () => new Promise<void>((r) => setImmediate(r));
    // a part of held work: its transaction ends, but its commit is not awaited here
    const part = (id: number) => {
      let bodyDone!: () => void;
      const body = new Promise<void>((r) => {
        bodyDone = r;
      });
      const done = db()
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('t').values({ id, v: 'held' }).execute();
          bodyDone();
        });
      return { body, done };
    };
    const a = part(1001);
    await a.body;
    const unhold = store.holdBatch!();
    for (let i = 0; i < 3; i++) await turn();
    assert.equal(committed(1001).n, 0, 'held: not committed while nobody joined');
    // a request's transaction joins the held batch and commits it (with the part before it)
    await db().insertInto('t').values({ id: 1002, v: 'request' }).execute();
    assert.equal(committed(1002).n, 1);
    assert.equal(committed(1001).n, 1);
    await a.done;
    // the holder's next part opens a new batch, which the end of the hold commits
    const b = part(1003);
    await b.body;
    const unhold2 = store.holdBatch!();
    unhold();
    for (let i = 0; i < 3; i++) await turn();
    assert.equal(committed(1003).n, 0, 'still held by the second hold');
    unhold2();
    await b.done;
    assert.equal(committed(1003).n, 1);
  });
});

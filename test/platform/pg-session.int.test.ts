import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { type Store, isStoreUnavailable, openStore, sql } from '../../src/platform/db/index.js';
import { StatementNames, isStalePlan } from '../../src/platform/db/pg-session.js';
import { toDomainError } from '../../src/platform/http/errors.js';
import { type ScratchDatabase, scratchDatabase } from '../helpers/store.js';

/**
 * PostgreSQL: hot statements prepared once per connection (src/platform/db/pg-session.ts) give
 * the same results and the same transactions, and a table changed under a prepared statement
 * (another node's migration) costs at most one 503 per connection, never a wrong row or a 500.
 */
const pgBase = process.env.TONGBAN_TEST_DATABASE_URL;

describe('statement names', () => {
  test('a text is named at its second sighting, the same name after; DDL and one-offs never', () => {
    const n = new StatementNames(2);
    const q = 'select * from t where id = $1';
    assert.equal(n.nameFor(q), undefined);
    const name = n.nameFor(q);
    assert.ok(name);
    assert.equal(n.nameFor(q), name);
    assert.equal(n.nameFor('alter table t add column x text'), undefined);
    assert.equal(n.nameFor('alter table t add column x text'), undefined);
  });

  test('at most `max` texts are named in a process', () => {
    const n = new StatementNames(2);
    const named = ['a', 'b', 'c'].map((t) => {
      const q = `select * from ${t} where id = $1`;
      n.nameFor(q);
      return n.nameFor(q);
    });
    assert.deepEqual(
      named.map((x) => x !== undefined),
      [true, true, false],
    );
    assert.equal(n.size, 2);
  });

  test('a stale plan is answered 503 STORE_UNAVAILABLE (tried again, it runs), not 500', () => {
    const e = Object.assign(new Error('cached plan must not change result type'), { code: '0A000' });
    assert.equal(isStalePlan(e), true);
    assert.equal(isStoreUnavailable(e), true);
    assert.equal(toDomainError(e, 'req-1').status, 503);
    const other = Object.assign(new Error('unsupported'), { code: '0A000' });
    assert.equal(isStalePlan(other), false);
    assert.equal(isStoreUnavailable(other), false);
  });
});

describe('PostgreSQL sessions with prepared statements', { skip: !pgBase }, () => {
  let scratch: ScratchDatabase;
  let store: Store;
  let other: pg.Client;
  before(async () => {
    scratch = await scratchDatabase(pgBase!);
    store = await openStore({ databaseUrl: scratch.url, poolSize: 1 });
    await sql`create table t (id int primary key, v text not null)`.execute(store.db);
    await sql`insert into t values (1, 'one'), (2, 'two')`.execute(store.db);
    // another node's connection (its migrations)
    other = new pg.Client({ connectionString: scratch.url });
    await other.connect();
  });
  after(async () => {
    await other?.end();
    await store?.close();
    await scratch?.drop();
  });

  const byId = (id: number) => sql<{ id: number; v: string }>`select * from t where id = ${id}`;

  test('a hot statement is prepared on the connection, and answers as before', async () => {
    for (const id of [1, 2, 1]) assert.equal((await byId(id).execute(store.db)).rows[0]?.id, id);
    const prepared = await sql<{ statement: string }>`
      select statement from pg_prepared_statements where statement like 'select * from t where id = %'`.execute(
      store.db,
    );
    assert.equal(prepared.rows.length, 1);
  });

  test('transactions commit and roll back as before', async () => {
    await store.db.transaction().execute(async (trx) => {
      await sql`update t set v = ${'uno'} where id = ${1}`.execute(trx);
      await sql`update t set v = ${'uno'} where id = ${1}`.execute(trx);
    });
    await assert.rejects(
      store.db.transaction().execute(async (trx) => {
        await sql`update t set v = ${'rolled back'} where id = ${1}`.execute(trx);
        await sql`insert into t values (${2}, ${'duplicate'})`.execute(trx);
      }),
      { code: '23505' },
    );
    assert.equal((await byId(1).execute(store.db)).rows[0]?.v, 'uno');
  });

  test('a column added by another node: outside a transaction the statement is run again', async () => {
    for (let i = 0; i < 3; i++) await byId(1).execute(store.db);
    await other.query('alter table t add column w text');
    const row = (await byId(1).execute(store.db)).rows[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(row), ['id', 'v', 'w']);
  });

  test('inside a transaction: one 503-class failure, then the connection prepares afresh', async () => {
    const inTx = () => store.db.transaction().execute(async (trx) => (await byId(2).execute(trx)).rows[0]);
    for (let i = 0; i < 3; i++) await inTx();
    await other.query('alter table t add column z text');
    await assert.rejects(inTx(), (e) => isStoreUnavailable(e));
    const row = (await inTx()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(row), ['id', 'v', 'w', 'z']);
  });

  test("this node's own DDL drops the prepared statements before they can fail", async () => {
    const inTx = () => store.db.transaction().execute(async (trx) => (await byId(2).execute(trx)).rows[0]);
    for (let i = 0; i < 3; i++) await inTx();
    await sql`alter table t add column y text`.execute(store.db);
    const row = (await inTx()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(row), ['id', 'v', 'w', 'z', 'y']);
  });

  test('off (a pooler that cannot keep them): nothing is prepared', async () => {
    const plain = await openStore({ databaseUrl: scratch.url, poolSize: 1, preparedStatements: false });
    try {
      for (const id of [1, 2, 1]) await byId(id).execute(plain.db);
      const prepared = await sql`select statement from pg_prepared_statements`.execute(plain.db);
      assert.equal(prepared.rows.length, 0);
    } finally {
      await plain.close();
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { ManualClock } from '../../src/kernel/index.js';
import {
  type Store,
  WAKE_CHANNEL,
  inTransaction,
  isStoreUnavailable,
  migrate,
  openStore,
  sql,
} from '../../src/platform/db/index.js';
import { Announcer, StatementNames, announcedInsert, isStalePlan } from '../../src/platform/db/pg-session.js';
import { appendEvents, eventsMigrations } from '../../src/platform/events/index.js';
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

  test("a batch read's long parameter list is never named (its text changes with the batch's size); a short one is", () => {
    const n = new StatementNames(500);
    const list = (k: number) => Array.from({ length: k }, (_, i) => `$${i + 1}`).join(', ');
    for (const k of [8, 9, 40, 500]) {
      const q = `select "id", "mobile_enc" from "identity_accounts" where "id" in (${list(k)})`;
      n.nameFor(q);
      assert.equal(n.nameFor(q), undefined, `${k} parameters`);
    }
    assert.equal(n.size, 0);
    const short = `select * from t where status in (${list(3)}) and id = $4`;
    n.nameFor(short);
    assert.ok(n.nameFor(short));
    const values = `insert into t (a, b, c, d, e, f, g, h) values (${list(8)})`;
    n.nameFor(values);
    assert.ok(n.nameFor(values), 'a row of values (a hot insert) is named');
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

describe('committed inserts announced after the commit (ADR 0035)', () => {
  test('calls while one NOTIFY is in flight share the next; none is sent for nothing', async () => {
    const sent: string[][] = [];
    let finish!: () => void;
    const a = new Announcer(
      (tables) => {
        sent.push(tables);
        return new Promise<void>((r) => {
          finish = r;
        });
      },
      { spacingMs: 0 },
    );
    for (let i = 0; i < 50; i++) a.committed(['events']);
    a.committed(['halls_calls']);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(sent, [['events', 'halls_calls']]);
    // while that one is in flight
    for (let i = 0; i < 20; i++) a.committed(['events']);
    await new Promise((r) => setImmediate(r));
    assert.equal(sent.length, 1);
    finish();
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(sent, [['events', 'halls_calls'], ['events']]);
    finish();
    await new Promise((r) => setTimeout(r, 5));
    a.committed([]);
    assert.equal(sent.length, 2);
    assert.equal(a.sent, 2);
  });

  test('which statements insert into an announced table', () => {
    assert.equal(announcedInsert('insert into "events" ("id") values ($1)'), 'events');
    assert.equal(announcedInsert('  INSERT INTO halls_calls (id) values ($1)'), 'halls_calls');
    assert.equal(announcedInsert('insert into "events_plain" ("id") values ($1)'), undefined);
    assert.equal(announcedInsert('select * from events'), undefined);
    assert.equal(announcedInsert('update "events" set id = $1'), undefined);
    // a case action on PostgreSQL: its update, record and event in one statement
    assert.equal(
      announcedInsert(
        'with "u" as (update "cases" set "status" = $1 returning "id"), "a" as (insert into "case_actions" ("case_id") select $2 from "u") insert into "events" ("id") select $3 from "u"',
      ),
      'events',
    );
    assert.equal(
      announcedInsert('with "u" as (select 1) insert into "case_actions" ("id") select 1 from "u"'),
      undefined,
    );
    assert.equal(announcedInsert('with x as (select 1) select * from events'), undefined);
  });
});

describe('PostgreSQL: a commit that inserted events is announced after it, a rollback never', {
  skip: !pgBase,
}, () => {
  let scratch: ScratchDatabase;
  let listener: pg.Client;
  const heard: string[] = [];
  let waiters: Array<() => void> = [];
  const hear = async (table: string) => {
    for (let i = 0; i < 500 && !heard.includes(table); i++)
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 20);
      });
    return heard.includes(table);
  };
  before(async () => {
    scratch = await scratchDatabase(pgBase!);
    listener = new pg.Client({ connectionString: scratch.url });
    await listener.connect();
    listener.on('notification', (n) => {
      heard.push(n.payload ?? '');
      for (const w of waiters) w();
      waiters = [];
    });
    await listener.query(`listen ${WAKE_CHANNEL}`);
  });
  after(async () => {
    await listener?.end();
    await scratch?.drop();
  });

  for (const prepared of [true, false])
    test(`the events table has no NOTIFY trigger, and the store announces (prepared statements ${prepared ? 'on' : 'off'})`, async () => {
      heard.length = 0;
      const store = await openStore({ databaseUrl: scratch.url, poolSize: 2, preparedStatements: prepared });
      try {
        await migrate(store.db, eventsMigrations);
        await sql`create table if not exists halls_calls (id text primary key)`.execute(store.db);
        const triggers = await sql<{ tgname: string }>`
          select tgname from pg_trigger where tgrelid = 'events'::regclass and not tgisinternal`.execute(
          store.db,
        );
        assert.deepEqual(triggers.rows, [], 'no trigger notifies inside the writing transaction');
        const clock = new ManualClock('2026-01-05T01:00:00Z');
        const note = { type: 'test.announce', aggregateType: 'note', aggregateId: 'n1' };
        // rolled back: nothing announced
        await assert.rejects(
          inTransaction(store.db, async (trx) => {
            await appendEvents(trx, clock, [note]);
            throw new Error('changed my mind');
          }),
          /changed my mind/,
        );
        // a committed insert into the other announced table, in order after the rollback
        await sql`insert into halls_calls (id) values (${`c-${prepared}`})`.execute(store.db);
        assert.ok(await hear('halls_calls'));
        assert.deepEqual(heard, ['halls_calls'], 'the rolled-back events were not announced');
        // committed: announced once the commit has returned
        await inTransaction(store.db, (trx) =>
          appendEvents(trx, clock, [note, { ...note, aggregateId: 'n2' }]),
        );
        assert.ok(await hear('events'));
      } finally {
        await store.close();
      }
    });

  test('a command that commits events and closes its store at once still announces them', async () => {
    const store = await openStore({ databaseUrl: scratch.url, poolSize: 1 });
    await migrate(store.db, eventsMigrations);
    heard.length = 0;
    const clock = new ManualClock('2026-01-05T01:00:00Z');
    await inTransaction(store.db, (trx) =>
      appendEvents(trx, clock, [{ type: 'test.closing', aggregateType: 'note', aggregateId: 'n3' }]),
    );
    await store.close();
    assert.ok(await hear('events'), 'announced before the pool ended');
  });
});

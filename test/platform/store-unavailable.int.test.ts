import assert from 'node:assert/strict';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type TongbanApp, buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { systemClock } from '../../src/kernel/index.js';
import { type Store, isStoreUnavailable, openStore, sql } from '../../src/platform/db/index.js';
import { appendEvents } from '../../src/platform/events/index.js';
import { toDomainError } from '../../src/platform/http/errors.js';
import { type ScratchDatabase, scratchDatabase } from '../helpers/store.js';

/**
 * A node whose PostgreSQL primary goes away (killed, failing over: scripts/chaos.sh does it for
 * real) keeps running: requests answer 503 COMMON.STORE_UNAVAILABLE with Retry-After instead of
 * 500 or a crash, consumers retry, and it serves again as soon as the store answers. The server
 * is cut off here by a TCP relay in front of TONGBAN_TEST_DATABASE_URL's server.
 */
const pgBase = process.env.TONGBAN_TEST_DATABASE_URL;

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('which store errors mean "not reachable now"', () => {
  test('connection losses, shutdowns, a read-only server: unavailable; a statement’s own fault: not', () => {
    for (const e of [
      withCode('ECONNREFUSED'),
      withCode('ECONNRESET'),
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('57P03', 'the database system is starting up'),
      withCode('08006'),
      withCode('25006', 'cannot execute INSERT in a read-only transaction'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('timeout exceeded when trying to connect'),
      Object.assign(new AggregateError([withCode('ECONNREFUSED')]), { message: '' }),
    ])
      assert.equal(isStoreUnavailable(e), true, `${(e as { code?: string }).code ?? e.message}`);
    for (const e of [
      withCode('23505', 'duplicate key value violates unique constraint'),
      withCode('42601', 'syntax error'),
      withCode('40001', 'could not serialize access'),
      withCode('SQLITE_BUSY'),
      new Error('Connection terminated by a user'),
      new TypeError('x is undefined'),
      undefined,
    ])
      assert.equal(isStoreUnavailable(e), false, String((e as { code?: string })?.code ?? e));
  });

  test('answered as 503 COMMON.STORE_UNAVAILABLE, not 500', () => {
    const err = toDomainError(withCode('57P01'), 'req-1');
    assert.equal(err.code, 'COMMON.STORE_UNAVAILABLE');
    assert.equal(err.status, 503);
    assert.match(err.messageIn('zh-CN'), /数据库暂时无法访问/);
    assert.match(err.messageIn('en'), /check whether it was saved/);
    assert.equal(toDomainError(withCode('23505'), 'req-2').code, 'COMMON.INTERNAL');
  });
});

/** A TCP relay to the PostgreSQL server that can drop every connection and refuse new ones. */
class Relay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}
  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target);
      this.sockets.add(client).add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      for (const s of [client, upstream]) s.on('error', end).on('close', end);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }
  /** drops every connection now; `refuse` also stops listening (a dead server) */
  async cut(opts: { refuse: boolean }): Promise<void> {
    if (opts.refuse && this.server) {
      const s = this.server;
      this.server = undefined;
      await new Promise<void>((r) => {
        s.close(() => r());
        for (const x of this.sockets) x.destroy();
      });
    }
    // the connections open now; the pool may open new ones meanwhile (the calendar's watch)
    const now = [...this.sockets];
    await Promise.all(
      now.map((x) => (x.closed ? undefined : new Promise((r) => x.once('close', r).destroy()))),
    );
  }
}

describe('a node whose PostgreSQL server goes away', {
  skip: pgBase ? false : 'needs TONGBAN_TEST_DATABASE_URL',
}, () => {
  let db: ScratchDatabase;
  let relay: Relay;
  let store: Store;
  let direct: Store;
  let t: TongbanApp;
  const dropped: Error[] = [];

  before(async () => {
    db = await scratchDatabase(pgBase!, 'tongban_unavail');
    const u = new URL(db.url);
    relay = new Relay({ host: u.hostname, port: Number(u.port || 5432) });
    await relay.up();
    u.hostname = '127.0.0.1';
    u.port = String(relay.port);
    store = await openStore({
      databaseUrl: u.toString(),
      poolSize: 4,
      connectTimeoutMs: 2_000,
      onIdleConnectionError: (e) => dropped.push(e),
    });
    direct = await openStore({ databaseUrl: db.url, poolSize: 2 });
    t = await buildApp({ config: testConfig(), store, demo: 'off', startConsumers: false, warmUp: false });
  });
  after(async () => {
    await t?.events.stop();
    await t?.close();
    await store?.close();
    await direct?.close();
    await relay?.cut({ refuse: true });
    await db?.drop();
  });

  test('a connection lost between two statements of a transaction fails that transaction, not the process', async () => {
    const failed = await store.db
      .transaction()
      .execute(async (trx) => {
        await sql`select 1`.execute(trx);
        // the connection is in use by this transaction, not idle in the pool: pg-pool does not
        // listen for its 'error' then, and without the store's own listener the process ends here
        await relay.cut({ refuse: false });
        for (let i = 0; i < 100 && dropped.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
        await sql`select 2`.execute(trx);
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(failed, 'the transaction failed');
    assert.equal(isStoreUnavailable(failed), true, String(failed));
    assert.ok(dropped.length > 0, 'the lost connection was reported to the store’s listener');
    // the pool replaced the dead connection
    const r = await sql<{ n: number }>`select 3 as n`.execute(store.db);
    assert.equal(Number(r.rows[0]?.n), 3);
  });

  test('while the server is away: 503 COMMON.STORE_UNAVAILABLE with Retry-After; served again once it is back', async () => {
    await relay.cut({ refuse: true });
    const down = await t.app.inject({ url: '/healthz' });
    assert.equal(down.statusCode, 503, down.body);
    assert.equal(down.json().error.code, 'COMMON.STORE_UNAVAILABLE');
    assert.equal(down.headers['retry-after'], '5');
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: {
        authorization: 'Bearer tbt_not-a-token-but-looked-up-in-the-store',
        'accept-language': 'en',
      },
      payload: {},
    });
    assert.equal(api.statusCode, 503, api.body);
    assert.equal(api.json().error.code, 'COMMON.STORE_UNAVAILABLE');
    assert.match(api.json().error.message, /try again in a few seconds/);
    await relay.up();
    const up = await t.app.inject({ url: '/healthz' });
    assert.equal(up.statusCode, 200, up.body);
  });

  test('consumers keep retrying while the server is away and catch up when it is back', async () => {
    const seen: string[] = [];
    t.events.register({
      name: 'test.unavailable',
      async handle(_trx, events) {
        for (const e of events) if (e.type === 'test.while-away') seen.push(e.aggregateId);
      },
    });
    await relay.cut({ refuse: true });
    t.events.start();
    // committed by another node, which still reaches the server, while this one cannot
    await direct.db
      .transaction()
      .execute((trx) =>
        appendEvents(trx, systemClock, [
          { type: 'test.while-away', aggregateType: 'note', aggregateId: 'n-1' },
        ]),
      );
    await new Promise((r) => setTimeout(r, 1_200)); // a few of the bus's ticks fail meanwhile
    assert.deepEqual(seen, [], 'nothing can be consumed while the server is away');
    await relay.up();
    for (let i = 0; i < 300 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, ['n-1'], 'consumed once the server answers again, by the timer alone');
  });
});

import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { type TongbanApp, buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { ManualClock } from '../../src/kernel/index.js';
import { searchServiceOf } from '../../src/modules/search/index.js';
import { type Store, openStore } from '../../src/platform/db/index.js';
import {
  type EventRecord,
  LISTENING_POLL_MS,
  WAKE_CHANNEL,
  appendEvent,
  inProcessWakeups,
  pgWakeups,
} from '../../src/platform/events/index.js';
import { type ScratchDatabase, openTestStore, scratchDatabase } from '../helpers/store.js';

/**
 * Wake-ups instead of waiting for the poll (platform/events/wakeups.ts). Every node here polls
 * the store only every ten minutes (`pollMs`), so what reaches it during the test came by a
 * wake-up — and each poller's timer count is checked unchanged, so the test cannot pass by a
 * poll. PostgreSQL: a call made on node A reaches an SSE client of node B, a publication made on
 * A becomes searchable on B, an event appended on A is consumed by B's consumers; and the
 * listening connection, cut by the server, comes back and hears again. SQLite (one node): the
 * same node's index and consumers woken in process after the request that wrote.
 */
const pgBase = process.env.TONGBAN_TEST_DATABASE_URL;
const TEN_MINUTES = 600_000;
// 金水区经八路街道便民服务中心 (the demo clerk's hall); Monday 7 December 2026, 10:00 in Zhengzhou
const HALL = 'H410105001';
const clock = new ManualClock('2026-12-07T02:00:00Z');

async function as(node: TongbanApp, login: string) {
  return { authorization: `Bearer ${(await node.identity.tokenForLogin(login)).token}` };
}

/** Waits (bounded, 30 s: far below the ten-minute poll) until `fn` holds. */
async function until(what: string, fn: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`${what}: not within 30 s`);
}

/** `p`, or a failure after 30 s (far below the ten-minute poll). */
async function within<T>(what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within 30 s`)), 30_000);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Drafts, submits (discloser) and publishes (admin, the second pair of eyes) a notice through `node`'s API. */
async function publish(node: TongbanApp, title: string): Promise<string> {
  const departments = (await node.app.inject({ url: '/api/v1/departments?region=410100' })).json()
    .departments as Array<{ id: string; name: string }>;
  const department = departments.find((d) => d.name === '郑州市市场监督管理局')!.id;
  const discloser = await as(node, 'discloser');
  const d = await node.app.inject({
    method: 'POST',
    url: '/api/v1/disclosure/publications',
    headers: discloser,
    payload: {
      department,
      domain: '食品药品监管',
      category: '抽检信息',
      title,
      body: '本局组织抽检食品 800 批次，合格 790 批次，不合格样品已依法处置。',
      madeOn: '2026-12-04',
    },
  });
  assert.equal(d.statusCode, 201, d.body);
  const id = d.json().id as string;
  for (const [who, action] of [
    [discloser, 'submit'],
    [await as(node, 'admin'), 'publish'],
  ] as const) {
    const r = await node.app.inject({
      method: 'POST',
      url: `/api/v1/disclosure/publications/${id}/actions`,
      headers: who,
      payload: { action },
    });
    assert.equal(r.statusCode, 200, r.body);
  }
  return id;
}

const searchable = (node: TongbanApp, q: string, id: string) =>
  searchServiceOf(node.modules)!
    .search({ q, kind: 'information' })
    .hits.some((h) => h.id === id);

/** The pollers' timer counts of a node: unchanged means nothing arrived by a poll. */
const polls = (node: TongbanApp) => ({
  events: node.events.timerPolls,
  search: searchServiceOf(node.modules)!.timerPolls,
  screens: node.halls.feed.timerPolls,
});

/** Opens the hall's SSE stream on `node`; resolves the first call it carries. */
async function firstCall(
  node: TongbanApp,
): Promise<{ ready: Promise<void>; call: Promise<{ ticket: string }> }> {
  await node.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (node.app.server.address() as AddressInfo).port;
  let ready!: () => void;
  const readyP = new Promise<void>((r) => {
    ready = r;
  });
  const call = new Promise<{ ticket: string }>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path: `/api/v1/halls/${HALL}/events` }, (res) => {
      let buf = '';
      res.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        if (buf.startsWith('retry:')) ready();
        const m = /event: call\ndata: (.*)\n\n/.exec(buf);
        if (m) {
          req.destroy();
          resolve(JSON.parse(m[1]!) as { ticket: string });
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
  return { ready: readyP, call };
}

describe('two nodes on one PostgreSQL database learn of each other’s writes by NOTIFY, not by the poll', {
  skip: pgBase ? false : 'needs TONGBAN_TEST_DATABASE_URL',
}, () => {
  let db: ScratchDatabase;
  const stores: Store[] = [];
  let a: TongbanApp;
  let b: TongbanApp;
  const consumedOnB: EventRecord[] = [];

  before(async () => {
    db = await scratchDatabase(pgBase!, 'tongban_wake');
    for (let i = 0; i < 2; i++) stores.push(await openStore({ databaseUrl: db.url, poolSize: 4 }));
    a = await buildApp({
      config: testConfig(),
      store: stores[0]!,
      clock,
      demo: 'on',
      startConsumers: false,
      pollMs: TEN_MINUTES,
    });
    b = await buildApp({
      config: testConfig(),
      store: stores[1]!,
      clock,
      demo: 'off',
      startConsumers: true,
      pollMs: TEN_MINUTES,
    });
    b.events.register({
      name: 'test.wake',
      async handle(_trx, events) {
        consumedOnB.push(...events.filter((e) => e.type === 'test.woken'));
      },
    });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    for (const s of stores) await s.close();
    await db?.drop();
  });

  test('a call made on node A reaches a calling screen (SSE) on node B', async () => {
    const before = polls(b);
    const stream = await firstCall(b);
    await within('the stream opened', stream.ready);
    const clerk = await as(a, 'clerk');
    const ticket = await a.app.inject({
      method: 'POST',
      url: `/api/v1/halls/${HALL}/tickets`,
      headers: clerk,
      payload: { line: 'B' },
    });
    assert.equal(ticket.statusCode, 201, ticket.body);
    const called = await a.app.inject({
      method: 'POST',
      url: `/api/v1/halls/${HALL}/windows/1/call`,
      headers: clerk,
    });
    assert.equal(called.statusCode, 200, called.body);
    const e = await within('the call on node B’s screen', stream.call);
    assert.equal(e.ticket, ticket.json().ticket);
    assert.deepEqual(polls(b), before, "node B's pollers did not run: the call came by NOTIFY");
  });

  test('a publication made on node A becomes searchable on node B', async () => {
    const before = polls(b);
    const title = '2026 年第四季度食品安全监督抽检信息公告（唤醒）';
    const id = await publish(a, title);
    await until('searchable on node B', () => searchable(b, '第四季度食品安全监督抽检', id));
    assert.deepEqual(polls(b), before, "node B's pollers did not run: the index was woken");
  });

  test("an event appended on node A is handled by node B's consumers", async () => {
    const before = polls(b);
    await stores[0]!.db
      .transaction()
      .execute((trx) =>
        appendEvent(trx, clock, { type: 'test.woken', aggregateType: 'test', aggregateId: 'w1' }),
      );
    await until('consumed on node B', () => consumedOnB.some((e) => e.aggregateId === 'w1'));
    assert.deepEqual(polls(b), before, "node B's consumers were woken, not polled");
  });

  test('the listening connection cut by the server comes back, and hears again', async () => {
    const w = pgWakeups(db.url, { reconnectMs: { min: 20, max: 200 } });
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      await w.start();
      let heard = 0;
      w.on('probe', () => heard++);
      const first = w.listenerPid;
      assert.ok(first);
      await admin.query('select pg_terminate_backend($1)', [first]);
      await until('listening again', () => w.listenerPid !== undefined && w.listenerPid !== first);
      const afterReconnect = heard; // reconnecting wakes every subscriber once (what was missed)
      assert.ok(afterReconnect >= 1, 'woken on reconnect');
      await admin.query('select pg_notify($1, $2)', [WAKE_CHANNEL, 'probe']);
      await until('the notification after the reconnect', () => heard > afterReconnect);
    } finally {
      await admin.end();
      await w.close();
    }
  });

  test('fallback polls are spaced out only while the listener is connected', async () => {
    const w = pgWakeups(db.url, { reconnectMs: { min: 20, max: 200 } });
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      assert.equal(w.fallbackMs(200), 200, 'not listening yet: the poller keeps its own interval');
      await w.start();
      assert.equal(w.fallbackMs(200), LISTENING_POLL_MS);
      assert.equal(w.fallbackMs(TEN_MINUTES), TEN_MINUTES, 'a longer interval of its own stays');
      await admin.query('select pg_terminate_backend($1)', [w.listenerPid]);
      await until('the listener known lost', () => w.fallbackMs(200) === 200);
      await until('listening again', () => w.fallbackMs(200) === LISTENING_POLL_MS);
    } finally {
      await admin.end();
      await w.close();
    }
    assert.equal(w.fallbackMs(200), 200);
  });
});

describe('one node on SQLite: woken in process by its own requests', {
  skip: pgBase ? 'SQLite only (PostgreSQL: the nodes above)' : false,
}, () => {
  let t: TongbanApp;
  let store: Store;
  before(async () => {
    store = await openTestStore();
    t = await buildApp({
      config: testConfig(),
      store,
      clock,
      demo: 'on',
      startConsumers: true,
      pollMs: TEN_MINUTES,
    });
  });
  after(async () => {
    await t?.close();
    await store?.close();
  });

  test('a publication answered by the API is searchable at once, without a poll', async () => {
    const before = polls(t);
    const id = await publish(t, '2026 年第四季度食品安全监督抽检信息公告（本节点）');
    await until('searchable', () => searchable(t, '第四季度食品安全监督抽检', id));
    assert.deepEqual(polls(t), before);
  });

  test('in process, nothing announces other processes’ commits: the polls keep their interval', () => {
    assert.equal(inProcessWakeups().fallbackMs(500), 500);
  });
});

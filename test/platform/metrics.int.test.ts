import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import { type TongbanApp, buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import type { Store } from '../../src/platform/db/index.js';
import { createLogger } from '../../src/platform/log.js';
import { buildTestApp } from '../helpers/app.js';
import { openTestStore } from '../helpers/store.js';

/**
 * GET /metrics: Prometheus text, latency by route pattern, the outbox, the case clocks, the log, the
 * pool; readable with the token, or without one from this machine only and not through a proxy.
 * And request ids: every answer carries one; a proxy's is kept only when proxies are trusted.
 */
const TOKEN = 'metrics-token-0123456789abcdef';
let open: TongbanApp;
let guarded: TongbanApp;

before(async () => {
  open = await buildTestApp({ config: { trustProxy: { hops: 1 } } });
  guarded = await buildTestApp({ config: { metricsToken: TOKEN } });
});
after(async () => {
  await open?.close();
  await guarded?.close();
});

describe('GET /metrics', () => {
  test('Prometheus text with latency per route pattern and the platform gauges', async () => {
    await open.app.inject({ url: '/healthz' });
    await open.app.inject({
      url: '/api/v1/cases/SECRET-CASE-NUMBER-1',
      headers: { accept: 'application/json' },
    });
    await open.app.inject({ url: '/no/such/page/SECRET-PAGE-4711' });
    const r = await open.app.inject({ url: '/metrics' });
    assert.equal(r.statusCode, 200, r.body);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.equal(r.headers['cache-control'], 'no-store');
    const m = r.body;
    assert.match(
      m,
      /tongban_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/healthz",status="2xx"\} \d+/,
    );
    // the pattern, never the raw URL (label values stay few, and no case number reaches the metrics)
    assert.match(m, /route="\/api\/v1\/cases\/:caseNumber",status="4xx"/);
    // (a marker a sample's value cannot hold: a bare 4711 matched a GC duration's digits once)
    assert.doesNotMatch(m, /SECRET-CASE-NUMBER-1|SECRET-PAGE-4711/);
    assert.match(m, /route="unmatched",status="4xx"/);
    assert.match(m, /tongban_consumer_lag\{consumer="ledger\.leaves"\} \d+/);
    assert.match(m, /tongban_consumer_failing\{consumer="ledger\.leaves"\} 0/);
    assert.match(m, /^tongban_outbox_depth \d+$/m);
    assert.match(m, /^tongban_log_size \d+$/m);
    assert.match(m, /# TYPE tongban_case_clocks gauge/);
    assert.match(m, /tongban_store_pool_connections\{state="total"\} \d+/);
    assert.match(m, /^process_resident_memory_bytes \d+/m);
    assert.match(m, /^nodejs_eventloop_lag_p99_seconds /m);
    // every sample line is `name{labels} value`: what a scraper parses
    for (const line of m.split('\n').filter((l) => l && !l.startsWith('#')))
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/, line);
  });

  test('the outbox depth counts what the consumers have not handled yet', async () => {
    const before = Number(
      /^tongban_outbox_depth (\d+)$/m.exec((await open.app.inject({ url: '/metrics' })).body)![1],
    );
    await open.identity.service.register({
      kind: 'person',
      login: 'metrics-person',
      password: 'a long enough passphrase 1',
      name: '李雷',
      idNumber: '110101199003078515',
      mobile: '13700009999',
    });
    const during = Number(
      /^tongban_outbox_depth (\d+)$/m.exec((await open.app.inject({ url: '/metrics' })).body)![1],
    );
    assert.ok(during > before, `${during} > ${before}`);
    // the consumers catch up (on PostgreSQL an event becomes readable once older transactions on
    // the server have ended: a bounded wait)
    let m = '';
    for (let i = 0; i < 100; i++) {
      await open.events.drain();
      m = (await open.app.inject({ url: '/metrics' })).body;
      if (/^tongban_outbox_depth 0$/m.test(m)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(
      m,
      /^tongban_outbox_depth 0$/m,
      m
        .split('\n')
        .filter((l) => l.startsWith('tongban_consumer'))
        .join('\n'),
    );
  });

  test('without a token: this machine only, never through a proxy', async () => {
    assert.equal((await open.app.inject({ url: '/metrics', remoteAddress: '10.0.0.5' })).statusCode, 403);
    assert.equal(
      (await open.app.inject({ url: '/metrics', headers: { 'x-forwarded-for': '203.0.113.9' } })).statusCode,
      403,
    );
    assert.equal(
      (await open.app.inject({ url: '/metrics', headers: { forwarded: 'for=203.0.113.9' } })).statusCode,
      403,
    );
    assert.equal((await open.app.inject({ url: '/metrics', remoteAddress: '::1' })).statusCode, 200);
  });

  test('with TONGBAN_METRICS_TOKEN: the bearer token, from anywhere; nothing else, not even this machine', async () => {
    assert.equal((await guarded.app.inject({ url: '/metrics' })).statusCode, 403);
    assert.equal(
      (await guarded.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}x` } }))
        .statusCode,
      403,
    );
    const ok = await guarded.app.inject({
      url: '/metrics',
      remoteAddress: '10.0.0.5',
      headers: { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '203.0.113.9' },
    });
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /tongban_http_request_duration_seconds/);
  });
});

describe('request ids', () => {
  test('every answer carries its id; a proxy’s well-formed id is kept only when proxies are trusted', async () => {
    const mine = (await guarded.app.inject({ url: '/healthz' })).headers['x-request-id'];
    assert.match(String(mine), /^[A-Za-z0-9._:-]{8,64}$/);
    const id = 'nginx-4f1c2a9e0b7d';
    assert.equal(
      (await open.app.inject({ url: '/healthz', headers: { 'x-request-id': id } })).headers['x-request-id'],
      id,
    );
    assert.notEqual(
      (await guarded.app.inject({ url: '/healthz', headers: { 'x-request-id': id } })).headers[
        'x-request-id'
      ],
      id,
      'no proxy trusted: a client cannot choose the id its request is logged under',
    );
    const bad = '../../etc\nforged';
    assert.notEqual(
      (await open.app.inject({ url: '/healthz', headers: { 'x-request-id': encodeURIComponent(bad) } }))
        .headers['x-request-id'],
      encodeURIComponent(bad),
    );
  });
});

describe('structured logs across nodes', () => {
  let store: Store;
  const nodes: TongbanApp[] = [];
  const lines: Array<Array<Record<string, unknown>>> = [[], []];
  before(async () => {
    store = await openTestStore();
    for (const [i, name] of ['node-a:3000', 'node-b:3000'].entries()) {
      const sink = new Writable({
        write(chunk, _enc, cb) {
          for (const l of String(chunk).split('\n').filter(Boolean)) lines[i]!.push(JSON.parse(l));
          cb();
        },
      });
      // two nodes on one store behind one proxy, each logging JSON lines to its own sink
      nodes.push(
        await buildApp({
          config: testConfig({ logLevel: 'info', trustProxy: { hops: 1 } }),
          store,
          logger: createLogger('info', sink, name),
          startConsumers: false,
        }),
      );
    }
  });
  after(async () => {
    for (const n of nodes) await n.close();
    await store?.close();
  });

  test('each line is JSON naming its node; a request is found on whichever node answered by the proxy’s id', async () => {
    const id = 'proxy-7d3f0c2a91b4e6';
    // the proxy retried the request on the second node: the same id on both
    for (const n of nodes)
      await n.app.inject({
        url: '/api/v1/cases/NO-SUCH-CASE',
        headers: { 'x-request-id': id, 'x-forwarded-for': '203.0.113.7', accept: 'application/json' },
      });
    for (const [i, name] of ['node-a:3000', 'node-b:3000'].entries()) {
      const mine = lines[i]!.filter((l) => l.reqId === id);
      assert.ok(
        mine.length >= 2,
        `node ${name} logged the request and its answer: ${JSON.stringify(lines[i])}`,
      );
      for (const l of mine) {
        assert.equal(l.node, name);
        assert.equal(l.app, 'tongban');
        assert.equal(typeof l.time, 'string');
      }
      const done = mine.find((l) => (l.res as { statusCode?: number } | undefined)?.statusCode !== undefined);
      assert.ok(done, 'the answer is logged with its status');
      assert.equal((done!.res as { statusCode: number }).statusCode, 401);
      assert.ok(
        lines[i]!.every((l) => l.node === name),
        'every line of the node names it, not only the request lines',
      );
    }
  });
});

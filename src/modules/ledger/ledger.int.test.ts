import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openTestStore } from '../../../test/helpers/store.js';
import { type TongbanApp, buildApp } from '../../app.js';
import { testConfig } from '../../config/index.js';
import { systemClock } from '../../kernel/index.js';
import { createLogger } from '../../platform/log.js';
import { type Store, sql } from '../../platform/db/index.js';
import { type NewEvent, appendEvents, readEvents } from '../../platform/events/index.js';
import { ledgerOf } from './index.js';
import { decodeBundle } from './ledger.entry.js';
import { type Hash, leafHash, rootOf, verifyConsistency, verifyInclusion } from './ledger.merkle.js';
import { parseCheckpoint, parseNote, parseVerifierKey, verifyNote } from './ledger.note.js';
import { createLedgerService } from './ledger.service.js';
import { readTile } from './ledger.store.js';
import { verifyLog, verifyTiles } from './ledger.verify.js';
import { runWitness } from './ledger.witness.js';

let store: Store;
let t: TongbanApp;
let base: string;
const dir = mkdtempSync(join(tmpdir(), 'tongban-ledger-'));

async function emit(events: NewEvent[]): Promise<void> {
  await store.db.transaction().execute((trx) => appendEvents(trx, systemClock, events));
}

/** n events, two of every three record-worthy (the third is an event type the log ignores). */
const batch = (n: number, from = 0): NewEvent[] =>
  Array.from({ length: n }, (_, i) => {
    const k = from + i;
    const type = k % 3 === 0 ? 'cases.accepted' : k % 3 === 1 ? 'licences.issued' : 'stats.recomputed';
    return {
      type,
      aggregateType: k % 3 === 1 ? 'licence' : 'case',
      aggregateId: `obj-${k % 50}`,
      regionCode: '410102',
      payload: { k },
    };
  });

const recorded = (n: number) => Array.from({ length: n }, (_, k) => k).filter((k) => k % 3 !== 2).length;

/**
 * Drains the outbox until the log holds `want` leaves and signs a checkpoint. On PostgreSQL an
 * event becomes readable only once every older transaction in the cluster has ended, so a drain
 * can come back early while other databases on the same server are busy.
 */
async function settle(want: number) {
  for (let i = 0; i < 400; i++) {
    await t.events.drain();
    const cp = await ledgerOf(t.modules).publishCheckpoint();
    if (cp.size >= want) return cp;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the log did not reach ${want} leaves`);
}

async function checkpoint() {
  const res = await t.app.inject({ url: '/log/checkpoint' });
  assert.equal(res.statusCode, 200);
  return res.body;
}

async function getJson(url: string) {
  const res = await t.app.inject({ url });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

async function allLeafHashes(size: number): Promise<Hash[]> {
  const out: Hash[] = [];
  for (let k = 0; k * 256 < size; k++) {
    const w = Math.min(256, size - k * 256);
    const res = await t.app.inject({
      url: `/log/tile/entries/${String(k).padStart(3, '0')}${w === 256 ? '' : `.p/${w}`}`,
    });
    assert.equal(res.statusCode, 200);
    out.push(...decodeBundle(res.rawPayload)!.map(leafHash));
  }
  return out;
}

before(async () => {
  store = await openTestStore();
  t = await buildApp({ config: testConfig(), store, demo: 'off', startConsumers: false });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.app.server.address();
  assert.ok(addr && typeof addr === 'object');
  base = `http://127.0.0.1:${addr.port}`;
});

after(async () => {
  await t.close();
  await store.close();
});

describe('transparency log over the outbox', () => {
  test('leaves › one leaf per record-worthy event, none for others, exactly once', async () => {
    await emit(batch(600));
    const cp = await settle(recorded(600));
    assert.equal(cp.size, recorded(600));
    const n = await store.db
      .withTables<{ ledger_leaves: { idx: number; event_id: string } }>()
      .selectFrom('ledger_leaves')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.count<number>('event_id').distinct().as('d')])
      .executeTakeFirstOrThrow();
    assert.equal(Number(n.n), recorded(600));
    assert.equal(Number(n.d), recorded(600));
  });

  test('leaves › an event handed over again keeps its one leaf; the consumer does not stop on it', async () => {
    const svc = createLedgerService({
      store,
      clock: systemClock,
      config: testConfig(),
      log: createLogger('silent'),
    });
    const again = await readEvents(store.db, { tx: '0', seq: 0 }, 30);
    const before = (await svc.publishCheckpoint()).size;
    await store.db.transaction().execute((trx) => svc.handleEvents(trx, again));
    assert.equal((await svc.publishCheckpoint()).size, before);
  });

  test('signed-note › /log/checkpoint is signed by the key at /log/key, and its root is the tree of the entries', async () => {
    const text = await checkpoint();
    const keyRes = await t.app.inject({ url: '/log/key' });
    assert.match(String(keyRes.headers['content-type']), /^text\/plain; charset=utf-8/);
    const vkey = parseVerifierKey(keyRes.body.trim())!;
    assert.equal(vkey.name, testConfig().logOrigin);
    const note = parseNote(text)!;
    assert.ok(verifyNote(note, vkey));
    const c = parseCheckpoint(note.body)!;
    assert.equal(c.origin, testConfig().logOrigin);
    const leaves = await allLeafHashes(c.size);
    assert.equal(rootOf(leaves).toString('base64'), c.rootHash.toString('base64'));
  });

  test('leaves › an entry is canonical JSON without personal data, committing to the event by hash', async () => {
    const res = await t.app.inject({ url: '/log/tile/entries/000.p/1' });
    const entry = decodeBundle(res.rawPayload)![0]!.toString('utf8');
    const e = JSON.parse(entry) as Record<string, unknown>;
    assert.deepEqual(Object.keys(e), ['event', 'object', 'sha256', 'time', 'type', 'v']);
    assert.equal(e.v, 1);
    assert.equal(e.type, 'cases.accepted');
    assert.equal(e.object, 'case/obj-0');
    assert.match(String(e.sha256), /^[0-9a-f]{64}$/);
    assert.ok(!entry.includes('410102'), 'no region or payload in clear');
  });

  test('tlog-tiles › full and partial tiles hold the leaf hashes; level 1 holds the full level-0 tile roots', async () => {
    const size = recorded(600); // 400: one full level-0 tile and a partial one of 144
    const leaves = await allLeafHashes(size);
    const full = await t.app.inject({ url: '/log/tile/0/000' });
    assert.equal(full.statusCode, 200);
    assert.equal(full.headers['content-type'], 'application/octet-stream');
    assert.deepEqual(full.rawPayload, Buffer.concat(leaves.slice(0, 256)));
    const part = await t.app.inject({ url: `/log/tile/0/001.p/${size - 256}` });
    assert.deepEqual(part.rawPayload, Buffer.concat(leaves.slice(256)));
    const shorter = await t.app.inject({ url: '/log/tile/0/001.p/10' });
    assert.deepEqual(shorter.rawPayload, Buffer.concat(leaves.slice(256, 266)));
    const l1 = await t.app.inject({ url: '/log/tile/1/000.p/1' });
    assert.deepEqual(l1.rawPayload, rootOf(leaves.slice(0, 256)));
  });

  test('tlog-tiles › malformed tile paths are 400 and missing tiles 404, both coded', async () => {
    for (const p of ['0/1', '0/x000/001', '99/000', '0/000.p/0', 'entries/000.p/300', 'x']) {
      const r = await getJson(`/log/tile/${p}`);
      assert.equal(r.status, 400, p);
      assert.equal((r.body.error as { code: string }).code, 'LEDGER.BAD_TILE_PATH');
    }
    for (const p of ['0/001', '0/x001/000', '1/000', '0/001.p/255', 'entries/005']) {
      const r = await getJson(`/log/tile/${p}`);
      assert.equal(r.status, 404, p);
      assert.equal((r.body.error as { code: string }).code, 'LEDGER.TILE_NOT_FOUND');
    }
  });

  test('RFC 6962 › JSON inclusion and consistency proofs verify against the signed roots', async () => {
    const c1 = parseCheckpoint(parseNote(await checkpoint())!.body)!;
    await emit(batch(90, 600));
    await settle(recorded(690));
    const c2 = parseCheckpoint(parseNote(await checkpoint())!.body)!;
    assert.equal(c2.size, recorded(690));
    for (const index of [0, 1, 255, 256, c2.size - 1]) {
      const r = await getJson(`/api/v1/log/proof/inclusion?index=${index}&size=${c2.size}`);
      assert.equal(r.status, 200);
      const hashes = (r.body.hashes as string[]).map((h) => Buffer.from(h, 'base64'));
      const leaf = leafHash(Buffer.from(String(r.body.entry), 'utf8'));
      assert.equal(leaf.toString('base64'), r.body.leafHash);
      assert.ok(verifyInclusion(leaf, index, c2.size, hashes, c2.rootHash), `leaf ${index}`);
    }
    const cons = await getJson(`/api/v1/log/proof/consistency?from=${c1.size}&to=${c2.size}`);
    assert.equal(cons.status, 200);
    const proof = (cons.body.hashes as string[]).map((h) => Buffer.from(h, 'base64'));
    assert.ok(verifyConsistency(c1.size, c2.size, proof, c1.rootHash, c2.rootHash));
    const bad = await getJson(`/api/v1/log/proof/inclusion?index=5&size=${c2.size + 10}`);
    assert.equal(bad.status, 400);
    assert.equal((bad.body.error as { code: string }).code, 'LEDGER.BAD_RANGE');
    assert.equal((await getJson('/api/v1/log/proof/consistency?from=9&to=3')).status, 400);
    assert.equal((await getJson('/api/v1/log/proof/inclusion?index=x&size=3')).status, 400);
  });

  test('verification for people › leaves by object link to /log/verify, which checks the proof on the server', async () => {
    const r = await getJson('/api/v1/log/leaves/by-object?type=case&id=obj-3');
    const leaves = r.body.leaves as Array<{ index: number; type: string; verifyUrl: string }>;
    assert.ok(leaves.length > 0);
    assert.ok(leaves.every((l) => l.type === 'cases.accepted'));
    const page = await t.app.inject({ url: leaves[0]!.verifyUrl, headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /notice-success/);
    assert.match(page.body, /data-log-proof/);
    const js = await t.app.inject({ url: '/log/verify.js' });
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    const home = await t.app.inject({ url: '/log', headers: { accept: 'text/html' } });
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /tongban log verify/);
    const bad = await t.app.inject({ url: '/log/verify?index=abc', headers: { accept: 'text/html' } });
    assert.equal(bad.statusCode, 400);
    const later = await t.app.inject({
      url: '/log/verify?index=99999',
      headers: { accept: 'text/html', 'accept-language': 'en' },
    });
    assert.equal(later.statusCode, 200);
    assert.match(later.body, /not in the latest checkpoint/);
  });

  test('tongban log verify › re-derives the tree from the entries over HTTP and remembers checkpoints', async () => {
    const statePath = join(dir, 'verify-state.json');
    const r1 = await verifyLog({ url: base, statePath });
    assert.deepEqual(r1.failures, []);
    assert.ok(r1.ok);
    assert.equal(r1.entries, recorded(690));
    await emit(batch(30, 690));
    await settle(recorded(720));
    const r2 = await verifyLog({ url: `${base}/log`, statePath });
    assert.ok(r2.ok, r2.failures.join('; '));
    assert.ok(r2.notes.some((n) => n.includes(`consistent with the checkpoint of size ${r1.size}`)));
  });

  test('witnesses › a registered witness checks consistency and cosigns; the log serves its line; strangers are refused', async () => {
    const statePath = join(dir, 'witness.json');
    const first = await runWitness({ url: base, statePath, name: 'witness.example.gov.cn/w1' });
    assert.equal(first.ok, false);
    assert.match(first.message, /HTTP 403/);
    await ledgerOf(t.modules).addWitness('witness.example.gov.cn/w1', first.witnessKey);
    const ok = await runWitness({ url: base, statePath });
    assert.ok(ok.ok, ok.message);
    const text = await checkpoint();
    const sigs = parseNote(text)!.signatures.map((s) => s.name);
    assert.deepEqual(sigs, [testConfig().logOrigin, 'witness.example.gov.cn/w1']);
    // /log shows that one checkpoint: its root and its witnesses, read together
    const home = await t.app.inject({ url: '/log', headers: { accept: 'text/html' } });
    assert.equal(home.statusCode, 200);
    assert.ok(home.body.includes('witness.example.gov.cn/w1'), 'the witness is named on /log');
    assert.ok(home.body.includes(text.split('\n')[2]!), 'the root of the served checkpoint is on /log');
    await emit(batch(40, 720));
    await settle(recorded(760));
    const again = await runWitness({ url: base, statePath });
    assert.ok(again.ok, again.message);
    assert.equal(again.size, recorded(760));
    // a cosignature over a body the log never signed is refused
    const forged = await t.app.inject({
      method: 'POST',
      url: '/api/v1/log/cosignatures',
      payload: {
        checkpoint: `${testConfig().logOrigin}\n1\n${Buffer.alloc(32).toString('base64')}\n`,
        cosignature: '\u2014 x AAAAAAAA',
      },
    });
    assert.equal(forged.statusCode, 403);
  });

  test('tongban log verify › a tampered leaf entry or tile is detected and named', async () => {
    const ldb = store.db.withTables<{
      ledger_leaves: { idx: number; entry: string };
      ledger_tiles: { level: number; idx: number; hashes: Buffer };
    }>();
    const leaf = await ldb
      .selectFrom('ledger_leaves')
      .select('entry')
      .where('idx', '=', 7)
      .executeTakeFirstOrThrow();
    await ldb
      .updateTable('ledger_leaves')
      .set({ entry: leaf.entry.replace('"v":1', '"v":2') })
      .where('idx', '=', 7)
      .execute();
    const r1 = await verifyLog({ url: base });
    assert.equal(r1.ok, false);
    assert.ok(
      r1.failures.some((f) => f.startsWith('tile/0/000: hash 7 (leaf 7)') && f.includes('tile/entries/000')),
      r1.failures.join('; '),
    );
    await ldb.updateTable('ledger_leaves').set({ entry: leaf.entry }).where('idx', '=', 7).execute();
    assert.ok((await verifyLog({ url: base })).ok);

    const tile = await ldb
      .selectFrom('ledger_tiles')
      .select('hashes')
      .where('level', '=', 0)
      .where('idx', '=', 1)
      .executeTakeFirstOrThrow();
    const bad = Buffer.from(tile.hashes);
    bad[40] = (bad[40] ?? 0) ^ 1;
    await ldb
      .updateTable('ledger_tiles')
      .set({ hashes: bad })
      .where('level', '=', 0)
      .where('idx', '=', 1)
      .execute();
    const r2 = await verifyLog({ url: base });
    assert.equal(r2.ok, false);
    assert.ok(
      r2.failures.some((f) => f.startsWith('tile/0/001')),
      r2.failures.join('; '),
    );
    // a monitor reading tiles only sees it too (here the tile is partial, so through the root)
    const cp = await ledgerOf(t.modules).latestCheckpoint();
    const tilesOnly = await verifyTiles(cp.size, Buffer.from(cp.rootHash, 'base64'), (l, i) =>
      readTile(store.db, l, i),
    );
    assert.ok(tilesOnly.failures.length > 0);
    await ldb
      .updateTable('ledger_tiles')
      .set({ hashes: Buffer.from(tile.hashes) })
      .where('level', '=', 0)
      .where('idx', '=', 1)
      .execute();
    assert.ok((await verifyLog({ url: base })).ok);
    assert.deepEqual(
      (await verifyTiles(cp.size, Buffer.from(cp.rootHash, 'base64'), (l, i) => readTile(store.db, l, i)))
        .failures,
      [],
    );
    await sql`select 1`.execute(store.db);
  });

  test('checkpoints › the timer signs a new checkpoint once the tree has grown', async () => {
    const svc = createLedgerService({
      store,
      clock: systemClock,
      config: testConfig(),
      log: createLogger('silent'),
    });
    const before = await svc.latestCheckpoint();
    svc.startCheckpoints(20);
    try {
      await emit(batch(3, 900));
      for (let i = 0; i < 400 && (await svc.latestCheckpoint()).size <= before.size; i++) {
        await t.events.drain();
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok((await svc.latestCheckpoint()).size > before.size);
    } finally {
      await svc.close();
    }
  });

  test('checkpoints › without the timer (test mode) reading /log/checkpoint signs the grown tree', async () => {
    const before = parseCheckpoint(parseNote(await checkpoint())!.body)!.size;
    await emit(batch(3, 1000));
    for (let i = 0; i < 400; i++) {
      await t.events.drain();
      if (parseCheckpoint(parseNote(await checkpoint())!.body)!.size > before) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail('the served checkpoint never grew');
  });

  test('note key › kept sealed in the store: the same secret reopens it, another secret cannot', async () => {
    const row = await store.db
      .withTables<{ ledger_note_keys: { origin: string; public_key: string; sealed_seed: string } }>()
      .selectFrom('ledger_note_keys')
      .selectAll()
      .executeTakeFirstOrThrow();
    assert.match(row.sealed_seed, /^v1\./);
    const same = createLedgerService({
      store,
      clock: systemClock,
      config: testConfig(),
      log: createLogger('silent'),
    });
    assert.equal(await same.verifierKey(), await ledgerOf(t.modules).verifierKey());
    const other = createLedgerService({
      store,
      clock: systemClock,
      config: testConfig({ secretKey: Buffer.alloc(32, 9) }),
      log: createLogger('silent'),
    });
    await assert.rejects(other.noteKey());
  });
});

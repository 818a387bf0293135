import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openTestStore } from '../../../test/helpers/store.js';
import { type TongbanApp, buildApp } from '../../app.js';
import { ConfigError, testConfig } from '../../config/index.js';
import { systemClock } from '../../kernel/index.js';
import { type Store, migrate } from '../../platform/db/index.js';
import { type NewEvent, appendEvents } from '../../platform/events/index.js';
import { createLogger } from '../../platform/log.js';
import { ledgerOf } from './index.js';
import { parseNote, parseVerifierKey, verifyNote } from './ledger.note.js';
import { createLedgerService } from './ledger.service.js';
import { ledgerMigrations } from './ledger.store.js';
import { verifyLog } from './ledger.verify.js';

/** The log keeps its name (TONGBAN_LOG_ORIGIN), and its key rotates without breaking verification. */
let store: Store;
let t: TongbanApp;
let base: string;
const dir = mkdtempSync(join(tmpdir(), 'tongban-origin-'));
const ORIGIN = 'zwfw.example.gov.cn/tongban/log';
const config = testConfig({ logOrigin: ORIGIN, logOriginExplicit: true });

const events = (n: number, from: number): NewEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    type: 'cases.accepted',
    aggregateType: 'case',
    aggregateId: `c-${from + i}`,
    regionCode: '410102',
    payload: { k: from + i },
  }));

async function grow(n: number, from: number) {
  await store.db.transaction().execute((trx) => appendEvents(trx, systemClock, events(n, from)));
  for (let i = 0; i < 400; i++) {
    await t.events.drain();
    const cp = await ledgerOf(t.modules).publishCheckpoint();
    if (cp.size >= from + n) return cp;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the log did not grow');
}

const svc = (over: Parameters<typeof testConfig>[0]) =>
  createLedgerService({ store, clock: systemClock, config: testConfig(over), log: createLogger('silent') });

before(async () => {
  store = await openTestStore();
  t = await buildApp({ config, store, demo: 'off', startConsumers: false });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.app.server.address();
  assert.ok(addr && typeof addr === 'object');
  base = `http://127.0.0.1:${addr.port}`;
});

after(async () => {
  await t.close();
  await store.close();
});

describe('the log keeps its name', () => {
  test('the name is stored when the log is created; a node configured with another refuses, naming the stored one', async () => {
    await grow(3, 0);
    const other = svc({ logOrigin: '127.0.0.1:4000/tongban/log', logOriginExplicit: true });
    await assert.rejects(other.ensureOrigin(), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.variable, 'TONGBAN_LOG_ORIGIN');
      assert.match(
        e.message,
        /is "127\.0\.0\.1:4000\/tongban\/log" but this store's transparency log was created as "zwfw\.example\.gov\.cn\/tongban\/log"/,
      );
      return true;
    });
    await assert.rejects(other.noteKey(), ConfigError, 'no key is made under the other name either');
  });

  test('the app refuses to start (buildApp rejects with the ConfigError main prints in one line, exit 78)', async () => {
    await assert.rejects(
      buildApp({
        config: testConfig({ logOrigin: 'elsewhere.example/log', logOriginExplicit: true }),
        store,
        demo: 'off',
        startConsumers: false,
      }),
      (e: unknown) =>
        e instanceof ConfigError && /created as "zwfw\.example\.gov\.cn\/tongban\/log"/.test(e.message),
    );
  });

  test('a node that names no origin takes the stored one and signs under it', async () => {
    const unnamed = svc({ logOrigin: '127.0.0.1/tongban/log', logOriginExplicit: false });
    assert.equal(await unnamed.ensureOrigin(), ORIGIN);
    assert.equal(unnamed.origin, ORIGIN);
    assert.equal(await unnamed.verifierKey(), await ledgerOf(t.modules).verifierKey());
  });

  test('a log created before the name was stored takes the name its checkpoints were signed under', async () => {
    const old = await openTestStore();
    try {
      // the 0001 schema as an older release left it: two keys (a restart on another port made the
      // second) and checkpoints signed under the first name
      const only1 = { 'ledger.0001_log': ledgerMigrations['ledger.0001_log']! };
      await migrate(old.db, only1);
      const k = old.db.withTables<{
        ledger_keys: { name: string; public_key: string; sealed_seed: string; created_at: string };
        ledger_checkpoints: { size: number; root_hash: string; note: string; created_at: string };
      }>();
      await k
        .insertInto('ledger_keys')
        .values([
          {
            name: 'first.example/log',
            public_key: 'AA==',
            sealed_seed: 'v1.x',
            created_at: '2026-01-01T00:00:00Z',
          },
          {
            name: '127.0.0.1:3001/tongban/log',
            public_key: 'AQ==',
            sealed_seed: 'v1.y',
            created_at: '2026-02-01T00:00:00Z',
          },
        ])
        .execute();
      await k
        .insertInto('ledger_checkpoints')
        .values({
          size: 5,
          root_hash: 'r',
          note: 'first.example/log\n5\nr\n\n— sig\n',
          created_at: '2026-01-02T00:00:00Z',
        })
        .execute();
      await migrate(old.db, ledgerMigrations);
      const x = old.db.withTables<{
        ledger_origin: { origin: string };
        ledger_note_keys: { origin: string; public_key: string };
      }>();
      assert.equal(
        (await x.selectFrom('ledger_origin').select('origin').executeTakeFirstOrThrow()).origin,
        'first.example/log',
      );
      assert.equal((await x.selectFrom('ledger_note_keys').select('public_key').execute()).length, 2);
      // the contract step (ledger.0003): the copied table is gone, the keys it held live on
      const tables = (await old.db.introspection.getTables()).map((tb) => tb.name);
      assert.ok(tables.includes('ledger_note_keys'));
      assert.ok(!tables.includes('ledger_keys'), 'ledger_keys dropped once its keys were copied');
    } finally {
      await old.close();
    }
  });
});

describe('rotating the log key', () => {
  test('old checkpoints still verify with the old key; during the handover new ones carry both signatures; a verifier pinned to the old key follows', async () => {
    const api = ledgerOf(t.modules);
    const statePath = join(dir, 'state.json');
    const first = await verifyLog({ url: base, statePath });
    assert.deepEqual(first.failures, []);
    const oldKey = await api.verifierKey();
    const oldCp = await api.latestCheckpoint();

    const r = await api.rotateKey();
    assert.notEqual(r.verifierKey, oldKey);
    assert.deepEqual(r.signing, [r.verifierKey, oldKey]);
    assert.equal(await api.verifierKey(), r.verifierKey, '/log/key serves the new key');

    const cp = await grow(4, 3);
    const note = parseNote(cp.note)!;
    assert.equal(note.signatures.length, 2);
    assert.ok(verifyNote(note, parseVerifierKey(r.verifierKey)!));
    assert.ok(verifyNote(note, parseVerifierKey(oldKey)!));
    // the checkpoint signed before the rotation is unchanged and verifies with the old key
    assert.ok(verifyNote(parseNote(oldCp.note)!, parseVerifierKey(oldKey)!));

    // a verifier that pinned the old key accepts the new one, vouched for by the old, and checks
    // that the tree only grew since the checkpoint it saw
    const second = await verifyLog({ url: base, statePath });
    assert.deepEqual(second.failures, []);
    assert.ok(second.notes.some((n) => n.startsWith('the log key rotated')));
    assert.ok(second.notes.some((n) => n.startsWith(`consistent with the checkpoint of size ${oldCp.size}`)));

    // the old key retires: new checkpoints carry the new key only, and the verifier (now pinned to
    // the new key) still proves consistency with everything it saw
    await assert.rejects(api.retireKey(r.verifierKey), /newest key cannot be retired/);
    await api.retireKey(oldKey);
    const after = await grow(2, 7);
    assert.equal(parseNote(after.note)!.signatures.length, 1);
    assert.equal(verifyNote(parseNote(after.note)!, parseVerifierKey(oldKey)!), false);
    const third = await verifyLog({ url: base, statePath });
    assert.deepEqual(third.failures, []);
    assert.ok(third.notes.some((n) => n.startsWith(`consistent with the checkpoint of size ${cp.size}`)));
    // a verifier that only ever knew the old key, now retired, is told the key changed
    const stale = join(dir, 'stale.json');
    writeFileSync(stale, JSON.stringify({ vkey: oldKey, checkpoints: [] }));
    const fourth = await verifyLog({ url: base, statePath: stale });
    assert.match(fourth.failures.join('\n'), /the log key changed/);

    const keys = await api.listKeys();
    assert.equal(keys.length, 2);
    assert.equal(keys[0]!.retiredAt, null);
    assert.ok(keys[1]!.retiredAt);
  });
});

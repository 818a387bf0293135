import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type TongbanApp, buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { parseNote, parseVerifierKey, verifyNote } from '../../src/modules/ledger/ledger.note.js';
import { readTile } from '../../src/modules/ledger/ledger.store.js';
import { ledgerOf, verifyTiles } from '../../src/modules/ledger/index.js';
import { parseIdNumber } from '../../src/platform/codes/index.js';
import { type Store, openStore, sql, tableCounts } from '../../src/platform/db/index.js';
import { BACKUP_EXIT } from '../../src/platform/db/backup.js';
import { createPersonalDataCipher } from '../../src/platform/privacy/index.js';
import { registerPerson } from '../helpers/people.js';
import { type ScratchDatabase, scratchDatabase } from '../helpers/store.js';

/**
 * `tongban backup` then `tongban restore` into an empty store, as an operator runs them (the CLI in
 * its own process), on the store the suite runs on: every table's rows come back, sealed personal
 * data opens again under the same secret, and the transparency log verifies from its tiles.
 */
const root = join(import.meta.dirname, '..', '..');
const pgBase = process.env.TONGBAN_TEST_DATABASE_URL;
const config = testConfig();
const dir = mkdtempSync(join(tmpdir(), 'tb-backup-'));
const scratch: ScratchDatabase[] = [];
let source: Store;
let sourceEnv: NodeJS.ProcessEnv;
let target: Store | undefined;
let targetEnv: NodeJS.ProcessEnv;
let t: TongbanApp;

function cli(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    env: {
      ...process.env,
      TONGBAN_ENV: 'test',
      TONGBAN_SECRET_KEY: config.secretKey.toString('hex'),
      TONGBAN_LOG_LEVEL: 'warn',
      TONGBAN_DATABASE_URL: '',
      ...env,
    },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  if (pgBase) {
    const db = await scratchDatabase(pgBase, 'tongban_bk');
    scratch.push(db);
    source = await openStore({ databaseUrl: db.url, poolSize: 4 });
    sourceEnv = { TONGBAN_DATABASE_URL: db.url, TONGBAN_DATA_DIR: join(dir, 'src') };
    // the restore target does not exist yet: restore creates it (the role may), then fills it
    const u = new URL(db.url);
    u.pathname = `${u.pathname}_restored`;
    targetEnv = { TONGBAN_DATABASE_URL: u.toString(), TONGBAN_DATA_DIR: join(dir, 'dst') };
    scratch.push({
      name: u.pathname.slice(1),
      url: u.toString(),
      drop: async () => {
        const { default: pg } = await import('pg');
        const a = new pg.Client({ connectionString: pgBase });
        await a.connect();
        await a.query(`drop database if exists ${u.pathname.slice(1)} with (force)`);
        await a.end();
      },
    });
  } else {
    source = await openStore({ sqliteFile: join(dir, 'src', 'tongban.sqlite') });
    sourceEnv = { TONGBAN_DATA_DIR: join(dir, 'src') };
    targetEnv = { TONGBAN_DATA_DIR: join(dir, 'dst') };
  }
  // the demo city: people with sealed ID numbers and phones, items, cases, and their events
  t = await buildApp({ config, store: source, demo: 'on', startConsumers: false });
  // and people registered through the identity service: sealed ID numbers and phones
  for (let i = 0; i < 6; i++) await registerPerson(t, `backup-person-${i}`, 'a long enough passphrase 1');
  for (let i = 0; i < 200; i++) {
    await t.events.drain();
    const cp = await ledgerOf(t.modules).publishCheckpoint();
    if (cp.size > 0 && i > 3) break;
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  await t?.close();
  await source?.close();
  await target?.close();
  for (const s of scratch) await s.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe(`backup and restore (${pgBase ? 'PostgreSQL, pg_dump custom format' : 'SQLite online backup'})`, () => {
  const file = join(dir, 'tongban.backup');

  test('backup, restore into an empty store: every table, every row; sealed data opens; the log verifies from its tiles', async () => {
    const before = await tableCounts(source);
    assert.ok(Object.keys(before).length > 20, 'the demo city fills many tables');
    assert.ok((before.identity_accounts ?? 0) > 0);
    assert.ok((before.ledger_leaves ?? 0) > 0, 'the log has leaves');

    const b = cli(['backup', '--to', file], sourceEnv);
    assert.equal(b.status, 0, b.stderr);
    assert.match(
      b.stdout,
      /^backup written: .*tongban\.backup \((sqlite|postgres-custom), \d+ bytes, \d+ tables, \d+ rows\)\n$/,
    );

    const r = cli(['restore', '--from', file], targetEnv);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^restored \d+ tables from /);

    target = await openStore(
      pgBase
        ? { databaseUrl: targetEnv.TONGBAN_DATABASE_URL!, poolSize: 4 }
        : { sqliteFile: join(targetEnv.TONGBAN_DATA_DIR!, 'tongban.sqlite') },
    );
    assert.deepEqual(await tableCounts(target), before, 'every table with the same number of rows');

    // a sample of sealed personal data opens again under the same secret, to the same values
    const cipher = createPersonalDataCipher(config.secretKey);
    type Acc = { id: string; id_number_enc: string | null; mobile_enc: string | null };
    const q = (s: Store) =>
      sql<Acc>`select id, id_number_enc, mobile_enc from identity_accounts
               where id_number_enc is not null order by id limit 25`.execute(s.db);
    const [a, b2] = [(await q(source)).rows, (await q(target)).rows];
    assert.ok(a.length >= 6, 'sealed ID numbers in the sample');
    assert.deepEqual(
      b2.map((x) => x.id),
      a.map((x) => x.id),
    );
    for (let i = 0; i < a.length; i++) {
      const opened = cipher.decrypt(b2[i]!.id_number_enc!);
      assert.equal(opened, cipher.decrypt(a[i]!.id_number_enc!));
      assert.ok(parseIdNumber(opened), 'a real ID number (check digit)');
      if (a[i]!.mobile_enc)
        assert.equal(cipher.decrypt(b2[i]!.mobile_enc!), cipher.decrypt(a[i]!.mobile_enc!));
    }

    // the log, on the restored store: its checkpoint verifies with its key, and every tile is the
    // tree of the entries below it up to the checkpoint's root
    const restored = await buildApp({
      config,
      store: target,
      demo: 'off',
      startConsumers: false,
      warmUp: false,
    });
    try {
      const ledger = ledgerOf(restored.modules);
      const cp = await ledger.latestCheckpoint();
      assert.equal(cp.size, before.ledger_leaves);
      assert.ok(verifyNote(parseNote(cp.note)!, parseVerifierKey(await ledger.verifierKey())!));
      const v = await verifyTiles(cp.size, Buffer.from(cp.rootHash, 'base64'), (level, idx) =>
        readTile(target!.db, level, idx),
      );
      assert.deepEqual(v.failures, []);
      assert.ok(v.tiles > 0);
    } finally {
      await restored.close();
    }
  });

  test('restore into a store that holds tables is refused: one line, exit 75, nothing changed', async () => {
    assert.ok(target, 'runs after the round trip');
    const before = await tableCounts(target);
    const r = cli(['restore', '--from', file], targetEnv);
    assert.equal(r.status, BACKUP_EXIT.notEmpty, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      /^tongban: restore: the store .* is not empty: it holds \d+ tables; restore goes into an empty store only/,
    );
    assert.deepEqual(await tableCounts(target), before);
  });

  test('a file that is not a backup is refused: exit 65', () => {
    const r = cli(['restore', '--from', join(root, 'package.json')], {
      ...targetEnv,
      TONGBAN_DATA_DIR: join(dir, 'other'),
    });
    assert.equal(r.status, BACKUP_EXIT.badFile, r.stderr);
    assert.match(r.stderr, /is not a tongban backup/);
  });
});

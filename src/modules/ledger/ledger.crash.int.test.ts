import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../app.js';
import { testConfig } from '../../config/index.js';
import { openStore } from '../../platform/db/index.js';
import { isRecorded } from './ledger.entry.js';
import { verifyConsistency } from './ledger.merkle.js';
import type { CheckpointRow } from './ledger.store.js';
import { ledgerOf } from './ledger.types.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Runs the child until it has published `want` checkpoints, then kills it with SIGKILL mid-append. */
function runAndKill(file: string, want: number): Promise<CheckpointRow[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, '../../../test/ledger/crash-child.ts'), file],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const seen: CheckpointRow[] = [];
    let buf = '';
    let err = '';
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    child.stdout.on('data', (d) => {
      buf += String(d);
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('CHECKPOINT ')) seen.push(JSON.parse(line.slice(11)) as CheckpointRow);
        if (seen.length === want) setTimeout(() => child.kill('SIGKILL'), 37);
        nl = buf.indexOf('\n');
      }
    });
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(seen);
      else reject(new Error(`child ended without being killed: ${err}`));
    });
  });
}

test('crash › after kill -9 during appends, every committed event has a leaf and the new checkpoint extends the last published one', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'tongban-crash-')), 'tongban.sqlite');
  const seen = await runAndKill(file, 4);
  assert.ok(seen.length >= 4);
  assert.ok(seen[seen.length - 1]!.size > 0);
  const last = seen[seen.length - 1]!;

  const store = await openStore({ sqliteFile: file, sqliteSynchronous: 'NORMAL' });
  const t = await buildApp({ config: testConfig(), store, demo: 'off', startConsumers: false });
  try {
    await t.events.drain();
    const c = await ledgerOf(t.modules).publishCheckpoint();
    assert.ok(c.size >= last.size);

    const db = store.db.withTables<{
      events: { id: string; type: string };
      ledger_leaves: { event_id: string; idx: number };
    }>();
    const events = (await db.selectFrom('events').select(['id', 'type']).execute()).filter((e) =>
      isRecorded(e.type),
    );
    const leaves = await db.selectFrom('ledger_leaves').select(['event_id', 'idx']).orderBy('idx').execute();
    assert.equal(leaves.length, events.length, 'one leaf per committed record-worthy event');
    const have = new Set(leaves.map((l) => l.event_id));
    assert.ok(
      events.every((e) => have.has(e.id)),
      'no committed event is missing from the log',
    );
    assert.equal(c.size, leaves.length);

    const res = await t.app.inject({ url: `/api/v1/log/proof/consistency?from=${last.size}&to=${c.size}` });
    assert.equal(res.statusCode, 200);
    const proof = (res.json() as { hashes: string[] }).hashes.map((h) => Buffer.from(h, 'base64'));
    assert.ok(
      verifyConsistency(
        last.size,
        c.size,
        proof,
        Buffer.from(last.rootHash, 'base64'),
        Buffer.from(c.rootHash, 'base64'),
      ),
      'the new checkpoint is consistent with the last one published before the kill',
    );
  } finally {
    await t.close();
    await store.close();
  }
});

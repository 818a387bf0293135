import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { BACKUP_EXIT, BackupError, listTables, restoreStore } from './backup.js';
import { openStore } from './store.js';

// SQLite's restore copies on the store's writer connection, past the group-commit driver
// (backup.ts): sound while no batch is open on it. One restored inside a caller's transaction would
// nest in that batch and be answered "restored" before anything was committed — refused instead.
const dir = mkdtempSync(join(tmpdir(), 'tongban-restore-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let backups = 0;
function backupFile(): string {
  const file = join(dir, `small-${++backups}.backup`);
  const b = new SQLite(file);
  b.exec(
    "create table notes (id integer primary key, body text not null); insert into notes (body) values ('a'), ('b')",
  );
  b.close();
  return file;
}

test('SQLite restore › into an empty group-commit store: every row, committed on its own', async () => {
  const from = backupFile();
  const store = await openStore({ sqliteFile: join(dir, 'one', 'tongban.sqlite') });
  try {
    assert.match(store.description, /group commit/);
    assert.deepEqual(await restoreStore(store, from), { kind: 'sqlite', tables: 1 });
    assert.equal(store.sqlite?.inTransaction, false);
    const other = new SQLite(join(dir, 'one', 'tongban.sqlite'), { readonly: true });
    assert.equal((other.prepare('select count(*) as n from notes').get() as { n: number }).n, 2);
    other.close();
  } finally {
    await store.close();
  }
});

test('SQLite restore › inside a transaction of the store is refused, and nothing is written', async () => {
  const from = backupFile();
  const store = await openStore({ sqliteFile: join(dir, 'two', 'tongban.sqlite') });
  try {
    await assert.rejects(
      store.db.transaction().execute(async () => {
        await restoreStore(store, from);
      }),
      (e: unknown) => e instanceof BackupError && e.exitCode === BACKUP_EXIT.tool,
    );
    assert.deepEqual(await listTables(store), []);
  } finally {
    await store.close();
  }
});

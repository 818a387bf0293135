import type { Kysely, Migration } from 'kysely';
import {
  type Executor,
  columnTypes,
  contractPhase,
  dialectOf,
  runPrecompiled,
  sql,
} from '../../platform/db/index.js';
import { HASH_SIZE, TILE_WIDTH } from './ledger.merkle.js';

/**
 * The log's tables. Leaves (entries) and tiles are written in the outbox consumer's transaction,
 * so the log holds each record-worthy event exactly once. `ledger_state` keeps the right edge of
 * the tree, so an append never re-reads old leaves. Tiles are stored as their served bytes: one
 * row per (level, index), growing from partial to full; a partial tile `.p/W` is a prefix of it.
 */
export type LedgerTables = {
  ledger_leaves: {
    idx: number;
    entry: string;
    event_id: string;
    event_type: string;
    object_type: string;
    object_id: string;
    region_code: string | null;
    created_at: string;
  };
  ledger_tiles: { level: number; idx: number; width: number; hashes: Buffer; updated_at: string };
  ledger_state: { id: string; size: number; edge: Buffer; updated_at: string };
  ledger_checkpoints: { size: number; root_hash: string; note: string; created_at: string };
  /** the log's name, fixed when the log is created (one row) */
  ledger_origin: { id: string; origin: string; created_at: string };
  /** the log's signing keys: every unretired key signs each new checkpoint (rotation, ADR 0016) */
  ledger_note_keys: {
    public_key: string;
    origin: string;
    sealed_seed: string;
    created_at: string;
    retired_at: string | null;
  };
  ledger_witnesses: { name: string; vkey: string; created_at: string };
  ledger_cosignatures: {
    checkpoint_size: number;
    witness_name: string;
    timestamp: number;
    line: string;
    created_at: string;
  };
};

export const ledgerMigrations: Record<string, Migration> = {
  'ledger.0001_log': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      await db.schema
        .createTable('ledger_leaves')
        .addColumn('idx', t.bigint, (c) => c.primaryKey())
        .addColumn('entry', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull().unique())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('object_type', 'text', (c) => c.notNull())
        .addColumn('object_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('ledger_leaves_object')
        .on('ledger_leaves')
        .columns(['object_type', 'object_id', 'idx'])
        .execute();
      await db.schema
        .createTable('ledger_tiles')
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('idx', t.bigint, (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('hashes', t.blob, (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_tiles_pk', ['level', 'idx'])
        .execute();
      await db.schema
        .createTable('ledger_state')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('size', t.bigint, (c) => c.notNull())
        .addColumn('edge', t.blob, (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_checkpoints')
        .addColumn('size', t.bigint, (c) => c.primaryKey())
        .addColumn('root_hash', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_keys')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('sealed_seed', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_witnesses')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('vkey', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('ledger_cosignatures')
        .addColumn('checkpoint_size', t.bigint, (c) => c.notNull())
        .addColumn('witness_name', 'text', (c) => c.notNull())
        .addColumn('timestamp', t.bigint, (c) => c.notNull())
        .addColumn('line', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ledger_cosignatures_pk', ['checkpoint_size', 'witness_name'])
        .execute();
    },
  },
};

ledgerMigrations['ledger.0002_origin_and_key_rotation'] = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('ledger_origin')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('ledger_note_keys')
      .addColumn('public_key', 'text', (c) => c.primaryKey())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('sealed_seed', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('retired_at', 'text')
      .execute();
    // ledger_keys: the 0001 keys, copied here and not read since (ledger.0003 drops the table)
    const x = (db as unknown as Executor).withTables<
      LedgerTables & {
        ledger_keys: { name: string; public_key: string; sealed_seed: string; created_at: string };
      }
    >();
    const keys = await x.selectFrom('ledger_keys').selectAll().orderBy('created_at').execute();
    if (keys.length)
      await x
        .insertInto('ledger_note_keys')
        .values(
          keys.map((k) => ({
            public_key: k.public_key,
            origin: k.name,
            sealed_seed: k.sealed_seed,
            created_at: k.created_at,
            retired_at: null,
          })),
        )
        .execute();
    // the stored name of an existing log: the origin its latest checkpoint was signed under (a
    // node restarted on another port made a second key under another name; the checkpoints tell
    // which name the log has), else its first key's
    const latest = await x
      .selectFrom('ledger_checkpoints')
      .select(['note', 'created_at'])
      .orderBy('size', 'desc')
      .limit(1)
      .executeTakeFirst();
    const origin = latest?.note.slice(0, latest.note.indexOf('\n')) ?? keys[0]?.name;
    if (origin)
      await x
        .insertInto('ledger_origin')
        .values({ id: STATE_ID, origin, created_at: keys[0]?.created_at ?? latest!.created_at })
        .execute();
  },
};

/**
 * The contract step of ledger.0002 (expand then contract, ADR 0023): the release that copied the
 * keys into ledger_note_keys stopped reading ledger_keys; this later release drops it. Both the
 * release before and this one run beside each other on the dropped schema (scripts/rolling-upgrade.sh).
 */
ledgerMigrations['ledger.0003_drop_ledger_keys'] = contractPhase({
  removes: ['ledger_keys'],
  unusedSince: 'ledger.0002_origin_and_key_rotation',
  async up(db: Kysely<unknown>) {
    await db.schema.dropTable('ledger_keys').ifExists().execute();
  },
});

const ldb = (db: Executor) => db.withTables<LedgerTables>();
const STATE_ID = 'main';

export type LeafRow = LedgerTables['ledger_leaves'];

// The statements every batch of the log's consumer runs (its state, the right edge's tiles) are
// compiled once per dialect (platform/db/precompiled.ts): the same SQL, without the building.
export async function readState(db: Executor): Promise<{ size: number; edge: Buffer }> {
  const r = (
    await runPrecompiled(
      db,
      ldb,
      'ledger.state.read',
      (q, slot) => q.selectFrom('ledger_state').select(['size', 'edge']).where('id', '=', slot(0)),
      [STATE_ID],
    )
  ).rows[0];
  return r ? { size: Number(r.size), edge: Buffer.from(r.edge) } : { size: 0, edge: Buffer.alloc(0) };
}

export async function writeState(db: Executor, size: number, edge: Buffer, now: string): Promise<void> {
  await runPrecompiled(
    db,
    ldb,
    'ledger.state.write',
    (q, slot) =>
      q
        .insertInto('ledger_state')
        .values({ id: slot(0), size: slot(1), edge: slot(2), updated_at: slot(3) })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ size: slot(1), edge: slot(2), updated_at: slot(3) }),
        ),
    [STATE_ID, size, edge, now],
  );
}

const LEAF_CHUNK = 500;

/** Which of these event ids already have a leaf. */
export async function recordedEventIds(db: Executor, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (dialectOf(db) === 'sqlite') {
    // one statement and one bound parameter per batch, as insertLeaves: not a statement built,
    // compiled and prepared for every count of ids
    const r = await sql<{ event_id: string }>`select event_id from ledger_leaves
      where event_id in (select value from json_each(${JSON.stringify(ids)}))`.execute(db);
    for (const row of r.rows) out.add(row.event_id);
    return out;
  }
  for (let i = 0; i < ids.length; i += LEAF_CHUNK) {
    const rows = await ldb(db)
      .selectFrom('ledger_leaves')
      .select('event_id')
      .where('event_id', 'in', ids.slice(i, i + LEAF_CHUNK))
      .execute();
    for (const r of rows) out.add(r.event_id);
  }
  return out;
}

export async function insertLeaves(db: Executor, rows: LeafRow[]): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    // one statement and one bound parameter per batch: binding thousands of parameters (and
    // preparing a statement that long) costs more than the insert itself on SQLite
    const json = JSON.stringify(
      rows.map((r) => [
        r.idx,
        r.entry,
        r.event_id,
        r.event_type,
        r.object_type,
        r.object_id,
        r.region_code,
        r.created_at,
      ]),
    );
    await sql`insert into ledger_leaves (idx, entry, event_id, event_type, object_type, object_id, region_code, created_at)
      select value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7 from json_each(${json})`.execute(
      db,
    );
    return;
  }
  for (let i = 0; i < rows.length; i += LEAF_CHUNK) {
    await ldb(db)
      .insertInto('ledger_leaves')
      .values(rows.slice(i, i + LEAF_CHUNK))
      .execute();
  }
}

export async function readTile(db: Executor, level: number, idx: number): Promise<Buffer | undefined> {
  const r = (
    await runPrecompiled(
      db,
      ldb,
      'ledger.tile.read',
      (q, slot) =>
        q
          .selectFrom('ledger_tiles')
          .select(['hashes'])
          .where('level', '=', slot(0))
          .where('idx', '=', slot(1)),
      [level, idx],
    )
  ).rows[0];
  return r ? Buffer.from(r.hashes) : undefined;
}

/** Tiles of one level in an index range, in order (the verifier and the bench read many). */
export async function readTiles(
  db: Executor,
  level: number,
  fromIdx: number,
  toIdx: number,
): Promise<Array<{ idx: number; hashes: Buffer }>> {
  const rows = await ldb(db)
    .selectFrom('ledger_tiles')
    .select(['idx', 'hashes'])
    .where('level', '=', level)
    .where('idx', '>=', fromIdx)
    .where('idx', '<', toIdx)
    .orderBy('idx')
    .execute();
  return rows.map((r) => ({ idx: Number(r.idx), hashes: Buffer.from(r.hashes) }));
}

/** 5 bound values a row: 500 rows stay far below SQLite's 32,766 bound variables per statement. */
const TILE_CHUNK = 500;

/** Writes tiles (new, or grown from partial): one multi-row upsert per 500 tiles. */
export async function upsertTiles(
  db: Executor,
  rows: Array<{ level: number; idx: number; hashes: Buffer }>,
  now: string,
): Promise<void> {
  // one row per tile, the last given winning: PostgreSQL refuses to update a row twice in one upsert
  const byKey = new Map<string, LedgerTables['ledger_tiles']>();
  for (const r of rows) {
    const width = r.hashes.length / HASH_SIZE;
    if (width < 1 || width > TILE_WIDTH) throw new Error('tile width out of range');
    byKey.set(`${r.level}/${r.idx}`, {
      level: r.level,
      idx: r.idx,
      width,
      hashes: r.hashes,
      updated_at: now,
    });
  }
  const values = [...byKey.values()];
  for (let i = 0; i < values.length; i += TILE_CHUNK) {
    await ldb(db)
      .insertInto('ledger_tiles')
      .values(values.slice(i, i + TILE_CHUNK))
      .onConflict((oc) =>
        oc.columns(['level', 'idx']).doUpdateSet((eb) => ({
          width: eb.ref('excluded.width'),
          hashes: eb.ref('excluded.hashes'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

export async function readEntries(
  db: Executor,
  fromIdx: number,
  toIdx: number,
): Promise<Array<{ idx: number; entry: string }>> {
  const rows = await ldb(db)
    .selectFrom('ledger_leaves')
    .select(['idx', 'entry'])
    .where('idx', '>=', fromIdx)
    .where('idx', '<', toIdx)
    .orderBy('idx')
    .execute();
  return rows.map((r) => ({ idx: Number(r.idx), entry: r.entry }));
}

export async function readLeaf(db: Executor, idx: number): Promise<LeafRow | undefined> {
  const r = await ldb(db).selectFrom('ledger_leaves').selectAll().where('idx', '=', idx).executeTakeFirst();
  return r ? { ...r, idx: Number(r.idx) } : undefined;
}

export async function leavesByObject(db: Executor, objectType: string, objectId: string, limit = 500) {
  const rows = await ldb(db)
    .selectFrom('ledger_leaves')
    .select(['idx', 'event_type', 'event_id', 'created_at'])
    .where('object_type', '=', objectType)
    .where('object_id', '=', objectId)
    .orderBy('idx')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    index: Number(r.idx),
    type: r.event_type,
    event: r.event_id,
    time: r.created_at,
  }));
}

export async function leafIndexOfEvent(db: Executor, eventId: string): Promise<number | undefined> {
  const r = await ldb(db)
    .selectFrom('ledger_leaves')
    .select('idx')
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return r ? Number(r.idx) : undefined;
}

// ── checkpoints, keys, witnesses ─────────────────────────────────────────────────────────────

export type CheckpointRow = { size: number; rootHash: string; note: string; createdAt: string };

const toCheckpoint = (r: LedgerTables['ledger_checkpoints']): CheckpointRow => ({
  size: Number(r.size),
  rootHash: r.root_hash,
  note: r.note,
  createdAt: r.created_at,
});

export async function latestCheckpoint(db: Executor): Promise<CheckpointRow | undefined> {
  const r = await ldb(db)
    .selectFrom('ledger_checkpoints')
    .selectAll()
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? toCheckpoint(r) : undefined;
}

export async function checkpointAt(db: Executor, size: number): Promise<CheckpointRow | undefined> {
  const r = await ldb(db)
    .selectFrom('ledger_checkpoints')
    .selectAll()
    .where('size', '=', size)
    .executeTakeFirst();
  return r ? toCheckpoint(r) : undefined;
}

export async function insertCheckpoint(db: Executor, c: CheckpointRow): Promise<void> {
  await ldb(db)
    .insertInto('ledger_checkpoints')
    .values({ size: c.size, root_hash: c.rootHash, note: c.note, created_at: c.createdAt })
    .onConflict((oc) => oc.column('size').doNothing())
    .execute();
}

/** The log's stored name, if the log has been created. */
export async function readOrigin(db: Executor): Promise<string | undefined> {
  return (
    await ldb(db).selectFrom('ledger_origin').select('origin').where('id', '=', STATE_ID).executeTakeFirst()
  )?.origin;
}

/** Fixes the log's name unless another node fixed it first; answers the stored name. */
export async function fixOrigin(db: Executor, origin: string, now: string): Promise<string> {
  await ldb(db)
    .insertInto('ledger_origin')
    .values({ id: STATE_ID, origin, created_at: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return (await readOrigin(db)) ?? origin;
}

/** The log's signing keys under its name, newest first; retired ones only when asked. */
export async function listNoteKeys(db: Executor, origin: string, withRetired = false) {
  let q = ldb(db).selectFrom('ledger_note_keys').selectAll().where('origin', '=', origin);
  if (!withRetired) q = q.where('retired_at', 'is', null);
  return q.orderBy('created_at', 'desc').orderBy('public_key').execute();
}

export async function insertNoteKey(db: Executor, row: LedgerTables['ledger_note_keys']): Promise<void> {
  await ldb(db).insertInto('ledger_note_keys').values(row).execute();
}

export async function retireNoteKey(db: Executor, publicKey: string, now: string): Promise<number> {
  const r = await ldb(db)
    .updateTable('ledger_note_keys')
    .set({ retired_at: now })
    .where('public_key', '=', publicKey)
    .where('retired_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function listWitnesses(db: Executor) {
  return ldb(db).selectFrom('ledger_witnesses').selectAll().orderBy('name').execute();
}

export async function upsertWitness(db: Executor, name: string, vkey: string, now: string): Promise<void> {
  await ldb(db)
    .insertInto('ledger_witnesses')
    .values({ name, vkey, created_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ vkey }))
    .execute();
}

export async function saveCosignature(db: Executor, row: LedgerTables['ledger_cosignatures']): Promise<void> {
  await ldb(db)
    .insertInto('ledger_cosignatures')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['checkpoint_size', 'witness_name'])
        .doUpdateSet({ timestamp: row.timestamp, line: row.line, created_at: row.created_at }),
    )
    .execute();
}

export async function cosignaturesAt(db: Executor, size: number) {
  const rows = await ldb(db)
    .selectFrom('ledger_cosignatures')
    .select(['witness_name', 'line', 'timestamp'])
    .where('checkpoint_size', '=', size)
    .orderBy('witness_name')
    .execute();
  return rows.map((r) => ({ witness: r.witness_name, line: r.line, timestamp: Number(r.timestamp) }));
}

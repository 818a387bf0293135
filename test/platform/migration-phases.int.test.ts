import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, type Migration, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type TongbanApp, buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import {
  type BreakingStatement,
  type NoTables,
  breakingStatement,
  contractOf,
  contractPhase,
  migrate,
} from '../../src/platform/db/index.js';
import { type ScratchDatabase, openTestStore, scratchDatabase } from '../helpers/store.js';

/**
 * Expand, then contract (docs/adr/0023-expand-then-contract.md): every migration of this release
 * is run on an empty store of this pass's kind (SQLite, or PostgreSQL with
 * TONGBAN_TEST_DATABASE_URL) through a Kysely that records each statement it sends, and a
 * statement the previous release may not survive (a drop, a rename, a column narrowed, a NOT NULL
 * column without a default) fails the test unless its migration is marked `contractPhase` and
 * names what it removes. Statements are recorded as they run, so a drop inside a helper a
 * migration calls is seen too; a dialect's own branch is seen on that dialect's pass.
 */

/**
 * Released before the rule existed (ADR 0023), each a step a rolling deploy did not survive; the
 * list is closed: a new migration never goes here, it is marked `contractPhase` instead.
 */
const BEFORE_THE_RULE: Record<string, string> = {
  'events.0002_sqlite_without_tx_index': 'SQLite only (one node: no rolling deploy); drops an index',
  'events.0003_sqlite_plain_seq': 'SQLite only (one node): the events table rebuilt in place',
  'cases.0003_sealed_files': 'renamed case_blobs.sha256 and case_materials.blob_sha256 in place',
  'catalog.0003_negative_list_editions': 'dropped catalog_negative_list in the release that stopped using it',
  'halls.0006_queue_order': 'dropped the old queue index in the release that added its replacement',
};

type Recorded = Map<string, string[]>;

/** Runs `migrations` on an empty store, returning the statements each migration sent. */
async function recordMigrations(
  migrations: Readonly<Record<string, Migration>>,
  pgUrl: string | undefined,
): Promise<Recorded> {
  let current: string | undefined;
  const recorded: Recorded = new Map();
  const sqlite = pgUrl ? undefined : new SQLite(':memory:');
  const pool = pgUrl ? new pg.Pool({ connectionString: pgUrl, max: 2 }) : undefined;
  const db = new Kysely<NoTables>({
    dialect: pool ? new PostgresDialect({ pool }) : new SqliteDialect({ database: sqlite! }),
    log(e) {
      if (e.level === 'query' && current) recorded.get(current)!.push(e.query.sql);
    },
  });
  const wrapped = Object.fromEntries(
    Object.entries(migrations).map(([name, m]) => [
      name,
      {
        async up(d: Kysely<unknown>) {
          current = name;
          recorded.set(name, []);
          try {
            await m.up(d);
          } finally {
            current = undefined;
          }
        },
      } satisfies Migration,
    ]),
  );
  try {
    await migrate(db, wrapped);
  } finally {
    await db.destroy();
  }
  return recorded;
}

/** The migrations that break the rule: unmarked breaking statements, or drops the mark does not name. */
function violations(
  migrations: Readonly<Record<string, Migration>>,
  recorded: Recorded,
  exempt: Record<string, string> = {},
): string[] {
  const out: string[] = [];
  for (const [name, statements] of recorded) {
    const breaking = statements.map(breakingStatement).filter((b): b is BreakingStatement => !!b);
    if (breaking.length === 0 || exempt[name]) continue;
    const mark = contractOf(migrations[name]!);
    if (!mark) {
      out.push(
        `${name}: ${breaking.map((b) => `${b.kind} ${b.object}`).join(', ')} (not marked contractPhase)`,
      );
      continue;
    }
    const named = new Set(mark.removes.map((r) => r.toLowerCase()));
    for (const b of breaking)
      if (!named.has(b.object) && !named.has(b.object.split('.')[0]!))
        out.push(
          `${name}: ${b.kind} ${b.object} is not among what it says it removes (${mark.removes.join(', ')})`,
        );
  }
  return out;
}

describe('every migration of this release: expand, or marked contract-phase', () => {
  let t: TongbanApp;
  let scratch: ScratchDatabase | undefined;
  let recorded: Recorded;
  const pgBase = process.env.TONGBAN_TEST_DATABASE_URL;

  before(async () => {
    const store = await openTestStore();
    t = await buildApp({ config: testConfig(), store, demo: 'off', startConsumers: false, warmUp: false });
    if (pgBase) scratch = await scratchDatabase(pgBase, 'tongban_phases');
    recorded = await recordMigrations(t.migrations, scratch?.url);
  });
  after(async () => {
    await t?.close();
    await t?.store.close();
    await scratch?.drop();
  });

  test('every migration ran and was recorded', () => {
    assert.deepEqual([...recorded.keys()].sort(), Object.keys(t.migrations).sort());
    assert.ok(recorded.size > 40, `only ${recorded.size} migrations`);
  });

  test('no drop, rename or narrowing outside a contract-phase migration that names it', () => {
    assert.deepEqual(violations(t.migrations, recorded, BEFORE_THE_RULE), []);
  });

  test('the list of migrations released before the rule is closed: each still exists and still breaks the rule', () => {
    for (const name of Object.keys(BEFORE_THE_RULE)) {
      assert.ok(t.migrations[name], `${name} is no longer a migration: take it off the list`);
      // a SQLite-only migration sends nothing on PostgreSQL
      const sqliteOnly = name.startsWith('events.') && t.store.dialect === 'postgres';
      if (!sqliteOnly)
        assert.ok(
          recorded.get(name)!.some((s) => breakingStatement(s)),
          `${name} breaks nothing on ${t.store.dialect}: take it off the list`,
        );
    }
  });

  test('ledger.0003 is the contract step of ledger.0002: marked, and drops only ledger_keys', () => {
    const mark = contractOf(t.migrations['ledger.0003_drop_ledger_keys']!);
    assert.deepEqual(mark?.removes, ['ledger_keys']);
    assert.ok(t.migrations[mark!.unusedSince], 'the expand step it waits on is a migration of this release');
    const drops = recorded.get('ledger.0003_drop_ledger_keys')!.map(breakingStatement);
    assert.deepEqual(
      drops.map((b) => b && `${b.kind} ${b.object}`),
      ['drop table ledger_keys'],
    );
  });

  test('a node of the previous release starts on a store this release migrated (a rolling deploy restarts it)', async () => {
    const previous = { ...t.migrations };
    delete previous['ledger.0003_drop_ledger_keys'];
    assert.deepEqual(await migrate(t.store.db, previous), [], 'nothing to run, and no refusal');
    assert.deepEqual(
      await migrate(t.store.db, t.migrations),
      [],
      'and the newer release still sees it applied',
    );
  });

  test('the check fails an unmarked drop or rename, and a marked one that drops more than it names', async () => {
    const probe: Record<string, Migration> = {
      'probe.0001_tables': {
        async up(db) {
          await db.schema.createTable('probe_a').addColumn('x', 'text').addColumn('y', 'text').execute();
          await db.schema.createTable('probe_b').addColumn('x', 'text').execute();
          await db.schema.createTable('probe_c').addColumn('x', 'text').execute();
        },
      },
      'probe.0002_unmarked_rename': {
        async up(db) {
          await db.schema.alterTable('probe_a').renameColumn('y', 'z').execute();
        },
      },
      'probe.0003_unmarked_required_column': {
        async up(db) {
          await db.schema
            .alterTable('probe_b')
            .addColumn('n', 'integer', (c) => c.notNull())
            .execute();
        },
      },
      'probe.0004_marked_but_drops_more': contractPhase({
        removes: ['probe_b'],
        unusedSince: 'probe.0001_tables',
        async up(db) {
          await db.schema.dropTable('probe_b').execute();
          await db.schema.dropTable('probe_c').execute();
        },
      }),
      'probe.0005_expand_is_fine': {
        async up(db) {
          await db.schema.alterTable('probe_a').addColumn('w', 'text').execute();
          await db.schema
            .alterTable('probe_a')
            .addColumn('v', 'integer', (c) => c.notNull().defaultTo(0))
            .execute();
          await db.schema.createIndex('probe_a_w').on('probe_a').column('w').execute();
        },
      },
    };
    const s = pgBase ? await scratchDatabase(pgBase, 'tongban_phases') : undefined;
    try {
      const rec = await recordMigrations(probe, s?.url);
      assert.deepEqual(violations(probe, rec), [
        'probe.0002_unmarked_rename: rename probe_a.y (not marked contractPhase)',
        'probe.0003_unmarked_required_column: not-null column without default probe_b.n (not marked contractPhase)',
        'probe.0004_marked_but_drops_more: drop table probe_c is not among what it says it removes (probe_b)',
      ]);
    } finally {
      await s?.drop();
    }
  });
});

describe('the statements a rolling deploy does not survive', () => {
  const cases: Array<[string, string | undefined]> = [
    ['create table "a" ("x" text)', undefined],
    ['alter table "a" add column "y" text', undefined],
    ['alter table "a" add column "y" integer default 0 not null', undefined],
    ['alter table "a" add column "y" integer not null', 'not-null column without default a.y'],
    ['create index "i" on "a" ("x")', undefined],
    ['drop table "a"', 'drop table a'],
    ['drop table if exists "public"."a"', 'drop table a'],
    ['drop index "i"', 'drop index i'],
    ['drop index concurrently if exists i', 'drop index i'],
    ['alter table "a" drop column "x"', 'drop column a.x'],
    ['ALTER TABLE a DROP x', 'drop column a.x'],
    ['alter table "a" rename column "x" to "y"', 'rename a.x'],
    ['alter table "a" rename to "b"', 'rename a'],
    ['alter index i rename to j', 'rename i'],
    ['alter table "a" alter column "x" set not null', 'alter column a.x'],
    ['alter table "a" alter column "x" type bigint', 'alter column a.x'],
    ['alter table "a" alter column "x" set default 1', undefined],
    ['alter table "a" alter column "x" drop default', 'alter column a.x'],
    ['alter table "a" add column "y" text, drop constraint "a_k"', 'drop constraint a.a_k'],
  ];
  for (const [statement, expected] of cases)
    test(statement, () => {
      const b = breakingStatement(statement);
      assert.equal(b && `${b.kind} ${b.object}`, expected);
    });
});

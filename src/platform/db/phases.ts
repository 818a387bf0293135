import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Migrations a rolling deploy survives (docs/adr/0023-expand-then-contract.md). During a rolling
 * deploy the previous release's nodes keep answering on the schema the new release migrated to,
 * so a release only EXPANDS the schema (new tables, new nullable or defaulted columns, new
 * indexes): everything the previous release reads and writes is still there. What a release stops
 * using is removed by a later release's CONTRACT-phase migration, once no running release uses it.
 *
 * A module marks a migration as contract-phase by building it with `contractPhase`, naming what
 * it removes; `test/platform/migration-phases.int.test.ts` runs every migration, records the
 * statements each one sends, and fails on a drop, rename or narrowing that is not so marked (or
 * that removes something the mark does not name).
 */
export interface ContractSpec {
  /** the tables, columns (`table.column`) and indexes the migration removes or renames */
  readonly removes: readonly string[];
  /** the migration from which on no code reads or writes them (the expand step they wait on) */
  readonly unusedSince: string;
  readonly up: Migration['up'];
}

const contracts = new WeakMap<Migration, ContractSpec>();

/** A contract-phase migration: only in a release after the one that stopped using what it removes. */
export function contractPhase(spec: ContractSpec): Migration {
  const m: Migration = { up: spec.up };
  contracts.set(m, spec);
  return m;
}

/** The mark of a contract-phase migration, or undefined for an expand-phase one. */
export function contractOf(m: Migration): ContractSpec | undefined {
  return contracts.get(m);
}

export interface BreakingStatement {
  /** what the statement does that the previous release may not survive */
  readonly kind:
    | 'drop table'
    | 'drop column'
    | 'drop index'
    | 'drop constraint'
    | 'drop view'
    | 'rename'
    | 'alter column'
    | 'not-null column without default';
  /** the object it names (table, `table.column`, index), lower case, unquoted */
  readonly object: string;
  readonly sql: string;
}

const ident = String.raw`(?:"((?:[^"]|"")+)"|([A-Za-z_][\w$]*))`;
const name = (m: RegExpExecArray, i: number) => (m[i] ?? m[i + 1] ?? '').replaceAll('""', '"').toLowerCase();
const re = (s: string) => new RegExp(s, 'i');
const DROP = re(
  String.raw`^\s*drop\s+(table|index|view)\s+(?:concurrently\s+)?(?:if\s+exists\s+)?(?:${ident}\.)?${ident}`,
);
const ALTER = re(
  String.raw`^\s*alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?(?:${ident}\.)?${ident}\s+(.*)$`,
);
const DROP_COLUMN = re(String.raw`^drop\s+(?:column\s+)?(?:if\s+exists\s+)?${ident}`);
const DROP_CONSTRAINT = re(String.raw`^drop\s+constraint\s+(?:if\s+exists\s+)?${ident}`);
const RENAME_COLUMN = re(String.raw`^rename\s+(?:column\s+)?${ident}\s+to\s`);
const RENAME_TABLE = re(String.raw`^rename\s+to\s`);
const ALTER_COLUMN = re(String.raw`^alter\s+(?:column\s+)?${ident}\s+(.*)$`);
const ADD_COLUMN = re(String.raw`^add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?${ident}\s+(.*)$`);
const ALTER_INDEX_RENAME = re(
  String.raw`^\s*alter\s+index\s+(?:if\s+exists\s+)?(?:${ident}\.)?${ident}\s+rename\s`,
);

/**
 * The statements of a migration that the previous release may not survive: drops, renames,
 * column type or nullability changes, and a NOT NULL column added without a default (the old
 * release's inserts do not name it). Creating tables, columns and indexes is expand-phase.
 */
export function breakingStatement(sqlText: string): BreakingStatement | undefined {
  const s = sqlText.replace(/\s+/g, ' ').trim();
  let m = DROP.exec(s);
  if (m)
    return { kind: `drop ${m[1]!.toLowerCase()}` as BreakingStatement['kind'], object: name(m, 4), sql: s };
  m = ALTER_INDEX_RENAME.exec(s);
  if (m) return { kind: 'rename', object: name(m, 3), sql: s };
  m = ALTER.exec(s);
  if (!m) return undefined;
  const table = name(m, 3);
  // one ALTER TABLE may carry several actions (PostgreSQL): judge each
  for (const action of m[5]!.split(/,(?![^(]*\))/).map((a) => a.trim())) {
    let a = DROP_CONSTRAINT.exec(action);
    if (a) return { kind: 'drop constraint', object: `${table}.${name(a, 1)}`, sql: s };
    a = DROP_COLUMN.exec(action);
    if (a) return { kind: 'drop column', object: `${table}.${name(a, 1)}`, sql: s };
    a = RENAME_TABLE.exec(action);
    if (a) return { kind: 'rename', object: table, sql: s };
    a = RENAME_COLUMN.exec(action);
    if (a) return { kind: 'rename', object: `${table}.${name(a, 1)}`, sql: s };
    a = ALTER_COLUMN.exec(action);
    // a default set changes no row and no statement of the old release; a default dropped from
    // a NOT NULL column fails the old release's inserts that leave the column out
    if (a && !/^set\s+default\b/i.test(a[3]!))
      return { kind: 'alter column', object: `${table}.${name(a, 1)}`, sql: s };
    a = ADD_COLUMN.exec(action);
    if (
      a &&
      /\bnot\s+null\b/i.test(a[3]!) &&
      !/\bdefault\b/i.test(a[3]!) &&
      !/\bprimary\s+key\b/i.test(a[3]!)
    )
      return { kind: 'not-null column without default', object: `${table}.${name(a, 1)}`, sql: s };
  }
  return undefined;
}

/** The migrations recorded as applied in this store (none on an empty store). */
export async function appliedMigrations(db: Kysely<unknown>): Promise<string[]> {
  try {
    const r = await sql<{ name: string }>`select name from schema_migrations`.execute(db);
    return r.rows.map((x) => x.name);
  } catch {
    return []; // no schema_migrations yet: an empty store
  }
}

/**
 * The applied migrations this release does not know (a newer release's), as migrations already
 * done: the previous release's node starts on a store the next release has migrated.
 */
export function newerMigrations(
  applied: readonly string[],
  known: Readonly<Record<string, Migration>>,
): Record<string, Migration> {
  const out: Record<string, Migration> = {};
  for (const name of applied)
    if (!Object.hasOwn(known, name))
      out[name] = {
        async up() {
          throw new Error(`migration ${name} belongs to a newer release`);
        },
      };
  return out;
}

import { isStalePlan } from './pg-session.js';

/**
 * Why a store could not be opened, in one line an operator can act on, with its own exit code
 * (docs/operations.md, "When the store cannot be opened"). The codes follow sysexits(3) where one
 * fits, so a supervisor or a script can tell the cases apart without reading the text.
 */
export const STORE_EXIT = {
  /** PostgreSQL: the database does not exist and this role may not create it */
  missingDatabase: 66, // EX_NOINPUT
  /** PostgreSQL: no server answers at the address (refused, unknown host, timed out) */
  unreachable: 69, // EX_UNAVAILABLE
  /** SQLite: the file or its directory cannot be created or written */
  sqliteUnwritable: 73, // EX_CANTCREAT
  /** PostgreSQL: the server refused the credentials (wrong password, role may not log in) */
  authentication: 77, // EX_NOPERM
  /** anything else the store said while opening (its message is kept, on one line) */
  other: 71, // EX_OSERR
} as const;

export type StoreOpenProblem = keyof typeof STORE_EXIT;

export class StoreOpenError extends Error {
  readonly exitCode: number;
  constructor(
    readonly problem: StoreOpenProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(oneLine(message), options);
    this.name = 'StoreOpenError';
    this.exitCode = STORE_EXIT[problem];
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
]);

export interface PgTarget {
  host: string;
  port: string;
  database: string;
  user: string;
}

/** Host, port, database and user of a postgres:// URL, without the password. */
export function pgTarget(databaseUrl: string): PgTarget {
  const u = new URL(databaseUrl);
  return {
    host: decodeURIComponent(u.hostname) || 'localhost',
    port: u.port || '5432',
    database:
      decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres',
    user: decodeURIComponent(u.username) || process.env.PGUSER || process.env.USER || 'postgres',
  };
}

/** The `createdb` an operator runs (as a role that may create databases) when tongban's role may not. */
export function createdbCommand(t: PgTarget): string {
  const q = (s: string) => (/^[A-Za-z0-9_.:/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return `createdb -h ${q(t.host)} -p ${t.port} -O ${q(t.user)} ${q(t.database)}`;
}

function errCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown })?.code;
  if (typeof c === 'string') return c;
  // AggregateError (a host name with several addresses, each refused): the first one's code
  const inner = (e as { errors?: unknown[] })?.errors?.[0];
  return inner ? errCode(inner) : undefined;
}

function errMessage(e: unknown): string {
  const m = (e as Error)?.message;
  if (m) return m;
  const inner = (e as { errors?: unknown[] })?.errors?.[0];
  return inner ? errMessage(inner) : String(e);
}

/** Classifies an error from connecting to PostgreSQL. The missing-database case is decided by the caller. */
export function pgOpenError(e: unknown, t: PgTarget): StoreOpenError {
  const where = `${t.host}:${t.port}`;
  const code = errCode(e);
  const msg = errMessage(e);
  if (code === '28P01' || code === '28000')
    return new StoreOpenError(
      'authentication',
      `PostgreSQL at ${where} refused user "${t.user}": ${msg} (check the user and password in TONGBAN_DATABASE_URL)`,
      { cause: e },
    );
  if ((code && UNREACHABLE_CODES.has(code)) || /timeout|terminated unexpectedly/i.test(msg))
    return new StoreOpenError(
      'unreachable',
      `no PostgreSQL server answers at ${where} (${code ?? msg}); is it running, and is TONGBAN_DATABASE_URL's host and port right?`,
      { cause: e },
    );
  return new StoreOpenError(
    'other',
    `PostgreSQL at ${where}/${t.database} could not be opened: ${msg}${code ? ` (${code})` : ''}`,
    {
      cause: e,
    },
  );
}

export function missingDatabaseError(t: PgTarget, why: string, cause?: unknown): StoreOpenError {
  return new StoreOpenError(
    'missingDatabase',
    `PostgreSQL database "${t.database}" does not exist at ${t.host}:${t.port} and ${why}; create it with: ${createdbCommand(t)}`,
    { cause },
  );
}

/** Classifies an error from opening (or first writing) the SQLite file. */
export function sqliteOpenError(e: unknown, file: string): StoreOpenError {
  const code = errCode(e);
  const msg = errMessage(e);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT')
    return new StoreOpenError('other', `${file} is not a SQLite database tongban can open: ${msg}`, {
      cause: e,
    });
  return new StoreOpenError(
    'sqliteUnwritable',
    `the SQLite store ${file} cannot be opened for writing: ${msg}${code && !msg.includes(code) ? ` (${code})` : ''}; check TONGBAN_DATA_DIR, its owner and permissions, and free space`,
    { cause: e },
  );
}

/**
 * SQLSTATEs that say "this server cannot take the statement now" rather than "the statement is
 * wrong": connection exceptions (class 08), the server shutting down or still starting (57P01–
 * 57P03), too many connections, and a read-only transaction — a node still connected to a standby
 * or to a demoted primary during a failover.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '25006']);

/**
 * Whether an error from a running store means the store is not reachable right now (a dead or
 * restarting primary, a failover): the request is answered 503 STORE_UNAVAILABLE, to be tried
 * again, not 500. The outcome of a write whose COMMIT was cut off is unknown to us too, so the
 * answer never claims it was not saved.
 */
export function isStoreUnavailable(e: unknown): boolean {
  // a prepared statement whose table another node's migration has just changed: the transaction
  // is rolled back and the connection prepares afresh (pg-session.ts); tried again, it runs
  if (isStalePlan(e)) return true;
  const code = errCode(e);
  if (code) {
    if (UNREACHABLE_CODES.has(code) || code === 'EPIPE' || code === 'ECONNABORTED') return true;
    if (/^08[0-9A-Z]{3}$/.test(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
  }
  const msg = (e as Error)?.message;
  return (
    typeof msg === 'string' &&
    /^(Connection terminated( unexpectedly)?|Client has encountered a connection error and is not queryable|timeout exceeded when trying to connect|Connection terminated due to connection timeout)$/.test(
      msg,
    )
  );
}

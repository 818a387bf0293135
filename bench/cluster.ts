/**
 * App nodes as separate processes, for the benches that load tongban over HTTP from outside
 * (bench/actions.bench.ts, bench/mixed.bench.ts): a store seeded with the demo city, real bearer
 * tokens, applications submitted ahead of the run; then N `npm start` processes on that store
 * (one on a SQLite file with synchronous=FULL and group commit, as shipped; or several on one
 * PostgreSQL database), the load from another child process (bench/load.client.ts, autocannon),
 * each process's CPU time and RSS read from /proc. Beside them, measured in the same run: bare
 * Fastify (bench/bare-fastify.server.ts) and the store's single-row commit rate.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { newId } from '../src/kernel/index.js';
import { type Store, openStore, sql } from '../src/platform/db/index.js';
import { BENCH_PG_URL, scratchDatabase } from './lib.js';

export const root = join(import.meta.dirname, '..');
/** one fixed secret for the seeding app and every node: the tokens are keyed with it */
const SECRET = Buffer.alloc(32, 0x5a).toString('hex');
// 食品小经营店登记: a city item decided by the demo approver's department (郑州市市场监督管理局)
export const CITY_ITEM = '11410100297017523N01003401100000';
export const REGION = '410105001';

export type StoreKind = 'sqlite' | 'postgres';

export interface Seeded {
  kind: StoreKind;
  env: NodeJS.ProcessEnv;
  tokens: Record<'citizen' | 'clerk' | 'approver' | 'supervisor', string>;
  form: Record<string, unknown>;
  /** a material of the item the citizens upload (code), with a small PDF */
  material: { code: string; filename: string; contentBase64: string };
  /** applications submitted ahead of the run, for the clerks and approvers */
  cases: string[];
  drop(): Promise<void>;
}

/** The env every node and the seeding app share (a SQLite data dir, or a PostgreSQL URL). */
function baseEnv(kind: StoreKind, where: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TONGBAN_ENV: 'development',
    TONGBAN_SECRET_KEY: SECRET,
    TONGBAN_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    // the load client names many citizens' addresses in X-Forwarded-For (the per-address search
    // limit is then counted per citizen, as behind the real proxy)
    TONGBAN_TRUST_PROXY: '127.0.0.1',
    TONGBAN_LOG_ORIGIN: 'bench.tongban.local/log',
    ...(kind === 'sqlite'
      ? { TONGBAN_DATA_DIR: where, TONGBAN_DATABASE_URL: '', TONGBAN_SQLITE_SYNCHRONOUS: 'FULL' }
      : { TONGBAN_DATABASE_URL: where, TONGBAN_DATA_DIR: mkdtempSync(join(tmpdir(), 'tongban-pgnode-')) }),
  };
}

/** A minimal valid PDF (the type is judged by content). */
export function smallPdf(bytes = 20_000): Buffer {
  const head = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n');
  const pad = Buffer.alloc(Math.max(0, bytes - head.length - 6), 0x20);
  return Buffer.concat([head, pad, Buffer.from('\n%%EOF')]);
}

/**
 * Seeds the demo city into a new store, issues bearer tokens (`tokenForLogin`, as `tongban token`
 * does), and submits `applications` applications over the app (inject: the same routes, checks
 * and writes as over a socket), `parallel` at a time.
 */
export async function seed(kind: StoreKind, applications: number, parallel = 32): Promise<Seeded> {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-cluster-'));
  const pg = kind === 'postgres' ? await scratchDatabase(BENCH_PG_URL, 'tongban_cluster') : undefined;
  const env = baseEnv(kind, pg ? pg.url : dir);
  const config = loadConfig(env);
  // the seeding itself need not survive a power cut: NORMAL on SQLite (the nodes run FULL)
  const store: Store = pg
    ? await openStore({ databaseUrl: pg.url, poolSize: parallel })
    : await openStore({ sqliteFile: join(dir, 'tongban.sqlite'), sqliteSynchronous: 'NORMAL' });
  const t = await buildApp({ config, store, demo: 'on', startConsumers: false, warmUp: true });
  let result: Seeded;
  try {
    const day = 24 * 3600_000;
    const tok = async (login: string) => (await t.identity.tokenForLogin(login, 30 * day)).token;
    // the demo clerk is a 街道 window (410105001); online applications to a city item are accepted
    // at the city's window (市民之家): a window clerk of the city, made for the bench
    await t.identity.service.createStaff({
      login: 'bench-city-clerk',
      name: '市民之家窗口',
      password: `B3nch!${newId()}`,
      regionCode: '410100',
      departmentId: null,
      hallId: null,
      grants: [{ role: 'windowClerk', regionPrefix: '4101', departmentId: null }],
    });
    const tokens = {
      citizen: await tok('citizen'),
      clerk: await tok('bench-city-clerk'),
      approver: await tok('approver'),
      supervisor: await tok('supervisor'),
    };
    const item = await t.catalog.getPublishedItem(CITY_ITEM);
    if (!item) throw new Error(`the demo catalogue has no ${CITY_ITEM}`);
    const form = formFor(item.form.schema.properties as Record<string, FieldSchema>);
    const m = item.materials[0];
    if (!m) throw new Error(`${CITY_ITEM} asks for no material`);
    const material = {
      code: m.code,
      filename: 'material.pdf',
      contentBase64: smallPdf().toString('base64'),
    };
    const cases: string[] = [];
    const s0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < applications) {
          next++;
          const r = await t.app.inject({
            method: 'POST',
            url: '/api/v1/cases',
            headers: { authorization: `Bearer ${tokens.citizen}` },
            payload: { implementationCode: CITY_ITEM, regionCode: REGION, form },
          });
          if (r.statusCode !== 201) throw new Error(`seeding an application: ${r.statusCode} ${r.body}`);
          cases.push((r.json() as { caseNumber: string }).caseNumber);
        }
      }),
    );
    console.log(
      `  (${applications} applications submitted in ${((performance.now() - s0) / 1000).toFixed(1)} s)`,
    );
    // the ledger's consumer turns the seeded events into leaves before the nodes start
    await t.events.drain();
    result = {
      kind,
      env,
      tokens,
      form,
      material,
      cases,
      async drop() {
        rmSync(dir, { recursive: true, force: true });
        if (kind === 'postgres') rmSync(env.TONGBAN_DATA_DIR!, { recursive: true, force: true });
        await pg?.drop();
      },
    };
  } catch (e) {
    // a seeding that failed leaves no directory or database behind
    await t.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgres') rmSync(env.TONGBAN_DATA_DIR!, { recursive: true, force: true });
    await pg?.drop();
    throw e;
  }
  await t.close();
  await store.close();
  return result;
}

type FieldSchema = { type: string; enum?: string[]; pattern?: string; format?: string };
/** A valid answer for each field of a published form (as test/helpers/forms.ts). */
function formFor(props: Record<string, FieldSchema>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(props)) {
    if (p.enum) out[k] = p.enum[0];
    else if (p.type === 'integer' || p.type === 'number') out[k] = 2;
    else if (p.type === 'boolean') out[k] = true;
    else if (p.format === 'date') out[k] = '2025-06-01';
    else if (p.pattern?.includes('1\\d{10}')) out[k] = '13800138000';
    else if (p.pattern?.includes('\\d{17}')) out[k] = '410105199001011234';
    else if (p.pattern) continue;
    else out[k] = '测试内容';
  }
  return out;
}

// ── processes ─────────────────────────────────────────────────────────────────────────────

export interface Node {
  child: ChildProcess;
  port: number;
  url: string;
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (child.exitCode !== null) throw new Error(`node ${url} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`node ${url} never answered`);
}

/** Starts `n` nodes as `npm start` does (compiled dist/, its node flags), on consecutive ports. */
/**
 * A TCP port free on 127.0.0.1 now (the system picks it; the listener is closed again at once), for
 * a child process to listen on: a bench beside others on a shared machine never collides with their
 * fixed ports. Another process could take it in between; the child then fails its start loudly.
 */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok, fail) => srv.once('error', fail).listen(0, '127.0.0.1', ok));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

/** Starts `n` nodes one after the other, on ports from `firstPort` on, or on free ports when none is given. */
export async function startNodes(seeded: Seeded, n: number, firstPort?: number): Promise<Node[]> {
  const startScript = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start;
  const nodeArgs = startScript
    .replace(/^node /, '')
    .replace(/ ?scripts\/start\.mjs$/, '')
    .split(' ')
    .filter(Boolean);
  const prof = process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}`] : [];
  // COUNT_STATEMENTS=<dir>: each node counts the statements it sends (bench/count-statements.mjs)
  if (process.env.COUNT_STATEMENTS) prof.push('--import', join(root, 'bench', 'count-statements.mjs'));
  const nodes: Node[] = [];
  for (let i = 0; i < n; i++) {
    const port = firstPort === undefined ? await freePort() : firstPort + i;
    const child = spawn(process.execPath, [...prof, ...nodeArgs, 'scripts/start.mjs'], {
      cwd: root,
      env: {
        ...seeded.env,
        TONGBAN_PORT: String(port),
        TONGBAN_PUBLIC_URL: `http://127.0.0.1:${port}`,
        ...(process.env.BENCH_POOL_SIZE ? { TONGBAN_DB_POOL_SIZE: process.env.BENCH_POOL_SIZE } : {}),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    nodes.push({ child, port, url: `http://127.0.0.1:${port}` });
    // one at a time: the first runs any migrations; the others find the store ready
    await waitHealthy(`http://127.0.0.1:${port}`, child);
  }
  return nodes;
}

export async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((res) => {
          if (c.exitCode !== null) return res();
          c.once('exit', () => res());
          c.kill('SIGTERM');
        }),
    ),
  );
}

/** Bare Fastify in its own process (the HTTP floor): a JSON POST route and a GET. */
export async function startBareFastify(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-fastify.server.ts', String(port)], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitHealthy(`http://127.0.0.1:${port}`, child);
  } catch (e) {
    child.kill(); // not left behind by a bench that stops here
    throw e;
  }
  return child;
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
/** A process's CPU time so far (user + system), in ms, read from outside it. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

/**
 * PostgreSQL's CPU for one database, read from /proc (the server on this machine): the backends
 * connected to it now (pg_stat_activity, asked from the maintenance database). `pgCpu(url)` takes
 * a snapshot; `since(earlier)` sums what each backend spent after it, counting a backend that
 * started meanwhile from zero (one that ended meanwhile is lost: the nodes' pools keep theirs).
 */
export async function pgCpu(databaseUrl: string): Promise<Map<number, number>> {
  const database = new URL(databaseUrl).pathname.slice(1);
  const c = new pg.Client({ connectionString: BENCH_PG_URL });
  await c.connect();
  try {
    const r = await c.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [
      database,
    ]);
    const out = new Map<number, number>();
    for (const { pid } of r.rows) {
      try {
        out.set(pid, cpuMs(pid));
      } catch {
        /* gone, or not on this machine */
      }
    }
    return out;
  } finally {
    await c.end();
  }
}
/**
 * The statements each node has sent to PostgreSQL so far, by kind (COUNT_STATEMENTS=<dir>:
 * bench/count-statements.mjs writes them); an empty map without it.
 */
export async function statementCounts(pids: number[]): Promise<Map<number, Record<string, number>>> {
  const out = new Map<number, Record<string, number>>();
  const dir = process.env.COUNT_STATEMENTS;
  if (!dir) return out;
  await new Promise((r) => setTimeout(r, 250)); // the nodes write every 200 ms
  for (const pid of pids)
    try {
      out.set(pid, JSON.parse(readFileSync(join(dir, `${pid}.json`), 'utf8')) as Record<string, number>);
    } catch {
      /* not written yet */
    }
  return out;
}

/** COUNT_STATEMENT_TEXTS=1: how often each statement's text was sent so far, all nodes together. */
export function statementTexts(pids: number[]): Map<string, number> {
  const out = new Map<string, number>();
  const dir = process.env.COUNT_STATEMENTS;
  if (!dir || process.env.COUNT_STATEMENT_TEXTS !== '1') return out;
  for (const pid of pids)
    try {
      const t = JSON.parse(readFileSync(join(dir, `${pid}.texts.json`), 'utf8')) as Record<string, number>;
      for (const [k, v] of Object.entries(t)) out.set(k, (out.get(k) ?? 0) + v);
    } catch {
      /* not written yet */
    }
  return out;
}

export function pgCpuSince(earlier: Map<number, number>, now: Map<number, number>): number {
  let ms = 0;
  for (const [pid, v] of now) ms += v - (earlier.get(pid) ?? 0);
  return ms;
}

/** A process's resident memory in MB, from /proc/<pid>/status. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

// ── the load client ───────────────────────────────────────────────────────────────────────

export interface KindResult {
  count: number;
  errors: number;
  /** the first few error answers, for the report */
  samples: string[];
  p50: number;
  p95: number;
  p99: number;
}
export interface LoadResult {
  seconds: number;
  total: number;
  errors: number;
  kinds: Record<string, KindResult>;
  /** per sampling interval (soak): requests and errors */
  intervals: Array<Interval>;
}

/** One sampling interval of a soak: requests, errors, and each request kind's mean latency (ms). */
export interface Interval {
  t: number;
  requests: number;
  errors: number;
  ms?: Record<string, number>;
}

/** Runs bench/load.client.ts in its own process with the plan; resolves with its result. */
export async function runLoad(
  plan: unknown,
  onInterval?: (x: Interval) => void,
): Promise<{ result: LoadResult; clientCpuMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-load-'));
  const file = join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  const prof = process.env.PROFILE_CLIENT
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_CLIENT}`]
    : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', 'bench/load.client.ts', file], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let buf = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.startsWith('interval ')) onInterval?.(JSON.parse(line.slice(9)));
      else out += `${line}\n`;
    }
  });
  let cpu = 0;
  const poll = setInterval(() => {
    try {
      cpu = cpuMs(child.pid!);
    } catch {
      /* exited */
    }
  }, 200);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearInterval(poll);
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`the load client exited with ${code}`);
  return { result: JSON.parse(out.trim().split('\n').pop()!) as LoadResult, clientCpuMs: cpu };
}

// ── the store's own ceiling ───────────────────────────────────────────────────────────────

/**
 * Durable single-row commits per second on the store kind the nodes use, `inFlight` at once:
 * SQLite FULL through openStore (group commit, as shipped), PostgreSQL through a pool of `pool`.
 */
export async function storeCommitRate(
  kind: StoreKind,
  inFlight: number,
  n: number,
  pool = 10,
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-ceiling-'));
  const pg = kind === 'postgres' ? await scratchDatabase(BENCH_PG_URL, 'tongban_ceiling') : undefined;
  const store = pg
    ? await openStore({ databaseUrl: pg.url, poolSize: pool })
    : await openStore({ sqliteFile: join(dir, 'c.db'), sqliteSynchronous: 'FULL' });
  try {
    await sql`create table scratch (id text primary key, payload text not null)`.execute(store.db);
    const db = store.db.withTables<{ scratch: { id: string; payload: string } }>();
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next++ < n)
          await db
            .transaction()
            .execute((trx) =>
              trx.insertInto('scratch').values({ id: newId(), payload: '{"a":1}' }).execute(),
            );
      }),
    );
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await store.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The minimal action's store (bench/minimal-action.server.ts): its tables, tokens and cases. */
export interface MinimalStore {
  /** the SQLite file or the PostgreSQL URL the servers open */
  where: string;
  tokens: string[];
  cases: number;
  drop(): Promise<void>;
}

/**
 * Makes and fills the minimal action's tables in a new store of the kind: `tokens` bearer tokens
 * (kept by their SHA-256, with an expiry), `cases` cases, an event table with a sequence (as the
 * platform's) and an index by aggregate.
 */
export async function seedMinimal(kind: StoreKind, cases = 50_000, tokens = 16): Promise<MinimalStore> {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-minimal-'));
  const scratch = kind === 'postgres' ? await scratchDatabase(BENCH_PG_URL, 'tongban_minimal') : undefined;
  const where = scratch ? scratch.url : join(dir, 'minimal.sqlite');
  const store = scratch
    ? await openStore({ databaseUrl: where, poolSize: 2 })
    : await openStore({ sqliteFile: where, sqliteSynchronous: 'NORMAL' });
  const seq = kind === 'postgres' ? 'bigserial primary key' : 'integer primary key autoincrement';
  const list: string[] = [];
  try {
    await sql`create table mini_tokens (hash text primary key, account_id text not null, expires_at text not null)`.execute(
      store.db,
    );
    await sql`create table mini_cases (id text primary key, version integer not null, status text not null,
      region_code text not null, updated_at text not null)`.execute(store.db);
    await sql
      .raw(
        `create table mini_events (seq ${seq}, id text not null unique, aggregate_id text not null,
        type text not null, actor text not null, payload text not null, created_at text not null)`,
      )
      .execute(store.db);
    await sql`create index mini_events_aggregate on mini_events (aggregate_id, seq)`.execute(store.db);
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    for (let i = 0; i < tokens; i++) {
      const token = randomBytes(32).toString('base64url');
      list.push(token);
      const hash = createHash('sha256').update(token).digest('hex');
      await sql`insert into mini_tokens values (${hash}, ${`acct-${i}`}, ${expires})`.execute(store.db);
    }
    const now = new Date().toISOString();
    await sql
      .raw(
        kind === 'postgres'
          ? `insert into mini_cases select 'c' || n, 0, 'submitted', '410105001', '${now}' from generate_series(1, ${cases}) as n`
          : `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${cases})
             insert into mini_cases select 'c' || i, 0, 'submitted', '410105001', '${now}' from n`,
      )
      .execute(store.db);
  } finally {
    await store.close();
  }
  return {
    where,
    tokens: list,
    cases,
    async drop() {
      await scratch?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts `n` minimal-action servers (bench/minimal-action.server.ts) on the store, from `firstPort` on. */
export async function startMinimal(
  store: MinimalStore,
  n: number,
  firstPort: number,
): Promise<ChildProcess[]> {
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const port = firstPort + i;
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'bench/minimal-action.server.ts', String(port), store.where],
        { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
      );
      children.push(child);
      await waitHealthy(`http://127.0.0.1:${port}`, child);
    }
  } catch (e) {
    await stopAll(children);
    throw e;
  }
  return children;
}

/**
 * What autovacuum does on a production server, where the bench's server has it off (this
 * machine's, seen 2026-12-06: `cases` kept 78,000 dead rows beside 37,000 live after three
 * minutes, and PostgreSQL's CPU an action rose run by run): `vacuum (analyze)` of the tables every
 * case action updates or appends to, every `everyMs`, on a connection to the bench's database (so
 * its backend's CPU is in the PostgreSQL figure, as an autovacuum worker's would be on the server).
 * Does nothing when the server's autovacuum is on. Returns whether it runs, and its stop.
 */
export async function vacuumLikeAutovacuum(
  databaseUrl: string,
  everyMs = 20_000,
): Promise<{ running: boolean; vacuums: () => number; stop: () => Promise<void> }> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  const on = (await c.query<{ v: string }>("select current_setting('autovacuum') as v")).rows[0]?.v === 'on';
  if (on) {
    await c.end();
    return { running: false, vacuums: () => 0, stop: async () => {} };
  }
  const vacuum = () =>
    c.query(
      'vacuum (analyze) cases, case_actions, events, event_consumers, stats_open_cases, stats_performance, ledger_state, ledger_tiles',
    );
  // the seed's rows first, before any load (a server with autovacuum on has long done this)
  await vacuum();
  let n = 0;
  let busy: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    busy = busy
      .then(vacuum)
      .then(() => n++)
      .catch(() => {});
  }, everyMs);
  return {
    running: true,
    vacuums: () => n,
    async stop() {
      clearInterval(timer);
      await busy;
      await c.end();
    },
  };
}

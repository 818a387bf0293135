/**
 * Cases: a replay of a year's mix of lifecycles through the service layer, beside the raw commit
 * ceiling of the same store, then the workbench and citizen queries with N cases stored.
 *
 *   node --import tsx bench/cases.bench.ts                      (SQLite, the shipped FULL durability)
 *   CASES_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/cases.bench.ts
 *   CASES_BENCH_LIFECYCLES=20000 CASES_BENCH_STORED=1600000 …   (sizes; CASES_BENCH_SQLITE=0 skips SQLite)
 *   CASES_BENCH_ONLY=bulk                                       (quick: only the bulk replay, no baselines or queries)
 */
import { ManualClock, newId } from '../src/kernel/index.js';
import { type Executor, type Store, metaMigrations, migrate, sql } from '../src/platform/db/index.js';
import { calendarMigrations, createCalendar } from '../src/platform/calendar/index.js';
import { eventsMigrations } from '../src/platform/events/index.js';
import type { Principal } from '../src/platform/http/index.js';
import { calendarPort } from '../src/modules/cases/cases.adapters.js';
import { createCasesService } from '../src/modules/cases/cases.service.js';
import {
  type CaseRow,
  type CasesTables,
  applicantCases,
  casesMigrations,
  departmentQueue,
} from '../src/modules/cases/cases.store.js';
import {
  ITEM_CITY,
  ITEM_IMMEDIATE,
  PRINCIPALS,
  fakePorts,
  seeded,
} from '../src/modules/cases/cases.testkit.js';
import { fmt, freshPostgres, freshSqlite, machine, median, percentile } from './lib.js';

const LIFECYCLES = Number(process.env.CASES_BENCH_LIFECYCLES ?? 2000);
const RUNS = Number(process.env.CASES_BENCH_RUNS ?? 3);
const STORED = Number(process.env.CASES_BENCH_STORED ?? 100_000);
// unset or `off`: SQLite only
const PG_URL =
  process.env.CASES_BENCH_PG && process.env.CASES_BENCH_PG !== 'off' ? process.env.CASES_BENCH_PG : undefined;
const ONLY_BULK = process.env.CASES_BENCH_ONLY === 'bulk';

const form = { applicantName: '张三', phone: '13800000000', purpose: '新办' };

type Sync = 'FULL' | 'NORMAL';

const MIGRATIONS = { ...metaMigrations, ...eventsMigrations, ...calendarMigrations, ...casesMigrations };

/** A migrated store: SQLite (FULL is the shipped durability: WAL, every commit fsynced) or PostgreSQL. */
async function fresh(
  kind: 'sqlite' | 'postgres',
  sync: Sync = 'FULL',
): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  if (kind === 'postgres' && !PG_URL) throw new Error('CASES_BENCH_PG is not set');
  const f = kind === 'sqlite' ? await freshSqlite(sync) : await freshPostgres(PG_URL, 16);
  await migrate(f.store.db, MIGRATIONS);
  return { store: f.store, cleanup: () => f.drop() };
}

type Kind = 'immediate' | 'promised' | 'supplement' | 'rejected' | 'refused' | 'withdrawn' | 'bundle';
/** The mix: 即办件, 承诺件 (some with 补正), rejections, refusals, withdrawals and 一件事 bundles. */
function kindOf(r: number): Kind {
  if (r < 0.4) return 'immediate';
  if (r < 0.72) return 'promised';
  if (r < 0.84) return 'supplement';
  if (r < 0.89) return 'rejected';
  if (r < 0.92) return 'refused';
  if (r < 0.94) return 'withdrawn';
  return 'bundle';
}

/** One full lifecycle through the service; returns the number of actions recorded. */
async function lifecycle(
  svc: ReturnType<typeof createCasesService>,
  clock: ManualClock,
  kind: Kind,
  citizen: Principal,
  at: Date,
  within?: Executor,
): Promise<number> {
  const w = within ? { within } : {};
  const day = 86_400_000;
  const step = (d: number) => clock.set(new Date(at.getTime() + d * day));
  const clerk = PRINCIPALS.cityClerk;
  const approver = PRINCIPALS.approver;
  step(0);
  if (kind === 'bundle') {
    const b = await svc.submitBundle(citizen, { bundleCode: 'BIRTH', regionCode: '410105', form }, w);
    let n = 1;
    for (const c of b.cases) {
      step(0.1);
      await svc.act(c.caseNumber, { action: 'accept' }, clerk, w);
      await svc.act(c.caseNumber, { action: 'approve' }, approver, w);
      await svc.act(c.caseNumber, { action: 'issueResult', delivery: 'online' }, approver, w);
      await svc.act(c.caseNumber, { action: 'complete' }, approver, w);
      n += 4;
    }
    return n;
  }
  const code = kind === 'immediate' ? ITEM_IMMEDIATE : ITEM_CITY;
  const { caseNumber: n } = await svc.submit(
    citizen,
    { implementationCode: code, regionCode: '410105001', form },
    w,
  );
  let count = 1;
  const act = async (a: Parameters<typeof svc.act>[1], p: Principal, d: number) => {
    step(d);
    await svc.act(n, a, p, w);
    count++;
  };
  switch (kind) {
    case 'refused':
      await act(
        { action: 'refuse', reason: '不属于本机关职权范围', legalBasis: '《行政许可法》第三十二条' },
        clerk,
        1,
      );
      return count;
    case 'withdrawn':
      await act({ action: 'withdraw' }, citizen, 1);
      return count;
    case 'supplement':
      await act({ action: 'requestSupplement', missing: ['身份证明', '经营场所平面图'] }, clerk, 1);
      await act({ action: 'supplement' }, citizen, 3);
      break;
    default:
  }
  await act({ action: 'accept' }, clerk, kind === 'immediate' ? 0 : 4);
  if (kind !== 'immediate') {
    await act({ action: 'startStep', step: '审核' }, approver, 5);
    await act({ action: 'completeStep' }, approver, 7);
  }
  if (kind === 'rejected')
    await act(
      { action: 'reject', reason: '现场核查不符合条件', legalBasis: '《食品经营许可管理办法》第十四条' },
      approver,
      9,
    );
  else await act({ action: 'approve' }, approver, kind === 'immediate' ? 0 : 9);
  await act({ action: 'issueResult', delivery: 'online' }, approver, kind === 'immediate' ? 0 : 10);
  await act({ action: 'complete' }, approver, kind === 'immediate' ? 0 : 10);
  return count;
}

/** `batch` > 1: that many lifecycles per commit (a bulk replay), each action still checked by the service. */
async function replay(
  kind: 'sqlite' | 'postgres',
  n: number,
  concurrency: number,
  sync: Sync = 'FULL',
  batch = 1,
) {
  const { store, cleanup } = await fresh(kind, sync);
  try {
    const rnd = seeded(42);
    const citizens: Principal[] = Array.from({ length: 500 }, (_, i) => ({
      ...PRINCIPALS.citizen,
      accountId: `acc-${i}`,
    }));
    const start = Date.parse('2025-01-02T01:00:00Z');
    const perDay = n / 250;
    let next = 0;
    let actions = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const clock = new ManualClock(new Date(start));
        // the real working-day calendar (chinese-days data for 2025), as the app wires it
        const calendar = createCalendar({ store, clock });
        await calendar.load();
        const svc = createCasesService({
          store,
          clock,
          ports: { ...fakePorts(), calendar: calendarPort(calendar) },
        });
        const one = async (i: number, within?: Executor) => {
          const k = kindOf(rnd());
          const at = new Date(start + Math.floor(i / perDay) * 86_400_000 + (i % 1000) * 1000);
          // not `actions += await …`: that reads `actions` before the await and loses concurrent updates
          const done = await lifecycle(svc, clock, k, citizens[i % citizens.length] as Principal, at, within);
          actions += done;
        };
        for (;;) {
          if (next >= n) return;
          if (batch === 1) await one(next++);
          else {
            const from = next;
            next = Math.min(n, next + batch);
            await store.db.transaction().execute(async (trx) => {
              for (let i = from; i < next; i++) await one(i, trx);
            });
          }
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const cu = process.cpuUsage(c0);
    // this process's CPU time: on a machine shared with other jobs it says what one core can do
    const cpuSecs = (cu.user + cu.system) / 1e6;
    return { lifecyclesPerSec: n / secs, actionsPerSec: actions / secs, perCpuSec: n / cpuSecs };
  } finally {
    await cleanup();
  }
}

/** The store's raw ceiling: durable single-row commits, through Kysely, into a scratch table. */
async function rawCeiling(kind: 'sqlite' | 'postgres', n: number, concurrency: number, sync: Sync = 'FULL') {
  const { store, cleanup } = await fresh(kind, sync);
  try {
    await sql`create table scratch (id text primary key, payload text not null)`.execute(store.db);
    const db = store.db.withTables<{ scratch: { id: string; payload: string } }>();
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (;;) {
          if (next++ >= n) return;
          await db
            .transaction()
            .execute((trx) =>
              trx.insertInto('scratch').values({ id: newId(), payload: '{"a":1}' }).execute(),
            );
        }
      }),
    );
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await cleanup();
  }
}

/** Bare single-row inserts through Kysely in transactions of `perCommit`: rows per second. */
async function rawBulkCeiling(n: number, perCommit: number) {
  const { store, cleanup } = await fresh('sqlite', 'FULL');
  try {
    await sql`create table scratch (id text primary key, payload text not null)`.execute(store.db);
    const t0 = performance.now();
    for (let done = 0; done < n; done += perCommit) {
      await store.db.transaction().execute(async (trx) => {
        for (let i = 0; i < perCommit; i++)
          await sql`insert into scratch (id, payload) values (${newId()}, ${'{"a":1}'})`.execute(trx);
      });
    }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await cleanup();
  }
}

/** Bulk-stores N cases (a year's volume) directly through the store, then times the two reads. */
async function queries(kind: 'sqlite' | 'postgres', stored: number) {
  const { store, cleanup } = await fresh(kind);
  try {
    const db = store.db.withTables<CasesTables>();
    const rnd = seeded(7);
    const departments = Array.from({ length: 60 }, (_, i) => `dept-${i}`);
    const t0 = performance.now();
    const batch = 1000;
    for (let i = 0; i < stored; i += batch) {
      const rows: CaseRow[] = [];
      for (let j = i; j < Math.min(stored, i + batch); j++) {
        const created = new Date(Date.parse('2025-01-01T00:00:00Z') + (j / stored) * 365 * 86_400_000);
        // about 2 % of a year's cases are still open at any time
        const open = rnd() < 0.02 ? 1 : 0;
        const dueDay = new Date(created.getTime() + 14 * 86_400_000).toISOString().slice(0, 10);
        rows.push({
          id: newId(),
          case_number: `${ITEM_CITY}${created.toISOString().slice(0, 10).replace(/-/g, '')}${String(j).padStart(7, '0')}`,
          implementation_code: ITEM_CITY,
          item_code: ITEM_CITY,
          item_version: 1,
          item_name: '食品经营许可',
          applicant_id: `acc-${j % 400_000}`,
          applicant_kind: 'person',
          region_code: '410105001',
          department_id: departments[Math.floor(rnd() * rnd() * departments.length)] as string,
          decide_region_code: '410100',
          hall_id: null,
          hall_region_code: null,
          channel: 'online',
          status: open ? 'accepted' : 'completed',
          open,
          promised_days: 10,
          statutory_days: 20,
          accepted_on: created.toISOString().slice(0, 10),
          promised_due: dueDay,
          statutory_due: dueDay,
          clock_state: open ? 'running' : 'stopped',
          colour: open ? (['green', 'yellow', 'red'][Math.floor(rnd() * 3)] as string) : 'none',
          remaining_days: open ? 3 : null,
          bundle_id: null,
          form_data: JSON.stringify(form),
          action_count: 7,
          projection: '{}',
          result: null,
          created_at: created.toISOString(),
          updated_at: created.toISOString(),
        });
      }
      await db.transaction().execute((trx) => trx.insertInto('cases').values(rows).execute());
    }
    const loadSecs = (performance.now() - t0) / 1000;
    if (kind === 'postgres') await sql`analyze cases`.execute(store.db);
    else await sql`analyze`.execute(store.db);
    const time = async (f: () => Promise<unknown>, n: number) => {
      const xs: number[] = [];
      for (let i = 0; i < n; i++) {
        const s = performance.now();
        await f();
        xs.push(performance.now() - s);
      }
      return { p50: percentile(xs, 50), p95: percentile(xs, 95) };
    };
    // the busiest department (dept-0 gets the most cases by the skewed pick above)
    const queue = await time(
      () =>
        departmentQueue(store.db, {
          departmentId: departments[Math.floor(rnd() * 5)] as string,
          limit: 20,
          offset: 0,
        }),
      300,
    );
    const mine = await time(() => applicantCases(store.db, `acc-${Math.floor(rnd() * 400_000)}`, 20, 0), 300);
    const openInDept0 = await db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('department_id', '=', 'dept-0')
      .where('open', '=', 1)
      .executeTakeFirst();
    return { loadSecs, queue, mine, openInDept0: Number(openInDept0?.n ?? 0) };
  } finally {
    await cleanup();
  }
}

async function suite(kind: 'sqlite' | 'postgres') {
  const line = (label: string, xs: number[]) =>
    console.log(`${label}: ${fmt(median(xs), 0)}/s (median of ${xs.map((x) => fmt(x, 0)).join(', ')})`);
  if (kind === 'sqlite') {
    console.log(`\n── SQLite (WAL), ${RUNS} runs each`);
    const modes: Array<{ label: string; sync: Sync; batch: number; n: number }> = [
      {
        label: `per-action commits, synchronous=FULL (shipped), ${Math.max(100, Math.floor(LIFECYCLES / 20))} lifecycles`,
        sync: 'FULL',
        batch: 1,
        n: Math.max(100, Math.floor(LIFECYCLES / 20)),
      },
      {
        label: `per-action commits, synchronous=NORMAL, ${LIFECYCLES} lifecycles`,
        sync: 'NORMAL',
        batch: 1,
        n: LIFECYCLES,
      },
      {
        label: `bulk replay, 250 lifecycles per commit, synchronous=FULL, ${LIFECYCLES} lifecycles`,
        sync: 'FULL',
        batch: 250,
        n: LIFECYCLES,
      },
    ];
    for (const m of ONLY_BULK ? modes.slice(2) : modes) {
      const lc: number[] = [];
      const ac: number[] = [];
      const cpu: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const x = await replay('sqlite', m.n, 1, m.sync, m.batch);
        lc.push(x.lifecyclesPerSec);
        ac.push(x.actionsPerSec);
        cpu.push(x.perCpuSec);
      }
      line(`replay, ${m.label}: full lifecycles`, lc);
      line('   actions', ac);
      line('   full lifecycles per CPU-second of this process', cpu);
    }
    if (ONLY_BULK) return;
    for (const sync of ['FULL', 'NORMAL'] as const) {
      const raw: number[] = [];
      for (let r = 0; r < RUNS; r++)
        raw.push(await rawCeiling('sqlite', sync === 'FULL' ? 1000 : 20000, 1, sync));
      line(`baseline, same store: single-row commits, synchronous=${sync}`, raw);
    }
    // the ceiling for the bulk replay: the same store inserting bare rows, as many per commit as
    // a 250-lifecycle batch writes (≈ 6.3 actions × 3 rows + the case rows), synchronous=FULL
    const bulk: number[] = [];
    for (let r = 0; r < RUNS; r++) bulk.push(await rawBulkCeiling(200_000, 5_000));
    line('baseline, same store: raw row inserts, 5,000 per commit, synchronous=FULL, rows', bulk);
  } else {
    const n = Math.max(300, Math.floor(LIFECYCLES / 4));
    console.log(
      `\n── PostgreSQL (pool 16, server defaults: fsync on, synchronous_commit on), ${n} lifecycles, 8 in flight, ${RUNS} runs`,
    );
    const lc: number[] = [];
    const ac: number[] = [];
    const raw: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const x = await replay('postgres', n, 8);
      lc.push(x.lifecyclesPerSec);
      ac.push(x.actionsPerSec);
      cpu.push(x.perCpuSec);
      raw.push(await rawCeiling('postgres', 5000, 8));
    }
    line('replay, per-action commits: full lifecycles', lc);
    line('   actions', ac);
    line('   full lifecycles per CPU-second of this (app) process', cpu);
    line('baseline, same store: single-row commits, 8 in flight', raw);
    // the bulk replay as on SQLite: one connection, 250 lifecycles per commit
    const bulk: number[] = [];
    const bulkActions: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const x = await replay('postgres', LIFECYCLES, 1, 'FULL', 250);
      bulk.push(x.lifecyclesPerSec);
      bulkActions.push(x.actionsPerSec);
    }
    line(`replay, bulk replay, 250 lifecycles per commit, ${LIFECYCLES} lifecycles: full lifecycles`, bulk);
    line('   actions', bulkActions);
  }
  const q = await queries(kind, STORED);
  console.log(
    `stored ${fmt(STORED, 0)} cases in ${fmt(q.loadSecs)} s (bulk); open in the busiest department: ${fmt(q.openInDept0, 0)}`,
  );
  console.log(
    `workbench queue (first page by due date): p50 ${fmt(q.queue.p50, 2)} ms, p95 ${fmt(q.queue.p95, 2)} ms`,
  );
  console.log(`citizen's case list: p50 ${fmt(q.mine.p50, 2)} ms, p95 ${fmt(q.mine.p95, 2)} ms`);
}

console.log(`cases bench — ${machine()}`);
if (process.env.CASES_BENCH_SQLITE !== '0') await suite('sqlite');
if (PG_URL) await suite('postgres');

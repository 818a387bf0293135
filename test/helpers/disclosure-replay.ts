import { randomBytes } from 'node:crypto';
import chineseDays from 'chinese-days';
import type { Principal } from '../../src/platform/access.js';
import { ManualClock } from '../../src/kernel/index.js';
import { calendarMigrations, createCalendar } from '../../src/platform/calendar/index.js';
import { type Store, inTransaction, metaMigrations, migrate, sql } from '../../src/platform/db/index.js';
import { eventsMigrations } from '../../src/platform/events/index.js';
import { createPersonalDataCipher } from '../../src/platform/privacy/index.js';
import type { Body, BodiesPort } from '../../src/modules/disclosure/disclosure.ports.js';
import { publishingMigrations } from '../../src/modules/disclosure/disclosure.publishing.store.js';
import { createReports, reportMigrations } from '../../src/modules/disclosure/disclosure.report.js';
import { createRequests } from '../../src/modules/disclosure/disclosure.requests.js';
import { requestMigrations } from '../../src/modules/disclosure/disclosure.requests.store.js';
import { disclosureMigrations } from '../../src/modules/disclosure/disclosure.store.js';
import '../../src/modules/disclosure/disclosure.errors.js';

/**
 * A generated year of 依申请公开 requests for the city, replayed through the requests service day
 * by day on a manual clock (filed in person or by post; replies of every kind, extensions, 补正
 * answered or lapsed, third-party consultations, withdrawals, late replies, some left open), with
 * two independent checks:
 *  - every due date the service states (when filed and after every step) against a day-by-day
 *    count over chinese-days' own isWorkday(), not the platform calendar's tables;
 *  - the annual report's figures (table 三 by requester column, the flat rows) against a recount
 *    of what the replay did.
 * Used by the test at 2,000 requests and by bench/disclosure.bench.ts at 20,000.
 */

// ── the independent calendar: chinese-days, one day at a time ──────────────────────────────────
const MS = 86_400_000;
const num = (d: string) => Math.round(Date.parse(`${d}T00:00:00Z`) / MS);
const str = (n: number) => new Date(n * MS).toISOString().slice(0, 10);
const work = (n: number) => chineseDays.isWorkday(str(n));
/** the k-th working day after day `from`, skipping days `skip` says do not count */
function nthAfter(from: number, k: number, skip: (d: number) => boolean = () => false): number {
  let c = 0;
  let d = from;
  while (c < k) {
    d++;
    if (!skip(d) && work(d)) c++;
  }
  return d;
}

// ── a seeded generator ─────────────────────────────────────────────────────────────────────────
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}

type Col = 'person' | 'business' | 'research' | 'publicInterest' | 'legalService' | 'other';
const COLS: readonly Col[] = ['person', 'business', 'research', 'publicInterest', 'legalService', 'other'];

/** A reply as filed, with the template row it must land in (written out here, not imported). */
const REPLIES: ReadonlyArray<{ input: Record<string, unknown>; row: string }> = [
  { input: { kind: 'disclose' }, row: 'disclosed' },
  { input: { kind: 'partial', redactions: [{ part: '个人信息', ground: 'privacy' }] }, row: 'partial' },
  { input: { kind: 'refuse', ground: 'stateSecret' }, row: 'refused.stateSecret' },
  { input: { kind: 'refuse', ground: 'lawProhibits' }, row: 'refused.lawProhibits' },
  { input: { kind: 'refuse', ground: 'security' }, row: 'refused.security' },
  { input: { kind: 'refuse', ground: 'tradeSecret' }, row: 'refused.thirdParty' },
  { input: { kind: 'refuse', ground: 'privacy' }, row: 'refused.thirdParty' },
  { input: { kind: 'mayWithhold', ground: 'internalAffairs' }, row: 'refused.internalAffairs' },
  { input: { kind: 'mayWithhold', ground: 'processInformation' }, row: 'refused.processInformation' },
  { input: { kind: 'mayWithhold', ground: 'enforcementFile' }, row: 'refused.enforcementFile' },
  { input: { kind: 'notExist' }, row: 'unable.notHeld' },
  { input: { kind: 'duplicate' }, row: 'notHandled.duplicate' },
];

interface Step {
  day: number;
  /** the action's input; 'sweep' steps are the daily lapse sweep's doing */
  input: Record<string, unknown>;
}

interface Plan {
  i: number;
  body: Body;
  col: Col;
  channel: 'inPerson' | 'post';
  fileDay: number;
  received: number;
  steps: Step[];
  /** the template row of the stop the plan ends in, and the day, when it stops */
  stop: { row: string; day: number } | null;
  lapseOn: number | null;
}

/** What the model knows of one request so far, to say its due date independently. */
interface ModelState {
  countsFrom: number;
  extended: boolean;
  awaiting: boolean;
  stopped: 'answered' | 'withdrawn' | 'lapsed' | null;
  pauses: Array<{ from: number; to: number | null; latest: number }>;
}

function modelDue(m: ModelState): string | null {
  if (m.awaiting || m.stopped === 'lapsed') return null;
  const skip = (d: number) => m.pauses.some((p) => d > p.from && d <= (p.to ?? p.latest));
  return str(nthAfter(m.countsFrom, m.extended ? 40 : 20, skip));
}

function plan(
  i: number,
  r: ReturnType<typeof rng>,
  bodies: readonly Body[],
  first: number,
  last: number,
): Plan {
  const fileDay = r.int(first, last);
  const channel = r.next() < 0.7 ? 'inPerson' : 'post';
  // by post: received (signed for) up to three days before a clerk enters it
  const received = channel === 'post' ? fileDay - r.int(0, 3) : fileDay;
  const col: Col = r.next() < 0.7 ? 'person' : r.pick(COLS.slice(1));
  const body = r.pick(bodies);
  const steps: Step[] = [];
  let stop: Plan['stop'] = null;
  let lapseOn: number | null = null;
  // a working day on or after `d` that is after the filing day (steps never precede the filing)
  const after = (d: number) => Math.max(d, fileDay + 1);
  const reply = (day: number) => {
    const rep = r.pick(REPLIES);
    steps.push({ day, input: { action: 'reply', text: '答复', ...rep.input } });
    stop = { row: rep.row, day };
  };
  const due20 = nthAfter(received, 20);
  const x = r.next();
  if (x < 0.55) {
    reply(after(nthAfter(received, r.int(1, 20))));
  } else if (x < 0.65) {
    // extended before the due date, answered within the 40 days
    const e = after(nthAfter(received, r.int(5, 19)));
    if (e > due20) reply(after(nthAfter(received, r.int(1, 20))));
    else {
      steps.push({ day: e, input: { action: 'extend', reason: '需要调取档案' } });
      reply(Math.max(e + 1, nthAfter(received, r.int(21, 40))));
    }
  } else if (x < 0.73) {
    // 补正 within 7 working days, answered within 15, then answered within 20 from the answer
    const n = after(nthAfter(received, r.int(1, 7)));
    if (n > nthAfter(received, 7)) reply(after(nthAfter(received, r.int(1, 20))));
    else {
      steps.push({ day: n, input: { action: 'requestSupplement', points: ['请明确所需信息的年份'] } });
      const s = nthAfter(n, r.int(1, 15));
      steps.push({ day: s, input: { action: 'supplement', text: '2024年度' } });
      reply(nthAfter(s, r.int(1, 20)));
    }
  } else if (x < 0.78) {
    // 补正 never answered: the request lapses the day after the 15th working day
    const n = after(nthAfter(received, r.int(1, 7)));
    if (n > nthAfter(received, 7)) reply(after(nthAfter(received, r.int(1, 20))));
    else {
      steps.push({ day: n, input: { action: 'requestSupplement', points: ['请补充申请人身份证明'] } });
      lapseOn = nthAfter(n, 15) + 1;
      stop = { row: 'other.lapsed', day: lapseOn };
    }
  } else if (x < 0.88) {
    // a third party consulted; comments in time or never; answered after
    const c = after(nthAfter(received, r.int(1, 10)));
    steps.push({ day: c, input: { action: 'consultThirdParty', thirdParty: '某企业' } });
    const latest = nthAfter(c, 15);
    let end = latest;
    if (r.next() < 0.7) {
      end = nthAfter(c, r.int(1, 15));
      steps.push({ day: end, input: { action: 'thirdPartyReplied', consents: false } });
    }
    reply(nthAfter(end, r.int(1, 10)));
  } else if (x < 0.92) {
    const w = after(nthAfter(received, r.int(1, 15)));
    steps.push({ day: w, input: { action: 'withdraw', reason: '已不需要' } });
    stop = { row: 'other.withdrawn', day: w };
  } else if (x < 0.95) {
    // answered late: after the due date (the clock says so; the reply still counts)
    reply(after(nthAfter(received, r.int(21, 30))));
  }
  // else: nothing happens — carried over when the year ends first
  return { i, body, col, channel, fileDay, received, steps, stop, lapseOn };
}

export interface ReplayResult {
  readonly requests: number;
  readonly actions: number;
  readonly dueChecks: number;
  readonly dueMismatches: readonly string[];
  readonly refused: readonly string[];
  readonly reportMismatches: readonly string[];
  /** per call, ms */
  readonly fileMs: readonly number[];
  readonly actMs: readonly number[];
  /** a bare one-row write transaction on the same store, per call, ms (the baseline) */
  readonly bareMs: readonly number[];
  readonly reportMs: number;
  readonly totalMs: number;
}

/**
 * Replays `n` requests received from 1 December of the year before to 31 December of `year`,
 * through 31 December (what comes later is not done: it is carried over), and checks them.
 */
export async function replayYear(opts: {
  store: Store;
  n: number;
  seed?: number;
  year?: number;
}): Promise<ReplayResult> {
  const { store, n } = opts;
  const year = opts.year ?? 2025;
  const r = rng(opts.seed ?? 20_250_101);
  await migrate(store.db, {
    ...metaMigrations,
    ...eventsMigrations,
    ...calendarMigrations,
    ...disclosureMigrations,
    ...publishingMigrations,
    ...requestMigrations,
    ...reportMigrations,
  });
  await sql`create table if not exists bench_bare (id integer primary key, v text not null)`.execute(
    store.db,
  );
  const clock = new ManualClock(`${year - 1}-12-01T02:00:00Z`);
  const calendar = createCalendar({ store, clock });
  await calendar.load();
  const regions = ['410100', '410102', '410103', '410104', '410105', '410122', '410181', '410185'];
  const bodies: Body[] = regions.flatMap((rc, k) =>
    ['市场监督管理局', '自然资源和规划局', '教育局', '卫生健康委员会', '人力资源和社会保障局'].map(
      (name, j) => ({
        id: `bench-${rc}-${j}`,
        name: `${k === 0 ? '郑州市' : `县区${rc}`}${name}`,
        regionCode: rc,
      }),
    ),
  );
  const byId = new Map(bodies.map((b) => [b.id, b]));
  const port: BodiesPort = {
    body: async (id) => byId.get(id),
    bodiesIn: async (rc) => bodies.filter((b) => b.regionCode === rc),
    divisions: async () => [],
  };
  const requests = createRequests({
    store,
    clock,
    cipher: createPersonalDataCipher(randomBytes(32)),
    bodies: port,
    calendar: { rule: (rc) => calendar.dayRule(rc) },
  });
  const reports = createReports({ store, clock, bodies: port });
  const staff: Principal = {
    accountId: 'bench-clerk',
    kind: 'staff',
    login: 'bench-clerk',
    displayName: '演示窗口',
    realNameLevel: 3,
    grants: [{ role: 'bench', permissions: ['disclosure.handle'], regionPrefix: '4101', departmentId: null }],
    via: 'bearer',
  };

  const first = num(`${year - 1}-12-01`);
  const last = num(`${year}-12-31`);
  const plans = Array.from({ length: n }, (_, i) => plan(i, r, bodies, first, last));
  // the day's work: filings first, then the steps, each request's in order
  const byDay = new Map<number, Array<{ p: Plan; step: Step | null }>>();
  const add = (d: number, e: { p: Plan; step: Step | null }) => {
    if (d > last) return;
    const l = byDay.get(d) ?? [];
    l.push(e);
    byDay.set(d, l);
  };
  for (const p of plans) {
    add(p.fileDay, { p, step: null });
    for (const s of p.steps) add(s.day, { p, step: s });
  }
  const numberOf = new Map<number, string>();
  const model = new Map<number, ModelState>();
  const dueMismatches: string[] = [];
  const refused: string[] = [];
  const fileMs: number[] = [];
  const actMs: number[] = [];
  const bareMs: number[] = [];
  let actions = 0;
  let dueChecks = 0;
  const check = (p: Plan, stated: string | null, when: string) => {
    dueChecks++;
    const want = modelDue(model.get(p.i)!);
    if (stated !== want && dueMismatches.length < 50)
      dueMismatches.push(
        `request ${p.i} (${numberOf.get(p.i)}) ${when}: service ${stated}, day count ${want}`,
      );
  };
  const t0 = performance.now();
  let bare = 0;
  for (let d = first; d <= last; d++) {
    clock.set(`${str(d)}T02:00:00Z`);
    // the lapse sweep, as the node runs it
    await requests.sweepLapsed(5000);
    for (const p of plans)
      if (p.lapseOn === d) {
        const m = model.get(p.i);
        if (m && !m.stopped) {
          m.awaiting = false;
          m.stopped = 'lapsed';
        }
      }
    const work = (byDay.get(d) ?? []).sort((a, b) => (a.step ? 1 : 0) - (b.step ? 1 : 0) || a.p.i - b.p.i);
    for (const { p, step } of work) {
      if (!step) {
        const s = performance.now();
        const res = await requests.file(staff, {
          body: p.body.id,
          channel: p.channel,
          receivedOn: str(p.received),
          description: `申请公开第${p.i}号所需的政府信息`,
          requester:
            p.col === 'person'
              ? { kind: 'person', name: '申请人' }
              : { kind: 'organization', name: '某组织', orgType: p.col },
        });
        fileMs.push(performance.now() - s);
        numberOf.set(p.i, res.requestNumber);
        model.set(p.i, {
          countsFrom: p.received,
          extended: false,
          awaiting: false,
          stopped: null,
          pauses: [],
        });
        check(p, res.dueOn, `filed ${str(p.fileDay)}`);
        // the baseline: one bare row written in its own transaction on the same store
        const b = performance.now();
        await inTransaction(store.db, (trx) =>
          sql`insert into bench_bare (id, v) values (${++bare}, ${res.requestNumber})`.execute(trx),
        );
        bareMs.push(performance.now() - b);
        continue;
      }
      const m = model.get(p.i)!;
      const a = step.input.action as string;
      const s = performance.now();
      let view: Awaited<ReturnType<typeof requests.act>>;
      try {
        view = await requests.act(numberOf.get(p.i)!, step.input, staff);
      } catch (e) {
        refused.push(
          `request ${p.i} ${a} on ${str(d)}: ${(e as { code?: string }).code ?? (e as Error).message}`,
        );
        continue;
      }
      actMs.push(performance.now() - s);
      actions++;
      switch (a) {
        case 'extend':
          m.extended = true;
          break;
        case 'requestSupplement':
          m.awaiting = true;
          break;
        case 'supplement':
          m.awaiting = false;
          m.countsFrom = d;
          m.pauses = [];
          break;
        case 'consultThirdParty':
          m.pauses.push({ from: d, to: null, latest: nthAfter(d, 15) });
          break;
        case 'thirdPartyReplied': {
          const open = m.pauses.find((x) => x.to === null)!;
          open.to = Math.min(d, open.latest);
          break;
        }
        case 'reply':
          m.stopped = 'answered';
          break;
        case 'withdraw':
          m.stopped = 'withdrawn';
          break;
      }
      check(p, view.dueOn, `after ${a} on ${str(d)}`);
    }
  }
  // the year's end: every request's due date as read back
  clock.set(`${year + 1}-01-02T02:00:00Z`);
  for (const p of plans) {
    const rn = numberOf.get(p.i);
    if (!rn) continue;
    check(p, (await requests.view(rn, staff)).dueOn, 'read back at the year’s end');
  }
  const totalMs = performance.now() - t0;

  // ── the report against a recount of what was done ─────────────────────────────────────────
  const start = num(`${year}-01-01`);
  const zero = () => Object.fromEntries([...COLS, 'total'].map((c) => [c, 0])) as Record<string, number>;
  const want = {
    received: zero(),
    carriedIn: zero(),
    carriedOut: zero(),
    results: {} as Record<string, Record<string, number>>,
  };
  const bump = (row: Record<string, number>, c: Col) => {
    row[c]!++;
    row.total!++;
  };
  for (const p of plans) {
    const stop = p.stop && p.stop.day <= last ? p.stop : null;
    if (stop && stop.day < start) continue;
    if (p.received >= start) bump(want.received, p.col);
    else bump(want.carriedIn, p.col);
    if (stop) {
      want.results[stop.row] ??= zero();
      bump(want.results[stop.row]!, p.col);
      want.results.total ??= zero();
      bump(want.results.total, p.col);
    } else bump(want.carriedOut, p.col);
  }
  const rs = performance.now();
  const report = await reports.build({ year, city: '410100' });
  const reportMs = performance.now() - rs;
  const reportMismatches: string[] = [];
  const cmp = (label: string, got: Record<string, number> | undefined, exp: Record<string, number>) => {
    for (const c of [...COLS, 'total'])
      if ((got?.[c] ?? 0) !== (exp[c] ?? 0))
        reportMismatches.push(`${label}.${c}: report ${got?.[c]}, recount ${exp[c]}`);
  };
  const m = report.byRequester as unknown as {
    received: Record<string, number>;
    carriedIn: Record<string, number>;
    carriedOut: Record<string, number>;
    results: Record<string, Record<string, number>>;
  };
  cmp('received', m.received, want.received);
  cmp('carriedIn', m.carriedIn, want.carriedIn);
  cmp('carriedOut', m.carriedOut, want.carriedOut);
  for (const row of new Set([...Object.keys(m.results), ...Object.keys(want.results)]))
    cmp(`results.${row}`, m.results[row], want.results[row] ?? zero());
  // the flat figures agree with the table
  if (report.received.total !== want.received.total) reportMismatches.push('received.total (flat)');
  if (report.results.total !== (want.results.total?.total ?? 0))
    reportMismatches.push('results.total (flat)');
  if (report.carriedOut !== want.carriedOut.total) reportMismatches.push('carriedOut (flat)');
  // received + carried in = handled + carried out
  if (report.received.total + report.carriedIn !== report.results.total + report.carriedOut)
    reportMismatches.push('the balance does not hold');

  return {
    requests: numberOf.size,
    actions,
    dueChecks,
    dueMismatches,
    refused,
    reportMismatches,
    fileMs,
    actMs,
    bareMs,
    reportMs,
    totalMs,
  };
}

import chineseDays from 'chinese-days';
import { systemClock } from '../src/kernel/index.js';
import { calendarMigrations, createCalendar } from '../src/platform/calendar/index.js';
import { metaMigrations, migrate, openStore } from '../src/platform/db/index.js';
import { eventsMigrations } from '../src/platform/events/index.js';
import { fmt, machine, median } from './lib.js';

/**
 * The working-day calendar: deadlines per second, the clocks' hot path.
 *  - dueDate(start, 20): the due date alone (O(1): prefix counts over a day table)
 *  - addWorkingDays(start, 20): the due date with its explanation (walks the ~28 days)
 *  - workingDaysBetween(a, b): the remaining working days of a clock
 * Baseline in the same run: the naive day loop most code starts with, asking chinese-days'
 * own isWorkday() for each day after the start until 20 working days are counted.
 * Goal: ≥ 1M addWorkingDays(…, 20) in ~10 s.
 */
const RUNS = Number(process.env.RUNS ?? 5);
const N = Number(process.env.CALLS ?? 1_000_000);
const BASELINE_N = Number(process.env.BASELINE_CALLS ?? 20_000);

const store = await openStore({ sqliteFile: ':memory:' });
await migrate(store.db, { ...metaMigrations, ...eventsMigrations, ...calendarMigrations });
const cal = createCalendar({ store, clock: systemClock });
const t0 = performance.now();
await cal.load();
const loadMs = performance.now() - t0;
// one local override, so the regional row below really walks a region's own table
await cal.setDays(
  { regionCode: '4101', days: [{ date: '2025-10-10', kind: 'off', name: '郑州市休息日' }] },
  null,
);

// start dates spread over 2004–2026 (every day, so holidays and make-up days are crossed)
const starts: string[] = [];
for (let ms = Date.UTC(2004, 0, 1); ms <= Date.UTC(2026, 10, 30); ms += 86_400_000) {
  starts.push(new Date(ms).toISOString().slice(0, 10));
}
const S = starts.length;

function rate(calls: number, fn: (i: number) => unknown): number {
  let sink = 0;
  const t = performance.now();
  for (let i = 0; i < calls; i++) if (fn(i)) sink++;
  const ms = performance.now() - t;
  if (sink < 0) console.log(sink);
  return (calls / ms) * 1000;
}

function naiveDue(start: string, n: number): string {
  const d = new Date(`${start}T00:00:00Z`);
  let counted = 0;
  while (counted < n) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (chineseDays.isWorkday(d.toISOString().slice(0, 10))) counted++;
  }
  return d.toISOString().slice(0, 10);
}

// the two must agree before their speeds are compared
for (let i = 0; i < S; i += 97) {
  const a = cal.dueDate(starts[i]!, 20);
  const b = naiveDue(starts[i]!, 20);
  if (a !== b) throw new Error(`disagree at ${starts[i]}: ${a} vs ${b}`);
}

const results: Record<string, number[]> = { due: [], add: [], between: [], regionAdd: [], baseline: [] };
for (let r = 0; r < RUNS; r++) {
  results.due!.push(rate(N, (i) => cal.dueDate(starts[i % S]!, 20)));
  results.add!.push(rate(N, (i) => cal.addWorkingDays(starts[i % S]!, 20).due));
  results.between!.push(rate(N, (i) => cal.workingDaysBetween(starts[i % S]!, starts[(i + 40) % S]!)));
  results.regionAdd!.push(rate(N, (i) => cal.addWorkingDays(starts[i % S]!, 20, '410102001').due));
  results.baseline!.push(rate(BASELINE_N, (i) => naiveDue(starts[(i * 31) % S]!, 20)));
}
await store.close();

const base = median(results.baseline!);
const row = (label: string, xs: number[]) =>
  console.log(
    `${label.padEnd(54)} ${fmt(median(xs), 0).padStart(12)} /s   ×${fmt(median(xs) / base, 0)} baseline`,
  );
console.log(
  `calendar bench — ${machine()}, median of ${RUNS} runs, ${fmt(N, 0)} calls each (baseline ${fmt(BASELINE_N, 0)})`,
);
console.log(`load (seed 2004–2026 from chinese-days + build tables): ${fmt(loadMs, 0)} ms`);
row('dueDate(start, 20)', results.due!);
row('addWorkingDays(start, 20) with explanation', results.add!);
row('addWorkingDays(start, 20, region 410102001)', results.regionAdd!);
row('workingDaysBetween(a, a + 40 days)', results.between!);
row('baseline: day loop over chinese-days isWorkday(), n = 20', results.baseline!);
console.log(`1M addWorkingDays(…, 20) take ${fmt(1e6 / median(results.add!), 2)} s (goal ≈ 10 s)`);

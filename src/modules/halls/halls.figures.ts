import { chinaDate } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { requireManage } from './halls.access.js';
import type { HallsContext } from './halls.context.js';
import { requireHall } from './halls.queue.js';
import * as st from './halls.store.js';
import type { DayFigures, Line } from './halls.types.js';

const minutes = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 60_000;
const avg = (xs: number[]) =>
  xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null;
const chinaHour = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).getUTCHours();

/**
 * The day's figures of a hall for its manager: tickets per line (taken, called, done, skipped),
 * the average wait (taken → called) and service time (called → finished) in minutes, tickets by
 * hour (China time), 好差评 given that day to the hall's cases (by window and clerk from the
 * window pad), appointments booked, checked in and no-shows (a day that has passed).
 */
export async function dayFigures(
  ctx: HallsContext,
  p: Principal | undefined,
  hallCode: string,
  date?: string,
): Promise<DayFigures> {
  const { hall } = await requireHall(ctx, hallCode);
  requireManage(p, hall.regionCode);
  const today = chinaDate(ctx.clock.now());
  const day = date ?? today;
  const rows = await st.ticketsOfDay(ctx.db, hall.id, day);
  const appts = await st.appointmentsOfDay(ctx.db, hall.id, day);
  const from = new Date(`${day}T00:00:00+08:00`);
  const rated =
    (await ctx.ratings?.ofHall(
      hall.id,
      from.toISOString(),
      new Date(from.getTime() + 86_400_000).toISOString(),
    )) ?? [];
  const pads = new Map<string, { window: string; clerk: string | null; levels: number[] }>();
  for (const r of rated) {
    if (!r.windowCode) continue;
    const k = `${r.windowCode}|${r.clerk ?? ''}`;
    const e = pads.get(k) ?? { window: r.windowCode, clerk: r.clerk, levels: [] };
    e.levels.push(r.level);
    pads.set(k, e);
  }
  const lines = (['A', 'B', 'C'] as const).map((line: Line) => {
    const mine = rows.filter((r) => r.line === line);
    const called = mine.filter((r) => r.called_at);
    const done = mine.filter((r) => r.status === 'done' && r.called_at && r.finished_at);
    return {
      line,
      taken: mine.length,
      called: called.length,
      done: done.length,
      skipped: mine.filter((r) => r.status === 'skipped').length,
      waiting: mine.filter((r) => r.status === 'waiting').length,
      averageWaitMinutes: avg(called.map((r) => minutes(r.taken_at, r.called_at!))),
      averageServiceMinutes: avg(done.map((r) => minutes(r.called_at!, r.finished_at!))),
    };
  });
  const hours = Array.from({ length: 12 }, (_, i) => i + 7);
  return {
    hallId: hall.id,
    date: day,
    lines,
    byHour: hours.map((h) => ({
      hour: `${String(h).padStart(2, '0')}:00`,
      A: rows.filter((r) => r.line === 'A' && chinaHour(r.taken_at) === h).length,
      B: rows.filter((r) => r.line === 'B' && chinaHour(r.taken_at) === h).length,
      C: rows.filter((r) => r.line === 'C' && chinaHour(r.taken_at) === h).length,
    })),
    ratings: {
      count: rated.length,
      good: rated.filter((r) => r.level >= 4).length,
      poor: rated.filter((r) => r.level <= 2).length,
      average: avg(rated.map((r) => r.level)),
      byWindow: [...pads.values()]
        .sort(
          (a, b) =>
            a.window.localeCompare(b.window, 'en', { numeric: true }) ||
            (a.clerk ?? '').localeCompare(b.clerk ?? ''),
        )
        .map((w) => ({
          window: w.window,
          clerk: w.clerk,
          count: w.levels.length,
          poor: w.levels.filter((l) => l <= 2).length,
          average: avg(w.levels) ?? 0,
        })),
    },
    appointments: {
      booked: (appts.get('booked') ?? 0) + (appts.get('checkedIn') ?? 0),
      checkedIn: appts.get('checkedIn') ?? 0,
      cancelled: appts.get('cancelled') ?? 0,
      noShows: day < today ? (appts.get('booked') ?? 0) : 0,
    },
  };
}

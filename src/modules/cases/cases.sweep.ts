/**
 * The timed sweeps: clocks of open cases recomputed and yellow / red warnings raised, a calendar
 * change applied to a region's running cases, and drafts nobody touched let go.
 */
import { chinaDate } from '../../platform/calendar/index.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvents, type NewEvent } from '../../platform/events/index.js';
import { clockOf } from './cases.clock.js';
import type { CasesContext, Projection } from './cases.context.js';
import { type CaseClock, dateOf, dayNumber } from './cases.sla.js';
import * as st from './cases.store.js';

/** Recomputes one open case's clock columns; returns the new clock. */
export async function refreshClock(
  ctx: CasesContext,
  trx: Executor,
  row: st.CaseRow,
  today: string,
): Promise<CaseClock> {
  ctx.written.forget(trx, row.case_number);
  const c = await clockOf(ctx, row, (JSON.parse(row.projection) as Projection).clock, today);
  if (
    c.promisedDue !== row.promised_due ||
    c.statutoryDue !== row.statutory_due ||
    c.colour !== row.colour ||
    c.remainingWorkingDays !== row.remaining_days ||
    c.state !== row.clock_state
  ) {
    await st.updateClockColumns(trx, row.id, {
      promised_due: c.promisedDue,
      statutory_due: c.statutoryDue,
      clock_state: c.state,
      colour: c.colour,
      remaining_days: c.remainingWorkingDays,
    });
  }
  return c;
}

/**
 * The warning sweep (run on a timer, and by tests with a set clock): recomputes the clocks of
 * open cases due soon, and raises `cases.warning.yellow` / `.red` once per case and level.
 */
export async function sweepClocks(
  ctx: CasesContext,
): Promise<{ checked: number; yellow: number; red: number }> {
  const today = chinaDate(ctx.clock.now().toISOString());
  // yellowWithin working days can span a long holiday: look ahead generously in calendar days
  const horizon = dateOf(dayNumber(today) + ctx.thresholds.yellowWithin * 2 + 14);
  let after = '';
  const out = { checked: 0, yellow: 0, red: 0 };
  for (;;) {
    const rows = await st.openCasesDueBy(ctx.db, horizon, 500, after);
    if (rows.length === 0) break;
    await ctx.db.transaction().execute(async (trx) => {
      const events: NewEvent[] = [];
      const now = ctx.clock.now().toISOString();
      for (const row of rows) {
        const c = await refreshClock(ctx, trx, row, today);
        out.checked++;
        if (c.colour === 'yellow' || c.colour === 'red') {
          if (await st.recordWarning(trx, row.id, c.colour, row.decide_region_code, now)) {
            out[c.colour]++;
            events.push({
              type: `cases.warning.${c.colour}`,
              aggregateType: 'case',
              aggregateId: row.case_number,
              regionCode: row.decide_region_code,
              payload: {
                caseNumber: row.case_number,
                departmentId: row.department_id,
                due: c.promisedDue,
                remainingWorkingDays: c.remainingWorkingDays,
              },
            });
          }
        }
      }
      await appendEvents(trx, ctx.clock, events);
    });
    after = rows[rows.length - 1]!.id;
  }
  if (out.yellow + out.red > 0) ctx.poke();
  return out;
}

/** A calendar change applies to running cases: recompute every open accepted case in the region. */
export async function recomputeRegion(
  ctx: CasesContext,
  trx: Executor,
  regionPrefix: string,
): Promise<number> {
  const today = chinaDate(ctx.clock.now().toISOString());
  let after = '';
  let n = 0;
  for (;;) {
    const rows = await st.openAcceptedInRegion(trx, regionPrefix, 500, after);
    if (rows.length === 0) break;
    for (const row of rows) {
      await refreshClock(ctx, trx, row, today);
      n++;
    }
    after = rows[rows.length - 1]!.id;
  }
  return n;
}

/** Lets go of drafts (answers and files) nobody has touched for `days` days. */
export async function sweepDrafts(
  ctx: CasesContext,
  days: number,
): Promise<{ drafts: number; files: number }> {
  const before = new Date(ctx.clock.now().getTime() - days * 86_400_000).toISOString();
  return inTransaction(ctx.db, (trx) => st.deleteStaleDrafts(trx, before));
}

/**
 * Lets go of the kept answers to requests with an id (cases.requests.ts) older than `days` days:
 * a retry comes within minutes, a re-posted page within a draft's life.
 */
export async function sweepRequests(ctx: CasesContext, days: number): Promise<number> {
  const before = new Date(ctx.clock.now().getTime() - days * 86_400_000).toISOString();
  return inTransaction(ctx.db, (trx) => st.deleteRequestsBefore(trx, before));
}

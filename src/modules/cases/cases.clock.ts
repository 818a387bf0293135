/**
 * A case's working-day clock: the pure SLA fold (cases.sla.ts) over its recorded actions, with the
 * calendar of its deciding region, and the clock as views show it.
 */
import { chinaDate } from '../../platform/calendar/index.js';
import type { CasesContext } from './cases.context.js';
import { type CaseClock, type RecordedAction, computeClock } from './cases.sla.js';
import type { CaseRow } from './cases.store.js';
import type { ClockView } from './cases.types.js';
import type { CaseAction } from './cases.workflow.js';

/** The actions the clock reads (the others do not move it). */
export const CLOCK_ACTIONS: ReadonlySet<CaseAction['type']> = new Set([
  'accept',
  'acceptWithDeficiency',
  'acceptWithCommitment',
  'requestSupplement',
  'supplement',
  'suspend',
  'resume',
  'extend',
  'approve',
  'reject',
  'refuse',
  'withdraw',
]);

export async function clockOf(
  ctx: CasesContext,
  row: Pick<CaseRow, 'decide_region_code' | 'promised_days' | 'statutory_days'>,
  recorded: readonly RecordedAction[],
  today?: string,
): Promise<CaseClock> {
  const rule = await ctx.ports.calendar.rule(row.decide_region_code);
  return computeClock(
    recorded,
    { promisedDays: row.promised_days, statutoryDays: row.statutory_days },
    rule,
    today ?? chinaDate(ctx.clock.now().toISOString()),
    ctx.thresholds,
  );
}

export const toClockView = (c: CaseClock): ClockView => ({
  state: c.state,
  due: c.promisedDue,
  statutoryDue: c.statutoryDue,
  remainingWorkingDays: c.remainingWorkingDays,
  colour: c.colour,
  startDate: c.startDate,
  pausedWorkingDays: c.pausedWorkingDays,
  extensionDays: c.extensionDays,
  onTime: c.onTime,
});

export const notStartedClock: ClockView = {
  state: 'notStarted',
  due: null,
  statutoryDue: null,
  remainingWorkingDays: null,
  colour: 'none',
  startDate: null,
  pausedWorkingDays: 0,
  extensionDays: 0,
  onTime: null,
};

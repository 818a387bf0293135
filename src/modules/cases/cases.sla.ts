/**
 * Clocks, pure: the promised (承诺) and statutory (法定) deadlines of a case in working days from
 * acceptance, from its action list and a working-day rule.
 *
 * Rules, with the law they follow:
 * - The day of acceptance is not counted (期间开始之日不计算在内); day 1 is the next working day.
 *   A 0-day limit (即办件) is due on the day of acceptance (or the next working day).
 * - Only working days count (工作日: weekends and 法定节假日 off, 调休 make-up days on).
 * - A pause (补正 awaiting the applicant after 容缺受理; 特别程序 such as a hearing) starts on the day
 *   it is recorded and ends on the day of the resume: the working days in (pause day, resume day]
 *   do not count (行政许可法 art. 45). An open pause lasts until today.
 * - One extension adds its days to both deadlines (art. 42: +10 with the head's approval).
 * - The clock stops at the decision (approve, reject), a refusal or a withdrawal.
 * Everything is in China dates (UTC+8): an action at 2025-09-30T17:00Z belongs to 1 October.
 */

import type { CaseAction } from './cases.workflow.js';
import { chinaDate } from '../../platform/calendar/index.js';

/** The working-day rule of one region: the real one is the platform calendar; tests use a fake. */
export interface DayRule {
  isWorkingDay(date: string): boolean;
  /** why a day is off or on (holiday name, 调休 …), for explanations */
  describe?(date: string): string | undefined;
}

export interface RecordedAction {
  readonly action: CaseAction;
  /** ISO-8601 UTC instant */
  readonly at: string;
}

export interface ClockLimits {
  /** working days; 0 = 即办 */
  readonly promisedDays: number;
  readonly statutoryDays: number;
}

export interface ClockThresholds {
  /** yellow when this many working days or fewer are left (default 2) */
  readonly yellowWithin: number;
  /** red when fewer than this are left (default 0: red once the due date has passed) */
  readonly redBelow: number;
}

export const DEFAULT_THRESHOLDS: ClockThresholds = { yellowWithin: 2, redBelow: 0 };

export type ClockState = 'notStarted' | 'running' | 'paused' | 'stopped';
export type ClockColour = 'none' | 'green' | 'yellow' | 'red';
export type PauseKind = 'supplement' | 'specialProcedure';

export interface Pause {
  readonly kind: PauseKind;
  readonly from: string;
  /** null while the pause is open */
  readonly to: string | null;
  readonly detail?: string;
}

export interface CaseClock {
  readonly state: ClockState;
  readonly startDate: string | null;
  readonly stopDate: string | null;
  readonly promisedDue: string | null;
  readonly statutoryDue: string | null;
  /** promised working days left today (negative after a breach); null before acceptance */
  readonly remainingWorkingDays: number | null;
  readonly elapsedWorkingDays: number;
  readonly pausedWorkingDays: number;
  readonly extensionDays: number;
  readonly colour: ClockColour;
  /** stopped clocks: whether the decision came by the promised date */
  readonly onTime: boolean | null;
  readonly pauses: readonly Pause[];
}

// ── dates as day numbers ───────────────────────────────────────────────────────────────────────
const MS_DAY = 86_400_000;

export function dayNumber(date: string): number {
  const ms = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  return Math.round(ms / MS_DAY);
}

const DATE_CACHE = new Map<number, string>();

/** The date of a day number; memoised, since the clocks ask for the same few hundred days. */
export function dateOf(day: number): string {
  let s = DATE_CACHE.get(day);
  if (s === undefined) {
    s = new Date(day * MS_DAY).toISOString().slice(0, 10);
    if (DATE_CACHE.size > 100_000) DATE_CACHE.clear();
    DATE_CACHE.set(day, s);
  }
  return s;
}

/** Guards the loops: no period the clocks handle is anywhere near this long. */
const MAX_SPAN_DAYS = 20_000;

// ── the timeline from the actions ──────────────────────────────────────────────────────────────
interface Timeline {
  start: number | null;
  stop: number | null;
  pauses: Array<{ kind: PauseKind; from: number; to: number | null; detail?: string }>;
  extensionDays: number;
}

const ACCEPTANCE = new Set(['accept', 'acceptWithDeficiency', 'acceptWithCommitment']);
const STOPS = new Set(['approve', 'reject', 'refuse', 'withdraw']);

function timeline(actions: readonly RecordedAction[]): Timeline {
  const t: Timeline = { start: null, stop: null, pauses: [], extensionDays: 0 };
  const open = () => t.pauses.find((p) => p.to === null);
  for (const { action: a, at } of actions) {
    const day = dayNumber(chinaDate(at));
    if (ACCEPTANCE.has(a.type)) t.start ??= day;
    else if (STOPS.has(a.type)) {
      const o = open();
      if (o) o.to = day;
      t.stop ??= day;
    } else if (t.start !== null && t.stop === null) {
      if (a.type === 'requestSupplement') t.pauses.push({ kind: 'supplement', from: day, to: null });
      else if (a.type === 'suspend')
        t.pauses.push({ kind: 'specialProcedure', from: day, to: null, detail: a.procedure });
      else if (a.type === 'supplement' || a.type === 'resume') {
        const o = open();
        if (o) o.to = day;
      } else if (a.type === 'extend') t.extensionDays += a.days;
    }
  }
  return t;
}

/** Whether a day counts: a working day after the start, outside every pause, not after `end`. */
function counts(rule: DayRule, t: Timeline, day: number, openUntil: number): boolean {
  if (t.start === null || day <= t.start) return false;
  for (const p of t.pauses) if (day > p.from && day <= (p.to ?? openUntil)) return false;
  return rule.isWorkingDay(dateOf(day));
}

/** The day the n-th counted day falls on (n = 0: the start day if working, else the next working day). */
function dueDay(rule: DayRule, t: Timeline, n: number, openUntil: number): number {
  const s = t.start as number;
  if (n === 0) {
    for (let d = s; d < s + MAX_SPAN_DAYS; d++)
      if (rule.isWorkingDay(dateOf(d)) && !paused(t, d, openUntil)) return d;
    throw new Error('clock: no working day within the span');
  }
  let k = 0;
  for (let d = s + 1; d < s + MAX_SPAN_DAYS; d++) {
    if (counts(rule, t, d, openUntil) && ++k === n) return d;
  }
  throw new Error('clock: deadline beyond the span');
}

function paused(t: Timeline, d: number, openUntil: number): boolean {
  return t.pauses.some((p) => d > p.from && d <= (p.to ?? openUntil));
}

function countBetween(rule: DayRule, t: Timeline, from: number, to: number, openUntil: number): number {
  let k = 0;
  for (let d = from + 1; d <= to; d++) if (counts(rule, t, d, openUntil)) k++;
  return k;
}

function pausedWorking(rule: DayRule, t: Timeline, until: number): number {
  let k = 0;
  for (const p of t.pauses) {
    const end = Math.min(p.to ?? until, until);
    for (let d = p.from + 1; d <= end; d++) if (rule.isWorkingDay(dateOf(d))) k++;
  }
  return k;
}

/**
 * The clock of a case on a given day (`today`, a China date). Open pauses are taken to last until
 * today, so a paused clock's projected due date moves on while its remaining days stand still.
 */
export function computeClock(
  actions: readonly RecordedAction[],
  limits: ClockLimits,
  rule: DayRule,
  today: string,
  thresholds: ClockThresholds = DEFAULT_THRESHOLDS,
): CaseClock {
  const t = timeline(actions);
  const pauses: Pause[] = t.pauses.map((p) => ({
    kind: p.kind,
    from: dateOf(p.from),
    to: p.to === null ? null : dateOf(p.to),
    ...(p.detail ? { detail: p.detail } : {}),
  }));
  if (t.start === null) {
    return {
      state: t.stop === null ? 'notStarted' : 'stopped',
      startDate: null,
      stopDate: t.stop === null ? null : dateOf(t.stop),
      promisedDue: null,
      statutoryDue: null,
      remainingWorkingDays: null,
      elapsedWorkingDays: 0,
      pausedWorkingDays: 0,
      extensionDays: 0,
      colour: 'none',
      onTime: null,
      pauses,
    };
  }
  const todayN = dayNumber(today);
  const end = t.stop ?? todayN;
  const openUntil = Math.max(end, t.start);
  const promised = limits.promisedDays + t.extensionDays;
  const statutory = limits.statutoryDays + t.extensionDays;
  const pDue = dueDay(rule, t, promised, openUntil);
  const sDue = dueDay(rule, t, statutory, openUntil);
  const elapsed = countBetween(rule, t, t.start, Math.max(end, t.start), openUntil);
  const remaining = promised - elapsed;
  const isPaused = t.stop === null && t.pauses.some((p) => p.to === null);
  const state: ClockState = t.stop !== null ? 'stopped' : isPaused ? 'paused' : 'running';
  const colour: ClockColour =
    state === 'stopped'
      ? 'none'
      : remaining < thresholds.redBelow
        ? 'red'
        : remaining <= thresholds.yellowWithin
          ? 'yellow'
          : 'green';
  return {
    state,
    startDate: dateOf(t.start),
    stopDate: t.stop === null ? null : dateOf(t.stop),
    promisedDue: dateOf(pDue),
    statutoryDue: dateOf(sDue),
    remainingWorkingDays: remaining,
    elapsedWorkingDays: elapsed,
    pausedWorkingDays: pausedWorking(rule, t, openUntil),
    extensionDays: t.extensionDays,
    colour,
    onTime: t.stop === null ? null : t.stop <= pDue,
    pauses,
  };
}

export type ExplainedReason = 'start' | 'counted' | 'nonWorking' | 'paused';

export interface ExplainedClockDay {
  readonly date: string;
  readonly counted: boolean;
  readonly reason: ExplainedReason;
  /** the working day's number in the period (1 = the first) */
  readonly ordinal?: number;
  /** the calendar's reason for a day off or on (holiday name), or the pause kind */
  readonly note?: string;
  /** 'promised' / 'statutory' on the due dates */
  readonly due?: readonly ('promised' | 'statutory')[];
}

/**
 * Day by day, why the deadline falls where it does: from the day of acceptance to the later of
 * the statutory due date and today (or the stop day).
 */
export function explainClock(
  actions: readonly RecordedAction[],
  limits: ClockLimits,
  rule: DayRule,
  today: string,
): ExplainedClockDay[] {
  const t = timeline(actions);
  if (t.start === null) return [];
  const clock = computeClock(actions, limits, rule, today);
  const todayN = dayNumber(today);
  const openUntil = Math.max(t.stop ?? todayN, t.start);
  const pDue = dayNumber(clock.promisedDue as string);
  const sDue = dayNumber(clock.statutoryDue as string);
  const last = Math.max(sDue, pDue, t.stop ?? todayN);
  const out: ExplainedClockDay[] = [];
  let ordinal = 0;
  for (let d = t.start; d <= last && d - t.start < MAX_SPAN_DAYS; d++) {
    const date = dateOf(d);
    const due: ('promised' | 'statutory')[] = [];
    if (d === pDue) due.push('promised');
    if (d === sDue) due.push('statutory');
    const extra = due.length ? { due } : {};
    if (d === t.start) {
      out.push({ date, counted: false, reason: 'start', ...extra });
      continue;
    }
    const working = rule.isWorkingDay(date);
    const note = rule.describe?.(date);
    const pause = t.pauses.find((p) => d > p.from && d <= (p.to ?? openUntil));
    if (!working)
      out.push({ date, counted: false, reason: 'nonWorking', ...(note ? { note } : {}), ...extra });
    else if (pause)
      out.push({ date, counted: false, reason: 'paused', note: pause.detail ?? pause.kind, ...extra });
    else {
      ordinal++;
      out.push({ date, counted: true, reason: 'counted', ordinal, ...(note ? { note } : {}), ...extra });
    }
  }
  return out;
}

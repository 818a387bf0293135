/**
 * The statutory clock of a 依申请公开 request, pure: folded from its recorded steps and the
 * working-day rule of the body's region (the platform calendar: 法定节假日 off, 调休 on).
 * docs/adr/0021-disclosure-request-clock.md gives the reasons; the rules, with the articles of the 2019
 * Regulations on Open Government Information they follow:
 * - art. 31: the date of receipt depends on the channel (in person: that day; post: the day it
 *   was signed for; online: the day the receipt is confirmed) — given to the fold as `receivedOn`.
 * - art. 33: the reply is due within 20 working days of receipt; the day of receipt does not count
 *   (期间开始之日不计算在内), so day 1 is the next working day. Once, with a notice and a reason,
 *   it may be extended by up to 20 working days (an extension recorded after the due date is refused).
 * - art. 30: a 补正 notice goes out within 7 working days of receipt, once, listing every point.
 *   It stops the clock. If the requester answers within the period given (15 working days here),
 *   the reply period runs afresh from the day the corrected request is received; without an
 *   answer the request lapses (视为放弃申请) the day after that period.
 * - art. 32: a third party consulted has 15 working days to comment; the consultation time is not
 *   counted. An open consultation ends on the reply or, at the latest, after those 15 days.
 * - The clock stops at a reply, a lapse or a withdrawal.
 * All days are China dates (UTC+8); the caller turns instants into them.
 */

export interface DayRule {
  isWorkingDay(date: string): boolean;
}

export type StepType =
  | 'filed'
  | 'reply'
  | 'extend'
  | 'requestSupplement'
  | 'supplement'
  | 'consultThirdParty'
  | 'thirdPartyReplied'
  | 'withdraw'
  | 'lapse';

export interface ClockStep {
  readonly type: StepType;
  /** the China date it was recorded */
  readonly day: string;
}

export const STATUTE = {
  replyDays: 20,
  extensionDays: 20,
  supplementNoticeDays: 7,
  supplementAnswerDays: 15,
  thirdPartyDays: 15,
  /** yellow when this many working days or fewer are left */
  yellowWithin: 3,
} as const;

export type RequestState =
  | 'running'
  | 'consulting'
  | 'awaitingSupplement'
  | 'answered'
  | 'lapsed'
  | 'withdrawn';

export type ClockColour = 'none' | 'green' | 'yellow' | 'red';

export interface ThirdPartyPause {
  readonly from: string;
  /** the day the comments came, or null while open */
  readonly to: string | null;
  /** the last day of the 15 working days the third party has */
  readonly latest: string;
}

export interface RequestClock {
  readonly state: RequestState;
  readonly receivedOn: string;
  /** the day the reply period counts from: receipt, or the corrected request (art. 30) */
  readonly countsFrom: string;
  /** null while a 补正 notice waits for the requester or after a lapse */
  readonly dueOn: string | null;
  /** the original 20-day due date from `countsFrom`, before pauses and extension */
  readonly baseDueOn: string;
  readonly extended: boolean;
  /** the last day a 补正 notice may go out (art. 30: 7 working days) */
  readonly supplementNoticeBy: string;
  readonly supplementRequestedOn: string | null;
  /** while a 补正 notice is open: the last day to answer */
  readonly supplementDueOn: string | null;
  readonly thirdParty: readonly ThirdPartyPause[];
  /** working days left to the due date on `today` (negative after it); null when stopped or waiting */
  readonly remainingWorkingDays: number | null;
  readonly colour: ClockColour;
  readonly stoppedOn: string | null;
  /** for a reply: whether it came by the due date */
  readonly onTime: boolean | null;
}

// ── day numbers ──────────────────────────────────────────────────────────────────────────────
const MS_DAY = 86_400_000;
export const dayNumber = (date: string): number =>
  Math.round(
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / MS_DAY,
  );
export const dateOf = (day: number): string => new Date(day * MS_DAY).toISOString().slice(0, 10);

/** no period here comes near this many calendar days */
const MAX_SPAN = 3_000;

/** The n-th working day after `from` (n ≥ 1), skipping days `skip` says do not count. */
function nthWorkingDayAfter(rule: DayRule, from: number, n: number, skip?: (d: number) => boolean): number {
  let k = 0;
  for (let d = from + 1; d <= from + MAX_SPAN; d++) {
    if (skip?.(d)) continue;
    if (rule.isWorkingDay(dateOf(d)) && ++k === n) return d;
  }
  throw new Error('disclosure clock: deadline beyond the span');
}

/** The n-th working day after a date (n ≥ 1): for the notice, answer and comment periods. */
export function addWorkingDays(rule: DayRule, from: string, n: number): string {
  return dateOf(nthWorkingDayAfter(rule, dayNumber(from), n));
}

interface Fold {
  countsFrom: number;
  extended: boolean;
  supplement: { on: number; due: number } | null;
  supplementAsked: boolean;
  pauses: Array<{ from: number; to: number | null; latest: number }>;
  stop: { day: number; state: 'answered' | 'lapsed' | 'withdrawn' } | null;
}

function fold(rule: DayRule, receivedOn: string, steps: readonly ClockStep[]): Fold {
  const f: Fold = {
    countsFrom: dayNumber(receivedOn),
    extended: false,
    supplement: null,
    supplementAsked: false,
    pauses: [],
    stop: null,
  };
  for (const s of steps) {
    if (f.stop) break;
    const d = dayNumber(s.day);
    switch (s.type) {
      case 'filed':
        break;
      case 'requestSupplement':
        f.supplementAsked = true;
        f.supplement = { on: d, due: nthWorkingDayAfter(rule, d, STATUTE.supplementAnswerDays) };
        break;
      case 'supplement':
        // art. 30: the reply period counts from the day the corrected request is received
        f.supplement = null;
        f.countsFrom = d;
        f.pauses = [];
        break;
      case 'consultThirdParty':
        // an earlier consultation whose 15 days ran out ended on its last day
        for (const p of f.pauses) if (p.to === null) p.to = Math.min(d, p.latest);
        f.pauses.push({ from: d, to: null, latest: nthWorkingDayAfter(rule, d, STATUTE.thirdPartyDays) });
        break;
      case 'thirdPartyReplied': {
        const open = f.pauses.find((p) => p.to === null);
        if (open) open.to = Math.min(d, open.latest);
        break;
      }
      case 'extend':
        f.extended = true;
        break;
      case 'reply':
        f.stop = { day: d, state: 'answered' };
        break;
      case 'withdraw':
        f.stop = { day: d, state: 'withdrawn' };
        break;
      case 'lapse':
        f.stop = { day: d, state: 'lapsed' };
        break;
      default: {
        const never: never = s.type;
        throw new Error(`disclosure clock: unknown step ${String(never)}`);
      }
    }
  }
  return f;
}

/** The clock of a request on `today` (a China date). */
export function computeRequestClock(
  rule: DayRule,
  receivedOn: string,
  steps: readonly ClockStep[],
  today: string,
): RequestClock {
  const f = fold(rule, receivedOn, steps);
  const todayN = dayNumber(today);
  const received = dayNumber(receivedOn);
  // a consultation's days are not counted: (from, end], end = the comments or the 15th day
  const paused = (d: number) => f.pauses.some((p) => d > p.from && d <= (p.to ?? p.latest));
  const days = STATUTE.replyDays + (f.extended ? STATUTE.extensionDays : 0);
  const due = nthWorkingDayAfter(rule, f.countsFrom, days, paused);
  const baseDue = nthWorkingDayAfter(rule, f.countsFrom, STATUTE.replyDays);
  const thirdParty = f.pauses.map((p) => ({
    from: dateOf(p.from),
    to: p.to === null ? null : dateOf(p.to),
    latest: dateOf(p.latest),
  }));
  const common = {
    receivedOn,
    countsFrom: dateOf(f.countsFrom),
    baseDueOn: dateOf(baseDue),
    extended: f.extended,
    supplementNoticeBy: dateOf(nthWorkingDayAfter(rule, received, STATUTE.supplementNoticeDays)),
    supplementRequestedOn: f.supplement ? dateOf(f.supplement.on) : null,
    supplementDueOn: f.supplement ? dateOf(f.supplement.due) : null,
    thirdParty,
  };
  if (f.stop) {
    return {
      ...common,
      state: f.stop.state,
      dueOn: f.stop.state === 'lapsed' ? null : dateOf(due),
      remainingWorkingDays: null,
      colour: 'none',
      stoppedOn: dateOf(f.stop.day),
      onTime: f.stop.state === 'answered' ? f.stop.day <= due : null,
    };
  }
  if (f.supplement) {
    // no answer by the last day: the request has lapsed, recorded or not yet
    const lapsed = todayN > f.supplement.due;
    return {
      ...common,
      state: lapsed ? 'lapsed' : 'awaitingSupplement',
      dueOn: null,
      remainingWorkingDays: null,
      colour: 'none',
      stoppedOn: lapsed ? dateOf(f.supplement.due + 1) : null,
      onTime: null,
    };
  }
  let elapsed = 0;
  for (let d = f.countsFrom + 1; d <= todayN && d <= f.countsFrom + MAX_SPAN; d++)
    if (!paused(d) && rule.isWorkingDay(dateOf(d))) elapsed++;
  const remaining = days - elapsed;
  const consulting = f.pauses.some((p) => p.to === null && todayN <= p.latest);
  return {
    ...common,
    state: consulting ? 'consulting' : 'running',
    dueOn: dateOf(due),
    remainingWorkingDays: remaining,
    colour: remaining < 0 ? 'red' : remaining <= STATUTE.yellowWithin ? 'yellow' : 'green',
    stoppedOn: null,
    onTime: null,
  };
}

/** Why an action may not be taken now, or undefined when it may (the workflow, pure). */
export type Refusal =
  | 'closed'
  | 'awaitingSupplement'
  | 'notAwaitingSupplement'
  | 'alreadyExtended'
  | 'extensionTooLate'
  | 'supplementAlreadyAsked'
  | 'supplementTooLate'
  | 'consultationOpen'
  | 'noConsultation';

export function refusalOf(
  type: Exclude<StepType, 'filed'>,
  clock: RequestClock,
  steps: readonly ClockStep[],
  today: string,
): Refusal | undefined {
  const open = clock.state === 'running' || clock.state === 'consulting';
  if (type === 'lapse')
    return clock.state === 'lapsed' && !steps.some((s) => s.type === 'lapse') ? undefined : 'closed';
  if (clock.stoppedOn !== null || clock.state === 'lapsed') return 'closed';
  switch (type) {
    case 'supplement':
      return clock.state === 'awaitingSupplement' ? undefined : 'notAwaitingSupplement';
    case 'withdraw':
      return undefined;
    case 'reply':
      return open ? undefined : 'awaitingSupplement';
    case 'extend':
      if (!open) return 'awaitingSupplement';
      if (clock.extended) return 'alreadyExtended';
      return clock.dueOn !== null && today <= clock.dueOn ? undefined : 'extensionTooLate';
    case 'requestSupplement':
      if (!open) return 'awaitingSupplement';
      if (steps.some((s) => s.type === 'requestSupplement')) return 'supplementAlreadyAsked';
      return today <= clock.supplementNoticeBy ? undefined : 'supplementTooLate';
    case 'consultThirdParty':
      if (!open) return 'awaitingSupplement';
      return clock.state === 'consulting' ? 'consultationOpen' : undefined;
    case 'thirdPartyReplied':
      return clock.state === 'consulting' ? undefined : 'noConsultation';
    default: {
      const never: never = type;
      throw new Error(`disclosure workflow: unknown action ${String(never)}`);
    }
  }
}

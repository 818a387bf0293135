/**
 * The supervision figures (效能监察), pure: the counters kept per department × region × China
 * month, how one batch of events moves them, and the rates computed from them. The consumer
 * (stats.consumer.ts) loads the state the batch touches, folds, and writes the result in the
 * transaction that advances its position; the recount (stats.recount.ts) computes the same
 * counters from the whole event stream in SQL, and a test holds one against the other.
 */
import { chinaMonth } from '../../kernel/time.js';
import type { EventRecord } from '../../platform/events/index.js';

/** Every counter of one (month, region, department) row; sums, never rates. */
export const COUNTERS = [
  /** 申请 received */
  'submitted',
  /** 受理 (incl. 容缺 and 告知承诺) */
  'accepted',
  /** 办结: cases completed in the month */
  'completed',
  /** …whose decision came by the promised date (按时办结) */
  'completed_on_time',
  /** working days the completed cases used, and the days they were promised */
  'days_used',
  'days_promised',
  /** completed 即办件 (promised limit 0) */
  'immediate',
  /** completed with no visit at all, applied online (全程网办) */
  'fully_online',
  /** completed with at most one visit (最多跑一次) */
  'at_most_one_visit',
  /** 不予受理 and 撤回 */
  'refused',
  'withdrawn',
  /** 黄牌 / 红牌 raised in the month */
  'warned_yellow',
  'warned_red',
  /** 好差评: ratings, 好评 (4–5), 差评 (1–2), 实名差评 (差评 neither anonymous nor without a real name) */
  'ratings',
  'ratings_good',
  'ratings_bad',
  'ratings_bad_real_name',
  /** 差评整改: rectifications opened in the month, and of those the ones closed (on time), called back */
  'rectifications_opened',
  'rectifications_closed',
  'rectifications_closed_on_time',
  'rectifications_called_back',
  /** 政民互动: complaints filed, answered, answered within their limit */
  'complaints_filed',
  'complaints_answered',
  'complaints_answered_on_time',
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counters = Record<Counter, number>;

export const zeroCounters = (): Counters => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters;

export interface CellKey {
  readonly month: string;
  readonly regionCode: string;
  readonly departmentId: string;
}

/** An open case as the figures follow it: where it is decided, how it came, its clock colour. */
export interface OpenCase {
  readonly caseNumber: string;
  readonly departmentId: string;
  readonly regionCode: string;
  readonly channel: string;
  /** visits to a hall so far: applying at a window, called to one with a ticket for the case, collecting the result at one */
  readonly visits: number;
  readonly status: string;
  readonly colour: string;
  readonly due: string | null;
  readonly submittedAt: string;
}

/** A rectification (差评整改) as the figures follow it: counted in the month it was opened. */
export interface Rectification {
  readonly rectificationId: string;
  readonly month: string;
  readonly regionCode: string;
  readonly departmentId: string;
  readonly calledBack: boolean;
  readonly closed: boolean;
}

/** The state a batch reads and writes; `null` marks a row gone (a case closed). */
export interface FoldState {
  readonly cases: Map<string, OpenCase | null>;
  readonly rectifications: Map<string, Rectification | null>;
}

export interface FoldResult {
  /** counter increments by cell (`month|region|department`) */
  readonly cells: Map<string, { key: CellKey; add: Counters }>;
  /** case numbers and rectification ids whose rows changed */
  readonly casesChanged: Set<string>;
  readonly rectificationsChanged: Set<string>;
}

/**
 * A ticket for a case called to a window (the halls module's `halls.visit`): one more visit of the
 * case (最多跑一次), unless it is a ticket of line C (出件): collecting the result at a window is
 * counted by the result's handover (`issueResult` with `delivery: 'window'`), not twice.
 */
export const HALL_VISIT = 'halls.visit';

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** The case numbers and rectification ids a batch needs loaded before it is folded. */
export function keysOf(events: readonly EventRecord[]): { cases: string[]; rectifications: string[] } {
  const cases = new Set<string>();
  const rects = new Set<string>();
  for (const e of events) {
    if ((e.type.startsWith('cases.') || e.type === HALL_VISIT) && e.aggregateType === 'case') {
      const n = str(e.payload.caseNumber) ?? e.aggregateId;
      cases.add(n);
    } else if (e.type.startsWith('ratings.')) {
      const r = str(e.payload.rectificationId);
      if (r) rects.add(r);
    }
  }
  return { cases: [...cases], rectifications: [...rects] };
}

/** The action events of a case (cases.act.ts): `cases.accepted`, `cases.completed` …, never warnings. */
const isActionEvent = (e: EventRecord) => typeof e.payload.action === 'string';

/**
 * Folds a batch into counter increments and state changes. Pure: the same events and state give
 * the same result, which is what makes a replay after a crash exact.
 */
export function fold(events: readonly EventRecord[], state: FoldState): FoldResult {
  const cells = new Map<string, { key: CellKey; add: Counters }>();
  const casesChanged = new Set<string>();
  const rectificationsChanged = new Set<string>();
  const bump = (key: CellKey, c: Counter, by = 1) => {
    const k = `${key.month}|${key.regionCode}|${key.departmentId}`;
    let cell = cells.get(k);
    if (!cell) {
      cell = { key, add: zeroCounters() };
      cells.set(k, cell);
    }
    cell.add[c] += by;
  };
  const setCase = (n: string, v: OpenCase | null) => {
    state.cases.set(n, v);
    casesChanged.add(n);
  };
  const setRect = (id: string, v: Rectification) => {
    state.rectifications.set(id, v);
    rectificationsChanged.add(id);
  };

  for (const e of events) {
    const p = e.payload;
    const month = chinaMonth(e.createdAt);
    const departmentId = str(p.departmentId) ?? '';
    const regionCode = str(p.regionCode) ?? e.regionCode ?? '';
    const key: CellKey = { month, regionCode, departmentId };

    if (e.type === 'cases.submitted') {
      const n = str(p.caseNumber) ?? e.aggregateId;
      bump(key, 'submitted');
      const channel = str(p.channel) ?? 'online';
      setCase(n, {
        caseNumber: n,
        departmentId,
        regionCode,
        channel,
        // applied at a window (a clerk's walk-in): the first visit
        visits: channel === 'online' ? 0 : 1,
        status: 'submitted',
        colour: 'none',
        due: null,
        submittedAt: e.createdAt,
      });
      continue;
    }

    if (e.type === HALL_VISIT && e.aggregateType === 'case') {
      const n = str(p.caseNumber) ?? e.aggregateId;
      const open = state.cases.get(n);
      if (open && p.line !== 'C') setCase(n, { ...open, visits: open.visits + 1 });
      continue;
    }

    if (e.type === 'cases.warning.yellow' || e.type === 'cases.warning.red') {
      const n = str(p.caseNumber) ?? e.aggregateId;
      const colour = e.type === 'cases.warning.red' ? 'red' : 'yellow';
      bump(key, colour === 'red' ? 'warned_red' : 'warned_yellow');
      const open = state.cases.get(n);
      if (open) setCase(n, { ...open, colour, due: str(p.due) ?? open.due });
      continue;
    }

    if (e.type.startsWith('cases.') && e.aggregateType === 'case' && isActionEvent(e)) {
      const n = str(p.caseNumber) ?? e.aggregateId;
      const action = p.action as string;
      const clock = (p.clock ?? {}) as Record<string, unknown>;
      const open = state.cases.get(n) ?? null;
      switch (action) {
        case 'accept':
        case 'acceptWithDeficiency':
        case 'acceptWithCommitment':
          bump(key, 'accepted');
          break;
        case 'refuse':
          bump(key, 'refused');
          if (open) setCase(n, null);
          continue;
        case 'withdraw':
          bump(key, 'withdrawn');
          if (open) setCase(n, null);
          continue;
        case 'complete': {
          const visits = open?.visits ?? 0;
          const promised = num(p.promisedDays);
          bump(key, 'completed');
          if (clock.onTime === true) bump(key, 'completed_on_time');
          bump(key, 'days_used', num(clock.elapsedWorkingDays));
          bump(key, 'days_promised', promised);
          if (p.promisedDays === 0) bump(key, 'immediate');
          if (open?.channel === 'online' && visits === 0) bump(key, 'fully_online');
          if (visits <= 1) bump(key, 'at_most_one_visit');
          if (open) setCase(n, null);
          continue;
        }
      }
      if (!open) continue;
      const visits = open.visits + (action === 'issueResult' && p.delivery === 'window' ? 1 : 0);
      setCase(n, {
        ...open,
        visits,
        status: str(p.status) ?? open.status,
        colour: str(clock.colour) ?? open.colour,
        due: str(clock.due) ?? open.due,
      });
      continue;
    }

    switch (e.type) {
      case 'ratings.rated': {
        const level = num(p.level);
        bump(key, 'ratings');
        if (level >= 4) bump(key, 'ratings_good');
        if (level >= 1 && level <= 2) {
          bump(key, 'ratings_bad');
          if (p.realName === true && p.anonymous !== true) bump(key, 'ratings_bad_real_name');
        }
        break;
      }
      case 'ratings.rectification-opened': {
        const id = str(p.rectificationId);
        if (!id || state.rectifications.get(id)) break;
        bump(key, 'rectifications_opened');
        setRect(id, {
          rectificationId: id,
          month,
          regionCode,
          departmentId,
          calledBack: false,
          closed: false,
        });
        break;
      }
      case 'ratings.callback-recorded': {
        const id = str(p.rectificationId);
        const r = id ? state.rectifications.get(id) : undefined;
        // 实名差评回访率: the first call-back to a rater with a real name, in the month the
        // rectification was opened
        if (!id || !r || r.calledBack || p.realName !== true) break;
        bump(r, 'rectifications_called_back');
        setRect(id, { ...r, calledBack: true });
        break;
      }
      case 'ratings.rectification-closed': {
        const id = str(p.rectificationId);
        const r = id ? state.rectifications.get(id) : undefined;
        if (!id || !r || r.closed) break;
        bump(r, 'rectifications_closed');
        if (p.onTime === true) bump(r, 'rectifications_closed_on_time');
        setRect(id, { ...r, closed: true });
        break;
      }
      case 'complaints.filed':
        bump(key, 'complaints_filed');
        break;
      case 'complaints.answered':
        bump(key, 'complaints_answered');
        if (p.onTime === true) bump(key, 'complaints_answered_on_time');
        break;
    }
  }
  return { cells, casesChanged, rectificationsChanged };
}

// ── the figures ─────────────────────────────────────────────────────────────────────────────

/** 国务院 figures the report cites: 96.2 % on time; 网上可办率 ≥ 80 % (province), ≥ 50 % (city, county). */
export const TARGETS = {
  onTimeRate: 96.2,
  onlineAvailabilityProvince: 80,
  onlineAvailabilityCityCounty: 50,
} as const;

/** A rate in percent with one decimal, or null when there is nothing to divide by. */
export const rate = (part: number, whole: number): number | null =>
  whole > 0 ? Math.round((part / whole) * 1000) / 10 : null;

const avg = (sum: number, n: number): number | null => (n > 0 ? Math.round((sum / n) * 100) / 100 : null);

/** The figures of one row (a department's month, a month, a period) from its counters. */
export function figuresOf(c: Counters) {
  return {
    submitted: c.submitted,
    accepted: c.accepted,
    completed: c.completed,
    completedOnTime: c.completed_on_time,
    /** 按时办结率 */
    onTimeRate: rate(c.completed_on_time, c.completed),
    /** 全程网办率 */
    fullyOnlineRate: rate(c.fully_online, c.completed),
    /** 即办件 share of completed cases */
    immediateShare: rate(c.immediate, c.completed),
    /** 最多跑一次 */
    atMostOneVisitRate: rate(c.at_most_one_visit, c.completed),
    avgWorkingDaysUsed: avg(c.days_used, c.completed),
    avgWorkingDaysPromised: avg(c.days_promised, c.completed),
    refused: c.refused,
    withdrawn: c.withdrawn,
    yellowCards: c.warned_yellow,
    redCards: c.warned_red,
    ratings: c.ratings,
    goodRatings: c.ratings_good,
    badRatings: c.ratings_bad,
    /** 好评率 */
    goodRatingRate: rate(c.ratings_good, c.ratings),
    rectificationsOpened: c.rectifications_opened,
    rectificationsClosed: c.rectifications_closed,
    /** 差评整改率 */
    rectificationRate: rate(c.rectifications_closed, c.rectifications_opened),
    rectificationsOnTimeRate: rate(c.rectifications_closed_on_time, c.rectifications_closed),
    /** 实名差评回访率 */
    callbackRate: rate(c.rectifications_called_back, c.ratings_bad_real_name),
    complaints: c.complaints_filed,
    complaintsAnswered: c.complaints_answered,
    complaintsOnTimeRate: rate(c.complaints_answered_on_time, c.complaints_answered),
  };
}
export type Figures = ReturnType<typeof figuresOf>;

export function addInto(into: Counters, c: Counters): Counters {
  for (const k of COUNTERS) into[k] += c[k];
  return into;
}

/**
 * A division code as the prefix of the codes under it: 410100 (郑州市) → 4101, 410000 → 41,
 * 410105 → 410105, 410105001 → 410105001.
 */
export function regionPrefix(code: string): string {
  if (code.length === 6) {
    if (code.endsWith('0000')) return code.slice(0, 2);
    if (code.endsWith('00')) return code.slice(0, 4);
  }
  return code;
}

/** The division level a region code names (for the 网上可办率 target). */
export function levelOf(code: string): 'province' | 'city' | 'county' | 'township' {
  if (code.length > 6) return 'township';
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'city';
  return 'county';
}

import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import { type Clock, DomainError, newId } from '../../kernel/index.js';
import { type Executor, type Store, inTransaction } from '../db/index.js';
import { appendEvent } from '../events/index.js';
import { type Lang, translator } from '../i18n/index.js';
import type { Logger } from '../log.js';
import './calendar.messages.js';
import { chinaYear, dateAt, dayIndex, weekdayAt } from './calendar.dates.js';
import './calendar.errors.js';
import { packageDays, packageYears } from './calendar.package.js';
import {
  deleteDays,
  insertMissingDays,
  listDays,
  nationalYears,
  readAllDays,
  readPackageYears,
  readVersion,
  upsertDays,
  writePackageYears,
  writeVersion,
} from './calendar.store.js';
import {
  type DayTable,
  type IndexedEntry,
  buildTable,
  describeAt,
  dueIndex,
  explainPeriod,
  isWorkingAt,
  workingBetween,
} from './calendar.table.js';
import {
  type CalendarChanged,
  type DayEntry,
  type DayReason,
  type Deadline,
  type ExplainedDay,
  type HolidayName,
  MAX_WORKING_DAYS,
  PutDaysInput,
  RemoveDaysInput,
} from './calendar.types.js';

export interface CalendarDeps {
  store: Store;
  clock: Clock;
  log?: Logger;
  /**
   * how often `refreshIfStale` may read the version from the store, and how often `watch` does
   * (default 1000 ms)
   */
  refreshIntervalMs?: number;
}

export interface CalendarCoverage {
  /** national years with holiday data, ascending */
  years: number[];
  /** the current year in China */
  currentYear: number;
  /** of the current and the next year, those with no holiday data (ops must enter the notice) */
  missing: number[];
}

export interface CalendarChange {
  regionCode: string;
  dates: string[];
  version: string;
}

/**
 * China's working-day calendar: 法定节假日 and 调休 make-up working days (State Council notice,
 * seeded from the chinese-days package and entered by administrators), plus local overrides per
 * region-code prefix, the most specific prefix winning.
 *
 * `load()` once (after migrations); then every question is answered synchronously from memory.
 * Changes made on this node reload at once; other nodes notice the new version within a second:
 * `watch()` (started with the calendar's routes) reads it on an unref'd timer.
 */
export interface WorkingCalendar {
  /** seeds the national table from the package (idempotent) and loads every table into memory */
  load(): Promise<void>;
  /**
   * re-reads the store now; `within`: through the caller's transaction (an event consumer's: on
   * SQLite the store has one connection, which that transaction holds)
   */
  reload(within?: Executor): Promise<void>;
  /** reloads when another node changed the calendar; reads the store at most once per second */
  refreshIfStale(): Promise<boolean>;
  /**
   * Reads the stored version every refresh interval (1 s by default) on an unref'd timer and
   * reloads when another node changed the calendar. Returns the stop function, which waits for a
   * check under way (call it before the store closes).
   */
  watch(onError?: (err: unknown) => void): () => Promise<void>;
  /** the loaded version (changes with every calendar change) */
  readonly version: string;

  /** the due date with the explanation of every day skipped or counted specially */
  addWorkingDays(start: string, n: number, regionCode?: string): Deadline;
  /** the due date alone: the fast path for clocks */
  dueDate(start: string, n: number, regionCode?: string): string;
  /** working days in (a, b]; negative when b is before a */
  workingDaysBetween(a: string, b: string, regionCode?: string): number;
  /** the same, with the explanation of every day skipped or counted specially in (a, b] */
  explainWorkingDaysBetween(
    a: string,
    b: string,
    regionCode?: string,
  ): { count: number; explanation: ExplainedDay[] };
  isWorkingDay(date: string, regionCode?: string): boolean;
  /** one day: working or not, and why */
  describeDay(
    date: string,
    regionCode?: string,
  ): { date: string; weekday: number; working: boolean; reason: DayReason; name?: HolidayName };

  /**
   * One region's rule as a small object (for a clock engine that asks day by day): always answers
   * from the loaded tables, so a calendar change applies at once. `describe` gives the reason of a
   * day that is not an ordinary working day, in the given language (zh-CN by default).
   */
  dayRule(
    regionCode: string,
    lang?: Lang,
  ): { isWorkingDay(date: string): boolean; describe(date: string): string | undefined };

  /** of `year` (default: this year in China) and the next, the years with no national holiday data */
  yearsWithoutData(year?: number): number[];
  coverage(): CalendarCoverage;

  /** an administrator's entry (the State Council notice, or a local decision); one transaction */
  setDays(input: PutDaysInput, actor: string | null): Promise<CalendarChange>;
  removeDays(input: RemoveDaysInput, actor: string | null): Promise<CalendarChange>;
  listDays(regionCode: string, year: number): Promise<DayEntry[]>;
}

const REGION_RE = /^(\d{2,12})?$/;
const REFRESH_INTERVAL_MS = 1000;

interface Loaded {
  version: string;
  national: IndexedEntry[];
  /** local layers by region-code prefix */
  local: Map<string, IndexedEntry[]>;
  years: Set<number>;
  nationalTable: DayTable;
  /** tables by the longest override prefix that applies ('' = national) */
  tables: Map<string, DayTable>;
  /** region code asked → that prefix */
  keyOf: Map<string, string>;
}

function index(entries: readonly DayEntry[]): IndexedEntry[] {
  const out: IndexedEntry[] = [];
  for (const e of entries) {
    const i = dayIndex(e.date);
    if (i >= 0) out.push({ index: i, entry: e });
  }
  return out;
}

function build(version: string, rows: readonly DayEntry[]): Loaded {
  const nationalRows: DayEntry[] = [];
  const localRows = new Map<string, DayEntry[]>();
  for (const r of rows) {
    if (r.regionCode === '') nationalRows.push(r);
    else {
      const l = localRows.get(r.regionCode);
      if (l) l.push(r);
      else localRows.set(r.regionCode, [r]);
    }
  }
  const national = index(nationalRows);
  const local = new Map<string, IndexedEntry[]>();
  for (const [k, v] of localRows) local.set(k, index(v));
  const nationalTable = buildTable(national, []);
  return {
    version,
    national,
    local,
    years: new Set(nationalRows.map((r) => Number(r.date.slice(0, 4)))),
    nationalTable,
    tables: new Map([['', nationalTable]]),
    keyOf: new Map(),
  };
}

const EMPTY_VERSION = 'empty';

/** Input from a caller that skipped the route schemas (CLI, another module): a coded 400, never a 500. */
function valid<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ field: i.path.join('.'), rule: i.code, message: i.message }));
  throw new DomainError('COMMON.VALIDATION', { details: { issues } });
}

export function createCalendar(deps: CalendarDeps): WorkingCalendar {
  const { store, clock } = deps;
  let state: Loaded | undefined;
  let lastCheck = Number.NEGATIVE_INFINITY;
  let inflight: Promise<boolean> | undefined;

  const current = (): Loaded => {
    if (!state) throw new DomainError('CALENDAR.NOT_LOADED');
    return state;
  };

  type DayRule = ReturnType<WorkingCalendar['dayRule']>;
  const rules = new Map<string, DayRule>();

  function table(regionCode: string | undefined): DayTable {
    const s = current();
    if (!regionCode) return s.nationalTable;
    if (s.local.size === 0) {
      // checked once per region code (the clocks ask day by day)
      if (!s.keyOf.has(regionCode)) {
        if (!REGION_RE.test(regionCode))
          throw new DomainError('CALENDAR.BAD_REGION', { params: { value: regionCode } });
        if (s.keyOf.size > 50_000) s.keyOf.clear();
        s.keyOf.set(regionCode, '');
      }
      return s.nationalTable;
    }
    let key = s.keyOf.get(regionCode);
    if (key === undefined) {
      if (!REGION_RE.test(regionCode))
        throw new DomainError('CALENDAR.BAD_REGION', { params: { value: regionCode } });
      key = '';
      for (let k = regionCode.length; k >= 2; k--) {
        const p = regionCode.slice(0, k);
        if (s.local.has(p)) {
          key = p;
          break;
        }
      }
      // bounded: region codes come from callers; the number of distinct tables is bounded by the overrides
      if (s.keyOf.size > 50_000) s.keyOf.clear();
      s.keyOf.set(regionCode, key);
    }
    let t = s.tables.get(key);
    if (!t) {
      const layers = [...s.local.keys()]
        .filter((p) => key.startsWith(p))
        .sort((a, b) => a.length - b.length)
        .map((p) => s.local.get(p)!);
      t = buildTable(s.national, layers);
      s.tables.set(key, t);
    }
    return t;
  }

  function day(date: string): number {
    const i = dayIndex(date);
    if (i < 0) throw new DomainError('CALENDAR.BAD_DATE', { params: { value: String(date).slice(0, 20) } });
    return i;
  }

  function checkN(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > MAX_WORKING_DAYS) {
      throw new DomainError('CALENDAR.BAD_WORKING_DAYS', { params: { max: MAX_WORKING_DAYS } });
    }
  }

  function due(t: DayTable, start: number, n: number): number {
    const d = dueIndex(t, start, n);
    if (d < 0) throw new DomainError('CALENDAR.OUT_OF_RANGE');
    return d;
  }

  const refreshInterval = deps.refreshIntervalMs ?? REFRESH_INTERVAL_MS;

  /** Reads the stored version now and reloads when it is not the loaded one (one read at a time). */
  function checkVersion(): Promise<boolean> {
    if (inflight) return inflight;
    lastCheck = performance.now();
    inflight = (async () => {
      try {
        const v = (await readVersion(store.db)) ?? EMPTY_VERSION;
        if (state && v === state.version) return false;
        await reload();
        return true;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  async function reload(within?: Executor): Promise<void> {
    const db = within ?? store.db;
    const rows = await readAllDays(db);
    const version = await readVersion(db);
    state = build(version ?? EMPTY_VERSION, rows);
    lastCheck = performance.now();
  }

  /** Records a change: the version every node compares, and the event, in the caller's transaction. */
  async function recordChange(
    trx: Executor,
    change: Omit<CalendarChanged, 'version'>,
    actor: string | null,
  ): Promise<string> {
    const now = clock.now().toISOString();
    const version = newId();
    await writeVersion(trx, version, now);
    await appendEvent(trx, clock, {
      type: 'calendar.changed',
      aggregateType: 'calendar',
      aggregateId: change.regionCode || 'national',
      regionCode: change.regionCode || null,
      actor,
      payload: { ...change, version } satisfies CalendarChanged as unknown as Record<string, unknown>,
    });
    return version;
  }

  /**
   * Seeds each year the package covers, once: a year already seeded, or one an administrator has
   * entered by hand, is left alone, so a deleted or corrected day stays as the administrator left it.
   */
  async function seedFromPackage(): Promise<void> {
    const years = packageYears();
    await inTransaction(store.db, async (trx) => {
      const seeded = new Set(await readPackageYears(trx));
      const present = new Set(await nationalYears(trx));
      const toSeed = new Set(years.filter((y) => !seeded.has(y) && !present.has(y)));
      if (toSeed.size === 0) return;
      const days = packageDays().filter((d) => toSeed.has(Number(d.date.slice(0, 4))));
      const now = clock.now().toISOString();
      await insertMissingDays(trx, days, now);
      await writePackageYears(
        trx,
        [...new Set([...seeded, ...toSeed])].sort((a, b) => a - b),
        now,
      );
      await recordChange(trx, { regionCode: '', dates: days.map((d) => d.date), source: 'package' }, null);
    });
  }

  function coverage(): CalendarCoverage {
    const s = current();
    const currentYear = chinaYear(clock.now());
    return {
      years: [...s.years].sort((a, b) => a - b),
      currentYear,
      missing: [currentYear, currentYear + 1].filter((y) => !s.years.has(y)),
    };
  }

  const cal: WorkingCalendar = {
    async load() {
      await seedFromPackage();
      await reload();
      const missing = coverage().missing;
      if (missing.length) {
        deps.log?.warn(
          { years: missing },
          'calendar: no public-holiday data for these years; enter the State Council notice (POST /api/v1/calendar/days)',
        );
      }
    },
    reload,
    refreshIfStale() {
      if (inflight) return inflight;
      if (performance.now() - lastCheck < refreshInterval) return Promise.resolve(false);
      return checkVersion();
    },
    watch(onError) {
      const timer = setInterval(
        () => {
          if (inflight) return;
          checkVersion().catch((err: unknown) => {
            if (onError) onError(err);
            else deps.log?.warn({ err }, 'calendar: version check failed; serving the loaded calendar');
          });
        },
        Math.max(refreshInterval, 10),
      );
      timer.unref();
      return async () => {
        clearInterval(timer);
        await inflight?.catch(() => undefined);
      };
    },
    get version() {
      return current().version;
    },

    addWorkingDays(start, n, regionCode) {
      const t = table(regionCode);
      const s = day(start);
      checkN(n);
      const d = due(t, s, n);
      if (d === s) return { due: start, explanation: [{ date: start, counted: true, reason: 'sameDay' }] };
      return { due: dateAt(d), explanation: explainPeriod(t, s, d) };
    },
    dueDate(start, n, regionCode) {
      const t = table(regionCode);
      const s = day(start);
      checkN(n);
      return dateAt(due(t, s, n));
    },
    workingDaysBetween(a, b, regionCode) {
      return workingBetween(table(regionCode), day(a), day(b));
    },
    explainWorkingDaysBetween(a, b, regionCode) {
      const t = table(regionCode);
      const ia = day(a);
      const ib = day(b);
      const count = workingBetween(t, ia, ib);
      return { count, explanation: ib >= ia ? explainPeriod(t, ia, ib) : explainPeriod(t, ib, ia) };
    },
    isWorkingDay(date, regionCode) {
      return isWorkingAt(table(regionCode), day(date));
    },
    describeDay(date, regionCode) {
      const i = day(date);
      return { date, weekday: weekdayAt(i), ...describeAt(table(regionCode), i) };
    },

    dayRule(regionCode, lang = 'zh-CN') {
      // the rule answers from the tables loaded at the time of each call, so one object per
      // region and language serves for good
      const k = `${regionCode}|${lang}`;
      const known = rules.get(k);
      if (known) return known;
      const t = translator(lang);
      const rule: DayRule = {
        isWorkingDay: (date) => cal.isWorkingDay(date, regionCode || undefined),
        describe(date) {
          const d = cal.describeDay(date, regionCode || undefined);
          if (d.reason === 'workday') return undefined;
          const name = d.name ? (lang === 'en' ? d.name.en : d.name.zh) : '';
          return t(`calendar.reason.${d.reason}`, { name });
        },
      };
      if (rules.size > 10_000) rules.clear();
      rules.set(k, rule);
      return rule;
    },
    yearsWithoutData(year) {
      const s = current();
      const y = year ?? chinaYear(clock.now());
      return [y, y + 1].filter((x) => !s.years.has(x));
    },
    coverage,

    async setDays(raw, actor) {
      const input = valid(PutDaysInput, raw);
      const seen = new Set<string>();
      for (const d of input.days) {
        if (seen.has(d.date)) throw new DomainError('CALENDAR.DUPLICATE_DATE', { params: { value: d.date } });
        seen.add(d.date);
      }
      const days: DayEntry[] = input.days.map((d) => ({
        regionCode: input.regionCode,
        date: d.date,
        kind: d.kind,
        name: d.name,
        nameEn: d.nameEn ?? '',
        source: 'admin',
      }));
      const dates = days.map((d) => d.date).sort();
      const version = await inTransaction(store.db, async (trx) => {
        await upsertDays(trx, days, clock.now().toISOString(), actor);
        return recordChange(trx, { regionCode: input.regionCode, dates, source: 'admin' }, actor);
      });
      await reload();
      return { regionCode: input.regionCode, dates, version };
    },
    async removeDays(raw, actor) {
      const input = valid(RemoveDaysInput, raw);
      const result = await inTransaction(store.db, async (trx) => {
        const removed = await deleteDays(trx, input.regionCode, [...new Set(input.dates)]);
        if (removed.length === 0) throw new DomainError('CALENDAR.DAY_NOT_FOUND');
        const version = await recordChange(
          trx,
          { regionCode: input.regionCode, dates: removed, source: 'admin' },
          actor,
        );
        return { regionCode: input.regionCode, dates: removed, version };
      });
      await reload();
      return result;
    },
    listDays(regionCode, year) {
      return listDays(store.db, { regionCode, from: `${year}-01-01`, to: `${year}-12-31` });
    },
  };
  return cal;
}

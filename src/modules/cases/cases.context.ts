/**
 * The readonly context every cases use case takes: the store, the clock, the neighbours (ports),
 * the settings, and the two caches the use cases share (published items; the rows written in the
 * current transaction). `createCasesContext` builds it once per service.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../kernel/index.js';
import type { Executor, Store } from '../../platform/db/index.js';
import { type FileSealer, type PersonalDataCipher, createFileSealer } from '../../platform/privacy/index.js';
import type { ApplicableItem, CasesPorts, CatalogPort } from './cases.ports.js';
import { type ClockThresholds, DEFAULT_THRESHOLDS, type RecordedAction } from './cases.sla.js';
import type { ActingRow } from './cases.store.js';
import type { WorkflowState } from './cases.workflow.js';

export interface CasesOptions {
  readonly thresholds?: ClockThresholds;
  /** per uploaded file (default 10 MB) */
  readonly maxUploadBytes?: number;
  /** a department's queue counts: when they are reused (DepartmentCounts) */
  readonly countsReuse?: { readonly slowMs: number; readonly reuseMs: number };
}

export interface CasesServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly ports: CasesPorts;
  /** called after each commit so consumers look for the new events */
  readonly poke?: () => void;
  /**
   * Seals the application form at rest (it holds ID numbers, phones, addresses); the app passes
   * the platform's personal-data cipher. Without one (unit tests, the bench) the form is stored as is.
   */
  readonly cipher?: PersonalDataCipher;
  /**
   * Seals uploaded files at rest; the app passes one under the configured secret. Without one
   * (unit tests, the bench) files are still sealed, under a key made for this process alone.
   */
  readonly files?: FileSealer;
  readonly options?: CasesOptions;
}

/**
 * `within`: write inside the caller's transaction instead of one of its own (bulk replays and
 * imports commit many lifecycles at once; every check still runs per action).
 */
export interface WriteOptions {
  readonly within?: Executor;
}

/** The cached fold of a case's actions (cases.projection). */
export interface Projection {
  state: WorkflowState;
  clock: RecordedAction[];
}

/**
 * The published item versions the use cases read, each kept a minute: a republished form or a
 * withdrawn item reaches new applications within that (on every node), and the action hot path
 * reads no catalogue.
 */
export class ItemCache {
  static readonly TTL_MS = 60_000;
  readonly #entries = new Map<string, { it: ApplicableItem; until: number }>();
  readonly #catalog: CatalogPort;

  constructor(catalog: CatalogPort) {
    this.#catalog = catalog;
  }

  async get(code: string): Promise<ApplicableItem | undefined> {
    const now = performance.now();
    const hit = this.#entries.get(code);
    if (hit && hit.until > now) return hit.it;
    const it = await this.#catalog.applicableItem(code);
    if (it) this.#entries.set(code, { it, until: now + ItemCache.TTL_MS });
    else this.#entries.delete(code);
    return it;
  }
}

/** A case row as the use cases last wrote it (what an action reads of it), with its projection parsed. */
export interface WrittenCase {
  readonly row: ActingRow;
  readonly projection: Projection;
}

/**
 * Within one caller's transaction (`within`: bulk replays, imports), the case rows as the use
 * cases last wrote them, so the next action on the case need not read back what was just written.
 * Kept per transaction object only, so nothing outlives the transaction; the projection update
 * stays guarded by the action count, and any other write to a case's row (the clock refresh)
 * drops its entry.
 */
export class WrittenCases {
  readonly #byTransaction = new WeakMap<Executor, Map<string, WrittenCase>>();

  get(ex: Executor, caseNumber: string): WrittenCase | undefined {
    return this.#byTransaction.get(ex)?.get(caseNumber);
  }

  remember(ex: Executor, row: ActingRow, projection: Projection): void {
    if (!ex.isTransaction) return;
    let m = this.#byTransaction.get(ex);
    if (!m) {
      m = new Map();
      this.#byTransaction.set(ex, m);
    }
    m.set(row.case_number, { row, projection });
  }

  forget(ex: Executor, caseNumber: string): void {
    this.#byTransaction.get(ex)?.delete(caseNumber);
  }
}

/** What every use case of the module reads: the store, the clock, the neighbours, the settings, the caches. */
export interface CasesContext {
  readonly store: Store;
  readonly db: Store['db'];
  readonly clock: Clock;
  readonly ports: CasesPorts;
  /** after a commit: consumers look for the new events */
  readonly poke: () => void;
  /** seals forms and drafts at rest; none in unit tests and the bench */
  readonly cipher: PersonalDataCipher | undefined;
  /** seals uploaded files at rest */
  readonly files: FileSealer;
  readonly thresholds: ClockThresholds;
  /** per uploaded file */
  readonly maxUploadBytes: number;
  readonly items: ItemCache;
  readonly written: WrittenCases;
  readonly departmentCounts: DepartmentCounts;
}

export function createCasesContext(deps: CasesServiceDeps): CasesContext {
  return Object.freeze({
    store: deps.store,
    db: deps.store.db,
    clock: deps.clock,
    ports: deps.ports,
    poke: deps.poke ?? (() => {}),
    cipher: deps.cipher,
    files: deps.files ?? createFileSealer(randomBytes(32)),
    thresholds: deps.options?.thresholds ?? DEFAULT_THRESHOLDS,
    maxUploadBytes: deps.options?.maxUploadBytes ?? 10 * 1024 * 1024,
    items: new ItemCache(deps.ports.catalog),
    written: new WrittenCases(),
    departmentCounts: new DepartmentCounts(deps.options?.countsReuse),
  });
}

/**
 * A department's open cases by colour (and status), as the workbench's queue shows them above its
 * list. The count reads every open case of the department (over an index): 0.2 ms at a few hundred,
 * ≈ 3 ms at 20,000, and in a soak of the mixed workload it was the one request whose time grew with
 * the tables. So counts that took at least `slowMs` to read are reused on this node for up to
 * `reuseMs` (defaults 5 ms and 2 s): a busy department's badges may be two seconds old, its list of
 * cases never is. A department whose count is quick is read every time, as before.
 */
export class DepartmentCounts {
  readonly #kept = new Map<string, { until: number; value: unknown }>();
  readonly slowMs: number;
  readonly reuseMs: number;
  constructor(opts: { readonly slowMs: number; readonly reuseMs: number } = { slowMs: 5, reuseMs: 2000 }) {
    this.slowMs = opts.slowMs;
    this.reuseMs = opts.reuseMs;
  }

  async get<T>(key: string, read: () => Promise<T>): Promise<T> {
    const now = performance.now();
    const hit = this.#kept.get(key);
    if (hit && hit.until > now) return hit.value as T;
    const value = await read();
    const took = performance.now() - now;
    if (took >= this.slowMs) {
      // bounded: a node keeps at most a few thousand departments' counts
      if (this.#kept.size >= 5000) this.#kept.clear();
      this.#kept.set(key, { until: performance.now() + this.reuseMs, value });
    } else this.#kept.delete(key);
    return value;
  }
}

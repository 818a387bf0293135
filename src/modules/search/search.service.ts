import { DomainError } from '../../kernel/index.js';
import type { Store } from '../../platform/db/index.js';
import { type EventRecord, type Wakeups, heldBackAfter, readEvents } from '../../platform/events/index.js';
import { collectGarbage } from '../../platform/gc.js';
import type { Logger } from '../../platform/log.js';
import { createIndexBuilder } from './search.build.js';
import { SearchIndex } from './search.index.js';
import { headPosition } from './search.store.js';
import { MAX_QUERY_CHARS, type SearchRequest, type SearchResult, type SearchSource } from './search.types.js';

/**
 * Holds this node's index and keeps it fresh.
 *
 * The index lives in memory on every node, so it cannot use the shared consumer positions of the
 * outbox (one node would advance them for all). Instead each node rebuilds from the store at
 * start, remembers in memory the stream position the build started from, and polls the stream
 * from there. A rebuild builds a new index beside the serving one, replays the events written
 * meanwhile, and swaps the reference: queries never see a missing or half-built index.
 */
export interface SearchServiceDeps {
  readonly store: Store;
  readonly sources: readonly SearchSource[];
  readonly log: Logger;
  /** tokenise builds in a worker thread (default); false builds on the main thread */
  readonly buildInWorker?: boolean;
  /** the store's wake-ups: read the stream as soon as events are committed on any node */
  readonly wakeups?: Wakeups;
}

export interface SearchStatus {
  readonly documents: number;
  readonly terms: number;
  readonly builtAt: string | undefined;
  readonly buildMs: number;
  readonly position: { tx: string; seq: number } | undefined;
  readonly rebuilds: number;
}

const SCAN_PAGE = 2000;
/**
 * A build of at least this many documents is followed by a full, compacting collection: its
 * garbage (every document read and sent to the worker, promoted while the records were kept) is
 * otherwise left in the node's RSS (docs/benchmarks.md, *Memory of one node*). Smaller builds
 * (tests, a small city) leave too little to be worth the pause.
 */
const COLLECT_AFTER_DOCS = 20_000;
const READ_BATCH = 500;

/**
 * Under load, the least time between the starts of two polls that wake-ups ask for. Every commit
 * of events wakes the index (on SQLite after each request that wrote them; on PostgreSQL at each
 * node's NOTIFY), and each poll reads the new events — every case event included, which the index
 * ignores — and looks once more for any held back: tens of polls a second on each node, most of
 * them finding nothing to index. A wake-up after a quiet spell still polls at once; a publication
 * is searchable on every node well within the second the issue asks.
 */
export const WAKE_POLL_SPACING_MS = 100;

export function createSearchService(deps: SearchServiceDeps) {
  const db = deps.store.db;
  let index = SearchIndex.empty();
  let position: { tx: string; seq: number } | undefined;
  let builtAt: string | undefined;
  let buildMs = 0;
  let rebuilds = 0;
  let rebuildWanted = false;
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let timerPolls = 0;
  let wakePending = false;
  let heldBackRetries = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let unwake: (() => void) | undefined;
  let lastWakePoll = Number.NEGATIVE_INFINITY;

  /**
   * A wake-up: one poll queued (not one per notification), at most one every
   * WAKE_POLL_SPACING_MS; a held-back event is looked at again soon.
   */
  function wake(): void {
    if (stopped || wakePending) return;
    wakePending = true;
    const poll = () =>
      void run('poll', async () => {
        wakePending = false;
        if (stopped) return;
        lastWakePoll = performance.now();
        await pollOnce();
        if (position && heldBackRetries < 50 && (await heldBackAfter(db, position))) {
          heldBackRetries++;
          if (retryTimer) clearTimeout(retryTimer);
          retryTimer = setTimeout(wake, 20).unref();
        }
      });
    const wait = WAKE_POLL_SPACING_MS - (performance.now() - lastWakePoll);
    if (wait > 0) setTimeout(poll, wait).unref();
    else poll();
  }

  /** one thing at a time: polls and rebuilds never interleave */
  function run(what: string, fn: () => Promise<void>): Promise<void> {
    chain = chain.then(fn).catch((err: unknown) => deps.log.error({ err }, `search ${what} failed`));
    return chain;
  }

  async function build(): Promise<SearchIndex> {
    if (deps.buildInWorker !== false) {
      try {
        return await buildWith(true);
      } catch (err) {
        deps.log.warn({ err }, 'search build worker failed; building on the main thread');
      }
    }
    return buildWith(false);
  }

  async function buildWith(worker: boolean): Promise<SearchIndex> {
    const b = createIndexBuilder({ worker });
    try {
      for (const src of deps.sources) {
        let cursor: string | undefined;
        do {
          const page = await src.scan(cursor, SCAN_PAGE);
          for (const d of page.docs) b.add(d);
          cursor = page.next;
        } while (cursor !== undefined);
      }
    } catch (e) {
      b.abort();
      throw e;
    }
    return b.finish();
  }

  /** Applies one event to an index; returns false when the event asks for a rebuild. */
  async function apply(target: SearchIndex, e: EventRecord): Promise<boolean> {
    for (const src of deps.sources) {
      const a = src.onEvent(e);
      if (!a) continue;
      if (a.op === 'rebuild') return false;
      if (a.op === 'remove') target.remove(a.kind, a.id);
      else {
        const doc = await src.get(a.kind, a.id);
        if (doc) target.upsert(doc);
        else target.remove(a.kind, a.id);
      }
    }
    return true;
  }

  /** Reads and applies events after `from` until the stream is drained; returns the new position. */
  async function catchUp(
    target: SearchIndex,
    from: { tx: string; seq: number },
  ): Promise<{ tx: string; seq: number }> {
    let pos = from;
    for (;;) {
      const events = await readEvents(db, pos, READ_BATCH);
      for (const e of events) {
        if (!(await apply(target, e))) rebuildWanted = true;
        pos = { tx: e.tx, seq: e.seq };
      }
      if (events.length < READ_BATCH) return pos;
    }
  }

  async function rebuildNow(): Promise<void> {
    const t0 = performance.now();
    rebuildWanted = false;
    const start = await headPosition(db);
    const next = await build();
    const pos = await catchUp(next, start);
    // the swap: one assignment; the old index serves until here and is then collected
    index = next;
    position = pos;
    rebuilds++;
    buildMs = Math.round(performance.now() - t0);
    builtAt = new Date().toISOString();
    let gcMs: number | undefined;
    if (next.size >= COLLECT_AFTER_DOCS) {
      // the old index, if any, is garbage now too
      const g0 = performance.now();
      if (collectGarbage()) gcMs = Math.round(performance.now() - g0);
    }
    deps.log.info({ documents: next.size, terms: next.terms, ms: buildMs, gcMs }, 'search index built');
  }

  async function pollOnce(): Promise<void> {
    if (!position) return rebuildNow();
    position = await catchUp(index, position);
    // a bulk import, or many single changes since the build: build afresh
    if (rebuildWanted || index.deltaDocs > Math.max(20_000, index.size / 5)) await rebuildNow();
  }

  return {
    /** Searches the current index (synchronous: one consistent index per query). */
    search(req: SearchRequest): SearchResult {
      const q = req.q.trim();
      if (q.length === 0) throw new DomainError('SEARCH.QUERY_EMPTY');
      if (q.length > MAX_QUERY_CHARS) throw new DomainError('SEARCH.QUERY_TOO_LONG');
      return index.search({ ...req, q });
    },
    /** the index serving now (tests, bench) */
    get current(): SearchIndex {
      return index;
    },
    /** Builds a new index and swaps it in; resolves when it serves. */
    rebuild: (): Promise<void> => run('rebuild', rebuildNow),
    /** Reads new events once (the timer calls this; tests call it to be deterministic). */
    poll: (): Promise<void> => run('poll', pollOnce),
    start(pollMs = 500): void {
      if (!stopped) return;
      stopped = false;
      const tick = () => {
        if (stopped) return;
        timerPolls++;
        void run('poll', pollOnce).then(() => {
          // the fallback poll, spaced out while the store announces every commit (wakeups.ts)
          if (!stopped) timer = setTimeout(tick, deps.wakeups?.fallbackMs(pollMs) ?? pollMs).unref();
        });
      };
      timer = setTimeout(tick, pollMs).unref();
      unwake ??= deps.wakeups?.on('events', () => {
        heldBackRetries = 0;
        wake();
      });
    },
    async stop(): Promise<void> {
      stopped = true;
      unwake?.();
      unwake = undefined;
      if (timer) clearTimeout(timer);
      if (retryTimer) clearTimeout(retryTimer);
      await chain;
    },
    /** polls the timer ran (the fallback); wake-ups are not counted (tests) */
    get timerPolls(): number {
      return timerPolls;
    },
    status(): SearchStatus {
      return { documents: index.size, terms: index.terms, builtAt, buildMs, position, rebuilds };
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;

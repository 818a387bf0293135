import type { Executor } from '../../platform/db/index.js';
import type { Wakeups } from '../../platform/events/index.js';
import * as st from './halls.store.js';
import type { CallEvent } from './halls.types.js';

/**
 * The calling screens' feed on one node: ONE poller reads halls_calls after its cursor (every
 * `pollMs`, and at once after a call committed on this node) and hands each new call to this
 * node's subscribers of that hall (screens and followers of a ticket, each an SSE stream). Calls
 * made on any other node reach it through the store, so any number of nodes behind a load
 * balancer show every call (docs/adr/0009). No state is shared between nodes. On PostgreSQL a
 * committed call also wakes every node's poller at once (NOTIFY, platform/events/wakeups.ts): the
 * screens of other nodes show it without waiting for the next poll, which stays as the fallback.
 *
 * The cursor is the highest seq below which every row has been delivered. On PostgreSQL a
 * sequence number can commit after a higher one (or never, when its transaction rolls back): the
 * poller delivers what it sees, remembers what it delivered above the cursor, and waits at a gap
 * up to `gapGraceMs` before passing it. A call transaction lasts milliseconds, so a real gap
 * closes at once; a rolled-back one costs a few re-reads. Nothing else in the database (a backup,
 * another module's long transaction) holds the screens back.
 */
export type Listener = (e: CallEvent) => void;

export interface HallFeed {
  subscribe(hallId: string, l: Listener): () => void;
  /** polls now (after a commit on this node) */
  poke(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** one poll, for tests: resolves once what is visible now is delivered */
  pollOnce(): Promise<number>;
  readonly subscribers: number;
  /** polls the timer ran (the fallback); pokes and wake-ups are not counted (tests) */
  readonly timerPolls: number;
}

export function createHallFeed(
  db: Executor,
  opts: {
    pollMs?: number;
    gapGraceMs?: number;
    now?: () => number;
    onError?: (err: unknown) => void;
    /** the store's wake-ups: a call committed on any node is read at once */
    wakeups?: Wakeups;
  } = {},
): HallFeed {
  const pollMs = opts.pollMs ?? 200;
  const grace = opts.gapGraceMs ?? 5000;
  const now = opts.now ?? Date.now;
  const byHall = new Map<string, Set<Listener>>();
  let count = 0;
  let low: number | undefined;
  /** delivered seqs above `low` */
  const seen = new Set<number>();
  let maxSeen = 0;
  /** missing seqs above `low`, and since when */
  const gaps = new Map<number, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = true;
  let timerPolls = 0;
  let unwake: (() => void) | undefined;

  function deliver(r: st.CallRow): number {
    const ls = byHall.get(r.hall_id);
    if (!ls) return 0;
    const e: CallEvent = {
      seq: String(r.seq),
      hallId: r.hall_id,
      ticket: r.ticket,
      window: r.window,
      kind: r.kind as CallEvent['kind'],
      at: r.at,
    };
    let n = 0;
    for (const l of ls) {
      try {
        l(e);
        n++;
      } catch (err) {
        opts.onError?.(err);
      }
    }
    return n;
  }

  async function pollLoop(): Promise<number> {
    let cur = low ?? (await st.callsHead(db));
    let delivered = 0;
    let from = cur;
    for (;;) {
      const rows = await st.callsAfter(db, from, 1000);
      for (const r of rows) {
        from = r.seq;
        if (seen.has(r.seq)) continue;
        seen.add(r.seq);
        gaps.delete(r.seq);
        if (r.seq > maxSeen) maxSeen = r.seq;
        delivered += deliver(r);
      }
      if (rows.length < 1000) break;
    }
    // move the cursor over what is delivered, and over gaps older than the grace
    const t = now();
    while (cur < maxSeen) {
      const next: number = cur + 1;
      if (seen.delete(next)) {
        cur = next;
        continue;
      }
      const since = gaps.get(next);
      if (since === undefined) gaps.set(next, t);
      if (since !== undefined && t - since > grace) {
        gaps.delete(next);
        cur = next;
        continue;
      }
      // later gaps start waiting now too
      for (let s = next + 1; s < maxSeen; s++) if (!seen.has(s) && !gaps.has(s)) gaps.set(s, t);
      break;
    }
    low = cur;
    return delivered;
  }

  function poll(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = pollLoop()
      .catch((err) => {
        opts.onError?.(err);
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void poll();
        }
      });
    return running;
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(async () => {
      timerPolls++;
      await poll();
      schedule();
      // the fallback poll, spaced out while the store announces every commit (wakeups.ts)
    }, opts.wakeups?.fallbackMs(pollMs) ?? pollMs);
    timer.unref();
  }

  return {
    subscribe(hallId, l) {
      let set = byHall.get(hallId);
      if (!set) {
        set = new Set();
        byHall.set(hallId, set);
      }
      set.add(l);
      count++;
      return () => {
        if (set.delete(l)) count--;
        if (set.size === 0) byHall.delete(hallId);
      };
    },
    poke() {
      if (!stopped) void poll();
    },
    async start() {
      if (!stopped) return;
      stopped = false;
      low = await st.callsHead(db);
      schedule();
      unwake ??= opts.wakeups?.on('halls_calls', () => {
        if (!stopped) void poll();
      });
    },
    async stop() {
      stopped = true;
      unwake?.();
      unwake = undefined;
      if (timer) clearTimeout(timer);
      await running;
    },
    async pollOnce() {
      await running;
      return poll();
    },
    get subscribers() {
      return count;
    },
    get timerPolls() {
      return timerPolls;
    },
  };
}

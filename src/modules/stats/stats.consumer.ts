/**
 * The supervision consumer: reads the event stream (cases, ratings, complaints) into the
 * performance counters, the open cases behind 红黄牌 and the rectifications. It loads only the
 * rows the batch touches, folds in memory (stats.performance.ts) and writes in the transaction
 * that advances its position (platform/events), so a crash mid-batch leaves nothing half-counted
 * and a restart replays the batch exactly. It keeps no cache between batches: a rolled-back batch
 * must leave no trace.
 */
import type { Executor } from '../../platform/db/index.js';
import type { Consumer, EventRecord } from '../../platform/events/index.js';
import { type FoldState, type OpenCase, fold, keysOf } from './stats.performance.js';
import {
  addPerformance,
  openCasesByNumber,
  rectificationsById,
  saveOpenCases,
  saveRectifications,
} from './stats.store.js';

export const PERFORMANCE_CONSUMER = 'stats.performance';

/** Folds one batch and writes its effects through `trx`. */
export async function applyPerformance(trx: Executor, events: readonly EventRecord[]): Promise<void> {
  const keys = keysOf(events);
  const state: FoldState = { cases: new Map(), rectifications: new Map() };
  for (const c of await openCasesByNumber(trx, keys.cases)) state.cases.set(c.caseNumber, c);
  for (const r of await rectificationsById(trx, keys.rectifications))
    state.rectifications.set(r.rectificationId, r);
  const out = fold(events, state);
  await addPerformance(trx, [...out.cells.values()]);
  await saveOpenCases(
    trx,
    [...out.casesChanged].map((n): [string, OpenCase | null] => [n, state.cases.get(n) ?? null]),
  );
  await saveRectifications(
    trx,
    [...out.rectificationsChanged].flatMap((id) => {
      const r = state.rectifications.get(id);
      return r ? [r] : [];
    }),
  );
}

export function performanceConsumer(opts: { name?: string; batchSize?: number } = {}): Consumer {
  return {
    name: opts.name ?? PERFORMANCE_CONSUMER,
    batchSize: opts.batchSize ?? 1000,
    handle: (trx, events) => applyPerformance(trx, events),
  };
}

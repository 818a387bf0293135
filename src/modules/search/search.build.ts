import { Worker } from 'node:worker_threads';
import {
  DocCollector,
  type FrozenPostings,
  type IndexText,
  IndexBuilder,
  type SearchIndex,
} from './search.index.js';
import type { SearchDoc } from './search.types.js';

/** Builds an index from documents added one by one; `finish` resolves when it can serve. */
export interface AsyncIndexBuilder {
  add(doc: SearchDoc): void;
  finish(): Promise<SearchIndex>;
  /** stops a build that will not be finished (its worker, if any) */
  abort(): void;
}

const BATCH = 1000;

/**
 * Tokenises in a worker thread when one can be started: the build then runs on the other core,
 * the event loop keeps answering queries, and the build's garbage never enters the main heap.
 * Without a worker (opts.worker false) the build runs on this thread; the service falls back to
 * that when a worker fails.
 */
export function createIndexBuilder(opts: { worker?: boolean } = {}): AsyncIndexBuilder {
  let worker: Worker | undefined;
  if (opts.worker !== false) {
    try {
      // search.worker.mjs registers tsx itself, then loads the TypeScript worker
      worker = new Worker(new URL('./search.worker.mjs', import.meta.url));
    } catch {
      worker = undefined;
    }
  }
  if (!worker) {
    const b = new IndexBuilder();
    return { add: (d) => b.add(d), finish: async () => b.finish(), abort() {} };
  }
  const w = worker;
  const docs = new DocCollector();
  let batch: IndexText[] = [];
  let failure: Error | undefined;
  const failed = new Promise<never>((_, reject) => {
    w.once('error', (e) => {
      failure = e;
      reject(e);
    });
  });
  failed.catch(() => {});
  const flush = () => {
    if (batch.length === 0) return;
    w.postMessage({ type: 'docs', docs: batch });
    batch = [];
  };
  return {
    add(d) {
      if (failure) throw failure;
      if (!docs.add(d)) return;
      batch.push({ title: d.title, keywords: d.keywords, body: d.body, initials: d.kind === 'item' });
      if (batch.length >= BATCH) flush();
    },
    async finish() {
      flush();
      const done = new Promise<FrozenPostings>((resolve) => w.once('message', resolve));
      w.postMessage({ type: 'finish' });
      try {
        const p = await Promise.race([done, failed]);
        return docs.freeze(p);
      } finally {
        await w.terminate();
      }
    },
    abort() {
      void w.terminate();
    },
  };
}

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full, compacting garbage collection, for the moment after a large one-off allocation (the
 * search index build at start): the build's garbage is promoted to the old generation, and V8
 * collects it only when the old generation reaches a limit it sets for itself — on a city-scale
 * node that left 70–145 MB of dead objects, spread over half-live pages, in the RSS of a node
 * that then serves for days (docs/benchmarks.md, *Memory of one node*).
 *
 * Node offers no call for this without `--expose-gc`: the flag is turned on just long enough to
 * take V8's `gc` from a new context (as test runners do), then off again, so nothing else sees it.
 * Compaction is asked for this one collection only: V8's own heuristics would leave the pages
 * that are mostly empty but not quite (the index's records sit between the build's garbage).
 *
 * Blocks the thread for the collection (≈ 0.2–0.7 s at city scale): call it before listening, or
 * accept one such pause where it is called. Returns false where V8 refuses (it then does nothing).
 */
export function collectGarbage(): boolean {
  const gc = fullGc();
  if (!gc) return false;
  setFlagsFromString('--compact-on-every-full-gc');
  try {
    gc();
  } finally {
    setFlagsFromString('--no-compact-on-every-full-gc');
  }
  return true;
}

let taken: (() => void) | null | undefined;

function fullGc(): (() => void) | null {
  if (taken !== undefined) return taken;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') {
    taken = exposed;
    return taken;
  }
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    taken = typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    taken = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return taken;
}

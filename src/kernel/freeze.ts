/**
 * Freezes a value and every object and array in it, in place, and returns it. For values shared
 * between callers (an event handed to several consumers, a directory kept per node): a caller that
 * tried to change one would change what the next one sees; frozen, the change throws (ES modules
 * are strict) in the caller that tried it.
 */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/**
 * Field-by-field difference of two guides: every leaf path whose value differs, with the value
 * before and after. Arrays compare by position (a material inserted in the middle shows as
 * changes to the following positions, which is what a reviewer reading the list expects).
 */
export interface FieldChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function diffGuides(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (Array.isArray(a) && Array.isArray(b)) {
      const n = Math.max(a.length, b.length);
      for (let i = 0; i < n; i++) walk(a[i], b[i], path ? `${path}.${i}` : String(i));
      return;
    }
    if (isObject(a) && isObject(b)) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const k of keys) walk(a[k], b[k], path ? `${path}.${k}` : k);
      return;
    }
    if (a === b) return;
    if (a === undefined && b === undefined) return;
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    out.push({ path, before: a ?? null, after: b ?? null });
  };
  walk(before, after, '');
  return out;
}

/**
 * Canonical JSON (RFC 8785, JSON Canonicalization Scheme) for the values tongban signs.
 *
 * Written here rather than taken from the `canonicalize` package because the signed metadata
 * holds only strings, safe integers, booleans, null, arrays and objects: for those, RFC 8785 is
 * ECMAScript serialisation (§3.2.2.2 strings as JSON.stringify writes them, §3.2.2.3 integers
 * in decimal) with object members sorted by their names' UTF-16 code units (§3.2.3) and no
 * whitespace. Anything outside that subset — non-integer numbers, lone surrogates, undefined,
 * functions — is refused rather than approximated, so the signed bytes are never ambiguous.
 */
export type CanonicalValue =
  | string
  | number
  | boolean
  | null
  | readonly CanonicalValue[]
  | { readonly [k: string]: CanonicalValue };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function str(s: string): string {
  if (LONE_SURROGATE.test(s)) throw new TypeError('canonical JSON: lone surrogate in a string');
  return JSON.stringify(s);
}

function write(v: CanonicalValue, out: string[]): void {
  if (v === null) out.push('null');
  else if (typeof v === 'string') out.push(str(v));
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new TypeError('canonical JSON: only safe integers are supported');
    out.push(Object.is(v, -0) ? '0' : String(v));
  } else if (Array.isArray(v)) {
    out.push('[');
    v.forEach((x, i) => {
      if (i) out.push(',');
      write(x, out);
    });
    out.push(']');
  } else if (typeof v === 'object') {
    const obj = v as { readonly [k: string]: CanonicalValue };
    // default sort compares UTF-16 code units, which is exactly RFC 8785 §3.2.3
    const keys = Object.keys(obj).sort();
    out.push('{');
    keys.forEach((k, i) => {
      const x = obj[k];
      if (x === undefined) throw new TypeError(`canonical JSON: undefined member ${k}`);
      if (i) out.push(',');
      out.push(str(k), ':');
      write(x, out);
    });
    out.push('}');
  } else throw new TypeError(`canonical JSON: unsupported ${typeof v}`);
}

export function canonicalJson(v: CanonicalValue): string {
  const out: string[] = [];
  write(v, out);
  return out.join('');
}

/** The UTF-8 bytes that are signed. */
export const canonicalBytes = (v: CanonicalValue): Buffer => Buffer.from(canonicalJson(v), 'utf8');

import { maskAddress, maskIdNumber, maskMobile, maskName } from '../../platform/privacy/index.js';
import type { DataItem, MaskPolicy, RegisterRecord } from './exchange.types.js';

/** One value under a field's mask policy (DOMAIN §8 defaults); non-strings other than `none` are withheld. */
export function maskValue(
  policy: MaskPolicy,
  v: string | number | boolean | null,
): string | number | boolean | null {
  if (v === null || policy === 'none') return v;
  if (policy === 'hidden') return '******';
  const s = String(v);
  switch (policy) {
    case 'name':
      return maskName(s);
    case 'idNumber':
      return maskIdNumber(s);
    case 'mobile':
      return maskMobile(s);
    case 'address':
      return maskAddress(s);
    case 'date':
      // keep the year: 1990-03-07 → 1990-**-**
      return /^\d{4}-/.test(s) ? `${s.slice(0, 4)}-**-**` : '******';
  }
}

/**
 * The answer of a lookup: only the granted fields (in the catalogue's order), each in clear only
 * when the grant names it in `clearFields` or its policy is `none`; everything else is masked.
 * Pure, so the property test can drive it directly as well as through HTTP.
 */
export function project(
  items: readonly DataItem[],
  record: RegisterRecord,
  fields: readonly string[],
  clearFields: readonly string[],
): Record<string, string | number | boolean | null> {
  const wanted = new Set(fields);
  const clear = new Set(clearFields);
  const out: Record<string, string | number | boolean | null> = {};
  for (const item of items) {
    if (!wanted.has(item.name)) continue;
    const v = record[item.name] ?? null;
    out[item.name] = clear.has(item.name) ? v : maskValue(item.mask, v);
  }
  return out;
}

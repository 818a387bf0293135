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

type Answer = Record<string, string | number | boolean | null>;
/** {@link project} for one catalogue entry and one grant, decided once: for each field answered, its policy (null: in clear). */
type Plan = ReadonlyArray<readonly [name: string, policy: MaskPolicy | null]>;
const plans = new WeakMap<object, WeakMap<readonly DataItem[], Plan>>();

function planOf(items: readonly DataItem[], fields: readonly string[], clearFields: readonly string[]): Plan {
  const plan: Array<readonly [string, MaskPolicy | null]> = [];
  for (const item of items) {
    if (!fields.includes(item.name)) continue;
    plan.push([item.name, clearFields.includes(item.name) ? null : item.mask]);
  }
  return plan;
}

/**
 * The projection a lookup answers with: the same as {@link project} (only the granted fields,
 * each masked unless in clear), its plan kept per grant and catalogue entry while both are kept
 * (ADR 0029) when the request asks for all the granted fields, so a lookup only copies values.
 */
export function projectionFor(
  items: readonly DataItem[],
  grant: { readonly fields: readonly string[]; readonly clearFields: readonly string[] },
  asked: readonly string[] | undefined,
): (record: RegisterRecord) => Answer {
  let plan: Plan | undefined;
  if (asked === undefined) {
    let byItems = plans.get(grant);
    if (!byItems) {
      byItems = new WeakMap();
      plans.set(grant, byItems);
    }
    plan = byItems.get(items);
    if (!plan) {
      plan = planOf(items, grant.fields, grant.clearFields);
      byItems.set(items, plan);
    }
  } else plan = planOf(items, asked, grant.clearFields);
  const p = plan;
  return (record) => {
    const out: Answer = {};
    for (const [name, policy] of p) {
      const v = record[name] ?? null;
      out[name] = policy === null ? v : maskValue(policy, v);
    }
    return out;
  };
}

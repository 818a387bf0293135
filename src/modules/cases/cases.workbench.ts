/**
 * The workbench's own use cases: the queues a member of staff may open (chosen from a list, never
 * an id typed in), the next case in a queue (the keyboard's "next"), and bulk acceptance where the
 * law allows it — 即办件, which are decided on the spot (promised limit 0) and need no review of
 * their own before acceptance; every other item is accepted one case at a time.
 */
import { DomainError } from '../../kernel/index.js';
import { type Principal, allows } from '../../platform/access.js';
import { act } from './cases.act.js';
import type { CasesContext } from './cases.context.js';
import * as st from './cases.store.js';

/** At most this many cases in one bulk acceptance (one form of a queue page). */
export const BULK_ACCEPT_MAX = 50;

/** The departments whose queues the caller may open, by name. */
export async function workbenchDepartments(
  ctx: CasesContext,
  p: Principal,
  homeRegion: string,
): Promise<Array<{ id: string; name: string; regionCode: string }>> {
  const out = new Map<string, { id: string; name: string; regionCode: string }>();
  for (const g of p.grants) {
    if (!g.permissions.includes('workbench.view')) continue;
    if (g.departmentId) {
      const d = await ctx.ports.regions.department(g.departmentId);
      if (d) out.set(d.id, { id: d.id, name: d.name ?? d.id, regionCode: d.regionCode });
      continue;
    }
    // a platform-wide grant lists the home city's; a regional one its region's
    const prefix = g.regionPrefix === '' ? homeRegion : g.regionPrefix;
    for (const d of (await ctx.ports.regions.departments?.(prefix)) ?? [])
      if (allows(p, 'workbench.view', { departmentId: d.id, regionCode: d.regionCode })) out.set(d.id, d);
  }
  return [...out.values()].sort(
    (a, b) => a.regionCode.localeCompare(b.regionCode) || a.name.localeCompare(b.name, 'zh'),
  );
}

/** The case after `after` in a department's queue (or its first), checked like the queue. */
export async function nextCase(
  ctx: CasesContext,
  p: Principal,
  departmentId: string,
  after?: string,
): Promise<string | undefined> {
  const dept = await ctx.ports.regions.department(departmentId);
  if (!dept || !allows(p, 'workbench.view', { departmentId: dept.id, regionCode: dept.regionCode }))
    throw new DomainError('CASES.OUT_OF_SCOPE');
  return st.nextInQueue(ctx.db, departmentId, after);
}

export interface BulkAccepted {
  accepted: string[];
  refused: Array<{ caseNumber: string; code: string }>;
}

/**
 * 受理 of several 即办件 at once: each case through `act` (its own scope check, workflow check,
 * transaction and event), so one refusal does not undo the others. A case of any other item is
 * refused with CASES.BULK_NOT_ALLOWED and left for one-by-one acceptance.
 */
export async function acceptMany(
  ctx: CasesContext,
  p: Principal,
  caseNumbers: readonly string[],
): Promise<BulkAccepted> {
  const unique = [...new Set(caseNumbers)];
  if (unique.length === 0 || unique.length > BULK_ACCEPT_MAX)
    throw new DomainError('COMMON.VALIDATION', {
      details: [{ field: 'cases', rule: unique.length === 0 ? 'REQUIRED' : 'TOO_MANY' }],
    });
  const out: BulkAccepted = { accepted: [], refused: [] };
  for (const n of unique) {
    const row = await st.caseByNumber(ctx.db, n);
    if (row && row.promised_days !== 0) {
      out.refused.push({ caseNumber: n, code: 'CASES.BULK_NOT_ALLOWED' });
      continue;
    }
    try {
      await act(ctx, n, { action: 'accept' }, p);
      out.accepted.push(n);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      out.refused.push({ caseNumber: n, code: e.code });
    }
  }
  return out;
}

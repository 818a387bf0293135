import { DomainError, type FieldIssue } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { mayServe, requireManage } from './halls.access.js';
import type { HallsContext } from './halls.context.js';
import type { HallInfo, HallWindowInfo, OpeningPeriod } from './halls.ports.js';
import * as st from './halls.store.js';
import type { LayoutInput, LayoutView, Line } from './halls.types.js';

/**
 * 大厅管理: a hall's windows (number, kind, the business lines and the items each serves, the
 * staff on duty there) and its opening hours, set by the hall's manager as one layout. Until a
 * manager saves one, the regions module's windows and hours stand. Everything is checked before
 * anything is written; the layout and its event are written in one transaction.
 */

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Which day groups can apply on the same date (a 调休 weekend day opens by the weekday hours only). */
const sameDays = (a: OpeningPeriod['days'], b: OpeningPeriod['days']) =>
  a === b || a === 'daily' || b === 'daily';

/** The checks zod cannot make, as field issues (none: the layout is consistent). */
export function layoutIssues(input: LayoutInput): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<number>();
  input.windows.forEach((w, i) => {
    if (seen.has(w.number)) issues.push({ field: `windows.${i}.number`, rule: 'LAYOUT.WINDOW_DUPLICATE' });
    seen.add(w.number);
    if (new Set(w.lines).size !== w.lines.length)
      issues.push({ field: `windows.${i}.lines`, rule: 'LAYOUT.LINE_DUPLICATE' });
  });
  // every line a ticket can be taken for is served by some window
  for (const l of ['A', 'B', 'C'] as const)
    if (!input.windows.some((w) => w.lines.includes(l)))
      issues.push({ field: 'windows', rule: `LAYOUT.LINE_UNSERVED_${l}` });
  const staff = new Map<string, number>();
  input.windows.forEach((w, i) => {
    for (const s of w.staff) {
      const k = s.trim().toLowerCase();
      if (staff.has(k)) issues.push({ field: `windows.${i}.staff`, rule: 'LAYOUT.STAFF_TWICE' });
      staff.set(k, i);
    }
  });
  input.hours.forEach((h, i) => {
    if (minutesOf(h.from) >= minutesOf(h.to))
      issues.push({ field: `hours.${i}.to`, rule: 'LAYOUT.HOURS_ORDER' });
    input.hours.forEach((o, j) => {
      if (
        j < i &&
        sameDays(h.days, o.days) &&
        minutesOf(h.from) < minutesOf(o.to) &&
        minutesOf(o.from) < minutesOf(h.to)
      )
        issues.push({ field: `hours.${i}.from`, rule: 'LAYOUT.HOURS_OVERLAP' });
    });
  });
  return issues;
}

/** The hall with its manager's layout applied (windows and hours), as every use case sees it. */
export function applyLayout(
  base: { hall: HallInfo; windows: readonly HallWindowInfo[] },
  layout: st.LayoutRow | undefined,
): { hall: HallInfo; windows: readonly HallWindowInfo[] } {
  if (!layout) return base;
  const windows = JSON.parse(layout.windows) as Array<{
    number: number;
    kind: HallWindowInfo['kind'];
    lines: Line[];
    items: string[];
    staff: Array<{ id: string; login: string }>;
  }>;
  return {
    hall: { ...base.hall, hours: JSON.parse(layout.hours) as OpeningPeriod[] },
    windows: windows.map((w) => ({
      number: w.number,
      kind: w.kind,
      lines: w.lines,
      items: w.items,
      staff: w.staff.map((s) => s.id),
      staffLogins: w.staff.map((s) => s.login),
    })),
  };
}

/** The layout as its manager edits it: the windows (with staff logins) and the hours. */
export async function layoutOf(
  ctx: HallsContext,
  p: Principal | undefined,
  hallCode: string,
  load: (code: string) => Promise<{ hall: HallInfo; windows: readonly HallWindowInfo[] }>,
): Promise<LayoutView> {
  const { hall, windows } = await load(hallCode);
  requireManage(p, hall.regionCode);
  const row = await st.layoutOf(ctx.db, hall.id);
  return {
    hallId: hall.id,
    managed: !!row,
    updatedAt: row?.updated_at ?? null,
    windows: windows.map((w) => ({
      number: w.number,
      kind: w.kind,
      lines: w.lines ? [...w.lines] : defaultLines(windows, w),
      items: w.items ? [...w.items] : [],
      staff: w.staffLogins ? [...w.staffLogins] : [],
    })),
    hours: hall.hours.map((h) => ({ days: h.days, from: h.from, to: h.to })),
  };
}

function defaultLines(windows: readonly HallWindowInfo[], w: HallWindowInfo): Line[] {
  const kinds = new Set(windows.map((x) => x.kind));
  const of = { A: 'general', B: 'enquiry', C: 'delivery' } as const;
  return (['A', 'B', 'C'] as const).filter(
    (l) => of[l] === w.kind || (w.kind === 'general' && !kinds.has(of[l])),
  );
}

/**
 * Saves a hall's layout: checked whole (coded field issues, `HALLS.LAYOUT_INVALID`), each staff
 * login must be a staff account that may serve at this hall (`LAYOUT.STAFF_UNKNOWN`, fail closed
 * without the staff port); then the row and a `halls.layoutChanged` event in one transaction.
 */
export async function saveLayout(
  ctx: HallsContext,
  p: Principal | undefined,
  hallCode: string,
  input: LayoutInput,
  load: (code: string) => Promise<{ hall: HallInfo; windows: readonly HallWindowInfo[] }>,
): Promise<LayoutView> {
  const { hall } = await load(hallCode);
  const manager = requireManage(p, hall.regionCode);
  const issues = layoutIssues(input);
  const staff = new Map<string, string>();
  for (const [i, w] of input.windows.entries())
    for (const login of w.staff) {
      const s = await ctx.staff?.principalByLogin(login.trim().toLowerCase());
      if (s?.kind !== 'staff' || !mayServe(s, hall.regionCode))
        issues.push({ field: `windows.${i}.staff`, rule: 'LAYOUT.STAFF_UNKNOWN' });
      else staff.set(login.trim().toLowerCase(), s.accountId);
    }
  if (issues.length) throw new DomainError('HALLS.LAYOUT_INVALID', { details: issues });
  const at = ctx.clock.now().toISOString();
  const windows = [...input.windows]
    .sort((a, b) => a.number - b.number)
    .map((w) => ({
      number: w.number,
      kind: w.kind,
      lines: w.lines,
      items: [...new Set(w.items)],
      staff: w.staff.map((l) => ({ login: l.trim().toLowerCase(), id: staff.get(l.trim().toLowerCase())! })),
    }));
  await inTransaction(ctx.db, async (trx) => {
    await st.saveLayout(trx, {
      hall_id: hall.id,
      region_code: hall.regionCode,
      windows: JSON.stringify(windows),
      hours: JSON.stringify(input.hours),
      updated_at: at,
      updated_by: manager.accountId,
    });
    await appendEvent(trx, ctx.clock, {
      type: 'halls.layoutChanged',
      aggregateType: 'hall',
      aggregateId: hall.id,
      regionCode: hall.regionCode,
      actor: manager.accountId,
      payload: {
        hallId: hall.id,
        windows: windows.map((w) => ({
          number: w.number,
          lines: w.lines,
          items: w.items.length,
          staff: w.staff.map((s) => s.id),
        })),
        hours: input.hours,
      },
    });
  });
  // this node sees the new layout at once; others when their copy expires (HALL_CACHE_MS)
  ctx.hallCache?.delete(hall.id);
  return layoutOf(ctx, p, hallCode, load);
}

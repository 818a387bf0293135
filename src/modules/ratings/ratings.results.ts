/**
 * Public results (差评整改结果公开): each department's ratings of a month — how many, the share of
 * good (4–5) and poor (1–2) — and its rectification rate (settled of opened), no personal data.
 */
import type { RatingsContext } from './ratings.context.js';
import * as st from './ratings.store.js';

export interface DepartmentResult {
  readonly departmentId: string;
  readonly departmentName: string;
  readonly ratings: number;
  readonly good: number;
  readonly poor: number;
  readonly goodRate: number | null;
  readonly rectificationsOpened: number;
  readonly rectificationsClosed: number;
  readonly rectificationRate: number | null;
}

/** The UTC instants a China month (YYYY-MM, UTC+8) starts and ends at. */
export function monthBounds(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const from = new Date(Date.UTC(y, m - 1, 1) - 8 * 3_600_000).toISOString();
  const to = new Date(Date.UTC(y, m, 1) - 8 * 3_600_000).toISOString();
  return { from, to };
}

export async function monthlyResults(
  ctx: RatingsContext,
  regionPrefix: string,
  month: string,
): Promise<DepartmentResult[]> {
  const { from, to } = monthBounds(month);
  const { ratings, rect } = await st.monthlyByDepartment(ctx.db, regionPrefix, from, to);
  const ids = new Set([...ratings.map((r) => r.department_id), ...rect.map((r) => r.department_id)]);
  const out: DepartmentResult[] = [];
  for (const id of ids) {
    const r = ratings.find((x) => x.department_id === id);
    const x = rect.find((y) => y.department_id === id);
    const total = Number(r?.total ?? 0);
    const good = Number(r?.good ?? 0);
    const opened = Number(x?.opened ?? 0);
    const closed = Number(x?.closed ?? 0);
    const d = await ctx.ports.directory.department(id);
    out.push({
      departmentId: id,
      departmentName: d?.name ?? id,
      ratings: total,
      good,
      poor: Number(r?.poor ?? 0),
      goodRate: total ? good / total : null,
      rectificationsOpened: opened,
      rectificationsClosed: closed,
      rectificationRate: opened ? closed / opened : null,
    });
  }
  return out.sort((a, b) => b.ratings - a.ratings || a.departmentName.localeCompare(b.departmentName));
}

import { z } from 'zod';

/** A China month, `YYYY-MM`. */
export const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);

/** An empty form field ("全部") is no filter. */
const opt = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());

export const PerformanceQuery = z.object({
  /** a division code (410100 the city, 410105 a county …); its codes below are included */
  region: opt(z.string().regex(/^\d{2,12}$/)),
  /** a department id, from the list of the region's departments */
  department: opt(z.string().min(1).max(64)),
  from: opt(Month),
  to: opt(Month),
});
export type PerformanceQuery = z.infer<typeof PerformanceQuery>;

/** The JSON's department × month rows come in pages (`offset`, `limit`, at most 5,000 a page). */
export const ROWS_PAGE = 500;
export const PerformanceJsonQuery = PerformanceQuery.extend({
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(5_000).default(ROWS_PAGE),
});
export type PerformanceJsonQuery = z.infer<typeof PerformanceJsonQuery>;

export const CardsQuery = PerformanceQuery.pick({ region: true, department: true }).extend({
  colour: z.enum(['yellow', 'red']),
});
export type CardsQuery = z.infer<typeof CardsQuery>;

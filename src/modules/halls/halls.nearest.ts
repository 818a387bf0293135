import { DomainError, chinaDate } from '../../kernel/index.js';
import type { HallsContext } from './halls.context.js';
import { openingState } from './halls.hours.js';
import type { HallInfo } from './halls.ports.js';
import * as st from './halls.store.js';
import { DEFAULT_SERVICE_MINUTES } from './halls.queue.js';
import type { NearestHall } from './halls.types.js';

/**
 * 就近办: the halls nearest a position (a map point, or the centre of the citizen's division: its
 * own hall's position, else the nearest division above with one), those accepting an item only
 * when one is named, each with today's opening state from the calendar and the current wait.
 */

const R = 6371;
const rad = (d: number) => (d * Math.PI) / 180;
/** great-circle distance in km */
export function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const h =
    Math.sin(rad(b.lat - a.lat) / 2) ** 2 +
    Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lng - a.lng) / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

/** The division's own hall, else the one of the nearest division above it (12 → 9 → 6 → city). */
function centreOf(halls: readonly HallInfo[], region: string): HallInfo | undefined {
  const byCode = new Map(halls.map((h) => [h.id, h]));
  for (const code of [region, region.slice(0, 9), region.slice(0, 6), `${region.slice(0, 4)}00`])
    if (code.length >= 6) {
      const h = byCode.get(`H${code}`);
      if (h) return h;
    }
  return undefined;
}

let cache: { at: number; halls: readonly HallInfo[] } | undefined;

export async function nearest(
  ctx: HallsContext,
  q: {
    region?: string | undefined;
    lat?: number | undefined;
    lng?: number | undefined;
    item?: string | undefined;
    limit: number;
  },
): Promise<{ origin: { lat: number; lng: number; region: string | null }; halls: NearestHall[] }> {
  // the directory changes rarely: read it once a minute per node
  if (!cache || Date.now() - cache.at > 60_000) cache = { at: Date.now(), halls: await ctx.regions.halls() };
  const halls = cache.halls;
  let origin: { lat: number; lng: number; region: string | null };
  if (q.lat !== undefined && q.lng !== undefined) origin = { lat: q.lat, lng: q.lng, region: null };
  else if (q.region) {
    const c = centreOf(halls, q.region);
    if (!c) throw new DomainError('HALLS.REGION_UNKNOWN');
    origin = { lat: c.lat, lng: c.lng, region: q.region };
  } else throw new DomainError('HALLS.NEAREST_NEEDS_ORIGIN');
  let candidates = halls;
  if (q.item) {
    // the applicant's division: the one named, else that of the hall nearest the point
    const region =
      origin.region ??
      [...halls].sort((a, b) => distanceKm(origin, a) - distanceKm(origin, b))[0]?.regionCode ??
      '';
    const accepting = await ctx.regions.acceptingHalls?.(q.item, region);
    if (!accepting) throw new DomainError('HALLS.ITEM_NOT_ACCEPTED');
    const set = new Set(accepting);
    candidates = halls.filter((h) => set.has(h.id));
  }
  const ranked = candidates
    .map((h) => ({ h, km: distanceKm(origin, h) }))
    .sort((a, b) => a.km - b.km)
    .slice(0, q.limit);
  const now = ctx.clock.now();
  const today = chinaDate(now);
  const time = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(11, 16);
  const waiting = await st.waitingByHall(
    ctx.db,
    ranked.map((r) => r.h.id),
    today,
  );
  return {
    origin,
    halls: ranked.map(({ h, km }) => {
      const s = openingState(h.hours, today, time, ctx.calendar, h.regionCode);
      const w = waiting.get(h.id) ?? 0;
      return {
        id: h.id,
        name: h.name,
        kind: h.kind,
        address: h.address,
        phone: h.phone,
        lat: h.lat,
        lng: h.lng,
        distanceKm: Math.round(km * 10) / 10,
        openToday: s.open,
        openNow: s.openNow,
        todayHours: s.periods.map((p) => `${p.from}–${p.to}`),
        dayReason: s.reason,
        waiting: w,
        estimatedWaitMinutes: w * DEFAULT_SERVICE_MINUTES,
      };
    }),
  };
}

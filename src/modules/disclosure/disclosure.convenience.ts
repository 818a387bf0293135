import { DomainError } from '../../kernel/index.js';
import { divisionPrefix } from '../../platform/codes/index.js';
import type { Executor } from '../../platform/db/index.js';
import type { PlacesPort } from './disclosure.ports.js';
import {
  convenienceByIds,
  convenienceClassCounts,
  conveniencePlaces,
  listConvenience,
} from './disclosure.store.js';
import type { ConvenienceEntry, ConvenienceQuery } from './disclosure.types.js';

/**
 * 便民服务信息 browsed by its 15 classes and by division, nearest first from where the user says
 * they are: a division they choose (measured from its service hall) or a point. Distances are
 * great-circle kilometres; entries without a place come after every placed one.
 */

const R = 6371;
const rad = (d: number) => (d * Math.PI) / 180;
export function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const h =
    Math.sin(rad(b.lat - a.lat) / 2) ** 2 +
    Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(rad(b.lng - a.lng) / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

/** FNV-1a, for a stable offset of a generated entry from its division's point */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * A generated entry's place: its division's point moved by up to `span` degrees (about 4 km at
 * 0.04), the same for the same name and address on every run.
 */
export function placeNear(
  anchor: { lat: number; lng: number },
  key: string,
  span = 0.04,
): { lat: number; lng: number } {
  const off = (salt: string) => ((hash(`${salt}:${key}`) % 10_000) / 10_000 - 0.5) * 2 * span;
  const round6 = (n: number) => Math.round(n * 1e6) / 1e6;
  return { lat: round6(anchor.lat + off('lat')), lng: round6(anchor.lng + off('lng') * 1.2) };
}

export interface ConvenienceHit extends ConvenienceEntry {
  distanceKm: number | null;
  url: string;
}

export interface ConvenienceBrowse {
  total: number;
  origin: { lat: number; lng: number; region: string | null } | null;
  items: ConvenienceHit[];
}

export function createConvenienceBrowse(deps: { db: Executor; places: PlacesPort }) {
  const { db, places } = deps;
  return {
    async browse(q: ConvenienceQuery): Promise<ConvenienceBrowse> {
      const f = { class: q.class, regionPrefix: q.region ? divisionPrefix(q.region) : undefined };
      let origin: ConvenienceBrowse['origin'] = null;
      if (q.lat !== undefined && q.lng !== undefined) origin = { lat: q.lat, lng: q.lng, region: null };
      else if (q.near) {
        const p = await places.placeOf(q.near);
        if (!p) throw new DomainError('DISCLOSURE.PLACE_UNKNOWN', { details: { near: q.near } });
        origin = { lat: p.lat, lng: p.lng, region: q.near };
      }
      const offset = (q.page - 1) * q.pageSize;
      if (!origin) {
        const r = await listConvenience(db, { ...f, offset, limit: q.pageSize });
        return {
          total: r.total,
          origin,
          items: r.rows.map((c) => ({ ...c, distanceKm: null, url: `/convenience/${c.id}` })),
        };
      }
      const o = origin;
      const ranked = (await conveniencePlaces(db, f))
        .map((p) => ({
          id: p.id,
          km:
            p.lat === null || p.lng === null
              ? Number.POSITIVE_INFINITY
              : distanceKm(o, { lat: p.lat, lng: p.lng }),
        }))
        .sort((a, b) => a.km - b.km || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const page = ranked.slice(offset, offset + q.pageSize);
      const byId = new Map(
        (
          await convenienceByIds(
            db,
            page.map((p) => p.id),
          )
        ).map((c) => [c.id, c]),
      );
      return {
        total: ranked.length,
        origin,
        items: page.map((p) => {
          const c = byId.get(p.id)!;
          return {
            ...c,
            distanceKm: Number.isFinite(p.km) ? Math.round(p.km * 10) / 10 : null,
            url: `/convenience/${c.id}`,
          };
        }),
      };
    },
    classCounts: (region?: string) => convenienceClassCounts(db, region ? divisionPrefix(region) : undefined),
    choices: (cityCode: string) => places.choices(cityCode),
  };
}

export type ConvenienceBrowseApi = ReturnType<typeof createConvenienceBrowse>;

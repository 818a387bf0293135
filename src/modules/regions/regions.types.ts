import { z } from 'zod';

/**
 * 行政区划 (divisions), 部门 (departments) and 政务服务中心 / 便民服务中心 / 服务站 (halls).
 * One zod schema and its type under one name; the API schemas feed OpenAPI.
 */

/** The level of a division; village = 村（居）委会. */
export const RegionLevel = z.enum(['province', 'city', 'county', 'township', 'village']);
export type RegionLevel = z.infer<typeof RegionLevel>;

/**
 * What kind of unit a division is within its level: county level 区 / 县 / 县级市 / 功能区
 * (development zones, which the statistics codes list as 41017x), township level 街道 / 镇 / 乡 /
 * other (scenic areas, parks), village level 社区 / 村 / other (管理委员会).
 */
export const RegionKind = z.enum([
  'province',
  'city',
  'district',
  'county',
  'county_city',
  'zone',
  'subdistrict',
  'town',
  'township',
  'community',
  'village',
  'other',
]);
export type RegionKind = z.infer<typeof RegionKind>;

export const Region = z.object({
  code: z
    .string()
    .describe('GB/T 2260 six digits (province/city/county), 9 digits (township), 12 digits (village)'),
  name: z.string(),
  level: RegionLevel,
  kind: RegionKind,
  parentCode: z.string().nullable(),
});
export type Region = z.infer<typeof Region>;

export const RegionRef = Region.pick({ code: true, name: true, level: true });
export type RegionRef = z.infer<typeof RegionRef>;

/** 行使层级 below the province: the levels a Zhengzhou item can be exercised at. */
export const ExerciseLevel = z.enum(['city', 'county', 'township', 'village']);
export type ExerciseLevel = z.infer<typeof ExerciseLevel>;

export const Department = z.object({
  id: z.string(),
  /** the agency's short code, the same for its counterparts in every county (`jyj` 教育局) */
  kind: z.string(),
  name: z.string(),
  nameEn: z.string(),
  level: ExerciseLevel,
  regionCode: z.string(),
  creditCode: z.string().describe('统一社会信用代码 (GB 32100); demo departments carry generated codes'),
  demo: z.boolean(),
});
export type Department = z.infer<typeof Department>;

export const HallKind = z.enum(['city', 'county', 'township', 'village']);
export type HallKind = z.infer<typeof HallKind>;

/** One opening period: days (weekdays = Monday–Friday) and a local time range. */
export const OpeningPeriod = z.object({
  days: z.enum(['weekdays', 'saturday', 'sunday', 'daily']),
  from: z.string().regex(/^\d{2}:\d{2}$/),
  to: z.string().regex(/^\d{2}:\d{2}$/),
});
export type OpeningPeriod = z.infer<typeof OpeningPeriod>;

export const WindowKind = z.enum(['general', 'enquiry', 'delivery']);
export type WindowKind = z.infer<typeof WindowKind>;

export const HallWindow = z.object({
  number: z.number().int(),
  kind: WindowKind,
});
export type HallWindow = z.infer<typeof HallWindow>;

export const Hall = z.object({
  id: z.string(),
  code: z.string().describe('stable hall code: H + region code'),
  kind: HallKind,
  name: z.string(),
  regionCode: z.string(),
  address: z.string(),
  lat: z.number(),
  lng: z.number(),
  hours: z.array(OpeningPeriod),
  phone: z.string(),
  windows: z.number().int().describe('number of service windows'),
  demo: z.boolean(),
});
export type Hall = z.infer<typeof Hall>;

/** A hall that accepts an item: `decides` at the exercise level, otherwise 代收代办 (proxy). */
export const AcceptingHall = Hall.extend({ role: z.enum(['implementing', 'proxy']) });
export type AcceptingHall = z.infer<typeof AcceptingHall>;

export const RouteRequest = z.object({
  exerciseLevel: ExerciseLevel,
  /** the agency's short code; needed at city and county level (the township office acts below) */
  departmentKind: z.string().optional(),
});
export type RouteRequest = z.infer<typeof RouteRequest>;

export const Route = z.object({
  implementingBody: Department,
  halls: z.array(AcceptingHall),
});
export type Route = z.infer<typeof Route>;

export const RegionDetail = Region.extend({
  path: z.array(RegionRef).describe('from the province down to this region'),
  children: z.array(Region),
});
export type RegionDetail = z.infer<typeof RegionDetail>;

/** The counts the demo seed reports (and the `regions.seeded` event carries). */
export interface SeedCounts {
  readonly counties: number;
  readonly townships: number;
  readonly villages: number;
  readonly departments: number;
  readonly halls: number;
  readonly windows: number;
}

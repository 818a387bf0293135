import { generateCreditCode } from '../../platform/codes/index.js';
import { CITY_AGENCIES, TOWNSHIP_OFFICE_KIND } from './regions.agencies.js';
import type { ExerciseLevel, HallKind, OpeningPeriod, Region, WindowKind } from './regions.types.js';

/**
 * The demo city's departments and halls, built from its divisions. Pure and deterministic: the
 * same divisions give the same names, credit codes, addresses, coordinates and phone numbers, so
 * tests and screenshots are stable. Everything here is demo data (flagged `demo`): credit codes are
 * valid under GB 32100 but generated; addresses, coordinates and phones are plausible, not real.
 */

export interface DepartmentSeed {
  kind: string;
  name: string;
  nameEn: string;
  level: ExerciseLevel;
  regionCode: string;
  creditCode: string;
}

export interface HallSeed {
  code: string;
  kind: HallKind;
  name: string;
  regionCode: string;
  address: string;
  lat: number;
  lng: number;
  hours: OpeningPeriod[];
  phone: string;
  windows: Array<{ number: number; kind: WindowKind }>;
}

/** Village and community stations seeded per township (就近办 at the grid's last level). */
export const VILLAGE_STATIONS_PER_TOWNSHIP = 3;

/** FNV-1a: a small, stable hash for deterministic demo values. */
export function stableHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Approximate centres of Zhengzhou's county-level units (WGS-84, rounded), the anchors around
 * which demo halls are placed. A unit not listed falls back to the city centre.
 */
const ANCHORS: Readonly<Record<string, readonly [number, number]>> = {
  '410100': [34.7466, 113.6253],
  '410102': [34.7481, 113.6129],
  '410103': [34.7309, 113.6402],
  '410104': [34.7472, 113.6859],
  '410105': [34.8004, 113.6608],
  '410106': [34.8028, 113.2981],
  '410108': [34.8676, 113.6168],
  '410122': [34.7192, 113.9761],
  '410171': [34.72, 113.74],
  '410172': [34.809, 113.557],
  '410173': [34.529, 113.842],
  '410181': [34.7479, 112.985],
  '410182': [34.7874, 113.383],
  '410183': [34.5397, 113.3909],
  '410184': [34.3962, 113.7404],
  '410185': [34.4536, 113.0502],
};

const ROADS = [
  '人民路',
  '建设路',
  '文化路',
  '政通路',
  '民生路',
  '和平路',
  '朝阳路',
  '中兴路',
  '振兴路',
  '友爱路',
];

function offset(code: string, salt: string, span: number): number {
  return ((stableHash(`${salt}:${code}`) % 10_000) / 10_000 - 0.5) * 2 * span;
}

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

function place(code: string, anchor: readonly [number, number], span: number): { lat: number; lng: number } {
  return {
    lat: round6(anchor[0] + offset(code, 'lat', span)),
    lng: round6(anchor[1] + offset(code, 'lng', span * 1.2)),
  };
}

function street(code: string): string {
  const h = stableHash(`road:${code}`);
  return `${ROADS[h % ROADS.length]}${(h % 197) + 1}号`;
}

/** Zhengzhou landline numbers are 8 digits after 0371; demo numbers start with 6. */
function phone(code: string): string {
  return `0371-6${String(stableHash(`tel:${code}`) % 10_000_000).padStart(7, '0')}`;
}

/** The short name of a village unit: 李庄村委会 → 李庄村, 多福巷社区居委会 → 多福巷社区. */
export function villageShortName(name: string): string {
  const rules: Array<[RegExp, string]> = [
    [/村民委员会$|村委会$/, '村'],
    [/社区居民委员会$|社区居委会$|社区委员会$|社区(居民)?管理委员会$/, '社区'],
    [/居民委员会$|居委会$/, '社区'],
  ];
  for (const [re, repl] of rules)
    if (re.test(name))
      return name.replace(re, repl).replace(/(村村|社区社区)$/, (m) => m.slice(m.length / 2));
  return name;
}

/** 街道 → 街道办事处, 镇/乡 → 镇/乡人民政府. */
export function townshipOfficeName(name: string): string {
  if (name.endsWith('街道')) return `${name}办事处`;
  if (name.endsWith('镇') || name.endsWith('乡')) return `${name}人民政府`;
  return `${name}管理办公室`;
}

const CITY_HOURS: OpeningPeriod[] = [
  { days: 'weekdays', from: '09:00', to: '17:00' },
  { days: 'saturday', from: '09:00', to: '17:00' },
];
const COUNTY_HOURS: OpeningPeriod[] = [
  { days: 'weekdays', from: '08:30', to: '12:00' },
  { days: 'weekdays', from: '14:00', to: '17:30' },
];
const VILLAGE_HOURS: OpeningPeriod[] = [
  { days: 'weekdays', from: '08:30', to: '11:30' },
  { days: 'weekdays', from: '14:30', to: '17:30' },
];

function windows(n: number): Array<{ number: number; kind: WindowKind }> {
  // the first window answers questions, the last hands out results, the rest accept applications
  return Array.from({ length: n }, (_, i) => ({
    number: i + 1,
    kind: n === 1 ? 'general' : i === 0 ? 'enquiry' : i === n - 1 ? 'delivery' : 'general',
  }));
}

function fill(template: string, r: string, c: string): string {
  return template.replaceAll('{r}', r).replaceAll('{c}', c);
}

export interface DemoDirectory {
  departments: DepartmentSeed[];
  halls: HallSeed[];
}

/** Builds departments and halls for a city from its divisions (as loaded by regions.divisions). */
export function buildDemoDirectory(divisions: readonly Region[]): DemoDirectory {
  const city = divisions.find((d) => d.level === 'city');
  if (!city) throw new Error('the divisions hold no city');
  const province = divisions.find((d) => d.level === 'province');
  const counties = divisions.filter((d) => d.level === 'county');
  const townships = divisions.filter((d) => d.level === 'township');
  const byCode = new Map(divisions.map((d) => [d.code, d]));

  // GB 32100 codes: authority 1 (机构编制), category 1 (机关), the division's 6-digit code, and an
  // organisation-code body from a stable hash, moved on until unique
  const used = new Set<number>();
  const creditCode = (region6: string, key: string): string => {
    let serial = (stableHash(`uscc:${key}`) % 90_000_000) + 10_000_000;
    while (used.has(serial)) serial = serial === 99_999_999 ? 10_000_000 : serial + 1;
    used.add(serial);
    return generateCreditCode({ regionCode: region6, serial });
  };

  const departments: DepartmentSeed[] = [];
  for (const a of CITY_AGENCIES) {
    departments.push({
      kind: a.kind,
      name: fill(a.name, city.name, city.name),
      nameEn: a.en,
      level: 'city',
      regionCode: city.code,
      creditCode: creditCode(city.code, `${city.code}:${a.kind}`),
    });
  }
  for (const k of counties) {
    for (const a of CITY_AGENCIES) {
      const has =
        a.counties === 'core' ||
        (a.counties === 'all' && k.kind !== 'zone') ||
        (a.counties === 'rural' && (k.kind === 'county' || k.kind === 'county_city'));
      if (!has) continue;
      departments.push({
        kind: a.kind,
        name: fill(a.countyName ?? a.name, k.name, city.name),
        nameEn: a.en,
        level: 'county',
        regionCode: k.code,
        creditCode: creditCode(k.code, `${k.code}:${a.kind}`),
      });
    }
  }
  for (const t of townships) {
    departments.push({
      kind: TOWNSHIP_OFFICE_KIND,
      name: townshipOfficeName(t.name),
      nameEn: t.name.endsWith('街道') ? 'Subdistrict Office' : 'Township Government',
      level: 'township',
      regionCode: t.code,
      creditCode: creditCode(t.code.slice(0, 6), `${t.code}:${TOWNSHIP_OFFICE_KIND}`),
    });
  }

  const prefix = `${province?.name ?? ''}${city.name}`;
  const anchorOf = (code: string) => ANCHORS[code.slice(0, 6)] ?? ANCHORS[city.code] ?? [34.7466, 113.6253];
  const halls: HallSeed[] = [];
  halls.push({
    code: `H${city.code}`,
    kind: 'city',
    // 郑州市民之家: the city's 政务服务中心 (集中办), in the 郑东新区 part of 金水区
    name: `${city.name}民之家（${city.name}政务服务中心）`,
    regionCode: city.code,
    address: `${prefix}金水区龙湖外环路1号`,
    lat: 34.7786,
    lng: 113.7376,
    hours: CITY_HOURS,
    phone: phone(city.code),
    windows: windows(20),
  });
  for (const k of counties) {
    halls.push({
      code: `H${k.code}`,
      kind: 'county',
      name: `${k.name}政务服务中心`,
      regionCode: k.code,
      address: `${prefix}${k.name}${street(k.code)}`,
      ...place(k.code, anchorOf(k.code), 0.01),
      hours: COUNTY_HOURS,
      phone: phone(k.code),
      windows: windows(10),
    });
  }
  const stationsPerTownship = new Map<string, number>();
  const townshipHalls = new Map<string, HallSeed>();
  for (const t of townships) {
    const county = byCode.get(t.parentCode ?? '');
    const hall: HallSeed = {
      code: `H${t.code}`,
      kind: 'township',
      name: `${t.name}便民服务中心`,
      regionCode: t.code,
      address: `${prefix}${county?.name ?? ''}${t.name}${street(t.code)}`,
      ...place(t.code, anchorOf(t.code), 0.06),
      hours: COUNTY_HOURS,
      phone: phone(t.code),
      windows: windows(4),
    };
    halls.push(hall);
    townshipHalls.set(t.code, hall);
  }
  for (const v of divisions) {
    if (v.level !== 'village' || !v.parentCode) continue;
    const n = stationsPerTownship.get(v.parentCode) ?? 0;
    if (n >= VILLAGE_STATIONS_PER_TOWNSHIP) continue;
    stationsPerTownship.set(v.parentCode, n + 1);
    const t = byCode.get(v.parentCode);
    const county = t ? byCode.get(t.parentCode ?? '') : undefined;
    const short = villageShortName(v.name);
    const base = townshipHalls.get(v.parentCode);
    halls.push({
      code: `H${v.code}`,
      kind: 'village',
      name: `${short}便民服务站`,
      regionCode: v.code,
      address: `${prefix}${county?.name ?? ''}${t?.name ?? ''}${short}${street(v.code)}`,
      ...place(v.code, base ? [base.lat, base.lng] : anchorOf(v.code), 0.015),
      hours: VILLAGE_HOURS,
      phone: phone(v.code),
      windows: windows(1),
    });
  }
  return { departments, halls };
}

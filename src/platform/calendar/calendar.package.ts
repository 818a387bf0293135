import { createRequire } from 'node:module';
import type { DayEntry } from './calendar.types.js';

/**
 * The national calendar as published in the `chinese-days` package: its JSON maps each date to
 * "English name,中文名,n", in `holidays` (days off, weekend days of a break included) and
 * `workdays` (调休 make-up working days). The package follows the State Council's yearly notice;
 * its last year is the last notice it has seen.
 */
type PackageData = { holidays: Record<string, string>; workdays: Record<string, string> };

const require = createRequire(import.meta.url);

function split(value: string): { en: string; zh: string } {
  const [en = '', zh = ''] = value.split(',');
  return { en: en.trim(), zh: zh.trim() || en.trim() };
}

let cached: DayEntry[] | undefined;

/** Every national day the package knows, sorted by date. */
export function packageDays(): readonly DayEntry[] {
  if (cached) return cached;
  const data = require('chinese-days/dist/chinese-days.json') as PackageData;
  const out: DayEntry[] = [];
  for (const [date, v] of Object.entries(data.holidays)) {
    const n = split(v);
    out.push({ regionCode: '', date, kind: 'off', name: n.zh, nameEn: n.en, source: 'package' });
  }
  for (const [date, v] of Object.entries(data.workdays)) {
    const n = split(v);
    out.push({ regionCode: '', date, kind: 'work', name: n.zh, nameEn: n.en, source: 'package' });
  }
  out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  cached = out;
  return out;
}

/** The years the package covers. */
export const packageYears = (): number[] => [
  ...new Set(packageDays().map((d) => Number(d.date.slice(0, 4)))),
];

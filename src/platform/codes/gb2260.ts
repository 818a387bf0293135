/**
 * GB/T 2260 province-level codes: the first two digits of every address (region) code, including
 * 71 台湾, 81 香港 and 82 澳门. ID numbers (GB 11643) and credit codes (GB 32100) both check them.
 */
export const PROVINCE_CODES: ReadonlySet<string> = new Set([
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
]);

/**
 * An administrative division as the platform takes it: a GB/T 2260 county code (6 digits), or the
 * statistics office's township (9) or village (12) code that extends it.
 */
export const REGION_CODE_RE = /^\d{6}(\d{3}(\d{3})?)?$/;

/** The level of a division as its code shows it. */
export type DivisionLevel = 'province' | 'city' | 'county' | 'township' | 'village';

/**
 * The level of a division from the shape of its code: 12 digits a village, 9 a township; a
 * 6-digit code ending 0000 a province (100000, the central level, reads as one), ending 00 a
 * city, else a county. Undefined for what is not a region code.
 */
export function divisionLevel(code: string): DivisionLevel | undefined {
  if (!REGION_CODE_RE.test(code)) return undefined;
  if (code.length === 12) return 'village';
  if (code.length === 9) return 'township';
  if (code.endsWith('0000')) return 'province';
  return code.endsWith('00') ? 'city' : 'county';
}

/**
 * The prefix every code inside a division (itself included) starts with: a 6-digit code drops its
 * trailing '00' pairs (410000 → 41, 410100 → 4101, 410105 → 410105); anything else — a township
 * or village code, or a partial prefix such as 4101 — stands as it is.
 */
export function divisionPrefix(code: string): string {
  if (!/^\d{6}$/.test(code)) return code;
  return code.replace(/(00)+$/, '') || code;
}

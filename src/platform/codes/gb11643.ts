import { chinaDate } from '../../kernel/time.js';
import { PROVINCE_CODES } from './gb2260.js';
/**
 * 公民身份号码 (citizen identity number), GB 11643-1999.
 *
 * 18 characters: a 6-digit address code (GB/T 2260 county of first registration), the birth date
 * YYYYMMDD, a 3-digit sequence (odd for men, even for women) and a check character computed
 * with ISO 7064 MOD 11-2: check = "10X98765432"[Σ(digit × weight) mod 11].
 *
 * Pure: no I/O. The address code is checked for shape and province only; whether the county code
 * exists is a question for the regions module.
 */

export type IdNumberRule =
  | 'GB11643.LENGTH'
  | 'GB11643.CHARACTERS'
  | 'GB11643.ADDRESS_CODE'
  | 'GB11643.BIRTH_DATE'
  | 'GB11643.BIRTH_DATE_IN_FUTURE'
  | 'GB11643.CHECK_CHAR';

export type Sex = 'male' | 'female';

export interface ParsedIdNumber {
  /** the 6-digit address code (GB/T 2260) */
  readonly regionCode: string;
  /** YYYY-MM-DD */
  readonly birthDate: string;
  readonly sex: Sex;
}

export type IdNumberCheck =
  | { readonly ok: true; readonly value: ParsedIdNumber }
  | { readonly ok: false; readonly failures: readonly IdNumberRule[] };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

/**
 * Province-level codes of GB/T 2260 (the first two digits of any address code), plus 71 台湾,
 * 81 香港, 82 澳门 and 83 (residence permits for Hong Kong, Macao and Taiwan residents).
 */
const PROVINCES: ReadonlySet<string> = new Set([...PROVINCE_CODES, '83']);

/** The check character for the first 17 digits. */
export function idNumberCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('idNumberCheckChar needs 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

function realDate(yyyymmdd: string): string | undefined {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1800 || m < 1 || m > 12 || d < 1) return undefined;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return undefined;
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

/**
 * Validates an 18-character number and, when valid, parses it. Lower-case `x` is accepted for the
 * check character (people type it); every rule that fails is reported, not only the first.
 * `today` (YYYY-MM-DD, default: today in China, UTC+8) bounds the birth date.
 */
export function checkIdNumber(input: string, opts: { today?: string } = {}): IdNumberCheck {
  const s = input.trim().toUpperCase();
  if (s.length !== 18) return { ok: false, failures: ['GB11643.LENGTH'] };
  if (!/^\d{17}[\dX]$/.test(s)) return { ok: false, failures: ['GB11643.CHARACTERS'] };
  const failures: IdNumberRule[] = [];
  const regionCode = s.slice(0, 6);
  if (!PROVINCES.has(regionCode.slice(0, 2)) || regionCode.slice(2) === '0000')
    failures.push('GB11643.ADDRESS_CODE');
  const birthDate = realDate(s.slice(6, 14));
  if (!birthDate) failures.push('GB11643.BIRTH_DATE');
  else if (birthDate > (opts.today ?? chinaDate(new Date()))) failures.push('GB11643.BIRTH_DATE_IN_FUTURE');
  if (idNumberCheckChar(s.slice(0, 17)) !== s[17]) failures.push('GB11643.CHECK_CHAR');
  if (failures.length > 0 || !birthDate) return { ok: false, failures };
  return { ok: true, value: { regionCode, birthDate, sex: Number(s[16]) % 2 === 1 ? 'male' : 'female' } };
}

export const isValidIdNumber = (input: string, opts: { today?: string } = {}): boolean =>
  checkIdNumber(input, opts).ok;

/** Parses a number, or returns undefined when it is not valid. */
export function parseIdNumber(input: string, opts: { today?: string } = {}): ParsedIdNumber | undefined {
  const r = checkIdNumber(input, opts);
  return r.ok ? r.value : undefined;
}

/**
 * Makes a valid number for demo data and tests. `sequence` (0–999) picks the 3-digit order code;
 * its parity is forced to match `sex`. Never use for real people.
 */
export function generateIdNumber(opts: {
  regionCode: string;
  birthDate: string;
  sex: Sex;
  sequence?: number;
}): string {
  if (!/^\d{6}$/.test(opts.regionCode)) throw new Error('regionCode must be 6 digits');
  const date = opts.birthDate.replaceAll('-', '');
  if (!/^\d{8}$/.test(date) || !realDate(date)) throw new Error('birthDate must be a real YYYY-MM-DD date');
  let seq = Math.abs(Math.trunc(opts.sequence ?? 1)) % 1000;
  const wantOdd = opts.sex === 'male';
  if ((seq % 2 === 1) !== wantOdd) seq = seq === 999 ? 998 : seq + 1;
  const first17 = `${opts.regionCode}${date}${String(seq).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}

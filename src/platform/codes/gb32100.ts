import { PROVINCE_CODES } from './gb2260.js';
/**
 * 统一社会信用代码 (unified social credit code), GB 32100-2015, with the organisation code inside
 * it (组织机构代码, GB 11714-1997).
 *
 * 18 characters from the alphabet 0123456789ABCDEFGHJKLMNPQRTUWXY (no I, O, S, V, Z):
 *   1      registering authority (1 机构编制, 5 民政, 9 工商, Y 其他 …)
 *   2      category within that authority (for 1: 1 机关, 2 事业单位 …)
 *   3–8    region code of the registering authority (GB/T 2260)
 *   9–17   organisation code: 8 body characters + a GB 11714 check character
 *   18     check character: alphabet[(31 − Σ(value × weight) mod 31) mod 31]
 *
 * Pure: no I/O.
 */

export type CreditCodeRule =
  | 'GB32100.LENGTH'
  | 'GB32100.CHARACTERS'
  | 'GB32100.AUTHORITY'
  | 'GB32100.CATEGORY'
  | 'GB32100.REGION_CODE'
  | 'GB11714.CHECK_CHAR'
  | 'GB32100.CHECK_CHAR';

export interface ParsedCreditCode {
  readonly authority: string;
  readonly category: string;
  /** the registering authority's 6-digit region code */
  readonly regionCode: string;
  /** the 9-character organisation code (GB 11714) */
  readonly organizationCode: string;
}

export type CreditCodeCheck =
  | { readonly ok: true; readonly value: ParsedCreditCode }
  | { readonly ok: false; readonly failures: readonly CreditCodeRule[] };

export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * Registering-authority codes of GB 32100-2015 table 1, with the category codes checked here. Only
 * the categories of the three authorities that register almost all bodies (机构编制, 民政, 工商)
 * are checked strictly; for the others any alphabet character is accepted rather than risk
 * refusing a real code.
 */
const AUTHORITIES = new Set(['1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'N', 'Y']);
const CATEGORIES: Readonly<Record<string, string>> = {
  '1': '1239', // 机关, 事业单位, 中央编办直接管理的群众团体, 其他
  '5': '1239', // 社会团体, 民办非企业单位, 基金会, 其他
  '9': '123', // 企业, 个体工商户, 农民专业合作社
};

/** GB/T 2260 province codes (first two digits); 10 is used by central-level registrations (100000). */
const PROVINCES: ReadonlySet<string> = new Set([...PROVINCE_CODES, '10']);

/** The GB 32100 check character for the first 17 characters. */
export function creditCodeCheckChar(first17: string): string {
  if (first17.length !== 17) throw new Error('creditCodeCheckChar needs 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CREDIT_CODE_ALPHABET.indexOf(first17[i]!);
    if (v < 0) throw new Error(`not a credit-code character: ${first17[i]}`);
    sum += v * WEIGHTS[i]!;
  }
  return CREDIT_CODE_ALPHABET[(31 - (sum % 31)) % 31]!;
}

const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/**
 * The GB 11714 check character for an 8-character organisation-code body: digits count as
 * themselves, letters A–Z as 10–35; C9 = 11 − (Σ mod 11), written X for 10 and 0 for 11.
 */
export function organizationCodeCheckChar(body8: string): string {
  if (!/^[0-9A-Z]{8}$/.test(body8)) throw new Error('organizationCodeCheckChar needs 8 characters 0-9A-Z');
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number.parseInt(body8[i]!, 36) * ORG_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export function isValidOrganizationCode(code9: string): boolean {
  return /^[0-9A-Z]{8}[0-9X]$/.test(code9) && organizationCodeCheckChar(code9.slice(0, 8)) === code9[8];
}

/**
 * Validates a code and reports every rule that fails. Lower case is accepted (people type it).
 * `organizationCode: false` skips the GB 11714 check of characters 9–17, for registers known to
 * hold codes whose organisation part was not assigned under GB 11714.
 */
export function checkCreditCode(input: string, opts: { organizationCode?: boolean } = {}): CreditCodeCheck {
  const s = input.trim().toUpperCase();
  if (s.length !== 18) return { ok: false, failures: ['GB32100.LENGTH'] };
  for (const ch of s)
    if (!CREDIT_CODE_ALPHABET.includes(ch)) return { ok: false, failures: ['GB32100.CHARACTERS'] };
  const failures: CreditCodeRule[] = [];
  const authority = s[0]!;
  const category = s[1]!;
  if (!AUTHORITIES.has(authority)) failures.push('GB32100.AUTHORITY');
  else if (CATEGORIES[authority] && !CATEGORIES[authority].includes(category))
    failures.push('GB32100.CATEGORY');
  const regionCode = s.slice(2, 8);
  if (!/^\d{6}$/.test(regionCode) || !PROVINCES.has(regionCode.slice(0, 2)))
    failures.push('GB32100.REGION_CODE');
  const organizationCode = s.slice(8, 17);
  if (opts.organizationCode !== false && !isValidOrganizationCode(organizationCode))
    failures.push('GB11714.CHECK_CHAR');
  if (creditCodeCheckChar(s.slice(0, 17)) !== s[17]) failures.push('GB32100.CHECK_CHAR');
  if (failures.length > 0) return { ok: false, failures };
  return { ok: true, value: { authority, category, regionCode, organizationCode } };
}

export const isValidCreditCode = (input: string, opts: { organizationCode?: boolean } = {}): boolean =>
  checkCreditCode(input, opts).ok;

/**
 * Makes a valid code for demo data and tests: authority and category (default 1 and 1, 机关),
 * region, and an organisation-code body derived from `serial` (a non-negative integer, unique per
 * region for unique codes). The body is 8 digits, so both check characters follow the standards.
 */
export function generateCreditCode(opts: {
  regionCode: string;
  serial: number;
  authority?: string;
  category?: string;
}): string {
  const authority = opts.authority ?? '1';
  const category = opts.category ?? '1';
  if (!/^\d{6}$/.test(opts.regionCode)) throw new Error('regionCode must be 6 digits');
  if (!Number.isInteger(opts.serial) || opts.serial < 0 || opts.serial > 99_999_999)
    throw new Error('serial must be 0..99999999');
  if (!CREDIT_CODE_ALPHABET.includes(authority) || !CREDIT_CODE_ALPHABET.includes(category)) {
    throw new Error('authority and category must be credit-code characters');
  }
  const body = String(opts.serial).padStart(8, '0');
  const first17 = `${authority}${category}${opts.regionCode}${body}${organizationCodeCheckChar(body)}`;
  return first17 + creditCodeCheckChar(first17);
}

/**
 * 电子证照标识 (GB/T 36904): `1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>`.
 *
 * - `1.2.156.3005.2` — the OID arc for e-licences;
 * - type (证照类型代码, 21 chars) — the defining authority's 统一社会信用代码 (18) + a 3-digit serial;
 * - issuer (证照颁发机构代码, 18) — the issuing body's 统一社会信用代码;
 * - serial (流水号) — digits, unique per type and issuer; we write 8 with leading zeros and accept 1–20;
 * - version (版本号, 3 digits) — 001 for the first issue, +1 for every change;
 * - check (校验位) — ISO 7064 MOD 37,36 over type ‖ issuer ‖ serial ‖ version (no dots).
 *
 * Pure functions; parse returns a result so bad input becomes a clear 4xx, never a throw.
 */
import { creditCodeCheckChar } from '../../platform/codes/index.js';

export const LICENCE_OID_PREFIX = '1.2.156.3005.2';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const M = 36;

/**
 * ISO/IEC 7064 hybrid system MOD 37,36 (the alphanumeric hybrid): P₀ = M; for each character
 * S = (P + value) mod M (0 counts as M), P = 2S mod (M+1); the check character makes the final
 * (P + check) mod M equal 1.
 */
export function mod3736(payload: string): string | undefined {
  let p = M;
  for (const ch of payload) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    let s = (p + v) % M;
    if (s === 0) s = M;
    p = (s * 2) % (M + 1);
  }
  return ALPHABET[(M + 1 - p) % M];
}

/** True when the last character is the MOD 37,36 check character of the rest. */
export function isValidMod3736(withCheck: string): boolean {
  if (withCheck.length < 2) return false;
  return mod3736(withCheck.slice(0, -1)) === withCheck.slice(-1);
}

/**
 * The type and issuer parts are 统一社会信用代码: only their shape and GB 32100 check character
 * are checked here, not the stricter rules of checkCreditCode (authority, region, organisation
 * code), which could refuse identifiers already issued. The shape guard keeps
 * creditCodeCheckChar, which throws on other characters, to its alphabet.
 */
const USCC_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;
export const isValidUscc = (code: string): boolean =>
  USCC_SHAPE.test(code) && creditCodeCheckChar(code.slice(0, 17)) === code[17];

export interface LicenceIdentifierParts {
  readonly typeCode: string;
  readonly issuerCode: string;
  readonly serial: string;
  readonly version: number;
}

export type IdentifierProblem = 'MALFORMED' | 'CHECK_CHARACTER';

export type ParsedIdentifier =
  | { readonly ok: true; readonly value: LicenceIdentifierParts & { readonly identifier: string } }
  | { readonly ok: false; readonly problem: IdentifierProblem; readonly reason: string };

const SHAPE = /^1\.2\.156\.3005\.2\.([0-9A-Z]{21})\.([0-9A-Z]{18})\.([0-9]{1,20})\.([0-9]{3})\.([0-9A-Z])$/;

export function formatIdentifier(p: LicenceIdentifierParts): string {
  const version = String(p.version).padStart(3, '0');
  if (!/^[0-9]{1,20}$/.test(p.serial) || p.version < 1 || p.version > 999)
    throw new RangeError('bad identifier part');
  const check = mod3736(`${p.typeCode}${p.issuerCode}${p.serial}${version}`);
  if (check === undefined) throw new RangeError('identifier parts outside 0-9A-Z');
  return `${LICENCE_OID_PREFIX}.${p.typeCode}.${p.issuerCode}.${p.serial}.${version}.${check}`;
}

export function parseIdentifier(raw: string): ParsedIdentifier {
  const text = raw.trim().toUpperCase();
  const m = SHAPE.exec(text);
  if (!m) return { ok: false, problem: 'MALFORMED', reason: 'shape' };
  const [, typeCode, issuerCode, serial, version, check] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!isValidUscc(typeCode.slice(0, 18)))
    return { ok: false, problem: 'MALFORMED', reason: 'typeAuthorityCode' };
  if (!isValidUscc(issuerCode)) return { ok: false, problem: 'MALFORMED', reason: 'issuerCode' };
  if (version === '000') return { ok: false, problem: 'MALFORMED', reason: 'version' };
  if (mod3736(`${typeCode}${issuerCode}${serial}${version}`) !== check) {
    return { ok: false, problem: 'CHECK_CHARACTER', reason: 'check' };
  }
  return { ok: true, value: { identifier: text, typeCode, issuerCode, serial, version: Number(version) } };
}

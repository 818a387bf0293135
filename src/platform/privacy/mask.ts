/**
 * Masking defaults of DOMAIN.md §8 (GB/T 35273 practice). Shown wherever a role and purpose do
 * not allow the full value; exports and logs always use these.
 */
const stars = (n: number) => '*'.repeat(Math.max(0, n));

/** 张三丰 → 张** (keep the first character) */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join('');
  return chars[0] + stars(chars.length - 1);
}

/** 410102199003071234 → 4**************34 (keep first 1 and last 2); style '6+4' keeps 6 and 4 */
export function maskIdNumber(id: string, style: '1+2' | '6+4' = '1+2'): string {
  const s = id.trim();
  const [head, tail] = style === '1+2' ? [1, 2] : [6, 4];
  if (s.length <= head + tail) return stars(s.length);
  return s.slice(0, head) + stars(s.length - head - tail) + s.slice(s.length - tail);
}

/** 13812341234 → 138****1234 */
export function maskMobile(m: string): string {
  const s = m.replace(/\s|-/g, '');
  if (s.length < 7) return stars(s.length);
  return s.slice(0, 3) + stars(s.length - 7) + s.slice(-4);
}

/** mask the last 8 characters of an address */
export function maskAddress(a: string): string {
  const chars = [...a.trim()];
  const keep = Math.max(0, chars.length - 8);
  return chars.slice(0, keep).join('') + stars(chars.length - keep);
}

/** zhang@example.cn → z***@example.cn */
export function maskEmail(e: string): string {
  const at = e.indexOf('@');
  if (at <= 0) return stars(e.length);
  return `${e[0]}***${e.slice(at)}`;
}

/** keep the first 4 and last 4 digits, grouped by 4 */
export function maskBankCard(card: string): string {
  const s = card.replace(/\s/g, '');
  if (s.length <= 8) return stars(s.length);
  const masked = s.slice(0, 4) + stars(s.length - 8) + s.slice(-4);
  return masked.replace(/(.{4})(?=.)/g, '$1 ');
}

/** 豫A12345 → 豫A***45 (mask the middle) */
export function maskPlate(p: string): string {
  const chars = [...p.trim()];
  if (chars.length <= 4) return chars.join('');
  return chars.slice(0, 2).join('') + stars(chars.length - 4) + chars.slice(-2).join('');
}

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Personal data at rest (ARCHITECTURE "Data"): ID numbers, mobiles and addresses are stored
 * encrypted with AES-256-GCM (node:crypto has no SM4-GCM; see docs/adr) under a key derived from
 * the configured secret, and beside them a keyed hash (HMAC-SM3) so that equality lookups work
 * without decrypting. Keys are derived per purpose with HKDF so one leaked sub-key opens nothing else.
 */
export interface PersonalDataCipher {
  /** 'v1.<iv>.<ciphertext+tag>' in base64url; a different value every call */
  encrypt(plaintext: string): string;
  decrypt(sealed: string): string;
  /**
   * {@link encrypt} of each value, for bulk loads: the same envelope, each value under its own
   * random IV, the IVs drawn from the CSPRNG in one call (a per-value draw is a third of a seal)
   */
  encryptMany(plaintexts: readonly string[]): string[];
  /** keyed lookup hash of a normalised value, hex; `kind` separates ID numbers from phones etc. */
  lookupHash(kind: string, value: string): string;
}

export function derivedKey(secret: Buffer, label: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `tongban:${label}`, length));
}

/**
 * AES-256-GCM with a random 96-bit IV, as `v1.<iv>.<ciphertext + tag>` (base64url); `aad` binds
 * the sealed value to a name (a key id), so it cannot be moved to another. The one envelope of
 * every secret the platform keeps at rest.
 */
export function seal(key: Buffer, data: Buffer | string, aad?: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  if (aad !== undefined) c.setAAD(Buffer.from(aad, 'utf8'));
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const ct = Buffer.concat([c.update(body), c.final(), c.getAuthTag()]);
  return `v1.${iv.toString('base64url')}.${ct.toString('base64url')}`;
}

/** {@link seal} of each value (no aad), the IVs drawn in one call: the same envelopes, cheaper. */
export function sealMany(key: Buffer, data: readonly string[]): string[] {
  const ivs = randomBytes(12 * data.length);
  const out = new Array<string>(data.length);
  for (let i = 0; i < data.length; i++) {
    const iv = ivs.subarray(12 * i, 12 * i + 12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    const ct = Buffer.concat([c.update(data[i] as string, 'utf8'), c.final(), c.getAuthTag()]);
    out[i] = `v1.${iv.toString('base64url')}.${ct.toString('base64url')}`;
  }
  return out;
}

/** The value {@link seal} sealed; throws on another envelope, another key or another `aad`. */
export function unseal(key: Buffer, sealed: string, aad?: string): Buffer {
  const [v, ivB, ctB] = sealed.split('.');
  if (v !== 'v1' || !ivB || !ctB) throw new Error('unknown sealed-value envelope');
  const all = Buffer.from(ctB, 'base64url');
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(ivB, 'base64url'));
  if (aad !== undefined) d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(all.subarray(all.length - 16));
  return Buffer.concat([d.update(all.subarray(0, all.length - 16)), d.final()]);
}

export function createPersonalDataCipher(secret: Buffer): PersonalDataCipher {
  const encKey = derivedKey(secret, 'personal-data:aes-256-gcm');
  const macKey = derivedKey(secret, 'personal-data:lookup-hmac-sm3');
  return {
    encrypt: (plaintext) => seal(encKey, plaintext),
    encryptMany: (plaintexts) => sealMany(encKey, plaintexts),
    decrypt: (sealed) => unseal(encKey, sealed).toString('utf8'),
    lookupHash(kind, value) {
      return createHmac('sm3', macKey).update(`${kind}\u0000${value.trim().toUpperCase()}`).digest('hex');
    },
  };
}

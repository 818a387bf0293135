import { createHash, randomBytes } from 'node:crypto';
import { wNAF } from '@noble/curves/abstract/curve';
import { invert } from '@noble/curves/abstract/modular';
import { weierstrassN } from '@noble/curves/abstract/weierstrass';

/**
 * SM2 signatures (GB/T 32918.2, GB/T 35276) over arbitrary bytes, with SM3 as the digest and
 * the standard distinguishing id `1234567812345678` (GB/T 35276 §5.3, GM/T 0009 default), so
 * that `openssl dgst -sm3 -verify pub.pem -sigopt distid:1234567812345678` accepts what we sign.
 *
 * Why not node:crypto for the curve: Node's SM2 signs with an empty distinguishing id, and
 * `KeyObject.export()` on an SM2 key aborts the process (STACK.md). Why not sm-crypto-v2's
 * doSignature/doVerifySignature (which we started with): per signature it makes a whole key pair
 * for k (hex round trips, point decoding) and inverts 1 + d, and it verifies with two
 * constant-time multiplications; that measured 88 % / 49 % of `openssl speed sm2`. So the
 * arithmetic is noble-curves' (the library under sm-crypto-v2) on the GB/T 32918.5 curve:
 *  - sign: k·G constant-time over the cached window table of G; (1 + d)⁻¹ cached per key;
 *  - verify: s·G + t·P_A with the non-constant-time windowed method over cached tables of G and
 *    P_A (everything in a verification is public, so constant time buys nothing there);
 *  - digests (Z_A and e = SM3(Z_A ‖ M)) with node:crypto's native SM3, Z_A cached per key.
 * Every path is cross-checked against the openssl CLI in both directions (sm2.test.ts).
 *
 * Keys travel as hex (private: 32 bytes; public: 04 ‖ x ‖ y) and as PEM for openssl:
 * SubjectPublicKeyInfo / PKCS#8 with id-ecPublicKey and the SM2 curve OID 1.2.156.10197.1.301.
 */

export const SM2_DEFAULT_ID = '1234567812345678';

export interface Sm2KeyPair {
  /** 64 hex digits */
  readonly privateKey: string;
  /** uncompressed point, 130 hex digits starting 04 */
  readonly publicKey: string;
}

// GB/T 32918.5 recommended curve parameters
const CURVE_P = 'fffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffff';
const CURVE_A = 'fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc';
const CURVE_B = '28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93';
const CURVE_N_HEX = 'fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123';
const CURVE_GX = '32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7';
const CURVE_GY = 'bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0';
const big = (hex: string): bigint => BigInt(`0x${hex}`);
const N = big(CURVE_N_HEX);

const Point = weierstrassN({
  p: big(CURVE_P),
  n: N,
  h: 1n,
  a: big(CURVE_A),
  b: big(CURVE_B),
  Gx: big(CURVE_GX),
  Gy: big(CURVE_GY),
});
type Pt = InstanceType<typeof Point>;
Point.BASE.precompute(8, false);
const windows = new wNAF(Point, 256);

const HEX_PRIV = /^[0-9a-f]{64}$/;
const HEX_PUB = /^04[0-9a-f]{128}$/;
const hex64 = (n: bigint): string => n.toString(16).padStart(64, '0');

/** A uniformly random scalar in [1, n − 2] (40 random bytes make the modulo bias negligible). */
function randomScalar(): bigint {
  return (big(randomBytes(40).toString('hex')) % (N - 2n)) + 1n;
}

export function generateSm2KeyPair(): Sm2KeyPair {
  const d = randomScalar();
  return { privateKey: hex64(d), publicKey: Point.BASE.multiply(d).toHex(false) };
}

export function publicKeyFromPrivate(privateKeyHex: string): string {
  return Point.BASE.multiply(big(privateKeyHex)).toHex(false);
}

const sm3 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sm3');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) — GB/T 32918.2 §5.5. */
export function sm2Z(publicKeyHex: string, id: string = SM2_DEFAULT_ID): Buffer {
  const idBytes = Buffer.from(id, 'utf8');
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(idBytes.length * 8);
  return sm3(
    entl,
    idBytes,
    Buffer.from(CURVE_A + CURVE_B + CURVE_GX + CURVE_GY, 'hex'),
    Buffer.from(publicKeyHex.slice(2), 'hex'),
  );
}

interface CachedPublic {
  z: Buffer;
  point: Pt;
}
const publicCache = new Map<string, CachedPublic>();
const privateCache = new Map<string, { d: bigint; dInv: bigint }>();

function cachedPublic(publicKeyHex: string): CachedPublic {
  let c = publicCache.get(publicKeyHex);
  if (!c) {
    const point = Point.fromHex(publicKeyHex); // checks the point is on the curve
    point.precompute(8, false);
    c = { z: sm2Z(publicKeyHex), point };
    if (publicCache.size > 1000) publicCache.clear();
    publicCache.set(publicKeyHex, c);
  }
  return c;
}

function cachedPrivate(privateKeyHex: string): { d: bigint; dInv: bigint } {
  let c = privateCache.get(privateKeyHex);
  if (!c) {
    const d = big(privateKeyHex);
    if (d < 1n || d > N - 2n) throw new Error('SM2 private key out of range');
    c = { d, dInv: invert(d + 1n, N) };
    if (privateCache.size > 1000) privateCache.clear();
    privateCache.set(privateKeyHex, c);
  }
  return c;
}

/** Signs `message` (SM3 with Z_A over the default id) — GB/T 32918.2 §6.1; returns DER SEQUENCE { r, s }. */
export function sm2Sign(message: Uint8Array, keys: Sm2KeyPair): Buffer {
  if (!HEX_PRIV.test(keys.privateKey) || !HEX_PUB.test(keys.publicKey)) throw new Error('malformed SM2 key');
  const e = big(sm3(cachedPublic(keys.publicKey).z, message).toString('hex'));
  const { d, dInv } = cachedPrivate(keys.privateKey);
  for (;;) {
    const k = randomScalar();
    const x1 = Point.BASE.multiply(k).toAffine().x;
    const r = (e + x1) % N;
    if (r === 0n || r + k === N) continue;
    const s = (dInv * ((((k - r * d) % N) + N) % N)) % N;
    if (s === 0n) continue;
    return encodeDerSignature(r, s);
  }
}

/** Verifies a DER signature — GB/T 32918.2 §7.1; false (never a throw) for anything malformed. */
export function sm2Verify(message: Uint8Array, signatureDer: Uint8Array, publicKeyHex: string): boolean {
  if (!HEX_PUB.test(publicKeyHex)) return false;
  const rs = parseDerSignature(signatureDer);
  if (!rs) return false;
  const { r, s } = rs;
  // B1, B2: r and s in [1, n − 1]
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  let c: CachedPublic;
  try {
    c = cachedPublic(publicKeyHex);
  } catch {
    return false;
  }
  const e = big(sm3(c.z, message).toString('hex'));
  const t = (r + s) % N; // B5
  if (t === 0n) return false;
  // B6: (x1, y1) = s·G + t·P_A
  const sum = windows.unsafe(c.point, t, undefined, windows.unsafe(Point.BASE, s));
  if (sum.is0()) return false;
  return (e + sum.toAffine().x) % N === r; // B7
}

// ── DER ───────────────────────────────────────────────────────────────────────────────────

function derLen(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from([tag]), derLen(body.length), body]);
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const oid = (dotted: string): Buffer => {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = p >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
};

const derInt = (n: bigint): Buffer => {
  let h = n.toString(16);
  if (h.length % 2) h = `0${h}`;
  const b = Buffer.from(h, 'hex');
  return tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
};
export const encodeDerSignature = (r: bigint, s: bigint): Buffer => seq(derInt(r), derInt(s));

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_SM2_CURVE = '1.2.156.10197.1.301';

/**
 * Strict DER parse of SEQUENCE { INTEGER r, INTEGER s }: definite short/long lengths, no
 * trailing bytes, minimal integer encoding. A tampered signature must fail, not be "repaired".
 */
export function parseDerSignature(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  const b = Buffer.from(der);
  let i = 0;
  const readLen = (): number | undefined => {
    const first = b[i++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    const n = first & 0x7f;
    if (n === 0 || n > 2) return undefined;
    let len = 0;
    for (let k = 0; k < n; k++) {
      const v = b[i++];
      if (v === undefined) return undefined;
      len = (len << 8) | v;
    }
    return len < 0x80 ? undefined : len;
  };
  const readInt = (): bigint | undefined => {
    if (b[i++] !== 0x02) return undefined;
    const len = readLen();
    if (len === undefined || len === 0 || i + len > b.length) return undefined;
    const body = b.subarray(i, i + len);
    i += len;
    if (body[0]! & 0x80) return undefined; // negative
    if (len > 1 && body[0] === 0 && !(body[1]! & 0x80)) return undefined; // not minimal
    return BigInt(`0x${body.toString('hex')}`);
  };
  if (b[i++] !== 0x30) return undefined;
  const total = readLen();
  if (total === undefined || i + total !== b.length) return undefined;
  const r = readInt();
  const s = readInt();
  if (r === undefined || s === undefined || i !== b.length) return undefined;
  return { r, s };
}

const pem = (label: string, der: Buffer): string =>
  `-----BEGIN ${label}-----\n${der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END ${label}-----\n`;

/** SubjectPublicKeyInfo (RFC 5480) with the SM2 curve, as openssl reads it. */
export function publicKeyToPem(publicKeyHex: string): string {
  if (!HEX_PUB.test(publicKeyHex)) throw new Error('malformed SM2 public key');
  const point = Buffer.concat([Buffer.from([0]), Buffer.from(publicKeyHex, 'hex')]);
  return pem('PUBLIC KEY', seq(seq(oid(OID_EC_PUBLIC_KEY), oid(OID_SM2_CURVE)), tlv(0x03, point)));
}

/** PKCS#8 PrivateKeyInfo wrapping an RFC 5915 ECPrivateKey (for openssl cross-checks). */
export function privateKeyToPem(keys: Sm2KeyPair): string {
  const point = Buffer.concat([Buffer.from([0]), Buffer.from(keys.publicKey, 'hex')]);
  const ecPrivateKey = seq(
    tlv(0x02, Buffer.from([1])),
    tlv(0x04, Buffer.from(keys.privateKey, 'hex')),
    tlv(0xa1, tlv(0x03, point)),
  );
  return pem(
    'PRIVATE KEY',
    seq(
      tlv(0x02, Buffer.from([0])),
      seq(oid(OID_EC_PUBLIC_KEY), oid(OID_SM2_CURVE)),
      tlv(0x04, ecPrivateKey),
    ),
  );
}

/** Reads the point back from a SubjectPublicKeyInfo PEM we (or openssl) wrote. */
export function publicKeyFromPem(text: string): string {
  const der = Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const hex = der.toString('hex');
  const at = hex.lastIndexOf('03420004');
  if (at < 0 || !hex.includes(oid(OID_SM2_CURVE).toString('hex'))) throw new Error('not an SM2 public key');
  return hex.slice(at + 6, at + 6 + 130);
}

/** Reads the private scalar from a PKCS#8 (or SEC1 "EC PRIVATE KEY") PEM, e.g. one made by openssl. */
export function privateKeyFromPem(text: string): Sm2KeyPair {
  const der = Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const hex = der.toString('hex');
  // ECPrivateKey: INTEGER 1, OCTET STRING (32)
  const at = hex.indexOf('020101' + '0420');
  if (at < 0) throw new Error('not an EC private key');
  const privateKey = hex.slice(at + 10, at + 10 + 64);
  return { privateKey, publicKey: publicKeyFromPrivate(privateKey) };
}

/** Key id: the first 16 hex digits of SM3 over the uncompressed public point. */
export function sm2KeyId(publicKeyHex: string): string {
  return sm3(Buffer.from(publicKeyHex, 'hex')).toString('hex').slice(0, 16);
}

import {
  type KeyObject,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import type { Hash } from './ledger.merkle.js';

/**
 * C2SP signed-note (Ed25519), tlog-checkpoint bodies and tlog-cosignature/v1 lines. Pure apart
 * from key generation.
 *
 * - key ID = SHA-256(name ‖ "\n" ‖ type ‖ public key)[:4], type 0x01 for a note signer (the log),
 *   0x04 for an Ed25519 cosigner (a witness);
 * - verifier key = `name+hex(key ID)+base64(type ‖ public key)`;
 * - note = body, a blank line, then `— name base64(key ID ‖ signature)` lines (U+2014 em dash).
 */
export const SIG_ED25519 = 0x01;
export const SIG_COSIGNATURE_V1 = 0x04;
const EM_DASH = '\u2014';

// DER wrappers that let node:crypto take a raw Ed25519 seed or public key (RFC 8410)
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

export interface Ed25519Key {
  readonly seed: Buffer;
  readonly publicKey: Buffer;
  readonly privateKey: KeyObject;
}

export function keyFromSeed(seed: Buffer): Ed25519Key {
  if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { seed, publicKey: Buffer.from(jwk.x!, 'base64url'), privateKey };
}

export function generateKey(): Ed25519Key {
  const { privateKey } = generateKeyPairSync('ed25519');
  const d = privateKey.export({ format: 'jwk' }).d!;
  return keyFromSeed(Buffer.from(d, 'base64url'));
}

const publicKeyObject = (raw: Buffer): KeyObject =>
  createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });

/** Signed-note key names: non-empty, no whitespace, no `+`. */
export const isKeyName = (name: string): boolean => name.length > 0 && !/[\s+]/u.test(name);

export function keyId(name: string, type: number, publicKey: Buffer): Buffer {
  return createHash('sha256')
    .update(`${name}\n`)
    .update(Buffer.from([type]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

export interface VerifierKey {
  readonly name: string;
  readonly type: number;
  readonly keyId: Buffer;
  readonly publicKey: Buffer;
}

export function formatVerifierKey(name: string, type: number, publicKey: Buffer): string {
  if (!isKeyName(name)) throw new Error('invalid key name');
  return `${name}+${keyId(name, type, publicKey).toString('hex')}+${Buffer.concat([Buffer.from([type]), publicKey]).toString('base64')}`;
}

/** Parses `name+hash+key`; undefined when malformed or when the hash does not match the key. */
export function parseVerifierKey(vkey: string): VerifierKey | undefined {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(vkey.trim());
  if (!m) return undefined;
  const raw = Buffer.from(m[3]!, 'base64');
  if (raw.toString('base64') !== m[3]) return undefined;
  const type = raw[0];
  if ((type !== SIG_ED25519 && type !== SIG_COSIGNATURE_V1) || raw.length !== 33) return undefined;
  const publicKey = raw.subarray(1);
  const id = keyId(m[1]!, type, publicKey);
  if (id.toString('hex') !== m[2]) return undefined;
  return { name: m[1]!, type, keyId: id, publicKey };
}

/** The private form used by golang.org/x/mod/sumdb/note: `PRIVATE+KEY+name+hash+base64(0x01 ‖ seed)`. */
export function parseSignerKey(skey: string): { name: string; key: Ed25519Key } | undefined {
  const m = /^PRIVATE\+KEY\+([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(skey.trim());
  if (!m) return undefined;
  const raw = Buffer.from(m[3]!, 'base64');
  if (raw.length !== 33 || raw[0] !== SIG_ED25519) return undefined;
  const key = keyFromSeed(Buffer.from(raw.subarray(1)));
  if (keyId(m[1]!, SIG_ED25519, key.publicKey).toString('hex') !== m[2]) return undefined;
  return { name: m[1]!, key };
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: Buffer;
  /** everything after the key ID (a signature, or a timestamp and a signature) */
  readonly signature: Buffer;
  readonly line: string;
}

export interface Note {
  /** the signed text, ending in a newline */
  readonly body: string;
  readonly signatures: NoteSignature[];
}

/** Makes the signature line of a note body (Ed25519, type 0x01). */
export function signatureLine(body: string, name: string, key: Ed25519Key): string {
  const sig = sign(null, Buffer.from(body, 'utf8'), key.privateKey);
  return `${EM_DASH} ${name} ${Buffer.concat([keyId(name, SIG_ED25519, key.publicKey), sig]).toString('base64')}\n`;
}

/** Signs a note body: body, blank line, signature line. */
export function signNote(body: string, name: string, key: Ed25519Key): string {
  if (!body.endsWith('\n')) throw new Error('a note body ends with a newline');
  return `${body}\n${signatureLine(body, name, key)}`;
}

export function parseSignatureLine(line: string): NoteSignature | undefined {
  const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})\n?$/u.exec(line);
  if (!m) return undefined;
  const raw = Buffer.from(m[2]!, 'base64');
  if (raw.length < 5) return undefined;
  return {
    name: m[1]!,
    keyId: raw.subarray(0, 4),
    signature: raw.subarray(4),
    line: `${m[0].replace(/\n$/, '')}\n`,
  };
}

/** Splits a signed note at its last blank line; undefined when it is not a well-formed note. */
export function parseNote(text: string): Note | undefined {
  if (!text.endsWith('\n')) return undefined;
  const cut = text.lastIndexOf('\n\n');
  if (cut < 0) return undefined;
  const body = text.slice(0, cut + 1);
  const lines = text.slice(cut + 2).split('\n');
  lines.pop(); // the text ends with "\n"
  if (lines.length === 0) return undefined;
  const signatures: NoteSignature[] = [];
  for (const l of lines) {
    const s = parseSignatureLine(l);
    if (!s) return undefined;
    signatures.push(s);
  }
  return { body, signatures };
}

/** Whether a note carries a valid Ed25519 signature by the verifier key. */
export function verifyNote(note: Note, vkey: VerifierKey): boolean {
  if (vkey.type !== SIG_ED25519) return false;
  const pk = publicKeyObject(vkey.publicKey);
  return note.signatures.some(
    (s) =>
      s.name === vkey.name &&
      s.keyId.equals(vkey.keyId) &&
      s.signature.length === 64 &&
      verify(null, Buffer.from(note.body, 'utf8'), pk, s.signature),
  );
}

// ── checkpoints (C2SP tlog-checkpoint) ────────────────────────────────────────────────────────

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Hash;
  readonly extensions: readonly string[];
}

export function formatCheckpoint(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.rootHash.toString('base64')}\n${c.extensions.map((e) => `${e}\n`).join('')}`;
}

export function parseCheckpoint(body: string): Checkpoint | undefined {
  if (!body.endsWith('\n')) return undefined;
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) return undefined;
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0 || !/^(0|[1-9]\d*)$/.test(sizeText)) return undefined;
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) return undefined;
  const rootHash = Buffer.from(rootText, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== rootText) return undefined;
  if (extensions.some((e) => e.length === 0)) return undefined;
  return { origin, size, rootHash, extensions };
}

// ── cosignatures (C2SP tlog-cosignature, Ed25519 cosignature/v1) ──────────────────────────────

/** The message a witness signs: header, time line, then the checkpoint body. */
export const cosignedMessage = (body: string, timestamp: number): Buffer =>
  Buffer.from(`cosignature/v1\ntime ${timestamp}\n${body}`, 'utf8');

export function cosignatureLine(body: string, name: string, key: Ed25519Key, timestamp: number): string {
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(timestamp));
  const sig = sign(null, cosignedMessage(body, timestamp), key.privateKey);
  return `${EM_DASH} ${name} ${Buffer.concat([keyId(name, SIG_COSIGNATURE_V1, key.publicKey), ts, sig]).toString('base64')}\n`;
}

/** Checks a cosignature line over a checkpoint body; returns its timestamp, or undefined. */
export function verifyCosignature(body: string, s: NoteSignature, vkey: VerifierKey): number | undefined {
  if (vkey.type !== SIG_COSIGNATURE_V1 || s.name !== vkey.name || !s.keyId.equals(vkey.keyId))
    return undefined;
  if (s.signature.length !== 8 + 64) return undefined;
  const ts = s.signature.readBigUInt64BE(0);
  if (ts > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const timestamp = Number(ts);
  const ok = verify(
    null,
    cosignedMessage(body, timestamp),
    publicKeyObject(vkey.publicKey),
    s.signature.subarray(8),
  );
  return ok ? timestamp : undefined;
}

import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { derivedKey } from './personal.js';

/**
 * Uploaded files at rest (ADR 0013): ID-card scans, licences and forms an applicant uploads are
 * sealed like the personal data in the form (AES-256-GCM under a key derived from the secret),
 * and deduplicated by a keyed hash of their content, so that whoever reads the store cannot tell
 * whether a file they hold (a known scan, a leaked contract) is in it — a bare SHA-256 would say.
 *
 * The envelope is binary, not the `v1.<iv>.<ct>` text of {@link seal}: a 10 MB scan in base64
 * would cost a third more space and an encoding pass. Layout:
 *
 *   'TBF' ‖ 0x01 (version) ‖ key generation (uint16, big-endian) ‖ IV (12) ‖ ciphertext ‖ tag (16)
 *
 * The header and the name the file is bound to (its row) are the GCM additional data, so neither
 * a generation nor a sealed file can be moved to another row. The generation names the key: a
 * rotation (operations guide) raises it, new files are sealed under the new key, and `tongban
 * uploads reseal` rewrites the old ones; until then each file opens with the key it names.
 */
export interface FileSealer {
  /** the generation new files are sealed under */
  readonly generation: number;
  /** the keyed content hash (HMAC-SHA256, hex) that deduplicates and names a stored file */
  contentKey(data: Uint8Array): string;
  seal(data: Uint8Array, boundTo: string): Buffer;
  /** the file {@link seal} sealed; throws on another envelope, a changed byte or another row */
  open(sealed: Uint8Array, boundTo: string): Buffer;
  /** the key generation a sealed file names, or undefined when it is not a sealed file */
  generationOf(stored: Uint8Array): number | undefined;
}

const MAGIC = Buffer.from('TBF\u0001', 'latin1');
const HEADER = MAGIC.length + 2;
const IV = 12;
const TAG = 16;

export function createFileSealer(secret: Buffer, generation = 1): FileSealer {
  if (!Number.isInteger(generation) || generation < 1 || generation > 0xffff)
    throw new Error(`file key generation must be 1…65535, not ${generation}`);
  const macKey = derivedKey(secret, 'uploads:content-hmac-sha256');
  const keys = new Map<number, Buffer>();
  const keyOf = (g: number) => {
    let k = keys.get(g);
    if (!k) {
      k = derivedKey(secret, `uploads:aes-256-gcm:g${g}`);
      keys.set(g, k);
    }
    return k;
  };
  const generationOf = (stored: Uint8Array): number | undefined => {
    const b = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
    if (b.length < HEADER + IV + TAG || !b.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
    return b.readUInt16BE(MAGIC.length);
  };
  return {
    generation,
    contentKey: (data) => createHmac('sha256', macKey).update(data).digest('hex'),
    seal(data, boundTo) {
      const header = Buffer.alloc(HEADER);
      MAGIC.copy(header);
      header.writeUInt16BE(generation, MAGIC.length);
      const iv = randomBytes(IV);
      const c = createCipheriv('aes-256-gcm', keyOf(generation), iv);
      c.setAAD(Buffer.concat([header, Buffer.from(boundTo, 'utf8')]));
      return Buffer.concat([header, iv, c.update(data), c.final(), c.getAuthTag()]);
    },
    open(sealed, boundTo) {
      const g = generationOf(sealed);
      if (g === undefined) throw new Error('not a sealed file');
      const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
      const d = createDecipheriv('aes-256-gcm', keyOf(g), b.subarray(HEADER, HEADER + IV));
      d.setAAD(Buffer.concat([b.subarray(0, HEADER), Buffer.from(boundTo, 'utf8')]));
      d.setAuthTag(b.subarray(b.length - TAG));
      return Buffer.concat([d.update(b.subarray(HEADER + IV, b.length - TAG)), d.final()]);
    },
    generationOf,
  };
}

import { randomFillSync } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562 §5.7): 48-bit Unix milliseconds, then random bits, so ids sort by time and any
 * node (or shard) can mint them without coordination. Within one millisecond a 12-bit counter in
 * `rand_a` keeps ids from this process strictly increasing (RFC 9562 §6.2, method 1).
 */
let lastMs = -1;
let counter = 0;

// random bits drawn 4 KiB at a time: one call into the CSPRNG per 256 ids instead of one per id
const POOL = Buffer.allocUnsafe(4096);
let poolAt = POOL.length;
function randomInto(b: Buffer): void {
  if (poolAt + b.length > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  POOL.copy(b, 0, poolAt, poolAt + b.length);
  // the bytes handed out are never handed out again
  POOL.fill(0, poolAt, poolAt + b.length);
  poolAt += b.length;
}

export function newId(nowMs: number = Date.now()): string {
  let ms = nowMs;
  if (ms <= lastMs) {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      // counter exhausted: borrow the next millisecond rather than repeat or go backwards
      ms = lastMs + 1;
      counter = 0;
    }
  } else {
    counter = 0;
  }
  lastMs = ms;
  const b = Buffer.allocUnsafe(16);
  randomInto(b);
  b[0] = Math.floor(ms / 2 ** 40) & 0xff;
  b[1] = Math.floor(ms / 2 ** 32) & 0xff;
  b[2] = (ms >>> 24) & 0xff;
  b[3] = (ms >>> 16) & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | ((counter >>> 8) & 0x0f);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const isId = (s: string): boolean => UUID_RE.test(s);

/** The creation time encoded in a UUIDv7. */
export function idTime(id: string): Date {
  return new Date(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16));
}

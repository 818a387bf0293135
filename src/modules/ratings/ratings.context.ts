import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RatingsConfig } from '../../config/index.js';
import { type Clock, chinaDate } from '../../kernel/index.js';
import type { Store } from '../../platform/db/index.js';
import { createPersonalDataCipher, derivedKey } from '../../platform/privacy/index.js';
import type { RatingsPorts } from './ratings.ports.js';

/** The readonly context the ratings use cases take. */
export interface RatingsContext {
  readonly store: Store;
  readonly db: Store['db'];
  readonly clock: Clock;
  readonly ports: RatingsPorts;
  readonly settings: RatingsConfig;
  /** the platform's public URL (the SMS link) */
  readonly publicUrl: string;
  /** HMAC-SHA256 over a link's id and expiry with a key derived from the master secret */
  readonly sign: (message: string) => string;
  readonly verify: (message: string, signature: string) => boolean;
  /** wakes the event consumers after a commit */
  readonly poke: () => void;
  /** free text at rest (comments, complaints, answers, notes): sealed like other personal data */
  readonly text: FreeText;
}

/**
 * The free text of ratings and complaints can name people and carry their numbers, so it is kept in
 * the personal-data envelope (AES-256-GCM, `v1.<iv>.<ct>`). `open` also reads a value stored in
 * clear (before ratings.0002, or by a node of the previous release during a rolling deploy): a
 * value that is not an envelope of this key is returned as it is — a clear text never opens.
 */
export interface FreeText {
  seal(clear: string): string;
  open(stored: string): string;
  /** whether a stored value is sealed (the upgrade step skips those) */
  isSealed(stored: string): boolean;
}

const ENVELOPE = /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22,}$/;

export function freeText(secretKey: Buffer): FreeText {
  const cipher = createPersonalDataCipher(secretKey);
  const opened = (v: string): string | undefined => {
    if (!ENVELOPE.test(v)) return undefined;
    try {
      return cipher.decrypt(v);
    } catch {
      return undefined;
    }
  };
  return {
    seal: (clear) => cipher.encrypt(clear),
    open: (stored) => opened(stored) ?? stored,
    isSealed: (stored) => opened(stored) !== undefined,
  };
}

export function createRatingsContext(deps: {
  store: Store;
  clock: Clock;
  ports: RatingsPorts;
  settings: RatingsConfig;
  publicUrl: string;
  secretKey: Buffer;
  poke?: () => void;
}): RatingsContext {
  const key = derivedKey(deps.secretKey, 'ratings/link');
  const sign = (m: string) => createHmac('sha256', key).update(m).digest('base64url');
  return {
    store: deps.store,
    db: deps.store.db,
    clock: deps.clock,
    ports: deps.ports,
    settings: deps.settings,
    publicUrl: deps.publicUrl,
    sign,
    verify(m, s) {
      const want = Buffer.from(sign(m));
      const got = Buffer.from(s);
      return want.length === got.length && timingSafeEqual(want, got);
    },
    poke: deps.poke ?? (() => {}),
    text: freeText(deps.secretKey),
  };
}

/** Today in China (UTC+8): the day clocks start and end on. */
export const todayOf = (ctx: RatingsContext): string => chinaDate(ctx.clock.now());

/** Working days to settle a 差评 in a region: the longest configured prefix wins. */
export function rectificationDaysFor(settings: RatingsConfig, regionCode: string): number {
  let best = '';
  for (const p of Object.keys(settings.rectificationDays))
    if (regionCode.startsWith(p) && p.length >= best.length) best = p;
  return settings.rectificationDays[best] ?? 15;
}

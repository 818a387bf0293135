/**
 * How often a stranger may knock where a knock costs something: a message sent, a scrypt hash, a
 * real-name register query, a PDF rendered, a search over the whole index. One table, so the
 * operations guide and the code say the same thing (docs/operations.md, Rate limits).
 */
export interface RateLimit {
  /** requests allowed per key in one window */
  readonly max: number;
  readonly windowMs: number;
  /**
   * what is counted: the client's address (an IPv6 client by its /64), the signed-in account
   * (else the address), or the target the route names (the account a reset message would go to)
   */
  readonly by: 'address' | 'account' | 'target';
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const RATE_LIMITS = {
  /** new accounts from one address (the page and the API together) */
  register: { max: 10, windowMs: HOUR, by: 'address' },
  /** registration messages to one phone, from anywhere: no SMS flood */
  registerTarget: { max: 3, windowMs: HOUR, by: 'target' },
  /** registration codes tried from one address (each registration also allows five tries) */
  registerConfirm: { max: 30, windowMs: HOUR, by: 'address' },
  /** password-reset requests from one address */
  resetRequest: { max: 10, windowMs: HOUR, by: 'address' },
  /** reset messages to one account and phone, from anywhere: no SMS flood */
  resetTarget: { max: 3, windowMs: HOUR, by: 'target' },
  /** real-name checks of one account against the population register (the page and the API) */
  realName: { max: 5, windowMs: HOUR, by: 'account' },
  /** current-password checks of one account (changing the password) */
  passwordCheck: { max: 10, windowMs: 15 * MINUTE, by: 'account' },
  /** licence PDFs rendered for one account */
  licencePdf: { max: 30, windowMs: MINUTE, by: 'account' },
  /** searches from one address (the page and the API) */
  search: { max: 120, windowMs: MINUTE, by: 'address' },
  /** public licence checks from one address (the pages, the API and the signature) */
  licenceVerify: { max: 60, windowMs: MINUTE, by: 'address' },
  /** one-time rating links opened or used from one address (no login: the link is the credential) */
  ratingLink: { max: 30, windowMs: MINUTE, by: 'address' },
} as const satisfies Record<string, RateLimit>;

export type RateLimitName = keyof typeof RATE_LIMITS;
export type RateLimits = Readonly<Record<RateLimitName, RateLimit>>;

import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../../config/index.js';
import type { Clock } from '../../kernel/index.js';
import type { Executor, Store } from '../../platform/db/index.js';
import type { PersonalDataCipher } from '../../platform/privacy/index.js';
import type { RealNameFactors } from './identity.types.js';

/** Session and throttling policy. Values are the defaults; docs/identity.md explains them. */
export const POLICY = {
  /** a session ends 12 h after sign-in at the latest (a working day) */
  sessionAbsoluteMs: 12 * 3600_000,
  /** … or after 30 minutes without a request (等保 2.0 practice for government systems) */
  sessionIdleMs: 30 * 60_000,
  /** last_seen is written at most this often, so page views do not each cost a write */
  touchEveryMs: 60_000,
  /** wrong passwords for one account name from one address before it must wait … */
  signinFreeFailures: 5,
  /** … this long, then longer with each further wrong one (ever-increasing delays, ASVS V2.2.1) */
  signinWaitsMs: [1, 2, 4, 8, 16, 30].map((m) => m * 60_000),
  /** an account name's failures at an address are forgotten a day after the first */
  signinWindowMs: 24 * 3600_000,
  /** a clear attack: this many wrong passwords for one account name in an hour, from anywhere … */
  accountFailures: 100,
  accountWindowMs: 3600_000,
  /** … lock the name for an hour (ASVS V2.2.1: no more than 100 failed attempts an hour) */
  accountLockMs: 3600_000,
  /** one address trying many names */
  addressFailures: 30,
  addressWindowMs: 10 * 60_000,
  addressLockMs: 10 * 60_000,
  resetTokenMs: 30 * 60_000,
  /** a one-time in-person code lives long enough to queue at a window, not for a day */
  inPersonCodeMs: 15 * 60_000,
  /** wrong codes (or a card that is not the account's) before the code is void */
  inPersonCodeFailures: 5,
  /** the registration code sent to the registrant's phone: valid 15 minutes, five tries */
  registrationCodeMs: 15 * 60_000,
  registrationAttempts: 5,
  cliTokenMs: 24 * 3600_000,
  apiTokenMs: 12 * 3600_000,
  clientTokenMs: 3600_000,
} as const;

export interface Notification {
  readonly channel: 'sms' | 'email';
  /** the real address; adapters mask it wherever it is kept */
  readonly to: string;
  readonly subject: string;
  readonly body: string;
}

/** Where messages to people go: an SMS gateway in production, the dev mailbox elsewhere. */
export interface Notifier {
  send(db: Executor, n: Notification): Promise<void>;
  /** several messages, in order (an outbox consumer's batch); absent: `send` one by one */
  sendAll?(db: Executor, ns: readonly Notification[]): Promise<void>;
}

/** A notifier as the identity module hands it to the others: a batch is always one call. */
export interface BatchNotifier extends Notifier {
  sendAll(db: Executor, ns: readonly Notification[]): Promise<void>;
}

/** `sendAll` of an adapter that has only `send`: its messages one by one, in order. */
export function batchNotifier(n: Notifier): BatchNotifier {
  if (n.sendAll) return n as BatchNotifier;
  return {
    send: (db, m) => n.send(db, m),
    async sendAll(db, ns) {
      for (const m of ns) await n.send(db, m);
    },
  };
}

/**
 * Checks real-name factors against an authoritative register (人口库, bank, social security):
 * true when they all match, false when any does not. A service that cannot answer throws
 * (IDENTITY.VERIFIER_UNAVAILABLE): never a guess either way.
 */
export interface RealNameVerifier {
  verify(q: { name: string; idNumber: string; factors: RealNameFactors }): Promise<boolean>;
  /** the demo register's verifier: refused in production, where it would answer for real people */
  readonly demo?: boolean;
}

/** 登记状态 in the legal-person register: only a company 存续 (in business) may be verified. */
export type LegalPersonStatus = 'active' | 'revoked' | 'deregistered';

/** One entry of the legal-person register (法人库): who the company is and who represents it. */
export interface LegalPerson {
  readonly creditCode: string;
  readonly name: string;
  /** 法定代表人 (or 负责人): the person who may confirm the company's account */
  readonly legalRepresentative: { readonly name: string; readonly idNumber: string };
  readonly status: LegalPersonStatus;
  /** true for the demo register's made-up companies */
  readonly demo?: boolean;
}

/**
 * The legal-person register (法人库) organisation verification asks: a port, adapted in app.ts.
 * A demo register serves the demo now; the data-sharing exchange's 法人库 (issue 12) takes its
 * place when it lands, behind the same two questions.
 */
export interface LegalPersonRegister {
  /** the register's entry for a credit code, if it knows the company */
  lookup(creditCode: string): Promise<LegalPerson | undefined>;
  /** the companies whose legal representative has this ID number (the 法人库 indexes it) */
  representedBy(idNumber: string): Promise<readonly LegalPerson[]>;
}

export interface IdentityServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: Config;
  readonly cipher: PersonalDataCipher;
  readonly notifier: Notifier;
  readonly verifier: RealNameVerifier;
  readonly legalPersons: LegalPersonRegister;
}

/**
 * What every identity use case works with: the database, the clock, the configuration, the
 * personal-data cipher and the three outside services (notifier, verifier, legal-person register). Built once by the service; the use cases are
 * top-level functions taking it first, so each can be read, traced and tested on its own.
 */
export interface IdentityContext {
  readonly db: Executor;
  readonly clock: Clock;
  readonly config: Config;
  readonly cipher: PersonalDataCipher;
  readonly notifier: Notifier;
  readonly verifier: RealNameVerifier;
  readonly legalPersons: LegalPersonRegister;
}

export function identityContext(deps: IdentityServiceDeps): IdentityContext {
  return Object.freeze({
    db: deps.store.db,
    clock: deps.clock,
    config: deps.config,
    cipher: deps.cipher,
    notifier: deps.notifier,
    verifier: deps.verifier,
    legalPersons: deps.legalPersons,
  });
}

/** The instant `ms` from now on the context's clock, as stored (ISO 8601, UTC). */
export const isoIn = (ctx: IdentityContext, ms = 0): string =>
  new Date(ctx.clock.now().getTime() + ms).toISOString();

/** Secrets are stored only as this hash (a copy of the database opens nothing). */
export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** 32 random bytes, URL-safe: sessions, bearer tokens and reset links. */
export const randomToken = (prefix: string): string => `${prefix}${randomBytes(32).toString('base64url')}`;

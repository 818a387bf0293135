/**
 * What the halls module needs of others, adapted in app.ts: the regions module's halls and
 * windows, the platform calendar, and the SMS notifier (identity's outbox-fed sender).
 */
import type { Principal } from '../../platform/access.js';
import type { Executor } from '../../platform/db/index.js';

export interface OpeningPeriod {
  readonly days: 'weekdays' | 'saturday' | 'sunday' | 'daily';
  readonly from: string;
  readonly to: string;
}

export interface HallInfo {
  /** the hall's code, `H` + region code: the `{id}` of every halls URL */
  readonly id: string;
  readonly name: string;
  readonly kind: 'city' | 'county' | 'township' | 'village';
  readonly regionCode: string;
  readonly address: string;
  readonly phone: string;
  readonly lat: number;
  readonly lng: number;
  readonly hours: readonly OpeningPeriod[];
  readonly demo: boolean;
}

export interface HallWindowInfo {
  readonly number: number;
  readonly kind: 'general' | 'enquiry' | 'delivery';
  /** set by the hall's manager (halls.layout.ts); absent: the lines of the window's kind */
  readonly lines?: readonly ('A' | 'B' | 'C')[];
  /** the items (实施编码) the window serves; empty or absent: every item of its lines */
  readonly items?: readonly string[];
  /** the staff on duty there (account ids); empty or absent: any clerk of the hall */
  readonly staff?: readonly string[];
  readonly staffLogins?: readonly string[];
}

/** 好差评 of the cases a hall received (the ratings module): for the manager's day figures. */
export interface RatingsPort {
  ofHall(
    hallId: string,
    from: string,
    to: string,
  ): Promise<
    ReadonlyArray<{
      level: number;
      channel: string;
      /** the window pad's window and clerk (一次一评); null on other channels */
      windowCode: string | null;
      /** the clerk's login */
      clerk: string | null;
    }>
  >;
}

/** Staff accounts by login, for assigning them to windows (identity, adapted in app.ts). */
export interface StaffPort {
  principalByLogin(login: string): Promise<Principal | undefined>;
}

export interface RegionsPort {
  hall(code: string): Promise<{ hall: HallInfo; windows: readonly HallWindowInfo[] } | undefined>;
  halls(): Promise<readonly HallInfo[]>;
  /** the codes of the halls that accept an item for an applicant of a division; undefined: no such item */
  acceptingHalls?(itemCode: string, regionCode: string): Promise<string[] | undefined>;
}

/** The working-day calendar: a hall closes on 法定节假日 and opens on 调休 working days. */
export interface CalendarPort {
  describeDay(date: string, regionCode?: string): { working: boolean; reason: string };
}

export interface NotifierPort {
  send(
    db: Executor,
    n: { channel: 'sms' | 'email'; to: string; subject: string; body: string },
  ): Promise<void>;
}

/** The applicant's mobile for a reminder (unmasked; only handed to the notifier). */
export interface ContactPort {
  mobile(accountId: string, db?: Executor): Promise<string | undefined>;
}

/** A case the caller may see (its applicant, or staff in scope), for a ticket or a visit. */
export interface CasesPort {
  caseFor(
    p: Principal,
    caseNumber: string,
  ): Promise<{ caseNumber: string; departmentId: string; applicantId?: string } | undefined>;
}

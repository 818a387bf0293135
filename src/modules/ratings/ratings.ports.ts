import type { Executor } from '../../platform/db/index.js';

/**
 * What the ratings module needs of its neighbours; app.ts adapts cases, identity, catalogue,
 * regions and the calendar to these. No table of another module is read here.
 */

/** A case as a rating needs it (cases' `caseFacts`). */
export interface RatedCase {
  readonly caseNumber: string;
  readonly applicantId: string;
  readonly applicantKind: string;
  readonly implementationCode: string;
  readonly itemName: string;
  /** how it was applied for: 'online' or 'window' (decides the indicator set) */
  readonly channel: string;
  readonly status: string;
  readonly departmentId: string;
  /** the deciding body's region */
  readonly regionCode: string;
  readonly hallId: string | null;
  readonly hallRegionCode: string | null;
  readonly acceptedReached: boolean;
  readonly completedReached: boolean;
  /** the clerk who recorded 受理 */
  readonly acceptedBy: string | null;
}

export interface CasesPort {
  facts(caseNumber: string, within?: Executor): Promise<RatedCase | undefined>;
  /** the facts of several cases at once (unknown numbers left out); absent: `facts` one by one */
  factsMany?(caseNumbers: readonly string[], within?: Executor): Promise<readonly RatedCase[]>;
}

export interface CalendarPort {
  /** whether a date (YYYY-MM-DD) is a working day in a region (法定节假日, 调休, local days) */
  isWorkingDay(date: string, regionCode: string): boolean;
}

export interface IdentityPort {
  /** the accounts' mobiles, for the SMS rating links, in one read (the outbox consumer's batch): id → contact */
  contacts(accountIds: readonly string[], within?: Executor): Promise<Map<string, { mobile: string | null }>>;
}

/** An SMS to a person, sent inside the consumer's transaction (identity's notifier). */
export interface NotifierPort {
  /** several, in order (the consumer's batch), in one call */
  sendAll(
    trx: Executor,
    ns: ReadonlyArray<{ channel: 'sms' | 'email'; to: string; subject: string; body: string }>,
  ): Promise<void>;
}

/** Where a complaint about an item or a hall goes. */
export interface DirectoryPort {
  /** the implementing department of a published item */
  itemDepartment(
    implementationCode: string,
  ): Promise<{ departmentId: string; regionCode: string; name: string } | undefined>;
  /** the body answering for a hall (the 政务服务 office of the hall's region) */
  hallDepartment(
    hallCode: string,
  ): Promise<{ departmentId: string; regionCode: string; name: string } | undefined>;
  department(id: string): Promise<{ id: string; name: string; regionCode: string } | undefined>;
  /** departments in a region (the public results page) */
  departments(regionCode: string): Promise<ReadonlyArray<{ id: string; name: string; regionCode: string }>>;
}

export interface RatingsPorts {
  readonly cases: CasesPort;
  readonly calendar: CalendarPort;
  readonly identity?: IdentityPort;
  readonly notifier?: NotifierPort;
  readonly directory: DirectoryPort;
}

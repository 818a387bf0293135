/**
 * What the cases module needs from its neighbours, as small ports. app.ts adapts the catalogue,
 * regions, identity, calendar and licences modules' public faces to these; tests and the bench
 * pass in-memory fakes. Keeping them small keeps the cases core testable on its own.
 */
import type { Executor } from '../../platform/db/index.js';
import type { DayRule } from './cases.sla.js';

/** A material the application asks for (from the published item version). */
export interface ApplicationMaterial {
  readonly code: string;
  readonly name: string;
  readonly required: boolean;
  /** 'government': should come from an e-licence or shared data, not from the applicant (免提交) */
  readonly source: 'applicant' | 'government';
  readonly licenceType?: string | undefined;
  /** when an optional material is needed */
  readonly requiredWhen?: string | undefined;
  /** the shared data resource a department reads instead (免提交 without an e-licence) */
  readonly sharedData?: string | undefined;
}

/** The part of a published item version an application needs. */
export interface ApplicableItem {
  readonly implementationCode: string;
  readonly version: number;
  readonly name: string;
  /** 事项类型 code, '01' = 行政许可 */
  readonly itemType: string;
  readonly handlingKind: 'immediate' | 'promised';
  readonly promisedDays: number;
  readonly statutoryDays: number;
  readonly exerciseLevel: 'national' | 'province' | 'city' | 'county' | 'township' | 'village';
  /** 网上办理深度 1–4 */
  readonly depth: number;
  /** the implementing department and its region (the deciding body by default) */
  readonly departmentId: string;
  readonly regionCode: string;
  readonly audiences: readonly ('person' | 'organization')[];
  /**
   * 实名等级 the applicant must hold (the catalogue's declaration): 2 verified online by three
   * factors, 3 checked in person at a hall where the law has the applicant appear in person
   */
  readonly realNameLevel: 1 | 2 | 3;
  /** 全城通办 */
  readonly citywide: boolean;
  readonly proxyAcceptance: boolean;
  readonly allowsDeficiency: boolean;
  readonly allowsCommitment: boolean;
  /** 环节 names in order (审核, 审批 …) */
  readonly steps: readonly string[];
  /** JSON Schema (draft 2020-12 subset) of the application form */
  readonly formSchema: Record<string, unknown>;
  /** layout hints: fields in order, with labels, sections and prefill kinds */
  readonly formFields: readonly FormFieldHint[];
  readonly materials: readonly ApplicationMaterial[];
  /** whether approval issues an e-licence, and its type */
  readonly resultLicenceType?: string | undefined;
}

export interface FormFieldHint {
  readonly name: string;
  readonly label: string;
  readonly type: 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'enum';
  readonly required: boolean;
  readonly options?: readonly string[] | undefined;
  readonly hint?: string | undefined;
  readonly prefill?: string | undefined;
  readonly section?: string | undefined;
  /** how to ask: text, textarea, select, radio … */
  readonly widget?: string | undefined;
  /**
   * questions with the same `page` are asked together on one page; without one, each question
   * about the matter gets a page of its own (the applicant's details are always one page)
   */
  readonly page?: string | undefined;
}

export interface BundleDefinition {
  readonly code: string;
  readonly name: string;
  readonly regionCode: string;
  readonly members: readonly { implementationCode: string; name: string }[];
}

export interface CatalogPort {
  /** the published version of an implementation, or undefined */
  applicableItem(implementationCode: string): Promise<ApplicableItem | undefined>;
  bundle(code: string): Promise<BundleDefinition | undefined>;
  /** published implementation codes in code order after `cursor` (for generated historical cases) */
  listCodes?(cursor: string, limit: number): Promise<{ codes: string[]; nextCursor: string | null }>;
}

/** The body that decides a case (a department in a region). */
export interface DecidingBody {
  readonly departmentId: string;
  readonly regionCode: string;
  /** 实施编码 of the implementation that body holds (may differ from the one applied for) */
  readonly implementationCode: string;
}

export interface Hall {
  readonly id: string;
  readonly regionCode: string;
  /** the 6-digit city (地级市) code the hall belongs to, for 全城通办 */
  readonly cityCode: string;
}

export interface RegionsPort {
  /**
   * The body that implements the item for the applicant's region: the ancestor of the region at
   * the item's 行使层级 (village → township → county → city).
   */
  decidingBody(item: ApplicableItem, applicantRegionCode: string): Promise<DecidingBody | undefined>;
  hall(id: string): Promise<Hall | undefined>;
  /** a department and the region it belongs to (its queue is checked against both) */
  department(id: string): Promise<{ id: string; regionCode: string; name?: string } | undefined>;
  /**
   * the departments of a region prefix (a city's: its own and its counties'), for the workbench's
   * list of queues a member of staff may open
   */
  departments?(regionPrefix: string): Promise<Array<{ id: string; name: string; regionCode: string }>>;
}

/** Fields the form may prefill from the account (already decrypted for the owner's own view). */
export interface IdentityPort {
  /**
   * the account's own details by prefill kind (applicantName, idNumber, creditCode, mobile,
   * regionCode); shown only on the owner's own apply pages
   */
  prefill(accountId: string): Promise<Record<string, string>>;
  /**
   * 代办 at a window: the person a clerk names for a walk-in, by account id or by the citizen ID
   * number on their card; undefined unless it is an account of a person or an organisation.
   * `realNameLevel`: for an organisation, its state (1 claimed, 2 or 3 verified)
   */
  applicant(
    ref: string,
  ): Promise<{ accountId: string; kind: 'person' | 'organization'; realNameLevel: number } | undefined>;
  /**
   * where to tell applicants about progress (unmasked; only handed to a notifier): the mobiles of
   * several accounts in one read (an event consumer's batch, through `within`), unknown left out;
   * absent port: nobody is told
   */
  contacts?(
    accountIds: readonly string[],
    within?: Executor,
  ): Promise<Map<string, { mobile: string | null }>>;
  /**
   * 帮办代办: the live 委托 under which `agentId` acts for `principalId` for the item now (its id,
   * and the principal's region when given); undefined: none (absent port: none, fail closed)
   */
  delegationFor?(
    agentId: string,
    principalId: string,
    itemCode?: string,
  ): Promise<{ id: string; regionCode: string | null } | undefined>;
  /** the principals with a live 委托 to an agent now (a grid worker's residents) */
  delegatorsOf?(agentId: string): Promise<
    Array<{
      id: string;
      principalId: string;
      /** masked */
      principalName: string;
      regionCode: string | null;
      scopes: string[];
      validTo: string;
    }>
  >;
}

/** An SMS or e-mail to a person, sent inside the consumer's transaction (identity's Notifier). */
export interface NotifierPort {
  /** several, in order (a consumer's batch), in one call */
  sendAll(
    trx: Executor,
    ns: ReadonlyArray<{ channel: 'sms' | 'email'; to: string; subject: string; body: string }>,
  ): Promise<void>;
}

export interface CalendarPort {
  /** the working-day rule of a region, synchronous once loaded */
  rule(regionCode: string): Promise<DayRule>;
  /**
   * makes sure the loaded calendar is at least this version (from a `calendar.changed` event):
   * the event can reach a consumer before this node has re-read the changed days
   */
  atVersion?(version: string, within?: Executor): Promise<void>;
}

/** An e-licence the applicant may let a case use instead of a material. */
export interface UsableLicence {
  readonly identifier: string;
  readonly typeName: string;
  readonly licenceNumber: string;
  readonly issuerName: string;
  readonly validTo: string | null;
}

/** The e-licence issue (best effort); absent until the licences module is wired. */
export interface LicencesPort {
  /** 免提交: whether the holder's e-licence may supply a material (the hook for the e-licence issue) */
  verifyForCase?(input: {
    holderAccountId: string;
    identifier: string;
    licenceType?: string | undefined;
  }): Promise<boolean>;
  /** 免提交: the holder's licences in force of these types (by name), to offer instead of uploads */
  usableFor?(input: {
    holderAccountId: string;
    licenceTypes: readonly string[];
  }): Promise<Record<string, UsableLicence[]>>;
  /**
   * 用证记录, in two steps like 出证: the look-ups (the user's name) run first; the returned
   * function records one use of the holder's licence for the case inside the case's transaction,
   * so a use is on the holder's record exactly when the case that used it is.
   */
  prepareUse?(input: {
    holderAccountId: string;
    /** the deciding department: who uses the licence */
    departmentId: string;
  }): Promise<
    (trx: Executor, use: { identifier: string; caseNumber: string; materialName: string }) => Promise<void>
  >;
  /**
   * 出证, in two steps: the look-ups (licence type, issuer, holder) run first, outside the case's
   * transaction; the returned function issues the licence inside it, so the licence and the
   * issueResult action commit together or not at all. undefined: this result is not an
   * e-licence the platform can issue (unknown type, no holder number).
   */
  prepareIssue?(input: {
    caseNumber: string;
    implementationCode: string;
    licenceType: string;
    holderAccountId: string;
    regionCode: string;
    /** the deciding department: the issuer */
    departmentId: string;
    /** China date of issue */
    today: string;
  }): Promise<((trx: Executor) => Promise<string>) | undefined>;
}

/**
 * Shared data (the exchange): a material whose source is a government register, read at
 * submission through a grant the deciding department holds, inside the case's transaction.
 * Undefined when it cannot be read: the applicant is then asked for it, never blocked.
 */
export interface SharedDataPort {
  fetch(
    within: Executor,
    input: {
      readonly departmentId: string;
      /** the catalogue's shared-data name (`社会保险参保缴费信息（人社部门共享）`) */
      readonly sharedData: string;
      readonly applicantId: string;
      readonly caseNumber: string;
      readonly purpose: string;
    },
  ): Promise<{ readonly accessId: string } | undefined>;
  /** the exchange's access records of the reads made for a case, oldest first */
  readsForCase?(caseNumber: string): Promise<readonly SharedDataRead[]>;
  /**
   * An apply form's fields read from the registers through the deciding department's grant (each
   * read recorded, purpose `prefill…`); by prefill kind, with the register each came from. Empty
   * when nothing could be read: the form keeps the account's data, never an error.
   */
  prefill?(input: {
    readonly departmentId: string;
    readonly applicantId: string;
    readonly kinds: readonly string[];
    readonly itemName: string;
  }): Promise<RegisterPrefillValues>;
}

/** What the registers prefilled, by prefill kind (applicantName, address, maritalStatus …). */
export interface RegisterPrefillValues {
  readonly values: Readonly<Record<string, string>>;
  readonly sources: Readonly<Record<string, string>>;
  readonly accessIds: readonly string[];
}

/** One read of a register for a case, as the exchange recorded it (no values, field names only). */
export interface SharedDataRead {
  readonly id: string;
  readonly at: string;
  readonly resourceCode: string;
  readonly resourceName: string | null;
  readonly fields: readonly string[];
  readonly purpose: string;
  /** `ok` or the refusal's error code */
  readonly outcome: string;
}

export interface CasesPorts {
  readonly sharedData?: SharedDataPort;
  readonly catalog: CatalogPort;
  readonly regions: RegionsPort;
  readonly identity: IdentityPort;
  readonly calendar: CalendarPort;
  readonly licences?: LicencesPort;
  readonly notifier?: NotifierPort;
}

import type { Executor } from '../../platform/db/index.js';
/** What the exchange needs of other modules; app.ts adapts their public faces (index.ts) to these. */

export interface ExchangeIdentityPort {
  /** a client-credentials machine client (identity), for a consumer department */
  createClient(name: string): Promise<{ client_id: string; client_secret: string }>;
  /** cuts a client off: the client and every token it holds, in one transaction with its event */
  revokeClient(
    clientId: string,
    reason: string,
    regionCode: string,
  ): Promise<{ readonly revokedAt: string; readonly tokensRevoked: number }>;
  /** a new secret; the old one and every token it took are refused */
  rotateClientSecret(
    clientId: string,
    regionCode: string,
  ): Promise<{ client_id: string; client_secret: string; tokensRevoked: number }>;
  /** when each client was revoked (null: in force) */
  clientsRevokedAt(clientIds: readonly string[]): Promise<ReadonlyMap<string, string | null>>;
  /** whose data a signed-in account is: a person's ID number, an organisation's credit code */
  subjectOf(
    accountId: string,
  ): Promise<{ readonly kind: 'idNumber' | 'creditCode'; readonly key: string } | undefined>;
}

export interface ExchangeRegionsPort {
  departmentById(
    id: string,
  ): Promise<{ readonly id: string; readonly name: string; readonly regionCode: string } | undefined>;
  /** the agency of a kind (`gaj` 公安局, `mzj` 民政局 …) in a division */
  departmentByKind(regionCode: string, kind: string): Promise<{ readonly id: string } | undefined>;
}

/** The demo city's people and companies, from identity's demo constants (the same people everywhere). */
export interface ExchangeDemoPort {
  people(): ReadonlyArray<{ readonly name: string; readonly idNumber: string }>;
  companies(): ReadonlyArray<{
    readonly creditCode: string;
    readonly name: string;
    readonly status: 'active' | 'revoked' | 'deregistered';
    readonly legalRepresentative: { readonly name: string; readonly idNumber: string };
  }>;
}

/**
 * The e-licence directory (电子证照目录) as a register: the licences module answers a holder's
 * licences from its own tables (nothing is copied into the exchange).
 */
export interface ExchangeLicencesPort {
  directoryOf(
    holder: { readonly kind: 'idNumber' | 'creditCode'; readonly key: string },
    within: Executor,
  ): Promise<
    ReadonlyArray<{
      readonly identifier: string;
      readonly typeName: string;
      readonly licenceNumber: string;
      readonly issuerName: string;
      readonly issueDate: string;
      readonly validTo: string | null;
      readonly status: string;
    }>
  >;
}

export interface ExchangePorts {
  readonly identity: ExchangeIdentityPort;
  readonly licences?: ExchangeLicencesPort;
  readonly regions: ExchangeRegionsPort;
  readonly demo?: ExchangeDemoPort;
}

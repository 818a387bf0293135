import { z } from 'zod';

/** 证件类型 of the holder (GB/T 36903 持证主体代码类型): 111 公民身份号码, 001 统一社会信用代码. */
export const HolderIdType = z.enum(['111', '001']);
export type HolderIdType = z.infer<typeof HolderIdType>;

/** 共享属性 of a licence type (政务数据共享条例): base registers are shared unconditionally. */
export const ShareScope = z.enum(['unconditional', 'conditional']);
export type ShareScope = z.infer<typeof ShareScope>;

/** 可信等级 of a case material (DOMAIN §6): A issued by the agency … D the applicant's own commitment. */
export const TrustLevel = z.enum(['A', 'B', 'C', 'D']);
export type TrustLevel = z.infer<typeof TrustLevel>;

const isoDate = z.iso.date();

export const HolderInput = z.object({
  name: z.string().trim().min(1).max(100),
  idType: HolderIdType,
  idNumber: z.string().trim().min(1).max(40),
});
export type HolderInput = z.infer<typeof HolderInput>;

/** The licence-specific data items (照面信息), label → value: flat strings only, so they canonicalise simply. */
export const LicenceFields = z.record(z.string().trim().min(1).max(40), z.string().max(500));
export type LicenceFields = z.infer<typeof LicenceFields>;

export const IssueLicenceInput = z.object({
  typeCode: z.string().regex(/^[0-9A-Z]{21}$/),
  /** the issuing body's 统一社会信用代码 */
  issuerCode: z.string().regex(/^[0-9A-Z]{18}$/),
  holder: HolderInput,
  licenceNumber: z.string().trim().min(1).max(64).optional(),
  fields: LicenceFields.default({}),
  validFrom: isoDate,
  /** null: long-term (长期) */
  validTo: isoDate.nullable().default(null),
  issueDate: isoDate.optional(),
  /** 行政区划代码 of the issuing jurisdiction */
  regionCode: z
    .string()
    .regex(/^\d{6,12}$/)
    .optional(),
  caseNumber: z.string().max(64).optional(),
  /** when given, issues a new version of this licence (a change): the old one is superseded */
  replaces: z.string().max(80).optional(),
});
export type IssueLicenceInput = z.input<typeof IssueLicenceInput>;

export interface LicenceType {
  readonly code: string;
  readonly name: string;
  readonly nameEn: string;
  readonly authorityName: string;
  readonly authorityCode: string;
  readonly holderKind: 'person' | 'organization';
  readonly shareScope: ShareScope;
  /** null: long-term */
  readonly validityYears: number | null;
}

export interface Issuer {
  readonly code: string;
  readonly name: string;
  readonly regionCode: string;
}

export type LicenceStatus = 'valid' | 'revoked' | 'superseded' | 'expired' | 'notYetValid';

export interface LicenceSummary {
  readonly identifier: string;
  readonly typeCode: string;
  readonly typeName: string;
  readonly licenceNumber: string;
  readonly issuerCode: string;
  readonly issuerName: string;
  readonly holderNameMasked: string;
  readonly holderIdMasked: string;
  readonly holderIdType: HolderIdType;
  readonly issueDate: string;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly version: number;
  readonly regionCode: string;
  readonly status: LicenceStatus;
  readonly revoked: boolean;
  readonly expired: boolean;
}

export interface VerificationResult {
  readonly valid: boolean;
  /** the register status (superseded, revoked, expired, not yet valid or valid) */
  readonly status: LicenceStatus;
  readonly revoked: boolean;
  readonly expired: boolean;
  readonly identifier: string;
  readonly type: string;
  readonly issuer: string;
  readonly holder: string;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly signatureValid: boolean;
}

export interface SignatureView {
  readonly algorithm: 'SM2-SM3';
  readonly distinguishingId: string;
  readonly signedBytes: string;
  readonly signature: string;
  readonly keyId: string;
  readonly publicKeyPem: string;
}

/** What a case material needs when its source is an e-licence (免提交). */
export interface LicenceMaterial {
  readonly licenceIdentifier: string;
  readonly trustLevel: 'A';
  readonly typeCode: string;
  readonly typeName: string;
  readonly licenceNumber: string;
  readonly issuerName: string;
  readonly validTo: string | null;
  /** path of the holder's PDF */
  readonly documentPath: string;
}

export const RecordUseInput = z.object({
  identifier: z.string().max(80),
  accountId: z.string().min(1).max(64),
  caseNumber: z.string().min(1).max(64),
  departmentId: z.string().max(64).nullable().default(null),
  /** who uses it, by name (the deciding department), shown to the holder */
  userName: z.string().max(200).nullable().default(null),
  purpose: z.string().min(1).max(200),
});
export type RecordUseInput = z.input<typeof RecordUseInput>;

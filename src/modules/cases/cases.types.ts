import { z } from 'zod';
import { SPECIAL_PROCEDURES } from './cases.workflow.js';
import { REGION_CODE_RE } from '../../platform/codes/index.js';

/** What a client sends: 8 to 100 letters, digits, `-` or `_` (a UUID fits). */
export const RequestId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,100}$/)
  .describe(
    'Optional idempotency key chosen by the client (8–100 of A–Z a–z 0–9 - _, e.g. a UUID): a retry with the same key and the same body returns the first answer; the same key with another body is refused (CASES.REQUEST_ID_REUSED, 422)',
  );

const reasonText = z.string().trim().min(2).max(1000);
const itemList = z.array(z.string().trim().min(1).max(200)).min(1).max(50);

/** A material sent with an application: base64 content (JSON API) and its declared type. */
export const MaterialUpload = z.object({
  code: z.string().regex(/^[a-z0-9-]{1,40}$/),
  /** a display name; never used to judge the type */
  filename: z.string().trim().min(1).max(200),
  mediaType: z.string().max(100).optional(),
  contentBase64: z.string().max(14_000_000),
});
export type MaterialUpload = z.infer<typeof MaterialUpload>;

/** An action's fields, with the client's optional request id. */
const action = <T extends z.ZodRawShape>(shape: T) => z.object({ ...shape, requestId: RequestId.optional() });

/** An action as posted to `POST /api/v1/cases/{caseNumber}/actions`: `{"action": …, …}`. */
export const ActionInput = z.discriminatedUnion('action', [
  action({ action: z.literal('preReview'), note: z.string().max(1000).optional() }),
  action({ action: z.literal('accept') }),
  action({ action: z.literal('acceptWithDeficiency'), missing: itemList }),
  action({ action: z.literal('acceptWithCommitment'), commitments: itemList }),
  action({
    action: z.literal('requestSupplement'),
    missing: itemList,
    note: z.string().max(1000).optional(),
  }),
  action({
    action: z.literal('supplement'),
    note: z.string().max(1000).optional(),
    /** the materials asked for, as base64 (pages post them as files) */
    materials: z.array(MaterialUpload).max(30).optional(),
  }),
  action({ action: z.literal('refuse'), reason: reasonText, legalBasis: reasonText }),
  action({ action: z.literal('startStep'), step: z.string().trim().min(1).max(50) }),
  action({ action: z.literal('completeStep'), opinion: z.string().max(2000).optional() }),
  action({ action: z.literal('approve'), opinion: z.string().max(2000).optional() }),
  action({ action: z.literal('reject'), reason: reasonText, legalBasis: reasonText }),
  action({
    action: z.literal('suspend'),
    procedure: z.enum(SPECIAL_PROCEDURES),
    note: z.string().max(1000).optional(),
  }),
  action({ action: z.literal('resume') }),
  action({
    action: z.literal('extend'),
    days: z.number().int().min(1).max(60),
    approvedBy: z.string().trim().min(1).max(100),
    reason: z.string().max(1000).optional(),
  }),
  action({
    action: z.literal('issueResult'),
    delivery: z.enum(['online', 'post', 'window']).optional(),
  }),
  action({ action: z.literal('complete') }),
  action({ action: z.literal('withdraw'), reason: z.string().max(1000).optional() }),
]);
export type ActionInput = z.infer<typeof ActionInput>;

const regionCode = z.string().regex(REGION_CODE_RE);

export const SubmitInput = z.object({
  implementationCode: z.string().min(10).max(40),
  /** the applicant's region (6, 9 or 12 digits); routing picks the deciding body from it */
  regionCode,
  form: z.record(z.string(), z.unknown()),
  materials: z.array(MaterialUpload).max(30).default([]),
  /** e-licences the applicant lets the case use instead of uploads (免提交): material code → identifier */
  licenceMaterials: z.record(z.string(), z.string().max(100)).optional(),
  /** walk-in: the hall receiving the application (clerks) */
  hallId: z.string().max(64).optional(),
  /** walk-in: the account the clerk applies for */
  applicantId: z.string().max(64).optional(),
  /**
   * 帮办代办: the account (id, or citizen ID number) of the person the caller applies for, under
   * the 委托 that person recorded to the caller (a family member, or a 网格员 of their grid)
   */
  onBehalfOf: z.string().max(64).optional(),
  requestId: RequestId.optional(),
});
export type SubmitInput = z.input<typeof SubmitInput>;

export const BundleSubmitInput = z.object({
  bundleCode: z.string().regex(/^[A-Z0-9-]{2,40}$/),
  regionCode,
  /** one combined form: each member validates the fields its own schema knows */
  form: z.record(z.string(), z.unknown()),
  materials: z.array(MaterialUpload).max(30).default([]),
  requestId: RequestId.optional(),
});
export type BundleSubmitInput = z.input<typeof BundleSubmitInput>;

export const ClockView = z.object({
  state: z.enum(['notStarted', 'running', 'paused', 'stopped']),
  due: z.string().nullable(),
  statutoryDue: z.string().nullable(),
  remainingWorkingDays: z.number().nullable(),
  colour: z.enum(['none', 'green', 'yellow', 'red']),
  startDate: z.string().nullable(),
  pausedWorkingDays: z.number(),
  extensionDays: z.number(),
  onTime: z.boolean().nullable(),
});
export type ClockView = z.infer<typeof ClockView>;

export const CaseActionView = z.object({
  seq: z.number(),
  action: z.string(),
  at: z.string(),
  actor: z.string(),
  details: z.record(z.string(), z.unknown()),
});

export const CaseView = z.object({
  caseNumber: z.string(),
  implementationCode: z.string(),
  itemName: z.string(),
  status: z.string(),
  channel: z.string(),
  regionCode: z.string(),
  departmentId: z.string(),
  hallId: z.string().nullable(),
  bundleNumber: z.string().nullable(),
  createdAt: z.string(),
  clock: ClockView,
  actions: z.array(CaseActionView),
  allowedActions: z.array(z.string()),
  materials: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      trustLevel: z.string(),
      licenceIdentifier: z.string().nullable(),
      /** read from a government register through the exchange: its access record (trust A) */
      accessId: z.string().nullable(),
      sha256: z.string().nullable(),
      mediaType: z.string().nullable(),
      size: z.number().nullable(),
    }),
  ),
  result: z.record(z.string(), z.unknown()).nullable(),
});
export type CaseView = z.infer<typeof CaseView>;

export const SubmitResponse = z.object({
  caseNumber: z.string(),
  status: z.string(),
  departmentId: z.string(),
  clock: ClockView,
});

export const BundleResponse = z.object({
  bundleNumber: z.string(),
  cases: z.array(z.object({ caseNumber: z.string(), implementationCode: z.string(), status: z.string() })),
});

export const QueueQuery = z.object({
  department: z.string().max(64).optional(),
  hall: z.string().max(64).optional(),
  status: z.string().max(40).optional(),
  colour: z.enum(['green', 'yellow', 'red', 'none']).optional(),
  page: z.coerce.number().int().min(1).max(10000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type QueueQuery = z.infer<typeof QueueQuery>;

import { z } from 'zod';

/**
 * 依申请公开 (Regulations on Open Government Information, 2019, ch. IV): a request for
 * government information filed with a named body (a department), its actions (append-only) and
 * the reply types of art. 36, each with the legal reference its template cites.
 */

/** how the request reached the body; it decides the date of receipt (art. 31) */
export const CHANNELS = ['online', 'inPerson', 'post', 'forwarded'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

/** the form the requester prefers the information in (art. 29: 获取信息的方式、途径) */
export const FORMS = ['electronic', 'paper'] as const;
export const DELIVERIES = ['online', 'email', 'post', 'collect'] as const;

/** 不予公开 grounds: the closed list of arts. 14 and 15 */
export const REFUSAL_GROUNDS = ['stateSecret', 'lawProhibits', 'security', 'tradeSecret', 'privacy'] as const;
/** 可不予公开 grounds: art. 16 */
export const WITHHOLD_GROUNDS = ['internalAffairs', 'processInformation', 'enforcementFile'] as const;
export const REDACTION_GROUNDS = [...REFUSAL_GROUNDS, ...WITHHOLD_GROUNDS] as const;
export type RedactionGround = (typeof REDACTION_GROUNDS)[number];

/** The reply types of art. 36 (需补正 is the `requestSupplement` action, art. 30). */
export const REPLY_KINDS = [
  'disclose',
  'partial',
  'refuse',
  'mayWithhold',
  'notExist',
  'notResponsible',
  'duplicate',
] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];

/**
 * The article each template cites (2019 条例). `needSupplement`, `extend`, `consult` are the
 * notices that are not replies.
 */
export const LEGAL_REFERENCES: Readonly<Record<ReplyKind | 'needSupplement' | 'extend' | 'consult', string>> =
  {
    disclose: '《中华人民共和国政府信息公开条例》第三十六条第（二）项',
    partial: '《中华人民共和国政府信息公开条例》第三十七条、第三十六条第（三）项',
    refuse: '《中华人民共和国政府信息公开条例》第三十六条第（三）项',
    mayWithhold: '《中华人民共和国政府信息公开条例》第十六条、第三十六条第（三）项',
    notExist: '《中华人民共和国政府信息公开条例》第三十六条第（四）项',
    notResponsible: '《中华人民共和国政府信息公开条例》第三十六条第（五）项',
    duplicate: '《中华人民共和国政府信息公开条例》第三十六条第（六）项',
    needSupplement: '《中华人民共和国政府信息公开条例》第三十条',
    extend: '《中华人民共和国政府信息公开条例》第三十三条第二款',
    consult: '《中华人民共和国政府信息公开条例》第三十二条',
  };

/** The article each ground rests on. */
export const GROUND_ARTICLES: Readonly<Record<RedactionGround, string>> = {
  stateSecret: '第十四条',
  lawProhibits: '第十四条',
  security: '第十四条',
  tradeSecret: '第十五条',
  privacy: '第十五条',
  internalAffairs: '第十六条第一款',
  processInformation: '第十六条第二款',
  enforcementFile: '第十六条第二款',
};

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).optional();

/**
 * An organisation's type, as the national template of the annual report (国办公开办函〔2021〕30号)
 * splits 法人或其他组织: 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他.
 */
export const ORG_TYPES = ['business', 'research', 'publicInterest', 'legalService', 'other'] as const;
export type OrgType = (typeof ORG_TYPES)[number];

/** who asks: a person or an organisation (art. 29 asks name, identity document and contact) */
export const Requester = z.object({
  kind: z.enum(['person', 'organization']),
  /** an organisation's type (the report's sub-columns); 'other' when not said */
  orgType: z.enum(ORG_TYPES).optional(),
  name: text(100),
  /** 身份证件号码 / 统一社会信用代码, optional online (the account is identified) */
  idNumber: optionalText(40),
  phone: optionalText(40),
  email: z.string().trim().email().max(200).optional(),
  address: optionalText(300),
});
export type Requester = z.infer<typeof Requester>;

export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

export const AttachmentInput = z.object({
  filename: text(200),
  mediaType: z.string().max(100).optional(),
  contentBase64: z
    .string()
    .min(1)
    .max(Math.ceil((MAX_ATTACHMENT_BYTES * 4) / 3) + 1_000_000),
});
export type AttachmentInput = z.infer<typeof AttachmentInput>;

export const FileRequestInput = z.object({
  /** the body asked (a department id) */
  body: text(100),
  description: text(4000),
  purpose: optionalText(1000),
  form: z.enum(FORMS).default('electronic'),
  delivery: z.enum(DELIVERIES).default('online'),
  requester: Requester,
  /** a clerk enters requests that came in person or by post; online is the caller's own */
  channel: z.enum(['online', 'inPerson', 'post']).default('online'),
  /** post: the day the letter was signed for (签收); in person: the day it was handed in */
  receivedOn: z.iso.date().optional(),
  /** the requester agrees that the request and its reply appear on the public register (anonymised) */
  publicRegister: z.boolean().default(false),
  attachments: z.array(AttachmentInput).max(5).default([]),
});
export type FileRequestInput = z.infer<typeof FileRequestInput>;

export const FileRequestResponse = z.object({
  requestNumber: z.string(),
  receivedOn: z.string(),
  dueOn: z.string(),
});

const Redaction = z.object({ part: text(500), ground: z.enum(REDACTION_GROUNDS) });

const replyBase = {
  action: z.literal('reply'),
  text: text(20_000),
  attachments: z.array(AttachmentInput).max(10).default([]),
};

/** A reply (art. 36): one of the statutory types, each with what its template needs. */
export const ReplyInput = z.discriminatedUnion('kind', [
  z.object({ ...replyBase, kind: z.literal('disclose') }),
  z.object({ ...replyBase, kind: z.literal('partial'), redactions: z.array(Redaction).min(1).max(100) }),
  z.object({ ...replyBase, kind: z.literal('refuse'), ground: z.enum(REFUSAL_GROUNDS) }),
  z.object({ ...replyBase, kind: z.literal('mayWithhold'), ground: z.enum(WITHHOLD_GROUNDS) }),
  z.object({ ...replyBase, kind: z.literal('notExist') }),
  z.object({
    ...replyBase,
    kind: z.literal('notResponsible'),
    /** the body that is responsible (a department id), named in the reply */
    rightBody: text(100),
    /** file the request with that body too (转送) */
    forward: z.boolean().default(false),
  }),
  z.object({ ...replyBase, kind: z.literal('duplicate'), previousRequest: optionalText(40) }),
]);

/** The actions on a request: every step is one, appended, never changed. */
export const RequestActionInput = z.discriminatedUnion('action', [
  ReplyInput,
  z.object({ action: z.literal('extend'), reason: text(2000) }),
  /** 需补正: every missing point at once (一次性告知), art. 30 */
  z.object({ action: z.literal('requestSupplement'), points: z.array(text(500)).min(1).max(50) }),
  z.object({ action: z.literal('supplement'), text: text(4000) }),
  z.object({ action: z.literal('consultThirdParty'), thirdParty: text(200), note: optionalText(2000) }),
  z.object({
    action: z.literal('thirdPartyReplied'),
    consents: z.boolean(),
    note: optionalText(2000),
  }),
  z.object({ action: z.literal('withdraw'), reason: optionalText(1000) }),
]);
export type RequestActionInput = z.infer<typeof RequestActionInput>;
export type RequestActionType = RequestActionInput['action'] | 'filed' | 'lapse';

export const RequestQueueQuery = z.object({
  body: z.string().min(1).max(100),
  open: z.enum(['1', '0']).default('1'),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type RequestQueueQuery = z.infer<typeof RequestQueueQuery>;

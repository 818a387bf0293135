import { z } from 'zod';

/** 共享类型 (政务数据共享条例): 无条件共享, 有条件共享, 不予共享. */
export const SHARE_TYPES = ['unconditional', 'conditional', 'none'] as const;
export type ShareType = (typeof SHARE_TYPES)[number];

/** The base registers (基础库) a resource reads from. */
export const REGISTERS = ['population', 'legalPersons', 'socialInsurance', 'licences'] as const;
export type RegisterName = (typeof REGISTERS)[number];

/** What identifies a subject in a register: a 公民身份号码 or a 统一社会信用代码. */
export type KeyKind = 'idNumber' | 'creditCode';
export const KEY_KIND: Readonly<Record<RegisterName, KeyKind>> = {
  population: 'idNumber',
  legalPersons: 'creditCode',
  socialInsurance: 'idNumber',
  // the e-licence directory (电子证照目录) of an organisation, read through the licences module
  licences: 'creditCode',
};

/** How a data item is shown when the grant does not allow its clear value (脱敏规则, DOMAIN §8). */
export const MASK_POLICIES = ['none', 'name', 'idNumber', 'mobile', 'address', 'date', 'hidden'] as const;
export type MaskPolicy = (typeof MASK_POLICIES)[number];

export const SENSITIVITIES = ['public', 'internal', 'sensitive'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

export const FIELD_TYPES = ['string', 'date', 'code', 'integer', 'money', 'boolean'] as const;

export const DataItem = z.object({
  /** the record's key in the register (`name`, `birthDate` …) */
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]{0,39}$/),
  label: z.string().min(1).max(40),
  type: z.enum(FIELD_TYPES),
  sensitivity: z.enum(SENSITIVITIES),
  mask: z.enum(MASK_POLICIES),
});
export type DataItem = z.infer<typeof DataItem>;

export const RESOURCE_CLASSES = ['basic', 'theme', 'department'] as const;

/** A catalogue entry (政务数据目录 / 信息资源目录). */
export const ResourceInput = z.object({
  code: z.string().regex(/^[0-9A-Z-]{6,40}$/),
  name: z.string().min(2).max(80),
  /** 基础 / 主题 / 部门 */
  classification: z.enum(RESOURCE_CLASSES),
  /** 类/项/目/细目, e.g. `1/01/001/0001` */
  category: z.string().regex(/^\d{1,2}(\/\d{1,4}){0,3}$/),
  providerDepartmentId: z.string().min(1).max(64),
  summary: z.string().min(1).max(500),
  register: z.enum(REGISTERS),
  items: z.array(DataItem).min(1).max(60),
  shareType: z.enum(SHARE_TYPES),
  /** the condition of 有条件共享, or the legal basis of 不予共享 */
  shareCondition: z.string().max(300).default(''),
  legalBasis: z.string().max(300).default(''),
  methods: z.array(z.enum(['api', 'bulk'])).min(1),
  openType: z.enum(['open', 'conditionalOpen', 'notOpen']).default('notOpen'),
  updateCycle: z.enum(['realtime', 'daily', 'weekly', 'monthly', 'yearly']),
  regionCode: z.string().regex(/^\d{6}$/),
  demo: z.boolean().default(false),
});
export type ResourceInput = z.input<typeof ResourceInput>;

/**
 * A provider's edit of its own catalogue entry: what may change. The code, the register, the
 * providing department and the division stay (a resource is not handed to another department by
 * an edit); every edit is a new version with its snapshot kept.
 */
export const ResourceEdit = z
  .object({
    name: ResourceInput.shape.name,
    classification: ResourceInput.shape.classification,
    category: ResourceInput.shape.category,
    summary: ResourceInput.shape.summary,
    items: ResourceInput.shape.items,
    shareType: ResourceInput.shape.shareType,
    shareCondition: z.string().max(300),
    legalBasis: z.string().max(300),
    methods: ResourceInput.shape.methods,
    openType: z.enum(['open', 'conditionalOpen', 'notOpen']),
    updateCycle: ResourceInput.shape.updateCycle,
  })
  .partial()
  .strict();
export type ResourceEdit = z.input<typeof ResourceEdit>;

export interface Resource {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly classification: (typeof RESOURCE_CLASSES)[number];
  readonly category: string;
  readonly providerDepartmentId: string;
  readonly summary: string;
  readonly register: RegisterName;
  readonly items: readonly DataItem[];
  readonly shareType: ShareType;
  readonly shareCondition: string;
  readonly legalBasis: string;
  readonly methods: readonly ('api' | 'bulk')[];
  readonly openType: string;
  readonly updateCycle: string;
  readonly regionCode: string;
  readonly version: number;
  readonly publishedOn: string;
  readonly demo: boolean;
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** A consumer department's request for a resource (共享申请). */
export const RequestInput = z
  .object({
    resource: z.string().min(1).max(40),
    fields: z.array(z.string().min(1).max(40)).min(1).max(60),
    /** fields asked for in clear (unmasked); the provider must agree for sensitive ones */
    clearFields: z.array(z.string().min(1).max(40)).max(60).default([]),
    purpose: z.string().trim().min(4).max(300),
    legalBasis: z.string().trim().min(4).max(300),
    period: z.object({ from: isoDate, to: isoDate }),
    /** expected lookups per day */
    volume: z.number().int().min(1).max(100_000_000),
    /** lookups per minute the consumer asks for (default 600) */
    ratePerMinute: z.number().int().min(1).max(10_000_000).default(600),
    bulk: z.boolean().default(false),
  })
  .refine((r) => r.period.from <= r.period.to, { path: ['period', 'to'], message: 'before from' });
export type RequestInput = z.input<typeof RequestInput>;

export const DecisionInput = z.discriminatedUnion('decision', [
  z.object({
    decision: z.literal('grant'),
    ratePerMinute: z.number().int().min(1).max(10_000_000).optional(),
  }),
  z.object({ decision: z.literal('refuse'), reason: z.string().trim().max(500) }),
]);
export type DecisionInput = z.infer<typeof DecisionInput>;

export const LookupInput = z.object({
  resource: z.string().min(1).max(40),
  key: z.string().trim().min(1).max(40),
  purpose: z.string().trim().min(2).max(300),
  caseNumber: z.string().trim().min(1).max(64).optional(),
  /** a subset of the granted fields (default: all of them) */
  fields: z.array(z.string().min(1).max(40)).max(60).optional(),
});
export type LookupInput = z.input<typeof LookupInput>;

/** A bulk file (批量文件) for a grant: the keys asked, at most 10,000 (exchange.lookup.ts). */
export const BulkInput = z.object({
  resource: z.string().min(1).max(40),
  keys: z.array(z.string().trim().min(1).max(40)).min(1).max(10_000),
  purpose: z.string().trim().min(2).max(300),
  caseNumber: z.string().trim().min(1).max(64).optional(),
  fields: z.array(z.string().min(1).max(40)).max(60).optional(),
  format: z.enum(['csv', 'json']).default('csv'),
});
export type BulkInput = z.input<typeof BulkInput>;

export type RequestStatus = 'pending' | 'granted' | 'refused';
export type GrantStatus = 'active' | 'suspended' | 'revoked';

export interface ShareRequest {
  readonly id: string;
  readonly resourceId: string;
  readonly resourceCode: string;
  readonly departmentId: string;
  readonly fields: readonly string[];
  readonly clearFields: readonly string[];
  readonly purpose: string;
  readonly legalBasis: string;
  readonly periodFrom: string;
  readonly periodTo: string;
  readonly volume: number;
  readonly ratePerMinute: number;
  readonly bulk: boolean;
  readonly status: RequestStatus;
  readonly reason: string | null;
  readonly requestedAt: string;
  readonly dueOn: string;
  readonly decidedAt: string | null;
  readonly grantId: string | null;
}

export interface Grant {
  readonly id: string;
  readonly requestId: string;
  readonly resourceId: string;
  readonly departmentId: string;
  readonly fields: readonly string[];
  readonly clearFields: readonly string[];
  readonly purpose: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly ratePerMinute: number;
  readonly bulk: boolean;
  readonly status: GrantStatus;
}

/** One read (or refused read) of a register, as the subject and the provider see it. */
export interface AccessRecord {
  readonly id: string;
  readonly at: string;
  readonly departmentId: string | null;
  readonly clientId: string | null;
  readonly resourceCode: string;
  readonly resourceName: string | null;
  readonly fields: readonly string[];
  readonly purpose: string;
  readonly caseNumber: string | null;
  /** `ok` or the refusal's error code */
  readonly outcome: string;
  readonly eventId: string;
}

export type RegisterRecord = Readonly<Record<string, string | number | boolean | null>>;

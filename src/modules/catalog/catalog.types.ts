import { z } from 'zod';
import { REGION_CODE_RE } from '../../platform/codes/index.js';

/**
 * The service guide (办事指南) of one implementation (实施清单 entry), modelled on the national
 * element list (DOMAIN.md §2–3). One zod schema and its inferred type share a name. A guide is
 * stored as canonical JSON in a version row; the columns search and filters need are copied out.
 *
 * 实施编码 (implementationCode) = the implementing department's 18-char 统一社会信用代码
 * + the 12-digit 基本编码 + a 2-digit variant serial ('00' for the item itself, '01'… for a
 * 情形 implemented as its own entry): 32 characters. 基本编码 = 2-digit item type + 7-digit main
 * item serial + 3-digit sub-item serial ('000' when the item has no sub-items).
 */

export const ITEM_TYPES = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '20'] as const;
export const ItemType = z.enum(ITEM_TYPES);
export type ItemType = z.infer<typeof ItemType>;
/** 依申请 types: a citizen or enterprise can apply for these (DOMAIN.md §2). */
export const ON_APPLICATION_TYPES: readonly ItemType[] = ['01', '05', '07', '08', '09', '10', '20'];

export const EXERCISE_LEVELS = ['national', 'province', 'city', 'county', 'township', 'village'] as const;
export const ExerciseLevel = z.enum(EXERCISE_LEVELS);
export type ExerciseLevel = z.infer<typeof ExerciseLevel>;

/** 网上办理深度 Ⅰ 事项公开, Ⅱ 在线预审, Ⅲ 在线申办, Ⅳ 全程网办 */
export const Depth = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
export type Depth = z.infer<typeof Depth>;

export const HandlingKind = z.enum(['immediate', 'promised']);
export type HandlingKind = z.infer<typeof HandlingKind>;

export const BASIC_CODE_RE = /^(0[1-9]|10|20)\d{10}$/;
export const CREDIT_CODE_RE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;
export const IMPLEMENTATION_CODE_RE =
  /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(0[1-9]|10|20)\d{10}\d{2}$/;

const text = (max = 2000) => z.string().trim().min(1).max(max);
const optText = (max = 2000) => z.string().trim().max(max).optional();
const count = z.number().int().min(0).max(99);

/** A time limit: a number of days (0 = 即办) and its unit; working days unless stated. */
export const TimeLimit = z.object({
  days: z.number().int().min(0).max(3650),
  unit: z.enum(['workingDay', 'naturalDay']).default('workingDay'),
  note: optText(500),
});
export type TimeLimit = z.infer<typeof TimeLimit>;

export const LegalBasis = z.object({
  /** the law or regulation, e.g. 《中华人民共和国行政许可法》 */
  law: text(200),
  /** article level: 第二十九条 */
  article: text(100),
  text: optText(2000),
});
export type LegalBasis = z.infer<typeof LegalBasis>;

/** 申请材料. `source` government ⇒ it should come from an e-licence or data sharing (免提交). */
export const Material = z.object({
  code: z.string().regex(/^[a-z0-9-]{1,40}$/),
  name: text(200),
  form: z.enum(['paper', 'electronic', 'either']),
  necessity: z.enum(['required', 'optional']),
  /** when an optional material is needed */
  requiredWhen: optText(300),
  source: z.enum(['applicant', 'government']).optional(),
  /** 证照类型 name of the e-licence that replaces it (government source) */
  licenceType: optText(100),
  /** the shared data resource that replaces it (government source) */
  sharedData: optText(100),
  /** issuing body for government-sourced materials */
  issuer: optText(100),
  originals: count,
  copies: count,
  blankForm: optText(300),
  sample: optText(300),
  notes: optText(500),
});
export type Material = z.infer<typeof Material>;

/** 情形: a variant that changes materials and limits. */
export const Situation = z.object({
  code: z.string().regex(/^\d{2}$/),
  name: text(200),
  description: optText(1000),
  /** materials needed in this situation in addition to the item's own */
  materials: z.array(Material).default([]),
  promisedLimit: TimeLimit.optional(),
  statutoryLimit: TimeLimit.optional(),
});
export type Situation = z.infer<typeof Situation>;

export const FeeItem = z.object({ name: text(200), standard: text(300), basis: text(300) });
export const Fees = z.object({
  charged: z.boolean(),
  items: z.array(FeeItem).default([]),
  waiver: optText(500),
  onlinePayment: z.boolean().default(false),
  paymentMethods: z.array(z.enum(['online', 'window', 'bank'])).default([]),
});
export type Fees = z.infer<typeof Fees>;

/** 环节 */
export const Step = z.object({
  name: text(50),
  office: text(100),
  limit: TimeLimit,
  description: optText(1000),
});
export type Step = z.infer<typeof Step>;

/** 特别程序: their time does not count toward the limit. */
export const SpecialProcedure = z.object({
  kind: z.enum(['hearing', 'testing', 'inspection', 'expertReview', 'publicNotice', 'other']),
  name: text(100),
  limit: TimeLimit,
  basis: optText(300),
});
export type SpecialProcedure = z.infer<typeof SpecialProcedure>;

export const ItemResult = z.object({
  kind: z.enum(['licence', 'certificate', 'approval', 'record', 'payment', 'other']),
  name: text(200),
  /** a sample of the result document (path or URL) */
  sample: optText(300),
  postalDelivery: z.boolean(),
  eLicence: z.boolean(),
  licenceType: optText(100),
  validity: optText(100),
});
export type ItemResult = z.infer<typeof ItemResult>;

export const HallRef = z.object({
  hallId: optText(64),
  name: text(200),
  address: text(300),
  hours: text(200),
  phone: optText(50),
  windows: optText(100),
});
export type HallRef = z.infer<typeof HallRef>;

export const Channel = z.object({
  kind: z.enum(['phone', 'web', 'window', 'email', 'post']),
  value: text(300),
});
export type Channel = z.infer<typeof Channel>;

export const Faq = z.object({ question: text(300), answer: text(2000) });
export type Faq = z.infer<typeof Faq>;

/** A form field of the application form (a JSON Schema property plus layout hints). */
export const FormField = z.object({
  name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,40}$/),
  label: text(100),
  type: z.enum(['string', 'number', 'integer', 'boolean', 'date', 'enum']),
  required: z.boolean().default(false),
  options: z.array(z.string().max(100)).optional(),
  pattern: optText(200),
  maxLength: z.number().int().positive().optional(),
  hint: optText(300),
  /**
   * kinds the platform prefills from the account or, read through the deciding department's grant,
   * from the registers (never stored in the catalogue): maritalStatus from 婚姻登记信息,
   * legalRepresentative and registeredAddress from 法人库
   */
  prefill: z
    .enum([
      'applicantName',
      'idNumber',
      'creditCode',
      'mobile',
      'address',
      'maritalStatus',
      'legalRepresentative',
      'registeredAddress',
    ])
    .optional(),
  section: z.enum(['applicant', 'item', 'delivery']).default('item'),
  widget: z.enum(['text', 'textarea', 'select', 'radio', 'checkbox', 'date', 'number']).optional(),
  /** questions sharing a page name are asked together; otherwise one question per page */
  page: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}$/)
    .optional(),
});
export type FormField = z.infer<typeof FormField>;
export const FormDefinition = z.object({ fields: z.array(FormField).min(1) });
export type FormDefinition = z.infer<typeof FormDefinition>;

export const Audience = z.enum(['person', 'organization']);
export type Audience = z.infer<typeof Audience>;

/**
 * 实名等级 an applicant must hold to apply (docs/identity.md): an application is made in a
 * person's or an organisation's name, so by default the name must be verified (L2: three factors
 * online for a person; for an organisation, its verified state). L3 (checked in person at a hall)
 * where the law has the applicant appear in person, e.g. 《婚姻登记条例》第七条, 《居民身份证法》
 * 第十条 and 《护照法》第五条. L1 (registered only) for items that need no verified name.
 */
export const RealNameLevel = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export type RealNameLevel = z.infer<typeof RealNameLevel>;

/**
 * 责任清单 entry: a duty attached to the power (责任事项), its basis, and the 追责情形 — when the
 * body and its staff answer for failing it.
 */
export const Duty = z.object({ content: text(500), basis: optText(300), accountability: optText(1000) });
export type Duty = z.infer<typeof Duty>;

export const Guide = z.object({
  // identity
  basicCode: z.string().regex(BASIC_CODE_RE),
  /** 2 digits: '00' the item itself; '01'… a 情形 listed as its own implementation */
  variant: z
    .string()
    .regex(/^\d{2}$/)
    .default('00'),
  name: text(200),
  type: ItemType,
  exerciseLevel: ExerciseLevel,
  implementingBody: z.object({
    departmentId: text(64),
    name: text(200),
    creditCode: z.string().regex(CREDIT_CODE_RE),
    nature: z.enum(['statutory', 'authorised', 'entrusted']),
  }),
  regionCode: z.string().regex(REGION_CODE_RE),
  entrustedBy: optText(200),
  jointBodies: z.array(text(200)).default([]),
  powerSource: z.enum(['statutory', 'delegated', 'entrusted']),
  legalBasis: z.array(LegalBasis).min(1),
  // who and when
  audiences: z.array(Audience).min(1),
  realNameLevel: RealNameLevel.default(2),
  conditions: z.array(text(1000)).min(1),
  quantityLimit: optText(500),
  handlingKind: HandlingKind,
  // time
  statutoryLimit: TimeLimit,
  promisedLimit: TimeLimit,
  // how
  handlingForms: z.array(z.enum(['window', 'online', 'post', 'kiosk', 'agent'])).min(1),
  steps: z.array(Step).min(1),
  specialProcedures: z.array(SpecialProcedure).default([]),
  materials: z.array(Material).default([]),
  situations: z.array(Situation).default([]),
  fees: Fees,
  results: z.array(ItemResult).min(1),
  // where
  halls: z.array(HallRef).default([]),
  appointment: z.object({ available: z.boolean(), dailyQuota: z.number().int().min(0).max(10000) }),
  acceptanceScope: z.object({
    /** 全城通办: any hall in the city accepts */
    citywide: z.boolean(),
    /** 跨区域 / 跨省通办 modes */
    crossRegion: z.array(z.enum(['fullyOnline', 'proxyAcceptance', 'multiSite'])).default([]),
  }),
  // online
  online: z.object({
    available: z.boolean(),
    depth: Depth,
    visits: z.number().int().min(0).max(9),
    singleSignOn: z.boolean().default(true),
    url: optText(300),
  }),
  // help
  faq: z.array(Faq).default([]),
  consultation: z.array(Channel).min(1),
  complaint: z.array(Channel).min(1),
  review: z.object({ reconsideration: text(200), litigation: text(200) }),
  // lists and grouping
  themes: z.array(z.string().regex(/^[a-z][a-z0-9-]{1,40}$/)).default([]),
  duties: z.array(Duty).default([]),
  negativeListRefs: z.array(z.string().max(40)).default([]),
  form: FormDefinition,
  /** marks demo content (not legally valid) */
  demo: z.boolean().default(false),
});
export type Guide = z.infer<typeof Guide>;
export type GuideInput = z.input<typeof Guide>;

export const VersionStatus = z.enum(['draft', 'review', 'published', 'superseded', 'withdrawn']);
export type VersionStatus = z.infer<typeof VersionStatus>;

/** One version of an implementation: the guide plus its lifecycle. */
export interface ItemVersion {
  readonly implementationCode: string;
  readonly version: number;
  readonly status: VersionStatus;
  readonly effectiveFrom: string | null;
  readonly withdrawnAt: string | null;
  readonly publishedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly departmentName: string;
  readonly guide: Guide;
}

export function implementationCodeOf(g: Pick<Guide, 'implementingBody' | 'basicCode' | 'variant'>): string {
  return `${g.implementingBody.creditCode}${g.basicCode}${g.variant}`;
}

/** Themes (主题) for 自然人 (life events) and 法人 (enterprise life cycle). */
export const THEMES: ReadonlyArray<{ code: string; audience: Audience; zh: string; en: string }> = [
  { code: 'birth', audience: 'person', zh: '生育收养', en: 'Birth and adoption' },
  { code: 'household', audience: 'person', zh: '户籍办理', en: 'Household registration' },
  { code: 'education', audience: 'person', zh: '教育科研', en: 'Education' },
  { code: 'employment', audience: 'person', zh: '就业创业', en: 'Jobs and starting up' },
  { code: 'marriage', audience: 'person', zh: '婚姻登记', en: 'Marriage' },
  { code: 'social-security', audience: 'person', zh: '社会保障', en: 'Social security' },
  { code: 'medical', audience: 'person', zh: '医疗卫生', en: 'Health care' },
  { code: 'housing', audience: 'person', zh: '住房保障', en: 'Housing' },
  { code: 'transport', audience: 'person', zh: '交通出行', en: 'Transport' },
  { code: 'veterans', audience: 'person', zh: '退役安置', en: 'Veterans' },
  { code: 'retirement', audience: 'person', zh: '退休养老', en: 'Retirement and elderly care' },
  { code: 'bereavement', audience: 'person', zh: '死亡殡葬', en: 'Death and funerals' },
  { code: 'documents', audience: 'person', zh: '证件办理', en: 'Identity documents' },
  { code: 'assistance', audience: 'person', zh: '社会救助', en: 'Social assistance' },
  { code: 'property', audience: 'person', zh: '不动产登记', en: 'Real estate' },
  {
    code: 'business-start',
    audience: 'organization',
    zh: '设立变更',
    en: 'Starting and changing a business',
  },
  { code: 'permits', audience: 'organization', zh: '准营准办', en: 'Operating permits' },
  { code: 'qualifications', audience: 'organization', zh: '资质认证', en: 'Qualifications' },
  { code: 'construction', audience: 'organization', zh: '工程建设', en: 'Construction projects' },
  { code: 'tax', audience: 'organization', zh: '税收财务', en: 'Tax and finance' },
  { code: 'hr', audience: 'organization', zh: '人力资源', en: 'Employing staff' },
  { code: 'environment', audience: 'organization', zh: '环境保护', en: 'Environment' },
  { code: 'safety', audience: 'organization', zh: '安全生产', en: 'Work safety' },
  { code: 'trade', audience: 'organization', zh: '商务贸易', en: 'Trade and commerce' },
  { code: 'transport-business', audience: 'organization', zh: '交通运输', en: 'Transport business' },
  { code: 'closure', audience: 'organization', zh: '破产注销', en: 'Closing a business' },
];

// ── API input schemas ──────────────────────────────────────────────────────────────────────

export const ItemListQuery = z.object({
  q: z.string().trim().max(100).optional(),
  region: z
    .string()
    .regex(/^\d{2,12}$/)
    .optional(),
  department: z.string().max(64).optional(),
  type: ItemType.optional(),
  theme: z.string().max(40).optional(),
  depth: z.coerce.number().int().min(1).max(4).optional(),
  level: ExerciseLevel.optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});
export type ItemListQuery = z.infer<typeof ItemListQuery>;

export const ItemSummary = z.object({
  implementationCode: z.string(),
  basicCode: z.string(),
  name: z.string(),
  type: z.string(),
  department: z.string(),
  region: z.string(),
  level: z.string(),
  depth: z.number(),
  promisedLimit: z.number(),
  statutoryLimit: z.number(),
});
export type ItemSummary = z.infer<typeof ItemSummary>;

export const ItemListResponse = z.object({ total: z.number(), items: z.array(ItemSummary) });

/** A quality failure (DOMAIN.md §2): the field, the rule and how to fix it. */
export interface QualityIssue {
  readonly field: string;
  readonly rule: string;
  readonly fix: { readonly zh: string; readonly en: string };
}

/** 一件事 bundle: several items as one life event. */
export const Bundle = z.object({
  code: z.string().regex(/^[A-Z0-9-]{2,40}$/),
  name: text(100),
  audience: Audience,
  regionCode: z.string().regex(REGION_CODE_RE),
  description: text(1000),
  members: z
    .array(z.object({ implementationCode: z.string().regex(IMPLEMENTATION_CODE_RE), name: text(200) }))
    .min(2),
  /** the combined materials: each once, with the members that use it */
  materials: z.array(Material.extend({ usedBy: z.array(z.string()) })).default([]),
  promisedLimit: TimeLimit,
  demo: z.boolean().default(false),
});
export type Bundle = z.infer<typeof Bundle>;

/** 负面清单 (market access negative list) measure: 禁止准入 or 许可准入, linked to the items granting it. */
export const NegativeListEntry = z.object({
  code: z.string().regex(/^[A-Z0-9-]{1,40}$/),
  category: z.enum(['prohibited', 'permitted']),
  measure: text(500),
  /** the law, regulation or decision it rests on */
  basis: optText(500),
  /** the 基本编码 of the catalogue items that grant the permission (许可准入) */
  basicCodes: z.array(z.string().regex(BASIC_CODE_RE)).default([]),
});
export type NegativeListEntry = z.infer<typeof NegativeListEntry>;

/** One edition of the negative list (e.g. 《市场准入负面清单（2025年版）》). */
export const NegativeListEdition = z.object({
  edition: z.string().regex(/^\d{4}$/),
  title: text(200),
  publishedOn: z.iso.date(),
  entries: z.array(NegativeListEntry).min(1),
});
export type NegativeListEdition = z.infer<typeof NegativeListEdition>;

/** The power types (行政权力 01–10): every item type except 公共服务 (20). */
export const POWER_TYPES = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'] as const;

/** 权力清单 / 责任清单 filters: the body, a word, the day the list is read as of (China time). */
export const PowerListQuery = z.object({
  department: z.string().max(64).optional(),
  q: z.string().trim().max(100).optional(),
  basicCode: z.string().regex(BASIC_CODE_RE).optional(),
  type: z.enum(POWER_TYPES).optional(),
  asOf: z.iso.date().optional(),
  page: z.coerce.number().int().min(1).max(100000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(50),
});
export type PowerListQuery = z.infer<typeof PowerListQuery>;

export const NegativeListQuery = z.object({
  edition: z
    .string()
    .regex(/^\d{4}$/)
    .optional(),
  category: z.enum(['prohibited', 'permitted']).optional(),
  q: z.string().trim().max(100).optional(),
});
export type NegativeListQuery = z.infer<typeof NegativeListQuery>;

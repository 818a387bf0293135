import { z } from 'zod';

/**
 * 好差评 under the 2019 national rules (国务院办公厅关于建立政务服务“好差评”制度的意见): five levels,
 * indicator codes by the way the service was given, text, an anonymous flag, first rating and
 * follow-up (追评); complaints, enquiries and suggestions (政民互动) and their answers.
 */

/** online service (网上办理): 办事效率, 办事指南准确性, 便利度, 易用性 */
export const ONLINE_INDICATORS = ['efficiency', 'guideAccuracy', 'convenience', 'usability'] as const;
/** in the hall (现场服务): 办事效率, 业务水平, 服务态度 */
export const OFFLINE_INDICATORS = ['efficiency', 'skill', 'attitude'] as const;
export const INDICATORS = [
  'efficiency',
  'guideAccuracy',
  'convenience',
  'usability',
  'skill',
  'attitude',
] as const;
export type Indicator = (typeof INDICATORS)[number];

export const RATING_CHANNELS = ['web', 'sms', 'window', 'kiosk'] as const;
export const RATING_STAGES = ['accepted', 'completed'] as const;
export const RATING_LEVELS = [5, 4, 3, 2, 1] as const;

/** The indicator set a case is rated on: online for a case applied for online, offline for a walk-in. */
export const indicatorsFor = (caseChannel: string): readonly Indicator[] =>
  caseChannel === 'online' ? ONLINE_INDICATORS : OFFLINE_INDICATORS;

/** 差评: levels 1 and 2 open a rectification. */
export const isPoor = (level: number): boolean => level <= 2;

const text = z.string().trim().max(500);

/** `POST /api/v1/cases/{caseNumber}/ratings` (CONTRACT: level, stage, channel, indicators, text). */
export const RatingInput = z
  .object({
    level: z.number().int().min(1).max(5),
    stage: z.enum(RATING_STAGES),
    channel: z.enum(RATING_CHANNELS),
    /** the indicators the rater finds wanting (or, for a good rating, well done) */
    indicators: z.array(z.enum(INDICATORS)).max(INDICATORS.length).default([]),
    text: text.optional(),
    /** the department is not told who rated (the platform still ties the rating to the case) */
    anonymous: z.boolean().default(false),
    /** 追评: a second word on a rating already given at this stage and channel */
    followUp: z.boolean().default(false),
    /** the window pad: the window's code (一次一评 ties a rating to the window and the clerk) */
    window: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,16}$/)
      .optional(),
  })
  .strict();
export type RatingInput = z.infer<typeof RatingInput>;

/** The SMS / QR link's form: the same, without the channel (the link carries it). */
export const LinkRatingInput = RatingInput.omit({ channel: true, window: true, stage: true });
export type LinkRatingInput = z.infer<typeof LinkRatingInput>;

export interface Rating {
  readonly id: string;
  readonly caseNumber: string;
  readonly stage: (typeof RATING_STAGES)[number];
  readonly channel: (typeof RATING_CHANNELS)[number];
  readonly level: number;
  readonly indicators: readonly Indicator[];
  readonly text: string | null;
  readonly anonymous: boolean;
  readonly followUp: boolean;
  readonly departmentId: string;
  readonly regionCode: string;
  readonly itemCode: string | null;
  readonly windowCode: string | null;
  readonly createdAt: string;
  /** the rectification a 差评 opened */
  readonly rectificationId: string | null;
}

// ── rectification (差评整改) ──────────────────────────────────────────────────────────────────

export const RECTIFICATION_STATUSES = ['open', 'appealed', 'closed'] as const;
export type RectificationStatus = (typeof RECTIFICATION_STATUSES)[number];

const reason = z.string().trim().min(2).max(1000);

/** The department's steps on a rectification, and the supervisor's decision on an appeal. */
export const RectificationStep = z.discriminatedUnion('action', [
  /** 回访: the rater was called back (实名差评回访率 100 %) */
  z.object({ action: z.literal('callback'), note: reason, reached: z.boolean().default(true) }).strict(),
  /** 整改: the fault fixed */
  z.object({ action: z.literal('fix'), note: reason }).strict(),
  /** 解释说明: no legal basis for what was asked; explained to the rater */
  z.object({ action: z.literal('explain'), note: reason }).strict(),
  /** 申诉: the rating is malicious or mistaken (恶意 / 误评) */
  z.object({ action: z.literal('appeal'), note: reason, ground: z.enum(['malicious', 'mistaken']) }).strict(),
  /** the supervisor's decision on an appeal, with reasons */
  z.object({ action: z.literal('decideAppeal'), upheld: z.boolean(), note: reason }).strict(),
]);
export type RectificationStep = z.infer<typeof RectificationStep>;

export interface Rectification {
  readonly id: string;
  readonly ratingId: string;
  readonly caseNumber: string;
  readonly departmentId: string;
  readonly regionCode: string;
  readonly level: number;
  readonly openedOn: string;
  readonly dueOn: string;
  readonly status: RectificationStatus;
  readonly realName: boolean;
  readonly calledBack: boolean;
  readonly outcome: 'fixed' | 'explained' | 'appeal-upheld' | null;
  readonly closedOn: string | null;
  readonly onTime: boolean | null;
  /** the rater's rating of the fix (the follow-up), if given */
  readonly fixLevel: number | null;
  readonly steps: ReadonlyArray<{
    readonly action: string;
    readonly note: string;
    readonly at: string;
    readonly by: string | null;
  }>;
}

// ── complaints (政民互动) ─────────────────────────────────────────────────────────────────────

export const COMPLAINT_KINDS = ['enquiry', 'complaint', 'suggestion'] as const;
export type ComplaintKindName = (typeof COMPLAINT_KINDS)[number];

/** What a complaint is about: an item (实施编码), a hall (its code) or a case (its number). */
export const ComplaintSubject = z.discriminatedUnion('type', [
  z.object({ type: z.literal('item'), implementationCode: z.string().regex(/^[0-9A-Z]{18,40}$/) }).strict(),
  z.object({ type: z.literal('hall'), hallCode: z.string().regex(/^H\d{6,12}$/) }).strict(),
  z.object({ type: z.literal('case'), caseNumber: z.string().regex(/^[0-9A-Z]{10,60}$/) }).strict(),
]);
export type ComplaintSubject = z.infer<typeof ComplaintSubject>;

/** `POST /api/v1/complaints` by a signed-in citizen. */
export const ComplaintInput = z
  .object({
    kind: z.enum(COMPLAINT_KINDS),
    subject: ComplaintSubject,
    title: z.string().trim().min(2).max(100),
    body: z.string().trim().min(5).max(4000),
  })
  .strict();
export type ComplaintInput = z.infer<typeof ComplaintInput>;

/** `POST /api/v1/complaints/hotline` by a 12345 hotline system: idempotent by its ticket number. */
export const HotlineInput = ComplaintInput.extend({
  ticket: z.string().regex(/^[A-Za-z0-9-]{4,40}$/),
  /** the caller's callback phone stays in the hotline system: it is never sent here */
}).strict();
export type HotlineInput = z.infer<typeof HotlineInput>;

export const AnswerInput = z.object({ answer: z.string().trim().min(5).max(4000) }).strict();
export const AnswerRatingInput = z.object({ level: z.number().int().min(1).max(5) }).strict();

export interface Complaint {
  readonly complaintNumber: string;
  readonly kind: ComplaintKindName;
  readonly subject: ComplaintSubject;
  readonly title: string;
  readonly body: string;
  readonly departmentId: string;
  readonly regionCode: string;
  readonly channel: 'web' | '12345';
  readonly ticket: string | null;
  readonly filedOn: string;
  readonly dueOn: string;
  readonly status: 'open' | 'answered';
  readonly answer: string | null;
  readonly answeredAt: string | null;
  readonly onTime: boolean | null;
  readonly answerLevel: number | null;
  readonly createdAt: string;
}

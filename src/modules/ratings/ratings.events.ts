/**
 * The events the ratings module writes to the outbox (platform/events `appendEvent`, in the same
 * transaction as the state change). Payloads hold no personal data: no rater id, no name, no text
 * — the supervision figures (modules/stats) and the transparency log read them as they are.
 *
 * | type | aggregate | payload |
 * |---|---|---|
 * | `ratings.rated` | `rating` / rating id | {caseNumber, stage, channel, level, departmentId, regionCode, itemCode, realName, anonymous} |
 * | `ratings.rectification-opened` | `rectification` / id | {rectificationId, caseNumber, departmentId, dueOn} |
 * | `ratings.callback-recorded` | `rectification` / id | {rectificationId, departmentId, realName} |
 * | `ratings.rectification-closed` | `rectification` / id | {rectificationId, departmentId, outcome, onTime} |
 * | `ratings.followed-up` | `rating` / rating id | the same fields as `ratings.rated`: a 追评 (second word; on a 差评, the rating of the fix) |
 * | `ratings.appeal-filed` | `rectification` / id | {rectificationId, departmentId, ground} |
 * | `ratings.appeal-decided` | `rectification` / id | {rectificationId, departmentId, upheld} |
 * | `complaints.filed` | `complaint` / complaint number | {complaintNumber, kind, departmentId, dueOn, channel} |
 * | `complaints.answered` | `complaint` / complaint number | {complaintNumber, departmentId, onTime} |
 *
 * Every event carries the handling department's region code as the event's `regionCode`.
 */
export const RATINGS_EVENTS = {
  rated: 'ratings.rated',
  followedUp: 'ratings.followed-up',
  appealFiled: 'ratings.appeal-filed',
  appealDecided: 'ratings.appeal-decided',
  rectificationOpened: 'ratings.rectification-opened',
  callbackRecorded: 'ratings.callback-recorded',
  rectificationClosed: 'ratings.rectification-closed',
  complaintFiled: 'complaints.filed',
  complaintAnswered: 'complaints.answered',
} as const;

/** 好差评 levels (2019 national rule): 5 非常满意 … 1 非常不满意; 差评 = 1 or 2. */
export type RatingLevel = 1 | 2 | 3 | 4 | 5;
/** 受理 or 办结: a rating is given at acceptance or at completion. */
export type RatingStage = 'accepted' | 'completed';
/** case page (web), the signed SMS link, the window pad / QR (一次一评), the hall kiosk */
export type RatingChannel = 'web' | 'sms' | 'window' | 'kiosk';
/** 咨询 / 投诉 / 建议 */
export type ComplaintKind = 'enquiry' | 'complaint' | 'suggestion';
export type RectificationOutcome = 'fixed' | 'explained' | 'appeal-upheld';

export interface RatedPayload {
  readonly caseNumber: string;
  readonly stage: RatingStage;
  readonly channel: RatingChannel;
  readonly level: RatingLevel;
  readonly departmentId: string;
  /** the handling department's region (also the event's regionCode) */
  readonly regionCode: string;
  /** the 实施编码 of the case, null when unknown */
  readonly itemCode: string | null;
  /** the rater is known by real name (not anonymous, and signed in at L2+ or by the case's SMS link) */
  readonly realName: boolean;
  readonly anonymous: boolean;
}

export interface RectificationOpenedPayload {
  readonly rectificationId: string;
  readonly caseNumber: string;
  readonly departmentId: string;
  /** YYYY-MM-DD (China date), N working days after the 差评 on the department region's calendar */
  readonly dueOn: string;
}

export interface CallbackRecordedPayload {
  readonly rectificationId: string;
  readonly departmentId: string;
  /** the 差评 was real-name (counts toward 实名差评回访率) */
  readonly realName: boolean;
}

export interface RectificationClosedPayload {
  readonly rectificationId: string;
  readonly departmentId: string;
  readonly outcome: RectificationOutcome;
  /** closed on or before dueOn (China date) */
  readonly onTime: boolean;
}

export interface ComplaintFiledPayload {
  readonly complaintNumber: string;
  readonly kind: ComplaintKind;
  readonly departmentId: string;
  readonly dueOn: string;
  readonly channel: 'web' | '12345';
}

export interface ComplaintAnsweredPayload {
  readonly complaintNumber: string;
  readonly departmentId: string;
  readonly onTime: boolean;
}

/**
 * Giving a rating (好差评). A rating is accepted only for a real case of the rater — its
 * applicant signed in (case page, kiosk), the window clerk of the receiving hall on the window pad
 * (一次一评, tied to the window and the clerk), or the holder of the case's signed one-time link
 * (SMS or the window's QR) — at a stage the case has reached, once per case × stage × channel
 * (a unique index decides a race). Everything is checked before the one transaction that writes
 * the rating, its event and, for a 差评, the rectification it opens.
 */
import { DomainError, newId } from '../../kernel/index.js';
import { type Principal, allows, holds } from '../../platform/access.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { parseInput } from '../../platform/input.js';
import { dueAfter } from './ratings.clock.js';
import { type RatingsContext, rectificationDaysFor, todayOf } from './ratings.context.js';
import { RATINGS_EVENTS, type RatedPayload, type RectificationOpenedPayload } from './ratings.events.js';
import type { RatedCase } from './ratings.ports.js';
import * as st from './ratings.store.js';
import { type Rating, RatingInput, indicatorsFor, isPoor } from './ratings.types.js';

/** Who gives the rating, as the route established it. */
export type Rater =
  | { readonly via: 'principal'; readonly principal: Principal }
  | { readonly via: 'link'; readonly link: st.LinkRow };

interface Decided {
  readonly raterId: string;
  readonly clerkId: string | null;
  readonly windowCode: string | null;
  readonly actor: string | null;
}

/** Pure: whether this rater may rate this case through this channel, and as whom. */
export function decideRater(c: RatedCase, input: RatingInput, who: Rater): Decided | DomainError {
  if (who.via === 'link') {
    const l = who.link;
    if (l.case_number !== c.caseNumber || l.stage !== input.stage || l.channel !== input.channel)
      return new DomainError('RATINGS.LINK_INVALID');
    return { raterId: c.applicantId, clerkId: l.clerk_id, windowCode: l.window_code, actor: null };
  }
  const p = who.principal;
  if (p.accountId === c.applicantId && holds(p, 'ratings.give')) {
    // the applicant's own channels; the SMS link and the window pad are not theirs to claim
    if (input.channel !== 'web' && input.channel !== 'kiosk')
      return new DomainError('RATINGS.CHANNEL_NOT_ALLOWED', { params: { channel: input.channel } });
    return { raterId: c.applicantId, clerkId: null, windowCode: null, actor: p.accountId };
  }
  // the window pad: a clerk of the hall that received the case hands the pad to the applicant
  if (c.hallId && c.hallRegionCode && allows(p, 'cases.accept', { regionCode: c.hallRegionCode })) {
    if (input.channel !== 'window')
      return new DomainError('RATINGS.CHANNEL_NOT_ALLOWED', { params: { channel: input.channel } });
    if (!input.window) return new DomainError('RATINGS.WINDOW_REQUIRED');
    return { raterId: c.applicantId, clerkId: p.accountId, windowCode: input.window, actor: p.accountId };
  }
  // not theirs: the same answer as no such case (no oracle of case numbers)
  return new DomainError('RATINGS.CASE_NOT_FOUND');
}

/** Pure: the stage must have been reached, and the indicators must fit how the case was handled. */
export function checkRating(c: RatedCase, input: RatingInput): DomainError | undefined {
  const reached = input.stage === 'accepted' ? c.acceptedReached : c.completedReached;
  if (!reached) return new DomainError('RATINGS.STAGE_NOT_REACHED', { params: { stage: input.stage } });
  const allowed = indicatorsFor(c.channel);
  const wrong = input.indicators.filter((i) => !allowed.includes(i));
  if (wrong.length)
    return new DomainError('RATINGS.INDICATOR_NOT_APPLICABLE', {
      details: wrong.map((i) => ({ field: 'indicators', rule: `INDICATOR.${i}` })),
    });
  return undefined;
}

export async function rate(
  ctx: RatingsContext,
  caseNumber: string,
  raw: unknown,
  who: Rater,
): Promise<Rating> {
  const input = parseInput(RatingInput, raw);
  const c = await ctx.ports.cases.facts(caseNumber);
  if (!c) throw new DomainError('RATINGS.CASE_NOT_FOUND');
  const decided = decideRater(c, input, who);
  if (decided instanceof DomainError) throw decided;
  const refused = checkRating(c, input);
  if (refused) throw refused;
  const round = input.followUp ? 'followUp' : 'first';
  const now = ctx.clock.now().toISOString();
  const today = todayOf(ctx);
  const row: st.RatingRow = {
    id: newId(),
    case_number: c.caseNumber,
    stage: input.stage,
    channel: input.channel,
    round,
    level: input.level,
    indicators: JSON.stringify([...new Set(input.indicators)]),
    // free text can name people: sealed at rest (ratings.context `text`)
    text: input.text ? ctx.text.seal(input.text) : null,
    anonymous: input.anonymous ? 1 : 0,
    // named: not anonymous, and tied to the applicant's account (signed in, or their case's link)
    real_name: input.anonymous ? 0 : 1,
    rater_id: decided.raterId,
    department_id: c.departmentId,
    region_code: c.regionCode,
    item_code: c.implementationCode || null,
    hall_id: c.hallId,
    window_code: decided.windowCode,
    clerk_id: decided.clerkId,
    created_at: now,
  };
  let rectificationId: string | null = null;
  await inTransaction(ctx.db, async (trx) => {
    if (who.via === 'link' && !(await st.useLink(trx, who.link.id, now)))
      throw new DomainError('RATINGS.LINK_USED');
    const first = input.followUp
      ? await st.ratingOf(trx, c.caseNumber, input.stage, input.channel, 'first')
      : undefined;
    if (input.followUp && !first) throw new DomainError('RATINGS.NOTHING_TO_FOLLOW');
    if (!(await st.insertRatingOnce(trx, row))) throw new DomainError('RATINGS.ALREADY_RATED');
    const payload: RatedPayload = {
      caseNumber: c.caseNumber,
      stage: input.stage,
      channel: input.channel,
      level: input.level as RatedPayload['level'],
      departmentId: c.departmentId,
      regionCode: c.regionCode,
      itemCode: row.item_code,
      realName: row.real_name === 1,
      anonymous: input.anonymous,
    };
    // a follow-up (追评) is its own event, so `ratings.rated` counts each first rating once
    await appendEvent(trx, ctx.clock, {
      type: input.followUp ? RATINGS_EVENTS.followedUp : RATINGS_EVENTS.rated,
      aggregateType: 'rating',
      aggregateId: row.id,
      regionCode: c.regionCode,
      actor: decided.actor,
      payload: { ...payload },
    });
    if (!input.followUp && isPoor(input.level))
      rectificationId = await openRectification(ctx, trx, row, today, now);
    if (first) {
      // 追评 on a 差评: the rater's rating of the fix
      const r = await st.rectificationOfRating(trx, first.id);
      if (r) {
        await st.updateRectification(trx, r.id, r.updated_at, { fix_level: input.level, updated_at: now });
        await appendStepRow(ctx, trx, r, 'rated', { system: `level ${input.level}` }, decided.actor, now);
        rectificationId = r.id;
      }
    }
  });
  ctx.poke();
  return toRating(ctx, row, rectificationId);
}

/** A 差评 opens a rectification owned by the handling department, due in N working days. */
async function openRectification(
  ctx: RatingsContext,
  trx: Executor,
  rating: st.RatingRow,
  today: string,
  now: string,
): Promise<string> {
  const days = rectificationDaysFor(ctx.settings, rating.region_code);
  const dueOn = dueAfter(today, days, (d) => ctx.ports.calendar.isWorkingDay(d, rating.region_code));
  const r: st.RectificationRow = {
    id: newId(),
    rating_id: rating.id,
    case_number: rating.case_number,
    department_id: rating.department_id,
    region_code: rating.region_code,
    level: rating.level,
    rater_id: rating.rater_id,
    real_name: rating.real_name,
    opened_on: today,
    due_on: dueOn,
    status: 'open',
    called_back: 0,
    outcome: null,
    closed_on: null,
    on_time: null,
    fix_level: null,
    created_at: now,
    updated_at: now,
  };
  await st.insertRectification(trx, r);
  await appendStepRow(ctx, trx, r, 'opened', { system: `${days}` }, null, now);
  const payload: RectificationOpenedPayload = {
    rectificationId: r.id,
    caseNumber: r.case_number,
    departmentId: r.department_id,
    dueOn,
  };
  await appendEvent(trx, ctx.clock, {
    type: RATINGS_EVENTS.rectificationOpened,
    aggregateType: 'rectification',
    aggregateId: r.id,
    regionCode: r.region_code,
    payload: { ...payload },
  });
  return r.id;
}

/** The steps whose note the system makes from figures alone (`opened`: the days allowed; `rated`: a 追评's level). */
export const SYSTEM_STEP_ACTIONS = ['opened', 'rated'] as const;

/**
 * A step's note: `written` by a person (free text, sealed) or made by the `system` from figures
 * alone (SYSTEM_STEP_ACTIONS: kept clear).
 */
export type StepNote = { readonly written: string } | { readonly system: string };

export async function appendStepRow(
  ctx: RatingsContext,
  trx: Executor,
  r: Pick<st.RectificationRow, 'id' | 'region_code'>,
  action: string,
  note: StepNote,
  actor: string | null,
  at: string,
): Promise<void> {
  const steps = await st.stepsOf(trx, r.id);
  await st.appendStep(trx, {
    rectification_id: r.id,
    seq: steps.length + 1,
    action,
    // a written note can name the person called back: sealed at rest; the system's own (the days
    // allowed, the level of a 追评) names no one and stays clear (FreeText.open reads either)
    note: 'written' in note ? ctx.text.seal(note.written) : note.system,
    actor_id: actor,
    region_code: r.region_code,
    at,
  });
}

export const toRating = (
  ctx: Pick<RatingsContext, 'text'>,
  r: st.RatingRow,
  rectificationId: string | null = null,
): Rating => ({
  id: r.id,
  caseNumber: r.case_number,
  stage: r.stage as Rating['stage'],
  channel: r.channel as Rating['channel'],
  level: r.level,
  indicators: JSON.parse(r.indicators) as Rating['indicators'],
  text: r.text === null ? null : ctx.text.open(r.text),
  anonymous: r.anonymous === 1,
  followUp: r.round === 'followUp',
  departmentId: r.department_id,
  regionCode: r.region_code,
  itemCode: r.item_code,
  windowCode: r.window_code,
  createdAt: r.created_at,
  rectificationId,
});

/** The rater's own ratings (my ratings page). */
export async function myRatings(ctx: RatingsContext, p: Principal): Promise<Rating[]> {
  const rows = await st.ratingsByRater(ctx.db, p.accountId);
  return rows.map((r) => toRating(ctx, r));
}

/** The ratings of a case, for its applicant (the rate page shows what was given already). */
export async function ratingsOfCase(
  ctx: RatingsContext,
  caseNumber: string,
  p: Principal,
): Promise<{ case: RatedCase; ratings: Rating[] }> {
  const c = await ctx.ports.cases.facts(caseNumber);
  if (!c || c.applicantId !== p.accountId) throw new DomainError('RATINGS.CASE_NOT_FOUND');
  return { case: c, ratings: (await st.ratingsOfCase(ctx.db, caseNumber)).map((r) => toRating(ctx, r)) };
}

/**
 * `ratingsOfCase` for several cases at once (the kiosk's "what can I rate"): the cases' facts in
 * one batch and their ratings in one query, instead of two reads per case. Only the caller's own
 * cases are answered (another's, or an unknown number, is left out, as `ratingsOfCase` would
 * refuse it); in the order asked.
 */
export async function ratingsOfCases(
  ctx: RatingsContext,
  caseNumbers: readonly string[],
  p: Principal,
): Promise<Array<{ case: RatedCase; ratings: Rating[] }>> {
  const numbers = [...new Set(caseNumbers)];
  if (numbers.length === 0) return [];
  const port = ctx.ports.cases;
  const facts = port.factsMany
    ? await port.factsMany(numbers)
    : (await Promise.all(numbers.map((n) => port.facts(n)))).filter((c) => c !== undefined);
  const own = new Map(facts.filter((c) => c.applicantId === p.accountId).map((c) => [c.caseNumber, c]));
  const byCase = new Map<string, Rating[]>();
  for (const r of await st.ratingsOfCases(ctx.db, [...own.keys()])) {
    const list = byCase.get(r.case_number) ?? [];
    list.push(toRating(ctx, r));
    byCase.set(r.case_number, list);
  }
  return numbers.flatMap((n) => {
    const c = own.get(n);
    return c ? [{ case: c, ratings: byCase.get(n) ?? [] }] : [];
  });
}

/** The window pad's view of a case: a clerk of the hall that received it, and its window ratings so far. */
export async function padView(
  ctx: RatingsContext,
  caseNumber: string,
  p: Principal,
): Promise<{ case: RatedCase; ratings: Rating[] }> {
  const c = await ctx.ports.cases.facts(caseNumber);
  if (!c?.hallId || !c.hallRegionCode || !allows(p, 'cases.accept', { regionCode: c.hallRegionCode }))
    throw new DomainError('RATINGS.CASE_NOT_FOUND');
  return { case: c, ratings: (await st.ratingsOfCase(ctx.db, caseNumber)).map((r) => toRating(ctx, r)) };
}

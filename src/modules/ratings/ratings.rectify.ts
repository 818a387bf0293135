/**
 * 差评整改: the handling department calls the rater back (回访, 实名差评回访率 100 %), then fixes
 * the fault or explains why there is no legal basis, or appeals a malicious or mistaken rating,
 * which a supervisor decides with reasons. Each step is appended; the projection row is written
 * only if no one moved it since it was read, and each step's event goes in the same transaction.
 */
import { DomainError } from '../../kernel/index.js';
import { type Principal, allows } from '../../platform/access.js';
import { inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { parseInput } from '../../platform/input.js';
import { type ClockColour, colourOf } from './ratings.clock.js';
import { type RatingsContext, todayOf } from './ratings.context.js';
import {
  type CallbackRecordedPayload,
  RATINGS_EVENTS,
  type RectificationClosedPayload,
  type RectificationOutcome,
} from './ratings.events.js';
import { appendStepRow } from './ratings.rate.js';
import * as st from './ratings.store.js';
import { type Rectification, RectificationStep } from './ratings.types.js';

const HANDLE = 'ratings.handle';
const SUPERVISE = 'ratings.supervise';

const scopeOf = (r: st.RectificationRow) => ({ regionCode: r.region_code, departmentId: r.department_id });

/** Who may see a rectification: its department's handlers, and supervisors over its region. */
export const maySee = (p: Principal, r: st.RectificationRow): boolean =>
  allows(p, HANDLE, scopeOf(r)) ||
  allows(p, SUPERVISE, { regionCode: r.region_code, departmentId: r.department_id });

export interface RectificationView extends Rectification {
  readonly colour: ClockColour;
  readonly remaining: number;
}

function toView(ctx: RatingsContext, r: st.RectificationRow, steps: st.StepRow[]): RectificationView {
  const c = colourOf(r.due_on, todayOf(ctx), r.status === 'closed', (d) =>
    ctx.ports.calendar.isWorkingDay(d, r.region_code),
  );
  return {
    id: r.id,
    ratingId: r.rating_id,
    caseNumber: r.case_number,
    departmentId: r.department_id,
    regionCode: r.region_code,
    level: r.level,
    openedOn: r.opened_on,
    dueOn: r.due_on,
    status: r.status as Rectification['status'],
    realName: r.real_name === 1,
    calledBack: r.called_back === 1,
    outcome: r.outcome as Rectification['outcome'],
    closedOn: r.closed_on,
    onTime: r.on_time === null ? null : r.on_time === 1,
    fixLevel: r.fix_level,
    steps: steps.map((s) => ({ action: s.action, note: ctx.text.open(s.note), at: s.at, by: s.actor_id })),
    colour: c.colour,
    remaining: c.remaining,
  };
}

export async function rectification(
  ctx: RatingsContext,
  id: string,
  p: Principal,
): Promise<RectificationView> {
  const r = await st.rectificationById(ctx.db, id);
  if (!r || !maySee(p, r)) throw new DomainError('RATINGS.RECTIFICATION_NOT_FOUND');
  return toView(ctx, r, await st.stepsOf(ctx.db, id));
}

/**
 * The queue: a department's handlers see their department's (chosen from their grants), a
 * supervisor every department's in their region. Open first, by due date.
 */
export async function rectificationQueue(
  ctx: RatingsContext,
  p: Principal,
  opts: { status?: 'open' | 'appealed' | 'closed' | undefined } = {},
): Promise<RectificationView[]> {
  const handled = p.grants.filter((g) => g.permissions.includes(HANDLE));
  const supervised = p.grants.filter((g) => g.permissions.includes(SUPERVISE));
  const status = opts.status ? [opts.status] : ['open', 'appealed'];
  const rows: st.RectificationRow[] = [];
  const seen = new Set<string>();
  for (const g of [...handled, ...supervised]) {
    const found = await st.rectificationQueue(ctx.db, {
      departmentIds: g.departmentId ? [g.departmentId] : undefined,
      regionPrefix: g.regionPrefix,
      status,
    });
    for (const r of found)
      if (!seen.has(r.id) && maySee(p, r)) {
        rows.push(r);
        seen.add(r.id);
      }
  }
  rows.sort((a, b) => (a.due_on < b.due_on ? -1 : a.due_on > b.due_on ? 1 : 0));
  return rows.map((r) => toView(ctx, r, []));
}

/** One step by the department (callback, fix, explain, appeal) or the supervisor (decideAppeal). */
export async function stepRectification(
  ctx: RatingsContext,
  id: string,
  raw: unknown,
  p: Principal,
): Promise<RectificationView> {
  const step = parseInput(RectificationStep, raw);
  const r = await st.rectificationById(ctx.db, id);
  if (!r || !maySee(p, r)) throw new DomainError('RATINGS.RECTIFICATION_NOT_FOUND');
  const permission = step.action === 'decideAppeal' ? SUPERVISE : HANDLE;
  if (!allows(p, permission, scopeOf(r)))
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission } });
  const want = step.action === 'decideAppeal' ? 'appealed' : 'open';
  if (r.status !== want) throw new DomainError('RATINGS.STEP_NOT_ALLOWED', { params: { status: r.status } });
  // a named 差评 is called back before it is settled (实名差评回访率 100 %)
  if ((step.action === 'fix' || step.action === 'explain') && r.real_name === 1 && r.called_back === 0)
    throw new DomainError('RATINGS.CALLBACK_FIRST');
  if (step.action === 'callback' && r.called_back === 1)
    throw new DomainError('RATINGS.STEP_NOT_ALLOWED', { params: { status: 'calledBack' } });

  const now = ctx.clock.now().toISOString();
  const today = todayOf(ctx);
  const close = (outcome: RectificationOutcome): Partial<st.RectificationRow> => ({
    status: 'closed',
    outcome,
    closed_on: today,
    on_time: today <= r.due_on ? 1 : 0,
  });
  let set: Partial<st.RectificationRow>;
  switch (step.action) {
    case 'callback':
      set = { called_back: 1 };
      break;
    case 'fix':
      set = close('fixed');
      break;
    case 'explain':
      set = close('explained');
      break;
    case 'appeal':
      set = { status: 'appealed' };
      break;
    case 'decideAppeal':
      set = step.upheld ? close('appeal-upheld') : { status: 'open' };
      break;
  }
  await inTransaction(ctx.db, async (trx) => {
    if (!(await st.updateRectification(trx, r.id, r.updated_at, { ...set, updated_at: now })))
      throw new DomainError('RATINGS.STEP_NOT_ALLOWED', { params: { status: 'changed' } });
    const note =
      step.action === 'appeal'
        ? `${step.ground}: ${step.note}`
        : step.action === 'decideAppeal'
          ? `${step.upheld ? 'upheld' : 'rejected'}: ${step.note}`
          : step.note;
    await appendStepRow(ctx, trx, r, step.action, { written: note }, p.accountId, now);
    const base = {
      aggregateType: 'rectification',
      aggregateId: r.id,
      regionCode: r.region_code,
      actor: p.accountId,
    };
    if (step.action === 'callback') {
      const payload: CallbackRecordedPayload = {
        rectificationId: r.id,
        departmentId: r.department_id,
        realName: r.real_name === 1,
      };
      await appendEvent(trx, ctx.clock, {
        ...base,
        type: RATINGS_EVENTS.callbackRecorded,
        payload: { ...payload },
      });
    }
    if (step.action === 'appeal')
      await appendEvent(trx, ctx.clock, {
        ...base,
        type: RATINGS_EVENTS.appealFiled,
        payload: { rectificationId: r.id, departmentId: r.department_id, ground: step.ground },
      });
    if (step.action === 'decideAppeal')
      await appendEvent(trx, ctx.clock, {
        ...base,
        type: RATINGS_EVENTS.appealDecided,
        payload: { rectificationId: r.id, departmentId: r.department_id, upheld: step.upheld },
      });
    if (set.status === 'closed') {
      const payload: RectificationClosedPayload = {
        rectificationId: r.id,
        departmentId: r.department_id,
        outcome: set.outcome as RectificationOutcome,
        onTime: set.on_time === 1,
      };
      await appendEvent(trx, ctx.clock, {
        ...base,
        type: RATINGS_EVENTS.rectificationClosed,
        payload: { ...payload },
      });
    }
  });
  ctx.poke();
  return rectification(ctx, id, p);
}

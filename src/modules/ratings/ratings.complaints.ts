/**
 * 政民互动: 咨询 / 投诉 / 建议 about an item, a hall or a case, routed to the department that
 * answers for it with a working-day clock per kind; staff answer once; the citizen rates the
 * answer. The 12345 hotline's intake is idempotent by its ticket number, and its answers go back
 * through the outbox (ratings.hotline.ts). They live in this module because they share its
 * clocks, its ports and its rule that a department answers for what it was rated on.
 */
import { createHash } from 'node:crypto';
import { DomainError, newId } from '../../kernel/index.js';
import { type Principal, allows, holds } from '../../platform/access.js';
import { inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { parseInput } from '../../platform/input.js';
import { dueAfter } from './ratings.clock.js';
import { type RatingsContext, todayOf } from './ratings.context.js';
import {
  type ComplaintAnsweredPayload,
  type ComplaintFiledPayload,
  RATINGS_EVENTS,
} from './ratings.events.js';
import * as st from './ratings.store.js';
import {
  AnswerInput,
  AnswerRatingInput,
  type Complaint,
  ComplaintInput,
  type ComplaintSubject,
  HotlineInput,
} from './ratings.types.js';

const HANDLE = 'ratings.handle';
const SUPERVISE = 'ratings.supervise';

/** The department that answers for the subject; a case only its own applicant may name. */
async function routeSubject(
  ctx: RatingsContext,
  s: ComplaintSubject,
  filer: string | null,
): Promise<{ departmentId: string; regionCode: string }> {
  if (s.type === 'case') {
    const c = await ctx.ports.cases.facts(s.caseNumber);
    if (!c || (filer !== null && c.applicantId !== filer)) throw new DomainError('RATINGS.SUBJECT_NOT_FOUND');
    return { departmentId: c.departmentId, regionCode: c.regionCode };
  }
  const d =
    s.type === 'item'
      ? await ctx.ports.directory.itemDepartment(s.implementationCode)
      : await ctx.ports.directory.hallDepartment(s.hallCode);
  if (!d) throw new DomainError('RATINGS.SUBJECT_NOT_FOUND');
  return d;
}

const fingerprint = (i: { kind: string; subject: unknown; title: string; body: string }) =>
  createHash('sha256')
    .update(JSON.stringify([i.kind, i.subject, i.title, i.body]))
    .digest('hex');

async function file(
  ctx: RatingsContext,
  input: { kind: Complaint['kind']; subject: ComplaintSubject; title: string; body: string },
  from: {
    filer: string | null;
    channel: 'web' | '12345';
    client: string | null;
    ticket: string | null;
    actor: string | null;
  },
): Promise<{ complaint: Complaint; created: boolean }> {
  const routed = await routeSubject(ctx, input.subject, from.filer);
  const today = todayOf(ctx);
  const days = ctx.settings.complaintDays[input.kind];
  const dueOn = dueAfter(today, days, (d) => ctx.ports.calendar.isWorkingDay(d, routed.regionCode));
  const now = ctx.clock.now().toISOString();
  const row: st.ComplaintRow = {
    id: newId(),
    complaint_number: '',
    kind: input.kind,
    subject: JSON.stringify(input.subject),
    // free text can name people: sealed at rest (ratings.context `text`)
    title: ctx.text.seal(input.title),
    body: ctx.text.seal(input.body),
    department_id: routed.departmentId,
    region_code: routed.regionCode,
    channel: from.channel,
    filer_id: from.filer,
    hotline_client: from.client,
    ticket: from.ticket,
    filed_on: today,
    due_on: dueOn,
    status: 'open',
    answer: null,
    answered_by: null,
    answered_at: null,
    on_time: null,
    answer_level: null,
    created_at: now,
  };
  const created = await inTransaction(ctx.db, async (trx) => {
    const prefix = `ZM${today.replaceAll('-', '')}`;
    row.complaint_number = `${prefix}${String(await st.nextNumber(trx, prefix)).padStart(6, '0')}`;
    if (!(await st.insertComplaint(trx, row))) return false;
    const payload: ComplaintFiledPayload = {
      complaintNumber: row.complaint_number,
      kind: input.kind,
      departmentId: row.department_id,
      dueOn,
      channel: from.channel,
    };
    await appendEvent(trx, ctx.clock, {
      type: RATINGS_EVENTS.complaintFiled,
      aggregateType: 'complaint',
      aggregateId: row.complaint_number,
      regionCode: row.region_code,
      actor: from.actor,
      payload: { ...payload },
    });
    return true;
  });
  if (created) {
    ctx.poke();
    return { complaint: toComplaint(ctx, row), created: true };
  }
  // a racing intake of the same ticket committed first: answer with that one
  const existing =
    from.client && from.ticket ? await st.complaintByTicket(ctx.db, from.client, from.ticket) : undefined;
  if (!existing) throw new Error('complaint not inserted and not found');
  return sameTicket(ctx, existing, input);
}

function sameTicket(
  ctx: RatingsContext,
  existing: st.ComplaintRow,
  input: { kind: string; subject: unknown; title: string; body: string },
): { complaint: Complaint; created: boolean } {
  const was = {
    kind: existing.kind,
    subject: JSON.parse(existing.subject),
    title: ctx.text.open(existing.title),
    body: ctx.text.open(existing.body),
  };
  if (fingerprint(was) !== fingerprint(input)) throw new DomainError('RATINGS.TICKET_CONFLICT');
  return { complaint: toComplaint(ctx, existing), created: false };
}

/** A citizen's 咨询 / 投诉 / 建议. */
export async function fileComplaint(ctx: RatingsContext, raw: unknown, p: Principal): Promise<Complaint> {
  const input = parseInput(ComplaintInput, raw);
  if (!holds(p, 'ratings.give'))
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'ratings.give' } });
  return (
    await file(ctx, input, {
      filer: p.accountId,
      channel: 'web',
      client: null,
      ticket: null,
      actor: p.accountId,
    })
  ).complaint;
}

/** A ticket forwarded by the 12345 hotline system (a machine client): the same ticket, the same answer. */
export async function intakeHotline(
  ctx: RatingsContext,
  raw: unknown,
  p: Principal,
): Promise<{ complaint: Complaint; created: boolean }> {
  const input = parseInput(HotlineInput, raw);
  const client = p.clientId ?? p.accountId;
  const existing = await st.complaintByTicket(ctx.db, client, input.ticket);
  if (existing) return sameTicket(ctx, existing, input);
  const { ticket, ...rest } = input;
  return file(ctx, rest, { filer: null, channel: '12345', client, ticket, actor: p.accountId });
}

const mayHandle = (p: Principal, c: st.ComplaintRow) =>
  allows(p, HANDLE, { regionCode: c.region_code, departmentId: c.department_id });
const maySupervise = (p: Principal, c: st.ComplaintRow) =>
  allows(p, SUPERVISE, { regionCode: c.region_code, departmentId: c.department_id });

/** One complaint, for its filer, its department's handlers and supervisors over its region. */
export async function complaint(ctx: RatingsContext, n: string, p: Principal): Promise<Complaint> {
  const c = await st.complaintByNumber(ctx.db, n);
  if (!c || !(c.filer_id === p.accountId || mayHandle(p, c) || maySupervise(p, c)))
    throw new DomainError('RATINGS.COMPLAINT_NOT_FOUND');
  return toComplaint(ctx, c);
}

export async function myComplaints(ctx: RatingsContext, p: Principal): Promise<Complaint[]> {
  return (await st.complaintsByFiler(ctx.db, p.accountId)).map((c) => toComplaint(ctx, c));
}

export async function complaintQueue(
  ctx: RatingsContext,
  p: Principal,
  opts: { status?: 'open' | 'answered' | undefined } = {},
): Promise<Complaint[]> {
  const grants = p.grants.filter((g) => g.permissions.includes(HANDLE) || g.permissions.includes(SUPERVISE));
  const seen = new Set<string>();
  const out: st.ComplaintRow[] = [];
  for (const g of grants) {
    const rows = await st.complaintQueue(ctx.db, {
      departmentIds: g.departmentId ? [g.departmentId] : undefined,
      regionPrefix: g.regionPrefix,
      status: [opts.status ?? 'open'],
    });
    for (const r of rows)
      if (!seen.has(r.id) && (mayHandle(p, r) || maySupervise(p, r))) {
        out.push(r);
        seen.add(r.id);
      }
  }
  out.sort((a, b) => (a.due_on < b.due_on ? -1 : a.due_on > b.due_on ? 1 : 0));
  return out.map((c) => toComplaint(ctx, c));
}

/** The department's answer, once; on time when given on or before the due date (China date). */
export async function answerComplaint(
  ctx: RatingsContext,
  n: string,
  raw: unknown,
  p: Principal,
): Promise<Complaint> {
  const input = parseInput(AnswerInput, raw);
  const c = await st.complaintByNumber(ctx.db, n);
  if (!c || !(mayHandle(p, c) || maySupervise(p, c) || c.filer_id === p.accountId))
    throw new DomainError('RATINGS.COMPLAINT_NOT_FOUND');
  if (!mayHandle(p, c)) throw new DomainError('COMMON.FORBIDDEN', { details: { permission: HANDLE } });
  if (c.status !== 'open') throw new DomainError('RATINGS.ALREADY_ANSWERED');
  const now = ctx.clock.now().toISOString();
  const onTime = todayOf(ctx) <= c.due_on;
  await inTransaction(ctx.db, async (trx) => {
    const set = {
      answer: ctx.text.seal(input.answer),
      answered_by: p.accountId,
      answered_at: now,
      on_time: onTime ? 1 : 0,
    };
    if (!(await st.answerComplaint(trx, c.id, set))) throw new DomainError('RATINGS.ALREADY_ANSWERED');
    const payload: ComplaintAnsweredPayload = { complaintNumber: n, departmentId: c.department_id, onTime };
    await appendEvent(trx, ctx.clock, {
      type: RATINGS_EVENTS.complaintAnswered,
      aggregateType: 'complaint',
      aggregateId: n,
      regionCode: c.region_code,
      actor: p.accountId,
      payload: { ...payload },
    });
  });
  ctx.poke();
  return complaint(ctx, n, p);
}

/** The filer rates the answer (once). */
export async function rateAnswer(
  ctx: RatingsContext,
  n: string,
  raw: unknown,
  p: Principal,
): Promise<Complaint> {
  const input = parseInput(AnswerRatingInput, raw);
  const c = await st.complaintByNumber(ctx.db, n);
  if (!c || c.filer_id !== p.accountId) throw new DomainError('RATINGS.COMPLAINT_NOT_FOUND');
  if (c.status !== 'answered') throw new DomainError('RATINGS.NOT_ANSWERED');
  await inTransaction(ctx.db, async (trx) => {
    if (!(await st.rateAnswer(trx, c.id, input.level))) throw new DomainError('RATINGS.ALREADY_RATED');
  });
  return complaint(ctx, n, p);
}

export const toComplaint = (ctx: Pick<RatingsContext, 'text'>, c: st.ComplaintRow): Complaint => ({
  complaintNumber: c.complaint_number,
  kind: c.kind as Complaint['kind'],
  subject: JSON.parse(c.subject) as ComplaintSubject,
  title: ctx.text.open(c.title),
  body: ctx.text.open(c.body),
  departmentId: c.department_id,
  regionCode: c.region_code,
  channel: c.channel as Complaint['channel'],
  ticket: c.ticket,
  filedOn: c.filed_on,
  dueOn: c.due_on,
  status: c.status as Complaint['status'],
  answer: c.answer === null ? null : ctx.text.open(c.answer),
  answeredAt: c.answered_at,
  onTime: c.on_time === null ? null : c.on_time === 1,
  answerLevel: c.answer_level,
  createdAt: c.created_at,
});

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type Clock, DomainError, newId } from '../../kernel/index.js';
import { type Principal, allows } from '../../platform/access.js';
import { chinaDate } from '../../platform/calendar/index.js';
import { type Executor, type Store, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { schemaIssues } from '../../platform/input.js';
import { type DayRule, STATUTE, addWorkingDays, dateOf, dayNumber } from './disclosure.clock.js';
import type { BodiesPort, CalendarPort } from './disclosure.ports.js';
import {
  type PublicationActionRow,
  type PublicationRow,
  departmentPublications,
  findPublicationRow,
  insertPublicationAction,
  insertPublicationRow,
  publicationActions,
  updatePublicationRow,
} from './disclosure.publishing.store.js';
import { type StoredAttachment, checkAttachments } from './disclosure.requests.js';
import { AttachmentInput } from './disclosure.requests.types.js';
import { DisclosureDomain } from './disclosure.types.js';

/**
 * 主动公开 by a department (2019 条例 art. 26: within 20 working days of the information being
 * made or changed): draft → submitted for review → published by another person of the
 * department (four eyes), or returned with a note; a publication is withdrawn with a reason and
 * its text stays in the record. Each step one action, the projection and one event in a
 * transaction; publishing and withdrawing reach the search index through their events.
 */

export const PUBLICATION_EVENTS = {
  drafted: 'disclosure.publication.drafted',
  submitted: 'disclosure.publication.submitted',
  returned: 'disclosure.publication.returned',
  /** the event search already indexes a publication on */
  published: 'disclosure.published',
  withdrawn: 'disclosure.withdrawn',
} as const;

export const PUBLICATION_STATUSES = ['draft', 'inReview', 'published', 'withdrawn'] as const;
export type PublicationStatus = (typeof PUBLICATION_STATUSES)[number];

const text = (max: number) => z.string().trim().min(1).max(max);

export const DraftInput = z.object({
  /** the department publishing (a body id) */
  department: text(100),
  domain: DisclosureDomain,
  category: text(50),
  title: text(200),
  body: text(20_000),
  docNumber: z.string().trim().max(100).optional(),
  /** the day the information was made or last changed: the 20-working-day clock starts here */
  madeOn: z.iso.date(),
  effectiveFrom: z.iso.date().optional(),
  expiresOn: z.iso.date().optional(),
  attachments: z.array(AttachmentInput).max(10).default([]),
});
export type DraftInput = z.infer<typeof DraftInput>;

export const PublicationActionInput = z.discriminatedUnion('action', [
  z.object({ action: z.literal('submit') }),
  z.object({ action: z.literal('return'), note: text(1000) }),
  z.object({ action: z.literal('publish') }),
  z.object({ action: z.literal('withdraw'), reason: text(1000) }),
]);
export type PublicationActionInput = z.infer<typeof PublicationActionInput>;

/** what each step needs the publication to be in, and what it makes it */
const TRANSITIONS: Readonly<
  Record<PublicationActionInput['action'], readonly [PublicationStatus, PublicationStatus]>
> = {
  submit: ['draft', 'inReview'],
  return: ['inReview', 'draft'],
  publish: ['inReview', 'published'],
  withdraw: ['published', 'withdrawn'],
};

export interface PublishClock {
  /** the last day to publish (art. 26) */
  readonly dueOn: string;
  /** working days left today (negative after the due date); null once published or withdrawn */
  readonly remainingWorkingDays: number | null;
  readonly colour: 'none' | 'green' | 'yellow' | 'red';
  /** whether it was published by the due date */
  readonly onTime: boolean | null;
}

export function publishClock(
  rule: DayRule,
  madeOn: string,
  publishedOn: string | null,
  today: string,
): PublishClock {
  const dueOn = addWorkingDays(rule, madeOn, STATUTE.replyDays);
  if (publishedOn) return { dueOn, remainingWorkingDays: null, colour: 'none', onTime: publishedOn <= dueOn };
  let elapsed = 0;
  for (let d = dayNumber(madeOn) + 1; d <= dayNumber(today); d++) if (rule.isWorkingDay(dateOf(d))) elapsed++;
  const remaining = STATUTE.replyDays - elapsed;
  return {
    dueOn,
    remainingWorkingDays: remaining,
    colour: remaining < 0 ? 'red' : remaining <= STATUTE.yellowWithin ? 'yellow' : 'green',
    onTime: null,
  };
}

export interface StaffPublicationView {
  readonly id: string;
  readonly status: PublicationStatus;
  readonly department: { readonly id: string | null; readonly name: string };
  readonly regionCode: string;
  readonly domain: string;
  readonly category: string;
  readonly title: string;
  readonly body: string;
  readonly docNumber: string | null;
  readonly madeOn: string | null;
  readonly publishedOn: string | null;
  readonly effectiveFrom: string | null;
  readonly expiresOn: string | null;
  readonly withdrawnOn: string | null;
  readonly withdrawnReason: string | null;
  readonly attachments: readonly StoredAttachment[];
  readonly clock: PublishClock | null;
  readonly actions: ReadonlyArray<{
    seq: number;
    type: string;
    at: string;
    payload: Record<string, unknown>;
  }>;
  readonly mayAct: readonly PublicationActionInput['action'][];
}

export interface PublishingDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly bodies: BodiesPort;
  readonly calendar: CalendarPort;
  /** stores a checked file (shared with the requests' attachments) */
  readonly putFile: (
    trx: Executor,
    f: { sha256: string; mediaType: string; data: Buffer; at: string },
  ) => Promise<void>;
}

const PUBLISH = 'disclosure.publish';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function createPublishing(deps: PublishingDeps) {
  const db = deps.store.db;
  const today = () => chinaDate(deps.clock.now().toISOString());
  const mayPublish = (p: Principal | undefined, row: { region_code: string; department_id: string | null }) =>
    row.department_id !== null &&
    allows(p, PUBLISH, { regionCode: row.region_code, departmentId: row.department_id });

  function clockOf(row: PublicationRow): PublishClock | null {
    if (!row.made_on) return null;
    const published = row.status === 'published' || row.status === 'withdrawn' ? row.published_on : null;
    return publishClock(deps.calendar.rule(row.region_code), row.made_on, published, today());
  }

  function toView(
    p: Principal | undefined,
    row: PublicationRow,
    actions: PublicationActionRow[],
  ): StaffPublicationView {
    const status = row.status as PublicationStatus;
    const drafter = actions[0]?.actor ?? null;
    const staff = mayPublish(p, row);
    const mayAct = (Object.keys(TRANSITIONS) as PublicationActionInput['action'][]).filter(
      (a) =>
        staff &&
        TRANSITIONS[a][0] === status &&
        !(a === 'publish' && drafter !== null && drafter === p?.accountId),
    );
    return {
      id: row.id,
      status,
      department: { id: row.department_id, name: row.department },
      regionCode: row.region_code,
      domain: row.domain,
      category: row.category,
      title: row.title,
      body: row.body,
      docNumber: row.doc_number,
      madeOn: row.made_on,
      publishedOn: status === 'published' || status === 'withdrawn' ? row.published_on : null,
      effectiveFrom: row.effective_from,
      expiresOn: row.expires_on,
      withdrawnOn: row.withdrawn_on,
      withdrawnReason: row.withdrawn_reason,
      attachments: JSON.parse(row.attachments) as StoredAttachment[],
      clock: clockOf(row),
      actions: actions.map((a) => ({
        seq: a.seq,
        type: a.type,
        at: a.at,
        payload: JSON.parse(a.payload) as Record<string, unknown>,
      })),
      mayAct,
    };
  }

  /** Drafts a publication for a department the caller publishes for; checked before anything is written. */
  async function draft(p: Principal, raw: unknown): Promise<StaffPublicationView> {
    const r = DraftInput.safeParse(raw);
    if (!r.success) throw new DomainError('DISCLOSURE.INVALID', { details: schemaIssues(r.error.issues) });
    const input = r.data;
    const body = await deps.bodies.body(input.department);
    if (!body) throw new DomainError('DISCLOSURE.UNKNOWN_BODY', { details: { body: input.department } });
    if (!allows(p, PUBLISH, { regionCode: body.regionCode, departmentId: body.id }))
      throw new DomainError('COMMON.FORBIDDEN', { details: { permission: PUBLISH } });
    const on = today();
    const dates: Array<{ field: string; rule: string }> = [];
    if (input.madeOn > on) dates.push({ field: 'madeOn', rule: 'DISCLOSURE.DATE_IN_FUTURE' });
    if (input.effectiveFrom && input.expiresOn && input.expiresOn < input.effectiveFrom)
      dates.push({ field: 'expiresOn', rule: 'DISCLOSURE.EXPIRES_BEFORE_EFFECTIVE' });
    if (dates.length) throw new DomainError('DISCLOSURE.INVALID', { details: dates });
    const files = checkAttachments(input.attachments);
    // a publication's attachments are documents: PDF only, judged by content
    const notPdf = files.find((f) => f.mediaType !== 'application/pdf');
    if (notPdf)
      throw new DomainError('DISCLOSURE.ATTACHMENT_TYPE', { details: { filename: notPdf.filename } });
    const now = deps.clock.now().toISOString();
    const id = newId();
    const row: PublicationRow = {
      id,
      region_code: body.regionCode,
      department: body.name,
      domain: input.domain,
      category: input.category,
      title: input.title,
      body: input.body,
      doc_number: input.docNumber ?? null,
      published_on: '',
      created_at: now,
      status: 'draft',
      department_id: body.id,
      made_on: input.madeOn,
      effective_from: input.effectiveFrom ?? null,
      expires_on: input.expiresOn ?? null,
      withdrawn_on: null,
      withdrawn_reason: null,
      attachments: JSON.stringify(files.map(({ data: _d, ...meta }) => meta)),
    };
    const action: PublicationActionRow = {
      id: newId(),
      publication_id: id,
      region_code: row.region_code,
      seq: 1,
      type: 'draft',
      payload: JSON.stringify({ madeOn: input.madeOn }),
      actor: p.accountId,
      at: now,
    };
    await inTransaction(db, async (trx) => {
      for (const f of files)
        await deps.putFile(trx, { sha256: f.sha256, mediaType: f.mediaType, data: f.data, at: now });
      await insertPublicationRow(trx, row);
      await insertPublicationAction(trx, action);
      await appendEvent(trx, deps.clock, {
        type: PUBLICATION_EVENTS.drafted,
        aggregateType: 'disclosure.publication',
        aggregateId: id,
        regionCode: row.region_code,
        actor: p.accountId,
        payload: {
          department: body.id,
          domain: input.domain,
          madeOn: input.madeOn,
          titleSha256: sha256(input.title),
        },
      });
    });
    return toView(p, row, [action]);
  }

  async function staffRow(id: string, p: Principal | undefined): Promise<PublicationRow> {
    const row = await findPublicationRow(db, id);
    if (!row || !mayPublish(p, row)) throw new DomainError('DISCLOSURE.NOT_FOUND');
    return row;
  }

  async function view(id: string, p: Principal | undefined): Promise<StaffPublicationView> {
    const row = await staffRow(id, p);
    return toView(p, row, await publicationActions(db, id));
  }

  async function act(id: string, raw: unknown, p: Principal): Promise<StaffPublicationView> {
    const r = PublicationActionInput.safeParse(raw);
    if (!r.success) throw new DomainError('DISCLOSURE.INVALID', { details: schemaIssues(r.error.issues) });
    const input = r.data;
    await staffRow(id, p);
    return inTransaction(db, async (trx) => {
      const row = (await findPublicationRow(trx, id)) as PublicationRow;
      const actions = await publicationActions(trx, id);
      const [from, to] = TRANSITIONS[input.action];
      if (row.status !== from)
        throw new DomainError('DISCLOSURE.ACTION_NOT_ALLOWED', { details: { reason: row.status } });
      // four eyes: who drafted it does not publish it
      if (input.action === 'publish' && actions[0]?.actor === p.accountId)
        throw new DomainError('DISCLOSURE.ACTION_NOT_ALLOWED', { details: { reason: 'sameAsDrafter' } });
      const on = today();
      const now = deps.clock.now().toISOString();
      const set: Partial<PublicationRow> = { status: to };
      if (input.action === 'publish') set.published_on = on;
      if (input.action === 'withdraw') {
        set.withdrawn_on = on;
        set.withdrawn_reason = input.reason;
      }
      const { action: _a, ...payload } = input;
      const step: PublicationActionRow = {
        id: newId(),
        publication_id: id,
        region_code: row.region_code,
        seq: actions.length + 1,
        type: input.action,
        payload: JSON.stringify(payload),
        actor: p.accountId,
        at: now,
      };
      await insertPublicationAction(trx, step);
      await updatePublicationRow(trx, id, set);
      Object.assign(row, set);
      const type =
        input.action === 'publish'
          ? PUBLICATION_EVENTS.published
          : input.action === 'withdraw'
            ? PUBLICATION_EVENTS.withdrawn
            : input.action === 'submit'
              ? PUBLICATION_EVENTS.submitted
              : PUBLICATION_EVENTS.returned;
      const c = clockOf(row);
      await appendEvent(trx, deps.clock, {
        type,
        aggregateType: 'disclosure.publication',
        aggregateId: id,
        regionCode: row.region_code,
        actor: p.accountId,
        payload: {
          domain: row.domain,
          department: row.department_id,
          status: to,
          ...(c ? { dueOn: c.dueOn, onTime: c.onTime } : {}),
          payloadSha256: sha256(step.payload),
        },
      });
      return toView(p, row, [...actions, step]);
    });
  }

  /** A department's drafts, reviews and recent publications, each with its 20-day clock. */
  async function worklist(p: Principal, departmentId: string) {
    const body = await deps.bodies.body(departmentId);
    if (!body) throw new DomainError('DISCLOSURE.UNKNOWN_BODY', { details: { body: departmentId } });
    if (!allows(p, PUBLISH, { regionCode: body.regionCode, departmentId: body.id }))
      throw new DomainError('COMMON.FORBIDDEN', { details: { permission: PUBLISH } });
    const rows = await departmentPublications(db, body.id, PUBLICATION_STATUSES, 200);
    return {
      body,
      rows: rows.map((row) => ({
        id: row.id,
        title: row.title,
        status: row.status as PublicationStatus,
        madeOn: row.made_on,
        publishedOn: row.status === 'published' || row.status === 'withdrawn' ? row.published_on : null,
        clock: clockOf(row),
      })),
    };
  }

  return { draft, act, view, worklist };
}

export type PublishingApi = ReturnType<typeof createPublishing>;

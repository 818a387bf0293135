import { createHash } from 'node:crypto';
import { type Clock, DomainError, newId } from '../../kernel/index.js';
import { type Principal, allows } from '../../platform/access.js';
import { chinaDate } from '../../platform/calendar/index.js';
import { type Store, inTransaction, type Executor } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { schemaIssues } from '../../platform/input.js';
import type { PersonalDataCipher } from '../../platform/privacy/index.js';
import {
  type ClockStep,
  type RequestClock,
  type StepType,
  addWorkingDays,
  computeRequestClock,
  refusalOf,
} from './disclosure.clock.js';
import type { Body, BodiesPort, CalendarPort } from './disclosure.ports.js';
import { processingFeeFen } from './disclosure.fee.js';
import {
  type ActionRow,
  type RequestRow,
  actionsOf,
  findRequest,
  getFile,
  insertAction,
  insertRequest,
  nextCounter,
  placeInMonth,
  putFile,
  queueOf,
  registerPage,
  requestsInState,
  requestsOfAccount,
  scanRegister,
  updateProjection,
} from './disclosure.requests.store.js';
import {
  type AttachmentInput,
  FileRequestInput,
  LEGAL_REFERENCES,
  MAX_ATTACHMENT_BYTES,
  type Requester,
  RequestActionInput,
  type RequestQueueQuery,
} from './disclosure.requests.types.js';

/**
 * 依申请公开, the use cases: file a request (online, or entered by a clerk for post and in
 * person), act on it (each step one appended action, checked against the fold of the ones before),
 * read it as its requester or the body's staff see it, the body's queue, the lapse sweep.
 * Every step writes its action, the projection and one outbox event in one transaction; the event
 * carries ids, kinds, dates and hashes only (the transparency log records it).
 */

export const REQUEST_EVENTS = {
  filed: 'disclosure.request.filed',
  acted: 'disclosure.request.acted',
} as const;

export interface RequestsDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly cipher: PersonalDataCipher;
  readonly bodies: BodiesPort;
  readonly calendar: CalendarPort;
}

const HANDLE = 'disclosure.handle';
const REQUEST = 'disclosure.request';

/** the steps only the body's staff take; the requester supplements and withdraws */
const STAFF_STEPS: ReadonlySet<string> = new Set([
  'reply',
  'extend',
  'requestSupplement',
  'consultThirdParty',
  'thirdPartyReplied',
]);

/**
 * A request on the public register (登记簿, like Alaveteli's): its requester agreed, it was
 * answered. Never the requester's name or contact; the reply's attachments stay with the
 * requester (they may hold the requester's own information).
 */
export interface RegisterEntry {
  readonly requestNumber: string;
  readonly body: { readonly id: string; readonly name: string };
  readonly regionCode: string;
  readonly receivedOn: string;
  readonly answeredOn: string | null;
  readonly description: string;
  readonly replyKind: string;
  readonly onTime: boolean | null;
  readonly reply: {
    readonly text: string;
    readonly legalReference: string;
    readonly ground?: string;
    readonly redactions?: ReadonlyArray<{ part: string; ground: string }>;
    readonly rightBodyName?: string;
  };
}

export interface StoredAttachment {
  readonly sha256: string;
  readonly filename: string;
  readonly mediaType: string;
  readonly size: number;
}

export interface RequestActionView {
  readonly seq: number;
  readonly type: StepType;
  readonly day: string;
  readonly at: string;
  readonly payload: Record<string, unknown>;
}

export interface RequestView {
  readonly requestNumber: string;
  readonly body: { readonly id: string; readonly name: string };
  readonly regionCode: string;
  readonly channel: string;
  readonly receivedOn: string;
  readonly dueOn: string | null;
  readonly state: RequestClock['state'];
  readonly clock: RequestClock;
  readonly description: string;
  readonly purpose: string | null;
  readonly form: string;
  readonly delivery: string;
  readonly publicRegister: boolean;
  readonly forwardedFrom: string | null;
  readonly requester: Requester;
  /** 信息处理费 in fen, fixed when the reply was given (disclosure.fee.ts; 0 for the first ten a month) */
  readonly feeFen: number;
  readonly actions: readonly RequestActionView[];
  /** what the caller may do now */
  readonly mayAct: readonly string[];
  readonly viewerIsStaff: boolean;
}

/** The fee the reply fixed (replies before the fee rule carry none: free). */
function feeOf(actions: readonly ActionRow[]): number {
  const reply = actions.find((a) => a.type === 'reply');
  const fee = reply ? (JSON.parse(reply.payload) as { feeFen?: unknown }).feeFen : undefined;
  return typeof fee === 'number' ? fee : 0;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

function invalid(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; code: string }>): never {
  throw new DomainError('DISCLOSURE.REQUEST_INVALID', { details: schemaIssues(issues) });
}

/** The type of a file by its first bytes: PDF, PNG or JPEG; nothing is taken from its name. */
export function sniffAttachment(b: Buffer): 'application/pdf' | 'image/png' | 'image/jpeg' | undefined {
  if (b.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  return undefined;
}

interface CheckedAttachment extends StoredAttachment {
  readonly data: Buffer;
}

/** Attachments decoded and checked by size and content before anything is written. */
export function checkAttachments(list: readonly AttachmentInput[]): CheckedAttachment[] {
  return list.map((a) => {
    const data = Buffer.from(a.contentBase64, 'base64');
    if (data.length > MAX_ATTACHMENT_BYTES)
      throw new DomainError('DISCLOSURE.ATTACHMENT_TOO_LARGE', {
        details: { filename: a.filename, maxBytes: MAX_ATTACHMENT_BYTES },
      });
    const mediaType = sniffAttachment(data);
    if (!mediaType)
      throw new DomainError('DISCLOSURE.ATTACHMENT_TYPE', { details: { filename: a.filename } });
    return { sha256: sha256(data), filename: a.filename, mediaType, size: data.length, data };
  });
}

export function createRequests(deps: RequestsDeps) {
  const db = deps.store.db;
  const today = () => chinaDate(deps.clock.now().toISOString());

  async function requireBody(id: string): Promise<Body> {
    const b = await deps.bodies.body(id);
    if (!b) throw new DomainError('DISCLOSURE.UNKNOWN_BODY', { details: { body: id } });
    return b;
  }

  const stepsOf = (actions: readonly ActionRow[]): ClockStep[] =>
    actions.map((a) => ({ type: a.type as StepType, day: a.day }));

  const clockOf = (row: RequestRow, actions: readonly ActionRow[], on = today()) =>
    computeRequestClock(deps.calendar.rule(row.region_code), row.received_on, stepsOf(actions), on);

  const isStaff = (p: Principal | undefined, row: { region_code: string; body_id: string }) =>
    allows(p, HANDLE, { regionCode: row.region_code, departmentId: row.body_id });
  const isRequester = (p: Principal | undefined, row: RequestRow) =>
    !!p && row.requester_account_id !== null && row.requester_account_id === p.accountId;

  async function storeFiles(trx: Executor, files: readonly CheckedAttachment[], at: string) {
    for (const f of files) await putFile(trx, { sha256: f.sha256, mediaType: f.mediaType, data: f.data, at });
  }
  const attachmentMeta = (files: readonly CheckedAttachment[]): StoredAttachment[] =>
    files.map(({ sha256: s, filename, mediaType, size }) => ({ sha256: s, filename, mediaType, size }));

  /** Writes a new request, its `filed` action, projection and event (inside the caller's transaction). */
  async function writeRequest(
    trx: Executor,
    r: {
      body: Body;
      channel: string;
      receivedOn: string;
      requesterAccountId: string | null;
      requester: Requester;
      description: string;
      purpose: string | null;
      form: string;
      delivery: string;
      publicRegister: boolean;
      forwardedFrom: string | null;
      actor: string | null;
      attachments: readonly CheckedAttachment[];
    },
  ): Promise<{ requestNumber: string; receivedOn: string; dueOn: string }> {
    const now = deps.clock.now().toISOString();
    const region6 = r.body.regionCode.slice(0, 6);
    const ymd = r.receivedOn.replaceAll('-', '');
    const seq = await nextCounter(trx, `request:${region6}:${ymd}`);
    // 依申请 number: GK + the body's county-level division + date of receipt + sequence
    const requestNumber = `GK${region6}${ymd}${String(seq).padStart(5, '0')}`;
    const row: RequestRow = {
      request_number: requestNumber,
      region_code: r.body.regionCode,
      body_id: r.body.id,
      body_name: r.body.name,
      channel: r.channel,
      received_on: r.receivedOn,
      requester_account_id: r.requesterAccountId,
      requester_kind: r.requester.kind,
      requester_org_type: r.requester.kind === 'organization' ? (r.requester.orgType ?? 'other') : null,
      requester_sealed: deps.cipher.encrypt(JSON.stringify(r.requester)),
      description: r.description,
      purpose: r.purpose,
      form: r.form,
      delivery: r.delivery,
      public_register: r.publicRegister ? 1 : 0,
      forwarded_from: r.forwardedFrom,
      state: 'running',
      due_on: null,
      reply_kind: null,
      answered_on: null,
      created_at: now,
      created_by: r.actor,
    };
    const action: ActionRow = {
      id: newId(),
      request_number: requestNumber,
      region_code: row.region_code,
      seq: 1,
      type: 'filed',
      day: today(),
      payload: JSON.stringify({
        channel: r.channel,
        receivedOn: r.receivedOn,
        attachments: attachmentMeta(r.attachments),
        ...(r.forwardedFrom ? { forwardedFrom: r.forwardedFrom } : {}),
      }),
      actor: r.actor,
      at: now,
    };
    const clock = clockOf(row, [action]);
    row.due_on = clock.dueOn;
    await storeFiles(trx, r.attachments, now);
    await insertRequest(trx, row);
    await insertAction(trx, action);
    await appendEvent(trx, deps.clock, {
      type: REQUEST_EVENTS.filed,
      aggregateType: 'disclosure.request',
      aggregateId: requestNumber,
      regionCode: row.region_code,
      actor: r.actor,
      payload: {
        body: r.body.id,
        channel: r.channel,
        receivedOn: r.receivedOn,
        dueOn: clock.dueOn,
        descriptionSha256: sha256(r.description),
        ...(r.forwardedFrom ? { forwardedFrom: r.forwardedFrom } : {}),
      },
    });
    return { requestNumber, receivedOn: r.receivedOn, dueOn: clock.dueOn as string };
  }

  /**
   * Files a request. Online: the caller's own (a person or organisation account), received the
   * day it is confirmed, which is the day it is filed. A clerk of the body enters a request that
   * came in person (received that day, or the day given) or by post (the day it was signed for).
   */
  async function file(
    p: Principal,
    raw: unknown,
  ): Promise<{ requestNumber: string; receivedOn: string; dueOn: string }> {
    const parsed = FileRequestInput.safeParse(raw);
    if (!parsed.success) invalid(parsed.error.issues);
    const input = parsed.data;
    const body = await requireBody(input.body);
    const on = today();
    let receivedOn: string;
    let requesterAccountId: string | null = null;
    if (input.channel === 'online') {
      // a person or an organisation asks for itself; staff enter what came by post or in person
      if (
        !p.grants.some((g) => g.permissions.includes(REQUEST)) ||
        (p.kind !== 'person' && p.kind !== 'organization')
      )
        throw new DomainError('COMMON.FORBIDDEN', { details: { permission: REQUEST } });
      receivedOn = on;
      requesterAccountId = p.accountId;
    } else {
      if (!isStaff(p, { region_code: body.regionCode, body_id: body.id }))
        throw new DomainError('COMMON.FORBIDDEN', { details: { permission: HANDLE } });
      if (input.channel === 'post' && !input.receivedOn)
        throw new DomainError('DISCLOSURE.RECEIVED_ON_INVALID');
      receivedOn = input.receivedOn ?? on;
      if (receivedOn > on) throw new DomainError('DISCLOSURE.RECEIVED_ON_INVALID');
    }
    const attachments = checkAttachments(input.attachments);
    return inTransaction(db, (trx) =>
      writeRequest(trx, {
        body,
        channel: input.channel,
        receivedOn,
        requesterAccountId,
        requester: input.requester,
        description: input.description,
        purpose: input.purpose ?? null,
        form: input.form,
        delivery: input.delivery,
        publicRegister: input.publicRegister,
        forwardedFrom: null,
        actor: p.accountId,
        attachments,
      }),
    );
  }

  /** The request as the caller may see it: its requester or the body's staff; anyone else: not found. */
  async function readable(requestNumber: string, p: Principal | undefined): Promise<RequestRow> {
    const row = await findRequest(db, requestNumber);
    if (!row || !(isRequester(p, row) || isStaff(p, row)))
      throw new DomainError('DISCLOSURE.REQUEST_NOT_FOUND');
    return row;
  }

  function mayAct(p: Principal | undefined, row: RequestRow, clock: RequestClock, actions: ActionRow[]) {
    const staff = isStaff(p, row);
    const requester = isRequester(p, row);
    const on = today();
    const steps = stepsOf(actions);
    return (
      [
        'reply',
        'extend',
        'requestSupplement',
        'consultThirdParty',
        'thirdPartyReplied',
        'supplement',
        'withdraw',
      ] as const
    ).filter(
      (t) =>
        (STAFF_STEPS.has(t) ? staff : staff || requester) && refusalOf(t, clock, steps, on) === undefined,
    );
  }

  function toView(p: Principal | undefined, row: RequestRow, actions: ActionRow[]): RequestView {
    const clock = clockOf(row, actions);
    return {
      requestNumber: row.request_number,
      body: { id: row.body_id, name: row.body_name },
      regionCode: row.region_code,
      channel: row.channel,
      receivedOn: row.received_on,
      dueOn: clock.dueOn,
      state: clock.state,
      clock,
      description: row.description,
      purpose: row.purpose,
      form: row.form,
      delivery: row.delivery,
      publicRegister: row.public_register === 1,
      forwardedFrom: row.forwarded_from,
      requester: JSON.parse(deps.cipher.decrypt(row.requester_sealed)) as Requester,
      feeFen: feeOf(actions),
      actions: actions.map((a) => ({
        seq: a.seq,
        type: a.type as StepType,
        day: a.day,
        at: a.at,
        payload: JSON.parse(a.payload) as Record<string, unknown>,
      })),
      mayAct: mayAct(p, row, clock, actions),
      viewerIsStaff: isStaff(p, row),
    };
  }

  async function view(requestNumber: string, p: Principal | undefined): Promise<RequestView> {
    const row = await readable(requestNumber, p);
    return toView(p, row, await actionsOf(db, requestNumber));
  }

  /** Appends one action: access, the workflow's refusal, the projection and the event in one transaction. */
  async function act(requestNumber: string, raw: unknown, p: Principal): Promise<RequestView> {
    const parsed = RequestActionInput.safeParse(raw);
    if (!parsed.success) invalid(parsed.error.issues);
    const input = parsed.data;
    const pre = await readable(requestNumber, p);
    const staff = isStaff(p, pre);
    if (STAFF_STEPS.has(input.action) ? !staff : !(staff || isRequester(p, pre)))
      throw new DomainError('COMMON.FORBIDDEN', { details: { permission: HANDLE } });
    // everything that can be checked without the lock: the named body and the files
    const rightBody =
      input.action === 'reply' && input.kind === 'notResponsible'
        ? await requireBody(input.rightBody)
        : undefined;
    if (rightBody && rightBody.id === pre.body_id)
      throw new DomainError('DISCLOSURE.REQUEST_INVALID', {
        details: [{ field: 'rightBody', rule: 'DISCLOSURE.SAME_BODY' }],
      });
    const files = input.action === 'reply' ? checkAttachments(input.attachments) : [];
    const on = today();
    const now = deps.clock.now().toISOString();

    return inTransaction(db, async (trx) => {
      const row = (await findRequest(trx, requestNumber, { lock: true })) as RequestRow;
      const actions = await actionsOf(trx, requestNumber);
      const before = clockOf(row, actions, on);
      const refusal = refusalOf(input.action, before, stepsOf(actions), on);
      if (refusal) throw new DomainError('DISCLOSURE.ACTION_NOT_ALLOWED', { details: { reason: refusal } });
      const rule = deps.calendar.rule(row.region_code);
      let payload: Record<string, unknown>;
      let forwardedTo: string | undefined;
      switch (input.action) {
        case 'reply': {
          const { action: _a, attachments: _f, ...rest } = input;
          if (input.kind === 'notResponsible' && input.forward && rightBody) {
            const requester = JSON.parse(deps.cipher.decrypt(row.requester_sealed)) as Requester;
            forwardedTo = (
              await writeRequest(trx, {
                body: rightBody,
                channel: 'forwarded',
                receivedOn: on,
                requesterAccountId: row.requester_account_id,
                requester,
                description: row.description,
                purpose: row.purpose,
                form: row.form,
                delivery: row.delivery,
                publicRegister: row.public_register === 1,
                forwardedFrom: row.request_number,
                actor: p.accountId,
                attachments: [],
              })
            ).requestNumber;
          }
          payload = {
            ...rest,
            legalReference: LEGAL_REFERENCES[input.kind],
            attachments: attachmentMeta(files),
            // only information given is charged for, and only past the month's free requests
            feeFen:
              input.kind === 'disclose' || input.kind === 'partial'
                ? processingFeeFen(await placeInMonth(trx, row))
                : 0,
            ...(rightBody ? { rightBodyName: rightBody.name } : {}),
            ...(forwardedTo ? { forwardedTo } : {}),
          };
          break;
        }
        case 'extend':
          payload = { reason: input.reason, legalReference: LEGAL_REFERENCES.extend };
          break;
        case 'requestSupplement':
          payload = {
            points: input.points,
            answerBy: addWorkingDays(rule, on, 15),
            legalReference: LEGAL_REFERENCES.needSupplement,
          };
          break;
        case 'consultThirdParty':
          payload = {
            thirdParty: input.thirdParty,
            ...(input.note ? { note: input.note } : {}),
            commentsBy: addWorkingDays(rule, on, 15),
            legalReference: LEGAL_REFERENCES.consult,
          };
          break;
        case 'thirdPartyReplied':
          payload = { consents: input.consents, ...(input.note ? { note: input.note } : {}) };
          break;
        case 'supplement':
          payload = { text: input.text };
          break;
        case 'withdraw':
          payload = input.reason ? { reason: input.reason } : {};
          break;
        default: {
          const never: never = input;
          throw new Error(`unknown action ${JSON.stringify(never)}`);
        }
      }
      const action: ActionRow = {
        id: newId(),
        request_number: requestNumber,
        region_code: row.region_code,
        seq: actions.length + 1,
        type: input.action,
        day: on,
        payload: JSON.stringify(payload),
        actor: p.accountId,
        at: now,
      };
      await storeFiles(trx, files, now);
      await insertAction(trx, action);
      const all = [...actions, action];
      const after = clockOf(row, all, on);
      await project(trx, row, after, input.action === 'reply' ? input.kind : null);
      await appendEvent(trx, deps.clock, {
        type: REQUEST_EVENTS.acted,
        aggregateType: 'disclosure.request',
        aggregateId: requestNumber,
        regionCode: row.region_code,
        actor: p.accountId,
        payload: eventPayload(row, action, payload, after, forwardedTo),
      });
      return toView(p, row, all);
    });
  }

  async function project(trx: Executor, row: RequestRow, c: RequestClock, replyKind: string | null) {
    const p = {
      state: c.state,
      due_on: c.dueOn,
      reply_kind: replyKind ?? row.reply_kind,
      answered_on: c.state === 'answered' ? c.stoppedOn : null,
    };
    Object.assign(row, p);
    await updateProjection(trx, row.request_number, p);
  }

  /** What the log records of an action: its kind, dates and the hash of its text, no one's data. */
  function eventPayload(
    row: RequestRow,
    a: ActionRow,
    payload: Record<string, unknown>,
    c: RequestClock,
    forwardedTo: string | undefined,
  ): Record<string, unknown> {
    return {
      body: row.body_id,
      action: a.type,
      seq: a.seq,
      day: a.day,
      state: c.state,
      dueOn: c.dueOn,
      ...(typeof payload.kind === 'string' ? { kind: payload.kind } : {}),
      ...(typeof payload.ground === 'string' ? { ground: payload.ground } : {}),
      ...(forwardedTo ? { forwardedTo } : {}),
      payloadSha256: sha256(a.payload),
    };
  }

  /**
   * 补正 without an answer in time: the request lapses (视为放弃申请). The fold already shows it
   * lapsed; this records the `lapse` step (and its event) for each such request.
   */
  async function sweepLapsed(limit = 500): Promise<number> {
    let n = 0;
    const on = today();
    for (const pre of await requestsInState(db, 'awaitingSupplement', limit)) {
      await inTransaction(db, async (trx) => {
        const row = (await findRequest(trx, pre.request_number, { lock: true })) as RequestRow;
        const actions = await actionsOf(trx, row.request_number);
        const c = clockOf(row, actions, on);
        if (refusalOf('lapse', c, stepsOf(actions), on)) return;
        const now = deps.clock.now().toISOString();
        const action: ActionRow = {
          id: newId(),
          request_number: row.request_number,
          region_code: row.region_code,
          seq: actions.length + 1,
          type: 'lapse',
          day: on,
          payload: JSON.stringify({ answerBy: c.supplementDueOn }),
          actor: null,
          at: now,
        };
        await insertAction(trx, action);
        const after = clockOf(row, [...actions, action], on);
        await project(trx, row, after, null);
        await appendEvent(trx, deps.clock, {
          type: REQUEST_EVENTS.acted,
          aggregateType: 'disclosure.request',
          aggregateId: row.request_number,
          regionCode: row.region_code,
          actor: null,
          payload: eventPayload(row, action, {}, after, undefined),
        });
        n++;
      });
    }
    return n;
  }

  /** The body's queue, due first, with each request's clock today. */
  async function queue(p: Principal, q: RequestQueueQuery, pageSize = 50) {
    const body = await requireBody(q.body);
    if (!isStaff(p, { region_code: body.regionCode, body_id: body.id }))
      throw new DomainError('COMMON.FORBIDDEN', { details: { permission: HANDLE } });
    const r = await queueOf(db, {
      bodyId: body.id,
      open: q.open === '1',
      offset: (q.page - 1) * pageSize,
      limit: pageSize,
    });
    const rows = [];
    for (const row of r.rows) {
      const c = clockOf(row, await actionsOf(db, row.request_number));
      rows.push({
        requestNumber: row.request_number,
        channel: row.channel,
        receivedOn: row.received_on,
        description: row.description,
        state: c.state,
        dueOn: c.dueOn,
        supplementDueOn: c.supplementDueOn,
        remainingWorkingDays: c.remainingWorkingDays,
        colour: c.colour,
        replyKind: row.reply_kind,
      });
    }
    return { body, total: r.total, page: q.page, pageSize, rows };
  }

  async function mine(p: Principal, limit = 100) {
    const rows = await requestsOfAccount(db, p.accountId, limit);
    return rows.map((row) => ({
      requestNumber: row.request_number,
      body: row.body_name,
      receivedOn: row.received_on,
      state: row.state,
      dueOn: row.due_on,
    }));
  }

  /** A stored attachment of the request, to its requester or the body's staff. */
  async function attachment(requestNumber: string, fileSha: string, p: Principal | undefined) {
    const row = await readable(requestNumber, p);
    const actions = await actionsOf(db, row.request_number);
    const meta = actions
      .flatMap((a) => (JSON.parse(a.payload) as { attachments?: StoredAttachment[] }).attachments ?? [])
      .find((f) => f.sha256 === fileSha);
    const f = meta ? await getFile(db, fileSha) : undefined;
    if (!meta || !f) throw new DomainError('DISCLOSURE.FILE_NOT_FOUND');
    return { ...meta, data: f.data };
  }

  function registerEntry(row: RequestRow, actions: readonly ActionRow[]): RegisterEntry | undefined {
    if (row.public_register !== 1 || row.state !== 'answered') return undefined;
    const reply = [...actions].reverse().find((a) => a.type === 'reply');
    if (!reply) return undefined;
    const p = JSON.parse(reply.payload) as Record<string, unknown>;
    const c = clockOf(row, actions);
    return {
      requestNumber: row.request_number,
      body: { id: row.body_id, name: row.body_name },
      regionCode: row.region_code,
      receivedOn: row.received_on,
      answeredOn: row.answered_on,
      description: row.description,
      replyKind: String(p.kind),
      onTime: c.onTime,
      reply: {
        text: String(p.text ?? ''),
        legalReference: String(p.legalReference ?? ''),
        ...(typeof p.ground === 'string' ? { ground: p.ground } : {}),
        ...(Array.isArray(p.redactions)
          ? { redactions: p.redactions as Array<{ part: string; ground: string }> }
          : {}),
        ...(typeof p.rightBodyName === 'string' ? { rightBodyName: p.rightBodyName } : {}),
      },
    };
  }

  /** One entry of the public register, or undefined (not public, not answered, no such request). */
  async function publicEntry(requestNumber: string): Promise<RegisterEntry | undefined> {
    const row = await findRequest(db, requestNumber);
    if (!row) return undefined;
    return registerEntry(row, await actionsOf(db, requestNumber));
  }

  async function registerList(q: { bodyId?: string | undefined; page: number }, pageSize = 20) {
    const r = await registerPage(db, { bodyId: q.bodyId, offset: (q.page - 1) * pageSize, limit: pageSize });
    const entries: RegisterEntry[] = [];
    for (const row of r.rows) {
      const e = registerEntry(row, await actionsOf(db, row.request_number));
      if (e) entries.push(e);
    }
    return { total: r.total, page: q.page, pageSize, entries };
  }

  /** Pages through the register in number order (the search index's build). */
  async function scanPublic(
    after: string,
    limit: number,
  ): Promise<{ entries: RegisterEntry[]; next?: string }> {
    const rows = await scanRegister(db, after, limit);
    const entries: RegisterEntry[] = [];
    for (const row of rows) {
      const e = registerEntry(row, await actionsOf(db, row.request_number));
      if (e) entries.push(e);
    }
    const last = rows.at(-1);
    return rows.length < limit || !last ? { entries } : { entries, next: last.request_number };
  }

  return {
    file,
    act,
    publicEntry,
    registerList,
    scanPublic,
    view,
    queue,
    mine,
    attachment,
    sweepLapsed,
    bodiesIn: (regionCode: string) => deps.bodies.bodiesIn(regionCode),
    divisions: (regionCode: string) => deps.bodies.divisions(regionCode),
    body: (id: string) => deps.bodies.body(id),
  };
}

export type RequestsApi = ReturnType<typeof createRequests>;

/**
 * Submission: who applies (the caller, or a walk-in a clerk enters at a hall), everything checked
 * before anything is written, then the case (row, first action, materials, event) in one
 * transaction; a 一件事 bundle writes one linked case per member in the same transaction.
 */
import { DomainError, type FieldIssue, newId } from '../../kernel/index.js';
import { type Principal, allows, holds } from '../../platform/access.js';
import { accessError, deniedPermission, maySubmit } from './cases.access.js';
import { chinaDate } from '../../platform/calendar/index.js';
import { type Executor, dialectOf, inTransaction } from '../../platform/db/index.js';
import { appendEvent, appendEvents, eventToInsert, type NewEvent } from '../../platform/events/index.js';
import { parseInput } from '../../platform/input.js';
import { draftKeyOf, formIssues, ownFields } from './cases.application.js';
import { notStartedClock } from './cases.clock.js';
import { fromSharedData } from './cases.forms.js';
import type { CasesContext, Projection, WriteOptions } from './cases.context.js';
import {
  type CheckedMaterial,
  type LicenceMaterial,
  type RawUpload,
  checkUploads,
  fromBase64,
  writeMaterials,
} from './cases.materials.js';
import type { ApplicableItem } from './cases.ports.js';
import { type KeyedRequest, keyed, once, recordAnswer, reserve } from './cases.requests.js';
import * as st from './cases.store.js';
import {
  BundleSubmitInput,
  type BundleSubmitInput as BundleSubmitIn,
  type ClockView,
  SubmitInput,
  type SubmitInput as SubmitIn,
} from './cases.types.js';
import { type CaseStatus, INITIAL } from './cases.workflow.js';

export interface Submitted {
  caseNumber: string;
  status: CaseStatus;
  departmentId: string;
  clock: ClockView;
}

/** yyyyMMdd of the China date of an instant. */
export const compactDate = (instant: string) => chinaDate(instant).replace(/-/g, '');

/** A case number's prefix: the deciding body's 实施编码 and the China date (DOMAIN.md). */
const casePrefix = (prep: Prepared, now: string) => `${prep.body.implementationCode}${compactDate(now)}`;

/** Where a submission's case (and bundle) numbers come from: the next number of a prefix. */
export interface Numbers {
  next(trx: Executor, prefix: string): Promise<number>;
}

/**
 * Draws the numbers a submission will use (ADR 0034). Each is unique whatever the store: the
 * counter row of its prefix hands every number out once (and `cases.case_number` is unique).
 *
 * - **PostgreSQL, not inside a caller's transaction**: each number is drawn now, in a one-statement
 *   transaction of its own, before the case's transaction begins. The counter row is then locked
 *   for that statement's commit only. Drawn inside the case's transaction it stayed locked until
 *   that transaction committed, so every submission of an item on a day waited for the others'
 *   whole transactions (issue 17: in the mixed workload 77 % of the busy backends' samples were
 *   waiting there). A submission that then fails leaves its number unused: numbers may have gaps.
 *   That commit does not wait for its flush (`drawSequenceUnflushed`): the case's own durable
 *   commit flushes it, so the row is locked for the statement alone, not through an fsync.
 * - **SQLite, or inside a caller's transaction** (bulk replays and imports): drawn in the case's
 *   transaction, which rolls it back with the case — no gap. SQLite has one writer, which holds the
 *   write lock for the whole transaction anyway, so drawing earlier would gain nothing and cost a
 *   commit of its own.
 */
export async function drawNumbers(ex: Executor, prefixes: readonly string[]): Promise<Numbers> {
  if (ex.isTransaction || dialectOf(ex) !== 'postgres') return { next: st.nextSequence };
  const drawn = new Map<string, number[]>();
  for (const prefix of prefixes) {
    const seq = await st.drawSequenceUnflushed(ex, prefix);
    drawn.set(prefix, [...(drawn.get(prefix) ?? []), seq]);
  }
  return {
    async next(_trx, prefix) {
      const seq = drawn.get(prefix)?.shift();
      if (seq === undefined) throw new Error(`no number drawn ahead for ${prefix}`);
      return seq;
    },
  };
}

/**
 * 代办 at a window: the person a clerk names (by account id, or by the citizen ID number on their
 * card), who must be a person or an organisation the platform knows; undefined otherwise.
 */
export function walkInApplicant(ctx: CasesContext, ref: string) {
  const r = ref.trim();
  return r ? ctx.ports.identity.applicant(r) : Promise.resolve(undefined);
}

/** Who applies: the caller, or (walk-in) the account a clerk applies for at a hall. */
export async function applicantOf(
  ctx: CasesContext,
  p: Principal,
  input: {
    hallId?: string | undefined;
    applicantId?: string | undefined;
    onBehalfOf?: string | undefined;
    implementationCode?: string | undefined;
  },
) {
  if (input.onBehalfOf !== undefined) {
    if (input.hallId || input.applicantId)
      throw new DomainError('COMMON.VALIDATION', {
        details: [{ field: 'onBehalfOf', rule: 'ON_BEHALF.NOT_WITH_WALK_IN' }],
      });
    return assistedApplicant(ctx, p, input.onBehalfOf, input.implementationCode);
  }
  if (input.applicantId || input.hallId) {
    if (!input.hallId || !input.applicantId)
      throw new DomainError('COMMON.VALIDATION', { details: [{ field: 'hallId', rule: 'WALK_IN.BOTH' }] });
    const hall = await ctx.ports.regions.hall(input.hallId);
    if (!hall) throw new DomainError('CASES.HALL_NOT_FOUND');
    const walkIn = maySubmit(p, hall.regionCode);
    if (walkIn !== 'ok') throw accessError(walkIn, deniedPermission('submit', false));
    // the case is someone's: a name typed at the window that no account answers to is refused
    const person = await walkInApplicant(ctx, input.applicantId);
    if (!person)
      throw new DomainError('CASES.APPLICANT_UNKNOWN', {
        details: [{ field: 'applicantId', rule: 'WALK_IN.APPLICANT_UNKNOWN' }],
      });
    refuseUnverifiedOrganization(person.kind, person.realNameLevel);
    return {
      applicantId: person.accountId,
      kind: person.kind,
      realNameLevel: person.realNameLevel,
      hall,
      channel: 'window' as const,
    };
  }
  const own = maySubmit(p);
  if (own !== 'ok') throw accessError(own, deniedPermission('submit', true));
  const kind = p.kind === 'organization' ? ('organization' as const) : ('person' as const);
  refuseUnverifiedOrganization(kind, p.realNameLevel);
  return {
    applicantId: p.accountId,
    kind,
    realNameLevel: p.realNameLevel,
    hall: undefined,
    channel: 'online' as const,
  };
}

/** Who acted for whom under which 委托: on the submit action, its event and so in the log. */
export interface Assisted {
  readonly onBehalfOf: string;
  readonly delegationId: string;
  /** gridWorker: a 网格员 within their grid; delegate: a person the applicant named */
  readonly agent: 'gridWorker' | 'delegate';
}

/**
 * 帮办代办: the caller applies for a person who recorded a live 委托 to the caller covering this
 * item. A person (家属) needs `cases.apply`; a staff account needs `cases.assist` for a region that
 * covers the principal's (网格员, their grid). Everything else is refused, fail closed: no
 * delegation, another item, expired or revoked, no identity port, no region on record.
 */
export async function assistedApplicant(
  ctx: CasesContext,
  p: Principal,
  ref: string,
  itemCode: string | undefined,
) {
  mayAssist(p);
  const person = await walkInApplicant(ctx, ref);
  // who has not delegated is not told apart from who does not exist
  if (!person) throw new DomainError('CASES.NOT_DELEGATED');
  const assisted = await delegatedAgent(ctx, p, person.accountId, itemCode);
  refuseUnverifiedOrganization(person.kind, person.realNameLevel);
  return {
    applicantId: person.accountId,
    kind: person.kind,
    realNameLevel: person.realNameLevel,
    hall: undefined,
    channel: 'online' as const,
    assisted,
  };
}

/** A 网格员 holds `cases.assist`; a person (家属) acts for another with `cases.apply`. */
function mayAssist(p: Principal): void {
  const grid = p.kind === 'staff';
  if (grid ? !holds(p, 'cases.assist') : !holds(p, 'cases.apply') || p.kind !== 'person')
    throw new DomainError('COMMON.FORBIDDEN', {
      details: { permission: grid ? 'cases.assist' : 'cases.apply' },
    });
}

/**
 * Who acts for whom under which 委托: the caller as the agent of `principalId` for the item now
 * (applying, or collecting a result), fail closed — no live 委托 covering the item (none, another
 * item, expired, revoked, no identity port) is `CASES.NOT_DELEGATED`; a 网格员 outside the
 * person's grid (the region the 委托 was given from) `CASES.OUT_OF_SCOPE`.
 */
export async function delegatedAgent(
  ctx: CasesContext,
  p: Principal,
  principalId: string,
  itemCode: string | undefined,
): Promise<Assisted> {
  mayAssist(p);
  const grid = p.kind === 'staff';
  const d =
    principalId !== p.accountId && ctx.ports.identity.delegationFor
      ? await ctx.ports.identity.delegationFor(p.accountId, principalId, itemCode)
      : undefined;
  if (!d) throw new DomainError('CASES.NOT_DELEGATED');
  if (grid && !(d.regionCode && allows(p, 'cases.assist', { regionCode: d.regionCode })))
    throw new DomainError('CASES.OUT_OF_SCOPE');
  return { onBehalfOf: principalId, delegationId: d.id, agent: grid ? 'gridWorker' : 'delegate' };
}

/**
 * 实名等级: an application is made in the applicant's name, so the name must be verified to the
 * level the item declares — the applicant's, also when a clerk enters it at a window (seeing the
 * person there is not a recorded check: the clerk records one with the in-person verification
 * first). Said with how to raise the level. An organisation's level is its verification state
 * (below 2 it is refused before this, as unverified); an item that needs L3 needs it verified in
 * person, as a person is.
 */
export function checkRealNameLevel(
  it: Pick<ApplicableItem, 'realNameLevel'>,
  who: { kind: 'person' | 'organization'; realNameLevel: number },
): void {
  if (who.realNameLevel >= it.realNameLevel) return;
  const params = { current: who.realNameLevel };
  if (who.kind === 'organization') {
    refuseUnverifiedOrganization(who.kind, who.realNameLevel);
    throw new DomainError('CASES.ORGANIZATION_IN_PERSON', { params });
  }
  throw new DomainError(it.realNameLevel >= 3 ? 'CASES.REAL_NAME_IN_PERSON' : 'CASES.REAL_NAME_LEVEL', {
    params,
  });
}

/**
 * Only a verified organisation applies in the company's name (issue 11 item 1): an organisation
 * account's real-name level is its state, 1 while its credit code is merely claimed. It may draft;
 * submitting waits for its legal representative's confirmation or a clerk's check in person, and
 * a clerk at a window may not submit for it either (the clerk verifies it first).
 */
function refuseUnverifiedOrganization(kind: 'person' | 'organization', level: number): void {
  if (kind === 'organization' && level < 2) throw new DomainError('CASES.ORGANIZATION_UNVERIFIED');
}

export interface Prepared {
  it: ApplicableItem;
  form: Record<string, unknown>;
  uploads: CheckedMaterial[];
  licenceMaterials: LicenceMaterial[];
  body: { departmentId: string; regionCode: string; implementationCode: string };
  /** records a use of a confirmed e-licence (用证记录) inside the case's transaction */
  recordUse:
    | ((
        trx: Executor,
        use: { identifier: string; caseNumber: string; materialName: string },
      ) => Promise<void>)
    | undefined;
}

/** Everything checked before anything is written. */
export async function prepare(
  ctx: CasesContext,
  code: string,
  regionCode: string,
  form: Record<string, unknown>,
  uploads: readonly RawUpload[],
  who: Awaited<ReturnType<typeof applicantOf>>,
  licenceMaterials: Record<string, string> = {},
): Promise<Prepared> {
  const it = await ctx.items.get(code);
  if (!it) throw new DomainError('CASES.ITEM_NOT_FOUND', { params: { code } });
  if (who.channel === 'online' && it.depth < 2)
    throw new DomainError('CASES.ITEM_NOT_ONLINE', { params: { depth: it.depth } });
  if (who.channel === 'online' && !it.audiences.includes(who.kind)) throw new DomainError('CASES.AUDIENCE');
  checkRealNameLevel(it, who);
  const issues = formIssues(it, form);
  if (issues.length) throw new DomainError('CASES.FORM_INVALID', { details: issues });
  const decoded = checkUploads(ctx, it, uploads);
  const lic: Prepared['licenceMaterials'] = [];
  for (const [mcode, identifier] of Object.entries(licenceMaterials)) {
    const def = it.materials.find((x) => x.code === mcode);
    if (!def) throw new DomainError('CASES.MATERIAL_UNKNOWN', { params: { code: mcode } });
    // with the licences module: the licence must be the applicant's and in force (trust A);
    // without it the identifier is recorded as the applicant's claim (trust C)
    const verified = ctx.ports.licences?.verifyForCase
      ? await ctx.ports.licences.verifyForCase({
          holderAccountId: who.applicantId,
          identifier,
          licenceType: def.licenceType,
        })
      : false;
    if (ctx.ports.licences?.verifyForCase && !verified)
      throw new DomainError('CASES.LICENCE_NOT_USABLE', { params: { code: mcode } });
    lic.push({ code: mcode, name: def.name, identifier, verified });
  }
  const body = await ctx.ports.regions.decidingBody(it, regionCode);
  if (!body) throw new DomainError('CASES.NO_DECIDING_BODY');
  if (who.hall) {
    const h = who.hall;
    const local = h.regionCode.startsWith(body.regionCode) || body.regionCode.startsWith(h.regionCode);
    const citywide = it.citywide && h.cityCode.slice(0, 4) === body.regionCode.slice(0, 4);
    // 异地代收代办: the receiving hall records the case and forwards it to the deciding body
    if (!local && !citywide && !it.proxyAcceptance) throw new DomainError('CASES.HALL_NOT_ACCEPTING');
  }
  // the holder's record of who used the licence, for which case, when (免提交)
  const recordUse = lic.some((m) => m.verified)
    ? await ctx.ports.licences?.prepareUse?.({
        holderAccountId: who.applicantId,
        departmentId: body.departmentId,
      })
    : undefined;
  return { it, form, uploads: decoded, licenceMaterials: lic, body, recordUse };
}

/** A case being submitted: what was checked, who applies where, its id and number. */
interface NewCase {
  readonly prep: Prepared;
  readonly who: Awaited<ReturnType<typeof applicantOf>>;
  readonly applicantRegion: string;
  readonly bundleId: string | null;
  readonly now: string;
  readonly id: string;
  readonly caseNumber: string;
}

/** The case's row as submitted (status submitted, clock not started) and its projection. */
function caseRowOf(
  ctx: CasesContext,
  { prep, who, applicantRegion, bundleId, now, id, caseNumber }: NewCase,
): { caseRow: st.CaseRow; initial: Projection } {
  const { it, body } = prep;
  const initial: Projection = { state: { ...INITIAL, status: 'submitted' }, clock: [] };
  const caseRow: st.CaseRow = {
    id,
    case_number: caseNumber,
    implementation_code: body.implementationCode,
    item_code: it.implementationCode,
    item_version: it.version,
    item_name: it.name,
    applicant_id: who.applicantId,
    applicant_kind: who.kind,
    region_code: applicantRegion,
    department_id: body.departmentId,
    decide_region_code: body.regionCode,
    hall_id: who.hall?.id ?? null,
    hall_region_code: who.hall?.regionCode ?? null,
    channel: who.channel,
    status: 'submitted',
    open: 1,
    promised_days: it.promisedDays,
    statutory_days: it.statutoryDays,
    accepted_on: null,
    promised_due: null,
    statutory_due: null,
    clock_state: 'notStarted',
    colour: 'none',
    remaining_days: null,
    bundle_id: bundleId,
    form_data: ctx.cipher ? ctx.cipher.encrypt(JSON.stringify(prep.form)) : JSON.stringify(prep.form),
    action_count: 1,
    projection: JSON.stringify(initial),
    result: null,
    created_at: now,
    updated_at: now,
  };
  return { caseRow, initial };
}

/** The submission's record (the case's first action) and its event. */
function submissionOf(
  p: Principal,
  { prep, who, applicantRegion, bundleId, now, id, caseNumber }: NewCase,
  /** fields read from a register for the form that the applicant corrected (names only) */
  corrected: readonly string[],
  shared: ReadonlyArray<{ code: string; name: string; accessId: string }>,
  unread: readonly string[],
): { action: st.ActionRow; event: NewEvent } {
  const { body } = prep;
  const action: st.ActionRow = {
    case_id: id,
    seq: 1,
    type: 'submit',
    actor_id: p.accountId,
    region_code: applicantRegion,
    // 代办: who acted (the actor) for whom, on the record itself (and under which 委托)
    payload: JSON.stringify({
      ...(who.hall
        ? { hallId: who.hall.id, onBehalfOf: who.applicantId }
        : 'assisted' in who && who.assisted
          ? who.assisted
          : {}),
      // material names only: no personal data
      ...(unread.length ? { sharedUnread: unread } : {}),
      // field names only: the applicant changed what a register prefilled (the clerk checks it)
      ...(corrected.length ? { prefillCorrected: corrected } : {}),
    }),
    at: now,
  };
  const event: NewEvent = {
    type: 'cases.submitted',
    aggregateType: 'case',
    aggregateId: caseNumber,
    regionCode: body.regionCode,
    actor: p.accountId,
    payload: {
      caseNumber,
      implementationCode: body.implementationCode,
      departmentId: body.departmentId,
      channel: who.channel,
      hallId: who.hall?.id ?? null,
      ...(who.hall ? { onBehalfOf: who.applicantId } : {}),
      ...('assisted' in who && who.assisted ? who.assisted : {}),
      bundleId,
      materials: prep.uploads.length + prep.licenceMaterials.length + shared.length,
      ...(shared.length ? { sharedMaterials: shared.map((m) => m.code) } : {}),
      ...(unread.length ? { sharedUnread: unread } : {}),
      ...(corrected.length ? { prefillCorrected: corrected } : {}),
    },
  };
  return { action, event };
}

/** The prefilled fields the applicant corrected, of those the item's form has. */
function correctedOf(prep: Prepared, prefillCorrected: readonly string[]): string[] {
  const fieldNames = new Set(Object.keys((prep.it.formSchema as { properties?: object }).properties ?? {}));
  return [...new Set(prefillCorrected)].filter((f) => fieldNames.has(f));
}

/** The materials a register would provide (免提交) that nothing the applicant gave covers. */
const sharedToRead = (ctx: CasesContext, prep: Prepared) =>
  ctx.ports.sharedData
    ? prep.it.materials.filter(
        (m) =>
          fromSharedData(m) &&
          m.sharedData &&
          !prep.uploads.some((u) => u.code === m.code) &&
          !prep.licenceMaterials.some((l) => l.code === m.code),
      )
    : [];

/** Writes one case (row, first action, materials, blobs) inside the caller's transaction. */
export async function writeCase(
  ctx: CasesContext,
  trx: Executor,
  p: Principal,
  prep: Prepared,
  who: Awaited<ReturnType<typeof applicantOf>>,
  applicantRegion: string,
  bundleId: string | null,
  now: string,
  numbers: Numbers,
  /** fields read from a register for the form that the applicant corrected (names only) */
  prefillCorrected: readonly string[] = [],
): Promise<{ id: string; caseNumber: string; event: NewEvent }> {
  const { it, body } = prep;
  const corrected = correctedOf(prep, prefillCorrected);
  const prefix = casePrefix(prep, now);
  const seq = await numbers.next(trx, prefix);
  const caseNumber = `${prefix}${String(seq).padStart(6, '0')}`;
  const id = newId();
  const c: NewCase = { prep, who, applicantRegion, bundleId, now, id, caseNumber };
  const { caseRow, initial } = caseRowOf(ctx, c);
  await st.insertCase(trx, caseRow);
  // materials a register provides (免提交): read through the deciding department's grant now, in
  // this transaction, so the access record commits with the case; one that cannot be read is
  // left to the applicant (the department asks for it), never a reason to refuse the submission
  const shared: Array<{ code: string; name: string; accessId: string }> = [];
  // required ones that could not be read: the applicant is asked for them (named on the submit
  // action, so the applicant's case page and the clerk's both say so), never refused
  const unread: string[] = [];
  for (const m of sharedToRead(ctx, prep)) {
    const got = await ctx.ports.sharedData!.fetch(trx, {
      departmentId: body.departmentId,
      sharedData: m.sharedData!,
      applicantId: who.applicantId,
      caseNumber,
      purpose: `办理“${it.name}”：${m.name}`,
    });
    if (got) shared.push({ code: m.code, name: m.name, accessId: got.accessId });
    else if (m.required) unread.push(m.name);
  }
  const { action, event } = submissionOf(p, c, corrected, shared, unread);
  await st.insertAction(trx, action);
  await writeMaterials(ctx, trx, id, applicantRegion, prep.uploads, prep.licenceMaterials, now, shared);
  for (const m of prep.licenceMaterials)
    if (m.verified)
      await prep.recordUse?.(trx, { identifier: m.identifier, caseNumber, materialName: m.name });
  ctx.written.remember(trx, caseRow, initial);
  return { id, caseNumber, event };
}

/**
 * PostgreSQL, a submission that writes only its case, its record, its event and the end of the
 * caller's draft (no materials, no register to read, no request id to keep, not from the pages'
 * draft, not inside a caller's transaction): one statement that commits alone (st.submitAlone,
 * ADR 0036), after its number was drawn (ADR 0034). Undefined where the transaction is needed.
 */
async function submitAlone(
  ctx: CasesContext,
  ex: Executor,
  p: Principal,
  prep: Prepared,
  who: Awaited<ReturnType<typeof applicantOf>>,
  input: { regionCode: string; implementationCode: string; onBehalfOf?: string | undefined },
  now: string,
  numbers: Numbers,
  prefillCorrected: readonly string[],
): Promise<string> {
  const prefix = casePrefix(prep, now);
  const caseNumber = `${prefix}${String(await numbers.next(ex, prefix)).padStart(6, '0')}`;
  const id = newId();
  const c: NewCase = { prep, who, applicantRegion: input.regionCode, bundleId: null, now, id, caseNumber };
  const { caseRow } = caseRowOf(ctx, c);
  const { action, event } = submissionOf(p, c, correctedOf(prep, prefillCorrected), [], []);
  const draft = draftKeyOf(input.implementationCode, input.onBehalfOf);
  await st.submitAlone(ex, caseRow, action, eventToInsert(ctx.clock, event), p.accountId, draft);
  return caseNumber;
}

export async function submit(
  ctx: CasesContext,
  p: Principal,
  raw: SubmitIn,
  opts: WriteOptions & {
    files?: readonly RawUpload[];
    fromDraft?: boolean;
    /** the request as the caller keyed it (a draft submitted from the pages) */
    request?: KeyedRequest | undefined;
    /** fields prefilled from a register that the applicant corrected (the draft's, by name) */
    prefillCorrected?: readonly string[] | undefined;
  } = {},
): Promise<Submitted> {
  const input = parseInput(SubmitInput, raw);
  const { requestId, ...asked } = input;
  const req = opts.request ?? keyed(requestId, 'submit', { ...asked, files: filesOf(opts.files) });
  const ex = opts.within ?? ctx.db;
  // a retry of a request already answered: the same answer, before anything is checked again
  return once(ex, p, req, async () => {
    const who = await applicantOf(ctx, p, input);
    const prep = await prepare(
      ctx,
      input.implementationCode,
      input.regionCode,
      input.form,
      [...input.materials.map(fromBase64), ...(opts.files ?? [])],
      who,
      input.licenceMaterials,
    );
    const now = ctx.clock.now().toISOString();
    const numbers = await drawNumbers(ex, [casePrefix(prep, now)]);
    const alone =
      !req &&
      !opts.fromDraft &&
      !ex.isTransaction &&
      dialectOf(ex) === 'postgres' &&
      prep.uploads.length === 0 &&
      prep.licenceMaterials.length === 0 &&
      sharedToRead(ctx, prep).length === 0;
    if (alone) {
      const caseNumber = await submitAlone(
        ctx,
        ex,
        p,
        prep,
        who,
        input,
        now,
        numbers,
        opts.prefillCorrected ?? [],
      );
      ctx.poke();
      return {
        caseNumber,
        status: 'submitted' as const,
        departmentId: prep.body.departmentId,
        clock: notStartedClock,
      };
    }
    const out = await inTransaction(ex, async (trx) => {
      const again = await reserve<Submitted>(trx, p, req, input.regionCode, now);
      if (again) return { answer: again, fresh: false };
      const w = await writeCase(
        ctx,
        trx,
        p,
        prep,
        who,
        input.regionCode,
        null,
        now,
        numbers,
        opts.prefillCorrected ?? [],
      );
      await appendEvent(trx, ctx.clock, w.event);
      // the draft was the caller's (the applicant's, the clerk's for a walk-in, or the agent's for
      // the person they applied for); submitted from the pages, it must still be there (a second
      // click of "submit" finds it gone)
      const draft = draftKeyOf(input.implementationCode, input.onBehalfOf);
      const hadDraft = await st.deleteDraft(trx, p.accountId, draft);
      if (opts.fromDraft && !hadDraft) throw new DomainError('CASES.ALREADY_SUBMITTED');
      if (hadDraft) await st.deleteDraftMaterials(trx, p.accountId, draft);
      const answer: Submitted = {
        caseNumber: w.caseNumber,
        status: 'submitted',
        departmentId: prep.body.departmentId,
        clock: notStartedClock,
      };
      await recordAnswer(trx, p, req, answer);
      return { answer, fresh: true };
    });
    // within a caller's transaction nothing is committed yet: the caller's commit is the moment
    if (!opts.within && out.fresh) ctx.poke();
    return out.answer;
  });
}

/** A bundle's answer: its number and one case per member. */
export interface BundleSubmitted {
  bundleNumber: string;
  cases: Array<{ caseNumber: string; implementationCode: string; status: string }>;
}

/** What identifies uploaded files in a request's fingerprint: their codes and contents. */
const filesOf = (files: readonly RawUpload[] | undefined) =>
  (files ?? []).map((f) => ({ code: f.code, data: f.data }));

/** 一件事: one combined form and material set; one linked sub-case per member item. */
export async function submitBundle(
  ctx: CasesContext,
  p: Principal,
  raw: BundleSubmitIn,
  opts: WriteOptions & {
    /** from the pages: each member's files and e-licences under its own material codes */
    members?: ReadonlyArray<{
      implementationCode: string;
      files: readonly RawUpload[];
      licences: Readonly<Record<string, string>>;
    }>;
    /** the draft this submission came from (deleted with it) */
    draftKey?: string;
    /** the request as the caller keyed it (a draft submitted from the pages) */
    request?: KeyedRequest | undefined;
  } = {},
): Promise<BundleSubmitted> {
  const input = parseInput(BundleSubmitInput, raw);
  const { requestId, ...asked } = input;
  const req =
    opts.request ??
    keyed(requestId, 'bundle', {
      ...asked,
      members: (opts.members ?? []).map((m) => ({ ...m, files: filesOf(m.files) })),
    });
  const ex = opts.within ?? ctx.db;
  return once(ex, p, req, async () => {
    const bundle = await ctx.ports.catalog.bundle(input.bundleCode);
    if (!bundle) throw new DomainError('CASES.BUNDLE_NOT_FOUND', { params: { code: input.bundleCode } });
    const who = await applicantOf(ctx, p, {});
    const preps: Prepared[] = [];
    const issues: FieldIssue[] = [];
    for (const m of bundle.members) {
      const it = await ctx.items.get(m.implementationCode);
      if (!it) throw new DomainError('CASES.ITEM_NOT_FOUND', { params: { code: m.implementationCode } });
      // each member takes the fields its own form knows from the combined form
      const form = ownFields(it, input.form);
      const mi = formIssues(it, form);
      if (mi.length) {
        for (const i of mi) if (!issues.some((x) => x.field === i.field)) issues.push(i);
        continue;
      }
      const share = opts.members?.find((x) => x.implementationCode === m.implementationCode);
      const uploads = [
        ...input.materials.filter((u) => it.materials.some((x) => x.code === u.code)).map(fromBase64),
        ...(share?.files ?? []),
      ];
      preps.push(
        await prepare(ctx, m.implementationCode, input.regionCode, form, uploads, who, share?.licences),
      );
    }
    if (issues.length) throw new DomainError('CASES.FORM_INVALID', { details: issues });
    // every upload must belong to at least one member
    for (const u of input.materials) {
      if (!preps.some((x) => x.it.materials.some((m) => m.code === u.code)))
        throw new DomainError('CASES.MATERIAL_UNKNOWN', { params: { code: u.code } });
    }
    const now = ctx.clock.now().toISOString();
    const prefix = `B${bundle.code}${compactDate(now)}`;
    const numbers = await drawNumbers(ex, [prefix, ...preps.map((x) => casePrefix(x, now))]);
    const out = await inTransaction(ex, async (trx) => {
      const again = await reserve<BundleSubmitted>(trx, p, req, input.regionCode, now);
      if (again) return { answer: again, fresh: false };
      const bundleId = newId();
      const seq = await numbers.next(trx, prefix);
      const bundleNumber = `${prefix}${String(seq).padStart(6, '0')}`;
      await st.insertBundle(trx, {
        id: bundleId,
        bundle_number: bundleNumber,
        bundle_code: bundle.code,
        bundle_name: bundle.name,
        applicant_id: who.applicantId,
        region_code: input.regionCode,
        created_at: now,
      });
      const events: NewEvent[] = [];
      const cases: BundleSubmitted['cases'] = [];
      for (const prep of preps) {
        const w = await writeCase(ctx, trx, p, prep, who, input.regionCode, bundleId, now, numbers);
        events.push(w.event);
        cases.push({
          caseNumber: w.caseNumber,
          implementationCode: prep.body.implementationCode,
          status: 'submitted',
        });
      }
      events.push({
        type: 'cases.bundleSubmitted',
        aggregateType: 'bundle',
        aggregateId: bundleNumber,
        regionCode: input.regionCode,
        actor: p.accountId,
        payload: { bundleNumber, bundleCode: bundle.code, cases: cases.map((c) => c.caseNumber) },
      });
      await appendEvents(trx, ctx.clock, events);
      if (opts.draftKey) {
        if (!(await st.deleteDraft(trx, p.accountId, opts.draftKey)))
          throw new DomainError('CASES.ALREADY_SUBMITTED');
        await st.deleteDraftMaterials(trx, p.accountId, opts.draftKey);
      }
      const answer: BundleSubmitted = { bundleNumber, cases };
      await recordAnswer(trx, p, req, answer);
      return { answer, fresh: true };
    });
    if (!opts.within && out.fresh) ctx.poke();
    return out.answer;
  });
}

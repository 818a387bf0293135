import { REGION_CODE_RE } from '../../platform/codes/index.js';
import { createHash } from 'node:crypto';
import { type Clock, DomainError, type FieldIssue, newId } from '../../kernel/index.js';
import { type Executor, type Store, inTransaction } from '../../platform/db/index.js';
import { appendEvent, appendEvents, type NewEvent } from '../../platform/events/index.js';
import { type Principal, allows } from '../../platform/access.js';
import { MULTIPART_TOTAL_BYTES, parseInput } from '../../platform/input.js';
import type { PersonalDataCipher } from '../../platform/privacy/index.js';
import {
  type CheckedUpload,
  type UploadProblem,
  checkUpload,
  coerceFormValues,
  validateForm,
  missingMaterials,
  sharedOnly,
} from './cases.forms.js';
import type {
  ApplicableItem,
  ApplicationMaterial,
  CasesPorts,
  CatalogPort,
  FormFieldHint,
  UsableLicence,
} from './cases.ports.js';
import { chinaDate } from '../../platform/calendar/index.js';
import {
  type CaseClock,
  type ClockThresholds,
  DEFAULT_THRESHOLDS,
  type ExplainedClockDay,
  type RecordedAction,
  computeClock,
  dateOf,
  dayNumber,
  explainClock,
} from './cases.sla.js';
import * as st from './cases.store.js';
import {
  type ActionInput,
  BundleSubmitInput,
  type BundleSubmitInput as BundleSubmitIn,
  type CaseView,
  type ClockView,
  type MaterialUpload,
  SubmitInput,
  type SubmitInput as SubmitIn,
} from './cases.types.js';
import {
  ACTION_EVENT,
  ACTION_PERMISSION,
  APPLICANT_ACTIONS,
  type CaseAction,
  type CaseStatus,
  HALL_ACTIONS,
  type StepRefusal,
  TERMINAL,
  INITIAL,
  type WorkflowRules,
  type WorkflowState,
  allowedActions,
  step,
} from './cases.workflow.js';

export interface CasesOptions {
  readonly thresholds?: ClockThresholds;
  /** per uploaded file (default 10 MB) */
  readonly maxUploadBytes?: number;
}

export interface CasesServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly ports: CasesPorts;
  /** called after each commit so consumers look for the new events */
  readonly poke?: () => void;
  /**
   * Seals the application form at rest (it holds ID numbers, phones, addresses); the app passes
   * the platform's personal-data cipher. Without one (unit tests, the bench) the form is stored as is.
   */
  readonly cipher?: PersonalDataCipher;
  readonly options?: CasesOptions;
}

/**
 * `within`: write inside the caller's transaction instead of one of its own (bulk replays and
 * imports commit many lifecycles at once; every check still runs per action).
 */
export interface WriteOptions {
  readonly within?: Executor;
}

/** A file to attach: from the JSON API (base64, decoded) or a page form (multipart). */
export interface RawUpload {
  readonly code: string;
  /** display name only; the type is judged by the content */
  readonly filename: string;
  /** the declared type, which must match the content when given */
  readonly mediaType?: string | undefined;
  readonly data: Buffer;
  /** cut short at the parser's limit: refused as too large */
  readonly tooLarge?: boolean | undefined;
  /** not read: the post's files together passed their limit before this one */
  readonly overTotal?: boolean | undefined;
}

type CheckedMaterial = CheckedUpload & { materialName: string };

const fromBase64 = (m: MaterialUpload): RawUpload => ({
  code: m.code,
  filename: m.filename,
  mediaType: m.mediaType,
  data: Buffer.from(m.contentBase64, 'base64'),
});

/**
 * A bundle's material code, from the material's name: the same document keeps its code whatever
 * the members' order or versions, so a file kept with a draft never lands under another document.
 */
const bundleMaterialCode = (name: string): string =>
  `b-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;

/** The draft key of a 一件事 bundle's application: `bundle:<code>`. */
export const BUNDLE_KEY = 'bundle:';

/** What an application asks: an item's form and materials, or a bundle's combined ones. */
export interface Application {
  readonly key: string;
  readonly kind: 'item' | 'bundle';
  /** implementation code, or bundle code */
  readonly code: string;
  readonly name: string;
  readonly formFields: readonly FormFieldHint[];
  readonly materials: readonly ApplicationMaterial[];
  /** the problems of a whole form (for a bundle, each member's schema over its own fields) */
  validate(form: Record<string, unknown>): FieldIssue[];
  /** a bundle: each member's share of the files and e-licences, under the member's own codes */
  members?(
    files: readonly RawUpload[],
    licences: Readonly<Record<string, string>>,
  ): Array<{ implementationCode: string; files: RawUpload[]; licences: Record<string, string> }>;
}

/** A file of a draft, as the pages list it. */
export interface DraftFile {
  readonly materialCode: string;
  readonly filename: string;
  readonly mediaType: string;
  readonly size: number;
  readonly sha256: string;
}

export interface Submitted {
  caseNumber: string;
  status: CaseStatus;
  departmentId: string;
  clock: ClockView;
}

/** The permission an action needs; 出证 may be held as `cases.issueResult` or with `cases.decide`. */
export function permits(
  p: Principal,
  action: CaseAction['type'],
  scope: { regionCode?: string | null; departmentId?: string | null },
) {
  const perm = ACTION_PERMISSION[action];
  if (action === 'issueResult' || action === 'complete') {
    return allows(p, 'cases.issueResult', scope) || allows(p, 'cases.decide', scope);
  }
  return allows(p, perm, scope);
}

const hasPermissionAnywhere = (p: Principal, action: CaseAction['type']) => permits(p, action, {});

/** A posted action (`{"action": …}`) as the workflow's action. */
export function toAction(input: ActionInput): CaseAction {
  const { action, ...rest } = input;
  return { type: action, ...rest } as CaseAction;
}

function refusalError(r: StepRefusal): DomainError {
  switch (r.reason) {
    case 'transition':
      return new DomainError('CASES.TRANSITION_NOT_ALLOWED', {
        params: { status: r.status, action: r.action },
      });
    case 'deficiencyOutstanding':
      return new DomainError('CASES.DEFICIENCY_OUTSTANDING', { details: { missing: r.missing } });
    case 'alreadyExtended':
      return new DomainError('CASES.ALREADY_EXTENDED');
    case 'extensionTooLong':
      return new DomainError('CASES.EXTENSION_TOO_LONG', { params: { max: r.max } });
    case 'notAllowedForItem':
      return new DomainError('CASES.NOT_ALLOWED_FOR_ITEM', { details: { action: r.action } });
    case 'emptyList':
      return new DomainError('CASES.EMPTY_LIST');
    default: {
      const never: never = r;
      throw new Error(`unknown refusal ${JSON.stringify(never)}`);
    }
  }
}

const rulesOf = (item: ApplicableItem): WorkflowRules => ({
  allowsDeficiency: item.allowsDeficiency,
  allowsCommitment: item.allowsCommitment,
  // 行政许可法 art. 42: 10 working days for a 许可; the same default for other items
  maxExtensionDays: 10,
});

/** The actions the clock reads (the others do not move it). */
const CLOCK_ACTIONS: ReadonlySet<CaseAction['type']> = new Set([
  'accept',
  'acceptWithDeficiency',
  'acceptWithCommitment',
  'requestSupplement',
  'supplement',
  'suspend',
  'resume',
  'extend',
  'approve',
  'reject',
  'refuse',
  'withdraw',
]);

/** The cached fold of a case's actions (cases.projection). */
interface Projection {
  state: WorkflowState;
  clock: RecordedAction[];
}

const toClockView = (c: CaseClock): ClockView => ({
  state: c.state,
  due: c.promisedDue,
  statutoryDue: c.statutoryDue,
  remainingWorkingDays: c.remainingWorkingDays,
  colour: c.colour,
  startDate: c.startDate,
  pausedWorkingDays: c.pausedWorkingDays,
  extensionDays: c.extensionDays,
  onTime: c.onTime,
});

/** yyyyMMdd of the China date of an instant. */
const compactDate = (instant: string) => chinaDate(instant).replace(/-/g, '');

/**
 * The published item versions the use cases read, each kept a minute: a republished form or a
 * withdrawn item reaches new applications within that (on every node), and the action hot path
 * reads no catalogue.
 */
export class ItemCache {
  static readonly TTL_MS = 60_000;
  readonly #entries = new Map<string, { it: ApplicableItem; until: number }>();
  readonly #catalog: CatalogPort;

  constructor(catalog: CatalogPort) {
    this.#catalog = catalog;
  }

  async get(code: string): Promise<ApplicableItem | undefined> {
    const now = performance.now();
    const hit = this.#entries.get(code);
    if (hit && hit.until > now) return hit.it;
    const it = await this.#catalog.applicableItem(code);
    if (it) this.#entries.set(code, { it, until: now + ItemCache.TTL_MS });
    else this.#entries.delete(code);
    return it;
  }
}

/** A case row as the use cases last wrote it, with its projection unparsed. */
export interface WrittenCase {
  readonly row: st.CaseRow;
  readonly projection: Projection;
}

/**
 * Within one caller's transaction (`within`: bulk replays, imports), the case rows as the use
 * cases last wrote them, so the next action on the case need not read back what was just written.
 * Kept per transaction object only, so nothing outlives the transaction; the projection update
 * stays guarded by the action count, and any other write to a case's row (the clock refresh)
 * drops its entry.
 */
export class WrittenCases {
  readonly #byTransaction = new WeakMap<Executor, Map<string, WrittenCase>>();

  get(ex: Executor, caseNumber: string): WrittenCase | undefined {
    return this.#byTransaction.get(ex)?.get(caseNumber);
  }

  remember(ex: Executor, row: st.CaseRow, projection: Projection): void {
    if (!ex.isTransaction) return;
    let m = this.#byTransaction.get(ex);
    if (!m) {
      m = new Map();
      this.#byTransaction.set(ex, m);
    }
    m.set(row.case_number, { row, projection });
  }

  forget(ex: Executor, caseNumber: string): void {
    this.#byTransaction.get(ex)?.delete(caseNumber);
  }
}

/** What every use case of the module reads: the store, the clock, the neighbours, the settings, the caches. */
export interface CasesContext {
  readonly store: Store;
  readonly db: Store['db'];
  readonly clock: Clock;
  readonly ports: CasesPorts;
  /** after a commit: consumers look for the new events */
  readonly poke: () => void;
  /** seals forms and drafts at rest; none in unit tests and the bench */
  readonly cipher: PersonalDataCipher | undefined;
  readonly thresholds: ClockThresholds;
  /** per uploaded file */
  readonly maxUploadBytes: number;
  readonly items: ItemCache;
  readonly written: WrittenCases;
}

export function createCasesContext(deps: CasesServiceDeps): CasesContext {
  return Object.freeze({
    store: deps.store,
    db: deps.store.db,
    clock: deps.clock,
    ports: deps.ports,
    poke: deps.poke ?? (() => {}),
    cipher: deps.cipher,
    thresholds: deps.options?.thresholds ?? DEFAULT_THRESHOLDS,
    maxUploadBytes: deps.options?.maxUploadBytes ?? 10 * 1024 * 1024,
    items: new ItemCache(deps.ports.catalog),
    written: new WrittenCases(),
  });
}

export async function clockOf(
  ctx: CasesContext,
  row: st.CaseRow,
  recorded: readonly RecordedAction[],
  today?: string,
): Promise<CaseClock> {
  const rule = await ctx.ports.calendar.rule(row.decide_region_code);
  return computeClock(
    recorded,
    { promisedDays: row.promised_days, statutoryDays: row.statutory_days },
    rule,
    today ?? chinaDate(ctx.clock.now().toISOString()),
    ctx.thresholds,
  );
}

/** The error a problem with one upload gives (nothing of the request is written). */
export function uploadError(e: UploadProblem): DomainError {
  if (e.problem === 'tooLarge')
    return new DomainError('CASES.UPLOAD_TOO_LARGE', {
      params: { name: e.name, maxMb: Math.round(e.maxBytes / 1048576) },
    });
  return new DomainError(e.problem === 'type' ? 'CASES.UPLOAD_TYPE' : 'CASES.UPLOAD_LABEL', {
    params: { name: e.name },
  });
}

/** One upload checked against the item's materials and by its content. */
export function checkOne(
  ctx: CasesContext,
  it: Pick<ApplicableItem, 'materials'>,
  m: RawUpload,
): { ok: true; upload: CheckedMaterial } | DomainError {
  const def = it.materials.find((x) => x.code === m.code);
  if (!def) return new DomainError('CASES.MATERIAL_UNKNOWN', { params: { code: m.code } });
  if (m.tooLarge) return uploadError({ problem: 'tooLarge', name: m.filename, maxBytes: ctx.maxUploadBytes });
  if (m.overTotal)
    return new DomainError('CASES.UPLOAD_POST_TOO_LARGE', {
      params: { name: m.filename, maxMb: Math.round(MULTIPART_TOTAL_BYTES / 1048576) },
    });
  const r = checkUpload(
    { code: m.code, name: m.filename, data: m.data, declaredType: m.mediaType },
    ctx.maxUploadBytes,
  );
  if (!r.ok) return uploadError(r.error);
  return { ok: true, upload: { ...r.upload, materialName: def.name } };
}

export function checkUploads(
  ctx: CasesContext,
  it: ApplicableItem,
  uploads: readonly RawUpload[],
): CheckedMaterial[] {
  const out: CheckedMaterial[] = [];
  for (const m of uploads) {
    const r = checkOne(ctx, it, m);
    if (r instanceof DomainError) throw r;
    out.push(r.upload);
  }
  return out;
}

export function formIssues(it: ApplicableItem, form: unknown): FieldIssue[] {
  return validateForm(`${it.implementationCode}@${it.version}`, it.formSchema, form);
}

/** Who applies: the caller, or (walk-in) the account a clerk applies for at a hall. */
export async function applicantOf(
  ctx: CasesContext,
  p: Principal,
  input: { hallId?: string | undefined; applicantId?: string | undefined },
) {
  if (input.applicantId || input.hallId) {
    if (!input.hallId || !input.applicantId)
      throw new DomainError('COMMON.VALIDATION', { details: [{ field: 'hallId', rule: 'WALK_IN.BOTH' }] });
    const hall = await ctx.ports.regions.hall(input.hallId);
    if (!hall) throw new DomainError('CASES.HALL_NOT_FOUND');
    if (!allows(p, 'cases.accept'))
      throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'cases.accept' } });
    if (!allows(p, 'cases.accept', { regionCode: hall.regionCode }))
      throw new DomainError('CASES.OUT_OF_SCOPE');
    return { applicantId: input.applicantId, kind: 'person' as const, hall, channel: 'window' as const };
  }
  if (!allows(p, 'cases.apply'))
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'cases.apply' } });
  const kind = p.kind === 'organization' ? ('organization' as const) : ('person' as const);
  return { applicantId: p.accountId, kind, hall: undefined, channel: 'online' as const };
}

export interface Prepared {
  it: ApplicableItem;
  form: Record<string, unknown>;
  uploads: CheckedMaterial[];
  licenceMaterials: Array<{ code: string; name: string; identifier: string; verified: boolean }>;
  body: { departmentId: string; regionCode: string; implementationCode: string };
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
  return { it, form, uploads: decoded, licenceMaterials: lic, body };
}

/** Materials of a case (files into the blob store, e-licences by identifier), in the caller's transaction. */
export async function writeMaterials(
  trx: Executor,
  caseId: string,
  regionCode: string,
  uploads: readonly CheckedMaterial[],
  licences: Prepared['licenceMaterials'],
  now: string,
): Promise<void> {
  for (const u of uploads) {
    await st.putBlob(trx, {
      sha256: u.sha256,
      media_type: u.mediaType,
      size: u.size,
      data: u.data,
      region_code: regionCode,
      created_at: now,
    });
  }
  await st.insertMaterials(trx, [
    ...uploads.map((u) => ({
      id: newId(),
      case_id: caseId,
      code: u.code,
      name: u.materialName,
      trust_level: 'C',
      licence_identifier: null,
      blob_sha256: u.sha256,
      media_type: u.mediaType,
      size: u.size,
      region_code: regionCode,
      created_at: now,
    })),
    // 免提交: a material an e-licence supplies; A when the licences module confirmed it
    ...licences.map((m) => ({
      id: newId(),
      case_id: caseId,
      code: m.code,
      name: m.name,
      trust_level: m.verified ? 'A' : 'C',
      licence_identifier: m.identifier,
      blob_sha256: null,
      media_type: null,
      size: null,
      region_code: regionCode,
      created_at: now,
    })),
  ]);
}

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
): Promise<{ id: string; caseNumber: string; event: NewEvent }> {
  const { it, body } = prep;
  const prefix = `${body.implementationCode}${compactDate(now)}`;
  const seq = await st.nextSequence(trx, prefix);
  const caseNumber = `${prefix}${String(seq).padStart(6, '0')}`;
  const id = newId();
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
  await st.insertCase(trx, caseRow);
  await st.insertAction(trx, {
    case_id: id,
    seq: 1,
    type: 'submit',
    actor_id: p.accountId,
    region_code: applicantRegion,
    payload: JSON.stringify(who.hall ? { hallId: who.hall.id } : {}),
    at: now,
  });
  await writeMaterials(trx, id, applicantRegion, prep.uploads, prep.licenceMaterials, now);
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
      bundleId,
      materials: prep.uploads.length + prep.licenceMaterials.length,
    },
  };
  ctx.written.remember(trx, caseRow, initial);
  return { id, caseNumber, event };
}

export const notStartedClock: ClockView = {
  state: 'notStarted',
  due: null,
  statutoryDue: null,
  remainingWorkingDays: null,
  colour: 'none',
  startDate: null,
  pausedWorkingDays: 0,
  extensionDays: 0,
  onTime: null,
};

export async function submit(
  ctx: CasesContext,
  p: Principal,
  raw: SubmitIn,
  opts: WriteOptions & { files?: readonly RawUpload[]; fromDraft?: boolean } = {},
): Promise<Submitted> {
  const input = parseInput(SubmitInput, raw);
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
  const res = await inTransaction(opts.within ?? ctx.db, async (trx) => {
    const w = await writeCase(ctx, trx, p, prep, who, input.regionCode, null, now);
    await appendEvent(trx, ctx.clock, w.event);
    // the draft was the caller's (the applicant's, or the clerk's for a walk-in); submitted from
    // the pages, it must still be there (a second click of "submit" finds it gone)
    const hadDraft = await st.deleteDraft(trx, p.accountId, input.implementationCode);
    if (opts.fromDraft && !hadDraft) throw new DomainError('CASES.ALREADY_SUBMITTED');
    if (hadDraft) await st.deleteDraftMaterials(trx, p.accountId, input.implementationCode);
    return w;
  });
  // within a caller's transaction nothing is committed yet: the caller's commit is the moment
  if (!opts.within) ctx.poke();
  return {
    caseNumber: res.caseNumber,
    status: 'submitted',
    departmentId: prep.body.departmentId,
    clock: notStartedClock,
  };
}

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
  } = {},
) {
  const input = parseInput(BundleSubmitInput, raw);
  const bundle = await ctx.ports.catalog.bundle(input.bundleCode);
  if (!bundle) throw new DomainError('CASES.BUNDLE_NOT_FOUND', { params: { code: input.bundleCode } });
  const who = await applicantOf(ctx, p, {});
  const preps: Prepared[] = [];
  const issues: FieldIssue[] = [];
  for (const m of bundle.members) {
    const it = await ctx.items.get(m.implementationCode);
    if (!it) throw new DomainError('CASES.ITEM_NOT_FOUND', { params: { code: m.implementationCode } });
    // each member takes the fields its own form knows from the combined form
    const known = Object.keys((it.formSchema.properties as Record<string, unknown> | undefined) ?? {});
    const form = Object.fromEntries(Object.entries(input.form).filter(([k]) => known.includes(k)));
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
  const out = await inTransaction(opts.within ?? ctx.db, async (trx) => {
    const bundleId = newId();
    const prefix = `B${bundle.code}${compactDate(now)}`;
    const seq = await st.nextSequence(trx, prefix);
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
    const cases: Array<{ caseNumber: string; implementationCode: string; status: string }> = [];
    for (const prep of preps) {
      const w = await writeCase(ctx, trx, p, prep, who, input.regionCode, bundleId, now);
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
    return { bundleNumber, cases };
  });
  if (!opts.within) ctx.poke();
  return out;
}

/** Whether a principal may see a case, and as whom. */
export function viewerOf(p: Principal | undefined, row: st.CaseRow): 'applicant' | 'staff' | undefined {
  if (!p) return undefined;
  if (row.applicant_id === p.accountId && allows(p, 'cases.readOwn')) return 'applicant';
  if (allows(p, 'cases.read', { regionCode: row.decide_region_code, departmentId: row.department_id }))
    return 'staff';
  if (row.hall_region_code && allows(p, 'cases.read', { regionCode: row.hall_region_code })) return 'staff';
  // a window clerk of the deciding body's region sees online applications waiting for acceptance
  if (allows(p, 'cases.accept', { regionCode: row.hall_region_code ?? row.decide_region_code }))
    return 'staff';
  return undefined;
}

export async function act(
  ctx: CasesContext,
  caseNumber: string,
  input: ActionInput | CaseAction,
  p: Principal,
  opts: WriteOptions & { files?: readonly RawUpload[] } = {},
) {
  const ex = opts.within ?? ctx.db;
  // materials come only with a supplement: base64 from the API, files from a page
  const supplied: RawUpload[] = [...(opts.files ?? [])];
  if ('action' in input && input.action === 'supplement' && input.materials) {
    const { materials, ...rest } = input;
    supplied.push(...materials.map(fromBase64));
    input = rest;
  }
  let action: CaseAction = 'action' in input ? toAction(input) : input;
  if (supplied.length && action.type !== 'supplement')
    throw new DomainError('COMMON.VALIDATION', {
      details: [{ field: 'materials', rule: 'SUPPLEMENT_ONLY' }],
    });
  if (action.type === 'submit')
    throw new DomainError('CASES.TRANSITION_NOT_ALLOWED', {
      params: { status: 'submitted', action: 'submit' },
    });
  const mem = ex.isTransaction ? ctx.written.get(ex, caseNumber) : undefined;
  const row = mem?.row ?? (await st.caseByNumber(ex, caseNumber));
  if (!row) throw new DomainError('CASES.NOT_FOUND', { params: { caseNumber } });
  // who may: the applicant for their own supplement / withdraw, staff within their scope
  if (APPLICANT_ACTIONS.has(action.type) && row.applicant_id === p.accountId) {
    if (!allows(p, 'cases.apply'))
      throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'cases.apply' } });
  } else if (action.type === 'withdraw') {
    // 撤回 is the applicant's own act
    if (!viewerOf(p, row)) throw new DomainError('CASES.NOT_FOUND', { params: { caseNumber } });
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'cases.apply' } });
  } else {
    const perm = action.type === 'supplement' ? 'cases.accept' : ACTION_PERMISSION[action.type];
    const staffAction = action.type === 'supplement' ? 'accept' : action.type;
    if (!hasPermissionAnywhere(p, staffAction)) {
      if (row.applicant_id !== p.accountId && !viewerOf(p, row))
        throw new DomainError('CASES.NOT_FOUND', { params: { caseNumber } });
      throw new DomainError('COMMON.FORBIDDEN', { details: { permission: perm } });
    }
    const scope =
      HALL_ACTIONS.has(staffAction) || action.type === 'supplement'
        ? { regionCode: row.hall_region_code ?? row.decide_region_code }
        : { regionCode: row.decide_region_code, departmentId: row.department_id };
    if (!permits(p, staffAction, scope)) throw new DomainError('CASES.OUT_OF_SCOPE');
  }
  const it = await ctx.items.get(row.item_code);
  if (!it) throw new DomainError('CASES.ITEM_NOT_FOUND', { params: { code: row.item_code } });

  const suppliedMaterials = supplied.length ? checkUploads(ctx, it, supplied) : [];
  if (suppliedMaterials.length && action.type === 'supplement')
    action = { ...action, materials: suppliedMaterials.map((m) => m.materialName) };

  const cached = mem?.projection ?? (JSON.parse(row.projection) as Projection);
  const state = cached.state;
  const r = step(state, action, rulesOf(it));
  if (!r.ok) throw refusalError(r.refusal);

  // 出证: an e-licence for an approved 许可 whose result is one. Looked up before the write,
  // issued inside it: the licence and the issueResult action commit together.
  const issue =
    action.type === 'issueResult' && state.outcome === 'approved' && it.resultLicenceType
      ? await ctx.ports.licences?.prepareIssue?.({
          caseNumber,
          implementationCode: row.implementation_code,
          licenceType: it.resultLicenceType,
          holderAccountId: row.applicant_id,
          regionCode: row.decide_region_code,
          departmentId: row.department_id,
          today: chinaDate(ctx.clock.now().toISOString()),
        })
      : undefined;

  const { status, c } = await inTransaction(ex, async (trx) => {
    const identifier = issue ? await issue(trx) : undefined;
    const payloadAction: CaseAction =
      identifier && action.type === 'issueResult' ? { ...action, licenceIdentifier: identifier } : action;
    const now = ctx.clock.now().toISOString();
    const clockActions = CLOCK_ACTIONS.has(payloadAction.type)
      ? [...cached.clock, { action: payloadAction, at: now }]
      : cached.clock;
    const c = await clockOf(ctx, row, clockActions, chinaDate(now));
    const status = r.state.status;
    const seq = row.action_count + 1;
    const { type, ...details } = payloadAction;
    const result =
      action.type === 'issueResult'
        ? JSON.stringify({ outcome: state.outcome, issuedAt: now, ...details })
        : undefined;
    const projection: Projection = { state: r.state, clock: clockActions };
    const changes: st.CaseProjection = {
      status,
      open: TERMINAL.has(status) ? 0 : 1,
      accepted_on: c.startDate,
      promised_due: c.promisedDue,
      statutory_due: c.statutoryDue,
      clock_state: c.state,
      colour: c.colour,
      remaining_days: c.remainingWorkingDays,
      action_count: seq,
      projection: JSON.stringify(projection),
      updated_at: now,
      ...(result ? { result } : {}),
    };
    const updated = await st.updateProjection(trx, row.id, row.action_count, changes);
    if (!updated) {
      ctx.written.forget(ex, caseNumber);
      throw new DomainError('CASES.CONCURRENT_CHANGE');
    }
    await st.insertAction(trx, {
      case_id: row.id,
      seq,
      type,
      actor_id: p.accountId,
      region_code: row.region_code,
      payload: JSON.stringify(details),
      at: now,
    });
    if (suppliedMaterials.length)
      await writeMaterials(trx, row.id, row.region_code, suppliedMaterials, [], now);
    await appendEvent(trx, ctx.clock, {
      type: ACTION_EVENT[type],
      aggregateType: 'case',
      aggregateId: caseNumber,
      regionCode: row.decide_region_code,
      actor: p.accountId,
      payload: {
        caseNumber,
        implementationCode: row.implementation_code,
        departmentId: row.department_id,
        action: type,
        seq,
        status,
        clock: { state: c.state, due: c.promisedDue, colour: c.colour },
        ...(row.bundle_id ? { bundleId: row.bundle_id } : {}),
        ...(payloadAction.type === 'issueResult' && payloadAction.licenceIdentifier
          ? { licenceIdentifier: payloadAction.licenceIdentifier }
          : {}),
      },
    });
    // a closed case takes no more actions: nothing to keep for it
    if (TERMINAL.has(status)) ctx.written.forget(ex, caseNumber);
    else ctx.written.remember(ex, { ...row, ...changes }, projection);
    return { status, c };
  });
  if (!opts.within) ctx.poke();
  return { caseNumber, status, clock: toClockView(c), allowedActions: allowedActions(status) };
}

export async function view(
  ctx: CasesContext,
  caseNumber: string,
  p: Principal | undefined,
): Promise<CaseView> {
  const row = await st.caseByNumber(ctx.db, caseNumber);
  const who = row ? viewerOf(p, row) : undefined;
  if (!row || !who) throw new DomainError('CASES.NOT_FOUND', { params: { caseNumber } });
  const [actions, materials] = await Promise.all([
    st.actionsOf(ctx.db, row.id),
    st.materialsOf(ctx.db, row.id),
  ]);
  const recorded = st.toRecorded(actions);
  const c = await clockOf(ctx, row, recorded);
  const bundle = row.bundle_id ? await bundleNumberOf(ctx, row.bundle_id) : null;
  return {
    caseNumber: row.case_number,
    implementationCode: row.implementation_code,
    itemName: row.item_name,
    status: row.status,
    channel: row.channel,
    regionCode: row.region_code,
    departmentId: row.department_id,
    hallId: row.hall_id,
    bundleNumber: bundle,
    createdAt: row.created_at,
    clock: toClockView(c),
    actions: actions.map((a) => ({
      seq: a.seq,
      action: a.type,
      at: a.at,
      // the applicant sees who acted by role, staff see the account
      actor: who === 'staff' ? a.actor_id : a.actor_id === row.applicant_id ? 'applicant' : 'staff',
      details: JSON.parse(a.payload) as Record<string, unknown>,
    })),
    allowedActions: allowedActions(row.status as CaseStatus),
    materials: materials.map((m) => ({
      code: m.code,
      name: m.name,
      trustLevel: m.trust_level,
      licenceIdentifier: m.licence_identifier,
      sha256: m.blob_sha256,
      mediaType: m.media_type,
      size: m.size,
    })),
    result: row.result ? (JSON.parse(row.result) as Record<string, unknown>) : null,
  };
}

export async function bundleNumberOf(ctx: CasesContext, bundleId: string): Promise<string | null> {
  return (await st.bundleById(ctx.db, bundleId))?.bundle_number ?? null;
}

/** Why the deadline is where it is, day by day. */
export async function explain(
  ctx: CasesContext,
  caseNumber: string,
  p: Principal | undefined,
): Promise<ExplainedClockDay[]> {
  const row = await st.caseByNumber(ctx.db, caseNumber);
  if (!row || !viewerOf(p, row)) throw new DomainError('CASES.NOT_FOUND', { params: { caseNumber } });
  const recorded = st.toRecorded(await st.actionsOf(ctx.db, row.id));
  const rule = await ctx.ports.calendar.rule(row.decide_region_code);
  return explainClock(
    recorded,
    { promisedDays: row.promised_days, statutoryDays: row.statutory_days },
    rule,
    chinaDate(ctx.clock.now().toISOString()),
  );
}

export async function myCases(ctx: CasesContext, p: Principal, page = 1, pageSize = 20) {
  if (!allows(p, 'cases.readOwn'))
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'cases.readOwn' } });
  return st.applicantCases(ctx.db, p.accountId, pageSize, (page - 1) * pageSize);
}

/** A one-progress view of a bundle for its applicant. */
export async function bundleView(ctx: CasesContext, bundleNumber: string, p: Principal) {
  const b = await st.bundleByNumber(ctx.db, bundleNumber);
  if (!b || b.applicant_id !== p.accountId)
    throw new DomainError('CASES.BUNDLE_NOT_FOUND', { params: { code: bundleNumber } });
  const cases = await st.casesOfBundle(ctx.db, b.id);
  const done = cases.filter((c) => c.open === 0).length;
  return {
    bundleNumber,
    name: b.bundle_name,
    createdAt: b.created_at,
    progress: { done, total: cases.length },
    complete: done === cases.length,
    cases: cases.map((c) => ({
      caseNumber: c.case_number,
      itemName: c.item_name,
      status: c.status,
      promisedDue: c.promised_due,
    })),
  };
}

/** The queue of a department (staff with workbench.view in its scope). */
export async function departmentQueue(
  ctx: CasesContext,
  p: Principal,
  q: {
    departmentId: string;
    regionCode?: string;
    status?: string;
    colour?: string;
    page: number;
    pageSize: number;
  },
) {
  if (
    !allows(p, 'workbench.view', {
      departmentId: q.departmentId,
      ...(q.regionCode ? { regionCode: q.regionCode } : {}),
    })
  )
    throw new DomainError('CASES.OUT_OF_SCOPE');
  const [rows, counts] = await Promise.all([
    st.departmentQueue(ctx.db, {
      departmentId: q.departmentId,
      status: q.status,
      colour: q.colour,
      limit: q.pageSize,
      offset: (q.page - 1) * q.pageSize,
    }),
    st.colourCounts(ctx.db, q.departmentId),
  ]);
  return { rows, counts };
}

/** A window's queue: the cases waiting for acceptance in the regions the caller accepts for. */
export async function acceptanceQueue(
  ctx: CasesContext,
  p: Principal,
  q: { page: number; pageSize: number },
) {
  const prefixes = p.grants.filter((g) => g.permissions.includes('cases.accept')).map((g) => g.regionPrefix);
  if (prefixes.length === 0)
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'cases.accept' } });
  // the widest grant covers the others
  const prefix = prefixes.sort((a, b) => a.length - b.length)[0] as string;
  return st.acceptanceQueue(ctx.db, prefix, q.pageSize, (q.page - 1) * q.pageSize);
}

export async function hallQueue(
  ctx: CasesContext,
  p: Principal,
  q: { hallId: string; status?: string; page: number; pageSize: number },
) {
  const hall = await ctx.ports.regions.hall(q.hallId);
  if (!hall) throw new DomainError('CASES.HALL_NOT_FOUND');
  if (!allows(p, 'workbench.view', { regionCode: hall.regionCode }))
    throw new DomainError('CASES.OUT_OF_SCOPE');
  return st.hallQueue(ctx.db, {
    hallId: q.hallId,
    status: q.status,
    limit: q.pageSize,
    offset: (q.page - 1) * q.pageSize,
  });
}

/** Recomputes one open case's clock columns; returns the new clock. */
export async function refreshClock(
  ctx: CasesContext,
  trx: Executor,
  row: st.CaseRow,
  today: string,
): Promise<CaseClock> {
  ctx.written.forget(trx, row.case_number);
  const c = await clockOf(ctx, row, (JSON.parse(row.projection) as Projection).clock, today);
  if (
    c.promisedDue !== row.promised_due ||
    c.statutoryDue !== row.statutory_due ||
    c.colour !== row.colour ||
    c.remainingWorkingDays !== row.remaining_days ||
    c.state !== row.clock_state
  ) {
    await st.updateClockColumns(trx, row.id, {
      promised_due: c.promisedDue,
      statutory_due: c.statutoryDue,
      clock_state: c.state,
      colour: c.colour,
      remaining_days: c.remainingWorkingDays,
    });
  }
  return c;
}

/**
 * The warning sweep (run on a timer, and by tests with a set clock): recomputes the clocks of
 * open cases due soon, and raises `cases.warning.yellow` / `.red` once per case and level.
 */
export async function sweepClocks(
  ctx: CasesContext,
): Promise<{ checked: number; yellow: number; red: number }> {
  const today = chinaDate(ctx.clock.now().toISOString());
  // yellowWithin working days can span a long holiday: look ahead generously in calendar days
  const horizon = dateOf(dayNumber(today) + ctx.thresholds.yellowWithin * 2 + 14);
  let after = '';
  const out = { checked: 0, yellow: 0, red: 0 };
  for (;;) {
    const rows = await st.openCasesDueBy(ctx.db, horizon, 500, after);
    if (rows.length === 0) break;
    await ctx.db.transaction().execute(async (trx) => {
      const events: NewEvent[] = [];
      const now = ctx.clock.now().toISOString();
      for (const row of rows) {
        const c = await refreshClock(ctx, trx, row, today);
        out.checked++;
        if (c.colour === 'yellow' || c.colour === 'red') {
          if (await st.recordWarning(trx, row.id, c.colour, row.decide_region_code, now)) {
            out[c.colour]++;
            events.push({
              type: `cases.warning.${c.colour}`,
              aggregateType: 'case',
              aggregateId: row.case_number,
              regionCode: row.decide_region_code,
              payload: {
                caseNumber: row.case_number,
                departmentId: row.department_id,
                due: c.promisedDue,
                remainingWorkingDays: c.remainingWorkingDays,
              },
            });
          }
        }
      }
      await appendEvents(trx, ctx.clock, events);
    });
    after = rows[rows.length - 1]!.id;
  }
  if (out.yellow + out.red > 0) ctx.poke();
  return out;
}

/** A calendar change applies to running cases: recompute every open accepted case in the region. */
export async function recomputeRegion(
  ctx: CasesContext,
  trx: Executor,
  regionPrefix: string,
): Promise<number> {
  const today = chinaDate(ctx.clock.now().toISOString());
  let after = '';
  let n = 0;
  for (;;) {
    const rows = await st.openAcceptedInRegion(trx, regionPrefix, 500, after);
    if (rows.length === 0) break;
    for (const row of rows) {
      await refreshClock(ctx, trx, row, today);
      n++;
    }
    after = rows[rows.length - 1]!.id;
  }
  return n;
}

/** Keeps a draft's answers; its region (for an operator's counts) is the answers' own. */
export async function saveDraft(
  ctx: CasesContext,
  p: Principal,
  code: string,
  data: Record<string, unknown>,
  within?: Executor,
) {
  const region =
    typeof data.regionCode === 'string' && REGION_CODE_RE.test(data.regionCode) ? data.regionCode : '';
  await st.saveDraft(within ?? ctx.db, {
    applicant_id: p.accountId,
    implementation_code: code,
    // a draft holds the same personal data as the form: sealed alike
    data: ctx.cipher ? ctx.cipher.encrypt(JSON.stringify(data)) : JSON.stringify(data),
    region_code: region,
    updated_at: ctx.clock.now().toISOString(),
  });
}

export async function loadDraft(
  ctx: CasesContext,
  p: Principal,
  code: string,
  within?: Executor,
): Promise<Record<string, unknown> | undefined> {
  const raw = await st.loadDraft(within ?? ctx.db, p.accountId, code);
  if (raw === undefined) return undefined;
  return JSON.parse(ctx.cipher && raw.startsWith('v1.') ? ctx.cipher.decrypt(raw) : raw) as Record<
    string,
    unknown
  >;
}

// ── the apply pages: files and e-licences kept with the draft ──────────────────────────────

/**
 * What the apply pages ask for: an item's form and materials, or a 一件事 bundle's combined
 * form (every member's questions once, by name) and material set (by code). `key` is the draft's
 * key: an implementation code, or `bundle:<code>`.
 */
export async function application(ctx: CasesContext, key: string): Promise<Application | undefined> {
  if (!key.startsWith(BUNDLE_KEY)) {
    const it = await ctx.items.get(key);
    if (!it) return undefined;
    return {
      key,
      kind: 'item',
      code: key,
      name: it.name,
      formFields: it.formFields,
      materials: it.materials,
      validate: (form) => formIssues(it, form),
    };
  }
  const code = key.slice(BUNDLE_KEY.length);
  const b = await ctx.ports.catalog.bundle(code);
  if (!b) return undefined;
  const members: ApplicableItem[] = [];
  for (const m of b.members) {
    const it = await ctx.items.get(m.implementationCode);
    if (it) members.push(it);
  }
  const fields = new Map<string, FormFieldHint>();
  // one material set: the same document (by name) asked by several members is provided once;
  // its code on the pages is the bundle's own (members' codes may clash: m02-doc is one thing
  // in one item and another in the next)
  const materials = new Map<
    string,
    { m: ApplicationMaterial; uses: Array<{ item: string; code: string }> }
  >();
  for (const it of members) {
    for (const f of it.formFields) {
      const had = fields.get(f.name);
      fields.set(f.name, had ? { ...had, required: had.required || f.required } : f);
    }
    for (const m of it.materials) {
      const had = materials.get(m.name);
      const use = { item: it.implementationCode, code: m.code };
      if (had) {
        had.uses.push(use);
        // asked of the applicant if any member asks for it; read from shared data only if every
        // member reads it so; an e-licence any member accepts is offered
        const shared = sharedOnly(had.m) && sharedOnly(m);
        had.m = {
          ...had.m,
          required: had.m.required || m.required,
          source: had.m.source === 'government' && m.source === 'government' ? 'government' : 'applicant',
          licenceType: had.m.licenceType ?? m.licenceType,
          sharedData: shared ? had.m.sharedData : undefined,
        };
      } else materials.set(m.name, { m: { ...m, code: bundleMaterialCode(m.name) }, uses: [use] });
    }
  }
  // the applicant's questions first, the way to receive the result last, as on an item's form
  const rank = (f: FormFieldHint) => (f.section === 'applicant' ? 0 : f.section === 'delivery' ? 2 : 1);
  return {
    key,
    kind: 'bundle',
    code,
    name: b.name,
    formFields: [...fields.values()].sort((a, z) => rank(a) - rank(z)),
    materials: [...materials.values()].map((x) => x.m),
    members: (files, licences) =>
      members.map((it) => {
        const mine = [...materials.values()].flatMap((x) =>
          x.uses
            .filter((u) => u.item === it.implementationCode)
            .map((u) => ({ bundleCode: x.m.code, code: u.code })),
        );
        return {
          implementationCode: it.implementationCode,
          files: mine.flatMap((u) =>
            files.filter((f) => f.code === u.bundleCode).map((f) => ({ ...f, code: u.code })),
          ),
          licences: Object.fromEntries(
            mine.filter((u) => licences[u.bundleCode]).map((u) => [u.code, licences[u.bundleCode]!]),
          ),
        };
      }),
    validate: (form) => {
      const out: FieldIssue[] = [];
      for (const it of members) {
        const known = Object.keys((it.formSchema.properties as Record<string, unknown> | undefined) ?? {});
        const own = Object.fromEntries(Object.entries(form).filter(([k]) => known.includes(k)));
        for (const i of formIssues(it, own)) if (!out.some((x) => x.field === i.field)) out.push(i);
      }
      return out;
    },
  };
}

/** The files uploaded with a draft (without their bytes). */
export async function draftFiles(ctx: CasesContext, p: Principal, code: string): Promise<DraftFile[]> {
  const rows = await st.draftMaterialsOf(ctx.db, p.accountId, code);
  return rows.map((r) => ({
    materialCode: r.material_code,
    filename: r.filename,
    mediaType: r.media_type,
    size: r.size,
    sha256: r.sha256,
  }));
}

/**
 * Keeps files and e-licence choices with a draft: every file is checked (a material of the item,
 * size, type by content) and every chosen e-licence confirmed before anything is written; any
 * problem is returned per material and nothing changes. `licences`: material code → identifier,
 * or '' to upload instead. `remove`: material codes whose kept file is dropped.
 */
export async function saveDraftFiles(
  ctx: CasesContext,
  p: Principal,
  code: string,
  change: {
    files: readonly RawUpload[];
    remove?: readonly string[];
    licences?: Readonly<Record<string, string>>;
  },
): Promise<{ problems: Array<{ code: string; error: DomainError }> }> {
  const it = await application(ctx, code);
  if (!it) throw new DomainError('CASES.ITEM_NOT_FOUND', { params: { code } });
  const problems: Array<{ code: string; error: DomainError }> = [];
  const checked: CheckedMaterial[] = [];
  for (const f of change.files) {
    const r = checkOne(ctx, it, f);
    if (r instanceof DomainError) problems.push({ code: f.code, error: r });
    else checked.push(r.upload);
  }
  const chosen = Object.entries(change.licences ?? {}).filter(([, id]) => id !== '');
  for (const [mcode, identifier] of chosen) {
    const def = it.materials.find((x) => x.code === mcode);
    if (!def) {
      problems.push({
        code: mcode,
        error: new DomainError('CASES.MATERIAL_UNKNOWN', { params: { code: mcode } }),
      });
      continue;
    }
    const ok = ctx.ports.licences?.verifyForCase
      ? await ctx.ports.licences.verifyForCase({
          holderAccountId: p.accountId,
          identifier,
          licenceType: def.licenceType,
        })
      : false;
    if (!ok)
      problems.push({
        code: mcode,
        error: new DomainError('CASES.LICENCE_NOT_USABLE', { params: { code: def.name } }),
      });
  }
  if (problems.length) return { problems };
  const now = ctx.clock.now().toISOString();
  await inTransaction(ctx.db, async (trx) => {
    // read and rewritten in one transaction: an autosave in between is not lost
    const draft = (await loadDraft(ctx, p, code, trx)) ?? {};
    for (const [mcode, identifier] of Object.entries(change.licences ?? {})) {
      if (identifier) draft[`licence.${mcode}`] = identifier;
      else delete draft[`licence.${mcode}`];
    }
    await st.deleteDraftMaterials(trx, p.accountId, code, change.remove ?? []);
    for (const u of checked) {
      await st.putDraftMaterial(trx, {
        applicant_id: p.accountId,
        implementation_code: code,
        material_code: u.code,
        filename: u.name.slice(0, 200),
        media_type: u.mediaType,
        size: u.size,
        sha256: u.sha256,
        data: u.data,
        updated_at: now,
      });
    }
    // a material supplied by an e-licence needs no file
    await st.deleteDraftMaterials(
      trx,
      p.accountId,
      code,
      chosen.map(([m]) => m),
    );
    await saveDraft(ctx, p, code, draft, trx);
  });
  return { problems: [] };
}

/** The applicant's e-licences in force that can stand in for each material (免提交). */
export async function usableLicences(
  ctx: CasesContext,
  p: Principal,
  code: string,
): Promise<Record<string, UsableLicence[]>> {
  const it = await application(ctx, code);
  const out: Record<string, UsableLicence[]> = {};
  if (!it || !ctx.ports.licences?.usableFor) return out;
  const types = [...new Set(it.materials.flatMap((m) => (m.licenceType ? [m.licenceType] : [])))];
  if (types.length === 0) return out;
  // the wallet read once for every licence type the materials accept
  const byType = await ctx.ports.licences.usableFor({ holderAccountId: p.accountId, licenceTypes: types });
  for (const m of it.materials) {
    const list = m.licenceType ? (byType[m.licenceType] ?? []) : [];
    if (list.length) out[m.code] = list;
  }
  return out;
}

/**
 * Submits the caller's draft: its answers, the files kept with it and the e-licences chosen;
 * the draft and its files go in the same transaction as the case is written.
 */
export async function submitDraft(
  ctx: CasesContext,
  p: Principal,
  code: string,
): Promise<{ caseNumber?: string; bundleNumber?: string }> {
  const app = await application(ctx, code);
  if (!app) throw new DomainError('CASES.ITEM_NOT_FOUND', { params: { code } });
  const draft = (await loadDraft(ctx, p, code)) ?? {};
  const values = Object.fromEntries(
    Object.entries(draft).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
  const licenceMaterials = Object.fromEntries(
    Object.entries(values)
      .filter(([k]) => k.startsWith('licence.'))
      .map(([k, v]) => [k.slice('licence.'.length), v]),
  );
  const files = (await st.draftMaterialFiles(ctx.db, p.accountId, code)).map(
    (f): RawUpload => ({
      code: f.material_code,
      filename: f.filename,
      mediaType: f.media_type,
      data: Buffer.from(f.data),
    }),
  );
  const form = coerceFormValues(app.formFields, values);
  // every required material: a file kept with the draft, an e-licence, or shared data
  const missing = missingMaterials(app.materials, files, licenceMaterials);
  if (missing.length)
    throw new DomainError('CASES.MATERIALS_MISSING', {
      params: { names: missing.map((m) => m.name).join('、') },
      details: missing.map((m) => ({ field: `file.${m.code}`, rule: 'REQUIRED' })),
    });
  if (app.kind === 'bundle') {
    const r = await submitBundle(
      ctx,
      p,
      { bundleCode: app.code, regionCode: values.regionCode ?? '', form },
      { members: app.members?.(files, licenceMaterials) ?? [], draftKey: code },
    );
    return { bundleNumber: r.bundleNumber };
  }
  const r = await submit(
    ctx,
    p,
    {
      implementationCode: code,
      regionCode: values.regionCode ?? '',
      form,
      ...(Object.keys(licenceMaterials).length ? { licenceMaterials } : {}),
      ...(values.hallId ? { hallId: values.hallId, applicantId: values.applicantId } : {}),
    },
    { files, fromDraft: true },
  );
  return { caseNumber: r.caseNumber };
}

/** Drops the caller's draft of one item or bundle, answers and files. */
export async function discardDraft(ctx: CasesContext, p: Principal, code: string): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    await st.deleteDraft(trx, p.accountId, code);
    await st.deleteDraftMaterials(trx, p.accountId, code);
  });
}

/** Lets go of drafts (answers and files) nobody has touched for `days` days. */
export async function sweepDrafts(
  ctx: CasesContext,
  days: number,
): Promise<{ drafts: number; files: number }> {
  const before = new Date(ctx.clock.now().getTime() - days * 86_400_000).toISOString();
  return inTransaction(ctx.db, (trx) => st.deleteStaleDrafts(trx, before));
}

export async function blob(ctx: CasesContext, caseNumber: string, sha256: string, p: Principal) {
  const row = await st.caseByNumber(ctx.db, caseNumber);
  if (!row || !viewerOf(p, row)) throw new DomainError('CASES.NOT_FOUND', { params: { caseNumber } });
  const mats = await st.materialsOf(ctx.db, row.id);
  if (!mats.some((m) => m.blob_sha256 === sha256)) throw new DomainError('COMMON.NOT_FOUND');
  return st.getBlob(ctx.db, sha256);
}

/** What the account can prefill into a form (name, ID number, phone, region). */
export function prefill(ctx: CasesContext, p: Principal): Promise<Record<string, string>> {
  return ctx.ports.identity.prefill(p.accountId);
}

/** Open cases of a region by clock colour (a supervisor's 黄牌 / 红牌 counts). */
export function colourCountsInRegion(ctx: CasesContext, prefix: string) {
  return st.colourCountsInRegion(ctx.db, prefix);
}

/** A use case with its context bound: what callers of the service see. */
type Bound<F> = F extends (ctx: CasesContext, ...args: infer A) => infer R ? (...args: A) => R : never;

/** The cases module's use cases, each bound to one context. */
export interface CasesService {
  readonly submit: Bound<typeof submit>;
  readonly submitBundle: Bound<typeof submitBundle>;
  readonly act: Bound<typeof act>;
  readonly view: Bound<typeof view>;
  readonly explain: Bound<typeof explain>;
  readonly myCases: Bound<typeof myCases>;
  readonly bundleView: Bound<typeof bundleView>;
  readonly departmentQueue: Bound<typeof departmentQueue>;
  readonly acceptanceQueue: Bound<typeof acceptanceQueue>;
  readonly hallQueue: Bound<typeof hallQueue>;
  readonly sweepClocks: Bound<typeof sweepClocks>;
  readonly recomputeRegion: Bound<typeof recomputeRegion>;
  readonly saveDraft: Bound<typeof saveDraft>;
  readonly loadDraft: Bound<typeof loadDraft>;
  readonly draftFiles: Bound<typeof draftFiles>;
  readonly saveDraftFiles: Bound<typeof saveDraftFiles>;
  readonly usableLicences: Bound<typeof usableLicences>;
  readonly submitDraft: Bound<typeof submitDraft>;
  readonly application: Bound<typeof application>;
  readonly sweepDrafts: Bound<typeof sweepDrafts>;
  readonly discardDraft: Bound<typeof discardDraft>;
  readonly prefill: Bound<typeof prefill>;
  readonly blob: Bound<typeof blob>;
  readonly colourCountsInRegion: Bound<typeof colourCountsInRegion>;
  /** the published version of an item (cached a minute) */
  readonly item: (code: string) => Promise<ApplicableItem | undefined>;
}

/**
 * The cases use cases. Each state change writes its action row, the case's projection and its
 * event in one transaction; status and clock are derived from the actions by the pure workflow
 * and SLA functions.
 */
export function createCasesService(deps: CasesServiceDeps): CasesService {
  const ctx = createCasesContext(deps);
  return {
    submit: (...a) => submit(ctx, ...a),
    submitBundle: (...a) => submitBundle(ctx, ...a),
    act: (...a) => act(ctx, ...a),
    view: (...a) => view(ctx, ...a),
    explain: (...a) => explain(ctx, ...a),
    myCases: (...a) => myCases(ctx, ...a),
    bundleView: (...a) => bundleView(ctx, ...a),
    departmentQueue: (...a) => departmentQueue(ctx, ...a),
    acceptanceQueue: (...a) => acceptanceQueue(ctx, ...a),
    hallQueue: (...a) => hallQueue(ctx, ...a),
    sweepClocks: (...a) => sweepClocks(ctx, ...a),
    recomputeRegion: (...a) => recomputeRegion(ctx, ...a),
    saveDraft: (...a) => saveDraft(ctx, ...a),
    loadDraft: (...a) => loadDraft(ctx, ...a),
    draftFiles: (...a) => draftFiles(ctx, ...a),
    saveDraftFiles: (...a) => saveDraftFiles(ctx, ...a),
    usableLicences: (...a) => usableLicences(ctx, ...a),
    submitDraft: (...a) => submitDraft(ctx, ...a),
    application: (...a) => application(ctx, ...a),
    sweepDrafts: (...a) => sweepDrafts(ctx, ...a),
    discardDraft: (...a) => discardDraft(ctx, ...a),
    prefill: (...a) => prefill(ctx, ...a),
    blob: (...a) => blob(ctx, ...a),
    colourCountsInRegion: (...a) => colourCountsInRegion(ctx, ...a),
    item: (code) => ctx.items.get(code),
  };
}

/**
 * Drafts of the apply pages: the answers (sealed like a form), the files and e-licence choices kept
 * with them, the e-licences that can stand in for a material, and submitting a draft as a case or
 * a bundle.
 */
import { REGION_CODE_RE } from '../../platform/codes/index.js';
import { DomainError } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { application, splitDraftKey } from './cases.application.js';
import type { CasesContext } from './cases.context.js';
import { draftFileName } from './cases.files.js';
import { coerceFormValues, missingMaterials } from './cases.forms.js';
import { type CheckedMaterial, type RawUpload, checkOne } from './cases.materials.js';
import type { UsableLicence } from './cases.ports.js';
import * as st from './cases.store.js';
import { type BundleSubmitted, type Submitted, submit, submitBundle } from './cases.submit.js';
import { earlierAnswer, keyed, once } from './cases.requests.js';
import { RequestId } from './cases.types.js';
import { parseInput } from '../../platform/input.js';

/** A file of a draft, as the pages list it. */
export interface DraftFile {
  readonly materialCode: string;
  readonly filename: string;
  readonly mediaType: string;
  readonly size: number;
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

/** The files uploaded with a draft (without their bytes). */
export async function draftFiles(ctx: CasesContext, p: Principal, code: string): Promise<DraftFile[]> {
  const rows = await st.draftMaterialsOf(ctx.db, p.accountId, code);
  return rows.map((r) => ({
    materialCode: r.material_code,
    filename: r.filename,
    mediaType: r.media_type,
    size: r.size,
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
      const key = { applicant_id: p.accountId, implementation_code: code, material_code: u.code };
      const { onBehalfOf, code: item } = splitDraftKey(code);
      await st.putDraftMaterial(trx, {
        ...key,
        filename: u.name.slice(0, 200),
        media_type: u.mediaType,
        size: u.size,
        data: ctx.files.seal(
          u.data,
          draftFileName({ ...key, implementation_code: item, on_behalf_of: onBehalfOf }),
        ),
        key_generation: ctx.files.generation,
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
  opts: {
    /** the check page's request id: a re-posted "submit" gets the case the first post made */
    requestId?: string | undefined;
  } = {},
): Promise<{ caseNumber?: string; bundleNumber?: string }> {
  const req = draftRequest(code, opts.requestId);
  // the answer kept is submit's or submitBundle's (they record it under this request)
  const first = await once<Partial<Submitted & BundleSubmitted>>(ctx.db, p, req, async () => {
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
        data: ctx.files.open(f.data, draftFileName(f)),
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
        { members: app.members?.(files, licenceMaterials) ?? [], draftKey: code, request: req },
      );
      return { bundleNumber: r.bundleNumber };
    }
    const r = await submit(
      ctx,
      p,
      {
        // the item's code (the draft's key may be on a person's behalf: `for:<account>:<code>`)
        implementationCode: app.code,
        regionCode: values.regionCode ?? '',
        form,
        ...(Object.keys(licenceMaterials).length ? { licenceMaterials } : {}),
        ...(values.hallId ? { hallId: values.hallId, applicantId: values.applicantId } : {}),
        // 帮办代办: the person the draft was started for (startAssisted); submit checks the 委托 again
        ...(values.onBehalfOf ? { onBehalfOf: values.onBehalfOf } : {}),
      },
      { files, fromDraft: true, request: req, prefillCorrected: prefillCorrections(values) },
    );
    return { caseNumber: r.caseNumber };
  });
  return numbersOf(first);
}

/** A draft's submission, keyed by the check page's request id. */
const draftRequest = (code: string, requestId: string | undefined) =>
  keyed(parseInput(RequestId.optional(), requestId), 'draft', { key: code });

const numbersOf = (
  a: Partial<Submitted & BundleSubmitted>,
): { caseNumber?: string; bundleNumber?: string } =>
  a.bundleNumber ? { bundleNumber: a.bundleNumber } : { caseNumber: a.caseNumber ?? '' };

/** What a draft's submission under this request id made, if it has been submitted. */
export async function submittedDraft(
  ctx: CasesContext,
  p: Principal,
  code: string,
  requestId: string,
): Promise<{ caseNumber?: string; bundleNumber?: string } | undefined> {
  const earlier = await earlierAnswer<Partial<Submitted & BundleSubmitted>>(
    ctx.db,
    p,
    draftRequest(code, requestId),
  );
  return earlier && numbersOf(earlier);
}

/** Drops the caller's draft of one item or bundle, answers and files. */
export async function discardDraft(ctx: CasesContext, p: Principal, code: string): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    await st.deleteDraft(trx, p.accountId, code);
    await st.deleteDraftMaterials(trx, p.accountId, code);
  });
}

/** What the account can prefill into a form (name, ID number, phone, region). */
export function prefill(ctx: CasesContext, p: Principal): Promise<Record<string, string>> {
  return ctx.ports.identity.prefill(p.accountId);
}

/** The draft keys of a field read from a register: its value as read, and the register. */
export const PREFILL_KEY = 'prefill.';
export const PREFILL_SOURCE_KEY = 'prefill.src.';

/** The account's details (by prefill kind) put into the fields that ask for them. */
export function prefillFields(
  fields: ReadonlyArray<{ name: string; prefill?: string | undefined }>,
  known: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (known.regionCode) out.regionCode = known.regionCode;
  for (const f of fields) {
    const v = f.prefill ? known[f.prefill] : undefined;
    if (v) out[f.name] = v;
  }
  return out;
}

/**
 * A new application's first values: the account's details, then what the registers hold for the
 * fields that ask for it (issue 12 item 7), read through the deciding department's grant (each read
 * recorded, purpose `prefill…`). A field from a register keeps the value as read (`prefill.<field>`)
 * and the register (`prefill.src.<field>`) in the draft, so the applicant confirms it — and a
 * correction is told to the clerk at submission. Read once per draft: the draft is saved at once.
 * Anything the registers cannot answer stays the account's (or empty); never an error.
 */
export async function prefillForm(
  ctx: CasesContext,
  p: Principal,
  code: string,
  fields: ReadonlyArray<{ name: string; prefill?: string | undefined }>,
): Promise<Record<string, string>> {
  const out = prefillFields(fields, await ctx.ports.identity.prefill(p.accountId));
  const it = ctx.ports.sharedData?.prefill ? await ctx.items.get(code) : undefined;
  const kinds = [...new Set(fields.map((f) => f.prefill).filter((k): k is string => !!k))];
  if (!it || !kinds.length || (p.kind !== 'person' && p.kind !== 'organization')) return out;
  const got = await ctx.ports.sharedData!.prefill!({
    departmentId: it.departmentId,
    applicantId: p.accountId,
    kinds,
    itemName: it.name,
  });
  for (const f of fields) {
    const v = f.prefill ? got.values[f.prefill] : undefined;
    if (!v || !f.prefill) continue;
    out[f.name] = v;
    out[`${PREFILL_KEY}${f.name}`] = v;
    out[`${PREFILL_SOURCE_KEY}${f.name}`] = got.sources[f.prefill] ?? 'register';
  }
  if (got.accessIds.length) await saveDraft(ctx, p, code, out);
  return out;
}

/** The fields read from a register that the applicant changed (names only: flagged for the clerk). */
export function prefillCorrections(values: Readonly<Record<string, string>>): string[] {
  return Object.keys(values)
    .filter((k) => k.startsWith(PREFILL_KEY) && !k.startsWith(PREFILL_SOURCE_KEY))
    .map((k) => k.slice(PREFILL_KEY.length))
    .filter((f) => (values[f] ?? '').trim() !== (values[`${PREFILL_KEY}${f}`] ?? '').trim());
}

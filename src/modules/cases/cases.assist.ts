/**
 * 帮办代办 on the pages: the people who delegated to the caller (a 网格员: those of their grid),
 * an application started for one of them (the draft records for whom; the apply journey and
 * `submit` do the rest, `submit` checking the 委托 again), and 出件 — the agent collecting a
 * result waiting at the window and handing it over (a `collectResult` action through `act`).
 */
import { DomainError } from '../../kernel/index.js';
import { type Principal, allows, holds } from '../../platform/access.js';
import { inTransaction } from '../../platform/db/index.js';
import { type Acted, act } from './cases.act.js';
import { application, draftKeyOf } from './cases.application.js';
import type { CasesContext } from './cases.context.js';
import { loadDraft, saveDraft } from './cases.drafts.js';
import * as st from './cases.store.js';
import { delegatedAgent } from './cases.submit.js';

/** A live 委托 to the caller as the chooser shows it: the person masked, its scope and expiry. */
export interface DelegatorView {
  readonly delegationId: string;
  /** masked (张*) */
  readonly principalName: string;
  /** implementation codes, or `*` for every item */
  readonly scopes: readonly string[];
  readonly validTo: string;
  /** the items the scope names, with their names (empty for `*`) */
  readonly items: ReadonlyArray<{ code: string; name: string }>;
}

/** The draft's key that says for whom it is (never taken from a posted form: set here only). */
export const ON_BEHALF_KEY = 'onBehalfOf';

/**
 * The live 委托 to the caller now — a 网格员: only those given from within their grid — newest
 * first; `COMMON.FORBIDDEN` for a caller who may not assist at all (fail closed).
 */
export async function delegators(ctx: CasesContext, p: Principal): Promise<DelegatorView[]> {
  const grid = p.kind === 'staff';
  if (grid ? !holds(p, 'cases.assist') : p.kind !== 'person' || !holds(p, 'cases.apply'))
    throw new DomainError('COMMON.FORBIDDEN', {
      details: { permission: grid ? 'cases.assist' : 'cases.apply' },
    });
  const ds = ((await ctx.ports.identity.delegatorsOf?.(p.accountId)) ?? []).filter(
    (d) => !grid || (d.regionCode !== null && allows(p, 'cases.assist', { regionCode: d.regionCode })),
  );
  const out: DelegatorView[] = [];
  for (const d of ds) {
    const items: Array<{ code: string; name: string }> = [];
    for (const code of d.scopes.filter((s) => s !== '*').slice(0, 50)) {
      const it = await ctx.items.get(code);
      if (it) items.push({ code, name: it.name });
    }
    out.push({
      delegationId: d.id,
      principalName: d.principalName,
      scopes: d.scopes,
      validTo: d.validTo,
      items,
    });
  }
  return out;
}

/**
 * Starts an application for the person behind one of the caller's live 委托: the 委托 must be the
 * caller's, live, cover the item, and (a 网格员) be of their grid — else `CASES.NOT_DELEGATED` (or
 * `CASES.OUT_OF_SCOPE`) and nothing is written. Drafts are keyed by (account, on-behalf-of, item),
 * so the caller keeps one draft per person per item: a draft for this person is continued as it
 * is, and no other draft — the caller's own, another resident's — is touched. Answers the draft's
 * key (`for:<person>:<item>`), whose journey is at {@link assistedApplyPath}.
 */
export async function startAssisted(
  ctx: CasesContext,
  p: Principal,
  delegationId: string,
  itemCode: string,
): Promise<{ draftKey: string; path: string }> {
  const d = ((await ctx.ports.identity.delegatorsOf?.(p.accountId)) ?? []).find((x) => x.id === delegationId);
  if (!d) throw new DomainError('CASES.NOT_DELEGATED');
  // the 委托, for this item, checked as submit checks it (the same function)
  await delegatedAgent(ctx, p, d.principalId, itemCode);
  const it = await application(ctx, itemCode);
  if (it?.kind !== 'item') throw new DomainError('CASES.ITEM_NOT_FOUND', { params: { code: itemCode } });
  const key = draftKeyOf(itemCode, d.principalId);
  await inTransaction(ctx.db, async (trx) => {
    // this person's draft of the item: continued as it is
    if (await loadDraft(ctx, p, key, trx)) return;
    // files left by a draft that is gone are not carried into a new one
    await st.deleteDraftMaterials(trx, p.accountId, key);
    await saveDraft(
      ctx,
      p,
      key,
      {
        [ON_BEHALF_KEY]: d.principalId,
        // shown on the journey's pages (masked); submit reads only the person and checks the 委托 again
        onBehalfOfName: d.principalName,
        delegationId: d.id,
        ...(d.regionCode ? { regionCode: d.regionCode } : {}),
      },
      trx,
    );
  });
  return { draftKey: key, path: assistedApplyPath(itemCode, d.principalId) };
}

/** Where the apply journey of a draft on a person's behalf lives. */
export const assistedApplyPath = (itemCode: string, principalId: string): string =>
  `/items/${encodeURIComponent(itemCode)}/for/${encodeURIComponent(principalId)}/apply`;

/**
 * 出件: the caller, the applicant's agent under a live 委托 covering the case's item, records that
 * they collected the result waiting at the window and handed it over. `CASES.NOT_DELEGATED` for a
 * case they hold no 委托 for (whether it exists is not told); `CASES.RESULT_NOT_READY` when no
 * result waits at the window (not issued, not for the window, or collected already).
 */
export function collectResult(ctx: CasesContext, p: Principal, caseNumber: string): Promise<Acted> {
  // who acted for whom under which 委托 is filled in by `act` from the 委托 itself
  return act(
    ctx,
    caseNumber,
    { type: 'collectResult', onBehalfOf: '', delegationId: '', agent: 'delegate' },
    p,
  );
}

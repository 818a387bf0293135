/**
 * The cases module's service: its use cases (one file each: submit, act, read, drafts,
 * application, sweep; access and materials beside them) bound to one context, for callers.
 */
import {
  acceptanceQueue,
  blob,
  bundleView,
  caseFacts,
  caseFactsMany,
  caseOnDesk,
  clockExplanation,
  colourCountsInRegion,
  departmentQueue,
  explain,
  hallQueue,
  myCases,
  assistedCases,
  sharedReads,
  view,
} from './cases.read.js';
import { act } from './cases.act.js';
import { collectResult, delegators, startAssisted } from './cases.assist.js';
import { acceptMany, nextCase, workbenchDepartments } from './cases.workbench.js';
import { application } from './cases.application.js';
import { type CasesContext, type CasesServiceDeps, createCasesContext } from './cases.context.js';
import {
  discardDraft,
  draftFiles,
  loadDraft,
  prefill,
  prefillForm,
  saveDraft,
  saveDraftFiles,
  submitDraft,
  submittedDraft,
  usableLicences,
} from './cases.drafts.js';
import type { ApplicableItem } from './cases.ports.js';
import { delegatedAgent, submit, submitBundle, walkInApplicant } from './cases.submit.js';
import { recomputeRegion, sweepClocks, sweepDrafts, sweepRequests } from './cases.sweep.js';

// the names callers import from the service
export { toAction } from './cases.act.js';
export { type Application, BUNDLE_KEY } from './cases.application.js';
export type { CasesContext, CasesOptions, CasesServiceDeps, WriteOptions } from './cases.context.js';
export type { DraftFile } from './cases.drafts.js';
export type { RawUpload } from './cases.materials.js';
export type { BundleSubmitted, Submitted } from './cases.submit.js';
export type { Acted } from './cases.act.js';

/** A use case with its context bound: what callers of the service see. */
type Bound<F> = F extends (ctx: CasesContext, ...args: infer A) => infer R ? (...args: A) => R : never;

/** The cases module's use cases, each bound to one context. */
export interface CasesService {
  readonly submit: Bound<typeof submit>;
  readonly submitBundle: Bound<typeof submitBundle>;
  readonly walkInApplicant: Bound<typeof walkInApplicant>;
  readonly act: Bound<typeof act>;
  readonly view: Bound<typeof view>;
  readonly caseOnDesk: Bound<typeof caseOnDesk>;
  readonly explain: Bound<typeof explain>;
  readonly sharedReads: Bound<typeof sharedReads>;
  readonly clockExplanation: Bound<typeof clockExplanation>;
  readonly myCases: Bound<typeof myCases>;
  readonly assistedCases: Bound<typeof assistedCases>;
  readonly bundleView: Bound<typeof bundleView>;
  readonly departmentQueue: Bound<typeof departmentQueue>;
  readonly acceptanceQueue: Bound<typeof acceptanceQueue>;
  readonly workbenchDepartments: Bound<typeof workbenchDepartments>;
  readonly nextCase: Bound<typeof nextCase>;
  readonly acceptMany: Bound<typeof acceptMany>;
  readonly hallQueue: Bound<typeof hallQueue>;
  readonly sweepClocks: Bound<typeof sweepClocks>;
  readonly recomputeRegion: Bound<typeof recomputeRegion>;
  readonly saveDraft: Bound<typeof saveDraft>;
  readonly loadDraft: Bound<typeof loadDraft>;
  readonly draftFiles: Bound<typeof draftFiles>;
  readonly saveDraftFiles: Bound<typeof saveDraftFiles>;
  readonly usableLicences: Bound<typeof usableLicences>;
  readonly submitDraft: Bound<typeof submitDraft>;
  readonly submittedDraft: Bound<typeof submittedDraft>;
  readonly application: Bound<typeof application>;
  readonly sweepDrafts: Bound<typeof sweepDrafts>;
  readonly sweepRequests: Bound<typeof sweepRequests>;
  readonly discardDraft: Bound<typeof discardDraft>;
  readonly prefill: Bound<typeof prefill>;
  readonly prefillForm: Bound<typeof prefillForm>;
  readonly blob: Bound<typeof blob>;
  readonly colourCountsInRegion: Bound<typeof colourCountsInRegion>;
  readonly caseFacts: Bound<typeof caseFacts>;
  readonly caseFactsMany: Bound<typeof caseFactsMany>;
  readonly delegators: Bound<typeof delegators>;
  readonly startAssisted: Bound<typeof startAssisted>;
  /** the live 委托 under which the caller acts for a person for an item; CASES.NOT_DELEGATED else */
  readonly delegatedAgent: Bound<typeof delegatedAgent>;
  readonly collectResult: Bound<typeof collectResult>;
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
    walkInApplicant: (...a) => walkInApplicant(ctx, ...a),
    act: (...a) => act(ctx, ...a),
    view: (...a) => view(ctx, ...a),
    caseOnDesk: (...a) => caseOnDesk(ctx, ...a),
    explain: (...a) => explain(ctx, ...a),
    sharedReads: (...a) => sharedReads(ctx, ...a),
    clockExplanation: (...a) => clockExplanation(ctx, ...a),
    myCases: (...a) => myCases(ctx, ...a),
    assistedCases: (...a) => assistedCases(ctx, ...a),
    bundleView: (...a) => bundleView(ctx, ...a),
    departmentQueue: (...a) => departmentQueue(ctx, ...a),
    acceptanceQueue: (...a) => acceptanceQueue(ctx, ...a),
    workbenchDepartments: (...a) => workbenchDepartments(ctx, ...a),
    nextCase: (...a) => nextCase(ctx, ...a),
    acceptMany: (...a) => acceptMany(ctx, ...a),
    hallQueue: (...a) => hallQueue(ctx, ...a),
    sweepClocks: (...a) => sweepClocks(ctx, ...a),
    recomputeRegion: (...a) => recomputeRegion(ctx, ...a),
    saveDraft: (...a) => saveDraft(ctx, ...a),
    loadDraft: (...a) => loadDraft(ctx, ...a),
    draftFiles: (...a) => draftFiles(ctx, ...a),
    saveDraftFiles: (...a) => saveDraftFiles(ctx, ...a),
    usableLicences: (...a) => usableLicences(ctx, ...a),
    submitDraft: (...a) => submitDraft(ctx, ...a),
    submittedDraft: (...a) => submittedDraft(ctx, ...a),
    application: (...a) => application(ctx, ...a),
    sweepDrafts: (...a) => sweepDrafts(ctx, ...a),
    sweepRequests: (...a) => sweepRequests(ctx, ...a),
    discardDraft: (...a) => discardDraft(ctx, ...a),
    prefill: (...a) => prefill(ctx, ...a),
    prefillForm: (...a) => prefillForm(ctx, ...a),
    blob: (...a) => blob(ctx, ...a),
    colourCountsInRegion: (...a) => colourCountsInRegion(ctx, ...a),
    caseFacts: (...a) => caseFacts(ctx, ...a),
    caseFactsMany: (...a) => caseFactsMany(ctx, ...a),
    delegators: (...a) => delegators(ctx, ...a),
    startAssisted: (...a) => startAssisted(ctx, ...a),
    delegatedAgent: (...a) => delegatedAgent(ctx, ...a),
    collectResult: (...a) => collectResult(ctx, ...a),
    item: (code) => ctx.items.get(code),
  };
}

/**
 * The case workflow, pure: the actions a case can record, the statuses they lead to, the table of
 * what is allowed in each status, and the status derived from the append-only action list.
 *
 * The table (`TRANSITIONS`) is the rule; `step` is the fold that applies one action. They are
 * written separately on purpose, so the property test can check that the fold never produces a
 * transition the table forbids.
 */

/** 特别程序: time spent in these does not count toward the limit (行政许可法 art. 45). */
export const SPECIAL_PROCEDURES = [
  'hearing',
  'testing',
  'inspection',
  'quarantine',
  'expertReview',
  'appraisal',
] as const;
export type SpecialProcedure = (typeof SPECIAL_PROCEDURES)[number];

/** One recorded action. `at` and `actor` live beside it in the action row, not in the payload. */
export type CaseAction =
  /** 申请 / 提交 */
  | { type: 'submit' }
  /** 预审 (depth Ⅱ): the hall checked the uploaded materials online */
  | { type: 'preReview'; note?: string }
  /** 受理 */
  | { type: 'accept' }
  /** 容缺受理: accepted with minor materials missing, to be supplied before the decision */
  | { type: 'acceptWithDeficiency'; missing: string[] }
  /** 告知承诺制: the applicant's written commitment replaces some proof */
  | { type: 'acceptWithCommitment'; commitments: string[] }
  /** 补正 / 一次性告知: every missing item at once */
  | { type: 'requestSupplement'; missing: string[]; note?: string }
  /** the applicant supplies what was asked */
  | { type: 'supplement'; note?: string /** names of the materials supplied */; materials?: string[] }
  /** 不予受理 */
  | { type: 'refuse'; reason: string; legalBasis: string }
  /** a 环节 (审核, 审批 …) begins */
  | { type: 'startStep'; step: string }
  | { type: 'completeStep'; opinion?: string }
  /** 准予 */
  | { type: 'approve'; opinion?: string }
  /** 不予许可 */
  | { type: 'reject'; reason: string; legalBasis: string }
  /** 特别程序 starts: the clock pauses */
  | { type: 'suspend'; procedure: SpecialProcedure; note?: string }
  | { type: 'resume' }
  /** 延期: once, approved by the agency head (行政许可法 art. 42: +10 working days) */
  | { type: 'extend'; days: number; approvedBy: string; reason?: string }
  /** the result (licence, decision letter) is issued and delivered */
  | { type: 'issueResult'; delivery?: 'online' | 'post' | 'window'; licenceIdentifier?: string }
  /**
   * 出件 by an agent: a result waiting at the window (`issueResult` with delivery `window`) is
   * collected and handed over by the person's agent under a live 委托 (a 网格员, or a person they
   * named), who acted for whom under which 委托 recorded; it is the handover the result's window
   * delivery counts as a visit (最多跑一次), not another one
   */
  | {
      type: 'collectResult';
      onBehalfOf: string;
      delegationId: string;
      agent: 'gridWorker' | 'delegate';
    }
  /** 办结 */
  | { type: 'complete' }
  /** 撤回 by the applicant */
  | { type: 'withdraw'; reason?: string };

export type ActionType = CaseAction['type'];

export const ACTION_TYPES: readonly ActionType[] = [
  'submit',
  'preReview',
  'accept',
  'acceptWithDeficiency',
  'acceptWithCommitment',
  'requestSupplement',
  'supplement',
  'refuse',
  'startStep',
  'completeStep',
  'approve',
  'reject',
  'suspend',
  'resume',
  'extend',
  'issueResult',
  'collectResult',
  'complete',
  'withdraw',
];

export const STATUSES = [
  /** nothing recorded yet (only `submit` is possible) */
  'new',
  'submitted',
  'preReviewed',
  /** 补正: waiting for the applicant */
  'awaitingSupplement',
  'accepted',
  /** a 环节 is running */
  'inStep',
  /** 特别程序 */
  'suspended',
  'approved',
  'rejected',
  'resultIssued',
  'completed',
  'refused',
  'withdrawn',
] as const;
export type CaseStatus = (typeof STATUSES)[number];

export const TERMINAL: ReadonlySet<CaseStatus> = new Set(['completed', 'refused', 'withdrawn']);

/**
 * The transition table: for each status, the actions allowed and the status each leads to.
 * `resume` returns to the status the case was suspended from, so its target is a set.
 */
export const TRANSITIONS: Readonly<Record<CaseStatus, Partial<Record<ActionType, readonly CaseStatus[]>>>> = {
  new: { submit: ['submitted'] },
  submitted: {
    preReview: ['preReviewed'],
    accept: ['accepted'],
    acceptWithDeficiency: ['accepted'],
    acceptWithCommitment: ['accepted'],
    requestSupplement: ['awaitingSupplement'],
    refuse: ['refused'],
    withdraw: ['withdrawn'],
  },
  preReviewed: {
    accept: ['accepted'],
    acceptWithDeficiency: ['accepted'],
    acceptWithCommitment: ['accepted'],
    requestSupplement: ['awaitingSupplement'],
    refuse: ['refused'],
    withdraw: ['withdrawn'],
  },
  // before acceptance the supplement sends the case back to the window; after 容缺受理 it returns
  // the case to where it was (accepted or inStep)
  awaitingSupplement: { supplement: ['submitted', 'accepted', 'inStep'], withdraw: ['withdrawn'] },
  accepted: {
    startStep: ['inStep'],
    requestSupplement: ['awaitingSupplement'],
    supplement: ['accepted'],
    approve: ['approved'],
    reject: ['rejected'],
    suspend: ['suspended'],
    extend: ['accepted'],
    withdraw: ['withdrawn'],
  },
  inStep: {
    completeStep: ['accepted'],
    requestSupplement: ['awaitingSupplement'],
    supplement: ['inStep'],
    approve: ['approved'],
    reject: ['rejected'],
    suspend: ['suspended'],
    extend: ['inStep'],
    withdraw: ['withdrawn'],
  },
  suspended: { resume: ['accepted', 'inStep'], extend: ['suspended'], withdraw: ['withdrawn'] },
  approved: { issueResult: ['resultIssued'] },
  rejected: { issueResult: ['resultIssued'] },
  resultIssued: { collectResult: ['resultIssued'], complete: ['completed'] },
  completed: {},
  refused: {},
  withdrawn: {},
};

/** Whether the table allows an action in a status (the guards in `step` may still refuse it). */
export function canApply(status: CaseStatus, action: ActionType): boolean {
  return TRANSITIONS[status][action] !== undefined;
}

/** What the item allows; the guards read it. */
export interface WorkflowRules {
  readonly allowsDeficiency: boolean;
  readonly allowsCommitment: boolean;
  /** the most an extension may add (行政许可法: 10 for a 许可; 0 = no extension) */
  readonly maxExtensionDays: number;
}

export const DEFAULT_RULES: WorkflowRules = {
  allowsDeficiency: true,
  allowsCommitment: true,
  maxExtensionDays: 10,
};

/** Everything the fold remembers besides the status. */
export interface WorkflowState {
  readonly status: CaseStatus;
  /** where `resume` / `supplement` return to */
  readonly returnTo: CaseStatus | null;
  readonly accepted: boolean;
  /** 容缺: items still owed before a decision */
  readonly deficiency: readonly string[];
  readonly step: string | null;
  readonly extended: boolean;
  readonly outcome: 'approved' | 'rejected' | 'refused' | 'withdrawn' | null;
  /** the result waits at the window for collection (issued with delivery `window`, not yet collected) */
  readonly awaitingCollection?: boolean;
}

export const INITIAL: WorkflowState = {
  status: 'new',
  returnTo: null,
  accepted: false,
  deficiency: [],
  step: null,
  extended: false,
  outcome: null,
};

/** Why an action was refused: the table (`transition`) or a guard. */
export type StepRefusal =
  | { reason: 'transition'; status: CaseStatus; action: ActionType }
  | { reason: 'deficiencyOutstanding'; missing: readonly string[] }
  | { reason: 'alreadyExtended' }
  | { reason: 'extensionTooLong'; max: number }
  | { reason: 'notAllowedForItem'; action: ActionType }
  | { reason: 'emptyList'; action: ActionType }
  | { reason: 'notAwaitingCollection' };

export type StepResult = { ok: true; state: WorkflowState } | { ok: false; refusal: StepRefusal };

const to = (s: WorkflowState, patch: Partial<WorkflowState>): StepResult => ({
  ok: true,
  state: { ...s, ...patch },
});

/** Applies one action to a state: the table first, then the guards, then the new state. */
export function step(s: WorkflowState, a: CaseAction, rules: WorkflowRules = DEFAULT_RULES): StepResult {
  if (!canApply(s.status, a.type))
    return { ok: false, refusal: { reason: 'transition', status: s.status, action: a.type } };
  switch (a.type) {
    case 'submit':
      return to(s, { status: 'submitted' });
    case 'preReview':
      return to(s, { status: 'preReviewed' });
    case 'accept':
      return to(s, { status: 'accepted', accepted: true });
    case 'acceptWithDeficiency':
      if (!rules.allowsDeficiency)
        return { ok: false, refusal: { reason: 'notAllowedForItem', action: a.type } };
      if (a.missing.length === 0) return { ok: false, refusal: { reason: 'emptyList', action: a.type } };
      return to(s, { status: 'accepted', accepted: true, deficiency: a.missing });
    case 'acceptWithCommitment':
      if (!rules.allowsCommitment)
        return { ok: false, refusal: { reason: 'notAllowedForItem', action: a.type } };
      if (a.commitments.length === 0) return { ok: false, refusal: { reason: 'emptyList', action: a.type } };
      return to(s, { status: 'accepted', accepted: true });
    case 'requestSupplement':
      if (a.missing.length === 0) return { ok: false, refusal: { reason: 'emptyList', action: a.type } };
      // after acceptance a 补正 request is only for what 容缺受理 left open
      if (s.accepted && s.deficiency.length === 0)
        return { ok: false, refusal: { reason: 'notAllowedForItem', action: a.type } };
      return to(s, { status: 'awaitingSupplement', returnTo: s.status });
    case 'supplement':
      if (s.status === 'awaitingSupplement') {
        const back = s.returnTo === 'accepted' || s.returnTo === 'inStep' ? s.returnTo : 'submitted';
        return to(s, { status: back, returnTo: null, deficiency: back === 'submitted' ? s.deficiency : [] });
      }
      // supplied at the window without a formal request: clears the 容缺 list
      if (s.deficiency.length === 0)
        return { ok: false, refusal: { reason: 'transition', status: s.status, action: a.type } };
      return to(s, { deficiency: [] });
    case 'refuse':
      return to(s, { status: 'refused', outcome: 'refused' });
    case 'startStep':
      return to(s, { status: 'inStep', step: a.step });
    case 'completeStep':
      return to(s, { status: 'accepted', step: null });
    case 'approve':
      if (s.deficiency.length > 0)
        return { ok: false, refusal: { reason: 'deficiencyOutstanding', missing: s.deficiency } };
      return to(s, { status: 'approved', outcome: 'approved', step: null });
    case 'reject':
      return to(s, { status: 'rejected', outcome: 'rejected', step: null });
    case 'suspend':
      return to(s, { status: 'suspended', returnTo: s.status });
    case 'resume':
      return to(s, { status: s.returnTo === 'inStep' ? 'inStep' : 'accepted', returnTo: null });
    case 'extend':
      if (s.extended) return { ok: false, refusal: { reason: 'alreadyExtended' } };
      if (a.days < 1 || a.days > rules.maxExtensionDays)
        return { ok: false, refusal: { reason: 'extensionTooLong', max: rules.maxExtensionDays } };
      return to(s, { extended: true });
    case 'issueResult':
      return to(s, { status: 'resultIssued', awaitingCollection: a.delivery === 'window' });
    case 'collectResult':
      if (!s.awaitingCollection) return { ok: false, refusal: { reason: 'notAwaitingCollection' } };
      return to(s, { awaitingCollection: false });
    case 'complete':
      return to(s, { status: 'completed' });
    case 'withdraw':
      return to(s, { status: 'withdrawn', outcome: 'withdrawn', step: null });
    default: {
      const never: never = a;
      throw new Error(`unknown action ${(never as CaseAction).type}`);
    }
  }
}

/**
 * The state after a recorded action list. The list was checked action by action when it was
 * written, so a refusal here means the record is corrupt: that is a fault, thrown.
 */
export function deriveState(
  actions: readonly CaseAction[],
  rules: WorkflowRules = DEFAULT_RULES,
): WorkflowState {
  let s = INITIAL;
  for (const a of actions) {
    const r = step(s, a, rules);
    if (!r.ok)
      throw new Error(`case record is not a valid action sequence at ${a.type}: ${r.refusal.reason}`);
    s = r.state;
  }
  return s;
}

export const deriveStatus = (
  actions: readonly CaseAction[],
  rules: WorkflowRules = DEFAULT_RULES,
): CaseStatus => deriveState(actions, rules).status;

/** The actions the table allows now (for the action buttons). */
export function allowedActions(status: CaseStatus): ActionType[] {
  return ACTION_TYPES.filter((a) => canApply(status, a));
}

/** The event type of an action, past tense (`cases.accepted`). */
export const ACTION_EVENT: Readonly<Record<ActionType, string>> = {
  submit: 'cases.submitted',
  preReview: 'cases.preReviewed',
  accept: 'cases.accepted',
  acceptWithDeficiency: 'cases.acceptedWithDeficiency',
  acceptWithCommitment: 'cases.acceptedWithCommitment',
  requestSupplement: 'cases.supplementRequested',
  supplement: 'cases.supplemented',
  refuse: 'cases.refused',
  startStep: 'cases.stepStarted',
  completeStep: 'cases.stepCompleted',
  approve: 'cases.approved',
  reject: 'cases.rejected',
  suspend: 'cases.suspended',
  resume: 'cases.resumed',
  extend: 'cases.extended',
  issueResult: 'cases.resultIssued',
  collectResult: 'cases.resultCollected',
  complete: 'cases.completed',
  withdraw: 'cases.withdrawn',
};

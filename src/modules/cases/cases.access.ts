/**
 * Who may see a case and take an action on it, pure over the principal's grants and the case's
 * scope (its applicant, its receiving hall, its deciding body). One table (`ACTION_ACCESS`) says
 * for every action which permissions allow it and against which scope they are checked; one
 * predicate (`mayAct`) reads it, and `act`, the routes' buttons and the pages all ask that predicate.
 */
import { DomainError } from '../../kernel/index.js';
import { type Principal, type Scope, allows, holds } from '../../platform/access.js';
import type { CaseRow } from './cases.store.js';
import { type ActionType, type CaseStatus, allowedActions } from './cases.workflow.js';

/** The permissions the cases module checks; identity's role table grants them under these names. */
export type CasesPermission =
  | 'cases.apply'
  | 'cases.readOwn'
  | 'cases.read'
  | 'cases.accept'
  | 'cases.requestSupplement'
  | 'cases.refuse'
  | 'cases.review'
  | 'cases.decide'
  | 'cases.issueResult'
  | 'cases.assist'
  | 'workbench.view';

/** Whether a grant of the principal holds the permission for the scope (platform `allows`, typed). */
export const can = (p: Principal | undefined, permission: CasesPermission, scope?: Scope): boolean =>
  allows(p, permission, scope);

/** Whether any grant holds the permission, whatever its scope (what a route's gate asks). */
export const holdsAnywhere = (p: Principal | undefined, permission: CasesPermission): boolean =>
  holds(p, permission);

/** A route's declared permission, by a name the cases module knows. */
export const needs = (permission: CasesPermission) => ({ permission }) as const;

/**
 * Where a staff action's permission is checked: `hall`, the region of the hall that received the
 * case (an online application: the deciding body's region); `decidingBody`, the deciding body's
 * region and department.
 */
export type ActionScope = 'hall' | 'decidingBody';

export interface ActionAccess {
  /** the applicant may take it on their own case, holding one of these */
  readonly applicant?: readonly CasesPermission[];
  /** staff may take it holding one of these for the case's hall or deciding body */
  readonly staff?: {
    readonly scope: ActionScope;
    readonly permissions: readonly [CasesPermission, ...CasesPermission[]];
  };
  /**
   * the applicant's agent may take it under a live 委托 covering the case's item (a 网格员 holding
   * `cases.assist` for the person's region, or a person holding `cases.apply`): checked by the 委托
   * (`delegatedAgent`), never by a region scope alone; `mayAct` answers no to everyone else
   */
  readonly agent?: readonly [CasesPermission, ...CasesPermission[]];
}

const atHall = (...permissions: [CasesPermission, ...CasesPermission[]]): ActionAccess => ({
  staff: { scope: 'hall', permissions },
});
const atDecidingBody = (...permissions: [CasesPermission, ...CasesPermission[]]): ActionAccess => ({
  staff: { scope: 'decidingBody', permissions },
});

/** Who may take each action of the workflow, and where it is checked. */
export const ACTION_ACCESS: Readonly<Record<ActionType, ActionAccess>> = {
  // the applicant applies; a window clerk enters a walk-in for someone at a hall (see maySubmit)
  submit: { applicant: ['cases.apply'], ...atHall('cases.accept') },
  // 预审, 受理, 容缺受理, 告知承诺制, 补正 request, 不予受理: the receiving hall's window
  preReview: atHall('cases.accept'),
  accept: atHall('cases.accept'),
  acceptWithDeficiency: atHall('cases.accept'),
  acceptWithCommitment: atHall('cases.accept'),
  requestSupplement: atHall('cases.requestSupplement'),
  refuse: atHall('cases.refuse'),
  // 补正: the applicant's own; brought to the window instead, recorded by whoever accepts there
  supplement: { applicant: ['cases.apply'], ...atHall('cases.accept') },
  // 审查 and 决定: the deciding body
  startStep: atDecidingBody('cases.review'),
  completeStep: atDecidingBody('cases.review'),
  suspend: atDecidingBody('cases.review'),
  resume: atDecidingBody('cases.review'),
  approve: atDecidingBody('cases.decide'),
  reject: atDecidingBody('cases.decide'),
  extend: atDecidingBody('cases.decide'),
  // 出证 and 办结: held as cases.issueResult, or with the power to decide
  issueResult: atDecidingBody('cases.issueResult', 'cases.decide'),
  // 出件: the applicant's agent collects a result waiting at the window and hands it over
  collectResult: { agent: ['cases.assist', 'cases.apply'] },
  complete: atDecidingBody('cases.issueResult', 'cases.decide'),
  // 撤回 is the applicant's own act
  withdraw: { applicant: ['cases.apply'] },
};

/**
 * The permission each action is known by (the first the table names: the applicant's where the
 * applicant takes it); a refusal names it.
 */
export const ACTION_PERMISSION: Readonly<Record<ActionType, CasesPermission>> = Object.fromEntries(
  Object.entries(ACTION_ACCESS).map(([a, r]) => [
    a,
    r.applicant?.[0] ?? r.staff?.permissions[0] ?? r.agent?.[0],
  ]),
) as Record<ActionType, CasesPermission>;

/** What of a case the access rules read. */
export type CaseScope = Pick<
  CaseRow,
  'applicant_id' | 'decide_region_code' | 'department_id' | 'hall_region_code'
>;

/** The grant scope a staff action is checked against. */
export function scopeOf(c: CaseScope, scope: ActionScope): Scope {
  return scope === 'hall'
    ? { regionCode: c.hall_region_code ?? c.decide_region_code }
    : { regionCode: c.decide_region_code, departmentId: c.department_id };
}

/** Whether a principal may see a case, and as whom. */
export function viewerOf(p: Principal | undefined, c: CaseScope): 'applicant' | 'staff' | undefined {
  if (!p) return undefined;
  if (c.applicant_id === p.accountId && can(p, 'cases.readOwn')) return 'applicant';
  if (can(p, 'cases.read', { regionCode: c.decide_region_code, departmentId: c.department_id }))
    return 'staff';
  if (c.hall_region_code && can(p, 'cases.read', { regionCode: c.hall_region_code })) return 'staff';
  // a window clerk of the deciding body's region sees online applications waiting for acceptance
  if (can(p, 'cases.accept', { regionCode: c.hall_region_code ?? c.decide_region_code })) return 'staff';
  return undefined;
}

/**
 * The answer to "may this principal take this action on this case": `notFound` when they may not
 * even see the case (its existence is not told), `forbidden` when they hold none of the action's
 * permissions, `outOfScope` when they hold one but not for this case's hall or deciding body.
 */
export type Verdict = 'ok' | 'notFound' | 'forbidden' | 'outOfScope';

export function mayAct(p: Principal, c: CaseScope, action: ActionType): Verdict {
  const rule = ACTION_ACCESS[action];
  const own = c.applicant_id === p.accountId;
  if (rule.applicant && own) return rule.applicant.some((x) => holdsAnywhere(p, x)) ? 'ok' : 'forbidden';
  const staff = rule.staff;
  if (!staff?.permissions.some((x) => holdsAnywhere(p, x)))
    return own || viewerOf(p, c) ? 'forbidden' : 'notFound';
  const scope = scopeOf(c, staff.scope);
  return staff.permissions.some((x) => can(p, x, scope)) ? 'ok' : 'outOfScope';
}

/** The error of a verdict other than `ok`; `forbidden` names the permission the caller lacks. */
export function accessError(
  verdict: Exclude<Verdict, 'ok'>,
  permission: CasesPermission,
  caseNumber = '',
): DomainError {
  switch (verdict) {
    case 'notFound':
      return new DomainError('CASES.NOT_FOUND', { params: { caseNumber } });
    case 'forbidden':
      return new DomainError('COMMON.FORBIDDEN', { details: { permission } });
    case 'outOfScope':
      return new DomainError('CASES.OUT_OF_SCOPE');
    default: {
      const never: never = verdict;
      throw new Error(`unknown verdict ${String(never)}`);
    }
  }
}

/**
 * The permission a `forbidden` verdict names: the one the caller would need for the action, as
 * the applicant on their own case (`own`) or as staff.
 */
export function deniedPermission(action: ActionType, own: boolean): CasesPermission {
  const rule = ACTION_ACCESS[action];
  const asApplicant = rule.applicant && (own || !rule.staff);
  return (asApplicant ? rule.applicant?.[0] : rule.staff?.permissions[0]) ?? ACTION_PERMISSION[action];
}

/**
 * Who may submit: the caller for themselves, or (walk-in, `hallRegionCode` given) a window clerk
 * for someone else at a hall within the clerk's scope. The `submit` row of the table.
 */
export function maySubmit(p: Principal, hallRegionCode?: string): Exclude<Verdict, 'notFound'> {
  const rule = ACTION_ACCESS.submit;
  if (hallRegionCode === undefined)
    return rule.applicant?.some((x) => holdsAnywhere(p, x)) ? 'ok' : 'forbidden';
  const staff = rule.staff;
  if (!staff?.permissions.some((x) => holdsAnywhere(p, x))) return 'forbidden';
  return staff.permissions.some((x) => can(p, x, { regionCode: hallRegionCode })) ? 'ok' : 'outOfScope';
}

/** Where a case is shown: the applicant's own page (portal) or the staff workbench. */
export type Desk = 'portal' | 'workbench';

/**
 * The actions to offer on a case's page: those the workflow allows now that the predicate lets
 * this principal take, from this desk (the portal offers the applicant's own, the workbench the
 * staff's).
 */
export function actionsFor(p: Principal, c: CaseScope, status: CaseStatus, desk: Desk): ActionType[] {
  return allowedActions(status).filter((a) => {
    const rule = ACTION_ACCESS[a];
    if (desk === 'portal') {
      if (!rule.applicant || c.applicant_id !== p.accountId) return false;
      // the applicant supplies what a 补正 notice asked for; a 容缺 item is brought to the window
      if (a === 'supplement' && status !== 'awaitingSupplement') return false;
    } else if (!rule.staff) return false;
    return mayAct(p, c, a) === 'ok';
  });
}

/**
 * Who may see a case and take an action on it, pure over the principal's grants and the case's
 * scope (its deciding body, its receiving hall, its applicant).
 */
import { type Principal, allows } from '../../platform/access.js';
import type { CaseRow } from './cases.store.js';
import { ACTION_PERMISSION, type CaseAction } from './cases.workflow.js';

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

export const hasPermissionAnywhere = (p: Principal, action: CaseAction['type']) => permits(p, action, {});

/** Whether a principal may see a case, and as whom. */
export function viewerOf(p: Principal | undefined, row: CaseRow): 'applicant' | 'staff' | undefined {
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

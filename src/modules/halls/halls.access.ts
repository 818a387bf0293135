import { type Principal, allows } from '../../platform/access.js';
import { DomainError } from '../../kernel/index.js';

/**
 * Who may do what at a hall, as one table; fail closed. A hall's scope is its region code with no
 * department: window clerks (halls.queue) and hall managers (halls.manage) whose grant covers the
 * hall's division and is bound to no department; citizens (halls.appointment) for themselves.
 */
export const HALL_ACCESS = {
  /** call, recall, skip, transfer, finish; take a ticket at the desk for a walk-in */
  serve: 'halls.queue',
  /** windows, lines, quotas, staff on duty, the day's figures */
  manage: 'halls.manage',
  /** book, change, cancel one's own appointments; take a ticket online */
  book: 'halls.appointment',
} as const;

export function mayServe(p: Principal | undefined, hallRegionCode: string): boolean {
  return allows(p, HALL_ACCESS.serve, { regionCode: hallRegionCode }) || mayManage(p, hallRegionCode);
}

export function mayManage(p: Principal | undefined, hallRegionCode: string): boolean {
  return allows(p, HALL_ACCESS.manage, { regionCode: hallRegionCode });
}

/** A citizen or an organisation's agent acting for themselves. */
export function mayBook(p: Principal | undefined): boolean {
  return (
    !!p &&
    (p.kind === 'person' || p.kind === 'organization') &&
    p.grants.some((g) => g.permissions.includes(HALL_ACCESS.book))
  );
}

export function requireServe(p: Principal | undefined, hallRegionCode: string): Principal {
  if (!p) throw new DomainError('COMMON.UNAUTHENTICATED');
  if (!mayServe(p, hallRegionCode))
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: HALL_ACCESS.serve } });
  return p;
}

export function requireManage(p: Principal | undefined, hallRegionCode: string): Principal {
  if (!p) throw new DomainError('COMMON.UNAUTHENTICATED');
  if (!mayManage(p, hallRegionCode))
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: HALL_ACCESS.manage } });
  return p;
}

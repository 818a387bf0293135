/**
 * Roles and the permissions each carries, as data. A route declares the permission it needs
 * (`config: { permission: P.casesAccept }`); a grant gives a role within a scope (region-code
 * prefix + optional department), and services check the scope of the object they touch with
 * `allows(principal, permission, { regionCode, departmentId })`. docs/identity.md renders this
 * table; a test keeps the two in step.
 */
export const PERMISSIONS = {
  casesApply: 'cases.apply',
  /** 帮办代办: apply for a resident of one's grid who delegated it (网格员) */
  casesAssist: 'cases.assist',
  casesReadOwn: 'cases.readOwn',
  casesRead: 'cases.read',
  casesAccept: 'cases.accept',
  casesRequestSupplement: 'cases.requestSupplement',
  casesRefuse: 'cases.refuse',
  casesReview: 'cases.review',
  casesDecide: 'cases.decide',
  licencesReadOwn: 'licences.readOwn',
  licencesRead: 'licences.read',
  licencesIssue: 'licences.issue',
  licencesRevoke: 'licences.revoke',
  ratingsGive: 'ratings.give',
  ratingsHandle: 'ratings.handle',
  ratingsSupervise: 'ratings.supervise',
  complaintsIntake: 'complaints.intake',
  disclosureRequest: 'disclosure.request',
  disclosureHandle: 'disclosure.handle',
  disclosurePublish: 'disclosure.publish',
  hallsAppointment: 'halls.appointment',
  hallsQueue: 'halls.queue',
  hallsManage: 'halls.manage',
  workbenchView: 'workbench.view',
  catalogEdit: 'catalog.edit',
  catalogPublish: 'catalog.publish',
  regionsManage: 'regions.manage',
  calendarManage: 'calendar.manage',
  statsView: 'stats.view',
  exchangeRead: 'exchange.read',
  exchangeManage: 'exchange.manage',
  identityDelegate: 'identity.delegate',
  identityManage: 'identity.manage',
  identityVerifyInPerson: 'identity.verifyInPerson',
  identityVerifyOrganization: 'identity.verifyOrganization',
  oidcClients: 'oidc.clients',
  ledgerAdmin: 'ledger.admin',
} as const;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];
export const ALL_PERMISSIONS: readonly Permission[] = Object.values(PERMISSIONS);

export const ROLES = [
  'citizen',
  'enterpriseAgent',
  'windowClerk',
  'approver',
  'departmentAdmin',
  'supervisor',
  'platformAdmin',
  'dataConsumer',
  'hotline',
  'gridWorker',
  'hallManager',
] as const;
export type Role = (typeof ROLES)[number];

const P = PERMISSIONS;
/** What a holder of each role may do (within the scope of the grant that gives the role). */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  // 自然人: applies for itself (or for someone who delegated it, 委托代办), sees its own things
  citizen: [
    P.casesApply,
    P.casesReadOwn,
    P.licencesReadOwn,
    P.ratingsGive,
    P.disclosureRequest,
    P.hallsAppointment,
    P.identityDelegate,
  ],
  // 法人经办人: applies on the organisation's behalf
  enterpriseAgent: [
    P.casesApply,
    P.casesReadOwn,
    P.licencesReadOwn,
    P.ratingsGive,
    P.disclosureRequest,
    P.hallsAppointment,
  ],
  // 窗口人员: 受理 / 补正 / 不予受理 at a hall, calls queue tickets, checks identities in person (L3)
  // and organisations' business licences in person
  windowClerk: [
    P.casesRead,
    P.casesAccept,
    P.casesRequestSupplement,
    P.casesRefuse,
    P.workbenchView,
    P.hallsQueue,
    P.licencesRead,
    P.identityVerifyInPerson,
    P.identityVerifyOrganization,
  ],
  // 审批人员: 审查 / 决定 within a department (a city bureau or a county one: the scope says which)
  // and 差评整改 / answers to complaints of their department (ratings.handle)
  approver: [
    P.casesRead,
    P.casesReview,
    P.casesDecide,
    P.workbenchView,
    P.licencesRead,
    P.licencesIssue,
    P.ratingsHandle,
  ],
  // 部门管理员: the department's 实施清单, disclosures, rating follow-up and, as a data
  // provider, its shared data resources and the requests and grants on them (a hall is run by
  // its hallManager, not by a department)
  departmentAdmin: [
    P.catalogEdit,
    P.casesRead,
    P.workbenchView,
    P.disclosureHandle,
    P.disclosurePublish,
    P.ratingsHandle,
    P.statsView,
    P.licencesRevoke,
    P.exchangeManage,
  ],
  // 效能监察: reads everything in its region, changes nothing
  // and decides appeals against 差评 (ratings.supervise), with reasons
  supervisor: [P.statsView, P.casesRead, P.licencesRead, P.workbenchView, P.ratingsSupervise],
  // 平台管理员: everything
  platformAdmin: [...Object.values(PERMISSIONS)],
  // a machine client of the data-sharing exchange
  dataConsumer: [P.exchangeRead],
  // the 12345 hotline system (a machine client): forwards tickets, gets answers posted back
  hotline: [P.complaintsIntake],
  // 网格员: at a village or community station, applies for residents of the grid (the grant's
  // region) who recorded a 委托 to them, and follows those residents' open cases; nothing else
  gridWorker: [P.casesAssist],
  // 大厅管理员: runs one hall (its division, no department) — windows, lines, hours, quotas, staff
  // on duty, the day's figures, and the calling desk (halls.manage covers serving); no case
  // contents, no supervision figures, no workbench
  hallManager: [P.hallsManage],
};

/** Display order and labels live in the message catalog: `identity.role.<role>`. */
export function permissionsOf(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

export function isRole(x: string): x is Role {
  return (ROLES as readonly string[]).includes(x);
}

/**
 * Whether an administrator holding `actorGrants` may give `target`: no one grants beyond their own
 * authority (least privilege, OWASP ASVS 4.0.3 V4.1.3). Among the actor's grants that cover the
 * target's scope — the target's region inside the grant's region, and the grant's department open
 * or the very target department — one must hold `identity.manage`, and together they must hold
 * every permission of the target role. Fail closed: a target naming no department is covered only
 * by a grant naming none.
 */
export function mayGrant(
  actorGrants: ReadonlyArray<{
    readonly permissions: readonly string[];
    readonly regionPrefix: string;
    readonly departmentId: string | null;
  }>,
  target: { readonly role: Role; readonly regionPrefix: string; readonly departmentId: string | null },
): boolean {
  const covering = actorGrants.filter(
    (g) =>
      target.regionPrefix.startsWith(g.regionPrefix) &&
      (g.departmentId === null || g.departmentId === target.departmentId),
  );
  if (!covering.some((g) => g.permissions.includes(PERMISSIONS.identityManage))) return false;
  const held = new Set(covering.flatMap((g) => g.permissions));
  return permissionsOf(target.role).every((p) => held.has(p));
}

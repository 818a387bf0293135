/**
 * Reading cases: one case as its applicant or staff see it, why its deadline falls where it does,
 * its material files, an applicant's cases and bundles, and the staff queues.
 */
import { DomainError } from '../../kernel/index.js';
import { z } from 'zod';
import { parseInput } from '../../platform/input.js';
import { type Principal, allows, holds } from '../../platform/access.js';
import { chinaDate } from '../../platform/calendar/index.js';
import { type Desk, actionsFor, can, holdsAnywhere, viewerOf } from './cases.access.js';
import { clockOf, toClockView } from './cases.clock.js';
import type { CasesContext } from './cases.context.js';
import { openCaseFile, openSha256 } from './cases.files.js';
import { type ExplainedClockDay, explainClock } from './cases.sla.js';
import * as st from './cases.store.js';
import type { SharedDataRead } from './cases.ports.js';
import type { CaseView } from './cases.types.js';
import { type ActionType, type CaseStatus, allowedActions } from './cases.workflow.js';

/** A case as the principal may see it (its applicant, or staff whose scope covers it). */
export async function view(
  ctx: CasesContext,
  caseNumber: string,
  p: Principal | undefined,
): Promise<CaseView> {
  const row = await st.caseByNumber(ctx.db, caseNumber);
  const who = row ? viewerOf(p, row) : undefined;
  if (!row || !who) throw new DomainError('CASES.NOT_FOUND', { params: { caseNumber } });
  return viewOf(ctx, row, who);
}

/**
 * A case's page: the case as the principal sees it, and the actions to offer them on it from
 * this desk (cases.access.ts `actionsFor`: the same predicate `act` asks).
 */
export async function caseOnDesk(
  ctx: CasesContext,
  caseNumber: string,
  p: Principal,
  desk: Desk,
): Promise<{ view: CaseView; actions: ActionType[] }> {
  const row = await st.caseByNumber(ctx.db, caseNumber);
  const who = row ? viewerOf(p, row) : undefined;
  if (!row || !who) throw new DomainError('CASES.NOT_FOUND', { params: { caseNumber } });
  const view = await viewOf(ctx, row, who);
  return { view, actions: actionsFor(p, row, row.status as CaseStatus, desk) };
}

async function viewOf(ctx: CasesContext, row: st.CaseRow, who: 'applicant' | 'staff'): Promise<CaseView> {
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
      // the applicant sees who acted by role (an agent under their 委托 as such), staff see the account
      actor:
        who === 'staff'
          ? a.actor_id
          : a.actor_id === row.applicant_id
            ? 'applicant'
            : a.payload.includes('"delegationId"')
              ? 'agent'
              : 'staff',
      details: JSON.parse(a.payload) as Record<string, unknown>,
    })),
    allowedActions: allowedActions(row.status as CaseStatus),
    materials: materials.map((m) => ({
      code: m.code,
      name: m.name,
      trustLevel: m.trust_level,
      licenceIdentifier: m.licence_identifier,
      accessId: m.access_id ?? null,
      sha256: m.file_key && m.sha256_sealed ? openSha256(ctx.files, m.id, m.sha256_sealed) : null,
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

/** The day-by-day explanation with today's China date (what has been counted so far). */
export async function clockExplanation(
  ctx: CasesContext,
  caseNumber: string,
  p: Principal | undefined,
): Promise<{ days: ExplainedClockDay[]; today: string }> {
  const days = await explain(ctx, caseNumber, p);
  return { days, today: chinaDate(ctx.clock.now().toISOString()) };
}

/**
 * The exchange's records of the register reads made for a case (its shared-data materials fetched
 * at submission), oldest first; for whoever may see the case. Field names, never values.
 */
export async function sharedReads(
  ctx: CasesContext,
  caseNumber: string,
  p: Principal | undefined,
): Promise<readonly SharedDataRead[]> {
  const row = await st.caseByNumber(ctx.db, caseNumber);
  if (!row || !viewerOf(p, row)) throw new DomainError('CASES.NOT_FOUND', { params: { caseNumber } });
  return (await ctx.ports.sharedData?.readsForCase?.(caseNumber)) ?? [];
}

export async function myCases(ctx: CasesContext, p: Principal, page = 1, pageSize = 20) {
  if (!can(p, 'cases.readOwn'))
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'cases.readOwn' } });
  return st.applicantCases(ctx.db, p.accountId, pageSize, (page - 1) * pageSize);
}

/** A page of the assisted list: 50 by default, at most 100. */
export const AssistedPage = z.object({
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(50),
});

/**
 * 帮办代办: the open cases of the people who have a live 委托 to the caller now, for items the
 * 委托 covers — for a 网格员 only those of their grid (the principal's region within a grant of
 * `cases.assist`), fail closed. Item, status and due date only: never the form or the materials.
 * The 委托's people and items are the query's filter, so a page is a page of covered cases.
 */
export async function assistedCases(
  ctx: CasesContext,
  p: Principal,
  paging: { page?: number | undefined; pageSize?: number | undefined } = {},
) {
  const grid = p.kind === 'staff';
  if (grid ? !holds(p, 'cases.assist') : p.kind !== 'person' || !can(p, 'cases.apply'))
    throw new DomainError('COMMON.FORBIDDEN', {
      details: { permission: grid ? 'cases.assist' : 'cases.apply' },
    });
  const { page, pageSize } = parseInput(AssistedPage, paging);
  const ds = ((await ctx.ports.identity.delegatorsOf?.(p.accountId)) ?? []).filter(
    (d) => !grid || (d.regionCode !== null && allows(p, 'cases.assist', { regionCode: d.regionCode })),
  );
  // per person: every item (any 委托 of `*`), else the items their 委托 name
  const items = new Map<string, Set<string> | '*'>();
  for (const d of ds) {
    const had = items.get(d.principalId);
    if (had === '*') continue;
    if (d.scopes.includes('*')) items.set(d.principalId, '*');
    else items.set(d.principalId, new Set([...(had ?? []), ...d.scopes]));
  }
  const filter: st.DelegatorsFilter = {
    anyItem: [...items].filter(([, v]) => v === '*').map(([k]) => k),
    someItems: [...items].flatMap(([applicantId, v]) =>
      v !== '*' && v.size ? [{ applicantId, items: [...v] }] : [],
    ),
  };
  const { rows, total } = await st.openCasesOfDelegators(ctx.db, filter, pageSize, (page - 1) * pageSize);
  const cases = rows
    .map((r) => {
      const d = ds.find(
        (x) =>
          x.principalId === r.applicant_id &&
          (x.scopes.includes('*') || x.scopes.includes(r.implementation_code)),
      );
      return d
        ? {
            caseNumber: r.case_number,
            itemName: r.item_name,
            status: r.status,
            promisedDue: r.promised_due,
            colour: r.colour,
            createdAt: r.created_at,
            delegationId: d.id,
            /** masked */
            applicantName: d.principalName,
            /** 出件: the result waits at the window, for the agent to collect */
            awaitingCollection:
              (JSON.parse(r.projection) as { state?: { awaitingCollection?: boolean } }).state
                ?.awaitingCollection === true,
          }
        : undefined;
    })
    .filter((x) => x !== undefined);
  return { cases, total, page, pageSize };
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

/**
 * The queue of a department: staff with workbench.view for the department in its own region (a
 * grant without a department must still cover the department's region; an unknown department is
 * no one's).
 */
export async function departmentQueue(
  ctx: CasesContext,
  p: Principal,
  q: {
    departmentId: string;
    status?: string;
    colour?: string;
    page: number;
    pageSize: number;
    /** the open cases by status too (the page shows them; the API answers the colours alone) */
    statusCounts?: boolean;
  },
) {
  const dept = await ctx.ports.regions.department(q.departmentId);
  if (!dept || !can(p, 'workbench.view', { departmentId: dept.id, regionCode: dept.regionCode }))
    throw new DomainError('CASES.OUT_OF_SCOPE');
  const [rows, counts] = await Promise.all([
    st.departmentQueue(ctx.db, {
      departmentId: q.departmentId,
      status: q.status,
      colour: q.colour,
      limit: q.pageSize,
      offset: (q.page - 1) * q.pageSize,
    }),
    ctx.departmentCounts.get(`${q.departmentId}|${q.statusCounts ? 'status' : 'colour'}`, () =>
      st.departmentCounts(ctx.db, q.departmentId, q.statusCounts ?? false),
    ),
  ]);
  return { rows, counts: counts.byColour, statusCounts: counts.byStatus };
}

/**
 * A window's queue: the cases waiting for acceptance in the regions the caller accepts for.
 * Acceptance is checked at a hall, which names no department: a grant bound to one accepts nowhere.
 */
export async function acceptanceQueue(
  ctx: CasesContext,
  p: Principal,
  q: { page: number; pageSize: number },
) {
  if (!holdsAnywhere(p, 'cases.accept'))
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'cases.accept' } });
  const prefixes = p.grants
    .filter((g) => g.permissions.includes('cases.accept') && g.departmentId === null)
    .map((g) => g.regionPrefix);
  if (prefixes.length === 0) return [];
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
  // a hall's queue is the window's: who accepts at that hall (a department-bound grant does not)
  if (!holdsAnywhere(p, 'cases.accept'))
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'cases.accept' } });
  if (!can(p, 'cases.accept', { regionCode: hall.regionCode })) throw new DomainError('CASES.OUT_OF_SCOPE');
  return st.hallQueue(ctx.db, {
    hallId: q.hallId,
    status: q.status,
    limit: q.pageSize,
    offset: (q.page - 1) * q.pageSize,
  });
}

/** A material file of a case the caller may see, by the SHA-256 the case view names it by. */
export async function blob(ctx: CasesContext, caseNumber: string, sha256: string, p: Principal) {
  const row = await st.caseByNumber(ctx.db, caseNumber);
  if (!row || !viewerOf(p, row)) throw new DomainError('CASES.NOT_FOUND', { params: { caseNumber } });
  const mats = await st.materialsOf(ctx.db, row.id);
  const m = mats.find(
    (x) => x.file_key && x.sha256_sealed && openSha256(ctx.files, x.id, x.sha256_sealed) === sha256,
  );
  const stored = m?.file_key ? await st.getBlob(ctx.db, m.file_key) : undefined;
  if (!stored) throw new DomainError('COMMON.NOT_FOUND');
  return {
    sha256,
    media_type: stored.media_type,
    size: stored.size,
    data: openCaseFile(ctx.files, stored.content_key, stored.data),
  };
}

/** Open cases of a region by clock colour (a supervisor's 黄牌 / 红牌 counts). */
export function colourCountsInRegion(ctx: CasesContext, prefix: string) {
  return st.colourCountsInRegion(ctx.db, prefix);
}

/** A case as another module (ratings) needs it: its parties, its body and how far it got. */
export interface CaseFacts {
  readonly caseNumber: string;
  readonly applicantId: string;
  readonly applicantKind: string;
  readonly implementationCode: string;
  readonly itemName: string;
  /** 'online' or 'window' */
  readonly channel: string;
  readonly status: CaseStatus;
  /** the deciding body and its region */
  readonly departmentId: string;
  readonly regionCode: string;
  /** the receiving hall and its region (null: applied online and never received at a hall) */
  readonly hallId: string | null;
  readonly hallRegionCode: string | null;
  /** 受理 (or 不予受理: the acceptance decision) was recorded */
  readonly acceptedReached: boolean;
  /** 办结 was recorded */
  readonly completedReached: boolean;
  /** the account that recorded 受理 (the window clerk), if any */
  readonly acceptedBy: string | null;
}

const ACCEPTANCE: ReadonlySet<string> = new Set([
  'accept',
  'acceptWithDeficiency',
  'acceptWithCommitment',
  'refuse',
]);

/** The facts of one case, or undefined; no access check (the caller's port decides who asks). */
export async function caseFacts(
  ctx: CasesContext,
  caseNumber: string,
  within?: Parameters<typeof st.caseByNumber>[0],
): Promise<CaseFacts | undefined> {
  const db = within ?? ctx.db;
  const row = await st.caseFactRow(db, caseNumber);
  if (!row) return undefined;
  return factsOf(row, await st.actionKindsOf(db, row.id));
}

/** `caseFacts` of several cases in two queries (the rows, then all their actions); unknown numbers left out. */
export async function caseFactsMany(
  ctx: CasesContext,
  caseNumbers: readonly string[],
  within?: Parameters<typeof st.caseByNumber>[0],
): Promise<CaseFacts[]> {
  const db = within ?? ctx.db;
  const rows = await st.casesByNumbers(db, [...new Set(caseNumbers)]);
  const actions = await st.actionsOfCases(
    db,
    rows.map((r) => r.id),
  );
  const byCase = new Map<string, st.ActionRow[]>();
  for (const a of actions) {
    const list = byCase.get(a.case_id);
    if (list) list.push(a);
    else byCase.set(a.case_id, [a]);
  }
  return rows.map((r) => factsOf(r, byCase.get(r.id) ?? []));
}

function factsOf(
  row: st.FactRow,
  actions: ReadonlyArray<Pick<st.ActionRow, 'type' | 'actor_id'>>,
): CaseFacts {
  const acceptance = actions.find((a) => ACCEPTANCE.has(a.type));
  return {
    caseNumber: row.case_number,
    applicantId: row.applicant_id,
    applicantKind: row.applicant_kind,
    implementationCode: row.implementation_code,
    itemName: row.item_name,
    channel: row.channel,
    status: row.status as CaseStatus,
    departmentId: row.department_id,
    regionCode: row.decide_region_code,
    hallId: row.hall_id,
    hallRegionCode: row.hall_region_code,
    acceptedReached: !!acceptance,
    completedReached: actions.some((a) => a.type === 'complete'),
    acceptedBy: acceptance?.actor_id ?? null,
  };
}

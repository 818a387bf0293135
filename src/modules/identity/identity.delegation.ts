import { DomainError, newId } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { maskName } from '../../platform/privacy/index.js';
import { type IdentityContext, isoIn } from './identity.context.js';
import {
  accountById,
  accountByLogin,
  delegationsWith,
  insertAgent,
  grantsOf,
  insertDelegation,
  liveDelegationsTo,
  revokeDelegationOf,
  unrevokedDelegations,
} from './identity.store.js';

export interface DelegationView {
  readonly id: string;
  readonly direction: 'given' | 'received';
  /** masked */
  readonly principalName: string;
  /** masked */
  readonly agentName: string;
  readonly agentLogin: string;
  readonly scopes: string[];
  readonly validTo: string;
  readonly active: boolean;
}

/** An organisation's 经办人 (agent): who may act in its name, for which items, until when. */
export async function addAgent(
  ctx: IdentityContext,
  trx: Executor,
  organizationId: string,
  a: { name: string; idNumber: string; mobile: string | null; scopes: string[]; validTo: string | null },
): Promise<string> {
  const { cipher } = ctx;
  const id = newId();
  const idNumber = a.idNumber.trim().toUpperCase();
  await insertAgent(trx, {
    id,
    organization_id: organizationId,
    name: a.name.trim(),
    id_number_enc: cipher.encrypt(idNumber),
    id_number_hash: cipher.lookupHash('idNumber', idNumber),
    mobile_enc: a.mobile ? cipher.encrypt(a.mobile) : null,
    scopes: JSON.stringify(a.scopes),
    valid_to: a.validTo,
    created_at: isoIn(ctx),
    revoked_at: null,
  });
  return id;
}

/**
 * 委托代办: a person lets another registered person act for them until a date, or a 网格员 of
 * their grid (a staff account holding `cases.assist` for a region that covers the person's own;
 * fail closed: a person with no region on record cannot delegate to a grid worker).
 */
export async function createDelegation(
  ctx: IdentityContext,
  principal: Principal,
  input: { agentLogin: string; scopes: string[]; validTo: string },
): Promise<string> {
  const { db } = ctx;
  const agent = await accountByLogin(db, input.agentLogin);
  const validTo = new Date(input.validTo);
  if (
    !agent ||
    agent.id === principal.accountId ||
    (agent.kind !== 'person' && agent.kind !== 'staff') ||
    Number.isNaN(validTo.getTime()) ||
    validTo <= ctx.clock.now()
  )
    throw new DomainError('IDENTITY.DELEGATION_INVALID');
  const me = await accountById(db, principal.accountId);
  if (agent.kind === 'staff') {
    const region = me?.region_code;
    const grid = (await grantsOf(db, agent.id)).some(
      (g) =>
        g.role === 'gridWorker' &&
        region != null &&
        region.startsWith(g.region_code) &&
        g.department_id === null,
    );
    if (!grid) throw new DomainError('IDENTITY.DELEGATION_INVALID');
  }
  const id = newId();
  await inTransaction(db, async (trx) => {
    await insertDelegation(trx, {
      id,
      principal_id: principal.accountId,
      agent_id: agent.id,
      scopes: JSON.stringify(input.scopes.length ? input.scopes : ['*']),
      valid_from: isoIn(ctx),
      valid_to: validTo.toISOString(),
      region_code: me?.region_code ?? null,
      created_at: isoIn(ctx),
      revoked_at: null,
    });
    await appendEvent(trx, ctx.clock, {
      type: 'identity.delegationGranted',
      aggregateType: 'delegation',
      aggregateId: id,
      regionCode: me?.region_code ?? null,
      actor: principal.accountId,
      payload: { agentId: agent.id, scopes: input.scopes },
    });
  });
  return id;
}

export async function revokeDelegation(
  ctx: IdentityContext,
  principal: Principal,
  id: string,
): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    if (!(await revokeDelegationOf(trx, principal.accountId, id, isoIn(ctx))))
      throw new DomainError('IDENTITY.NOT_FOUND');
    await appendEvent(trx, ctx.clock, {
      type: 'identity.delegationRevoked',
      aggregateType: 'delegation',
      aggregateId: id,
      actor: principal.accountId,
      payload: {},
    });
  });
}

/** Whether `agentId` may act for `principalId` now, for the item (implementation code) given. */
export async function mayActFor(
  ctx: IdentityContext,
  agentId: string,
  principalId: string,
  itemCode?: string,
): Promise<boolean> {
  const rows = await unrevokedDelegations(ctx.db, agentId, principalId);
  const t = ctx.clock.now().toISOString();
  return rows.some((r) => {
    const scopes = JSON.parse(r.scopes) as string[];
    return (
      r.valid_from <= t &&
      r.valid_to > t &&
      (scopes.includes('*') || (itemCode !== undefined && scopes.includes(itemCode)))
    );
  });
}

/**
 * The live delegation under which `agentId` may act for `principalId` now for the item, if any:
 * its id (recorded on what the agent does) and the principal's region when it was given (a grid
 * worker's scope is checked against it). Fail closed: no item code matches only a '*' scope.
 */
export async function delegationFor(
  ctx: IdentityContext,
  agentId: string,
  principalId: string,
  itemCode?: string,
): Promise<{ id: string; regionCode: string | null } | undefined> {
  const rows = await unrevokedDelegations(ctx.db, agentId, principalId);
  const t = ctx.clock.now().toISOString();
  const r = rows.find((x) => {
    const scopes = JSON.parse(x.scopes) as string[];
    return (
      x.valid_from <= t &&
      x.valid_to > t &&
      (scopes.includes('*') || (itemCode !== undefined && scopes.includes(itemCode)))
    );
  });
  return r ? { id: r.id, regionCode: r.region_code } : undefined;
}

/** A live delegation to an agent, as the agent may see it: the principal's name masked. */
export interface Delegator {
  readonly id: string;
  readonly principalId: string;
  /** masked (张*) */
  readonly principalName: string;
  readonly regionCode: string | null;
  readonly scopes: string[];
  readonly validTo: string;
}

/**
 * Who has a live delegation to `agentId` now: the principals' ids, masked names and regions, the
 * scope and expiry of each 委托 (a grid worker's residents).
 */
export async function delegatorsOf(ctx: IdentityContext, agentId: string): Promise<Delegator[]> {
  const rows = await liveDelegationsTo(ctx.db, agentId, ctx.clock.now().toISOString());
  return rows.map((r) => ({
    id: r.id,
    principalId: r.principal_id,
    principalName: maskName(r.principal_name),
    regionCode: r.region_code,
    scopes: JSON.parse(r.scopes) as string[],
    validTo: r.valid_to,
  }));
}

/** The delegations an account gave or received, newest first, names masked. */
export async function delegationsOf(ctx: IdentityContext, accountId: string): Promise<DelegationView[]> {
  const rows = await delegationsWith(ctx.db, accountId);
  const now = ctx.clock.now().toISOString();
  return rows.map((r) => ({
    id: r.id,
    direction: r.principal_id === accountId ? ('given' as const) : ('received' as const),
    principalName: maskName(r.principal_name),
    agentName: maskName(r.agent_name),
    agentLogin: r.agent_login,
    scopes: JSON.parse(r.scopes) as string[],
    validTo: r.valid_to,
    active: !r.revoked_at && r.valid_to > now,
  }));
}

import { DomainError, chinaDate, newId } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { allows, holds } from '../../platform/access.js';
import { inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { type ExchangeContext, parse } from './exchange.context.js';
import { EXCHANGE_EVENTS } from './exchange.grants.js';
import { forgetResources, listResources, resourceByCode, xdb } from './exchange.store.js';
import { type Resource, ResourceEdit, ResourceInput } from './exchange.types.js';

/**
 * Publishes a catalogue entry or a new version of one (the provider department, or the seed with
 * no principal). Each version's snapshot is kept; the event names the code and version only.
 */
export async function publishResource(
  ctx: ExchangeContext,
  p: Principal | null,
  raw: unknown,
): Promise<Resource> {
  const input = parse(ResourceInput, raw);
  if (
    p &&
    !allows(p, 'exchange.manage', { regionCode: input.regionCode, departmentId: input.providerDepartmentId })
  )
    throw new DomainError('EXCHANGE.NOT_PROVIDER');
  if (input.shareType === 'none' && input.legalBasis.trim().length < 4)
    throw new DomainError('EXCHANGE.INVALID', {
      details: { issues: [{ field: 'legalBasis', rule: 'required' }] },
    });
  const names = input.items.map((i) => i.name);
  if (new Set(names).size !== names.length)
    throw new DomainError('EXCHANGE.INVALID', {
      details: { issues: [{ field: 'items', rule: 'duplicate' }] },
    });
  const now = ctx.clock.now().toISOString();
  const existing = await resourceByCode(ctx.db, input.code);
  if (
    existing &&
    p &&
    !allows(p, 'exchange.manage', {
      regionCode: existing.regionCode,
      departmentId: existing.providerDepartmentId,
    })
  )
    throw new DomainError('EXCHANGE.NOT_PROVIDER');
  const id = existing?.id ?? newId();
  const version = (existing?.version ?? 0) + 1;
  const row = {
    code: input.code,
    name: input.name,
    classification: input.classification,
    category: input.category,
    provider_department_id: input.providerDepartmentId,
    summary: input.summary,
    register: input.register,
    items: JSON.stringify(input.items),
    share_type: input.shareType,
    share_condition: input.shareCondition,
    legal_basis: input.legalBasis,
    methods: JSON.stringify(input.methods),
    open_type: input.openType,
    update_cycle: input.updateCycle,
    region_code: input.regionCode,
    version,
    published_on: chinaDate(now),
    demo: input.demo ? 1 : 0,
    updated_at: now,
  };
  await inTransaction(ctx.db, async (trx) => {
    if (existing) await xdb(trx).updateTable('exchange_resources').set(row).where('id', '=', id).execute();
    else
      await xdb(trx)
        .insertInto('exchange_resources')
        .values({ ...row, id, created_at: now })
        .execute();
    await xdb(trx)
      .insertInto('exchange_resource_versions')
      .values({
        resource_id: id,
        version,
        snapshot: JSON.stringify(input),
        changed_at: now,
        actor: p?.accountId ?? null,
      })
      .execute();
    await appendEvent(trx, ctx.clock, {
      type: EXCHANGE_EVENTS.resourcePublished,
      aggregateType: 'exchangeResource',
      aggregateId: id,
      regionCode: input.regionCode,
      actor: p?.accountId ?? null,
      payload: { code: input.code, version },
    });
  });
  forgetResources(ctx.db);
  const r = await resourceByCode(ctx.db, input.code);
  if (!r) throw new Error('resource vanished after publishing');
  return r;
}

export const searchResources = (
  ctx: ExchangeContext,
  q: { text?: string | undefined; provider?: string | undefined; shareType?: string | undefined },
) => listResources(ctx.db, q);

export async function getResource(ctx: ExchangeContext, code: string): Promise<Resource> {
  const r = await resourceByCode(ctx.db, code);
  if (!r) throw new DomainError('EXCHANGE.RESOURCE_UNKNOWN');
  return r;
}

export async function resourceVersions(ctx: ExchangeContext, id: string) {
  return xdb(ctx.db)
    .selectFrom('exchange_resource_versions')
    .select(['version', 'changed_at', 'snapshot'])
    .where('resource_id', '=', id)
    .orderBy('version', 'desc')
    .execute();
}

/** The version history of a resource: each version's date and the fields it changed from the one before. */
export async function resourceHistory(
  ctx: ExchangeContext,
  id: string,
): Promise<Array<{ version: number; changedAt: string; changed: string[] }>> {
  const rows = await resourceVersions(ctx, id);
  return rows.map((r, i) => {
    const now = JSON.parse(r.snapshot) as Record<string, unknown>;
    const before = rows[i + 1] ? (JSON.parse(rows[i + 1]!.snapshot) as Record<string, unknown>) : undefined;
    const changed = before
      ? [...new Set([...Object.keys(now), ...Object.keys(before)])]
          .filter((k) => JSON.stringify(now[k]) !== JSON.stringify(before[k]))
          .sort()
      : [];
    return { version: Number(r.version), changedAt: r.changed_at, changed };
  });
}

/**
 * Whether a caller sees a catalogue entry's details — its data items (types, sensitivity), share
 * condition, legal basis and version history: any signed-in member of staff, or a department's
 * consumer system. Anonymous callers, people and organisations get the public description only
 * (name, code, classification, provider, summary, share type, methods, update cycle, publish date).
 * Fails closed: a machine client without the consumer role (an OIDC relying party) is not staff.
 */
export const seesCatalogueDetails = (p: Principal | null | undefined): boolean =>
  !!p && (p.kind === 'staff' || (p.kind === 'client' && holds(p, 'exchange.read')));

/** Whether a principal manages a resource (its providing department's 部门管理员, or wider). */
export const managesResource = (p: Principal | null | undefined, r: Resource) =>
  !!p && allows(p, 'exchange.manage', { regionCode: r.regionCode, departmentId: r.providerDepartmentId });

/**
 * A provider edits its own catalogue entry: the changed fields over the current version, published
 * as the next version (its snapshot kept in the history). Fails closed: the caller must manage the
 * resource's providing department, checked before anything else is looked at; the department, code,
 * register and division cannot be changed by an edit.
 */
export async function editResource(
  ctx: ExchangeContext,
  p: Principal,
  code: string,
  raw: unknown,
): Promise<Resource> {
  const existing = await resourceByCode(ctx.db, code);
  if (!existing) throw new DomainError('EXCHANGE.RESOURCE_UNKNOWN');
  if (!managesResource(p, existing)) throw new DomainError('EXCHANGE.NOT_PROVIDER');
  const edit = parse(ResourceEdit, raw);
  return publishResource(ctx, p, {
    code: existing.code,
    name: edit.name ?? existing.name,
    classification: edit.classification ?? existing.classification,
    category: edit.category ?? existing.category,
    providerDepartmentId: existing.providerDepartmentId,
    summary: edit.summary ?? existing.summary,
    register: existing.register,
    items: edit.items ?? existing.items,
    shareType: edit.shareType ?? existing.shareType,
    shareCondition: edit.shareCondition ?? existing.shareCondition,
    legalBasis: edit.legalBasis ?? existing.legalBasis,
    methods: edit.methods ?? existing.methods,
    openType: edit.openType ?? existing.openType,
    updateCycle: edit.updateCycle ?? existing.updateCycle,
    regionCode: existing.regionCode,
    demo: existing.demo,
  });
}

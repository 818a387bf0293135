import { DomainError, chinaDate, newId } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { allows } from '../../platform/access.js';
import { inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { type ExchangeContext, parse } from './exchange.context.js';
import { EXCHANGE_EVENTS } from './exchange.grants.js';
import { listResources, resourceByCode, xdb } from './exchange.store.js';
import { type Resource, ResourceInput } from './exchange.types.js';

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
    .select(['version', 'changed_at'])
    .where('resource_id', '=', id)
    .orderBy('version', 'desc')
    .execute();
}

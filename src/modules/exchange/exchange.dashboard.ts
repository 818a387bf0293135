import { DomainError, chinaDate } from '../../kernel/index.js';
import { type Principal, allows } from '../../platform/access.js';
import type { ExchangeContext } from './exchange.context.js';
import { requestClock, requestsForProvider } from './exchange.grants.js';
import { listResources, xdb } from './exchange.store.js';
import type { Resource, ShareRequest } from './exchange.types.js';

const DAY_MS = 86_400_000;
export const DASHBOARD_DAYS = 14;

export interface ProviderDashboard {
  readonly departmentId: string;
  readonly departmentName: string;
  readonly resources: readonly Resource[];
  /** China dates, oldest first, with reads answered and refused that day */
  readonly days: ReadonlyArray<{ readonly date: string; readonly ok: number; readonly denied: number }>;
  /** reads by consumer department over the same days, most first */
  readonly consumers: ReadonlyArray<{ readonly name: string; readonly ok: number; readonly denied: number }>;
  readonly pending: ReadonlyArray<
    ShareRequest & { readonly clock: ReturnType<typeof requestClock>; readonly consumerName: string }
  >;
  readonly openObjections: number;
}

/**
 * The provider's view (提供部门): who read its resources, how often, the refused reads, the
 * requests waiting for it with their clocks and the objections raised. Only for a principal who
 * may manage the department's data (exchange.manage in its scope), fail closed.
 */
export async function providerDashboard(
  ctx: ExchangeContext,
  p: Principal,
  asked: string | undefined,
): Promise<ProviderDashboard> {
  const departmentId =
    asked ?? p.grants.find((g) => g.permissions.includes('exchange.manage') && g.departmentId)?.departmentId;
  if (!departmentId) throw new DomainError('EXCHANGE.NOT_PROVIDER');
  const dept = await ctx.ports.regions.departmentById(departmentId);
  if (!dept || !allows(p, 'exchange.manage', { regionCode: dept.regionCode, departmentId }))
    throw new DomainError('EXCHANGE.NOT_PROVIDER');
  const resources = await listResources(ctx.db, { provider: departmentId });
  const now = ctx.clock.now().getTime();
  const since = new Date(now - DASHBOARD_DAYS * DAY_MS).toISOString();
  // a bound on both sides, though nothing is recorded ahead of the clock (a day's margin for
  // another node's): with `at >= since` alone, the generic plan of the prepared statement
  // (PostgreSQL, pg-session.ts) guessed a third of the table and scanned all of it, every read
  // ever recorded (68 ms at 200,000); with both it is a range of exchange_access_resource (3 ms)
  const until = new Date(now + DAY_MS).toISOString();
  const rows = resources.length
    ? await xdb(ctx.db)
        .selectFrom('exchange_access')
        .select(['at', 'outcome', 'department_id'])
        .where(
          'resource_id',
          'in',
          resources.map((r) => r.id),
        )
        .where('at', '>=', since)
        .where('at', '<', until)
        .limit(200_000)
        .execute()
    : [];
  const days = Array.from({ length: DASHBOARD_DAYS }, (_, i) => ({
    date: chinaDate(new Date(now - (DASHBOARD_DAYS - 1 - i) * DAY_MS)),
    ok: 0,
    denied: 0,
  }));
  const byDay = new Map(days.map((d) => [d.date, d]));
  const byConsumer = new Map<string, { ok: number; denied: number }>();
  for (const r of rows) {
    const d = byDay.get(chinaDate(r.at));
    const c = byConsumer.get(r.department_id ?? '') ?? { ok: 0, denied: 0 };
    if (r.outcome === 'ok') {
      if (d) d.ok++;
      c.ok++;
    } else {
      if (d) d.denied++;
      c.denied++;
    }
    byConsumer.set(r.department_id ?? '', c);
  }
  const nameOf = async (id: string) =>
    id ? ((await ctx.ports.regions.departmentById(id))?.name ?? id) : '—';
  const consumers = await Promise.all(
    [...byConsumer].map(async ([id, c]) => ({ name: await nameOf(id), ...c })),
  );
  consumers.sort((a, b) => b.ok + b.denied - (a.ok + a.denied));
  const pending = await Promise.all(
    (await requestsForProvider(ctx, departmentId))
      .filter((r) => r.status === 'pending')
      .map(async (r) => ({ ...r, clock: requestClock(ctx, r), consumerName: await nameOf(r.departmentId) })),
  );
  const objections = await xdb(ctx.db)
    .selectFrom('exchange_objections')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('provider_department_id', '=', departmentId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return {
    departmentId,
    departmentName: dept.name,
    resources,
    days,
    consumers,
    pending,
    openObjections: Number(objections?.n ?? 0),
  };
}

import { isDomainError } from '../../kernel/index.js';
import type { ExchangeContext } from './exchange.context.js';
import { lookupForDepartment } from './exchange.lookup.js';
import { resourceByName, xdb } from './exchange.store.js';
import { type KeyKind, KEY_KIND } from './exchange.types.js';

/**
 * Application forms prefilled from the registers (issue 12 item 7: 数据多跑路 — the applicant
 * confirms, never retypes). When a person or an organisation's agent opens an apply form, the fields
 * that ask for what a register holds are read through a grant the deciding department holds — a
 * recorded read with the purpose `prefill…`, so it shows in 我的数据使用记录 — and only the fields that
 * grant answers in clear are read at all (a masked value cannot be confirmed). Any failure leaves
 * the form to the account's data: never an error.
 */

/** Where each prefill kind (the catalogue's FormField.prefill) is read from. */
const SOURCES: ReadonlyArray<{
  readonly source: 'population' | 'marriage' | 'legalPersons';
  /** the catalogue's resource name (as the cases' shared-data materials name theirs) */
  readonly resourceName: string;
  /** prefill kind → the resource's data item */
  readonly kinds: Readonly<Record<string, string>>;
}> = [
  {
    source: 'population',
    resourceName: '人口基本信息',
    kinds: { applicantName: 'name', address: 'address' },
  },
  { source: 'marriage', resourceName: '婚姻登记与生死状态信息', kinds: { maritalStatus: 'maritalStatus' } },
  {
    source: 'legalPersons',
    resourceName: '法人基本信息',
    kinds: {
      applicantName: 'name',
      legalRepresentative: 'legalRepresentative',
      registeredAddress: 'address',
    },
  },
];

export interface RegisterPrefill {
  /** by prefill kind */
  readonly values: Readonly<Record<string, string>>;
  /** by prefill kind: the register it came from */
  readonly sources: Readonly<Record<string, 'population' | 'marriage' | 'legalPersons'>>;
  readonly accessIds: readonly string[];
}

export async function prefillFromRegisters(
  ctx: ExchangeContext,
  input: {
    departmentId: string;
    subject: { kind: KeyKind; key: string };
    /** the prefill kinds the form asks for */
    kinds: readonly string[];
    itemName: string;
  },
): Promise<RegisterPrefill> {
  const values: Record<string, string> = {};
  const sources: Record<string, 'population' | 'marriage' | 'legalPersons'> = {};
  const accessIds: string[] = [];
  for (const s of SOURCES) {
    const wanted = input.kinds.filter((k) => s.kinds[k] && values[k] === undefined);
    if (!wanted.length) continue;
    const r = await resourceByName(ctx.db, s.resourceName);
    if (!r || KEY_KIND[r.register] !== input.subject.kind) continue;
    // read only what this department's grant answers in clear (a masked name cannot be confirmed)
    const grant = await xdb(ctx.db)
      .selectFrom('exchange_grants')
      .select(['fields', 'clear_fields'])
      .where('department_id', '=', input.departmentId)
      .where('resource_id', '=', r.id)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (!grant) continue;
    const granted = new Set(JSON.parse(grant.fields) as string[]);
    const clear = new Set(JSON.parse(grant.clear_fields) as string[]);
    const unmasked = new Set(r.items.filter((i) => i.mask === 'none').map((i) => i.name));
    const fields = [
      ...new Set(
        wanted.map((k) => s.kinds[k]!).filter((f) => granted.has(f) && (clear.has(f) || unmasked.has(f))),
      ),
    ];
    if (!fields.length) continue;
    try {
      const got = await lookupForDepartment(ctx, ctx.db, input.departmentId, {
        resource: r.code,
        key: input.subject.key,
        purpose: `prefill：办理“${input.itemName}”预填申请表`.slice(0, 300),
        fields,
      });
      accessIds.push(got.accessId);
      for (const k of wanted) {
        const v = got.record[s.kinds[k]!];
        if (typeof v === 'string' && v && !v.includes('*')) {
          values[k] = v;
          sources[k] = s.source;
        }
      }
    } catch (e) {
      // refused (recorded all the same) or not found: the account's data stands
      if (!isDomainError(e) || e.status >= 500) throw e;
    }
  }
  return { values, sources, accessIds };
}

import { z } from 'zod';
import { DomainError } from '../../kernel/index.js';
import { type Principal, allows } from '../../platform/access.js';
import { isValidCreditCode, parseIdNumber } from '../../platform/codes/index.js';
import { parseCsv } from '../../platform/csv.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import type { ExchangeContext } from './exchange.context.js';
import { EXCHANGE_EVENTS } from './exchange.grants.js';
import {
  type LegalPersonRow,
  type PopulationRow,
  type SocialInsuranceRow,
  legalPersonRow,
  normaliseKey,
  populationRow,
} from './exchange.registers.js';
import { listResources, xdb } from './exchange.store.js';
import type { RegisterName } from './exchange.types.js';

/**
 * Import of the base registers from CSV or JSON, all or nothing, with the catalogue import's row
 * check and error shape (catalog.io.ts RowIssue: row, field, rule `IMPORT.*`, zh/en message): every
 * row is checked first (schema, valid 公民身份号码 / 统一社会信用代码 agreeing with the row's birth
 * date, sex and division, duplicates within the file); any bad row returns the full list and
 * nothing is written; otherwise every row is inserted or replaces the subject's row in one
 * transaction, with one event that holds the register and the count only. Issues never repeat a
 * row's values (they are personal data): a row number, a column and a rule.
 */

export interface RowIssue {
  readonly row: number;
  readonly field: string;
  readonly rule: string;
  readonly message: { readonly zh: string; readonly en: string };
}

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const division = z.string().regex(/^\d{6}$/);
const text = (max: number) => z.string().trim().min(1).max(max);

const PopulationImport = z.object({
  idNumber: text(18),
  name: text(40),
  gender: z.enum(['男', '女']),
  birthDate: date,
  division,
  address: text(200),
  householdType: z.enum(['家庭户', '集体户']),
  relationToHead: text(20),
  maritalStatus: z.enum(['未婚', '已婚', '离婚', '丧偶']),
  deathDate: date.optional(),
});
const LegalPersonImport = z.object({
  creditCode: text(18),
  name: text(100),
  type: text(40),
  legalRepresentative: text(40),
  legalRepresentativeIdNumber: text(18),
  registeredCapitalFen: z.coerce.number().int().min(0).max(1e15),
  address: text(200),
  status: z.enum(['存续', '吊销', '注销']),
  establishedOn: date,
  division,
});
const SocialInsuranceImport = z.object({
  idNumber: text(18),
  name: text(40),
  insuranceTypes: text(200),
  employer: text(100),
  status: z.enum(['正常参保', '暂停参保', '终止参保']),
  firstInsuredOn: date,
  monthsPaid: z.coerce.number().int().min(0).max(1200),
});

const SCHEMAS = {
  population: PopulationImport,
  legalPersons: LegalPersonImport,
  socialInsurance: SocialInsuranceImport,
} as const;

/** The registers kept as the exchange's own tables (the e-licence directory is the licences module's). */
export type TableRegister = Exclude<RegisterName, 'licences'>;
export const TABLE_REGISTERS: readonly TableRegister[] = ['population', 'legalPersons', 'socialInsurance'];

export const REGISTER_COLUMNS: Readonly<Record<TableRegister, readonly string[]>> = {
  population: Object.keys(PopulationImport.shape),
  legalPersons: Object.keys(LegalPersonImport.shape),
  socialInsurance: Object.keys(SocialInsuranceImport.shape),
};

const issue = (row: number, field: string, rule: string, zh: string, en: string): RowIssue => ({
  row,
  field,
  rule,
  message: { zh, en },
});

/** Rows of a file: JSON (an array, or `{"rows":[…]}`) numbered from 1; CSV numbered by the line its record starts on. */
function rowsOf(
  register: TableRegister,
  body: string,
  format: 'csv' | 'json',
): { rows: Array<{ row: number; data: Record<string, unknown> }>; issues: RowIssue[] } {
  if (format === 'json') {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch (e) {
      throw new DomainError('EXCHANGE.IMPORT_FORMAT', {
        params: { reason: (e as Error).message.slice(0, 200) },
      });
    }
    const items = Array.isArray(doc) ? doc : (doc as { rows?: unknown } | null)?.rows;
    if (!Array.isArray(items))
      throw new DomainError('EXCHANGE.IMPORT_FORMAT', {
        params: { reason: 'expected an array or {"rows":[…]}' },
      });
    return {
      rows: items.map((d, i) => ({
        row: i + 1,
        data: d && typeof d === 'object' ? (d as Record<string, unknown>) : {},
      })),
      issues: [],
    };
  }
  const records = parseCsv(body);
  const header = records[0];
  if (!header) throw new DomainError('EXCHANGE.IMPORT_FORMAT', { params: { reason: 'empty file' } });
  const cols = header.fields.map((f) => f.trim());
  const unknown = cols.filter((c) => !REGISTER_COLUMNS[register].includes(c));
  if (unknown.length)
    throw new DomainError('EXCHANGE.IMPORT_FORMAT', {
      params: { reason: `unknown columns: ${unknown.join(', ').slice(0, 160)}` },
    });
  const rows: Array<{ row: number; data: Record<string, unknown> }> = [];
  const issues: RowIssue[] = [];
  for (const rec of records.slice(1)) {
    if (rec.fields.length !== cols.length) {
      issues.push(
        issue(
          rec.line,
          '*',
          'IMPORT.COLUMN_COUNT',
          `该行有 ${rec.fields.length} 列，表头有 ${cols.length} 列`,
          `the row has ${rec.fields.length} columns; the header has ${cols.length}`,
        ),
      );
      continue;
    }
    const data: Record<string, unknown> = {};
    cols.forEach((c, i) => {
      const v = rec.fields[i] ?? '';
      if (v !== '') data[c] = v;
    });
    rows.push({ row: rec.line, data });
  }
  return { rows, issues };
}

const ZOD_RULES: Readonly<Record<string, [string, string, string]>> = {
  invalid_type: ['IMPORT.REQUIRED', '缺少必填项', 'required'],
  too_small: ['IMPORT.REQUIRED', '不能为空或数值过小', 'empty or too small'],
  too_big: ['IMPORT.TOO_LONG', '过长或数值过大', 'too long or too large'],
  invalid_format: ['IMPORT.BAD_FORMAT', '格式不正确', 'malformed'],
  invalid_value: ['IMPORT.BAD_VALUE', '不是允许的取值', 'not one of the allowed values'],
};

type Checked =
  | { register: 'population'; rows: PopulationRow[] }
  | { register: 'legalPersons'; rows: LegalPersonRow[] }
  | { register: 'socialInsurance'; rows: SocialInsuranceRow[] };

/** Checks every row; answers the rows ready to write, or every issue found. */
export function checkRegisterRows(
  ctx: Pick<ExchangeContext, 'cipher'>,
  register: TableRegister,
  body: string,
  format: 'csv' | 'json',
  now: string,
): { checked: Checked; issues: RowIssue[] } {
  const { rows, issues } = rowsOf(register, body, format);
  const seen = new Map<string, number>();
  const out: unknown[] = [];
  const today = now.slice(0, 10);
  for (const { row, data } of rows) {
    const parsed = SCHEMAS[register].safeParse(data);
    if (!parsed.success) {
      for (const i of parsed.error.issues) {
        const [rule, zh, en] = ZOD_RULES[i.code] ?? ['IMPORT.BAD_VALUE', '取值不正确', 'bad value'];
        const field = i.path.map(String).join('.') || '*';
        issues.push(issue(row, field, rule, `“${field}”${zh}`, `"${field}": ${en}`));
      }
      continue;
    }
    const v = parsed.data as Record<string, string | number | undefined>;
    const key = normaliseKey(String(v.idNumber ?? v.creditCode));
    const before = issues.length;
    if (register === 'legalPersons') {
      if (!isValidCreditCode(key))
        issues.push(
          issue(
            row,
            'creditCode',
            'IMPORT.INVALID_CREDIT_CODE',
            '统一社会信用代码无效（GB 32100）',
            'not a valid credit code (GB 32100)',
          ),
        );
      if (!parseIdNumber(normaliseKey(String(v.legalRepresentativeIdNumber)), { today }))
        issues.push(
          issue(
            row,
            'legalRepresentativeIdNumber',
            'IMPORT.INVALID_ID_NUMBER',
            '法定代表人公民身份号码无效（GB 11643）',
            'the legal representative’s ID number is not valid (GB 11643)',
          ),
        );
    } else {
      const id = parseIdNumber(key, { today });
      if (!id)
        issues.push(
          issue(
            row,
            'idNumber',
            'IMPORT.INVALID_ID_NUMBER',
            '公民身份号码无效（GB 11643）',
            'not a valid ID number (GB 11643)',
          ),
        );
      else if (register === 'population') {
        if (id.birthDate !== v.birthDate)
          issues.push(
            issue(
              row,
              'birthDate',
              'IMPORT.ID_MISMATCH',
              '出生日期与公民身份号码不符',
              'the birth date does not match the ID number',
            ),
          );
        if ((id.sex === 'male' ? '男' : '女') !== v.gender)
          issues.push(
            issue(
              row,
              'gender',
              'IMPORT.ID_MISMATCH',
              '性别与公民身份号码不符',
              'the sex does not match the ID number',
            ),
          );
      }
    }
    const first = seen.get(key);
    if (first !== undefined)
      issues.push(
        issue(
          row,
          register === 'legalPersons' ? 'creditCode' : 'idNumber',
          'IMPORT.DUPLICATE_KEY',
          `与第 ${first} 行重复`,
          `duplicates row ${first}`,
        ),
      );
    else seen.set(key, row);
    if (issues.length === before) out.push({ key, v });
  }
  issues.sort((a, b) => a.row - b.row);
  const ready = out as Array<{ key: string; v: Record<string, string | number | undefined> }>;
  const s = (x: unknown) => String(x ?? '');
  const checked: Checked =
    register === 'population'
      ? {
          register,
          rows: ready.map(({ key, v }) =>
            populationRow(
              ctx.cipher,
              {
                idNumber: key,
                name: s(v.name),
                gender: v.gender as '男' | '女',
                birthDate: s(v.birthDate),
                regionCode: s(v.division),
                address: s(v.address),
                householdType: s(v.householdType),
                relationToHead: s(v.relationToHead),
                maritalStatus: s(v.maritalStatus),
                deathDate: v.deathDate ? s(v.deathDate) : null,
              },
              false,
              now,
            ),
          ),
        }
      : register === 'legalPersons'
        ? {
            register,
            rows: ready.map(({ key, v }) =>
              legalPersonRow(
                ctx.cipher,
                {
                  creditCode: key,
                  name: s(v.name),
                  type: s(v.type),
                  legalRepresentative: {
                    name: s(v.legalRepresentative),
                    idNumber: normaliseKey(s(v.legalRepresentativeIdNumber)),
                  },
                  registeredCapitalFen: Number(v.registeredCapitalFen),
                  address: s(v.address),
                  status: s(v.status),
                  establishedOn: s(v.establishedOn),
                  regionCode: s(v.division),
                },
                false,
                now,
              ),
            ),
          }
        : {
            register,
            rows: ready.map(({ key, v }) => ({
              id_hash: ctx.cipher.lookupHash('idNumber', key),
              name: s(v.name),
              insurance_types: s(v.insuranceTypes),
              employer: s(v.employer),
              status: s(v.status),
              first_insured_on: s(v.firstInsuredOn),
              months_paid: Number(v.monthsPaid),
              region_code: key.slice(0, 6),
              demo: 0,
              updated_at: now,
            })),
          };
  return { checked, issues };
}

const KEY_COLUMN = {
  population: 'id_hash',
  legalPersons: 'credit_code',
  socialInsurance: 'id_hash',
} as const;
const TABLE = {
  population: 'exchange_population',
  legalPersons: 'exchange_legal_persons',
  socialInsurance: 'exchange_social_insurance',
} as const;

type Ref = { ref(r: string): unknown };
type OnConflict = {
  column(c: string): { doUpdateSet(v: Record<string, (eb: Ref) => unknown>): unknown };
};

async function upsertAll(trx: Executor, c: Checked): Promise<void> {
  const table = TABLE[c.register];
  const key = KEY_COLUMN[c.register];
  // ≤ 13 columns × 500 rows: under SQLite's bound-variable limit
  for (let i = 0; i < c.rows.length; i += 500) {
    const chunk = c.rows.slice(i, i + 500);
    const cols = Object.keys(chunk[0]!).filter((k) => k !== key);
    const set = Object.fromEntries(cols.map((k) => [k, (eb: Ref) => eb.ref(`excluded.${k}`)]));
    // biome-ignore lint/suspicious/noExplicitAny: one upsert for the three register tables
    const q = (xdb(trx) as any).insertInto(table).values(chunk);
    await q.onConflict((oc: OnConflict) => oc.column(key).doUpdateSet(set)).execute();
  }
}

/**
 * Whether a principal keeps this register: it provides the register's 基础 (basic) resource — the
 * 公安 for 人口库, the 市场监管 for 法人库 — or, for a register without one, a resource read from
 * it. A department that provides a theme resource drawn from another's register (民政's 婚姻 from
 * 人口库) does not keep that register.
 */
async function keepsRegister(ctx: ExchangeContext, p: Principal, register: RegisterName): Promise<boolean> {
  const all = (await listResources(ctx.db, {})).filter((r) => r.register === register);
  const basic = all.filter((r) => r.classification === 'basic');
  return (basic.length ? basic : all).some((r) =>
    allows(p, 'exchange.manage', { regionCode: r.regionCode, departmentId: r.providerDepartmentId }),
  );
}

/**
 * `tongban import register` and `POST /api/v1/exchange/registers/{register}/import`. A principal
 * (the API) must provide a resource of that register, checked before the file is read; the CLI
 * (the operator) passes none.
 */
export async function importRegister(
  ctx: ExchangeContext,
  p: Principal | null,
  register: string,
  body: string,
  format: 'csv' | 'json',
): Promise<{ imported: number; issues: RowIssue[] }> {
  if (!(TABLE_REGISTERS as readonly string[]).includes(register))
    throw new DomainError('EXCHANGE.INVALID', {
      details: { issues: [{ field: 'register', rule: 'invalid_value' }] },
    });
  const reg = register as TableRegister;
  if (p && !(await keepsRegister(ctx, p, reg))) throw new DomainError('EXCHANGE.NOT_PROVIDER');
  const now = ctx.clock.now().toISOString();
  const { checked, issues } = checkRegisterRows(ctx, reg, body, format, now);
  if (issues.length) return { imported: 0, issues };
  if (checked.rows.length === 0) return { imported: 0, issues: [] };
  await inTransaction(ctx.db, async (trx) => {
    await upsertAll(trx, checked);
    await appendEvent(trx, ctx.clock, {
      type: EXCHANGE_EVENTS.imported,
      aggregateType: 'exchangeRegister',
      aggregateId: reg,
      regionCode: null,
      actor: p?.accountId ?? null,
      payload: { register: reg, rows: checked.rows.length, format },
    });
  });
  return { imported: checked.rows.length, issues: [] };
}

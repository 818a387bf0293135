import { csvLine, parseCsv } from '../../platform/csv.js';
import { checkQuality } from './catalog.quality.js';
import type { CatalogDepartment } from './catalog.regions.js';
import { Guide, implementationCodeOf } from './catalog.types.js';

/**
 * Import and export of implementation lists. JSON: `{"format":"tongban.catalog.items","items":[…]}`
 * (or a bare array), one guide per item with its `implementationCode`. CSV: one row per item,
 * one column per guide element; plain text for the scalar elements, JSON for the nested ones, so
 * a CSV round trip loses nothing. Every row is checked before anything is written.
 */
export const EXPORT_FORMAT = 'tongban.catalog.items';
export const GUIDE_COLUMNS = Object.keys(Guide.shape) as Array<keyof Guide>;
const TEXT_COLUMNS = new Set<string>([
  'basicCode',
  'variant',
  'name',
  'type',
  'exerciseLevel',
  'regionCode',
  'entrustedBy',
  'powerSource',
  'quantityLimit',
  'handlingKind',
]);
export const CSV_COLUMNS = ['implementationCode', ...GUIDE_COLUMNS];

export function exportJsonText(guides: readonly Guide[]): string {
  const items = guides.map((g) => ({ implementationCode: implementationCodeOf(g), ...g }));
  return `${JSON.stringify({ format: EXPORT_FORMAT, version: 1, count: items.length, items })}\n`;
}

export function csvHeader(): string {
  return csvLine(CSV_COLUMNS);
}

export function csvRow(g: Guide): string {
  const rec = g as unknown as Record<string, unknown>;
  return csvLine([
    implementationCodeOf(g),
    ...GUIDE_COLUMNS.map((k) => {
      const v = rec[k];
      if (v === undefined || v === null) return '';
      return TEXT_COLUMNS.has(k) ? String(v) : JSON.stringify(v);
    }),
  ]);
}

export interface ImportRow {
  /** JSON: the item's position (1-based); CSV: the line its record starts on */
  readonly row: number;
  readonly data: unknown;
}

export interface RowIssue {
  readonly row: number;
  readonly implementationCode?: string | undefined;
  readonly field: string;
  readonly rule: string;
  readonly message: { readonly zh: string; readonly en: string };
}

export type ImportFormat = 'json' | 'csv';

export function formatOf(fileName: string, text: string): ImportFormat {
  if (fileName.toLowerCase().endsWith('.csv')) return 'csv';
  if (fileName.toLowerCase().endsWith('.json')) return 'json';
  return /^\s*[[{]/.test(text) ? 'json' : 'csv';
}

/** Splits a file into rows; a file that cannot be read at all throws with the reason. */
export function parseImport(text: string, format: ImportFormat): { rows: ImportRow[]; issues: RowIssue[] } {
  if (format === 'json') {
    const doc = JSON.parse(text) as unknown;
    const items = Array.isArray(doc) ? doc : (doc as { items?: unknown }).items;
    if (!Array.isArray(items)) throw new Error('expected an array of items or {"items":[…]}');
    return { rows: items.map((data, i) => ({ row: i + 1, data })), issues: [] };
  }
  const records = parseCsv(text);
  const header = records[0];
  if (!header) throw new Error('empty file');
  const cols = header.fields.map((f) => f.trim());
  const unknown = cols.filter((c) => !CSV_COLUMNS.includes(c));
  if (unknown.length) throw new Error(`unknown columns: ${unknown.join(', ')}`);
  const rows: ImportRow[] = [];
  const issues: RowIssue[] = [];
  for (const rec of records.slice(1)) {
    const obj: Record<string, unknown> = {};
    let bad = false;
    cols.forEach((c, i) => {
      const raw = rec.fields[i] ?? '';
      if (raw === '') return;
      if (c === 'implementationCode' || TEXT_COLUMNS.has(c)) {
        obj[c] = raw;
        return;
      }
      try {
        obj[c] = JSON.parse(raw) as unknown;
      } catch {
        bad = true;
        issues.push({
          row: rec.line,
          field: c,
          rule: 'IMPORT.BAD_JSON_CELL',
          message: { zh: `“${c}”列应为 JSON`, en: `column "${c}" must hold JSON` },
        });
      }
    });
    if (rec.fields.length !== cols.length) {
      bad = true;
      issues.push({
        row: rec.line,
        field: '*',
        rule: 'IMPORT.COLUMN_COUNT',
        message: {
          zh: `该行有 ${rec.fields.length} 列，表头有 ${cols.length} 列`,
          en: `the row has ${rec.fields.length} columns; the header has ${cols.length}`,
        },
      });
    }
    if (!bad) rows.push({ row: rec.line, data: obj });
  }
  return { rows, issues };
}

/**
 * Checks every row: the schema, the quality rules, the implementing body (exists, credit code
 * matches, region within its jurisdiction), the stated implementation code and duplicates.
 */
export async function validateRows(
  rows: readonly ImportRow[],
  departmentById: (id: string) => Promise<CatalogDepartment | undefined>,
  onRow?: () => void,
): Promise<{ guides: Array<{ row: number; guide: Guide }>; issues: RowIssue[] }> {
  const guides: Array<{ row: number; guide: Guide }> = [];
  const issues: RowIssue[] = [];
  const seen = new Map<string, number>();
  const depts = new Map<string, CatalogDepartment | undefined>();
  for (const { row, data } of rows) {
    onRow?.();
    const stated =
      typeof data === 'object' && data !== null
        ? (data as { implementationCode?: unknown }).implementationCode
        : undefined;
    const parsed = Guide.safeParse(data);
    if (!parsed.success) {
      for (const i of parsed.error.issues) {
        issues.push({
          row,
          implementationCode: typeof stated === 'string' ? stated : undefined,
          field: i.path.join('.') || '*',
          rule: `SCHEMA.${i.code.toUpperCase()}`,
          message: { zh: `字段格式不符：${i.message}`, en: i.message },
        });
      }
      continue;
    }
    const g = parsed.data;
    const code = implementationCodeOf(g);
    const before = issues.length;
    for (const q of checkQuality(g))
      issues.push({ row, implementationCode: code, field: q.field, rule: q.rule, message: q.fix });
    if (typeof stated === 'string' && stated !== code) {
      issues.push({
        row,
        implementationCode: code,
        field: 'implementationCode',
        rule: 'IMPORT.CODE_MISMATCH',
        message: {
          zh: `实施编码应为 ${code}（统一社会信用代码 + 基本编码 + 情形序号）`,
          en: `the implementation code should be ${code} (credit code + basic code + variant)`,
        },
      });
    }
    const id = g.implementingBody.departmentId;
    if (!depts.has(id)) depts.set(id, await departmentById(id));
    const d = depts.get(id);
    if (!d) {
      issues.push({
        row,
        implementationCode: code,
        field: 'implementingBody.departmentId',
        rule: 'IMPORT.UNKNOWN_DEPARTMENT',
        message: {
          zh: `部门 ${id} 不存在，请先在区划与部门管理中登记`,
          en: `department ${id} does not exist; register it first`,
        },
      });
    } else {
      if (d.creditCode !== g.implementingBody.creditCode) {
        issues.push({
          row,
          implementationCode: code,
          field: 'implementingBody.creditCode',
          rule: 'IMPORT.CREDIT_CODE_MISMATCH',
          message: {
            zh: `部门的统一社会信用代码为 ${d.creditCode}`,
            en: `the department's credit code is ${d.creditCode}`,
          },
        });
      }
      if (
        !g.regionCode.startsWith(d.regionCode.slice(0, Math.min(d.regionCode.length, g.regionCode.length)))
      ) {
        issues.push({
          row,
          implementationCode: code,
          field: 'regionCode',
          rule: 'IMPORT.REGION_OUTSIDE_BODY',
          message: {
            zh: `区划应在实施主体的辖区 ${d.regionCode} 内`,
            en: `the region must lie within the body's division ${d.regionCode}`,
          },
        });
      }
    }
    const prev = seen.get(code);
    if (prev !== undefined) {
      issues.push({
        row,
        implementationCode: code,
        field: 'implementationCode',
        rule: 'IMPORT.DUPLICATE_CODE',
        message: { zh: `与第 ${prev} 行的实施编码重复`, en: `same implementation code as row ${prev}` },
      });
    } else seen.set(code, row);
    if (issues.length === before) guides.push({ row, guide: g });
  }
  return { guides, issues };
}

/**
 * Application forms and uploads, pure: the JSON Schema of a form from its field list, validation
 * with Ajv (issues as field + rule), coercion of posted page values, and upload checks by content.
 */
import { createHash } from 'node:crypto';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { FieldIssue } from '../../kernel/index.js';
import type { ApplicationMaterial, FormFieldHint } from './cases.ports.js';

const DATE_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';

/** The JSON Schema of a form from the catalogue's field list (types, required, options, patterns). */
export function formSchemaOf(
  fields: ReadonlyArray<FormFieldHint & { pattern?: string | undefined; maxLength?: number | undefined }>,
): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const f of fields) {
    const p: Record<string, unknown> = {};
    switch (f.type) {
      case 'string':
        p.type = 'string';
        p.maxLength = f.maxLength ?? 500;
        if (f.required) p.minLength = 1;
        if (f.pattern) p.pattern = f.pattern;
        break;
      case 'date':
        p.type = 'string';
        p.pattern = DATE_PATTERN;
        break;
      case 'enum':
        p.type = 'string';
        p.enum = [...(f.options ?? [])];
        break;
      case 'number':
        p.type = 'number';
        break;
      case 'integer':
        p.type = 'integer';
        break;
      case 'boolean':
        p.type = 'boolean';
        break;
    }
    properties[f.name] = p;
  }
  return {
    type: 'object',
    properties,
    required: fields.filter((f) => f.required).map((f) => f.name),
    additionalProperties: false,
  };
}

// JSON Schema 2020-12 (what the catalogue publishes); `date` checked as a real calendar day
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addFormat('date', {
  type: 'string',
  validate: (s: string) =>
    new RegExp(DATE_PATTERN).test(s) &&
    !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
    new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
});
const compiled = new Map<string, ValidateFunction>();

function issueOf(e: ErrorObject): FieldIssue {
  const missing =
    e.keyword === 'required' ? String((e.params as { missingProperty?: string }).missingProperty ?? '') : '';
  const extra =
    e.keyword === 'additionalProperties'
      ? String((e.params as { additionalProperty?: string }).additionalProperty ?? '')
      : '';
  const field = missing || extra || e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(form)';
  return { field, rule: `SCHEMA.${e.keyword.toUpperCase()}` };
}

/** Validates form data against a schema (compiled once per key); the issues, or none. */
export function validateForm(key: string, schema: Record<string, unknown>, data: unknown): FieldIssue[] {
  let v = compiled.get(key);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(key, v);
  }
  if (v(data)) return [];
  const seen = new Set<string>();
  const out: FieldIssue[] = [];
  for (const e of v.errors ?? []) {
    const i = issueOf(e);
    if (seen.has(i.field)) continue;
    seen.add(i.field);
    out.push(i);
  }
  return out;
}

/** Posted page values (strings) to the types the schema expects; empty optional fields dropped. */
export function coerceFormValues(
  fields: readonly FormFieldHint[],
  posted: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const raw = posted[f.name];
    if (raw === undefined) continue;
    const v = raw.trim();
    if (v === '' && f.type !== 'boolean') continue;
    switch (f.type) {
      case 'number':
      case 'integer':
        out[f.name] = Number.isFinite(Number(v)) ? Number(v) : v;
        break;
      case 'boolean':
        out[f.name] = v === 'true' || v === 'on' || v === 'yes';
        break;
      default:
        out[f.name] = v;
    }
  }
  return out;
}

// ── uploads ────────────────────────────────────────────────────────────────────────────────────

export const UPLOAD_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type UploadType = (typeof UPLOAD_TYPES)[number];

/** The type of a file by its first bytes (PDF `%PDF-`, PNG signature, JPEG SOI + marker). */
export function sniffType(b: Uint8Array): UploadType | undefined {
  if (b.length >= 5 && b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46 && b[4] === 0x2d)
    return 'application/pdf';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length >= 8 && png.every((x, i) => b[i] === x)) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  return undefined;
}

/**
 * A browser's declared type in the form we compare: no claim when it says nothing specific
 * (`application/octet-stream`, empty), and the old names some systems still send for JPEG / PNG.
 */
function normaliseDeclared(t: string | undefined): string | undefined {
  const v = (t ?? '').split(';')[0]!.trim().toLowerCase();
  if (v === '' || v === 'application/octet-stream') return undefined;
  if (v === 'image/jpg' || v === 'image/pjpeg') return 'image/jpeg';
  if (v === 'image/x-png') return 'image/png';
  return v;
}

export interface CheckedUpload {
  readonly code: string;
  readonly name: string;
  readonly mediaType: UploadType;
  readonly size: number;
  readonly sha256: string;
  readonly data: Buffer;
}

export type UploadProblem =
  | { problem: 'tooLarge'; name: string; maxBytes: number }
  | { problem: 'type'; name: string }
  | { problem: 'label'; name: string };

/**
 * Checks one upload by its content: the size limit, a recognised type by magic bytes, and the
 * declared type (if any) matching what the bytes are. Nothing is trusted from the file name.
 */
export function checkUpload(
  input: { code: string; name: string; data: Buffer; declaredType?: string | undefined },
  maxBytes: number,
): { ok: true; upload: CheckedUpload } | { ok: false; error: UploadProblem } {
  if (input.data.length > maxBytes)
    return { ok: false, error: { problem: 'tooLarge', name: input.name, maxBytes } };
  const sniffed = sniffType(input.data);
  if (!sniffed) return { ok: false, error: { problem: 'type', name: input.name } };
  const declared = normaliseDeclared(input.declaredType);
  if (declared && declared !== sniffed) return { ok: false, error: { problem: 'label', name: input.name } };
  return {
    ok: true,
    upload: {
      code: input.code,
      name: input.name,
      mediaType: sniffed,
      size: input.data.length,
      sha256: createHash('sha256').update(input.data).digest('hex'),
      data: input.data,
    },
  };
}

// ── the apply pages: which questions are asked together ─────────────────────────────────────────

export type FormStepKind = 'applicant' | 'question' | 'page' | 'delivery' | 'materials';

/** One page of the apply journey. */
export interface FormStep {
  /** in the page address: `applicant`, `q-<field>`, `p-<page>`, `delivery`, `materials` */
  readonly id: string;
  readonly kind: FormStepKind;
  readonly fields: readonly FormFieldHint[];
}

/**
 * The pages of an application, in order. The applicant's details (prefilled from the account) are
 * confirmed on one page with the region; each question about the matter gets a page of its own
 * unless the form's layout hints put several on one `page`; the way to receive the result is one
 * page; the materials (uploads and e-licences) are the last page before "check your answers".
 */
export function formSteps(fields: readonly FormFieldHint[], hasMaterials: boolean): FormStep[] {
  const steps: FormStep[] = [
    { id: 'applicant', kind: 'applicant', fields: fields.filter((f) => f.section === 'applicant') },
  ];
  const grouped = new Map<string, FormFieldHint[]>();
  for (const f of fields) {
    if (f.section === 'applicant' || f.section === 'delivery') continue;
    if (f.page) {
      const id = `p-${f.page}`;
      const g = grouped.get(id);
      if (g) g.push(f);
      else {
        const list = [f];
        grouped.set(id, list);
        steps.push({ id, kind: 'page', fields: list });
      }
    } else steps.push({ id: `q-${f.name}`, kind: 'question', fields: [f] });
  }
  const delivery = fields.filter((f) => f.section === 'delivery');
  if (delivery.length) steps.push({ id: 'delivery', kind: 'delivery', fields: delivery });
  if (hasMaterials) steps.push({ id: 'materials', kind: 'materials', fields: [] });
  return steps;
}

/** The issues of a whole-form validation that belong to one step's questions. */
export function issuesOfStep(step: FormStep, issues: readonly FieldIssue[]): FieldIssue[] {
  const names = new Set(step.fields.map((f) => f.name));
  return issues.filter((i) => names.has(i.field));
}

/** Whether a material is read by the department from shared data, so never asked for (免提交). */
export const sharedOnly = (m: ApplicationMaterial): boolean =>
  m.source === 'government' && !!m.sharedData && !m.licenceType;

/**
 * Whether a material is read from a register at submission when the applicant gives nothing for
 * it: a shared-data material, including one the applicant may instead provide as an e-licence
 * (营业执照, 户口簿). If the read fails, the department asks for it; the applicant is never blocked.
 */
export const fromSharedData = (m: ApplicationMaterial): boolean =>
  m.source === 'government' && !!m.sharedData;

/**
 * The required materials a draft does not provide: neither a file kept with it, nor an e-licence
 * chosen, nor read from shared data.
 */
export function missingMaterials(
  materials: readonly ApplicationMaterial[],
  files: ReadonlyArray<{ code: string }>,
  licences: Readonly<Record<string, string>>,
): ApplicationMaterial[] {
  return materials.filter(
    (m) => m.required && !fromSharedData(m) && !licences[m.code] && !files.some((f) => f.code === m.code),
  );
}

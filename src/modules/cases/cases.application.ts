/**
 * What an application asks: an item's form and materials, or a 一件事 bundle's combined form and
 * material set, as the apply pages and the draft submission read them.
 */
import { createHash } from 'node:crypto';
import type { FieldIssue } from '../../kernel/index.js';
import type { CasesContext } from './cases.context.js';
import { splitDraftKey } from './cases.draftkey.js';
import { sharedOnly, validateForm } from './cases.forms.js';
import type { RawUpload } from './cases.materials.js';
import type { ApplicableItem, ApplicationMaterial, FormFieldHint } from './cases.ports.js';

/**
 * A bundle's material code, from the material's name: the same document keeps its code whatever
 * the members' order or versions, so a file kept with a draft never lands under another document.
 */
export const bundleMaterialCode = (name: string): string =>
  `b-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;

/** The draft key of a 一件事 bundle's application: `bundle:<code>`. */
export const BUNDLE_KEY = 'bundle:';

/** What an application asks: an item's form and materials, or a bundle's combined ones. */
export interface Application {
  readonly key: string;
  readonly kind: 'item' | 'bundle';
  /** implementation code, or bundle code */
  readonly code: string;
  readonly name: string;
  /** 实名等级 the applicant needs (a bundle: the highest of its members') */
  readonly realNameLevel: 1 | 2 | 3;
  readonly formFields: readonly FormFieldHint[];
  readonly materials: readonly ApplicationMaterial[];
  /** the problems of a whole form (for a bundle, each member's schema over its own fields) */
  validate(form: Record<string, unknown>): FieldIssue[];
  /** a bundle: each member's share of the files and e-licences, under the member's own codes */
  members?(
    files: readonly RawUpload[],
    licences: Readonly<Record<string, string>>,
  ): Array<{ implementationCode: string; files: RawUpload[]; licences: Record<string, string> }>;
}

export function formIssues(it: ApplicableItem, form: unknown): FieldIssue[] {
  return validateForm(`${it.implementationCode}@${it.version}`, it.formSchema, form);
}

/**
 * What the apply pages ask for: an item's form and materials, or a 一件事 bundle's combined
 * form (every member's questions once, by name) and material set (by code). `key` is the draft's
 * key: an implementation code, `bundle:<code>`, or `for:<account>:<code>` (an item on a person's
 * behalf; `code` is then the item's).
 */
export async function application(ctx: CasesContext, key: string): Promise<Application | undefined> {
  const forWhom = splitDraftKey(key);
  if (forWhom.onBehalfOf) {
    if (forWhom.code.startsWith(BUNDLE_KEY)) return undefined;
    const it = await application(ctx, forWhom.code);
    return it ? { ...it, key } : undefined;
  }
  if (!key.startsWith(BUNDLE_KEY)) {
    const it = await ctx.items.get(key);
    if (!it) return undefined;
    return {
      key,
      kind: 'item',
      code: key,
      name: it.name,
      realNameLevel: it.realNameLevel,
      formFields: it.formFields,
      materials: it.materials,
      validate: (form) => formIssues(it, form),
    };
  }
  const code = key.slice(BUNDLE_KEY.length);
  const b = await ctx.ports.catalog.bundle(code);
  if (!b) return undefined;
  const members: ApplicableItem[] = [];
  for (const m of b.members) {
    const it = await ctx.items.get(m.implementationCode);
    if (it) members.push(it);
  }
  const realNameLevel = Math.max(1, ...members.map((m) => m.realNameLevel)) as 1 | 2 | 3;
  return { key, kind: 'bundle', code, name: b.name, realNameLevel, ...mergeBundle(members) };
}

/** The part of a combined form that an item's own schema knows. */
export function ownFields(
  it: ApplicableItem,
  form: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const known = Object.keys((it.formSchema.properties as Record<string, unknown> | undefined) ?? {});
  return Object.fromEntries(Object.entries(form).filter(([k]) => known.includes(k)));
}

/**
 * 一件事: the members' forms and materials as one (pure). Every question once, by name, required
 * if any member requires it; every document once, by name, under a code of the bundle's own (the
 * members' codes may clash: m02-doc is one thing in one item and another in the next). `members`
 * hands each member its share of the files and e-licences back under its own codes; `validate`
 * checks each member's schema over its own fields, one problem per field.
 */
export function mergeBundle(
  members: readonly ApplicableItem[],
): Pick<Application, 'formFields' | 'materials' | 'validate'> & Required<Pick<Application, 'members'>> {
  const fields = new Map<string, FormFieldHint>();
  const materials = new Map<
    string,
    { m: ApplicationMaterial; uses: Array<{ item: string; code: string }> }
  >();
  for (const it of members) {
    for (const f of it.formFields) {
      const had = fields.get(f.name);
      fields.set(f.name, had ? { ...had, required: had.required || f.required } : f);
    }
    for (const m of it.materials) {
      const had = materials.get(m.name);
      const use = { item: it.implementationCode, code: m.code };
      if (had) {
        had.uses.push(use);
        // asked of the applicant if any member asks for it; read from shared data only if every
        // member reads it so; an e-licence any member accepts is offered
        const shared = sharedOnly(had.m) && sharedOnly(m);
        had.m = {
          ...had.m,
          required: had.m.required || m.required,
          source: had.m.source === 'government' && m.source === 'government' ? 'government' : 'applicant',
          licenceType: had.m.licenceType ?? m.licenceType,
          sharedData: shared ? had.m.sharedData : undefined,
        };
      } else materials.set(m.name, { m: { ...m, code: bundleMaterialCode(m.name) }, uses: [use] });
    }
  }
  // the applicant's questions first, the way to receive the result last, as on an item's form
  const rank = (f: FormFieldHint) => (f.section === 'applicant' ? 0 : f.section === 'delivery' ? 2 : 1);
  return {
    formFields: [...fields.values()].sort((a, z) => rank(a) - rank(z)),
    materials: [...materials.values()].map((x) => x.m),
    members: (files, licences) =>
      members.map((it) => {
        const mine = [...materials.values()].flatMap((x) =>
          x.uses
            .filter((u) => u.item === it.implementationCode)
            .map((u) => ({ bundleCode: x.m.code, code: u.code })),
        );
        return {
          implementationCode: it.implementationCode,
          files: mine.flatMap((u) =>
            files.filter((f) => f.code === u.bundleCode).map((f) => ({ ...f, code: u.code })),
          ),
          licences: Object.fromEntries(
            mine.filter((u) => licences[u.bundleCode]).map((u) => [u.code, licences[u.bundleCode]!]),
          ),
        };
      }),
    validate: (form) => {
      const out: FieldIssue[] = [];
      for (const it of members) {
        for (const i of formIssues(it, ownFields(it, form)))
          if (!out.some((x) => x.field === i.field)) out.push(i);
      }
      return out;
    },
  };
}

export { FOR_KEY, draftKeyOf, splitDraftKey } from './cases.draftkey.js';

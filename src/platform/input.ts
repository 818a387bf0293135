import { DomainError, type FieldIssue } from '../kernel/index.js';

/** Input parsing shared by routes and services, free of the HTTP layer. */

/** A schema's issues (zod's shape) as field issues, each with a `SCHEMA.<CODE>` rule. */
export function schemaIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; code: string }>,
): FieldIssue[] {
  return issues.map((i) => ({ field: i.path.map(String).join('.'), rule: `SCHEMA.${i.code.toUpperCase()}` }));
}

/** Input checked against a schema: the parsed value, or COMMON.VALIDATION with every issue. */
export function parseInput<T>(
  schema: {
    safeParse(raw: unknown):
      | { success: true; data: T }
      | {
          success: false;
          error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; code: string }> };
        };
  },
  raw: unknown,
): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  throw new DomainError('COMMON.VALIDATION', { details: schemaIssues(r.error.issues) });
}

/** The largest file a page form may upload (a scanned material): 10 MiB. */
export const UPLOAD_FILE_BYTES = 10 * 1024 * 1024;
/** All files of one page post together: 30 MiB. */
export const MULTIPART_TOTAL_BYTES = 30 * 1024 * 1024;

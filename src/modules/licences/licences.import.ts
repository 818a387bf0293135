import { z } from 'zod';
import { type Clock, type DomainError, isDomainError } from '../../kernel/index.js';
import { chinaDate } from '../../platform/calendar/index.js';
import { isValidCreditCode, isValidIdNumber } from '../../platform/codes/index.js';
import { type Store, inTransaction } from '../../platform/db/index.js';
import { ldb } from './licences.store.js';
import type { LicencesService } from './licences.service.js';
import { IssueLicenceInput } from './licences.types.js';

/**
 * Import of existing licences (存量证照入库): a JSON array of issue inputs. All or nothing: every
 * row is validated first and every problem reported with its row number (1-based); only a clean
 * file is written, in one transaction, so a failure half-way leaves nothing behind.
 */
export interface ImportProblem {
  readonly row: number;
  readonly field: string;
  readonly code: string;
}

export interface ImportProgress {
  tick(n?: number): void;
  done(): void;
}

const ImportRow = IssueLicenceInput.omit({ replaces: true }).extend({
  issuerName: z.string().trim().min(1).max(100).optional(),
});

export async function importLicences(
  { store, clock }: { store: Store; clock: Clock },
  svc: LicencesService,
  rows: unknown,
  progress: (label: string, total: number) => ImportProgress,
): Promise<{ imported: number; identifiers: string[] } | { problems: ImportProblem[] }> {
  if (!Array.isArray(rows))
    return { problems: [{ row: 0, field: '', code: 'LICENCES.IMPORT_NOT_AN_ARRAY' }] };
  const problems: ImportProblem[] = [];
  const parsed: IssueLicenceInput[] = [];
  const types = new Set(
    (await ldb(store.db).selectFrom('licence_types').select('code').execute()).map((r) => r.code),
  );
  const issuers = new Set(
    (await ldb(store.db).selectFrom('licence_issuers').select('code').execute()).map((r) => r.code),
  );
  const today = chinaDate(clock.now());
  rows.forEach((raw, i) => {
    const row = i + 1;
    const r = ImportRow.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues)
        problems.push({ row, field: issue.path.join('.'), code: issue.code });
      return;
    }
    const d = r.data;
    if (!types.has(d.typeCode)) problems.push({ row, field: 'typeCode', code: 'LICENCES.UNKNOWN_TYPE' });
    if (!issuers.has(d.issuerCode) && !(d.issuerName && d.regionCode)) {
      problems.push({ row, field: 'issuerCode', code: 'LICENCES.UNKNOWN_ISSUER' });
    }
    const idOk =
      d.holder.idType === '111'
        ? isValidIdNumber(d.holder.idNumber, { today })
        : isValidCreditCode(d.holder.idNumber, { organizationCode: false });
    if (!idOk) problems.push({ row, field: 'holder.idNumber', code: 'LICENCES.INVALID_HOLDER' });
    if (d.validTo !== null && d.validTo < d.validFrom)
      problems.push({ row, field: 'validTo', code: 'LICENCES.INVALID_VALIDITY' });
    parsed.push(d);
  });
  if (problems.length > 0) return { problems };

  const bar = progress('licences', parsed.length);
  try {
    const identifiers = await inTransaction(store.db, async (trx) => {
      const out: string[] = [];
      for (let i = 0; i < parsed.length; i++) {
        try {
          out.push((await svc.issueLicence(parsed[i]!, trx)).identifier);
        } catch (e) {
          if (isDomainError(e) && e.status < 500) throw new RowError(i + 1, e);
          throw e;
        }
        bar.tick();
      }
      return out;
    });
    bar.done();
    return { imported: identifiers.length, identifiers };
  } catch (e) {
    if (e instanceof RowError) {
      // the transaction rolled back: nothing was imported
      const d = e.cause.details as Array<{ field?: string }> | { field?: string } | undefined;
      const field = Array.isArray(d) ? (d[0]?.field ?? '') : (d?.field ?? '');
      return { problems: [{ row: e.row, field, code: e.cause.code }] };
    }
    throw e;
  }
}

class RowError extends Error {
  constructor(
    readonly row: number,
    override readonly cause: DomainError,
  ) {
    super(`row ${row}: ${cause.code}`);
  }
}

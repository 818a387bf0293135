/**
 * Uploaded files at rest (ADR 0013). A case's files and a draft's files are stored sealed
 * (platform/privacy/files.ts), each bound to its row. A case file is stored once per content and
 * named by a keyed hash of it, so the store cannot be asked whether it holds a known file; the
 * file's SHA-256 — the name the API and the pages give it — is kept sealed beside the material.
 *
 * `sealStoredFiles` brings every stored file under the current key generation: the upgrade seals
 * the files stored before (generation 0, as uploaded), a key rotation reseals the older ones.
 */
import type { Kysely, Migration } from 'kysely';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import type { FileSealer } from '../../platform/privacy/index.js';
import * as st from './cases.store.js';

/** what each sealed value is bound to: the row it belongs to, so it cannot be moved to another */
const caseFileName = (contentKey: string) => `case-file:${contentKey}`;
const sha256Name = (materialId: string) => `case-material-sha256:${materialId}`;
/** A draft file's name (its sealing binds it to the row); the person is in it when on someone's behalf. */
export const draftFileName = (k: {
  readonly applicant_id: string;
  readonly implementation_code: string;
  readonly material_code: string;
  readonly on_behalf_of?: string | undefined;
}) =>
  `draft-file:${JSON.stringify(
    k.on_behalf_of
      ? [k.applicant_id, k.implementation_code, k.material_code, k.on_behalf_of]
      : [k.applicant_id, k.implementation_code, k.material_code],
  )}`;

/** A case file ready to store: its content key, the sealed bytes, and its material's sealed SHA-256. */
export function sealCaseFile(
  files: FileSealer,
  data: Uint8Array,
): { contentKey: string; sealed: Buffer; generation: number } {
  const contentKey = files.contentKey(data);
  return { contentKey, sealed: files.seal(data, caseFileName(contentKey)), generation: files.generation };
}

export function sealSha256(files: FileSealer, materialId: string, sha256: string): Buffer {
  return files.seal(Buffer.from(sha256, 'hex'), sha256Name(materialId));
}

export function openSha256(files: FileSealer, materialId: string, sealed: Uint8Array): string {
  return files.open(sealed, sha256Name(materialId)).toString('hex');
}

export function openCaseFile(files: FileSealer, contentKey: string, sealed: Uint8Array): Buffer {
  return files.open(sealed, caseFileName(contentKey));
}

/** Rows are read and rewritten this many at a time (files of up to 10 MB each). */
const BATCH = 8;

/**
 * Seals every stored file not yet under the current generation; what it did, per kind. Each file
 * is rewritten in its own transaction and says which generation it is under, so the work can stop
 * anywhere and be started again.
 */
export async function sealStoredFiles(
  db: Executor,
  files: FileSealer,
  /** `legacyDrafts`: the draft files of case_draft_materials (cases.0004 ran before cases.0007) */
  opts: { legacyDrafts?: boolean } = {},
): Promise<{ caseFiles: number; materials: number; draftFiles: number }> {
  const done = { caseFiles: 0, materials: 0, draftFiles: 0 };
  for (;;) {
    const rows = await st.blobsNotIn(db, files.generation, BATCH);
    if (rows.length === 0) break;
    for (const row of rows) {
      await inTransaction(db, async (trx) => {
        // generation 0: stored as uploaded, before sealing, and named by its bare SHA-256
        const legacy = row.key_generation === 0;
        const data = legacy ? Buffer.from(row.data) : openCaseFile(files, row.content_key, row.data);
        const next = sealCaseFile(files, data);
        await st.rewriteBlob(trx, row.content_key, {
          content_key: next.contentKey,
          data: next.sealed,
          key_generation: next.generation,
        });
        if (!legacy) return;
        for (const m of await st.materialsOfFile(trx, row.content_key)) {
          await st.setMaterialFile(trx, m.id, {
            file_key: next.contentKey,
            sha256_sealed: sealSha256(files, m.id, row.content_key),
          });
          done.materials++;
        }
      });
      done.caseFiles++;
    }
  }
  // the materials' sealed SHA-256 under an older generation (a rotation)
  let after = '';
  for (;;) {
    const rows = await st.fileMaterialsAfter(db, after, 200);
    if (rows.length === 0) break;
    for (const m of rows) {
      after = m.id;
      const sealed = m.sha256_sealed!;
      if (files.generationOf(sealed) === files.generation) continue;
      await st.setMaterialFile(db, m.id, {
        sha256_sealed: sealSha256(files, m.id, openSha256(files, m.id, sealed)),
      });
      done.materials++;
    }
  }
  for (;;) {
    const rows = await st.draftFilesNotIn(db, files.generation, BATCH, opts.legacyDrafts);
    if (rows.length === 0) break;
    for (const row of rows) {
      const name = draftFileName(row);
      const data = row.key_generation === 0 ? row.data : files.open(row.data, name);
      await st.resealDraftFile(
        db,
        row,
        { data: files.seal(data, name), key_generation: files.generation },
        opts.legacyDrafts,
      );
      done.draftFiles++;
    }
  }
  return done;
}

/** The migration that seals the files stored before cases.0003 (it needs the key, so it is built with it). */
export function sealedFilesMigrations(files: FileSealer): Record<string, Migration> {
  return {
    'cases.0004_seal_stored_files': {
      async up(db: Kysely<unknown>) {
        // the draft files were in case_draft_materials then (cases.0007 copies them on)
        await sealStoredFiles(db as unknown as Executor, files, { legacyDrafts: true });
      },
    },
  };
}

/**
 * cases.0008: the drafts stored before copied into cases.0007's tables (cases.store
 * `draftsByPersonMigration`), built with the
 * keys — a stored draft's person is read from its sealed answers, and a file of a draft on someone's
 * behalf is sealed again under its new name.
 */
export function draftsByPersonMigrations(
  cipher: { decrypt(sealed: string): string } | undefined,
  files: FileSealer,
): Record<string, Migration> {
  return {
    'cases.0008_drafts_copied': st.draftsByPersonMigration({
      onBehalfOf(data) {
        try {
          const v = JSON.parse(cipher && data.startsWith('v1.') ? cipher.decrypt(data) : data) as {
            onBehalfOf?: unknown;
          };
          return typeof v.onBehalfOf === 'string' ? v.onBehalfOf : '';
        } catch {
          return '';
        }
      },
      reseal(row, onBehalfOf) {
        const bytes = row.key_generation === 0 ? row.data : files.open(row.data, draftFileName(row));
        return {
          data: files.seal(bytes, draftFileName({ ...row, on_behalf_of: onBehalfOf })),
          key_generation: files.generation,
        };
      },
    }),
  };
}

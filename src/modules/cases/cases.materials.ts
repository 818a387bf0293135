/**
 * Materials: each upload checked against the item's materials and by its content (nothing written
 * when one fails), and a case's files and e-licence materials written in the caller's transaction.
 */
import { DomainError, newId } from '../../kernel/index.js';
import type { Executor } from '../../platform/db/index.js';
import { MULTIPART_TOTAL_BYTES } from '../../platform/input.js';
import type { CasesContext } from './cases.context.js';
import { sealCaseFile, sealSha256 } from './cases.files.js';
import { type CheckedUpload, type UploadProblem, checkUpload } from './cases.forms.js';
import type { ApplicableItem } from './cases.ports.js';
import * as st from './cases.store.js';
import type { MaterialUpload } from './cases.types.js';

/** A file to attach: from the JSON API (base64, decoded) or a page form (multipart). */
export interface RawUpload {
  readonly code: string;
  /** display name only; the type is judged by the content */
  readonly filename: string;
  /** the declared type, which must match the content when given */
  readonly mediaType?: string | undefined;
  readonly data: Buffer;
  /** cut short at the parser's limit: refused as too large */
  readonly tooLarge?: boolean | undefined;
  /** not read: the post's files together passed their limit before this one */
  readonly overTotal?: boolean | undefined;
}

/** 免提交: a material an e-licence supplies; `verified` when the licences module confirmed it. */
export interface LicenceMaterial {
  readonly code: string;
  readonly name: string;
  readonly identifier: string;
  readonly verified: boolean;
}

export type CheckedMaterial = CheckedUpload & { materialName: string };

export const fromBase64 = (m: MaterialUpload): RawUpload => ({
  code: m.code,
  filename: m.filename,
  mediaType: m.mediaType,
  data: Buffer.from(m.contentBase64, 'base64'),
});

/** The error a problem with one upload gives (nothing of the request is written). */
export function uploadError(e: UploadProblem): DomainError {
  if (e.problem === 'tooLarge')
    return new DomainError('CASES.UPLOAD_TOO_LARGE', {
      params: { name: e.name, maxMb: Math.round(e.maxBytes / 1048576) },
    });
  return new DomainError(e.problem === 'type' ? 'CASES.UPLOAD_TYPE' : 'CASES.UPLOAD_LABEL', {
    params: { name: e.name },
  });
}

/** One upload checked against the item's materials and by its content. */
export function checkOne(
  ctx: CasesContext,
  it: Pick<ApplicableItem, 'materials'>,
  m: RawUpload,
): { ok: true; upload: CheckedMaterial } | DomainError {
  const def = it.materials.find((x) => x.code === m.code);
  if (!def) return new DomainError('CASES.MATERIAL_UNKNOWN', { params: { code: m.code } });
  if (m.tooLarge) return uploadError({ problem: 'tooLarge', name: m.filename, maxBytes: ctx.maxUploadBytes });
  if (m.overTotal)
    return new DomainError('CASES.UPLOAD_POST_TOO_LARGE', {
      params: { name: m.filename, maxMb: Math.round(MULTIPART_TOTAL_BYTES / 1048576) },
    });
  const r = checkUpload(
    { code: m.code, name: m.filename, data: m.data, declaredType: m.mediaType },
    ctx.maxUploadBytes,
  );
  if (!r.ok) return uploadError(r.error);
  return { ok: true, upload: { ...r.upload, materialName: def.name } };
}

export function checkUploads(
  ctx: CasesContext,
  it: ApplicableItem,
  uploads: readonly RawUpload[],
): CheckedMaterial[] {
  const out: CheckedMaterial[] = [];
  for (const m of uploads) {
    const r = checkOne(ctx, it, m);
    if (r instanceof DomainError) throw r;
    out.push(r.upload);
  }
  return out;
}

/**
 * Materials of a case (files into the blob store, sealed and named by a keyed hash; e-licences by
 * identifier), in the caller's transaction.
 */
export async function writeMaterials(
  ctx: Pick<CasesContext, 'files'>,
  trx: Executor,
  caseId: string,
  regionCode: string,
  uploads: readonly CheckedMaterial[],
  licences: readonly LicenceMaterial[],
  now: string,
  shared: ReadonlyArray<{ code: string; name: string; accessId: string }> = [],
): Promise<void> {
  const stored = uploads.map((u) => ({ u, id: newId(), file: sealCaseFile(ctx.files, u.data) }));
  for (const { u, file } of stored) {
    await st.putBlob(trx, {
      content_key: file.contentKey,
      media_type: u.mediaType,
      size: u.size,
      data: file.sealed,
      key_generation: file.generation,
      region_code: regionCode,
      created_at: now,
    });
  }
  await st.insertMaterials(trx, [
    ...stored.map(({ u, id, file }) => ({
      id,
      case_id: caseId,
      code: u.code,
      name: u.materialName,
      trust_level: 'C',
      licence_identifier: null,
      file_key: file.contentKey,
      sha256_sealed: sealSha256(ctx.files, id, u.sha256),
      media_type: u.mediaType,
      size: u.size,
      region_code: regionCode,
      created_at: now,
    })),
    // 免提交: a material an e-licence supplies; A when the licences module confirmed it
    ...licences.map((m) => ({
      id: newId(),
      case_id: caseId,
      code: m.code,
      name: m.name,
      trust_level: m.verified ? 'A' : 'C',
      licence_identifier: m.identifier,
      file_key: null,
      sha256_sealed: null,
      media_type: null,
      size: null,
      region_code: regionCode,
      created_at: now,
    })),
    // 免提交: read by the deciding department from a government register through the exchange (A)
    ...shared.map((m) => ({
      id: newId(),
      case_id: caseId,
      code: m.code,
      name: m.name,
      trust_level: 'A',
      licence_identifier: null,
      access_id: m.accessId,
      file_key: null,
      sha256_sealed: null,
      media_type: null,
      size: null,
      region_code: regionCode,
      created_at: now,
    })),
  ]);
}

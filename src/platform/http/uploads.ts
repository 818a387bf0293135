import fastifyMultipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../kernel/index.js';
import { MULTIPART_TOTAL_BYTES, UPLOAD_FILE_BYTES } from '../input.js';
import type { App } from './app-type.js';

export { MULTIPART_TOTAL_BYTES, UPLOAD_FILE_BYTES } from '../input.js';

/** A file posted from a page form, read into memory by the multipart parser. */
export interface UploadedFile {
  /** the form field it came in */
  readonly field: string;
  /** the name the browser gave; for display only, never to judge the type */
  readonly filename: string;
  /** the type the browser declared; checked against the content, never trusted */
  readonly declaredType: string;
  readonly data: Buffer;
  /** over the size limit: the data is cut short and must not be kept */
  readonly tooLarge: boolean;
  /** past the limit of the whole post (the files before it fitted): not read, must not be kept */
  readonly overTotal: boolean;
}

/** What the uploads step leaves on a file part. */
export interface BufferedFilePart {
  type: 'file';
  fieldname: string;
  filename: string;
  mimetype: string;
  _buf: Buffer | null;
  tooLarge?: boolean;
  overTotal?: boolean;
}

/**
 * The files of a multipart/form-data post from a page; an empty file input (no file chosen) is
 * left out. Empty for any other body.
 */
export function uploadedFiles(req: FastifyRequest): UploadedFile[] {
  const b = req.body;
  if (!b || typeof b !== 'object') return [];
  const out: UploadedFile[] = [];
  for (const v of Object.values(b as Record<string, unknown>)) {
    for (const part of Array.isArray(v) ? v : [v]) {
      if (!part || typeof part !== 'object' || (part as { type?: unknown }).type !== 'file') continue;
      const f = part as BufferedFilePart;
      const data = f._buf ?? Buffer.alloc(0);
      if (f.filename === '' && data.length === 0) continue;
      out.push({
        field: f.fieldname,
        filename: f.filename || f.fieldname,
        declaredType: f.mimetype,
        data,
        tooLarge: f.tooLarge === true,
        overTotal: f.overTotal === true,
      });
    }
  }
  return out;
}

const kUploaded = Symbol('tongban.uploadedBytes');

/**
 * Step: uploads. Page uploads (multipart/form-data) only where a route takes files
 * (`config.uploads`): any other route refuses such a body before a byte of it is read, so no
 * public form can be made to hold files in memory. Register after the route permissions step:
 * the parts are then read only once the route's permission has been checked (the upload routes
 * are for signed-in callers), and the CSRF token comes from its field.
 * Each file is held in memory up to the limit; one past it is marked, drained and refused by the
 * route, never kept. A request stops reading files after MULTIPART_TOTAL_BYTES.
 */
export async function uploads(app: App): Promise<void> {
  app.addHook('preValidation', async (req) => {
    if (req.isMultipart() && !req.routeOptions.config?.uploads)
      throw new DomainError('COMMON.UNSUPPORTED_MEDIA_TYPE');
  });
  await app.register(fastifyMultipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: false,
    limits: { fileSize: UPLOAD_FILE_BYTES, files: 20, fields: 200, fieldSize: 100_000, parts: 220 },
    async onFile(part) {
      const chunks: Buffer[] = [];
      let size = 0;
      const seen = (this as unknown as { [kUploaded]?: number })[kUploaded] ?? 0;
      let over = false;
      for await (const chunk of part.file) {
        size += chunk.length;
        if (seen + size > MULTIPART_TOTAL_BYTES) over = true;
        if (!over) chunks.push(chunk as Buffer);
      }
      (this as unknown as { [kUploaded]?: number })[kUploaded] = seen + size;
      const buffered = part as unknown as BufferedFilePart;
      buffered._buf = over || part.file.truncated ? Buffer.alloc(0) : Buffer.concat(chunks);
      buffered.tooLarge = part.file.truncated;
      buffered.overTotal = over && !part.file.truncated;
    },
  });
}

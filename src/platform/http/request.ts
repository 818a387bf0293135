import type { FastifyRequest } from 'fastify';
import { type Lang, pickLang } from '../i18n/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang;
  }
}

export function requestLang(req: FastifyRequest): Lang {
  const q = (req.query as Record<string, unknown> | undefined)?.lang;
  return pickLang({
    query: typeof q === 'string' ? q : undefined,
    cookie: req.cookies?.lang,
    acceptLanguage: req.headers['accept-language'],
  });
}

/** A multipart text field as @fastify/multipart attaches it to the body. */
function fieldValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'field') {
    const value = (v as { value?: unknown }).value;
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/**
 * The form body of a POST from a page, as strings: application/x-www-form-urlencoded, or the text
 * fields of a multipart/form-data post (its files are read with {@link uploadedFiles}).
 */
export function formBody(req: FastifyRequest): Record<string, string> {
  const b = req.body;
  if (!b || typeof b !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(b as Record<string, unknown>)) {
    const one = fieldValue(v);
    if (one !== undefined) out[k] = one;
    else if (Array.isArray(v)) {
      const all = v.map(fieldValue).filter((x): x is string => x !== undefined);
      if (all.length) out[k] = all.join('\n');
    }
  }
  return out;
}

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

/** What the multipart hook leaves on a file part (see app.ts). */
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

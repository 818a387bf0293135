import type { FastifyRequest } from 'fastify';
import { type Lang, pickLang } from '../i18n/index.js';

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

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

/** The form body of a POST from a page, as strings (application/x-www-form-urlencoded). */
export function formBody(req: FastifyRequest): Record<string, string> {
  const b = req.body;
  if (!b || typeof b !== 'object') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(b as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v.join('\n');
  }
  return out;
}

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type FieldIssue, defineErrors, isDomainError } from '../../kernel/index.js';
import { isStoreUnavailable } from '../db/open-errors.js';
import type { Lang } from '../i18n/index.js';

defineErrors({
  'COMMON.BAD_JSON': {
    status: 400,
    zh: '请求内容不是有效的 JSON',
    en: 'The request body is not valid JSON',
  },
  // the store does not answer (a dead primary, a failover under way): try again shortly. A write
  // cut off at its COMMIT may or may not have been saved, so the message never says it was not.
  'COMMON.STORE_UNAVAILABLE': {
    status: 503,
    zh: '数据库暂时无法访问（可能正在切换），请几秒钟后重试；如您刚才在提交，请先确认是否已保存再重新提交',
    en: 'The database is not answering right now (it may be switching over); try again in a few seconds. If you were submitting something, check whether it was saved before submitting again',
    expose: true,
  },
});

/** Seconds a client is asked to wait after STORE_UNAVAILABLE (Retry-After). */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** The JSON body of every non-2xx API answer (CONTRACT.md). */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}

/** Translates any thrown value into a DomainError, keeping a user's mistake apart from our fault. */
export function toDomainError(e: unknown, requestId: string): DomainError {
  if (isDomainError(e)) return e;
  const fe = e as FastifyError & {
    validation?: Array<{ instancePath?: string; message?: string; keyword?: string; params?: unknown }>;
    validationContext?: string;
  };
  if (fe?.validation) {
    const issues: FieldIssue[] = fe.validation.map((v) => ({
      field: `${fe.validationContext ?? 'body'}${(v.instancePath ?? '').replace(/\//g, '.')}`,
      rule: v.keyword ?? 'invalid',
      message: v.message ?? '',
    }));
    return new DomainError('COMMON.VALIDATION', { details: { issues } });
  }
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError('COMMON.PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new DomainError('COMMON.UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError('COMMON.BAD_JSON');
    case 'FST_CSRF_INVALID_TOKEN':
    case 'FST_CSRF_MISSING_SECRET':
      return new DomainError('COMMON.CSRF');
    case 'FST_ERR_NOT_FOUND':
      return new DomainError('COMMON.NOT_FOUND');
  }
  if (fe?.statusCode === 429) return new DomainError('COMMON.RATE_LIMITED');
  if (fe?.statusCode === 413) return new DomainError('COMMON.PAYLOAD_TOO_LARGE');
  if (fe?.statusCode === 415) return new DomainError('COMMON.UNSUPPORTED_MEDIA_TYPE');
  if (fe?.statusCode === 400 && typeof fe.code === 'string' && fe.code.startsWith('FST_'))
    return new DomainError('COMMON.VALIDATION', { details: { reason: fe.code } });
  if (isStoreUnavailable(e)) return new DomainError('COMMON.STORE_UNAVAILABLE', { cause: e });
  return new DomainError('COMMON.INTERNAL', { params: { requestId }, cause: e });
}

export function errorBody(err: DomainError, lang: Lang, requestId: string): ErrorBody {
  const body: ErrorBody = {
    error: { code: err.code, message: err.expose ? err.messageIn(lang) : err.code, requestId },
  };
  if (err.details !== undefined && err.status < 500) body.error.details = err.details;
  return body;
}

/** Whether a request wants JSON (the API, machine clients) or an HTML page (a browser). */
export function wantsJson(req: FastifyRequest): boolean {
  const url = req.url;
  if (
    url.startsWith('/api/') ||
    url.startsWith('/log/') ||
    url.startsWith('/.well-known/') ||
    url.startsWith('/oidc/')
  )
    return true;
  if (url === '/healthz' || url === '/readyz') return true;
  const accept = req.headers.accept ?? '';
  return !accept.includes('text/html');
}

export type ErrorPageRenderer = (req: FastifyRequest, reply: FastifyReply, err: DomainError) => string;

export { parseInput, schemaIssues } from '../input.js';

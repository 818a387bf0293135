/**
 * Coded errors. Every error the platform shows has a stable code (`MODULE.REASON`), an HTTP
 * status, a zh-CN and an en message, and a flag saying whether its message may be shown to the
 * caller. Messages may use `{name}` placeholders filled from `params`.
 */
export interface ErrorSpec {
  readonly status: number;
  readonly zh: string;
  readonly en: string;
  /** false: the caller sees a generic message; the log keeps the detail. */
  readonly expose?: boolean;
}

export type ErrorCatalog = Readonly<Record<string, ErrorSpec>>;

const registry = new Map<string, ErrorSpec>();

/** Registers a module's errors; codes are unique across the platform. */
export function defineErrors<const C extends Record<string, ErrorSpec>>(catalog: C): C {
  for (const [code, spec] of Object.entries(catalog)) {
    const existing = registry.get(code);
    if (existing && existing !== spec) throw new Error(`error code defined twice: ${code}`);
    registry.set(code, spec);
  }
  return catalog;
}

export interface FieldIssue {
  /** dotted path of the field, e.g. `applicant.idNumber` */
  readonly field: string;
  /** a stable code for the rule that failed, e.g. `GB11643.CHECK_DIGIT` */
  readonly rule: string;
  readonly message?: string;
}

export class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly expose: boolean;
  readonly params: Readonly<Record<string, string | number>>;
  readonly details: unknown;

  constructor(
    code: string,
    opts: { params?: Record<string, string | number>; details?: unknown; cause?: unknown } = {},
  ) {
    const spec = registry.get(code);
    super(spec ? fill(spec.en, opts.params ?? {}) : code, { cause: opts.cause });
    this.name = 'DomainError';
    this.code = code;
    this.status = spec?.status ?? 500;
    this.expose = spec?.expose ?? this.status < 500;
    this.params = opts.params ?? {};
    this.details = opts.details;
  }

  /** The message in the given language ('zh-CN' or 'en'). */
  messageIn(lang: string): string {
    const spec = registry.get(this.code);
    if (!spec) return this.message;
    return fill(lang.startsWith('en') ? spec.en : spec.zh, this.params);
  }
}

export function fill(template: string, params: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/** Errors that belong to no module. */
export const CommonErrors = defineErrors({
  'COMMON.VALIDATION': {
    status: 400,
    zh: '提交的内容有误，请检查后重试',
    en: 'The request has invalid fields; please check them and try again',
  },
  'COMMON.NOT_FOUND': { status: 404, zh: '您访问的页面或资源不存在', en: 'Not found' },
  'COMMON.UNAUTHENTICATED': { status: 401, zh: '请先登录', en: 'Please sign in first' },
  'COMMON.FORBIDDEN': { status: 403, zh: '您没有权限进行此操作', en: 'You are not allowed to do this' },
  'COMMON.CSRF': {
    status: 403,
    zh: '表单已过期或来源无法验证，请刷新页面后重新提交',
    en: 'The form has expired or its origin could not be verified; reload the page and submit again',
  },
  'COMMON.PAYLOAD_TOO_LARGE': {
    status: 413,
    zh: '提交的内容过大',
    en: 'The request is too large',
  },
  'COMMON.UNSUPPORTED_MEDIA_TYPE': {
    status: 415,
    zh: '不支持的内容类型',
    en: 'Unsupported content type',
  },
  'COMMON.RATE_LIMITED': {
    status: 429,
    zh: '请求过于频繁，请稍后再试',
    en: 'Too many requests; please try again later',
  },
  'COMMON.CONFLICT': {
    status: 409,
    zh: '数据已被修改，请刷新后重试',
    en: 'The data changed; reload and retry',
  },
  'COMMON.INTERNAL': {
    status: 500,
    zh: '系统繁忙，请稍后再试。如问题持续，请联系客服并提供请求编号 {requestId}',
    en: 'Something went wrong on our side. If it persists, contact support with request id {requestId}',
    expose: true,
  },
  'COMMON.UNAVAILABLE': { status: 503, zh: '服务暂不可用', en: 'Service unavailable' },
});

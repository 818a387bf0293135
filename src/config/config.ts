import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { RATE_LIMITS, type RateLimits } from './rate-limits.js';

/**
 * The one place that reads process.env. The result is validated once and frozen; a bad value
 * stops the start with one line naming the variable. Development has defaults; production
 * refuses to start without its secrets.
 */
export type Env = 'development' | 'test' | 'production';

export interface Config {
  readonly env: Env;
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly dataDir: string;
  /** postgres://… when set; otherwise the embedded SQLite file under dataDir */
  readonly databaseUrl: string | undefined;
  /** 'auto': seed the demo city when the store is empty and not in production; 'on' is refused in production */
  readonly demo: 'on' | 'off' | 'auto';
  /** 32-byte master secret: personal-data encryption, keyed hashes, session and CSRF tokens */
  readonly secretKey: Buffer;
  /** the key generation new uploaded files are sealed under (raised to rotate; operations guide) */
  readonly fileKeyGeneration: number;
  /** the operator key that production asks of `tongban token` */
  readonly operatorKey: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** SQLite durability: FULL syncs the WAL on every commit; NORMAL survives a process crash only */
  readonly sqliteSynchronous: 'FULL' | 'NORMAL';
  /**
   * PostgreSQL: connections in this node's pool (TONGBAN_DB_POOL_SIZE, default 10). Concurrent
   * requests commit on separate connections, so the server shares its WAL flushes among them (its
   * group commit); every node's pool counts against the server's max_connections.
   */
  readonly dbPoolSize: number;
  /**
   * PostgreSQL: hot statements prepared once per connection (TONGBAN_DB_PREPARED_STATEMENTS, on
   * by default; off behind a pooler in transaction mode that cannot keep them: ADR "PostgreSQL:
   * hot statements prepared per connection").
   */
  readonly dbPreparedStatements: boolean;
  /**
   * the origin (name) of this node's transparency log: TONGBAN_LOG_ORIGIN, else `<public host
   * name>/tongban/log` (no port). Fixed when the log is created; the stored name wins when unset.
   */
  readonly logOrigin: string;
  /** TONGBAN_LOG_ORIGIN was set: a store whose log has another name refuses this node */
  readonly logOriginExplicit: boolean;
  readonly bodyLimitBytes: number;
  /**
   * the bearer token GET /metrics asks for (TONGBAN_METRICS_TOKEN, ≥ 24 characters); unset: only
   * a caller on this machine that did not come through a proxy may read it
   */
  readonly metricsToken: string | undefined;
  /** whose X-Forwarded-For to believe: nobody, the last `hops` proxies, or these addresses */
  readonly trustProxy: TrustProxy;
  /** where a stranger can knock, how often (rate-limits.ts); tests make them small */
  readonly rateLimits: RateLimits;
  /**
   * the real-name (L2) verification service — the province's gateway to the 公安 identity check
   * and the bank / social-security channels; required in production, where the demo register
   * must never answer for real people
   */
  readonly realNameVerifier: RealNameVerifierConfig | undefined;
  /** 好差评 and 政民互动: the working-day clocks and where 12345 answers go back (docs/operations.md) */
  readonly ratings: RatingsConfig;
  /**
   * private networks a consumer system's webhook may be on (TONGBAN_WEBHOOK_ALLOW_NETS, CIDRs or
   * addresses, comma-separated; a government extranet is usually private); empty: none — loopback
   * and link-local addresses are refused whatever this says
   */
  readonly webhookAllowNets: ReadonlyArray<{
    readonly address: string;
    readonly prefix: number;
    readonly family: 4 | 6;
  }>;
}

/** TONGBAN_WEBHOOK_ALLOW_NETS: `10.20.0.0/16, 192.168.5.7` (a single address is a /32 or /128). */
export function parseWebhookAllowNets(raw: string | undefined): Config['webhookAllowNets'] {
  const out: Array<{ address: string; prefix: number; family: 4 | 6 }> = [];
  for (const e of (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [address = '', bits] = e.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const prefix = bits === undefined ? max : Number(bits);
    if (!family || !/^\d+$/.test(bits ?? String(max)) || prefix > max)
      throw new ConfigError(
        'TONGBAN_WEBHOOK_ALLOW_NETS',
        `invalid entry ${JSON.stringify(e)} (networks such as 10.20.0.0/16, or addresses, comma-separated)`,
      );
    out.push({ address, prefix, family: family as 4 | 6 });
  }
  return out;
}

export interface RatingsConfig {
  /** working days to settle a 差评, by region-code prefix ('' = everywhere; the longest prefix wins) */
  readonly rectificationDays: Readonly<Record<string, number>>;
  /** working days to answer an enquiry (咨询), a complaint (投诉) and a suggestion (建议) */
  readonly complaintDays: {
    readonly enquiry: number;
    readonly complaint: number;
    readonly suggestion: number;
  };
  /** the 12345 hotline system's endpoint that takes answers to its tickets (none: not posted back) */
  readonly hotlineAnswerUrl: string | undefined;
  /** the bearer credential that endpoint asks for */
  readonly hotlineAnswerToken: string | undefined;
  /** how long an SMS or window rating link stays usable */
  readonly linkTtlDays: number;
}

export const DEFAULT_RATINGS_CONFIG: RatingsConfig = Object.freeze({
  // the 2019 national rule: 15 working days unless the locality sets another
  rectificationDays: Object.freeze({ '': 15 }),
  complaintDays: Object.freeze({ enquiry: 5, complaint: 10, suggestion: 15 }),
  hotlineAnswerUrl: undefined,
  hotlineAnswerToken: undefined,
  linkTtlDays: 30,
});

/** `15` or `4101=10,4103=12,15`: working days by region prefix, a bare number for everywhere. */
function parseRectificationDays(raw: string | undefined): Readonly<Record<string, number>> {
  if (!raw) return DEFAULT_RATINGS_CONFIG.rectificationDays;
  const out: Record<string, number> = { '': 15 };
  for (const part of raw
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const m = /^(?:(\d{2,12})=)?(\d{1,3})$/.exec(part);
    const days = Number(m?.[2]);
    if (!m || days < 1 || days > 120)
      throw new ConfigError(
        'TONGBAN_RECTIFICATION_DAYS',
        `invalid entry ${JSON.stringify(part)} (e.g. 15 or 4101=10,15)`,
      );
    out[m[1] ?? ''] = days;
  }
  return Object.freeze(out);
}

/** `enquiry=5,complaint=10,suggestion=15` (any of them; the rest keep their defaults). */
function parseComplaintDays(raw: string | undefined): RatingsConfig['complaintDays'] {
  const out = { ...DEFAULT_RATINGS_CONFIG.complaintDays };
  for (const part of (raw ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const m = /^(enquiry|complaint|suggestion)=(\d{1,3})$/.exec(part);
    const days = Number(m?.[2]);
    if (!m || days < 1 || days > 120)
      throw new ConfigError(
        'TONGBAN_COMPLAINT_DAYS',
        `invalid entry ${JSON.stringify(part)} (e.g. enquiry=5,complaint=10)`,
      );
    out[m[1] as keyof typeof out] = days;
  }
  return Object.freeze(out);
}

export interface RealNameVerifierConfig {
  /** where the HTTP adapter posts each check (docs/operations.md, Real-name verification) */
  readonly url: string;
  /** the bearer credential the service issued tongban, if it asks for one */
  readonly token: string | undefined;
  /** how long one check may take before it counts as the service being unavailable */
  readonly timeoutMs: number;
}

/**
 * The reverse proxies in front of tongban. A client's address is read from X-Forwarded-For only
 * through proxies trusted here, so a client cannot pick its own address (and dodge a rate limit
 * or a login throttle by claiming a new one each time). Never "everyone".
 */
export type TrustProxy =
  | false
  /** the last `hops` entries were added by our proxies (safe only if nothing else can connect) */
  | { readonly hops: number }
  /** connections from these addresses or CIDR ranges are our proxies */
  | { readonly addresses: readonly string[] };

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

const portSchema = z.coerce.number().int().min(0).max(65535);

function parseVar<T>(name: string, raw: string | undefined, schema: z.ZodType<T>, hint: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new ConfigError(name, `invalid value ${JSON.stringify(raw)} (${hint})`);
  }
  return r.data;
}

function decodeSecret(name: string, raw: string): Buffer {
  const hex = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : undefined;
  const buf = hex ?? Buffer.from(raw, 'base64');
  if (buf.length !== 32) {
    throw new ConfigError(name, 'must be 32 bytes, as 64 hex digits or base64 (openssl rand -base64 32)');
  }
  return buf;
}

/** Development only: a random secret kept in the data directory, never in the repo. */
function devSecret(dataDir: string): Buffer {
  const file = join(dataDir, 'dev-secret.key');
  if (existsSync(file))
    return decodeSecret('TONGBAN_SECRET_KEY (dev file)', readFileSync(file, 'utf8').trim());
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64'), { mode: 0o600 });
  return key;
}

/** The named ranges proxy-addr knows (127.0.0.0/8 and ::1; 169.254/16 and fe80::/10; RFC 1918 and fc00::/7). */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Whether one entry of TONGBAN_TRUST_PROXY names an address or range, and whether that is everyone. */
function proxyEntry(entry: string): 'ok' | 'invalid' | 'everyone' {
  if (NAMED_RANGES.has(entry)) return 'ok';
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length) return 'invalid';
  if (prefix === undefined) return 'ok';
  if (!/^[0-9]{1,3}$/.test(prefix)) return 'invalid';
  const bits = Number(prefix);
  if (bits > (family === 4 ? 32 : 128)) return 'invalid';
  // a zero-length prefix (0.0.0.0/0, ::/0) is every address
  return bits === 0 ? 'everyone' : 'ok';
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * TONGBAN_REALNAME_VERIFIER_URL: personal data (name, ID number, bank card) goes there, so in
 * production only over https — or plain http to an adapter on this machine (loopback).
 */
function parseRealNameVerifier(env: NodeJS.ProcessEnv, mode: Env): RealNameVerifierConfig | undefined {
  const name = 'TONGBAN_REALNAME_VERIFIER_URL';
  const raw = env[name]?.trim();
  if (!raw) {
    if (mode === 'production')
      throw new ConfigError(
        name,
        'is required in production: the real-name verification service (the 公安 identity check) that L2 verification asks; the demo population register serves the demo only',
      );
    return undefined;
  }
  const url = parseVar(name, raw, z.url({ protocol: /^https?$/ }), 'an http(s) URL');
  const u = new URL(url);
  if (mode === 'production' && u.protocol !== 'https:' && !LOOPBACK_HOSTS.has(u.hostname))
    throw new ConfigError(
      name,
      'must be https in production (plain http only to an adapter on 127.0.0.1, [::1] or localhost): it carries ID numbers',
    );
  const timeoutMs = parseVar(
    'TONGBAN_REALNAME_VERIFIER_TIMEOUT_MS',
    env.TONGBAN_REALNAME_VERIFIER_TIMEOUT_MS ?? '5000',
    z.coerce.number().int().min(100).max(60_000),
    'milliseconds, 100…60000',
  );
  return { url, token: env.TONGBAN_REALNAME_VERIFIER_TOKEN || undefined, timeoutMs };
}

function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = (raw ?? '').trim();
  if (value === '' || value === '0') return false;
  const hint =
    'the number of proxies in front of tongban (1), or their addresses and CIDR ranges, comma-separated (10.0.0.5,10.1.0.0/16)';
  const everyone = (what: string) =>
    new ConfigError(
      'TONGBAN_TRUST_PROXY',
      `${JSON.stringify(what)} would trust every address, so any client could claim any address; give ${hint}`,
    );
  if (/^[0-9]+$/.test(value)) {
    const hops = Number(value);
    if (hops > 16)
      throw new ConfigError('TONGBAN_TRUST_PROXY', `invalid value ${JSON.stringify(raw)} (${hint})`);
    return { hops };
  }
  if (/^(true|yes|on|\*|all)$/i.test(value)) throw everyone(value);
  const addresses = value.split(',').map((a) => a.trim());
  for (const a of addresses) {
    const kind = proxyEntry(a);
    if (kind === 'everyone') throw everyone(a);
    if (kind === 'invalid')
      throw new ConfigError('TONGBAN_TRUST_PROXY', `invalid address ${JSON.stringify(a)} (${hint})`);
  }
  return { addresses };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const mode = parseVar(
    'TONGBAN_ENV',
    env.TONGBAN_ENV ??
      (env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development'),
    z.enum(['development', 'test', 'production']),
    'development, test or production',
  );
  const host = parseVar(
    'TONGBAN_HOST',
    env.TONGBAN_HOST ?? '127.0.0.1',
    z.string().min(1),
    'a host name or address',
  );
  const port = parseVar('TONGBAN_PORT', env.TONGBAN_PORT ?? '3000', portSchema, 'a whole number 0–65535');
  const dataDir = resolve(env.TONGBAN_DATA_DIR ?? './data');
  const databaseUrl = env.TONGBAN_DATABASE_URL
    ? parseVar(
        'TONGBAN_DATABASE_URL',
        env.TONGBAN_DATABASE_URL,
        z.string().regex(/^postgres(ql)?:\/\//),
        'a postgres:// or postgresql:// URL',
      )
    : undefined;
  const demoRaw = env.TONGBAN_DEMO;
  const demo =
    demoRaw === undefined || demoRaw === ''
      ? 'auto'
      : parseVar('TONGBAN_DEMO', demoRaw, z.enum(['1', '0', 'true', 'false']), '1 or 0') === '1' ||
          demoRaw === 'true'
        ? 'on'
        : 'off';
  const publicUrl = parseVar(
    'TONGBAN_PUBLIC_URL',
    env.TONGBAN_PUBLIC_URL ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    z.url(),
    'an absolute URL such as https://zwfw.example.gov.cn',
  ).replace(/\/$/, '');
  const logLevel = parseVar(
    'TONGBAN_LOG_LEVEL',
    env.TONGBAN_LOG_LEVEL ?? (mode === 'test' ? 'silent' : 'info'),
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    'fatal, error, warn, info, debug, trace or silent',
  );
  const sqliteSynchronous = parseVar(
    'TONGBAN_SQLITE_SYNCHRONOUS',
    env.TONGBAN_SQLITE_SYNCHRONOUS ?? 'FULL',
    z.enum(['FULL', 'NORMAL']),
    'FULL or NORMAL',
  );
  const dbPoolSize = parseVar(
    'TONGBAN_DB_POOL_SIZE',
    env.TONGBAN_DB_POOL_SIZE || '10',
    z.coerce.number().int().min(1).max(500),
    'a whole number 1–500',
  );
  const dbPreparedStatements =
    parseVar(
      'TONGBAN_DB_PREPARED_STATEMENTS',
      env.TONGBAN_DB_PREPARED_STATEMENTS || 'on',
      z.enum(['on', 'off']),
      'on or off',
    ) === 'on';
  const bodyLimitBytes = parseVar(
    'TONGBAN_BODY_LIMIT',
    env.TONGBAN_BODY_LIMIT ?? String(10 * 1024 * 1024),
    z.coerce.number().int().min(1024),
    'bytes, at least 1024',
  );
  const trustProxy = parseTrustProxy(env.TONGBAN_TRUST_PROXY);

  let secretKey: Buffer;
  if (env.TONGBAN_SECRET_KEY) secretKey = decodeSecret('TONGBAN_SECRET_KEY', env.TONGBAN_SECRET_KEY);
  else if (mode === 'production') throw new ConfigError('TONGBAN_SECRET_KEY', 'is required in production');
  else secretKey = devSecret(dataDir);

  const fileKeyGeneration = parseVar(
    'TONGBAN_FILE_KEY_GENERATION',
    env.TONGBAN_FILE_KEY_GENERATION ?? '1',
    z.coerce.number().int().min(1).max(65535),
    'a whole number 1…65535, raised by one at each rotation',
  );

  const operatorKey = env.TONGBAN_OPERATOR_KEY || undefined;
  if (mode === 'production') {
    if (!env.TONGBAN_PUBLIC_URL) throw new ConfigError('TONGBAN_PUBLIC_URL', 'is required in production');
    // the demo city's accounts (administrators included) have a published password
    if (demo === 'on')
      throw new ConfigError(
        'TONGBAN_DEMO',
        'cannot be 1 in production: the demo accounts have a published password (unset it, or run the demo without TONGBAN_ENV=production)',
      );
    if (operatorKey !== undefined && operatorKey.length < 24)
      throw new ConfigError('TONGBAN_OPERATOR_KEY', 'must be at least 24 characters');
  }
  // the host name without the port: a demo restarted on another port keeps its log's name
  const metricsToken = env.TONGBAN_METRICS_TOKEN?.trim() || undefined;
  if (metricsToken !== undefined && metricsToken.length < 24)
    throw new ConfigError(
      'TONGBAN_METRICS_TOKEN',
      'must be at least 24 characters (openssl rand -base64 32)',
    );
  const logOriginExplicit = Boolean(env.TONGBAN_LOG_ORIGIN?.trim());
  const logOrigin = logOriginExplicit
    ? env.TONGBAN_LOG_ORIGIN!.trim()
    : `${new URL(publicUrl).hostname.replace(/^\[|\]$/g, '')}/tongban/log`;
  const realNameVerifier = parseRealNameVerifier(env, mode);
  const ratings: RatingsConfig = Object.freeze({
    rectificationDays: parseRectificationDays(env.TONGBAN_RECTIFICATION_DAYS),
    complaintDays: parseComplaintDays(env.TONGBAN_COMPLAINT_DAYS),
    hotlineAnswerUrl: env.TONGBAN_HOTLINE_ANSWER_URL
      ? parseVar('TONGBAN_HOTLINE_ANSWER_URL', env.TONGBAN_HOTLINE_ANSWER_URL, z.url(), 'an absolute URL')
      : undefined,
    hotlineAnswerToken: env.TONGBAN_HOTLINE_ANSWER_TOKEN || undefined,
    linkTtlDays: DEFAULT_RATINGS_CONFIG.linkTtlDays,
  });

  return Object.freeze({
    env: mode,
    host,
    port,
    publicUrl,
    dataDir,
    databaseUrl,
    demo,
    secretKey,
    fileKeyGeneration,
    operatorKey,
    logLevel,
    sqliteSynchronous,
    dbPoolSize,
    dbPreparedStatements,
    logOrigin,
    logOriginExplicit,
    metricsToken,
    bodyLimitBytes,
    trustProxy,
    rateLimits: RATE_LIMITS,
    realNameVerifier,
    ratings,
    webhookAllowNets: parseWebhookAllowNets(env.TONGBAN_WEBHOOK_ALLOW_NETS),
  });
}

/** A config for tests: in-memory defaults, no files written. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return Object.freeze({
    env: 'test' as const,
    host: '127.0.0.1',
    port: 0,
    publicUrl: 'http://127.0.0.1:3000',
    dataDir: '/nonexistent-test-data-dir',
    databaseUrl: undefined,
    demo: 'off' as const,
    secretKey: Buffer.alloc(32, 7),
    fileKeyGeneration: 1,
    operatorKey: 'test-operator-key-0123456789',
    logLevel: 'silent' as const,
    sqliteSynchronous: 'NORMAL' as const,
    dbPoolSize: 10,
    dbPreparedStatements: true,
    logOrigin: 'test.tongban.local/log',
    logOriginExplicit: true,
    metricsToken: undefined,
    bodyLimitBytes: 10 * 1024 * 1024,
    trustProxy: false,
    rateLimits: RATE_LIMITS,
    realNameVerifier: undefined,
    ratings: DEFAULT_RATINGS_CONFIG,
    webhookAllowNets: [],
    ...overrides,
  });
}

/**
 * The load, from its own process (bench/cluster.ts starts it): autocannon, one instance per node,
 * its connections each looping over a scenario's sequence of requests with real bearer tokens.
 * Latency per request kind is taken from the moment autocannon builds a request (just before it
 * writes it) to its parsed answer; any answer but 2xx, and any socket error, is an error.
 * Prints one JSON line (LoadResult) at the end; with `interval`, an `interval {…}` line every so
 * many seconds (requests and errors in that interval, and each request kind's mean latency), for the soak.
 *   node --import tsx bench/load.client.ts plan.json
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { KindResult, LoadResult } from './cluster.js';
import { percentile } from './lib.js';

export interface Plan {
  scenario: 'actions' | 'mixed' | 'bare' | 'minimal';
  seconds: number;
  /** seconds between interval lines (0: none) */
  interval?: number;
  targets: Array<{ url: string; connections: number }>;
  /** requests per second to each target (autocannon's overallRate); none: as fast as it answers */
  rate?: number;
  tokens?: Record<'citizen' | 'clerk' | 'approver' | 'supervisor', string>;
  itemCode?: string;
  regionCode?: string;
  form?: Record<string, unknown>;
  material?: { code: string; filename: string; contentBase64: string };
  /** applications submitted ahead of the run (each lifecycle takes the next) */
  cases?: string[];
  /** mixed: published items whose guides citizens read, search words, the log's size */
  guides?: string[];
  queries?: string[];
  logSize?: number;
  /** minimal: the bearer tokens and how many cases (c1 … cN) the minimal-action servers hold */
  minimal?: { tokens: string[]; cases: number };
}

const plan = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Plan;

type Ctx = { t0?: number; kind?: string; case?: string };
type Req = { method?: string; path?: string; headers?: Record<string, string>; body?: string };
interface Step {
  kind: string;
  build(ctx: Ctx): Req | undefined;
  /** reads the answer into the connection's context (the case a submission made) */
  read?(ctx: Ctx, status: number, body: string): void;
}

const lat = new Map<string, number[]>();
const errs = new Map<string, { n: number; samples: string[] }>();
let intervalRequests = 0;
let intervalErrors = 0;
/** per kind in the current interval: answers and their summed latency (the soak's mean per kind) */
const intervalMs = new Map<string, { n: number; sum: number }>();
let socketErrors = 0;

let addr = 0;
/** a citizen's address, as the trusted proxy forwards it: spread so no per-address limit is one person's */
const forwarded = () => {
  addr = (addr + 1) % 65_000;
  return `10.${100 + (addr >> 16)}.${(addr >> 8) & 255}.${addr & 255}`;
};
const headers = (token: string | undefined, json: boolean): Record<string, string> => ({
  ...(token ? { authorization: `Bearer ${token}` } : {}),
  ...(json ? { 'content-type': 'application/json' } : {}),
  accept: 'application/json, text/html;q=0.9',
  'x-forwarded-for': forwarded(),
});

let nextCase = 0;
const takeCase = (): string | undefined => plan.cases?.[nextCase++];
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

function post(kind: string, token: string, path: (c: Ctx) => string, body: (c: Ctx) => unknown): Step {
  return {
    kind,
    build: (c) => ({
      method: 'POST',
      path: path(c),
      headers: headers(token, true),
      body: JSON.stringify(body(c)),
    }),
  };
}
function get(kind: string, token: string | undefined, path: (c: Ctx) => string): Step {
  return { kind, build: (c) => ({ method: 'GET', path: path(c), headers: headers(token, false) }) };
}

/**
 * The staff's part of one lifecycle of a submitted application: accept, then the decision and its
 * result. `pool`: the next application submitted ahead of the run; else the one this connection's
 * citizen submitted last.
 */
function lifecycleSteps(source: 'pool' | 'submitted'): Step[] {
  const tk = plan.tokens!;
  const act = (kind: string, token: string, body: Record<string, unknown>, first = false): Step => ({
    kind,
    build: (c) => {
      if (first && source === 'pool') c.case = takeCase();
      // the pool ran dry: this connection starts its sequence again (counted as no request)
      if (!c.case) return undefined;
      return {
        method: 'POST',
        path: `/api/v1/cases/${c.case}/actions`,
        headers: headers(token, true),
        body: JSON.stringify(body),
      };
    },
  });
  return [
    act('accept (clerk)', tk.clerk, { action: 'accept' }, true),
    act('startStep (approver)', tk.approver, { action: 'startStep', step: '审核' }),
    act('completeStep (approver)', tk.approver, { action: 'completeStep' }),
    act('approve (approver)', tk.approver, { action: 'approve' }),
    act('issueResult (approver)', tk.approver, { action: 'issueResult', delivery: 'online' }),
    act('complete (approver)', tk.approver, { action: 'complete' }),
  ];
}

function submitStep(kind: string, withMaterial: boolean, remember = false): Step {
  const step = post(
    kind,
    plan.tokens!.citizen,
    () => '/api/v1/cases',
    () => ({
      implementationCode: plan.itemCode,
      regionCode: plan.regionCode,
      form: plan.form,
      ...(withMaterial ? { materials: [plan.material] } : {}),
    }),
  );
  if (remember)
    step.read = (c, status, body) => {
      c.case = status === 201 ? (JSON.parse(body) as { caseNumber: string }).caseNumber : undefined;
    };
  return step;
}

/** tlog-tiles path of tile N at a level: N in groups of three digits, all but the last with an x. */
function tilePath(level: number, n: number, width?: number): string {
  const digits = String(n).padStart(3, '0');
  const groups: string[] = [];
  for (let s = digits.length; s > 0; s -= 3)
    groups.unshift(digits.slice(Math.max(0, s - 3), s).padStart(3, '0'));
  const p = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
  return `/log/tile/${level}/${p}${width ? `.p/${width}` : ''}`;
}

function scenario(): Step[] {
  if (plan.scenario === 'bare')
    return [
      post(
        'bare Fastify POST (JSON in, JSON out)',
        '',
        () => '/action',
        () => ({ action: 'accept' }),
      ),
    ];
  if (plan.scenario === 'minimal') {
    const m = plan.minimal!;
    // each request the next case, round the table: no two requests in flight share one
    let n = 0;
    return [
      {
        kind: 'minimal action (token, read, guarded write + event)',
        build: () => ({
          method: 'POST',
          path: `/cases/c${1 + (n++ % m.cases)}/actions`,
          headers: headers(pick(m.tokens), true),
          body: '{"action":"accept"}',
        }),
      },
    ];
  }
  if (plan.scenario === 'actions') return [submitStep('submit (citizen)', false), ...lifecycleSteps('pool')];
  // mixed: one cycle is a small day — 19 reads, 8 writes (70 % reads); docs/benchmarks.md
  const tk = plan.tokens!;
  const guides = plan.guides!;
  const queries = plan.queries!;
  const size = plan.logSize!;
  const q = () => encodeURIComponent(pick(queries));
  const guide = get('guide page (citizen)', undefined, () => `/items/${pick(guides)}`);
  const [accept, startStep, completeStep, approve, issue, complete] = lifecycleSteps('submitted');
  const viewed = (c: Ctx) => c.case ?? plan.cases![0]!;
  return [
    guide,
    get('search API (citizen)', undefined, () => `/api/v1/search?q=${q()}`),
    guide,
    get('guide JSON (citizen)', undefined, () => `/api/v1/items/${pick(guides)}`),
    submitStep('apply (citizen)', false, true),
    get('search page (citizen)', undefined, () => `/search?q=${q()}`),
    accept!,
    get('workbench queue (approver)', tk.approver, () => '/api/v1/workbench/queue'),
    guide,
    get('search API (citizen)', undefined, () => `/api/v1/search?q=${q()}`),
    startStep!,
    get('log checkpoint (verifier)', undefined, () => '/log/checkpoint'),
    get('log tile (verifier)', undefined, () => {
      const full = Math.floor(size / 256);
      return full > 0 ? tilePath(0, Math.floor(Math.random() * full)) : tilePath(0, 0, size);
    }),
    get(
      'log inclusion proof (verifier)',
      undefined,
      () => `/api/v1/log/proof/inclusion?index=${Math.floor(Math.random() * size)}&size=${size}`,
    ),
    completeStep!,
    submitStep('apply with upload (citizen)', true),
    guide,
    get('my cases (citizen)', tk.citizen, () => '/api/v1/cases'),
    approve!,
    get('case view (citizen)', tk.citizen, (c) => `/api/v1/cases/${viewed(c)}`),
    get('supervision page (supervisor)', tk.supervisor, () => '/supervision'),
    get('search API (citizen)', undefined, () => `/api/v1/search?q=${q()}`),
    issue!,
    get('overdue cards (supervisor)', tk.supervisor, () => '/api/v1/stats/cards?colour=red'),
    get('case view (citizen)', tk.citizen, (c) => `/api/v1/cases/${viewed(c)}`),
    complete!,
    guide,
  ];
}

const steps = scenario();
const requests = steps.map((s) => ({
  setupRequest(req: Record<string, unknown>, context: Ctx) {
    const r = s.build(context);
    if (!r) return undefined;
    context.t0 = performance.now();
    context.kind = s.kind;
    return { ...req, ...r };
  },
  onResponse(status: number, body: string, context: Ctx) {
    s.read?.(context, status, body);
    const kind = context.kind ?? s.kind;
    const ms = performance.now() - (context.t0 ?? performance.now());
    const xs = lat.get(kind) ?? [];
    if (!lat.has(kind)) lat.set(kind, xs);
    xs.push(ms);
    intervalRequests++;
    const im = intervalMs.get(kind);
    if (im) {
      im.n++;
      im.sum += ms;
    } else intervalMs.set(kind, { n: 1, sum: ms });
    if (status < 200 || status >= 300) {
      intervalErrors++;
      const e = errs.get(kind) ?? { n: 0, samples: [] };
      if (!errs.has(kind)) errs.set(kind, e);
      e.n++;
      if (e.samples.length < 3) e.samples.push(`${status} ${String(body).slice(0, 200)}`);
    }
  },
}));

const t0 = performance.now();
const ticker =
  plan.interval && plan.interval > 0
    ? setInterval(() => {
        process.stdout.write(
          `interval ${JSON.stringify({
            t: Math.round((performance.now() - t0) / 1000),
            requests: intervalRequests,
            errors: intervalErrors + socketErrors,
            ms: Object.fromEntries([...intervalMs].map(([k, v]) => [k, Math.round((v.sum / v.n) * 10) / 10])),
          })}\n`,
        );
        intervalMs.clear();
        intervalRequests = 0;
        intervalErrors = 0;
        socketErrors = 0;
      }, plan.interval * 1000)
    : undefined;

const instances = plan.targets.map((t) => {
  const inst = autocannon({
    url: t.url,
    connections: t.connections,
    duration: plan.seconds,
    ...(plan.rate ? { overallRate: plan.rate } : {}),
    requests: requests as never,
  });
  (inst as unknown as { on(e: string, f: () => void): void }).on('reqError', () => {
    socketErrors++;
  });
  return inst;
});
const results = await Promise.all(instances);
const seconds = (performance.now() - t0) / 1000;
if (ticker) clearInterval(ticker);

const kinds: Record<string, KindResult> = {};
let total = 0;
let errors = 0;
for (const [kind, xs] of lat) {
  const e = errs.get(kind);
  kinds[kind] = {
    count: xs.length,
    errors: e?.n ?? 0,
    samples: e?.samples ?? [],
    p50: percentile(xs, 50),
    p95: percentile(xs, 95),
    p99: percentile(xs, 99),
  };
  total += xs.length;
  errors += e?.n ?? 0;
}
errors += results.reduce((s, r) => s + r.errors, 0);
const out: LoadResult = { seconds, total, errors, kinds, intervals: [] };
process.stdout.write(`${JSON.stringify(out)}\n`);

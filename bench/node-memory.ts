/**
 * Memory of one node at city scale, measured from outside (issue 17 item 6): starts the server
 * exactly as `npm start` does (package.json's start script: its node flags, scripts/start.mjs,
 * the compiled dist/) over DATA_DIR — a store seeded with `npx tongban seed` and then
 * `npx tongban seed --scale zhengzhou` (the search corpus, ten million people, their insurance
 * records, 1.5 million companies) — and samples VmRSS (with RssAnon / RssFile / VmHWM) from
 * /proc/<pid>/status every 250 ms while it answers a mix of requests for DURATION seconds:
 * register lookups with real client-credentials tokens (人口库 by random generated ID numbers,
 * 法人库 by random generated credit codes, each within its grant's rate), search over the API and
 * as a page, a guide page and /healthz. /metrics (loopback) gives the V8 heap and external
 * memory beside it, to say where the memory goes.
 *
 *   DATA_DIR=/path/to/data [DURATION=60] [NODE_ROOT=/other/checkout] node --import tsx bench/node-memory.ts
 *
 * NODE_ROOT starts the node of another checkout (its package.json's start script, its dist/) under
 * this same load: before/after comparisons in one run. Beside the RSS, the node's CPU time per
 * request over the mix (user + system of all its threads, /proc/<pid>/stat) and where its
 * resident memory sits (/proc/<pid>/smaps: V8's heap pages, malloc, jieba's allocator region,
 * the binary) at the first answer and after the mix.
 *
 * Prints one line per phase and a JSON summary; exits 1 when the peak RSS under load is over
 * LIMIT_MB (default 500).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { generatedCompany, generatedPerson } from '../src/modules/exchange/exchange.registers.js';
import { DEMO_RESOURCES } from '../src/modules/exchange/index.js';
import { fmt, machine, median } from './lib.js';

const DATA_DIR = process.env.DATA_DIR;
if (!DATA_DIR) {
  console.error('DATA_DIR=<a data directory seeded with seed --scale zhengzhou> is required');
  process.exit(2);
}
const DURATION = Number(process.env.DURATION ?? 60);
const LIMIT_MB = Number(process.env.LIMIT_MB ?? 500);
const PORT = Number(process.env.PORT ?? 3917);
const root = process.env.NODE_ROOT ?? join(import.meta.dirname, '..');
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

// what the store holds (read-only, before the node starts)
const file = join(DATA_DIR, 'tongban.sqlite');
const ro = new SQLite(file, { readonly: true, fileMustExist: true });
const counted = (table: string) =>
  Number((ro.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n);
const sizes = {
  people: counted('exchange_population'),
  insured: counted('exchange_social_insurance'),
  companies: counted('exchange_legal_persons'),
  storeMb: Math.round(
    (Number(ro.pragma('page_count', { simple: true })) * Number(ro.pragma('page_size', { simple: true }))) /
      2 ** 20,
  ),
};
const dept = (kind: string) =>
  (
    ro.prepare(`select id from regions_departments where kind = ? and region_code = '410100'`).get(kind) as {
      id: string;
    }
  ).id;
const depts = { population: dept('mzj'), legalPersons: dept('scjgj') };
ro.close();
console.log(`node memory · ${machine()} · ${JSON.stringify(sizes)} · load ${load()}`);

// consumer credentials for the two departments the demo grants (the CLI, before the node starts)
const credentials = (department: string) => {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'exchange',
      'consumer',
      'add',
      '--department',
      department,
      '--name',
      'memory bench',
    ],
    {
      cwd: root,
      env: { ...process.env, TONGBAN_DATA_DIR: DATA_DIR, TONGBAN_LOG_LEVEL: 'error' },
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`consumer add: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { client_id: string; client_secret: string };
};
const creds = { population: credentials(depts.population), legalPersons: credentials(depts.legalPersons) };

// the node, as `npm start` starts it
const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } })
  .scripts.start;
const [bin, ...args] = start.split(/\s+/);
if (bin !== 'node') throw new Error(`unexpected start script: ${start}`);
const t0 = performance.now();
const child = spawn(process.execPath, args, {
  cwd: root,
  env: {
    ...process.env,
    TONGBAN_DATA_DIR: DATA_DIR,
    TONGBAN_PORT: String(PORT),
    TONGBAN_LOG_LEVEL: 'warn',
    // the citizens come through a reverse proxy on this machine (deploy/), each with their address
    TONGBAN_TRUST_PROXY: '127.0.0.1',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d) => {
    out += String(d);
    if (out.includes('is running at')) resolve();
  });
  child.once('exit', (code) => reject(new Error(`the node exited (${code}) before listening: ${out}`)));
});
const startSecs = (performance.now() - t0) / 1000;
const pid = child.pid!;
const status = () => {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), hwm: kb('VmHWM') };
};
/** the node's CPU time so far, user + system of all its threads, in ms */
const cpuMs = () => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // fields 14 and 15, clock ticks (100 Hz)
};
/**
 * Resident memory by kind of mapping: V8's heap pages (256 KB each), the main malloc heap (brk),
 * malloc's thread arenas (64 MB-aligned), jieba's allocator (mimalloc reserves 1 GB at once), the
 * node binary and other files, the rest (large mallocs: typed arrays, V8's young generation).
 */
const where = () => {
  const out: Record<string, number> = {};
  let kind = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      const from = BigInt(`0x${m[1]}`);
      const size = Number(BigInt(`0x${m[2]}`) - from) / 1024;
      const name = m[3] ?? '';
      kind =
        name === '[heap]'
          ? 'malloc (brk)'
          : name.endsWith('/node') || name.endsWith('/nodejs')
            ? 'node binary'
            : name.startsWith('/')
              ? 'other files'
              : name.startsWith('[')
                ? 'other'
                : size === 256
                  ? 'V8 heap pages'
                  : size === 1024 * 1024
                    ? 'jieba (mimalloc)'
                    : from % BigInt(64 * 2 ** 20) === 0n
                      ? 'malloc arenas'
                      : 'other anonymous';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] = (out[kind] ?? 0) + Number(rss[1]) / 1024;
  }
  return Object.fromEntries(
    Object.entries(out)
      .filter(([, v]) => v >= 1)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => [k, Math.round(v)]),
  );
};
const base = `http://127.0.0.1:${PORT}`;
const atStart = status();
const whereAtStart = where();

const tokenOf = async (c: { client_id: string; client_secret: string }) => {
  const r = await fetch(`${base}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', ...c }),
  });
  return ((await r.json()) as { access_token: string }).access_token;
};
const tokens = {
  population: await tokenOf(creds.population),
  legalPersons: await tokenOf(creds.legalPersons),
};

// the mix: per second, 8 + 8 register lookups (each grant allows 600 a minute), 30 searches over
// the API, 8 as pages, 4 home pages, 2 health checks, citizens through a proxy; random keys over the whole registers
const QUERIES = [
  '营业执照',
  '社保',
  '户口迁移',
  '公积金提取',
  '出生登记',
  '结婚登记',
  '不动产登记',
  '医保报销',
  '居住证',
  '食品经营许可',
];
let seed = 12345;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed % n;
};
/** a citizen's address, as the proxy forwards it (the anonymous limits are per address) */
const citizen = () => ({ 'x-forwarded-for': `10.${rnd(200)}.${rnd(250)}.${1 + rnd(250)}` });
const kinds: Array<{ name: string; perSecond: number; go: () => Promise<Response> }> = [
  {
    name: 'lookup 人口库',
    perSecond: 8,
    go: () =>
      fetch(`${base}/api/v1/exchange/lookup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.population}` },
        body: JSON.stringify({
          resource: DEMO_RESOURCES.population,
          key: generatedPerson(200 + rnd(Math.max(1, sizes.people - 300))).idNumber,
          purpose: '内存基准：最低生活保障家庭经济状况核对',
        }),
      }),
  },
  {
    name: 'lookup 法人库',
    perSecond: 8,
    go: () =>
      fetch(`${base}/api/v1/exchange/lookup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.legalPersons}` },
        body: JSON.stringify({
          resource: DEMO_RESOURCES.legalPersons,
          key: generatedCompany(50 + rnd(Math.max(1, sizes.companies - 60))).creditCode,
          purpose: '内存基准：核验市场主体登记信息',
        }),
      }),
  },
  {
    name: 'search API',
    perSecond: 30,
    go: () =>
      fetch(`${base}/api/v1/search?q=${encodeURIComponent(QUERIES[rnd(QUERIES.length)]!)}`, {
        headers: citizen(),
      }),
  },
  {
    name: 'search page',
    perSecond: 8,
    go: () =>
      fetch(`${base}/search?q=${encodeURIComponent(QUERIES[rnd(QUERIES.length)]!)}`, { headers: citizen() }),
  },
  { name: 'home page', perSecond: 4, go: () => fetch(`${base}/`, { headers: citizen() }) },
  { name: 'healthz', perSecond: 2, go: () => fetch(`${base}/healthz`) },
];
const outcome = new Map<string, { ok: number; bad: Map<number, number> }>();
const samples: number[] = [];
let peak = atStart;
const sampler = setInterval(() => {
  const s = status();
  samples.push(s.rss);
  if (s.rss > peak.rss) peak = s;
}, 250);
const inflight = new Set<Promise<void>>();
const cpuBefore = cpuMs();
const loadStart = performance.now();
for (let tick = 0; tick < DURATION; tick++) {
  const next = loadStart + tick * 1000;
  for (const k of kinds)
    for (let i = 0; i < k.perSecond; i++) {
      const p = k
        .go()
        .then(async (r) => {
          await r.arrayBuffer();
          const o = outcome.get(k.name) ?? { ok: 0, bad: new Map() };
          if (r.ok) o.ok++;
          else o.bad.set(r.status, (o.bad.get(r.status) ?? 0) + 1);
          outcome.set(k.name, o);
        })
        .catch(() => {
          // no answer at all (connection refused or reset): counted as status 0
          const o = outcome.get(k.name) ?? { ok: 0, bad: new Map() };
          o.bad.set(0, (o.bad.get(0) ?? 0) + 1);
          outcome.set(k.name, o);
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
  await new Promise((r) => setTimeout(r, Math.max(0, next + 1000 - performance.now())));
}
await Promise.all(inflight);
const cpuUnderLoad = cpuMs() - cpuBefore;
clearInterval(sampler);
const afterLoad = status();
const whereAfter = where();
let answered = 0;
for (const o of outcome.values()) answered += o.ok;
const metrics = await (await fetch(`${base}/metrics`)).text();
const metric = (name: string, label = '') =>
  Number(
    new RegExp(`^${name}${label ? `\\{[^}]*${label}[^}]*\\}` : ''} ([\\d.e+]+)`, 'm').exec(metrics)?.[1] ??
      Number.NaN,
  ) /
  2 ** 20;
const v8 = {
  heapTotal: metric('nodejs_heap_size_total_bytes'),
  heapUsed: metric('nodejs_heap_size_used_bytes'),
  external: metric('nodejs_external_memory_bytes'),
};
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));

const mb = (x: number) => `${fmt(x, 0)} MB`;
console.log(
  `started in ${fmt(startSecs, 1)} s · RSS at first answer ${mb(atStart.rss)} (peak so far, VmHWM: ${mb(atStart.hwm)})`,
);
console.log(
  `under the mix for ${DURATION} s: RSS median ${mb(median(samples))}, max ${mb(peak.rss)} (anon ${mb(peak.anon)}, file-backed ${mb(peak.file)}); after ${mb(afterLoad.rss)}; VmHWM ${mb(afterLoad.hwm)} · load ${load()}`,
);
console.log(
  `V8 (from /metrics, after): heap ${mb(v8.heapUsed)} used of ${mb(v8.heapTotal)}, external ${mb(v8.external)}`,
);
console.log(`where the RSS is, at the first answer: ${JSON.stringify(whereAtStart)}`);
console.log(`                    after the mix: ${JSON.stringify(whereAfter)}`);
console.log(
  `node CPU under the mix: ${fmt(cpuUnderLoad / DURATION, 0)} ms a second, ${fmt(cpuUnderLoad / Math.max(1, answered), 3)} ms a 2xx request`,
);
for (const [name, o] of outcome)
  console.log(
    `   ${name}: ${o.ok} answered 2xx${o.bad.size ? `, others ${JSON.stringify(Object.fromEntries(o.bad))}` : ''}`,
  );
const summary = {
  sizes,
  startSecs,
  atStart,
  peak,
  afterLoad,
  medianRss: median(samples),
  v8,
  where: { atStart: whereAtStart, after: whereAfter },
  cpuMsPerRequest: cpuUnderLoad / Math.max(1, answered),
  limitMb: LIMIT_MB,
};
console.log(JSON.stringify(summary));
process.exit(peak.rss > LIMIT_MB ? 1 : 0);

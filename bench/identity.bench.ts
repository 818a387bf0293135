/**
 * Identity: sign-in latency at a steady 20 sign-ins/s against the real app listening on
 * 127.0.0.1 (POST /api/v1/auth/login: throttle reservation, account read, scrypt verify, token
 * insert), beside the raw scrypt cost per hash and a GET /healthz at the same pace, measured in
 * the same run. Goal: sign-in p95 < 200 ms at 20/s.
 *
 * With BEFORE=<a checkout of another commit> the same load also goes to that commit's app, in the
 * same process and run, one after the other (the order alternating between runs), so a change to
 * sign-in is measured against the code before it under the same machine load.
 *
 *   node --import tsx bench/identity.bench.ts            (SQLite file, FULL durability as shipped)
 *   RUNS=3 SECONDS=10 RATE=20 node --import tsx bench/identity.bench.ts
 *   BEFORE=/tmp/before RUNS=5 node --import tsx bench/identity.bench.ts
 */
import { resolve } from 'node:path';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { TongbanApp, buildApp as BuildApp } from '../src/app.js';
import type { testConfig as TestConfig } from '../src/config/index.js';
import { generateIdNumber } from '../src/platform/codes/index.js';
import { DEFAULT_SCRYPT, hashPassword, verifyPassword } from '../src/modules/identity/identity.password.js';
import { type FreshStore, fmt, freshSqlite, machine, median, percentile } from './lib.js';

const RUNS = Number(process.env.RUNS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 10);
const RATE = Number(process.env.RATE ?? 20);
const BEFORE = process.env.BEFORE;
const ACCOUNTS = 40;
const ONE_AT_A_TIME = Number(process.env.ONE_AT_A_TIME ?? 200);

interface Variant {
  readonly name: string;
  readonly t: TongbanApp;
  readonly address: string;
  readonly fresh: FreshStore;
}

/** The app of the checkout at `root`, on a fresh SQLite file, listening, with ACCOUNTS people. */
async function start(name: string, root: string): Promise<Variant> {
  const load = (p: string) => import(pathToFileURL(resolve(root, p)).href);
  const { buildApp } = (await load('src/app.ts')) as { buildApp: typeof BuildApp };
  const { testConfig } = (await load('src/config/index.ts')) as { testConfig: typeof TestConfig };
  const fresh = await freshSqlite();
  const t = await buildApp({
    config: testConfig({ logLevel: 'silent' }),
    store: fresh.store,
    demo: 'off',
    startConsumers: false,
  });
  const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
  for (let i = 0; i < ACCOUNTS; i++) {
    await t.identity.service.register({
      kind: 'person',
      login: `bench${i}`,
      password: 'bench-password-1',
      name: '测试用户',
      idNumber: generateIdNumber({
        regionCode: '410105',
        birthDate: '1990-01-01',
        sex: i % 2 ? 'male' : 'female',
        sequence: i * 2,
      }),
      mobile: `139${String(i).padStart(8, '0')}`,
    });
  }
  return { name, t, address, fresh };
}

const variants: Variant[] = [await start('this checkout', resolve(import.meta.dirname, '..'))];
if (BEFORE) variants.push(await start('before', BEFORE));

/**
 * Sends `RATE` requests a second for `SECONDS`, each on schedule (open loop), and times the answered
 * ones; a 429 (sign-ins refused while too many from one address are being checked, which happens
 * only when the machine is too loaded to keep up) is counted apart, any other failure stops the run.
 */
async function paced(
  request: (i: number) => Promise<Response>,
): Promise<{ times: number[]; refused: number }> {
  const n = RATE * SECONDS;
  const start = performance.now();
  const times: number[] = [];
  let refused = 0;
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    pending.push(
      request(i).then(async (res) => {
        await res.arrayBuffer();
        if (res.status === 429) refused++;
        else if (!res.ok) throw new Error(`HTTP ${res.status}`);
        else times.push(performance.now() - t0);
      }),
    );
  }
  await Promise.all(pending);
  return { times, refused };
}

const login = (v: Variant) => (i: number) =>
  fetch(`${v.address}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: `bench${i % ACCOUNTS}`, password: 'bench-password-1' }),
  });
const health = (v: Variant) => () => fetch(`${v.address}/healthz`);

/**
 * One sign-in at a time (closed loop), the variants taking turns in blocks of ten: what one
 * sign-in costs (scrypt plus its statements and commits) without the queueing that the paced
 * load adds, which on a shared machine moves the p95 far more than the code does.
 */
async function oneAtATime(): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let block = 0; block < ONE_AT_A_TIME / 10; block++)
    for (const v of block % 2 ? [...variants].reverse() : variants)
      for (let i = 0; i < 10; i++) {
        const t0 = performance.now();
        const res = await login(v)(block * 10 + i);
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        times.get(v.name)!.push(performance.now() - t0);
      }
  return times;
}

type Row = { p50: number; p95: number; p99: number; refused: number };
const logins = new Map<string, Row[]>(variants.map((v) => [v.name, []]));
const base: Array<{ scrypt: number; scryptCpu: number; h50: number; h95: number }> = [];
for (let run = 0; run < RUNS; run++) {
  const stored = await hashPassword('bench-password-1');
  const hashTimes: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await verifyPassword('bench-password-1', stored);
    hashTimes.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  const order = run % 2 ? [...variants].reverse() : variants;
  for (const v of order) {
    const { times, refused } = await paced(login(v));
    const row = {
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      p99: percentile(times, 99),
      refused,
    };
    logins.get(v.name)!.push(row);
    process.stderr.write(
      `run ${run + 1} ${v.name}: sign-in p50 ${fmt(row.p50)} ms, p95 ${fmt(row.p95)} ms, refused ${refused}\n`,
    );
  }
  const healths = (await paced(health(variants[0]!))).times;
  base.push({
    scrypt: median(hashTimes),
    scryptCpu: (cpu.user + cpu.system) / 1000 / 20,
    h50: percentile(healths, 50),
    h95: percentile(healths, 95),
  });
}

const single = await oneAtATime();
const med = <T>(rows: readonly T[], k: keyof T) => median(rows.map((r) => r[k] as number));
console.log(
  `load average at the end: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log(
  `${machine()}, ${RUNS} runs × ${RATE * SECONDS} requests at ${RATE}/s; scrypt N=${DEFAULT_SCRYPT.N} r=${DEFAULT_SCRYPT.r} p=${DEFAULT_SCRYPT.p}`,
);
const names = variants.map((v) => v.name).reverse();
console.log(`| measure (median of runs) | ${names.join(' | ')} |`);
console.log(`|---|${names.map(() => '---:').join('|')}|`);
for (const k of ['p50', 'p95', 'p99', 'refused'] as const)
  console.log(
    `| sign-in ${k} at ${RATE}/s${k === 'refused' ? ' (429s per run)' : ' (ms)'} | ${names.map((n) => fmt(med(logins.get(n)!, k))).join(' | ')} |`,
  );
console.log(
  `| one sign-in at a time, median of ${ONE_AT_A_TIME} (ms) | ${names.map((n) => fmt(median(single.get(n)!))).join(' | ')} |`,
);
if (BEFORE) {
  const one = median(single.get('this checkout')!) / median(single.get('before')!) - 1;
  console.log(`one sign-in at a time, this checkout over before: ${fmt(one * 100)} %`);
  const after = med(logins.get('this checkout')!, 'p95');
  const before = med(logins.get('before')!, 'p95');
  console.log(`sign-in p95, this checkout over before: ${fmt((after / before - 1) * 100)} %`);
  console.log(
    `p95 per run, before / this checkout: ${logins
      .get('before')!
      .map((r, i) => `${fmt(r.p95)} / ${fmt(logins.get('this checkout')![i]!.p95)}`)
      .join('; ')}`,
  );
}
console.log(
  `baseline in the same runs: raw scrypt verify, one at a time, wall / CPU ${fmt(med(base, 'scrypt'))} / ${fmt(med(base, 'scryptCpu'))} ms; GET /healthz p50 / p95 at ${RATE}/s ${fmt(med(base, 'h50'))} / ${fmt(med(base, 'h95'))} ms`,
);

for (const v of variants) {
  await v.t.close();
  await v.fresh.drop();
}

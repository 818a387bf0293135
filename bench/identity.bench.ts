/**
 * Identity: sign-in latency at a steady 20 sign-ins/s against the real app listening on
 * 127.0.0.1 (POST /api/v1/auth/login: throttle check, account read, scrypt verify, token insert),
 * beside the raw scrypt cost per hash and a GET /healthz at the same pace, measured in the same run.
 * Goal: sign-in p95 < 200 ms at 20/s.
 *
 *   node --import tsx bench/identity.bench.ts            (SQLite file, FULL durability as shipped)
 *   RUNS=3 SECONDS=10 RATE=20 node --import tsx bench/identity.bench.ts
 */
import { loadavg } from 'node:os';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { generateIdNumber } from '../src/platform/codes/index.js';
import { DEFAULT_SCRYPT, hashPassword, verifyPassword } from '../src/modules/identity/identity.password.js';
import { fmt, freshSqlite, machine, median, percentile } from './lib.js';

const RUNS = Number(process.env.RUNS ?? 3);
const SECONDS = Number(process.env.SECONDS ?? 10);
const RATE = Number(process.env.RATE ?? 20);
const ACCOUNTS = 40;

const fresh = await freshSqlite();
const store = fresh.store;
const t = await buildApp({
  config: testConfig({ logLevel: 'silent' }),
  store,
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

/** Sends `RATE` requests a second for `SECONDS`, each on schedule (open loop), and times them. */
async function paced(request: (i: number) => Promise<Response>): Promise<number[]> {
  const n = RATE * SECONDS;
  const start = performance.now();
  const times: number[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    pending.push(
      request(i).then(async (res) => {
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        times.push(performance.now() - t0);
      }),
    );
  }
  await Promise.all(pending);
  return times;
}

const login = (i: number) =>
  fetch(`${address}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: `bench${i % ACCOUNTS}`, password: 'bench-password-1' }),
  });
const health = () => fetch(`${address}/healthz`);

const rows: Array<{
  scrypt: number;
  scryptCpu: number;
  p50: number;
  p95: number;
  p99: number;
  h50: number;
  h95: number;
}> = [];
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
  const scryptCpu = (cpu.user + cpu.system) / 1000 / 20;
  const logins = await paced(login);
  const healths = await paced(health);
  rows.push({
    scrypt: median(hashTimes),
    scryptCpu,
    p50: percentile(logins, 50),
    p95: percentile(logins, 95),
    p99: percentile(logins, 99),
    h50: percentile(healths, 50),
    h95: percentile(healths, 95),
  });
  process.stderr.write(
    `run ${run + 1}: sign-in p50 ${fmt(rows.at(-1)!.p50)} ms, p95 ${fmt(rows.at(-1)!.p95)} ms\n`,
  );
}

const m = (k: keyof (typeof rows)[number]) => fmt(median(rows.map((r) => r[k])));
console.log(
  `load average at the end: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log(
  `${machine()}, ${RUNS} runs × ${RATE * SECONDS} requests at ${RATE}/s; scrypt N=${DEFAULT_SCRYPT.N} r=${DEFAULT_SCRYPT.r} p=${DEFAULT_SCRYPT.p}`,
);
console.log('| measure | median of runs |');
console.log('|---|---:|');
console.log(`| raw scrypt verify, one at a time: wall / CPU (ms) | ${m('scrypt')} / ${m('scryptCpu')} |`);
console.log(`| sign-in p50 at ${RATE}/s (ms) | ${m('p50')} |`);
console.log(`| sign-in p95 at ${RATE}/s (ms) | ${m('p95')} |`);
console.log(`| sign-in p99 at ${RATE}/s (ms) | ${m('p99')} |`);
console.log(`| baseline GET /healthz p50 / p95 at ${RATE}/s (ms) | ${m('h50')} / ${m('h95')} |`);

await t.close();
await fresh.drop();

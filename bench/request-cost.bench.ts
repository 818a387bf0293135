/**
 * What each kind of request of the mixed workload costs the node in CPU, one kind at a time, in
 * this process through `app.inject()` (every hook, the route, the store; no socket), on a SQLite
 * file with synchronous=FULL and group commit, `CONCURRENCY` requests in flight. The event
 * consumers (ledger, stats, notifications, search) are not running during the requests; their
 * work for the writes is measured after, by draining them, per action. Beside: `GET /healthz`
 * through the same app (the app's own floor). The machine being shared, CPU time (this process's
 * user + system) is the figure, not the wall time.
 *
 *   node --import tsx bench/request-cost.bench.ts        (N=300 requests per kind, CONCURRENCY=16)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { openStore } from '../src/platform/db/index.js';
import { CITY_ITEM, REGION, seed } from './cluster.js';
import { fmt, machine } from './lib.js';

const N = Number(process.env.N ?? 300);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const seeded = await seed('sqlite', 2 * N + 50);
// the seeded directory goes however the bench ends
process.once('exit', () => rmSync(seeded.env.TONGBAN_DATA_DIR!, { recursive: true, force: true }));
const store = await openStore({
  sqliteFile: join(seeded.env.TONGBAN_DATA_DIR!, 'tongban.sqlite'),
  sqliteSynchronous: 'FULL',
});
// warnings per result (no e-licence type for the demo item) would be most of the output
const t = await buildApp({
  config: loadConfig({ ...seeded.env, TONGBAN_LOG_LEVEL: 'error' }),
  store,
  demo: 'off',
  startConsumers: false,
});
const tk = seeded.tokens;
const checkpoint = (await t.app.inject({ url: '/log/checkpoint' })).body;
const size = Number(checkpoint.split('\n')[1]);
let addr = 0;
const xff = () => {
  addr++;
  return `10.${100 + (addr >> 16)}.${(addr >> 8) & 255}.${addr & 255}`;
};
type Req = { method?: 'GET' | 'POST'; url: string; token?: string; payload?: unknown };
const form = seeded.form;
let next = 0;
const cases = seeded.cases;
// each action kind walks the same applications in order: accept all, then startStep all, …
const walk = new Map<string, number>();
const caseFor = (kind: string) => {
  const i = walk.get(kind) ?? 0;
  walk.set(kind, i + 1);
  return cases[i]!;
};
const act = (kind: string, body: Record<string, unknown>, token: string) => (): Req => ({
  method: 'POST',
  url: `/api/v1/cases/${caseFor(kind)}/actions`,
  token,
  payload: body,
});
const kinds: Array<[string, () => Req]> = [
  ['baseline GET /healthz', () => ({ url: '/healthz' })],
  ['guide page', () => ({ url: `/items/${CITY_ITEM}` })],
  ['guide JSON', () => ({ url: `/api/v1/items/${CITY_ITEM}` })],
  ['search API', () => ({ url: `/api/v1/search?q=${encodeURIComponent('营业执照')}` })],
  ['search page', () => ({ url: `/search?q=${encodeURIComponent('社保')}` })],
  ['my cases', () => ({ url: '/api/v1/cases', token: tk.citizen })],
  ['case view', () => ({ url: `/api/v1/cases/${cases[next++ % cases.length]}`, token: tk.citizen })],
  ['workbench queue (approver)', () => ({ url: '/api/v1/workbench/queue', token: tk.approver })],
  ['supervision page', () => ({ url: '/supervision', token: tk.supervisor })],
  ['overdue cards', () => ({ url: '/api/v1/stats/cards?colour=red', token: tk.supervisor })],
  ['log checkpoint', () => ({ url: '/log/checkpoint' })],
  ['log tile', () => ({ url: size >= 256 ? '/log/tile/0/000' : `/log/tile/0/000.p/${size}` })],
  ['log inclusion proof', () => ({ url: `/api/v1/log/proof/inclusion?index=${next++ % size}&size=${size}` })],
  [
    'apply',
    () => ({
      method: 'POST',
      url: '/api/v1/cases',
      token: tk.citizen,
      payload: { implementationCode: CITY_ITEM, regionCode: REGION, form },
    }),
  ],
  [
    'apply with upload (20 KB)',
    () => ({
      method: 'POST',
      url: '/api/v1/cases',
      token: tk.citizen,
      payload: { implementationCode: CITY_ITEM, regionCode: REGION, form, materials: [seeded.material] },
    }),
  ],
  ['accept', act('accept', { action: 'accept' }, tk.clerk)],
  ['startStep', act('startStep', { action: 'startStep', step: '审核' }, tk.approver)],
  ['completeStep', act('completeStep', { action: 'completeStep' }, tk.approver)],
  ['approve', act('approve', { action: 'approve' }, tk.approver)],
  ['issueResult', act('issueResult', { action: 'issueResult', delivery: 'online' }, tk.approver)],
  ['complete', act('complete', { action: 'complete' }, tk.approver)],
];

async function measure(make: () => Req, n: number): Promise<{ cpuUs: number; errors: string[] }> {
  const errors: string[] = [];
  let left = n;
  const c0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) {
        const r = make();
        const res = await t.app.inject({
          method: r.method ?? 'GET',
          url: r.url,
          headers: {
            ...(r.token ? { authorization: `Bearer ${r.token}` } : {}),
            'x-forwarded-for': xff(),
            accept: 'application/json, text/html;q=0.9',
          },
          remoteAddress: '127.0.0.1',
          ...(r.payload ? { payload: r.payload as object } : {}),
        });
        if (res.statusCode >= 300 && errors.length < 3)
          errors.push(`${res.statusCode} ${res.body.slice(0, 160)}`);
      }
    }),
  );
  const c = process.cpuUsage(c0);
  return { cpuUs: (c.user + c.system) / n, errors };
}

console.log(
  `request cost — ${machine()}; N=${N} per kind, ${CONCURRENCY} in flight; load ${fmt(loadavg()[0]!, 1)}`,
);
// warm-up: the code paths compiled (the reads only: the actions walk the applications in order)
for (const [, make] of kinds.slice(0, 13)) await measure(make, 50);
console.log('| request (in process, inject) | CPU µs per request |');
console.log('|---|---:|');
let writes = 0;
for (const [name, make] of kinds) {
  const r = await measure(make, N);
  if (!name.startsWith('baseline') && kinds.findIndex(([k]) => k === name) >= 13) writes += N;
  console.log(`| ${name} | ${fmt(r.cpuUs, 0)} |${r.errors.length ? ` errors: ${r.errors.join(' · ')}` : ''}`);
}
// the consumers' share of the writes: what the node spends after the answers, per write
const c0 = process.cpuUsage();
await t.events.drain();
const c = process.cpuUsage(c0);
console.log(
  `| event consumers (ledger leaves and tiles, stats, notifications, search), per write above | ${fmt((c.user + c.system) / writes, 0)} |`,
);
console.log(`load average (1 min) at the end: ${fmt(loadavg()[0]!, 1)}`);
await t.close();
await store.close();
await seeded.drop();

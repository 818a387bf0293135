/**
 * Across two nodes on one PostgreSQL database: how long after node A answered does node B show it?
 *   - publish → searchable: a notice published through A's API, until B's index finds it;
 *   - call → screen: a window calls a ticket through A's API, until an SSE client of B's hall
 *     stream receives the call.
 * Two ways in the same run, alternated round by round on the same two nodes: polling only (the
 * wake-up triggers dropped: B reads the stream every 500 ms and the calls every 200 ms, as
 * before) and with the wake-ups (the triggers back: NOTIFY wakes B at once). Both nodes run in
 * this process (each with its own pool, consumers, index and listener), so they share its CPU.
 *
 *   node --import tsx bench/wakeups.bench.ts            (ROUNDS=10)
 *   ROUNDS=20 BENCH_DATABASE_URL=postgres://… node --import tsx bench/wakeups.bench.ts
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { ManualClock } from '../src/kernel/index.js';
import { searchServiceOf } from '../src/modules/search/index.js';
import { type Store, openStore, sql } from '../src/platform/db/index.js';
import { BENCH_PG_URL, fmt, machine, median, scratchDatabase } from './lib.js';

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const HALL = 'H410105001';
const clock = new ManualClock('2026-12-07T02:00:00Z'); // a Monday, 10:00 in Zhengzhou: the hall is open

const db = await scratchDatabase(BENCH_PG_URL, 'tongban_bench_wake');
const stores: Store[] = [
  await openStore({ databaseUrl: db.url, poolSize: 4 }),
  await openStore({ databaseUrl: db.url, poolSize: 4 }),
];
const quiet = testConfig({ logLevel: 'silent' });
const a = await buildApp({ config: quiet, store: stores[0]!, clock, demo: 'on', startConsumers: true });
const b = await buildApp({ config: quiet, store: stores[1]!, clock, demo: 'off', startConsumers: true });
const token = async (login: string) => ({
  authorization: `Bearer ${(await a.identity.tokenForLogin(login)).token}`,
});
const discloser = await token('discloser');
const admin = await token('admin');
const clerk = await token('clerk');
const departments = (await a.app.inject({ url: '/api/v1/departments?region=410100' })).json()
  .departments as Array<{
  id: string;
  name: string;
}>;
const department = departments.find((d) => d.name === '郑州市市场监督管理局')!.id;

async function inject(method: 'GET' | 'POST', url: string, headers: object, payload?: object) {
  const r = await a.app.inject({ method, url, headers: headers as never, ...(payload ? { payload } : {}) });
  if (r.statusCode >= 300) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 200)}`);
  return r.json();
}

/** ms from A's answer to the publication until B's index finds it. */
async function publishToSearchable(round: number, mode: string): Promise<number> {
  const word = `抽检批次${mode === 'poll' ? '甲' : '乙'}${round}号`;
  const d = await inject('POST', '/api/v1/disclosure/publications', discloser, {
    department,
    domain: '食品药品监管',
    category: '抽检信息',
    title: `第${round}期食品安全监督抽检信息公告 ${word}`,
    body: `本期${word}抽检食品 100 批次，均合格。`,
    madeOn: '2026-12-04',
  });
  await inject('POST', `/api/v1/disclosure/publications/${d.id}/actions`, discloser, { action: 'submit' });
  await inject('POST', `/api/v1/disclosure/publications/${d.id}/actions`, admin, { action: 'publish' });
  const t0 = performance.now();
  const svc = searchServiceOf(b.modules)!;
  for (;;) {
    if (svc.search({ q: word, kind: 'information' }).hits.some((h) => h.id === d.id))
      return performance.now() - t0;
    if (performance.now() - t0 > 10_000) throw new Error('not searchable on B within 10 s');
    await new Promise((r) => setTimeout(r, 1));
  }
}

await b.app.listen({ port: 0, host: '127.0.0.1' });
const port = (b.app.server.address() as AddressInfo).port;

/** ms from A's answer to the call until B's SSE client receives it. */
async function callToScreen(): Promise<number> {
  let t0 = 0;
  let opened!: () => void;
  const open = new Promise<void>((r) => {
    opened = r;
  });
  const got = new Promise<number>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path: `/api/v1/halls/${HALL}/events` }, (res) => {
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        if (buf.startsWith('retry:')) opened();
        if (buf.includes('event: call')) {
          const ms = performance.now() - t0;
          req.destroy();
          resolve(ms);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
  await open;
  await inject('POST', `/api/v1/halls/${HALL}/tickets`, clerk, { line: 'B' });
  await inject('POST', `/api/v1/halls/${HALL}/windows/1/call`, clerk);
  t0 = performance.now();
  return got;
}

async function triggers(on: boolean): Promise<void> {
  const s = stores[0]!.db;
  await sql`drop trigger if exists events_wake on events`.execute(s);
  await sql`drop trigger if exists halls_calls_wake on halls_calls`.execute(s);
  if (on) {
    await sql`create trigger events_wake after insert on events for each statement execute function tongban_wake()`.execute(
      s,
    );
    await sql`create trigger halls_calls_wake after insert on halls_calls for each statement execute function tongban_wake()`.execute(
      s,
    );
  }
}

const results = {
  poll: { search: [] as number[], screen: [] as number[] },
  wake: { search: [] as number[], screen: [] as number[] },
};
const load0 = loadavg();
// one of each first, not counted (the first query compiles, the first SSE connection warms up)
await triggers(false);
await publishToSearchable(0, 'poll');
await callToScreen();
await triggers(true);
for (let i = 1; i <= ROUNDS; i++) {
  for (const mode of i % 2 ? (['poll', 'wake'] as const) : (['wake', 'poll'] as const)) {
    await triggers(mode === 'wake');
    results[mode].search.push(await publishToSearchable(i, mode));
    results[mode].screen.push(await callToScreen());
  }
}
const load1 = loadavg();
await triggers(true);

const row = (label: string, xs: number[]) =>
  `  ${label.padEnd(44)} median ${fmt(median(xs), 0).padStart(5)} ms   min ${fmt(Math.min(...xs), 0).padStart(4)}   max ${fmt(Math.max(...xs), 0).padStart(5)}`;
console.log(`wake-ups across two PostgreSQL nodes — ${ROUNDS} rounds, alternated; ${machine()}`);
console.log(
  `load average ${load0.map((x) => x.toFixed(1)).join(' ')} → ${load1.map((x) => x.toFixed(1)).join(' ')}`,
);
console.log(row('publish → searchable on B, polling (500 ms)', results.poll.search));
console.log(row('publish → searchable on B, NOTIFY', results.wake.search));
console.log(row('call → screen (SSE) on B, polling (200 ms)', results.poll.screen));
console.log(row('call → screen (SSE) on B, NOTIFY', results.wake.screen));

await a.close();
await b.close();
for (const s of stores) await s.close();
await db.drop();

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, median, scratchDatabase } from './lib.js';

/**
 * Start-up to first answer (`GET /healthz` 200), measured from process spawn:
 *  - empty data dir (migrate + seed the demo city), goal < 5 s; for it also what `/readyz` says
 *    at that moment (`seeding`: the demo's year of history is generated in the background after
 *    listening, app.history.ts) and the time until `/readyz` answers 200 (history done, every
 *    consumer caught up)
 *  - seeded data dir (a restart), goal < 1.5 s
 * Both through `node scripts/start.mjs` (what `npm start` runs: compiled JavaScript in dist/,
 * rebuilt only when a source changed). Baseline in the same run: a bare Fastify app on plain node.
 */
const RUNS = Number(process.env.RUNS ?? 5);
const root = join(import.meta.dirname, '..');

async function waitHealthy(port: number, child: ChildProcess, t0: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.status === 200) return performance.now() - t0;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** After the first answer: what /readyz says then, and the time from spawn to its first 200. */
async function waitReady(port: number, child: ChildProcess, t0: number) {
  let first: string | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
    const r = await fetch(`http://127.0.0.1:${port}/readyz`);
    const b = (await r.json()) as { status: string; demoHistory?: string };
    first ??= `${r.status} ${b.status}${b.demoHistory ? ` (history ${b.demoHistory})` : ''}`;
    if (r.status === 200) return { first, ready: performance.now() - t0 };
    await new Promise((r) => setTimeout(r, 100));
  }
}

const readiness: Array<{ first: string; ready: number }> = [];
/** the started process's own CPU time (user + system, ms) when it first answered, per start kind */
const cpuAtAnswer: Record<string, number[]> = {};

/** user + system CPU time of a process so far, from /proc (Linux; clock ticks of 10 ms) */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

async function timeStart(
  args: string[],
  env: Record<string, string>,
  port: number,
  opts: { ready?: boolean; kind?: string } = {},
): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env, TONGBAN_PORT: String(port), TONGBAN_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const listening = await waitHealthy(port, child, t0);
    const cpu = cpuMs(child.pid);
    if (opts.kind && cpu !== undefined) {
      cpuAtAnswer[opts.kind] ??= [];
      cpuAtAnswer[opts.kind]!.push(cpu);
    }
    if (opts.ready) readiness.push(await waitReady(port, child, t0));
    return listening;
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }
}

// Same loader as `npm start` (plain node on compiled JavaScript): bare Fastify, the floor.
const bare = `
import Fastify from 'fastify';
const app = Fastify();
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.TONGBAN_PORT) });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

async function main() {
  console.log(`# start-up to first answer — ${cpus().length} cores, ${process.version}`);
  const results: Record<string, number[]> = { baseline: [], empty: [], seeded: [] };
  // PORT_BASE: another process on this machine may hold the default ports
  let port = Number(process.env.PORT_BASE ?? 3900);
  for (let i = 0; i < RUNS; i++) {
    results.baseline!.push(
      await timeStart(['--import', 'tsx', '--input-type=module', '-e', bare], {}, port++, {
        kind: 'baseline',
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'tongban-start-'));
    try {
      const env = { TONGBAN_DATA_DIR: dir, TONGBAN_DATABASE_URL: '' };
      results.empty!.push(
        await timeStart(['scripts/start.mjs'], env, port++, { ready: true, kind: 'empty' }),
      );
      results.seeded!.push(await timeStart(['scripts/start.mjs'], env, port++, { kind: 'seeded' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const pgUrl = process.env.TONGBAN_BENCH_PG_URL;
  if (pgUrl) {
    // PostgreSQL: a fresh database per run
    results.pgEmpty = [];
    results.pgSeeded = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) {
      const scratch = await scratchDatabase(pgUrl, 'tongban_bench_start');
      const dir = mkdtempSync(join(tmpdir(), 'tongban-start-'));
      try {
        const env = { TONGBAN_DATA_DIR: dir, TONGBAN_DATABASE_URL: scratch.url };
        results.pgEmpty.push(await timeStart(['scripts/start.mjs'], env, port++));
        results.pgSeeded.push(await timeStart(['scripts/start.mjs'], env, port++));
      } finally {
        await scratch.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  console.log('| start | median ms | runs (ms) |');
  console.log('|---|---:|---|');
  const label: Record<string, string> = {
    baseline: 'baseline: bare Fastify, plain node',
    empty: 'tongban, empty SQLite data dir (migrate + seed)',
    seeded: 'tongban, seeded SQLite data dir',
    pgEmpty: 'tongban, empty PostgreSQL database',
    pgSeeded: 'tongban, seeded PostgreSQL database',
  };
  for (const [k, xs] of Object.entries(results)) {
    console.log(`| ${label[k]} | ${fmt(median(xs), 0)} | ${xs.map((x) => fmt(x, 0)).join(', ')} |`);
  }
  const ready = readiness.map((r) => r.ready);
  console.log(
    `| tongban, empty SQLite: spawn to /readyz 200 (the year of history seeded in the background) | ${fmt(median(ready), 0)} | ${ready.map((x) => fmt(x, 0)).join(', ')} |`,
  );
  for (const [k, xs] of Object.entries(cpuAtAnswer))
    console.log(
      `CPU time of the process up to its first answer, ${label[k]}: median ${fmt(median(xs), 0)} ms (${xs.map((x) => fmt(x, 0)).join(', ')})`,
    );
  console.log(`/readyz at the first answer of each empty start: ${readiness.map((r) => r.first).join('; ')}`);
}

await main();

#!/usr/bin/env node
// Runs every test file of the project with node:test through tsx, one process per file,
// TONGBAN_TEST_CONCURRENCY files at a time (default 2), the longest files first.
//
// Why not `node --test` over all files: it starts them in path order, so the slowest files
// (browser journeys, the route × role table) could start last and run alone at the end while a
// core idles. Here each file's last duration is kept in test/durations.json (seconds, written by
// `node scripts/run-tests.mjs --record`), and files start longest first; a file not listed there
// starts first of all (its time is unknown). A file's output is printed whole when it ends, so
// two files' lines never interleave; the slowest files and the totals close the run. A file runs
// as the process's entry (`node --import tsx --test-reporter=spec <file>`, node:test runs its tests
// and exits non-zero on a failure): `node --test <file>` would add an orchestrator process per file.
//
// Each file's line also gives its CPU time (user+system, the test process and every process it
// waited for — Chromium, spawned nodes; scripts/test-cpu.mjs writes it at exit): on a loaded
// machine wall time says little, CPU time is what the run costs. The run closes with the files
// that used the most CPU and the pass's total; on PostgreSQL also the server's CPU over the pass
// (read from /proc when the server runs on this machine; it includes other users of the server).
//
// Before the files run, src/ and test/ are compiled once into a temporary mirror of the checkout
// (scripts/test-build.mjs), and the processes load that JavaScript instead of going through tsx's
// loader; a test app that asks for the demo city gets a copy of a template seeded once per run
// (test/helpers/template.ts). Both are removed when the run ends (or is interrupted).
//
// Usage: node scripts/run-tests.mjs [--record] [path-filter ...]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildForTests, compiledName, fromSources, mirrorDir } from './test-build.mjs';

const root = join(import.meta.dirname, '..');
const durationsFile = join(root, 'test', 'durations.json');
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) walk(p);
    else if (/\.test\.tsx?$/.test(name)) files.push(p);
  }
}
for (const r of ['src', 'test']) {
  try {
    walk(r);
  } catch {
    /* a root may not exist yet */
  }
}
const args = process.argv.slice(2);
const record = args.includes('--record');
// --tsx (or TONGBAN_TEST_TSX=1): every file from the TypeScript sources through tsx, as before the
// compiled mirror (to compare, or to debug with the sources' own line numbers)
const viaTsx = args.includes('--tsx') || process.env.TONGBAN_TEST_TSX === '1';
// --no-templates: every test app seeds its own demo city (test/helpers/template.ts otherwise)
const templates = !args.includes('--no-templates');
const filters = args.filter((a) => !a.startsWith('--'));
const selected = filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files;
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

let known = {};
try {
  known = JSON.parse(readFileSync(durationsFile, 'utf8'));
} catch {
  /* no durations yet: path order */
}
const UNKNOWN = Number.POSITIVE_INFINITY;
selected.sort((a, b) => (known[b] ?? UNKNOWN) - (known[a] ?? UNKNOWN) || a.localeCompare(b));

const cpuDir = mkdtempSync(join(tmpdir(), 'tongban-cpu-'));
// the run's seeded demo templates (test/helpers/template.ts): image files here, PostgreSQL
// databases tongban_tpl_<run>_<key>; all removed when the run ends
const runId = randomBytes(4).toString('hex');
const templateDir = templates ? mkdtempSync(join(tmpdir(), `tongban-tpl-${runId}-`)) : null;
const pgBase = process.env.TONGBAN_TEST_DATABASE_URL || null;
async function dropTemplates() {
  if (templateDir) rmSync(templateDir, { recursive: true, force: true });
  if (!templates || !pgBase) return;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: pgBase });
  try {
    await admin.connect();
    const r = await admin.query('select datname from pg_database where datname like $1', [
      `tongban_tpl_${runId}_%`,
    ]);
    for (const { datname } of r.rows) await admin.query(`drop database if exists ${datname} with (force)`);
  } catch (e) {
    console.log(`could not drop the run's template databases: ${e.message}`);
  } finally {
    await admin.end().catch(() => {});
  }
}
const cpuHook = pathToFileURL(join(root, 'scripts', 'test-cpu.mjs')).href;

/** CPU seconds of the file's process `pid` (scripts/test-cpu.mjs) with its Chromium's, and the Chromium part. */
function cpuOf(pid) {
  const seen = running.get(pid);
  running.delete(pid);
  try {
    const r = JSON.parse(readFileSync(join(cpuDir, `${pid}.json`), 'utf8'));
    let chromium = 0;
    let chromiumReaped = 0;
    for (const c of seen?.chromium.values() ?? []) {
      chromium += c.own * 10;
      if (c.direct) chromiumReaped += (c.own + c.reaped) * 10;
    }
    return {
      total: (r.self + Math.max(0, r.children - chromiumReaped) + chromium) / 1000,
      chromium: chromium / 1000,
    };
  } catch {
    return { total: null, chromium: 0 };
  }
}

/**
 * Chromium's renderers and helpers are not all waited for by the browser process (its zygote forks
 * them, and they are reparented when it ends), so their CPU never reaches the test process's
 * children's times. While files run, their process trees are read from /proc every half second;
 * the last CPU seen of each Chromium process is added to its file, and what the browser process
 * itself had (own and waited-for children) taken out of the test process's reaped children so it
 * is not counted twice. A Chromium process's last half second before it ends is missed.
 */
const running = new Map(); // test process pid → { chromium: Map<pid, {own, reaped, direct}> }
function ticksOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { comm, own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) };
}
function childrenOf(pid) {
  const out = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const c = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (c) for (const x of c.split(' ')) out.push(Number(x));
    }
  } catch {
    /* gone */
  }
  return out;
}
function sampleTrees() {
  for (const [root, seen] of running) {
    const stack = childrenOf(root).map((pid) => [pid, true]);
    while (stack.length) {
      const [pid, direct] = stack.pop();
      try {
        const t = ticksOf(pid);
        if (/chrom/i.test(t.comm)) seen.chromium.set(pid, { own: t.own, reaped: t.reaped, direct });
      } catch {
        continue;
      }
      for (const c of childrenOf(pid)) stack.push([c, false]);
    }
  }
}
const sampler = process.platform === 'linux' ? setInterval(sampleTrees, 500) : null;
sampler?.unref();

/** CPU seconds used so far by the local PostgreSQL server (postmaster, its reaped and live backends). */
function postgresCpu() {
  try {
    const procs = new Map();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        // fields after the name: 2 ppid, 12/13 utime/stime, 14/15 cutime/cstime (clock ticks)
        procs.set(Number(name), {
          comm,
          ppid: Number(f[1]),
          own: Number(f[11]) + Number(f[12]),
          reaped: Number(f[13]) + Number(f[14]),
        });
      } catch {
        /* gone meanwhile */
      }
    }
    let ticks = 0;
    let found = false;
    for (const p of procs.values()) {
      if (!p.comm.startsWith('postgres')) continue;
      const parent = procs.get(p.ppid);
      const isMaster = !parent?.comm.startsWith('postgres');
      ticks += p.own + (isMaster ? p.reaped : 0);
      found ||= isMaster;
    }
    return found ? ticks / 100 : null;
  } catch {
    return null;
  }
}
const pgCpuAtStart = process.env.TONGBAN_TEST_DATABASE_URL ? postgresCpu() : null;

/** CPU seconds of this process and the children it has waited for (esbuild's service). */
function ownCpu() {
  const u = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    children = ((Number(f[13]) || 0) + (Number(f[14]) || 0)) / 100;
  } catch {
    /* not Linux */
  }
  return (u.user + u.system) / 1e6 + children;
}
let mirror = null;
let mirrorPath = null;
let building = null;
let interrupted = false;
let buildCpu = 0;
// interrupted: the running files are stopped, and the mirror (once esbuild has stopped writing to
// it), the CPU reports and the templates removed
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    for (const pid of running.keys()) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* ended meanwhile */
      }
    }
    rmSync(cpuDir, { recursive: true, force: true });
    void (async () => {
      await building?.catch(() => {});
      if (mirrorPath) rmSync(mirrorPath, { recursive: true, force: true });
      await dropTemplates();
    })().finally(() => process.exit(130));
  });
}
if (!viaTsx && selected.some((f) => !fromSources(root, f))) {
  const c0 = ownCpu();
  const w0 = Date.now();
  mirrorPath = mirrorDir();
  building = buildForTests(root, mirrorPath);
  mirror = await building;
  buildCpu = ownCpu() - c0 + mirror.esbuildCpu;
  console.log(
    `compiled src/ and test/ to ${mirror.dir} in ${((Date.now() - w0) / 1000).toFixed(1)} s, cpu ${buildCpu.toFixed(1)} s`,
  );
}

const concurrency = Math.max(1, Number(process.env.TONGBAN_TEST_CONCURRENCY ?? '2') || 2);
const started = Date.now();
const results = [];
const leaked = [];
const totals = { tests: 0, pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
let next = 0;

function summaryOf(out) {
  // the spec reporter closes with "ℹ tests 12", "ℹ pass 12", … lines
  const got = {};
  for (const m of out.matchAll(/^ℹ (tests|pass|fail|skipped|todo|cancelled) (\d+)$/gm))
    got[m[1]] = Number(m[2]);
  return got;
}

function runOne(file) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const compiled = mirror && !fromSources(root, file);
    const child = spawn(
      process.execPath,
      compiled
        ? [
            '--import',
            cpuHook,
            '--enable-source-maps',
            '--test-reporter=spec',
            join(mirror.dir, compiledName(file)),
          ]
        : ['--import', cpuHook, '--import', 'tsx', '--test-reporter=spec', file],
      {
        cwd: root,
        env: {
          ...process.env,
          FORCE_COLOR: '0',
          TONGBAN_TEST_CPU_DIR: cpuDir,
          ...(templateDir ? { TONGBAN_TEST_TEMPLATES: templateDir, TONGBAN_TEST_RUN: runId } : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    running.set(child.pid, { chromium: new Map() });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('close', (code, signal) => {
      const seconds = (Date.now() - t0) / 1000;
      const { total: cpu, chromium } = cpuOf(child.pid);
      const out = Buffer.concat(chunks).toString('utf8');
      const s = summaryOf(out);
      const ok = code === 0 && !signal;
      for (const k of Object.keys(totals)) totals[k] += s[k] ?? 0;
      results.push({ file, seconds, cpu, ok });
      const done = results.length;
      const line = `${ok ? '✔' : '✖'} ${file} — ${s.tests ?? '?'} tests, ${s.fail ?? 0} failed, ${seconds.toFixed(1)} s, cpu ${cpu === null ? '?' : cpu.toFixed(1)} s${chromium ? ` (Chromium ${chromium.toFixed(1)} s)` : ''} [${done}/${selected.length}]`;
      // a PostgreSQL session a test left open costs the drop of its database 5 s: said beside the file
      const leaks = out.split('\n').filter((l) => l.startsWith('test store ') && l.includes(' left open'));
      leaked.push(...leaks.map((l) => `${file}: ${l}`));
      if (ok) console.log(leaks.length ? `${line}\n  ${leaks.join('\n  ')}` : line);
      else {
        console.log(
          `\n${'─'.repeat(72)}\n${out}\n${line}${signal ? ` (killed by ${signal})` : ''}\n${'─'.repeat(72)}`,
        );
      }
      resolve();
    });
  });
}

async function worker() {
  while (next < selected.length && !interrupted) {
    const file = selected[next++];
    await runOne(file);
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, selected.length) }, worker));

const wall = (Date.now() - started) / 1000;
const failed = results.filter((r) => !r.ok);
const slowest = [...results].sort((a, b) => b.seconds - a.seconds).slice(0, 8);
console.log(`\nslowest files: ${slowest.map((r) => `${r.file} ${r.seconds.toFixed(0)} s`).join(', ')}`);
const costliest = [...results].sort((a, b) => (b.cpu ?? 0) - (a.cpu ?? 0)).slice(0, 12);
console.log(`most CPU: ${costliest.map((r) => `${r.file} ${(r.cpu ?? 0).toFixed(1)} s`).join(', ')}`);
const cpuTotal = results.reduce((n, r) => n + (r.cpu ?? 0), 0);
const unmeasured = results.filter((r) => r.cpu === null).length;
const pgCpuAtEnd = pgCpuAtStart === null ? null : postgresCpu();
console.log(
  `cpu: test processes ${cpuTotal.toFixed(0)} s${mirror ? `, compiling ${buildCpu.toFixed(1)} s` : ''}${unmeasured ? ` (${unmeasured} files unmeasured)` : ''}${pgCpuAtEnd === null ? '' : `, PostgreSQL server ${(pgCpuAtEnd - pgCpuAtStart).toFixed(0)} s (all its users)`}; load average ${readLoad()}`,
);
rmSync(cpuDir, { recursive: true, force: true });
mirror?.remove();
await dropTemplates();
console.log(
  `files ${results.length}, failed ${failed.length}; tests ${totals.tests}, pass ${totals.pass}, fail ${totals.fail}, skipped ${totals.skipped}, todo ${totals.todo}, cancelled ${totals.cancelled}; ${wall.toFixed(0)} s with ${concurrency} at a time`,
);
if (leaked.length)
  console.log(`sessions left open (each cost a database drop 5 s):\n  ${leaked.join('\n  ')}`);
if (failed.length) console.log(`failed files:\n${failed.map((r) => `  ${r.file}`).join('\n')}`);

function readLoad() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

if (record) {
  const merged = { ...known };
  for (const r of results) merged[r.file] = Math.round(r.seconds * 10) / 10;
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(durationsFile, `${JSON.stringify(sorted, null, 2)}\n`);
  console.log(`durations written to ${durationsFile}`);
}
process.exit(failed.length || totals.fail ? 1 : 0);

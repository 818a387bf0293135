#!/usr/bin/env node
// Runs every test file of the project with node:test through tsx, one process per file,
// TONGBAN_TEST_CONCURRENCY files at a time (default 2), the longest files first.
//
// Why not `node --test` over all files: it starts them in path order, so the slowest files
// (browser journeys, the route × role table) could start last and run alone at the end while a
// core idles. Here each file's last duration is kept in test/durations.json (seconds, written by
// `node scripts/run-tests.mjs --record`), and files start longest first; a file not listed there
// starts first of all (its time is unknown). A file's output is printed whole when it ends, so
// two files' lines never interleave; the slowest files and the totals close the run.
//
// Usage: node scripts/run-tests.mjs [--record] [path-filter ...]
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
const filters = args.filter((a) => a !== '--record');
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

const concurrency = Math.max(1, Number(process.env.TONGBAN_TEST_CONCURRENCY ?? '2') || 2);
const started = Date.now();
const results = [];
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
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('close', (code, signal) => {
      const seconds = (Date.now() - t0) / 1000;
      const out = Buffer.concat(chunks).toString('utf8');
      const s = summaryOf(out);
      const ok = code === 0 && !signal;
      for (const k of Object.keys(totals)) totals[k] += s[k] ?? 0;
      results.push({ file, seconds, ok });
      const done = results.length;
      const line = `${ok ? '✔' : '✖'} ${file} — ${s.tests ?? '?'} tests, ${s.fail ?? 0} failed, ${seconds.toFixed(1)} s [${done}/${selected.length}]`;
      if (ok) console.log(line);
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
  while (next < selected.length) {
    const file = selected[next++];
    await runOne(file);
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, selected.length) }, worker));

const wall = (Date.now() - started) / 1000;
const failed = results.filter((r) => !r.ok);
const slowest = [...results].sort((a, b) => b.seconds - a.seconds).slice(0, 8);
console.log(`\nslowest files: ${slowest.map((r) => `${r.file} ${r.seconds.toFixed(0)} s`).join(', ')}`);
console.log(
  `files ${results.length}, failed ${failed.length}; tests ${totals.tests}, pass ${totals.pass}, fail ${totals.fail}, skipped ${totals.skipped}, todo ${totals.todo}, cancelled ${totals.cancelled}; ${wall.toFixed(0)} s with ${concurrency} at a time`,
);
if (failed.length) console.log(`failed files:\n${failed.map((r) => `  ${r.file}`).join('\n')}`);

if (record) {
  const merged = { ...known };
  for (const r of results) merged[r.file] = Math.round(r.seconds * 10) / 10;
  const sorted = Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(durationsFile, `${JSON.stringify(sorted, null, 2)}\n`);
  console.log(`durations written to ${durationsFile}`);
}
process.exit(failed.length || totals.fail ? 1 : 0);

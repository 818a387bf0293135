#!/usr/bin/env node
// Compiles src/**/*.ts(x) (tests excluded) to dist/ with esbuild, file by file, and copies the
// other files (CSS, browser scripts, worker entries) beside them. Skips the work when dist/ is
// newer than every source. `node scripts/build.mjs --force` rebuilds.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
const stamp = join(dist, '.build-stamp');

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) walk(p, out);
    else out.push({ path: p, mtimeMs: s.mtimeMs });
  }
  return out;
}

/** How a source file is compiled, here and for the tests' mirror (scripts/test-build.mjs): file by file, as it is. */
export const COMPILE = {
  bundle: false,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'warning',
};

const isTest = (p) => /\.test\.tsx?$/.test(p) || /\.testkit\.tsx?$/.test(p);

export async function buildIfStale({ force = false } = {}) {
  const files = walk(src).filter((f) => !isTest(f.path));
  const newest = Math.max(...files.map((f) => f.mtimeMs), statSync(join(root, 'package.json')).mtimeMs);
  if (!force && existsSync(stamp) && statSync(stamp).mtimeMs >= newest) return false;
  const { build } = await import('esbuild');
  rmSync(dist, { recursive: true, force: true });
  const entryPoints = files
    .filter((f) => /\.tsx?$/.test(f.path) && !f.path.endsWith('.d.ts'))
    .map((f) => f.path);
  await build({
    entryPoints,
    outdir: dist,
    outbase: src,
    ...COMPILE,
    sourcemap: 'linked',
  });
  for (const f of files) {
    if (/\.tsx?$/.test(f.path)) continue;
    const to = join(dist, relative(src, f.path));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(f.path, to);
  }
  writeFileSync(stamp, new Date().toISOString());
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  const built = await buildIfStale({ force: process.argv.includes('--force') });
  process.stdout.write(
    built ? `built dist/ in ${Math.round(performance.now() - t0)} ms\n` : 'dist/ is up to date\n',
  );
}

// Compiles src/ and test/ once for a test run, so that each test process loads plain JavaScript
// instead of paying tsx's loader (its hooks run on a separate thread, and every import — the
// packages' too — goes through them: about 1.5 s more CPU per process that imports the app).
//
// The copy is a mirror of the checkout in a temporary directory: src/ and test/ are copied file by
// file with each .ts/.tsx compiled by esbuild to .js beside it (same paths, so `../../src/app.js`,
// files read next to a module and the worker entries' compiled branch all work), and every other
// top-level entry (node_modules, package.json, docs, scripts …) is a symbolic link to the original.
// A test file that starts TypeScript itself (`--import tsx`) or is a whole-process test
// (*.process.test.ts: git, scripts, `npm start`) runs from the sources instead (`fromSources`).
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { COMPILE } from './build.mjs';

const COMPILED = ['src', 'test'];
const LEFT_OUT = new Set(['.git', 'dist', ...COMPILED]);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** CPU seconds of this process's esbuild service so far (Linux; 0 elsewhere), read before it is stopped. */
function serviceCpu() {
  let ticks = 0;
  try {
    for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
      for (const pid of readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'utf8').trim().split(' ')) {
        if (!pid) continue;
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (!stat.includes('(esbuild)')) continue;
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        ticks += Number(f[11]) + Number(f[12]);
      }
    }
  } catch {
    /* not Linux */
  }
  return ticks / 100;
}

/** Whether a test file must run from the TypeScript sources (through tsx) rather than the mirror. */
export function fromSources(root, file) {
  if (/\.process\.test\.tsx?$/.test(file)) return true;
  return /['"]tsx['"]/.test(readFileSync(join(root, file), 'utf8'));
}

/** The compiled mirror's path of a source file (`src/a.test.ts` → `src/a.test.js`). */
export const compiledName = (file) => file.replace(/\.tsx?$/, '.js');

/** A new, empty directory for the mirror. */
export const mirrorDir = () => mkdtempSync(join(tmpdir(), 'tongban-tests-'));

/** Builds the mirror in `out` (from mirrorDir()); returns it, esbuild's CPU, and a function that removes it. */
export async function buildForTests(root, out) {
  const { build, stop } = await import('esbuild');
  for (const name of readdirSync(root)) {
    if (!LEFT_OUT.has(name)) symlinkSync(join(root, name), join(out, name));
  }
  const sources = COMPILED.flatMap((d) => walk(join(root, d)));
  const ts = sources.filter((p) => /\.tsx?$/.test(p) && !p.endsWith('.d.ts'));
  await build({
    entryPoints: ts,
    outdir: out,
    outbase: root,
    ...COMPILE,
    sourcemap: 'inline',
    sourcesContent: false,
  });
  const esbuildCpu = serviceCpu();
  await stop();
  // every file is also copied as it is (the TypeScript sources too: a test may read one)
  for (const p of sources) {
    const to = join(out, relative(root, p));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(p, to);
  }
  return { dir: out, esbuildCpu, remove: () => rmSync(out, { recursive: true, force: true }) };
}

#!/usr/bin/env node
// `npm start`: compile src/ to dist/ when a source changed (esbuild, per file, no bundling), then
// run dist/main.js in this same process. Running plain JavaScript instead of loading TypeScript
// through tsx's loader thread saves ~0.8 s of every start (docs/benchmarks.md, "Start-up").
import { buildIfStale } from './build.mjs';

await buildIfStale();
await import('../dist/main.js');

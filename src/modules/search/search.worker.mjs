// Entry of the search build worker. When the platform runs compiled (dist/, `npm start`), the
// worker's JavaScript sits beside this file. Otherwise (tests, `npm run dev`) a worker thread does
// not always inherit the parent's TypeScript loader (node --test runs files in children that drop
// it), so register tsx here before loading the worker's TypeScript source.
import { existsSync } from 'node:fs';

const compiled = new URL('./search.worker.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./search.worker.ts');
}

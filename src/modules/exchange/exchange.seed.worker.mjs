// Entry of the register seed's generator workers (exchange.seed.ts). Compiled (dist/), the
// worker's JavaScript sits beside this file; otherwise (tests, `tongban` through tsx) a worker
// thread does not always inherit the parent's TypeScript loader, so register tsx here first.
import { existsSync } from 'node:fs';

const compiled = new URL('./exchange.seed.worker.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./exchange.seed.worker.ts');
}

// Entry of the search build worker. A worker thread does not always inherit the parent's
// TypeScript loader (node --test runs files in children that drop it), so register tsx here
// before loading the worker's TypeScript source.
import { register } from 'tsx/esm/api';

register();
await import('./search.worker.ts');

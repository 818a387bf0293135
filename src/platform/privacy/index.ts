export * from './personal.js';
export * from './mask.js';
export * from './files.js';

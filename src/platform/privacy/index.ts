export * from './personal.js';
export * from './mask.js';

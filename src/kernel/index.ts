export * from './errors.js';
export * from './ids.js';
export * from './clock.js';
export * from './random.js';
export * from './time.js';
export * from './freeze.js';

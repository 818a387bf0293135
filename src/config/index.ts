export * from './config.js';
export * from './rate-limits.js';

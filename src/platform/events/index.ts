export * from './outbox.js';
export * from './wakeups.js';

export * from './calendar.js';
export * from './calendar.routes.js';

export * from './auth.js';
export * from './errors.js';
export * from './request.js';
export * from './app-type.js';

export * from './sm2.js';
export * from './canonical-json.js';

export * from './store.js';
export { sql } from 'kysely';
export type { Kysely, Selectable, Insertable, Updateable, Generated } from 'kysely';
export * from './meta.js';
export * from './open-errors.js';
export * from './backup.js';
export * from './precompiled.js';
export * from './phases.js';
export * from './bulk.js';

import type { CliCommand } from '../cli.types.js';
import { migrateCommand } from './migrate.js';
import { seedCommand } from './seed.js';

/** Every command of `tongban`. Modules add theirs here (one import, one entry). */
export const commands: readonly CliCommand[] = [migrateCommand, seedCommand];

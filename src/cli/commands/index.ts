import type { CliCommand } from '../cli.types.js';
import { calendarImportCommand, calendarYearsCommand } from './calendar.js';
import { backupCommand, restoreCommand } from './backup.js';
import { migrateCommand } from './migrate.js';
import { seedCommand } from './seed.js';
import {
  accountDisableCommand,
  accountEnableCommand,
  grantRevokeCommand,
  oidcClientAddCommand,
  oidcFederationAddCommand,
  oidcKeysRotateCommand,
  tokenCommand,
} from './identity.js';
import { importLicencesCommand, licencesKeyRotateCommand } from './licences.js';
import { logCommands } from './log.js';
import { exportItemsCommand, importItemsCommand } from './catalog.js';
import { filesResealCommand } from './files.js';
import {
  exchangeConsumerAddCommand,
  exchangeConsumerListCommand,
  exchangeConsumerRevokeCommand,
  exchangeConsumerRotateCommand,
  importRegisterCommand,
} from './exchange.js';
import { hotlineClientAddCommand, ratingsSealTextCommand } from './ratings.js';

/** Every command of `tongban`. Modules add theirs here (one import, one entry). */
export const commands: readonly CliCommand[] = [
  calendarYearsCommand,
  calendarImportCommand,
  migrateCommand,
  backupCommand,
  restoreCommand,
  seedCommand,
  tokenCommand,
  accountDisableCommand,
  accountEnableCommand,
  grantRevokeCommand,
  oidcClientAddCommand,
  oidcKeysRotateCommand,
  oidcFederationAddCommand,
  importLicencesCommand,
  licencesKeyRotateCommand,
  importItemsCommand,
  importRegisterCommand,
  exportItemsCommand,
  ...logCommands,
  filesResealCommand,
  hotlineClientAddCommand,
  ratingsSealTextCommand,
  exchangeConsumerAddCommand,
  exchangeConsumerListCommand,
  exchangeConsumerRevokeCommand,
  exchangeConsumerRotateCommand,
];

import type { ModuleDefinition } from '../../platform/module.js';
import type { LedgerService } from './ledger.service.js';

/** What other modules, the CLI and tests may call on the log. */
export type LedgerApi = Pick<
  LedgerService,
  | 'leavesByObject'
  | 'leafIndexOfEvent'
  | 'publishCheckpoint'
  | 'latestCheckpoint'
  | 'addWitness'
  | 'listWitnesses'
  | 'verifierKey'
  | 'rotateKey'
  | 'retireKey'
  | 'listKeys'
  | 'ensureOrigin'
  | 'treeSize'
>;

/** The definition carries the api, so the CLI and tests can reach it from `TongbanApp.modules`. */
export type LedgerDefinition = ModuleDefinition & { readonly api: LedgerApi };

export function ledgerOf(modules: readonly ModuleDefinition[]): LedgerApi {
  const m = modules.find((x) => x.name === 'ledger') as LedgerDefinition | undefined;
  if (!m?.api) throw new Error('the ledger module is not wired into this app');
  return m.api;
}

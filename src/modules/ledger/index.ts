import type { PlatformDeps } from '../../platform/module.js';
import './ledger.errors.js';
import { ledgerMessages } from './ledger.messages.js';
import { ledgerRoutes } from './ledger.routes.js';
import { createLedgerService } from './ledger.service.js';
import type { LedgerDefinition } from './ledger.types.js';
import { ledgerMigrations } from './ledger.store.js';

/**
 * The transparency log (透明日志): every record-worthy event becomes a leaf of an RFC 6962 Merkle
 * tree, served as C2SP tlog-tiles with signed checkpoints that witnesses cosign. The only file other
 * modules import.
 */
export interface LedgerOptions {
  /** how often to look for growth and sign a checkpoint (default 1000 ms, 0 in test mode: then reading /log/checkpoint signs one) */
  checkpointIntervalMs?: number;
}

export function createLedgerModule(deps: PlatformDeps, opts: LedgerOptions = {}) {
  const svc = createLedgerService(deps);
  const interval = opts.checkpointIntervalMs ?? (deps.config.env === 'test' ? 0 : 1000);
  const api = {
    /** leaf indexes of an object's events, for "verify" links (`/log/verify?index=N`) */
    leavesByObject: svc.leavesByObject,
    leafIndexOfEvent: svc.leafIndexOfEvent,
    /** signs a checkpoint now if the tree grew (tests, CLI) */
    publishCheckpoint: svc.publishCheckpoint,
    latestCheckpoint: svc.latestCheckpoint,
    addWitness: svc.addWitness,
    listWitnesses: svc.listWitnesses,
    verifierKey: svc.verifierKey,
    /** key rotation: a new signing key, beside the old until `retireKey` (docs/operations.md) */
    rotateKey: svc.rotateKey,
    retireKey: svc.retireKey,
    listKeys: svc.listKeys,
    /** the log's stored name; refuses (ConfigError) a TONGBAN_LOG_ORIGIN that differs */
    ensureOrigin: svc.ensureOrigin,
    /** leaves in the tree (/metrics) */
    treeSize: svc.treeSize,
  };
  const definition: LedgerDefinition = {
    name: 'ledger',
    api,
    migrations: ledgerMigrations,
    messages: ledgerMessages,
    consumers: [
      { name: 'ledger.leaves', batchSize: 2000, handle: (trx, events) => svc.handleEvents(trx, events) },
    ],
    routes: (app) => ledgerRoutes(app, svc, deps.config),
    async warmUp() {
      await svc.noteKey();
      await svc.publishCheckpoint();
      if (interval > 0) svc.startCheckpoints(interval);
      else svc.checkpointOnRead(true);
    },
    close: () => svc.close(),
  };
  return { definition, api };
}

export { formatReport, verifyLog, verifyTiles, type VerifyReport } from './ledger.verify.js';
export { runWitness, type WitnessResult } from './ledger.witness.js';
export { appendLeaves, leafFromEvent } from './ledger.service.js';
export { ledgerMigrations } from './ledger.store.js';
export { type LedgerApi, type LedgerDefinition, ledgerOf } from './ledger.types.js';

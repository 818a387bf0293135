import { join, resolve } from 'node:path';
import { BackupError, backupStore, openStore, restoreStore, type Store } from '../../platform/db/index.js';
import type { CliCommand, CliContext } from '../cli.types.js';

/** The configured store, opened without migrating (a restore needs it empty). */
function open(ctx: CliContext): Promise<Store> {
  return openStore({
    databaseUrl: ctx.config.databaseUrl,
    sqliteFile: join(ctx.config.dataDir, 'tongban.sqlite'),
    sqliteSynchronous: 'FULL',
    poolSize: 2,
  });
}

const flag = (v: string | boolean | undefined): string | undefined =>
  typeof v === 'string' && v ? v : undefined;

/** `tongban backup --to FILE`: a consistent copy of the store while the node runs (docs/operations.md). */
export const backupCommand: CliCommand = {
  name: ['backup'],
  usage: '--to <file>',
  summary: 'write a consistent backup of the store (SQLite online backup; PostgreSQL pg_dump custom format)',
  async run(args, ctx) {
    const to = flag(args.flags.to);
    if (!to) {
      ctx.err('usage: tongban backup --to <file>');
      return 2;
    }
    const store = await open(ctx);
    try {
      const r = await backupStore(store, resolve(to));
      ctx.out(`backup written: ${r.file} (${r.kind}, ${r.bytes} bytes, ${r.tables} tables, ${r.rows} rows)`);
      return 0;
    } catch (e) {
      if (e instanceof BackupError) {
        ctx.err(`tongban: backup: ${e.message}`);
        return e.exitCode;
      }
      throw e;
    } finally {
      await store.close();
    }
  },
};

/** `tongban restore --from FILE`: into an empty store only. */
export const restoreCommand: CliCommand = {
  name: ['restore'],
  usage: '--from <file>',
  summary: 'restore a backup into an empty store (refused into one that holds tables)',
  async run(args, ctx) {
    const from = flag(args.flags.from);
    if (!from) {
      ctx.err('usage: tongban restore --from <file>');
      return 2;
    }
    const store = await open(ctx);
    try {
      const r = await restoreStore(store, resolve(from));
      ctx.out(
        `restored ${r.tables} tables from ${from} into ${store.description}; start the node to migrate it forward`,
      );
      return 0;
    } catch (e) {
      if (e instanceof BackupError) {
        ctx.err(`tongban: restore: ${e.message}`);
        return e.exitCode;
      }
      throw e;
    } finally {
      await store.close();
    }
  },
};

import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config/index.js';
import { StoreOpenError, openStore, serverSettingWarnings } from './platform/db/index.js';
import { createLogger } from './platform/log.js';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** Process entry: load config → open the store → build the app → listen → shut down gracefully. */
async function main(): Promise<void> {
  const t0 = performance.now();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`tongban: configuration error: ${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  // each line names this node, so that several nodes' logs can be read together
  const log = createLogger(config.logLevel, undefined, `${hostname()}:${config.port}`);
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore({
      databaseUrl: config.databaseUrl,
      sqliteFile: join(config.dataDir, 'tongban.sqlite'),
      sqliteSynchronous: config.sqliteSynchronous,
      poolSize: config.dbPoolSize,
      preparedStatements: config.dbPreparedStatements,
      onIdleConnectionError: (err) =>
        log.warn({ err }, 'a database connection was closed by the server (the pool reconnects)'),
      onAnnounceError: (err) =>
        log.warn(
          { err },
          'committed rows could not be announced to the other nodes (they find them at their next poll)',
        ),
      onDatabaseCreated: (database) =>
        log.warn({ database }, 'the PostgreSQL database did not exist: created it'),
    });
  } catch (e) {
    // the store cannot be opened: one line and an exit code per cause (docs/operations.md)
    if (e instanceof StoreOpenError) {
      process.stderr.write(`tongban: store: ${e.message}\n`);
      process.exit(e.exitCode);
    }
    throw e;
  }
  let t: Awaited<ReturnType<typeof buildApp>>;
  try {
    t = await buildApp({ config, store, logger: log, demoHistory: true });
  } catch (e) {
    // a configuration the store contradicts (TONGBAN_DEMO=1 on a store with people): one line, as above
    if (e instanceof ConfigError) {
      process.stderr.write(`tongban: configuration error: ${e.message}\n`);
      await store.close();
      process.exit(78);
    }
    throw e;
  }
  // a server that will not vacuum: said once at start, where an operator looks first
  for (const w of await serverSettingWarnings(store).catch(() => []))
    log.warn({ setting: w.setting, value: w.value }, w.message);
  await t.app.listen({ host: config.host, port: config.port });
  const ms = Math.round(performance.now() - t0);
  log.info({ store: store.description, seeded: t.seeded, startupMs: ms }, 'tongban is listening');
  process.stdout.write(
    `\n  tongban 通办 is running at ${config.publicUrl}/  (store: ${store.description}; ready in ${ms} ms)\n\n`,
  );

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: no new connections, finishing requests');
    const force = setTimeout(() => {
      log.error('shutdown took over 10 s; exiting');
      process.exit(1);
    }, 10_000).unref();
    try {
      await t.close(); // stops consumers, closes the server after in-flight requests, closes modules
      await store.close();
      clearTimeout(force);
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`tongban: failed to start: ${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});

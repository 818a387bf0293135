import { join } from 'node:path';
import { buildApp } from '../app.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { StoreOpenError, openStore } from '../platform/db/index.js';
import { createLogger } from '../platform/log.js';
import type { CliCommand, CliContext, ParsedArgs } from './cli.types.js';
import { commands } from './commands/index.js';
import { createProgress } from './progress.js';

/** `tongban <command> [args]`: the operator's command line. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) flags[a.slice(2)] = argv[++i]!;
      else flags[a.slice(2)] = true;
    } else positional.push(a);
  }
  return { positional, flags };
}

export function findCommand(
  all: readonly CliCommand[],
  words: readonly string[],
): { cmd: CliCommand; rest: string[] } | undefined {
  let best: CliCommand | undefined;
  for (const c of all) {
    if (c.name.every((w, i) => words[i] === w) && (!best || c.name.length > best.name.length)) best = c;
  }
  return best ? { cmd: best, rest: words.slice(best.name.length) } : undefined;
}

function help(): string {
  const lines = ['usage: tongban <command> [options]', '', 'commands:'];
  for (const c of [...commands].sort((a, b) => a.name.join(' ').localeCompare(b.name.join(' ')))) {
    lines.push(`  ${`${c.name.join(' ')} ${c.usage ?? ''}`.padEnd(48)} ${c.summary}`);
  }
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.positional.length === 0 || (args.flags.help === true && args.positional.length === 0)) {
    process.stdout.write(`${help()}\n`);
    return args.positional.length === 0 && !args.flags.help ? 2 : 0;
  }
  const found = findCommand(commands, args.positional);
  if (!found) {
    process.stderr.write(`tongban: unknown command "${args.positional.join(' ')}"\n\n${help()}\n`);
    return 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`tongban: configuration error: ${e.message}\n`);
      return 78;
    }
    throw e;
  }
  const closers: Array<() => Promise<void>> = [];
  const ctx: CliContext = {
    config,
    async boot(opts = {}) {
      const store = await openStore({
        databaseUrl: config.databaseUrl,
        sqliteFile: join(config.dataDir, 'tongban.sqlite'),
        sqliteSynchronous: config.sqliteSynchronous,
      });
      const t = await buildApp({
        config,
        store,
        // logs go to stderr: stdout carries only a command's output (`tongban export items > file`)
        logger: createLogger(process.env.TONGBAN_LOG_LEVEL ?? 'warn', process.stderr),
        demo: opts.demo ?? 'off',
        startConsumers: false,
        warmUp: false,
      });
      closers.push(async () => {
        await t.close();
        await store.close();
      });
      return t;
    },
    progress: (label, total) => createProgress(label, total),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  try {
    return await found.cmd.run({ positional: found.rest, flags: args.flags }, ctx);
  } catch (e) {
    if (e instanceof StoreOpenError) {
      process.stderr.write(`tongban: store: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  } finally {
    for (const c of closers.reverse()) await c();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`tongban: ${(err as Error)?.message ?? err}\n`);
    if (process.env.TONGBAN_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
    process.exit(1);
  },
);

import type { TongbanApp } from '../../src/app.js';
import type { CliCommand, CliContext } from '../../src/cli/cli.types.js';
import { type Config, testConfig } from '../../src/config/index.js';

/**
 * A CLI context over a test app that records what a command prints. `boot()` hands out the app
 * (or refuses, when the command must not need one); progress is silent.
 */
export function cliContext(t: TongbanApp | undefined, config: Partial<Config> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    config: testConfig(config),
    boot: async () => {
      if (!t) throw new Error('must not boot');
      return t;
    },
    progress: () => ({ tick() {}, done() {} }),
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  };
  return { ctx, out, err };
}

/** Runs one command with flags only; returns its exit code and what it printed. */
export async function runCli(t: TongbanApp, command: CliCommand, flags: Record<string, string>) {
  const { ctx, out, err } = cliContext(t);
  const code = await command.run({ positional: [], flags }, ctx);
  return { code, out, err };
}

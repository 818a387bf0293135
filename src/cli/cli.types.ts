import type { TongbanApp } from '../app.js';
import type { Config } from '../config/index.js';

/**
 * One operator command. `run` gets its parsed arguments and returns the process exit code.
 * Commands that need the platform call `ctx.boot()`, which opens the store, runs migrations and
 * builds the app without listening (no demo seeding unless the command asks).
 */
export interface CliCommand {
  /** words, e.g. ['ledger', 'verify'] for `tongban ledger verify` */
  readonly name: readonly string[];
  readonly summary: string;
  /** usage line shown by --help, e.g. '--user <login>' */
  readonly usage?: string;
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

export interface ParsedArgs {
  readonly positional: readonly string[];
  readonly flags: Readonly<Record<string, string | boolean>>;
}

export interface CliContext {
  readonly config: Config;
  boot(opts?: { demo?: 'on' | 'off' | 'auto' }): Promise<TongbanApp>;
  /** progress on stderr: a bar when stderr is a terminal, a line every few seconds otherwise */
  progress(label: string, total: number): Progress;
  out(line: string): void;
  err(line: string): void;
}

export interface Progress {
  tick(n?: number): void;
  done(): void;
}

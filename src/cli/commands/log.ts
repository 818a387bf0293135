import { resolve } from 'node:path';
import type { CliCommand } from '../cli.types.js';
import { formatReport, ledgerOf, runWitness, verifyLog } from '../../modules/ledger/index.js';

const flag = (v: string | boolean | undefined): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : undefined;

/** `tongban log verify --url <base> [--state <file>]`: checks a log from outside, over HTTP only. */
export const logVerifyCommand: CliCommand = {
  name: ['log', 'verify'],
  usage: '--url <base> [--state <file>]',
  summary:
    'verify a transparency log over HTTP: every entry, tile, the signed root, and consistency with checkpoints seen before',
  async run(args, ctx) {
    const url = flag(args.flags.url);
    if (!url) {
      ctx.err('usage: tongban log verify --url <base> [--state <file>]');
      return 2;
    }
    const statePath = resolve(flag(args.flags.state) ?? 'tongban-log-verify.json');
    const report = await verifyLog({ url, statePath });
    for (const l of formatReport(report)) ctx.out(l);
    return report.ok ? 0 : 1;
  },
};

/** `tongban log witness --url <log> --state <file> [--name <name>]`: cosigns the log's checkpoint. */
export const logWitnessCommand: CliCommand = {
  name: ['log', 'witness'],
  usage: '--url <log base> --state <file> [--name <witness name>]',
  summary: 'act as a witness: check consistency with the last cosigned checkpoint, then cosign and submit',
  async run(args, ctx) {
    const url = flag(args.flags.url);
    const state = flag(args.flags.state);
    if (!url || !state) {
      ctx.err('usage: tongban log witness --url <log base> --state <file> [--name <witness name>]');
      return 2;
    }
    const r = await runWitness({ url, statePath: resolve(state), name: flag(args.flags.name) });
    ctx.out(`witness key: ${r.witnessKey}`);
    (r.ok ? ctx.out : ctx.err)(r.message);
    return r.ok ? 0 : 1;
  },
};

/** `tongban log witness add --name <name> --key <vkey>`: lets a witness cosign this node's log. */
export const logWitnessAddCommand: CliCommand = {
  name: ['log', 'witness', 'add'],
  usage: '--name <witness name> --key <name+hash+base64 key>',
  summary: 'register a witness whose cosignatures this log accepts and publishes',
  async run(args, ctx) {
    const name = flag(args.flags.name);
    const key = flag(args.flags.key);
    if (!name || !key) {
      ctx.err('usage: tongban log witness add --name <witness name> --key <verifier key>');
      return 2;
    }
    const t = await ctx.boot({ demo: 'off' });
    try {
      await ledgerOf(t.modules).addWitness(name, key);
    } catch (e) {
      ctx.err((e as Error).message);
      return 2;
    }
    ctx.out(`witness ${name} registered`);
    return 0;
  },
};

/** `tongban log key list|rotate|retire`: the log's signing keys (docs/operations.md, key rotation). */
export const logKeyListCommand: CliCommand = {
  name: ['log', 'key', 'list'],
  summary: "list the log's signing keys, newest first, with when each was retired",
  async run(_args, ctx) {
    const t = await ctx.boot({ demo: 'off' });
    for (const k of await ledgerOf(t.modules).listKeys())
      ctx.out(
        `${k.verifierKey}  created ${k.createdAt}${k.retiredAt ? `  retired ${k.retiredAt}` : '  signing'}`,
      );
    return 0;
  },
};

export const logKeyRotateCommand: CliCommand = {
  name: ['log', 'key', 'rotate'],
  summary: 'add a new signing key; checkpoints are signed by old and new until the old is retired',
  async run(_args, ctx) {
    const t = await ctx.boot({ demo: 'off' });
    const r = await ledgerOf(t.modules).rotateKey();
    ctx.out(r.verifierKey);
    ctx.err(
      `new checkpoints are signed by ${r.signing.length} keys; retire the old one once verifiers and witnesses have the new key`,
    );
    return 0;
  },
};

export const logKeyRetireCommand: CliCommand = {
  name: ['log', 'key', 'retire'],
  usage: '--key <name+hash+base64 key>',
  summary: 'stop signing checkpoints with an old key (never the newest)',
  async run(args, ctx) {
    const key = flag(args.flags.key);
    if (!key) {
      ctx.err('usage: tongban log key retire --key <verifier key>');
      return 2;
    }
    const t = await ctx.boot({ demo: 'off' });
    try {
      await ledgerOf(t.modules).retireKey(key);
    } catch (e) {
      ctx.err((e as Error).message);
      return 2;
    }
    ctx.out(`retired ${key}`);
    return 0;
  },
};

export const logCommands: readonly CliCommand[] = [
  logVerifyCommand,
  logWitnessCommand,
  logWitnessAddCommand,
  logKeyListCommand,
  logKeyRotateCommand,
  logKeyRetireCommand,
];

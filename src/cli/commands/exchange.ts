import { readFile } from 'node:fs/promises';
import { isDomainError } from '../../kernel/index.js';
import type { CliCommand } from '../cli.types.js';
import { operatorKeyRefusal, refusal } from './guard.js';

/**
 * `tongban exchange consumer add --department ID --name NAME`: a client-credentials client bound to
 * a department (a consumer of the data-sharing exchange); prints `{"client_id","client_secret"}`.
 * `--webhook URL` (https) registers where its department's 校核纠错 notices are posted.
 */
export const exchangeConsumerAddCommand: CliCommand = {
  name: ['exchange', 'consumer', 'add'],
  usage: '--department ID --name NAME [--webhook https://…]',
  summary:
    'register a consumer system of a department for the data-sharing exchange (prints its credentials)',
  async run(args, ctx) {
    const department = args.flags.department;
    const name = args.flags.name;
    if (typeof department !== 'string' || typeof name !== 'string' || !department || !name) {
      ctx.err('tongban exchange consumer add: --department ID and --name NAME are required');
      return 2;
    }
    const t = await ctx.boot();
    try {
      const webhook = args.flags.webhook;
      const c = await t.exchange.addConsumer({
        departmentId: department,
        name,
        ...(typeof webhook === 'string' && webhook ? { webhookUrl: webhook } : {}),
      });
      ctx.out(JSON.stringify({ client_id: c.client_id, client_secret: c.client_secret }));
      return 0;
    } catch (e) {
      if (!isDomainError(e) || e.status >= 500) throw e;
      ctx.err(`tongban exchange consumer add: ${e.code}: ${e.message}`);
      return 2;
    }
  },
};

const clientFlag = (args: Parameters<CliCommand['run']>[0]): string | undefined => {
  const c = args.flags.client;
  return typeof c === 'string' && c.trim() ? c.trim() : undefined;
};

/**
 * `tongban exchange consumer list`: every consumer system, one JSON object a line —
 * `{"client_id","name","department","created_at","revoked_at"}`; never a secret.
 */
export const exchangeConsumerListCommand: CliCommand = {
  name: ['exchange', 'consumer', 'list'],
  usage: '',
  summary: 'list the consumer systems of the data-sharing exchange (no secrets), revoked ones marked',
  async run(_args, ctx) {
    const t = await ctx.boot();
    for (const c of await t.exchange.listConsumers()) ctx.out(JSON.stringify(c));
    return 0;
  },
};

/**
 * A consumer command that changes a client: refused in production without the operator key, the
 * client (and what else `need` asks) checked before the store opens, a refusal by its stable code.
 */
async function changeConsumer(
  command: 'revoke' | 'rotate',
  args: Parameters<CliCommand['run']>[0],
  ctx: Parameters<CliCommand['run']>[1],
  usage: string,
  act: (t: Awaited<ReturnType<typeof ctx.boot>>, client: string) => Promise<unknown>,
  need: () => boolean = () => true,
): Promise<number> {
  const name = `exchange consumer ${command}`;
  const guard = operatorKeyRefusal(name, args, ctx);
  if (guard !== undefined) return guard;
  const client = clientFlag(args);
  if (!client || !need()) {
    ctx.err(`tongban ${name}: ${usage} required`);
    return 2;
  }
  const t = await ctx.boot();
  try {
    ctx.out(JSON.stringify(await act(t, client)));
    return 0;
  } catch (e) {
    return refusal(name, e, ctx);
  }
}

/**
 * `tongban exchange consumer revoke --client ID --reason TEXT`: a consumer system cut off — its
 * client and every token it holds revoked in one transaction, with an event for the audit trail.
 * Its tokens are refused on this node at once and on every running node within 250 ms (ADR 0029).
 */
export const exchangeConsumerRevokeCommand: CliCommand = {
  name: ['exchange', 'consumer', 'revoke'],
  usage: '--client ID --reason TEXT',
  summary: 'revoke a consumer system: its credentials and every token it holds',
  run(args, ctx) {
    const reason = typeof args.flags.reason === 'string' ? args.flags.reason.trim() : '';
    return changeConsumer(
      'revoke',
      args,
      ctx,
      '--client ID and --reason TEXT are',
      (t, client) => t.exchange.revokeConsumer(client, reason),
      () => reason !== '',
    );
  },
};

/**
 * `tongban exchange consumer rotate --client ID`: a new secret, printed once as
 * `{"client_id","client_secret"}`; the old secret and every token it took are refused.
 */
export const exchangeConsumerRotateCommand: CliCommand = {
  name: ['exchange', 'consumer', 'rotate'],
  usage: '--client ID',
  summary: 'give a consumer system a new secret (prints it); the old one and its tokens are refused',
  run(args, ctx) {
    return changeConsumer('rotate', args, ctx, '--client ID is', async (t, client) => {
      const r = await t.exchange.rotateConsumerSecret(client);
      return { client_id: r.client_id, client_secret: r.client_secret };
    });
  },
};

/**
 * `tongban import register <population|legalPersons|socialInsurance> <file.csv|file.json>`: rows into
 * a base register of the exchange, all or nothing: every bad row is printed with its row number,
 * column and rule (never its values) and nothing is written.
 */
export const importRegisterCommand: CliCommand = {
  name: ['import', 'register'],
  usage: '<population|legalPersons|socialInsurance> <file.csv|file.json> [--format csv|json]',
  summary: 'import rows into a base register of the data-sharing exchange (all or nothing)',
  async run(args, ctx) {
    const [register, file] = args.positional;
    if (!register || !file) {
      ctx.err('tongban import register: give the register and the CSV or JSON file');
      return 2;
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      ctx.err(`tongban import register: cannot read ${file} (${(e as Error).message})`);
      return 2;
    }
    const flag = args.flags.format;
    const format =
      flag === 'json' || flag === 'csv'
        ? flag
        : file.toLowerCase().endsWith('.json') || /^\s*[[{]/.test(text)
          ? 'json'
          : 'csv';
    const t = await ctx.boot();
    try {
      const r = await t.exchange.service.importRegister(null, register, text, format);
      if (r.issues.length) {
        const rows = new Set(r.issues.map((i) => i.row)).size;
        ctx.err(
          `tongban import register: nothing imported; ${r.issues.length} problem(s) in ${rows} row(s):`,
        );
        for (const i of r.issues)
          ctx.err(`  row ${i.row} ${i.field}: ${i.rule} — ${i.message.zh} / ${i.message.en}`);
        return 1;
      }
      ctx.out(`imported ${r.imported} row(s) into ${register}`);
      return 0;
    } catch (e) {
      if (!isDomainError(e) || e.status >= 500) throw e;
      ctx.err(`tongban import register: ${e.code}: ${e.message}`);
      return 2;
    }
  },
};

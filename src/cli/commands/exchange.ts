import { readFile } from 'node:fs/promises';
import { isDomainError } from '../../kernel/index.js';
import type { CliCommand } from '../cli.types.js';

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

import { isDomainError } from '../../kernel/index.js';
import type { CliCommand } from '../cli.types.js';

/**
 * `tongban exchange consumer add --department ID --name NAME`: a client-credentials client bound to
 * a department (a consumer of the data-sharing exchange); prints `{"client_id","client_secret"}`.
 */
export const exchangeConsumerAddCommand: CliCommand = {
  name: ['exchange', 'consumer', 'add'],
  usage: '--department ID --name NAME',
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
      const c = await t.exchange.addConsumer({ departmentId: department, name });
      ctx.out(JSON.stringify({ client_id: c.client_id, client_secret: c.client_secret }));
      return 0;
    } catch (e) {
      if (!isDomainError(e) || e.status >= 500) throw e;
      ctx.err(`tongban exchange consumer add: ${e.code}: ${e.message}`);
      return 2;
    }
  },
};

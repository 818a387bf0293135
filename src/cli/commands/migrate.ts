import type { CliCommand } from '../cli.types.js';

export const migrateCommand: CliCommand = {
  name: ['migrate'],
  summary: 'apply the schema migrations to the configured store, then exit',
  async run(_args, ctx) {
    const t = await ctx.boot({ demo: 'off' });
    ctx.out(`migrated: ${t.modules.map((m) => m.name).join(', ')}`);
    return 0;
  },
};

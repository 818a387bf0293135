import type { CliCommand } from '../cli.types.js';

/**
 * `tongban files reseal`: after raising TONGBAN_FILE_KEY_GENERATION (a key rotation, operations
 * guide), reseals every stored upload under the new generation; prints what it rewrote as JSON.
 * Safe to stop and run again: each file says which generation it is under.
 */
export const filesResealCommand: CliCommand = {
  name: ['files', 'reseal'],
  summary: 'reseal every stored upload under the current key generation (after a key rotation)',
  async run(_args, ctx) {
    const t = await ctx.boot({ demo: 'off' });
    const done = await t.cases.resealFiles();
    ctx.out(JSON.stringify({ generation: ctx.config.fileKeyGeneration, ...done }));
    return 0;
  },
};

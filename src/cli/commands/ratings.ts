import type { CliCommand } from '../cli.types.js';

/**
 * `tongban hotline client add --name NAME [--region PREFIX]`: the 12345 hotline system as a
 * client-credentials client (role `hotline`: it may only forward tickets to
 * `POST /api/v1/complaints/hotline`); prints `{"client_id","client_secret"}`.
 */
export const hotlineClientAddCommand: CliCommand = {
  name: ['hotline', 'client', 'add'],
  usage: '--name NAME [--region PREFIX]',
  summary: 'register the 12345 hotline system that forwards tickets (prints its credentials)',
  async run(args, ctx) {
    const name = args.flags.name;
    const region = args.flags.region;
    if (
      typeof name !== 'string' ||
      !name ||
      (region !== undefined && (typeof region !== 'string' || !/^\d{0,12}$/.test(region)))
    ) {
      ctx.err('tongban hotline client add: --name NAME is required; --region is a division-code prefix');
      return 2;
    }
    const t = await ctx.boot();
    const c = await t.identity.createClient({
      name,
      redirectUris: [],
      grantTypes: ['client_credentials'],
      roles: ['hotline'],
      ...(typeof region === 'string' ? { regionPrefix: region } : {}),
    });
    ctx.out(JSON.stringify({ client_id: c.client_id, client_secret: c.client_secret }));
    return 0;
  },
};

/**
 * `tongban ratings seal-text`: the free text of ratings and complaints still stored in clear
 * (written by a node of the previous release during a rolling deploy) sealed in place; prints how
 * many rows changed. Idempotent; the migration ratings.0002 did the same for the rows before it.
 */
export const ratingsSealTextCommand: CliCommand = {
  name: ['ratings', 'seal-text'],
  usage: '',
  summary: 'seal the free text of ratings and complaints still stored in clear (after a rolling deploy)',
  async run(_args, ctx) {
    const t = await ctx.boot();
    ctx.out(`sealed ${await t.ratings.sealStoredText()} row(s)`);
    return 0;
  },
};

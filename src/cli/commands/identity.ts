import { timingSafeEqual } from 'node:crypto';
import type { CliCommand } from '../cli.types.js';
import { isDomainError } from '../../kernel/index.js';

const sameString = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** `tongban token --user <login> [--hours N] [--operator-key KEY]`: prints a bearer token. */
export const tokenCommand: CliCommand = {
  name: ['token'],
  usage: '--user <login> [--hours N] [--operator-key KEY]',
  summary: 'print a bearer token for an account (production: needs the operator key)',
  async run(args, ctx) {
    const user = args.flags.user;
    if (typeof user !== 'string' || !user) {
      ctx.err('tongban token: --user <login> is required');
      return 2;
    }
    if (ctx.config.env === 'production') {
      const key = args.flags['operator-key'];
      if (!ctx.config.operatorKey || typeof key !== 'string' || !sameString(key, ctx.config.operatorKey)) {
        ctx.err(
          'tongban token: refused in production without the right --operator-key (TONGBAN_OPERATOR_KEY)',
        );
        return 77;
      }
    }
    const hours = typeof args.flags.hours === 'string' ? Number(args.flags.hours) : 24;
    if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 90) {
      ctx.err('tongban token: --hours takes a number between 0 and 2160');
      return 2;
    }
    const t = await ctx.boot();
    try {
      const tok = await t.identity.tokenForLogin(user, hours * 3600_000);
      ctx.out(tok.token);
      return 0;
    } catch {
      ctx.err(`tongban token: no account "${user}"`);
      return 1;
    }
  },
};

/** `tongban oidc client add --name NAME --redirect-uri URI`: prints {"client_id","client_secret"}. */
export const oidcClientAddCommand: CliCommand = {
  name: ['oidc', 'client', 'add'],
  usage: '--name NAME --redirect-uri URI [--redirect-uri URI2] [--client-credentials] [--full-claims]',
  summary: 'register an OIDC relying party (or, with --client-credentials, a machine client)',
  async run(args, ctx) {
    const name = args.flags.name;
    const uri = args.flags['redirect-uri'];
    const machine = args.flags['client-credentials'] === true;
    if (typeof name !== 'string' || (!machine && typeof uri !== 'string')) {
      ctx.err('tongban oidc client add: --name and --redirect-uri are required');
      return 2;
    }
    const t = await ctx.boot();
    try {
      const c = await t.identity.createClient({
        name,
        redirectUris: typeof uri === 'string' ? uri.split(',').map((s) => s.trim()) : [],
        grantTypes: machine ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
        fullClaims: args.flags['full-claims'] === true,
      });
      ctx.out(JSON.stringify({ client_id: c.client_id, client_secret: c.client_secret }));
      return 0;
    } catch (e) {
      // the stable code first, so a script or a search finds the rule that refused it
      ctx.err(`tongban oidc client add: ${isDomainError(e) ? `${e.code}: ` : ''}${(e as Error).message}`);
      return 2;
    }
  },
};

/** `tongban oidc keys rotate`: a new signing key; the previous one stays in the JWKS. */
export const oidcKeysRotateCommand: CliCommand = {
  name: ['oidc', 'keys', 'rotate'],
  summary: 'add a new OIDC signing key (the previous one stays published); restart the other nodes',
  async run(_args, ctx) {
    const t = await ctx.boot();
    ctx.out(JSON.stringify({ kid: await t.identity.rotateOidcSigningKey() }));
    return 0;
  },
};

/** `tongban oidc federation add …`: another region's provider people may sign in with. */
export const oidcFederationAddCommand: CliCommand = {
  name: ['oidc', 'federation', 'add'],
  usage: '--id ID --name NAME --issuer URL --client-id ID --client-secret SECRET',
  summary: "let people sign in with another region's OpenID provider (linked once to a local account)",
  async run(args, ctx) {
    const f = args.flags;
    const get = (k: string) => (typeof f[k] === 'string' ? (f[k] as string) : undefined);
    const [id, name, issuer, clientId, clientSecret] = [
      'id',
      'name',
      'issuer',
      'client-id',
      'client-secret',
    ].map(get);
    if (!id || !name || !issuer || !clientId || !clientSecret) {
      ctx.err(
        'tongban oidc federation add: --id, --name, --issuer, --client-id and --client-secret are required',
      );
      return 2;
    }
    const t = await ctx.boot();
    try {
      const { redirectUri } = await t.identity.addFederationProvider({
        id,
        name,
        issuer,
        clientId,
        clientSecret,
      });
      ctx.out(JSON.stringify({ id, redirect_uri: redirectUri }));
      return 0;
    } catch (e) {
      ctx.err(`tongban oidc federation add: ${(e as Error).message}`);
      return 2;
    }
  },
};

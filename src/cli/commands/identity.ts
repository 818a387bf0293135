import type { TongbanApp } from '../../app.js';
import { isDomainError } from '../../kernel/index.js';
import { ROLES } from '../../modules/identity/index.js';
import type { CliCommand, CliContext, ParsedArgs } from '../cli.types.js';
import { flag, operatorKeyRefusal, refusal } from './guard.js';

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
    const refused = operatorKeyRefusal('token', args, ctx);
    if (refused !== undefined) return refused;
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
    } catch (e) {
      if (isDomainError(e) && e.code === 'IDENTITY.ACCOUNT_DISABLED') return refusal('token', e, ctx);
      ctx.err(`tongban token: no account "${user}"`);
      return 1;
    }
  },
};

/** The login and reason every account command needs, or the exit code of a usage error. */
function loginAndReason(
  command: string,
  args: ParsedArgs,
  ctx: CliContext,
): { login: string; reason: string } | number {
  const login = flag(args, 'login')?.trim();
  const reason = flag(args, 'reason')?.trim();
  if (!login || !reason) {
    ctx.err(
      `tongban ${command}: --login <login> and --reason <text> are required (the reason is kept in the account's history)`,
    );
    return 2;
  }
  return { login, reason };
}

/** The account id of a login, or the exit code after saying there is none. */
async function accountOf(
  command: string,
  t: TongbanApp,
  login: string,
  ctx: CliContext,
): Promise<string | number> {
  const id = await t.identity.accountIdByLogin(login);
  if (id) return id;
  ctx.err(`tongban ${command}: IDENTITY.NOT_FOUND: no account "${login}"`);
  return 1;
}

/**
 * `tongban account disable --login L --reason R`: ends every session, bearer token, OIDC grant
 * and reset link of the account at once and refuses its sign-ins; the account keeps its data.
 */
export const accountDisableCommand: CliCommand = {
  name: ['account', 'disable'],
  usage: '--login <login> --reason <text> [--operator-key KEY]',
  summary: 'disable an account: its sessions and tokens end at once (production: needs the operator key)',
  async run(args, ctx) {
    const input = loginAndReason('account disable', args, ctx);
    if (typeof input === 'number') return input;
    const refused = operatorKeyRefusal('account disable', args, ctx);
    if (refused !== undefined) return refused;
    const t = await ctx.boot();
    const id = await accountOf('account disable', t, input.login, ctx);
    if (typeof id === 'number') return id;
    try {
      const r = await t.identity.service.disableAccount('operator', id, input.reason, 'cli');
      ctx.out(JSON.stringify({ login: input.login, ...r }));
      return 0;
    } catch (e) {
      return refusal('account disable', e, ctx);
    }
  },
};

/** `tongban account enable --login L --reason R`: the account may sign in again (afresh). */
export const accountEnableCommand: CliCommand = {
  name: ['account', 'enable'],
  usage: '--login <login> --reason <text> [--operator-key KEY]',
  summary: 'enable a disabled account again (production: needs the operator key)',
  async run(args, ctx) {
    const input = loginAndReason('account enable', args, ctx);
    if (typeof input === 'number') return input;
    const refused = operatorKeyRefusal('account enable', args, ctx);
    if (refused !== undefined) return refused;
    const t = await ctx.boot();
    const id = await accountOf('account enable', t, input.login, ctx);
    if (typeof id === 'number') return id;
    try {
      const r = await t.identity.service.enableAccount('operator', id, input.reason, 'cli');
      ctx.out(JSON.stringify({ login: input.login, ...r }));
      return 0;
    } catch (e) {
      return refusal('account enable', e, ctx);
    }
  },
};

/**
 * `tongban grant revoke --login L --role ROLE --region PREFIX [--department ID] --reason R`, or
 * `--grant ID` instead of the role and scope: revokes the account's grants that match exactly.
 */
export const grantRevokeCommand: CliCommand = {
  name: ['grant', 'revoke'],
  usage:
    '--login <login> (--role ROLE --region PREFIX [--department ID] | --grant ID) --reason <text> [--operator-key KEY]',
  summary:
    "revoke a staff account's grant; it gives nothing from the next request on (production: operator key)",
  async run(args, ctx) {
    const input = loginAndReason('grant revoke', args, ctx);
    if (typeof input === 'number') return input;
    const grantId = flag(args, 'grant');
    const role = flag(args, 'role');
    const region = flag(args, 'region');
    const department = flag(args, 'department');
    const byScope = role !== undefined || region !== undefined || department !== undefined;
    if (grantId ? byScope : role === undefined || region === undefined) {
      ctx.err(
        'tongban grant revoke: name the grant either by --grant ID, or by --role ROLE --region PREFIX [--department ID] (--region "" is the whole platform)',
      );
      return 2;
    }
    if (!grantId && (!(ROLES as readonly string[]).includes(role!) || !/^\d{0,12}$/.test(region!))) {
      ctx.err(
        `tongban grant revoke: unknown role "${role}" or region prefix "${region}" (roles: ${ROLES.join(', ')})`,
      );
      return 2;
    }
    const refused = operatorKeyRefusal('grant revoke', args, ctx);
    if (refused !== undefined) return refused;
    const t = await ctx.boot();
    const id = await accountOf('grant revoke', t, input.login, ctx);
    if (typeof id === 'number') return id;
    try {
      const grants = (await t.identity.service.adminAccountView('operator', id)).grants.filter((g) =>
        grantId
          ? g.id === grantId
          : g.role === role && g.regionPrefix === region && g.departmentId === (department ?? null),
      );
      if (grants.length === 0) {
        ctx.err(
          `tongban grant revoke: IDENTITY.GRANT_NOT_FOUND: "${input.login}" holds no such grant in force`,
        );
        return 1;
      }
      for (const g of grants) await t.identity.service.revokeGrant('operator', id, g.id, input.reason, 'cli');
      ctx.out(JSON.stringify({ login: input.login, revoked: grants.map((g) => g.id) }));
      return 0;
    } catch (e) {
      return refusal('grant revoke', e, ctx);
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

import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConfigError } from '../../config/index.js';
import type { Principal } from '../../platform/access.js';
import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import { createPersonalDataCipher } from '../../platform/privacy/index.js';
import {
  DEMO_GRID_REGION,
  DEMO_ORGANIZATION,
  DEMO_PASSWORD,
  DEMO_PEOPLE,
  DEMO_STAFF,
} from './identity.demo.js';
import './identity.errors.js';
import { identityMessages } from './identity.messages.js';
import { identityRoutes, SESSION_COOKIE } from './identity.routes.js';
import {
  type BatchNotifier,
  batchNotifier,
  createIdentityService,
  devMailboxNotifier,
  type LegalPersonRegister,
  type Notifier,
  type RealNameVerifier,
} from './identity.service.js';
import { noLegalPersonRegister } from './identity.legalpersons.js';
import { identityMigrations, setAccountRegion } from './identity.store.js';
import { addSigningKey, createOidcProvider, releasedClaims } from './identity.oidc.js';
import { oidcRoutes } from './identity.oidc.routes.js';
import { createFederation } from './identity.federation.js';
import { federationRoutes } from './identity.federation.routes.js';
import type { Provider } from 'oidc-provider';
import { demoRegisterVerifier, httpRealNameVerifier } from './identity.verifier.js';

export {
  PERMISSIONS,
  ROLES,
  ROLE_PERMISSIONS,
  ALL_PERMISSIONS,
  type Permission,
  type Role,
} from './identity.permissions.js';
export {
  DEMO_PEOPLE,
  DEMO_ORGANIZATION,
  DEMO_LEGAL_PERSONS,
  DEMO_STAFF,
  DEMO_PASSWORD,
  DEMO_POPULATION_REGISTER,
  DEMO_GRID_REGION,
} from './identity.demo.js';
export {
  demoLegalPersonRegister,
  listLegalPersonRegister,
  noLegalPersonRegister,
} from './identity.legalpersons.js';
export type {
  AccountView,
  BatchNotifier,
  LegalPerson,
  LegalPersonRegister,
  Notifier,
  RealNameVerifier,
} from './identity.service.js';
export type { RealNameLevel } from './identity.types.js';

/**
 * What identity needs from the regions module (a subset of its RegionsApi): the ids of the
 * departments and halls of the demo staff. Without it staff carry region scopes only.
 */
export interface IdentityRegionsPort {
  departmentByKind(regionCode: string, kind: string): Promise<{ readonly id: string } | undefined>;
  hallsNear(regionCode: string): Promise<ReadonlyArray<{ readonly id: string; readonly regionCode: string }>>;
}

export interface IdentityOptions {
  regions?: IdentityRegionsPort;
  /** default: the dev mailbox outside production; a log line (no content) in production */
  notifier?: Notifier;
  /**
   * default: the HTTP adapter to TONGBAN_REALNAME_VERIFIER_URL when configured, else (outside
   * production only) the demo population register
   */
  verifier?: RealNameVerifier;
  /**
   * the legal-person register (法人库) a legal representative is matched against; default: none
   * (organisations are then verified in person only). app.ts adapts the demo register now, the
   * exchange's 法人库 later.
   */
  legalPersons?: LegalPersonRegister;
}

/**
 * Which verifier answers L2 checks. Production never runs on the demo register — it would verify
 * any real person who typed the demo's factors, and nobody else: loadConfig already refuses a
 * production start without TONGBAN_REALNAME_VERIFIER_URL; this refuses the demo verifier however
 * it arrives.
 */
function chooseVerifier(
  config: PlatformDeps['config'],
  given: RealNameVerifier | undefined,
): RealNameVerifier {
  const v =
    given ??
    (config.realNameVerifier ? httpRealNameVerifier(config.realNameVerifier) : demoRegisterVerifier());
  if (config.env === 'production' && v.demo)
    throw new ConfigError(
      'TONGBAN_REALNAME_VERIFIER_URL',
      'is required in production: the demo population register verifies the demo city only',
    );
  return v;
}

/**
 * Identity and access: accounts (自然人, 法人 and their 经办人, staff), real-name levels L1–L3,
 * 委托代办, sessions and bearer tokens, roles scoped by region + department. The first module with
 * `authenticate`, so app.ts resolves every request's Principal here.
 */
export function createIdentityModule(deps: PlatformDeps, opts: IdentityOptions = {}) {
  const cipher = createPersonalDataCipher(deps.config.secretKey);
  const notifier: BatchNotifier = batchNotifier(
    opts.notifier ??
      (deps.config.env === 'production'
        ? {
            // no SMS gateway configured: say so in the log, without the message or the number
            async send(_db, n) {
              deps.log.warn(
                { channel: n.channel, subject: n.subject },
                'notification not sent: no gateway configured',
              );
            },
          }
        : devMailboxNotifier(deps.clock)),
  );
  const service = createIdentityService({
    store: deps.store,
    clock: deps.clock,
    config: deps.config,
    cipher,
    notifier,
    verifier: chooseVerifier(deps.config, opts.verifier),
    legalPersons: opts.legalPersons ?? noLegalPersonRegister,
  });

  async function authenticate(req: FastifyRequest, reply: FastifyReply): Promise<Principal | undefined> {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return service.resolveBearer(auth.slice(7).trim());
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (!cookie) return undefined;
    const p = await service.resolveSession(cookie);
    if (!p) reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return p;
  }

  function nav(p: Principal | undefined): ReadonlyArray<{ href: string; labelKey: string }> {
    if (!p) return [];
    const has = (perm: string) => p.grants.some((g) => g.permissions.includes(perm));
    const links: Array<{ href: string; labelKey: string }> = [];
    if (has('cases.readOwn')) links.push({ href: '/cases', labelKey: 'nav.myCases' });
    if (has('licences.readOwn')) links.push({ href: '/licences', labelKey: 'nav.licences' });
    if (has('workbench.view')) links.push({ href: '/workbench', labelKey: 'nav.workbench' });
    if (has('identity.verifyInPerson'))
      links.push({ href: '/staff/verify-in-person', labelKey: 'identity.nav.inPerson' });
    if (has('identity.manage')) links.push({ href: '/admin/accounts', labelKey: 'identity.nav.accounts' });
    if (has('identity.verifyOrganization'))
      links.push({ href: '/staff/organizations', labelKey: 'identity.nav.organizations' });
    if (p.kind !== 'client') links.push({ href: '/account', labelKey: 'identity.nav.account' });
    return links;
  }

  async function seedDemo(): Promise<void> {
    const citizen = await service.register({
      kind: 'person',
      login: 'citizen',
      password: DEMO_PASSWORD,
      name: DEMO_PEOPLE.citizen.name,
      idNumber: DEMO_PEOPLE.citizen.idNumber,
      mobile: DEMO_PEOPLE.citizen.mobile,
    });
    await service.verifyRealName(citizen.id, {
      mobile: DEMO_PEOPLE.citizen.mobile,
      bankCard: DEMO_PEOPLE.citizen.bankCard,
    });
    // 赵六, the demo companies' legal representative, confirms the `enterprise` account (L2)
    const legalRep = await service.register({
      kind: 'person',
      login: 'legalrep',
      password: DEMO_PASSWORD,
      name: DEMO_PEOPLE.legalRepresentative.name,
      idNumber: DEMO_PEOPLE.legalRepresentative.idNumber,
      mobile: DEMO_PEOPLE.legalRepresentative.mobile,
    });
    await service.verifyRealName(legalRep.id, {
      mobile: DEMO_PEOPLE.legalRepresentative.mobile,
      bankCard: DEMO_PEOPLE.legalRepresentative.bankCard,
    });
    const enterprise = await service.register({
      kind: 'organization',
      login: 'enterprise',
      password: DEMO_PASSWORD,
      name: DEMO_ORGANIZATION.name,
      creditCode: DEMO_ORGANIZATION.creditCode,
      legalRepresentative: DEMO_ORGANIZATION.legalRepresentative,
      agentName: DEMO_PEOPLE.enterpriseAgent.name,
      agentIdNumber: DEMO_PEOPLE.enterpriseAgent.idNumber,
      agentMobile: DEMO_PEOPLE.enterpriseAgent.mobile,
    });
    const rep = await service.principalForAccount(legalRep.id);
    if (rep) await service.confirmOrganization(rep, enterprise.id);
    for (const s of DEMO_STAFF) {
      const dept = s.department
        ? await opts.regions?.departmentByKind(s.department.regionCode, s.department.kind)
        : undefined;
      const departmentId = dept?.id ?? null;
      const halls = s.hallRegionCode ? ((await opts.regions?.hallsNear(s.hallRegionCode)) ?? []) : [];
      const hallId = halls.find((h) => h.regionCode === s.hallRegionCode)?.id ?? null;
      await service.createStaff({
        login: s.login,
        name: s.name,
        password: DEMO_PASSWORD,
        mobile: s.mobile,
        regionCode: s.regionPrefix || '410100',
        departmentId,
        hallId,
        grants: [{ role: s.role, regionPrefix: s.regionPrefix, departmentId }],
      });
    }
    // 帮办代办: 孙秀英, an elderly resident of 体育社区 (her address there, not only her ID number's
    // county), L2, gives the community's 网格员 a 委托 for every item for a year
    const elder = await service.register({
      kind: 'person',
      login: 'elder',
      password: DEMO_PASSWORD,
      name: DEMO_PEOPLE.elderly.name,
      idNumber: DEMO_PEOPLE.elderly.idNumber,
      mobile: DEMO_PEOPLE.elderly.mobile,
    });
    await service.verifyRealName(elder.id, {
      mobile: DEMO_PEOPLE.elderly.mobile,
      bankCard: DEMO_PEOPLE.elderly.bankCard,
    });
    await setAccountRegion(deps.store.db, elder.id, DEMO_GRID_REGION, deps.clock.now().toISOString());
    const elderly = await service.principalForAccount(elder.id);
    if (elderly)
      await service.createDelegation(elderly, {
        agentLogin: 'grid-worker',
        scopes: ['*'],
        validTo: new Date(deps.clock.now().getTime() + 365 * 86_400_000).toISOString(),
      });
  }

  const federation = createFederation({ db: deps.store.db, clock: deps.clock, config: deps.config, cipher });

  // the OIDC provider is built at its first use (it may create the first signing key)
  let provider: Promise<Provider> | undefined;
  const getProvider = () => {
    provider ??= createOidcProvider({ db: deps.store.db, clock: deps.clock, config: deps.config, cipher });
    return provider;
  };

  const definition: ModuleDefinition = {
    name: 'identity',
    migrations: identityMigrations,
    messages: identityMessages,
    async routes(app, site) {
      identityRoutes(app, service, deps.config, federation, { mailbox: site.devTools });
      federationRoutes(app, service, federation, deps.config);
      await oidcRoutes(app, service, getProvider, deps.config.env === 'production', (accountId, clientId) =>
        releasedClaims(deps.store.db, cipher, accountId, clientId),
      );
    },
    seedDemo,
    authenticate,
    nav,
  };

  /** The face other modules use. */
  const api = {
    /** where messages to people go (SMS gateway in production, the dev mailbox elsewhere); cases notifies through it */
    notifier,
    /** 委托代办: whether `agentId` may act for `principalId` now (for the item, when given) */
    mayActFor: service.mayActFor,
    /** the live delegation (id, the principal's region) under which an agent acts for a principal */
    delegationFor: service.delegationFor,
    /** the principals with a live delegation to an agent (a grid worker's residents) */
    delegatorsOf: service.delegatorsOf,
    /** the unmasked identity of an account, for a use the caller is allowed (filling a form) */
    personalData: service.personalData,
    /** an account's mobile number alone, for a notice to it (undefined: no such account) */
    contactOf: service.contactOf,
    /** the mobiles of several accounts in one read (an outbox consumer's batch): id → contact */
    contactsOf: service.contactsOf,
    accountView: service.accountView,
    accountIdByIdNumber: service.accountIdByIdNumber,
    accountIdByLogin: service.accountIdByLogin,
    principalForAccount: service.principalForAccount,
    /** bearer token for an account (CLI, tests) */
    tokenForLogin: service.tokenForLogin,
    createClient: service.createClient,
    /** cuts a machine client off: the client and every token it holds (issue 12) */
    revokeClient: service.revokeClient,
    /** a machine client's new secret; the old one and its tokens are refused */
    rotateClientSecret: service.rotateClientSecret,
    /** when each client was revoked (null: in force) */
    clientsRevokedAt: service.clientsRevokedAt,
    /**
     * JWKS key rotation: a new key signs from now on (on this node at once, on others after their
     * next start); the previous key stays published so its tokens still verify.
     */
    async rotateOidcSigningKey(): Promise<string> {
      const kid = await addSigningKey(deps.store.db, cipher, deps.clock);
      provider = undefined;
      return kid;
    },
    /**
     * federation: another region's OpenID provider people may sign in with; answers the redirect
     * URI to register with that provider
     */
    addFederationProvider: (p: {
      id: string;
      name: string;
      issuer: string;
      clientId: string;
      clientSecret: string;
    }) => federation.addProvider(p, null),
    service,
  };
  return { definition, api };
}

export type IdentityApi = ReturnType<typeof createIdentityModule>['api'];

import type { Principal } from '../../platform/access.js';
import type { Executor } from '../../platform/db/index.js';
import type { AdminActor } from './identity.access.js';
import * as accounts from './identity.accounts.js';
import type {
  AccountView,
  GrantInput,
  PersonalData,
  RegistrationStarted,
  StaffInput,
} from './identity.accounts.js';
import * as admin from './identity.admin.js';
import type { AccountHistoryEntry, AdminAccountView, AdminVia, DisableResult } from './identity.admin.js';
import * as clients from './identity.clients.js';
import type { ClientInput } from './identity.clients.js';
import * as clientRevocation from './identity.clients.revoke.js';
import { type IdentityServiceDeps, identityContext } from './identity.context.js';
import * as credentials from './identity.credentials.js';
import * as delegation from './identity.delegation.js';
import type { DelegationView, Delegator } from './identity.delegation.js';
import * as mailbox from './identity.mailbox.js';
import * as organizations from './identity.organizations.js';
import type { CreditCodeHolders, OrganizationStatus, PendingOrganization } from './identity.organizations.js';
import * as principal from './identity.principal.js';
import * as realname from './identity.realname.js';
import * as signin from './identity.signin.js';
import * as signout from './identity.signout.js';
import type { NewSession, SignedIn } from './identity.signin.js';
import { type AccountRow, type ClientRow, type NotificationRow, clientsRevokedAt } from './identity.store.js';
import * as tokens from './identity.tokens.js';
import type { NewToken } from './identity.tokens.js';
import type { InPersonCheckInput, RealNameFactors, RealNameLevel, Registration } from './identity.types.js';

export {
  type IdentityServiceDeps,
  type LegalPerson,
  type LegalPersonRegister,
  type Notification,
  type Notifier,
  POLICY,
  type RealNameVerifier,
} from './identity.context.js';
export type { AdminActor } from './identity.access.js';
export type {
  CreditCodeHolders,
  OrganizationState,
  OrganizationStatus,
  PendingOrganization,
} from './identity.organizations.js';
export type { AccountView, PersonalData } from './identity.accounts.js';
export type {
  AccountHistoryEntry,
  AdminAccountView,
  AdminVia,
  DisableResult,
  GrantView,
} from './identity.admin.js';
export type { DelegationView, Delegator } from './identity.delegation.js';
export { devMailboxNotifier } from './identity.mailbox.js';
export { type BatchNotifier, batchNotifier } from './identity.context.js';

/**
 * What identity offers the routes and the module's public face. Each method is one use case in
 * its own file (identity.accounts, .admin, .signin, .signout, .principal, .tokens, .clients,
 * .credentials, .realname, .organizations, .delegation, .mailbox), called with the module's context.
 */
export interface IdentityService {
  register(input: Registration): Promise<AccountView>;
  startRegistration(input: Registration): Promise<RegistrationStarted>;
  confirmRegistration(registrationId: string, code: string): Promise<AccountView>;
  createStaff(input: StaffInput): Promise<string>;
  addGrant(actor: Principal, accountId: string, g: GrantInput): Promise<void>;
  disableAccount(
    actor: AdminActor,
    accountId: string,
    reason: unknown,
    via: AdminVia,
  ): Promise<DisableResult>;
  enableAccount(
    actor: AdminActor,
    accountId: string,
    reason: unknown,
    via: AdminVia,
  ): Promise<{ status: 'active' }>;
  revokeGrant(
    actor: AdminActor,
    accountId: string,
    grantId: string,
    reason: unknown,
    via: AdminVia,
  ): Promise<void>;
  adminAccountView(actor: AdminActor, accountId: string): Promise<AdminAccountView>;
  findAccount(actor: AdminActor, login: string): Promise<string | undefined>;
  staffInReach(actor: AdminActor): Promise<Array<AccountView & { status: 'active' | 'disabled' }>>;
  accountHistory(accountId: string): Promise<AccountHistoryEntry[]>;
  signInWithPassword(
    login: string,
    password: string,
    address: string,
    opens: 'session' | 'token',
  ): Promise<SignedIn>;
  createSession(accountId: string): Promise<NewSession>;
  resolveSession(cookie: string): Promise<Principal | undefined>;
  sessionSignedInAt(sessionId: string): Promise<Date | undefined>;
  endSession(sessionId: string): Promise<void>;
  endProviderSession(providerSessionId: string): Promise<void>;
  providerSessionAccount(providerSessionId: string): Promise<string | undefined>;
  endAllSessions(accountId: string): Promise<number>;
  issueToken(
    kind: 'cli' | 'api' | 'client',
    owner: { accountId?: string; clientId?: string },
    ttlMs: number,
  ): Promise<NewToken>;
  resolveBearer(token: string): Promise<Principal | undefined>;
  tokenForLogin(login: string, ttlMs?: number): Promise<NewToken>;
  createClient(input: ClientInput): Promise<{ client_id: string; client_secret: string }>;
  clientById(clientId: string): Promise<ClientRow | undefined>;
  clientCredentialsToken(clientId: string, secret: string): Promise<NewToken>;
  revokeClient(
    clientId: string,
    reason: unknown,
    opts?: { actor?: string | null; regionCode?: string | null },
  ): Promise<clientRevocation.ClientRevoked>;
  rotateClientSecret(
    clientId: string,
    opts?: { actor?: string | null; regionCode?: string | null },
  ): Promise<{ client_id: string; client_secret: string; tokensRevoked: number }>;
  clientsRevokedAt(clientIds: readonly string[]): Promise<Map<string, string | null>>;
  changePassword(accountId: string, current: string, next: string, keepSessionId?: string): Promise<void>;
  requestPasswordReset(login: string, mobile: string): Promise<void>;
  resetPassword(token: string, next: string): Promise<void>;
  resetTokenValid(token: string): Promise<boolean>;
  verifyRealName(accountId: string, factors: RealNameFactors): Promise<RealNameLevel>;
  issueInPersonCode(accountId: string): Promise<{ code: string; expiresAt: string }>;
  verifyInPerson(clerk: Principal, input: InPersonCheckInput): Promise<void>;
  organizationStatus(accountId: string): Promise<OrganizationStatus | undefined>;
  pendingConfirmations(p: Principal): Promise<PendingOrganization[]>;
  confirmOrganization(p: Principal, organizationId: string): Promise<{ level: number }>;
  creditCodeHolders(clerk: Principal, creditCode: string): Promise<CreditCodeHolders>;
  verifyOrganizationInPerson(
    clerk: Principal,
    organizationId: string,
    input: { creditCode: string; dispute?: boolean | undefined },
  ): Promise<{ level: number }>;
  createDelegation(
    principal: Principal,
    input: { agentLogin: string; scopes: string[]; validTo: string },
  ): Promise<string>;
  revokeDelegation(principal: Principal, id: string): Promise<void>;
  mayActFor(agentId: string, principalId: string, itemCode?: string): Promise<boolean>;
  delegationFor(
    agentId: string,
    principalId: string,
    itemCode?: string,
  ): Promise<{ id: string; regionCode: string | null } | undefined>;
  delegatorsOf(agentId: string): Promise<Delegator[]>;
  delegationsOf(accountId: string): Promise<DelegationView[]>;
  accountView(accountId: string): Promise<AccountView | undefined>;
  staffList(): Promise<AccountView[]>;
  personalData(accountId: string, within?: Executor): Promise<PersonalData | undefined>;
  contactOf(accountId: string, within?: Executor): Promise<{ mobile: string | null } | undefined>;
  contactsOf(
    accountIds: readonly string[],
    within?: Executor,
  ): Promise<Map<string, { mobile: string | null }>>;
  accountIdByIdNumber(idNumber: string): Promise<string | undefined>;
  accountIdByLogin(login: string): Promise<string | undefined>;
  principalForAccount(accountId: string): Promise<Principal | undefined>;
  principalOf(a: AccountRow, via: Principal['via'], sessionId?: string): Promise<Principal>;
  notifications(limit?: number): Promise<NotificationRow[]>;
}

/** The service: the use cases bound to one context. */
export function createIdentityService(deps: IdentityServiceDeps): IdentityService {
  const ctx = identityContext(deps);
  return {
    register: (input) => accounts.register(ctx, input),
    startRegistration: (input) => accounts.startRegistration(ctx, input),
    confirmRegistration: (registrationId, code) => accounts.confirmRegistration(ctx, registrationId, code),
    createStaff: (input) => accounts.createStaff(ctx, input),
    addGrant: (actor, accountId, g) => accounts.addGrant(ctx, actor, accountId, g),
    disableAccount: (actor, accountId, reason, via) =>
      admin.disableAccount(ctx, actor, accountId, reason, via),
    enableAccount: (actor, accountId, reason, via) => admin.enableAccount(ctx, actor, accountId, reason, via),
    revokeGrant: (actor, accountId, grantId, reason, via) =>
      admin.revokeGrant(ctx, actor, accountId, grantId, reason, via),
    adminAccountView: (actor, accountId) => admin.adminAccountView(ctx, actor, accountId),
    findAccount: (actor, login) => admin.findAccount(ctx, actor, login),
    staffInReach: (actor) => admin.staffInReach(ctx, actor),
    accountHistory: (accountId) => admin.accountHistory(ctx, accountId),
    signInWithPassword: (login, password, address, opens) =>
      signin.signInWithPassword(ctx, login, password, address, opens),
    createSession: (accountId) => signin.createSession(ctx, accountId),
    resolveSession: (cookie) => principal.resolveSession(ctx, cookie),
    sessionSignedInAt: (sessionId) => signin.sessionSignedInAt(ctx, sessionId),
    endSession: (sessionId) => signout.endSession(ctx, sessionId),
    endProviderSession: (id) => signout.endProviderSession(ctx, id),
    providerSessionAccount: (id) => signout.providerSessionAccount(ctx, id),
    endAllSessions: (accountId) => signout.endAllSessions(ctx, accountId),
    issueToken: (kind, owner, ttlMs) => tokens.issueToken(ctx, kind, owner, ttlMs),
    resolveBearer: (token) => principal.resolveBearer(ctx, token),
    tokenForLogin: (login, ttlMs) => tokens.tokenForLogin(ctx, login, ttlMs),
    createClient: (input) => clients.createClient(ctx, input),
    clientById: (clientId) => clients.clientById(ctx, clientId),
    clientCredentialsToken: (clientId, secret) => clients.clientCredentialsToken(ctx, clientId, secret),
    revokeClient: (clientId, reason, opts) => clientRevocation.revokeClient(ctx, clientId, reason, opts),
    rotateClientSecret: (clientId, opts) => clientRevocation.rotateClientSecret(ctx, clientId, opts),
    clientsRevokedAt: (clientIds) => clientsRevokedAt(ctx.db, clientIds),
    changePassword: (accountId, current, next, keepSessionId) =>
      credentials.changePassword(ctx, accountId, current, next, keepSessionId),
    requestPasswordReset: (login, mobile) => tokens.requestPasswordReset(ctx, login, mobile),
    resetPassword: (token, next) => credentials.resetPassword(ctx, token, next),
    resetTokenValid: (token) => tokens.resetTokenValid(ctx, token),
    verifyRealName: (accountId, factors) => realname.verifyRealName(ctx, accountId, factors),
    issueInPersonCode: (accountId) => realname.issueInPersonCode(ctx, accountId),
    verifyInPerson: (clerk, input) => realname.verifyInPerson(ctx, clerk, input),
    organizationStatus: (accountId) => organizations.organizationStatus(ctx, accountId),
    pendingConfirmations: (p) => organizations.pendingConfirmations(ctx, p),
    confirmOrganization: (p, organizationId) =>
      organizations.confirmByLegalRepresentative(ctx, p, organizationId),
    creditCodeHolders: (clerk, creditCode) => organizations.creditCodeHolders(ctx, clerk, creditCode),
    verifyOrganizationInPerson: (clerk, organizationId, input) =>
      organizations.verifyOrganizationInPerson(ctx, clerk, organizationId, input),
    createDelegation: (p, input) => delegation.createDelegation(ctx, p, input),
    revokeDelegation: (p, id) => delegation.revokeDelegation(ctx, p, id),
    mayActFor: (agentId, principalId, itemCode) => delegation.mayActFor(ctx, agentId, principalId, itemCode),
    delegationsOf: (accountId) => delegation.delegationsOf(ctx, accountId),
    delegationFor: (agentId, principalId, itemCode) =>
      delegation.delegationFor(ctx, agentId, principalId, itemCode),
    delegatorsOf: (agentId) => delegation.delegatorsOf(ctx, agentId),
    accountView: (accountId) => accounts.accountView(ctx, accountId),
    staffList: () => accounts.staffList(ctx),
    personalData: (accountId, within) => accounts.personalData(ctx, accountId, within),
    contactOf: (accountId, within) => accounts.contactOf(ctx, accountId, within),
    contactsOf: (accountIds, within) => accounts.contactsOf(ctx, accountIds, within),
    accountIdByIdNumber: (idNumber) => accounts.accountIdByIdNumber(ctx, idNumber),
    accountIdByLogin: (login) => accounts.accountIdByLogin(ctx, login),
    principalForAccount: (accountId) => principal.principalForAccount(ctx, accountId),
    principalOf: (a, via, sessionId) => principal.principalOf(ctx, a, via, sessionId),
    notifications: (limit) => mailbox.notifications(ctx, limit),
  };
}

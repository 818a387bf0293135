import type { Clock } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import type { WorkingCalendar } from '../../platform/calendar/index.js';
import type { Store } from '../../platform/db/index.js';
import type { PersonalDataCipher } from '../../platform/privacy/index.js';
import { caseDataAccess, myDataAccess, raiseObjection, reportError } from './exchange.access.js';
import {
  editResource,
  getResource,
  managesResource,
  publishResource,
  resourceHistory,
  resourceVersions,
  searchResources,
} from './exchange.catalogue.js';
import type { ExchangeContext } from './exchange.context.js';
import {
  addConsumer,
  listConsumers,
  revokeConsumer,
  rotateConsumerSecret,
  decideRequest,
  getGrant,
  getRequest,
  requestClock,
  requestResource,
  requestsForProvider,
  setGrantStatus,
} from './exchange.grants.js';
import { importRegister } from './exchange.import.js';
import { exportBulk, lookup } from './exchange.lookup.js';
import { answerObjection, correctionsForConsumer, objectionsForProvider } from './exchange.objections.js';
import { providerDashboard } from './exchange.dashboard.js';
import {
  WebhookInput,
  deliverNotices,
  noticesForConsumer,
  noticesOfDepartment,
  setOwnWebhook,
} from './exchange.notices.js';
import type { Logger } from '../../platform/log.js';
import { DomainError } from '../../kernel/index.js';
import type { ExchangePorts } from './exchange.ports.js';
import { seedDemo } from './exchange.seed.js';
import type { GrantStatus } from './exchange.types.js';

export interface ExchangeServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly cipher: PersonalDataCipher;
  readonly calendar: Pick<WorkingCalendar, 'dueDate' | 'workingDaysBetween'>;
  readonly ports: ExchangePorts;
}

/** The exchange's use cases bound to their context. */
export function createExchangeService(deps: ExchangeServiceDeps) {
  const ctx: ExchangeContext = {
    db: deps.store.db,
    clock: deps.clock,
    cipher: deps.cipher,
    calendar: deps.calendar,
    ports: deps.ports,
  };
  // group commits of concurrent lookups (ADR 0015); the bench turns them off to compare
  let groupCommits = true;
  return {
    ctx,
    /** bench only: one transaction per lookup instead of grouped commits */
    setGroupCommits(on: boolean) {
      groupCommits = on;
    },
    publishResource: (p: Principal | null, raw: unknown) => publishResource(ctx, p, raw),
    searchResources: (q: Parameters<typeof searchResources>[1]) => searchResources(ctx, q),
    getResource: (code: string) => getResource(ctx, code),
    resourceVersions: (id: string) => resourceVersions(ctx, id),
    resourceHistory: (id: string) => resourceHistory(ctx, id),
    editResource: (p: Principal, code: string, raw: unknown) => editResource(ctx, p, code, raw),
    managesResource,
    /** a consumer system of a department, with the https webhook its 校核纠错 notices are posted to */
    addConsumer: (input: { departmentId: string; name: string; webhookUrl?: string | undefined }) => {
      if (input.webhookUrl !== undefined && !WebhookInput.safeParse({ url: input.webhookUrl }).success)
        throw new DomainError('EXCHANGE.INVALID', { details: { issues: [{ field: 'url', rule: 'https' }] } });
      return addConsumer(ctx, input);
    },
    listConsumers: () => listConsumers(ctx),
    revokeConsumer: (clientId: string, reason: string) => revokeConsumer(ctx, clientId, reason),
    rotateConsumerSecret: (clientId: string) => rotateConsumerSecret(ctx, clientId),
    setOwnWebhook: (p: Principal, raw: unknown) => setOwnWebhook(ctx, p, raw),
    noticesOfDepartment: (p: Principal, departmentId: string) => noticesOfDepartment(ctx, p, departmentId),
    noticesForConsumer: (p: Principal) => noticesForConsumer(ctx, p),
    /** posts the 校核纠错 notices due to consumer webhooks (the timer's work; tests call it) */
    deliverNotices: (log: Pick<Logger, 'warn'>, fetchImpl?: typeof fetch) =>
      deliverNotices(ctx, log, fetchImpl),
    requestResource: (p: Principal, raw: unknown) => requestResource(ctx, p, raw),
    getRequest: (id: string) => getRequest(ctx, id),
    requestClock: (r: Awaited<ReturnType<typeof getRequest>>) => requestClock(ctx, r),
    decideRequest: (p: Principal, id: string, raw: unknown) => decideRequest(ctx, p, id, raw),
    requestsForProvider: (departmentId: string) => requestsForProvider(ctx, departmentId),
    getGrant: (id: string) => getGrant(ctx, id),
    setGrantStatus: (p: Principal, id: string, status: GrantStatus, reason: string) =>
      setGrantStatus(ctx, p, id, status, reason),
    lookup: (p: Principal, raw: unknown) => lookup(ctx, p, raw, { groupCommits }),
    exportBulk: (p: Principal, raw: unknown) => exportBulk(ctx, p, raw),
    myDataAccess: (p: Principal) => myDataAccess(ctx, p),
    caseDataAccess: (caseNumber: string) => caseDataAccess(ctx, caseNumber),
    raiseObjection: (p: Principal, accessId: string, text: string) => raiseObjection(ctx, p, accessId, text),
    reportError: (p: Principal, accessId: string, input: { key: string; text: string }) =>
      reportError(ctx, p, accessId, input),
    seedDemo: () => seedDemo(ctx),
    importRegister: (p: Principal | null, register: string, body: string, format: 'csv' | 'json') =>
      importRegister(ctx, p, register, body, format),
    objectionsForProvider: (p: Principal, departmentId: string) =>
      objectionsForProvider(ctx, p, departmentId),
    answerObjection: (p: Principal, id: string, raw: unknown) => answerObjection(ctx, p, id, raw),
    correctionsForConsumer: (p: Principal, since: string | undefined) =>
      correctionsForConsumer(ctx, p, since),
    providerDashboard: (p: Principal, departmentId: string | undefined) =>
      providerDashboard(ctx, p, departmentId),
  };
}

export type ExchangeService = ReturnType<typeof createExchangeService>;

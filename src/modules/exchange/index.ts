import { isDomainError } from '../../kernel/index.js';
import type { WorkingCalendar } from '../../platform/calendar/index.js';
import type { Executor } from '../../platform/db/index.js';
import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import { createPersonalDataCipher } from '../../platform/privacy/index.js';
import './exchange.errors.js';
import { exchangeMessages } from './exchange.messages.js';
import type { ExchangePorts } from './exchange.ports.js';
import { exchangeRoutes } from './exchange.routes.js';
import { createExchangeService } from './exchange.service.js';
import { exchangeMigrations } from './exchange.store.js';
import { legalPersonByCode, legalPersonsRepresentedBy } from './exchange.registers.js';
import { lookupForDepartment } from './exchange.lookup.js';
import { noticesConsumer } from './exchange.notices.js';
import { type RegisterPrefill, prefillFromRegisters } from './exchange.prefill.js';
import { grantsOf, resourceByName } from './exchange.store.js';
import { allowListOf, guardedFetch } from '../../platform/net/outbound.js';
import { KEY_KIND } from './exchange.types.js';

export { EXCHANGE_EVENTS } from './exchange.grants.js';
export { DEMO_RESOURCES, ZHENGZHOU_SCALE, seedRegisters } from './exchange.seed.js';
import { ZHENGZHOU_SCALE, assertScaleSeedFinished, seedRegisters } from './exchange.seed.js';
export type { ExchangePorts } from './exchange.ports.js';
export type { ExchangeService } from './exchange.service.js';
export { exchangeMigrations } from './exchange.store.js';

/**
 * The data-sharing exchange (政务数据共享): the resource catalogue, the base registers (人口库, 法人库,
 * social insurance), consumer departments and their grants, masked lookups recorded before they
 * answer, and every person's record of who read their data.
 */
export function createExchangeModule(
  deps: PlatformDeps,
  opts: {
    ports: ExchangePorts;
    calendar: WorkingCalendar;
    /** how often 校核纠错 notices are posted to consumer webhooks (default 30 s; 0 = never, tests call it) */
    noticeIntervalMs?: number;
  },
) {
  const cipher = createPersonalDataCipher(deps.config.secretKey);
  const svc = createExchangeService({
    store: deps.store,
    clock: deps.clock,
    cipher,
    calendar: opts.calendar,
    ports: opts.ports,
  });
  let timer: NodeJS.Timeout | undefined;
  // webhooks are addresses consumer systems chose: never this machine or link-local, a private
  // network only where the operator allows it (checked on every resolved address, each delivery)
  const webhookFetch = guardedFetch({ allow: allowListOf(deps.config.webhookAllowNets) });
  const definition: ModuleDefinition = {
    name: 'exchange',
    migrations: exchangeMigrations,
    messages: exchangeMessages,
    consumers: [noticesConsumer()],
    async warmUp() {
      // a store whose city-scale seed stopped mid-load is refused (one line: run the seed again)
      await assertScaleSeedFinished(deps.store.db);
      // tests post the notices themselves (deliverNotices with a stub), never on a timer
      const every = opts.noticeIntervalMs ?? (deps.config.env === 'test' ? 0 : 30_000);
      if (every > 0) {
        timer = setInterval(() => {
          svc
            .deliverNotices(deps.log, webhookFetch)
            .catch((err: unknown) => deps.log.error({ err }, 'exchange: notice delivery failed'));
        }, every);
        timer.unref();
      }
    },
    async close() {
      if (timer) clearInterval(timer);
    },
    routes: (app) => exchangeRoutes(app, svc, opts.ports),
    seedDemo: () => svc.seedDemo(),
    async seedScale(o) {
      if (o.scale !== 'zhengzhou') return;
      const r = await seedRegisters(svc.ctx, {
        store: deps.store,
        secret: deps.config.secretKey,
        people: o.people ?? ZHENGZHOU_SCALE.people,
        companies: o.companies ?? ZHENGZHOU_SCALE.companies,
        progress: o.progress,
      });
      deps.log.info(r, 'exchange registers seeded at city scale');
    },
    nav: (p) => [
      { href: '/exchange', labelKey: 'exchange.nav' },
      ...(p && (p.kind === 'person' || p.kind === 'organization')
        ? [{ href: '/account/data-access', labelKey: 'exchange.nav.myData' }]
        : []),
      ...(p?.grants.some((g) => g.permissions.includes('exchange.manage') && g.departmentId)
        ? [{ href: '/exchange/provider', labelKey: 'exchange.dash.title' }]
        : []),
    ],
  };
  const api = {
    /** 法人库 as organisation verification reads it (identity's LegalPersonRegister, adapted in app.ts) */
    legalPersons: {
      lookup: (creditCode: string) => legalPersonByCode(deps.store.db, cipher, creditCode),
      representedBy: (idNumber: string) => legalPersonsRepresentedBy(deps.store.db, cipher, idNumber),
    },
    addConsumer: svc.addConsumer,
    listConsumers: svc.listConsumers,
    revokeConsumer: svc.revokeConsumer,
    rotateConsumerSecret: svc.rotateConsumerSecret,
    /**
     * Cases: a material a register provides, read at submission through the deciding department's
     * grant inside the case's transaction; undefined (the applicant is asked instead) when the
     * catalogue has no such resource or the read is refused (the refusal is recorded all the same)
     */
    async fetchForCase(
      within: Executor,
      input: {
        departmentId: string;
        resourceName: string;
        subject: { kind: 'idNumber' | 'creditCode'; key: string };
        caseNumber: string;
        purpose: string;
      },
    ): Promise<{ accessId: string; resource: string } | undefined> {
      const r = await resourceByName(within, input.resourceName);
      if (!r || KEY_KIND[r.register] !== input.subject.kind) return undefined;
      // a department that holds no grant on the register at all does not try: the refused read
      // would only put an attempt on the applicant's data in their 我的数据使用记录 (a suspended,
      // expired or revoked grant is tried, and its refusal recorded, as for any consumer)
      if ((await grantsOf(within, input.departmentId, r.id)).length === 0) return undefined;
      try {
        const got = await lookupForDepartment(svc.ctx, within, input.departmentId, {
          resource: r.code,
          key: input.subject.key,
          purpose: input.purpose.slice(0, 300),
          caseNumber: input.caseNumber,
        });
        return { accessId: got.accessId, resource: r.code };
      } catch (e) {
        if (isDomainError(e) && e.status < 500) return undefined;
        throw e;
      }
    },
    /**
     * Cases: an apply form's fields read from the registers through the deciding department's
     * grant (purpose `prefill…`, recorded); empty when nothing can be read — never an error
     */
    async prefillFor(input: {
      departmentId: string;
      subject: { kind: 'idNumber' | 'creditCode'; key: string };
      kinds: readonly string[];
      itemName: string;
    }): Promise<RegisterPrefill> {
      try {
        return await prefillFromRegisters(svc.ctx, input);
      } catch (err) {
        deps.log.warn(
          { err },
          'exchange: prefill from the registers failed; the form keeps the account data',
        );
        return { values: {}, sources: {}, accessIds: [] };
      }
    },
    /** the reads made for a case, oldest first (the workbench's case page; the caller checks access) */
    readsForCase: (caseNumber: string) => svc.caseDataAccess(caseNumber),
    lookup: svc.lookup,
    service: svc,
  };
  return { definition, api };
}

export type ExchangeApi = ReturnType<typeof createExchangeModule>['api'];

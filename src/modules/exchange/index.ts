import type { WorkingCalendar } from '../../platform/calendar/index.js';
import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import { createPersonalDataCipher } from '../../platform/privacy/index.js';
import './exchange.errors.js';
import { exchangeMessages } from './exchange.messages.js';
import type { ExchangePorts } from './exchange.ports.js';
import { exchangeRoutes } from './exchange.routes.js';
import { createExchangeService } from './exchange.service.js';
import { exchangeMigrations } from './exchange.store.js';
import { legalPersonByCode, legalPersonsRepresentedBy } from './exchange.registers.js';

export { EXCHANGE_EVENTS } from './exchange.grants.js';
export { DEMO_RESOURCES } from './exchange.seed.js';
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
  opts: { ports: ExchangePorts; calendar: WorkingCalendar },
) {
  const cipher = createPersonalDataCipher(deps.config.secretKey);
  const svc = createExchangeService({
    store: deps.store,
    clock: deps.clock,
    cipher,
    calendar: opts.calendar,
    ports: opts.ports,
  });
  const definition: ModuleDefinition = {
    name: 'exchange',
    migrations: exchangeMigrations,
    messages: exchangeMessages,
    routes: (app) => exchangeRoutes(app, svc, opts.ports),
    seedDemo: () => svc.seedDemo(),
    nav: (p) => [
      { href: '/exchange', labelKey: 'exchange.nav' },
      ...(p && (p.kind === 'person' || p.kind === 'organization')
        ? [{ href: '/account/data-access', labelKey: 'exchange.nav.myData' }]
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
    lookup: svc.lookup,
    service: svc,
  };
  return { definition, api };
}

export type ExchangeApi = ReturnType<typeof createExchangeModule>['api'];

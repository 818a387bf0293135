import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import { disclosureMessages } from './disclosure.messages.js';
import { disclosureRoutes } from './disclosure.routes.js';
import { seedDemo, seedScale } from './disclosure.seed.js';
import { DISCLOSURE_EVENTS, createDisclosureService } from './disclosure.service.js';
import { disclosureMigrations } from './disclosure.store.js';
import './disclosure.errors.js';

export { DISCLOSURE_EVENTS, createDisclosureService } from './disclosure.service.js';
export type { DisclosureService } from './disclosure.service.js';
export type { ConvenienceEntry, Publication } from './disclosure.types.js';
export { CONVENIENCE_CLASSES, DISCLOSURE_DOMAINS } from './disclosure.types.js';
export {
  ZHENGZHOU_CONVENIENCE_ITEMS,
  ZHENGZHOU_INFORMATION_ITEMS,
  ZHENGZHOU_REGIONS,
  generateConvenience,
  generatePublications,
} from './disclosure.generate.js';

/**
 * 政府信息公开 and 便民服务信息: publications (22 domains) and convenience entries (15 classes),
 * their pages (/disclosure, /disclosure/{id}, /convenience/{id}) and the city-scale generator.
 */
export function createDisclosureModule(deps: PlatformDeps) {
  const svc = createDisclosureService({ store: deps.store, clock: deps.clock });
  const definition: ModuleDefinition = {
    name: 'disclosure',
    migrations: disclosureMigrations,
    messages: disclosureMessages,
    routes: (app) => disclosureRoutes(app, svc),
    seedDemo: () => seedDemo(svc),
    async seedScale(opts) {
      if (opts.scale === 'zhengzhou') await seedScale(svc, opts.progress);
    },
    nav: () => [{ href: '/disclosure', labelKey: 'disclosure.nav' }],
  };
  return { definition, api: svc, events: DISCLOSURE_EVENTS };
}

import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import type { HallsContext } from './halls.context.js';
import { createHallFeed } from './halls.feed.js';
import { hallsMessages } from './halls.messages.js';
import type { KioskDevicePort, KioskRatingPort, PrintPort } from './halls.kiosk.js';
import { kioskRoutes } from './halls.kiosk.routes.js';
import { hallsRoutes } from './halls.routes.js';
import { createHallsService } from './halls.service.js';
import { hallsMigrations } from './halls.store.js';
import './halls.errors.js';

export { HallsErrors } from './halls.errors.js';
export { simulatedDevices, simulatedPrinter } from './halls.kiosk.js';
export { KIOSK_RATABLE_CASES, kioskRatingPort } from './halls.adapters.js';
export type { KioskDevicePort, KioskRatingPort, PrintPort } from './halls.kiosk.js';
export { HALLS_EVENTS } from './halls.queue.js';
export type { HallFeed } from './halls.feed.js';
export type { HallsService } from './halls.service.js';
export type {
  CalendarPort,
  CasesPort,
  ContactPort,
  HallInfo,
  HallWindowInfo,
  NotifierPort,
  RegionsPort,
  RatingsPort,
  StaffPort,
} from './halls.ports.js';

/**
 * 预约, 取号 and 叫号 at the city's halls: queue tickets per hall, day and line, the clerk's
 * calling desk, the calling screen fed by server-sent events from one poller per node, the
 * citizen's view of a ticket. Halls, windows and hours are the regions module's (a port).
 */
export function createHallsModule(
  deps: PlatformDeps,
  ports: Omit<HallsContext, 'db' | 'clock' | 'poke'> & {
    pollMs?: number;
    /** the kiosk's card reader and camera, and its printer (simulators in the demo) */
    kiosk: {
      devices: KioskDevicePort;
      printer: PrintPort;
      accountIdByIdNumber: (idNumber: string) => Promise<string | undefined>;
      /** 好差评 at the kiosk (channel kiosk), for the person the card identified */
      ratings?: KioskRatingPort;
    };
  },
) {
  const feed = createHallFeed(deps.store.db, {
    pollMs: ports.pollMs ?? deps.pollMs ?? 200,
    ...(deps.wakeups ? { wakeups: deps.wakeups } : {}),
    onError: (err) => deps.log.error({ err }, 'halls feed poll failed'),
  });
  const ctx: HallsContext = {
    db: deps.store.db,
    clock: deps.clock,
    regions: ports.regions,
    calendar: ports.calendar,
    ...(ports.cases ? { cases: ports.cases } : {}),
    ...(ports.notifier ? { notifier: ports.notifier } : {}),
    ...(ports.contact ? { contact: ports.contact } : {}),
    ...(ports.staff ? { staff: ports.staff } : {}),
    ...(ports.ratings ? { ratings: ports.ratings } : {}),
    poke: () => feed.poke(),
    hallCache: new Map(),
  };
  const service = createHallsService(ctx);
  const definition: ModuleDefinition = {
    name: 'halls',
    migrations: hallsMigrations,
    messages: hallsMessages,
    routes: (app, site) => {
      hallsRoutes(app, service, feed);
      kioskRoutes(app, service, ports.kiosk, () => site.demo);
    },
    warmUp: () => feed.start(),
    close: () => feed.stop(),
  };
  return { definition, api: { service, feed, kiosk: ports.kiosk } };
}

export type HallsApi = ReturnType<typeof createHallsModule>['api'];

import type { Principal } from '../../platform/access.js';
import { createFileSealer, createPersonalDataCipher } from '../../platform/privacy/index.js';
import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import './cases.errors.js';
import { casesMessages } from './cases.messages.js';
import { calendarPort, catalogPort, identityPort, licencesPort, regionsPort } from './cases.adapters.js';
import { generateCases, generateDesk } from './cases.generate.js';
import { notificationsConsumer } from './cases.notify.js';
import type { CasesPorts, NotifierPort, SharedDataPort } from './cases.ports.js';
import { casesRoutes } from './cases.routes.js';
import { type CasesOptions, createCasesService } from './cases.service.js';
import { draftsByPersonMigrations, sealedFilesMigrations, sealStoredFiles } from './cases.files.js';
import { casesMigrations, clockCounts } from './cases.store.js';

export { CasesErrors } from './cases.errors.js';
export { calendarPort, catalogPort, identityPort, licencesPort, regionsPort } from './cases.adapters.js';
export { formSchemaOf } from './cases.forms.js';
export type {
  ApplicableItem,
  ApplicationMaterial,
  BundleDefinition,
  CalendarPort,
  CasesPorts,
  CatalogPort,
  FormFieldHint,
  IdentityPort,
  LicencesPort,
  NotifierPort,
  RegionsPort,
} from './cases.ports.js';
export type { CasesService } from './cases.service.js';
export type { CaseFacts } from './cases.read.js';
export { STATUSES, type CaseStatus, type CaseAction } from './cases.workflow.js';

export interface CasesModuleOptions extends CasesOptions {
  /** how often the clock sweep raises yellow / red warnings (default 10 minutes; 0 = never) */
  readonly sweepIntervalMs?: number;
  /** the city whose departments a platform-wide member of staff picks a queue from (410100) */
  readonly homeRegion?: string;
}

/**
 * Cases: applications, acceptance and decisions, working-day clocks and 一件事 bundles. The
 * neighbours come in as ports (cases.ports.ts); app.ts adapts the catalogue, regions, identity,
 * calendar and licences modules to them.
 */
export interface CasesNeighbours {
  readonly catalog: Parameters<typeof catalogPort>[0];
  readonly regions: Parameters<typeof regionsPort>[0];
  readonly identity: Parameters<typeof identityPort>[0];
  readonly calendar: Parameters<typeof calendarPort>[0];
  /** identity's SMS / e-mail notifier (the dev mailbox outside production) */
  readonly notifier?: NotifierPort;
  /** e-licences: 免提交 materials and the licence an approval issues */
  readonly licences?: Parameters<typeof licencesPort>[0];
  /** the data-sharing exchange: materials read from government registers at submission */
  readonly sharedData?: SharedDataPort;
}

export function createCasesModule(
  deps: PlatformDeps,
  neighbours: CasesNeighbours | { ports: CasesPorts },
  opts: CasesModuleOptions = {},
) {
  const ports: CasesPorts =
    'ports' in neighbours
      ? neighbours.ports
      : {
          catalog: catalogPort(neighbours.catalog),
          regions: regionsPort(neighbours.regions),
          identity: identityPort(neighbours.identity),
          calendar: calendarPort(neighbours.calendar),
          ...(neighbours.notifier ? { notifier: neighbours.notifier } : {}),
          ...(neighbours.sharedData ? { sharedData: neighbours.sharedData } : {}),
          ...(neighbours.licences
            ? {
                licences: licencesPort(
                  neighbours.licences,
                  neighbours.identity,
                  neighbours.regions,
                  deps.log,
                ),
              }
            : {}),
        };
  const cipher = createPersonalDataCipher(deps.config.secretKey);
  const files = createFileSealer(deps.config.secretKey, deps.config.fileKeyGeneration);
  const service = createCasesService({
    store: deps.store,
    clock: deps.clock,
    ports,
    poke: () => deps.events.poke(),
    cipher,
    files,
    options: opts,
  });
  let timer: NodeJS.Timeout | undefined;
  const departmentOf = (p: Principal): string | undefined =>
    p.grants.find((g) => g.departmentId)?.departmentId ?? undefined;

  const definition: ModuleDefinition = {
    name: 'cases',
    migrations: {
      ...casesMigrations,
      ...sealedFilesMigrations(files),
      ...draftsByPersonMigrations(cipher, files),
    },
    messages: casesMessages,
    consumers: [
      ...(ports.notifier
        ? [notificationsConsumer({ identity: ports.identity, notifier: ports.notifier })]
        : []),
      {
        // a calendar change applies to running cases: their deadlines and colours are recomputed
        name: 'cases.calendar-changes',
        // it acts on a rare event and passes over the rest: a large batch, or under load it falls
        // a round behind per 100 events while the others keep up (issue 17)
        batchSize: 2000,
        async handle(trx, events) {
          for (const e of events) {
            if (e.type !== 'calendar.changed') continue;
            const region = typeof e.payload.regionCode === 'string' ? e.payload.regionCode : '';
            // the days as changed, not as this node last loaded them
            if (typeof e.payload.version === 'string')
              await ports.calendar.atVersion?.(e.payload.version, trx);
            const n = await service.recomputeRegion(trx, region);
            deps.log.info({ region, cases: n }, 'case clocks recomputed after a calendar change');
          }
        },
      },
    ],
    routes: (app) => casesRoutes(app, service, { departmentOf, homeRegion: opts.homeRegion ?? '410100' }),
    async seedScale(o) {
      if (!o.cases) return;
      const made = await generateCases(deps.store, ports, o.cases, deps.clock.now(), o.progress, cipher);
      deps.log.info({ cases: made }, 'generated historical cases');
    },
    async warmUp() {
      const every = opts.sweepIntervalMs ?? 10 * 60_000;
      if (every > 0) {
        const run = () => {
          service.sweepClocks().catch((err: unknown) => deps.log.error({ err }, 'clock sweep failed'));
          // drafts (answers and files) untouched for 30 days are let go
          service
            .sweepDrafts(30)
            .then((n) => {
              if (n.drafts + n.files > 0) deps.log.info(n, 'abandoned drafts removed');
            })
            .catch((err: unknown) => deps.log.error({ err }, 'draft sweep failed'));
          // the answers kept for retried requests live as long as a draft
          service
            .sweepRequests(30)
            .catch((err: unknown) => deps.log.error({ err }, 'request answer sweep failed'));
        };
        timer = setInterval(run, every);
        timer.unref();
      }
    },
    async close() {
      if (timer) clearInterval(timer);
    },
  };

  return {
    definition,
    api: {
      ...service,
      /** the demo's year of history (generated applicants), stopping between batches when asked */
      seedHistory: (n: number, shouldStop: () => boolean) =>
        generateCases(
          deps.store,
          ports,
          n,
          deps.clock.now(),
          () => ({ tick() {}, done() {} }),
          cipher,
          shouldStop,
          5,
        ),
      /** the demo's open desk in every status and colour, and the applicant's completed cases */
      seedDesk: (applicant: Principal) =>
        generateDesk(deps.store, ports, deps.clock.now(), applicant, cipher),
      /** `tongban files reseal`: every stored upload under the current key generation (a rotation) */
      resealFiles: () => sealStoredFiles(deps.store.db, files),
      /** running and paused clocks by colour (/metrics: near-due and overdue cases) */
      clockCounts: () => clockCounts(deps.store.db),
    },
  };
}

export type CasesApi = ReturnType<typeof createCasesModule>['api'];

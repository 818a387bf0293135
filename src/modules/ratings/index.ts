/**
 * 好差评 (ratings), 差评整改 (rectification) and 政民互动 (complaints, enquiries, suggestions and
 * the 12345 hotline intake). The neighbours come in as ports (ratings.ports.ts), adapted in
 * app.ts. Events written: ratings.events.ts (types and payloads, no personal data).
 */
import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import { createRatingsContext } from './ratings.context.js';
import './ratings.errors.js';
import { ratingsMessages } from './ratings.messages.js';
import { ratingsConsumer } from './ratings.outbox.js';
import type { RatingsPorts } from './ratings.ports.js';
import { ratingsPageRoutes } from './ratings.pages.routes.js';
import { ratingsApiRoutes } from './ratings.routes.js';
import { createRatingsService } from './ratings.service.js';
import { ratingsMigrations } from './ratings.store.js';
import { sealedTextMigrations } from './ratings.sealing.js';

export {
  RATINGS_EVENTS,
  type CallbackRecordedPayload,
  type ComplaintAnsweredPayload,
  type ComplaintFiledPayload,
  type ComplaintKind,
  type RatedPayload,
  type RatingChannel,
  type RatingLevel,
  type RatingStage,
  type RectificationClosedPayload,
  type RectificationOpenedPayload,
  type RectificationOutcome,
} from './ratings.events.js';
export type { RatingsPorts, RatedCase } from './ratings.ports.js';
export { indicatorsFor as ratingIndicatorsFor } from './ratings.types.js';
export type { RatingsService } from './ratings.service.js';

export interface RatingsModuleOptions {
  /** how often the 12345 answer worker runs (default 30 s; 0 = never, tests call deliverDue) */
  readonly deliveryIntervalMs?: number;
}

export function createRatingsModule(
  deps: PlatformDeps,
  ports: RatingsPorts,
  opts: RatingsModuleOptions = {},
) {
  const ctx = createRatingsContext({
    store: deps.store,
    clock: deps.clock,
    ports,
    settings: deps.config.ratings,
    publicUrl: deps.config.publicUrl,
    secretKey: deps.config.secretKey,
    poke: () => deps.events.poke(),
  });
  const service = createRatingsService(ctx);
  let timer: NodeJS.Timeout | undefined;
  const definition: ModuleDefinition = {
    name: 'ratings',
    migrations: { ...ratingsMigrations, ...sealedTextMigrations(ctx.text) },
    messages: ratingsMessages,
    consumers: [ratingsConsumer(ctx)],
    routes: (app) => {
      ratingsApiRoutes(app, service);
      ratingsPageRoutes(app, service);
    },
    nav: (p) => {
      if (!p) return [{ href: '/ratings/results', labelKey: 'ratings.nav.results' }];
      const held = (perm: string) => p.grants.some((g) => g.permissions.includes(perm));
      return [
        ...(held('ratings.give')
          ? [
              { href: '/ratings', labelKey: 'ratings.nav.mine' },
              { href: '/complaints', labelKey: 'ratings.nav.complaints' },
            ]
          : []),
        ...(held('ratings.handle') || held('ratings.supervise')
          ? [{ href: '/staff/rectifications', labelKey: 'ratings.nav.staff' }]
          : []),
      ];
    },
    async warmUp() {
      const every = opts.deliveryIntervalMs ?? 30_000;
      if (every > 0 && deps.config.ratings.hotlineAnswerUrl) {
        timer = setInterval(() => {
          service
            .deliverDue(deps.log)
            .catch((err: unknown) => deps.log.error({ err }, 'ratings: delivery failed'));
        }, every);
        timer.unref();
      }
    },
    async close() {
      if (timer) clearInterval(timer);
    },
  };
  return { definition, api: service };
}

export type RatingsApi = ReturnType<typeof createRatingsModule>['api'];

/**
 * The lived-in demo (issue 16 item 6): after a start that seeded the demo city, a year of history
 * is generated in the background — so the empty start still listens within seconds — and /readyz
 * says `seeding` until it is done. Everything goes through the modules' services, in order: a year
 * of cases (generated applicants), the desk (open cases in every status and clock colour in the
 * demo staff's queues, and the demo citizen's completed cases), the citizen's ratings of those
 * (mostly good, a few 差评 that open rectifications), a few complaints, then the clock sweep that
 * raises 黄牌 and 红牌. Each step's failure is logged and the next one still runs.
 */
import type { CasesApi } from './modules/cases/index.js';
import type { IdentityApi } from './modules/identity/index.js';
import type { RatingsApi } from './modules/ratings/index.js';
import type { EventBus } from './platform/events/index.js';
import type { Logger } from './platform/log.js';

export type HistoryState = 'none' | 'seeding' | 'done' | 'failed';

/** Generated cases over the past year (besides the desk). */
export const YEAR_OF_CASES = 900;

export function demoHistory(deps: {
  /** how many generated cases make the year (default YEAR_OF_CASES) */
  yearOfCases?: number;
  cases: CasesApi;
  ratings: RatingsApi;
  identity: IdentityApi;
  events: EventBus;
  log: Logger;
}) {
  let state: HistoryState = 'none';
  let stopping = false;
  let running: Promise<void> | undefined;

  async function step<T>(what: string, f: () => Promise<T>): Promise<T | undefined> {
    if (stopping) return undefined;
    await new Promise((r) => setImmediate(r));
    const t0 = performance.now();
    try {
      const r = await f();
      deps.log.info({ step: what, ms: Math.round(performance.now() - t0) }, 'demo history');
      return r;
    } catch (err) {
      deps.log.error({ err, step: what }, 'demo history step failed');
      state = 'failed';
      return undefined;
    } finally {
      deps.events.poke();
    }
  }

  async function run(): Promise<void> {
    await step('a year of cases', () =>
      deps.cases.seedHistory(deps.yearOfCases ?? YEAR_OF_CASES, () => stopping),
    );
    const id = await deps.identity.accountIdByLogin('citizen');
    const citizen = id ? await deps.identity.principalForAccount(id) : undefined;
    if (!citizen) return;
    const desk = await step('the desk', () => deps.cases.seedDesk(citizen));
    const rater = { via: 'principal' as const, principal: citizen };
    // most services rated well; every seventh a 差评 (it opens a rectification with its clock)
    const levels = [5, 5, 4, 5, 3, 5, 2, 4, 5, 5, 4, 1];
    await step('ratings', async () => {
      for (const [i, n] of (desk?.completed ?? []).entries()) {
        if (stopping) return;
        await new Promise((r) => setImmediate(r));
        const level = levels[i % levels.length]!;
        await deps.ratings
          .rate(
            n,
            {
              level,
              stage: 'completed',
              channel: 'web',
              indicators: level >= 4 ? ['efficiency', 'convenience'] : ['efficiency'],
              ...(level <= 2 ? { text: '材料要求前后不一致，来回跑了两次。' } : {}),
            },
            rater,
          )
          .catch((err: unknown) => deps.log.warn({ err, caseNumber: n }, 'demo rating refused'));
      }
    });
    await step('complaints', async () => {
      for (const n of (desk?.completed ?? []).slice(0, 3)) {
        await deps.ratings.fileComplaint(
          {
            kind: 'complaint',
            subject: { type: 'case', caseNumber: n },
            title: '办理进度查询不便',
            body: '网上看不到审查到了哪一步，希望能显示每个环节的办理人和时间。',
          },
          citizen,
        );
      }
    });
    await step('clock sweep', () => deps.cases.sweepClocks());
  }

  return {
    state: () => state,
    /**
     * The seeding will start shortly (a timer after listening): /readyz says `seeding` from now,
     * not `ok` for the moments before the generator begins.
     */
    scheduled(): void {
      if (state === 'none') state = 'seeding';
    },
    /** starts the seeding (once); resolves when it ends */
    start(): Promise<void> {
      if (running) return running;
      if (stopping) return Promise.resolve();
      state = 'seeding';
      running = run().then(
        () => {
          if (state === 'seeding') state = 'done';
          deps.log.info('demo history seeded');
        },
        (err: unknown) => {
          state = 'failed';
          deps.log.error({ err }, 'demo history failed');
        },
      );
      return running;
    },
    /** asks the seeding to stop at its next batch and waits for it */
    async stop(): Promise<void> {
      stopping = true;
      await running;
    },
  };
}

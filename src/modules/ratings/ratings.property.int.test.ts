import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { committedEvents, openTestStore } from '../../../test/helpers/store.js';
import { DEFAULT_RATINGS_CONFIG } from '../../config/index.js';
import { ManualClock, isDomainError } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { type Store, metaMigrations, migrate } from '../../platform/db/index.js';
import { eventsMigrations } from '../../platform/events/index.js';
import { createRatingsContext } from './ratings.context.js';
import './ratings.errors.js';
import type { RatedCase } from './ratings.ports.js';
import { createRatingsService } from './ratings.service.js';
import { ratingsMigrations } from './ratings.store.js';

/**
 * 一事一评 under any interleaving of callers (property, fast-check): a rating is accepted only for
 * a real case of the rater — its applicant on their channels, or the clerk of the receiving hall
 * on the window pad — at a stage it reached, and at most once per case × stage × channel. The
 * model is written apart from the code: who may rate is read from the generated case alone.
 */
const ACCOUNTS = ['p1', 'p2', 'p3'] as const;
const person = (id: string): Principal => ({
  accountId: id,
  kind: 'person',
  login: id,
  displayName: id,
  realNameLevel: 2,
  grants: [{ role: 'citizen', permissions: ['ratings.give'], regionPrefix: '', departmentId: null }],
  via: 'bearer',
});
const clerkOf = (hallRegion: string): Principal => ({
  accountId: `clerk-${hallRegion}`,
  kind: 'staff',
  login: 'clerk',
  displayName: 'clerk',
  realNameLevel: 0,
  grants: [
    { role: 'windowClerk', permissions: ['cases.accept'], regionPrefix: hallRegion, departmentId: null },
  ],
  via: 'bearer',
});
const HALL_REGIONS = ['410105001', '410102003'] as const;

const caseArb = fc.record({
  applicant: fc.constantFrom(...ACCOUNTS),
  hall: fc.option(fc.constantFrom(...HALL_REGIONS), { nil: null }),
  accepted: fc.boolean(),
  completed: fc.boolean(),
});
const attemptArb = fc.record({
  caseIndex: fc.nat({ max: 3 }),
  caller: fc.oneof(
    fc.constantFrom(...ACCOUNTS).map((a) => ({ kind: 'person' as const, id: a })),
    fc.constantFrom(...HALL_REGIONS).map((h) => ({ kind: 'clerk' as const, id: h })),
  ),
  stage: fc.constantFrom('accepted' as const, 'completed' as const),
  channel: fc.constantFrom('web' as const, 'kiosk' as const, 'window' as const, 'sms' as const),
  level: fc.integer({ min: 1, max: 5 }),
});

describe('好差评 › only a real case of the rater, once per stage and channel (property)', () => {
  let store: Store;
  let run = 0;
  const cases = new Map<string, RatedCase>();
  let svc: ReturnType<typeof createRatingsService>;
  before(async () => {
    store = await openTestStore();
    await migrate(store.db, { ...metaMigrations, ...eventsMigrations, ...ratingsMigrations });
    const ctx = createRatingsContext({
      store,
      clock: new ManualClock('2025-09-15T02:00:00Z'),
      ports: {
        cases: { facts: async (n) => cases.get(n) },
        calendar: { isWorkingDay: (d) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()) },
        directory: {
          itemDepartment: async () => undefined,
          hallDepartment: async () => undefined,
          department: async () => undefined,
          departments: async () => [],
        },
      },
      settings: DEFAULT_RATINGS_CONFIG,
      publicUrl: 'http://test',
      secretKey: Buffer.alloc(32, 3),
    });
    svc = createRatingsService(ctx);
  });
  after(async () => store.close());

  test('accepted exactly when the model says so; one row and one event per accepted rating', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(caseArb, { minLength: 4, maxLength: 4 }),
        fc.array(attemptArb, { maxLength: 25 }),
        async (cs, attempts) => {
          run++;
          const numbers = cs.map((c, i) => {
            const n = `11410100297017523N0100340110000020250915${String(run).padStart(4, '0')}${i}`;
            cases.set(n, {
              caseNumber: n,
              applicantId: c.applicant,
              applicantKind: 'person',
              implementationCode: '11410100297017523N01003401100000',
              itemName: '食品小经营店登记',
              channel: c.hall ? 'window' : 'online',
              status: c.completed ? 'completed' : c.accepted ? 'accepted' : 'submitted',
              departmentId: 'dept-1',
              regionCode: '410100',
              hallId: c.hall ? `H${c.hall}` : null,
              hallRegionCode: c.hall,
              acceptedReached: c.accepted || c.completed,
              completedReached: c.completed,
              acceptedBy: null,
            });
            return n;
          });
          const taken = new Set<string>();
          let accepted = 0;
          // attempts race in pairs: the unique index, not the order, decides
          for (let i = 0; i < attempts.length; i += 2) {
            const pair = attempts.slice(i, i + 2);
            const outcomes = await Promise.all(
              pair.map(async (a) => {
                const c = cs[a.caseIndex]!;
                const n = numbers[a.caseIndex]!;
                const p = a.caller.kind === 'person' ? person(a.caller.id) : clerkOf(a.caller.id);
                try {
                  await svc.rate(
                    n,
                    {
                      level: a.level,
                      stage: a.stage,
                      channel: a.channel,
                      ...(a.channel === 'window' ? { window: 'A01' } : {}),
                    },
                    { via: 'principal', principal: p },
                  );
                  return { a, c, n, ok: true as const };
                } catch (e) {
                  assert.ok(isDomainError(e), String(e));
                  return { a, c, n, ok: false as const, code: e.code };
                }
              }),
            );
            const keysInPair = new Map<string, number>();
            for (const o of outcomes) {
              const { a, c } = o;
              const isApplicant = a.caller.kind === 'person' && a.caller.id === c.applicant;
              const isHallClerk = a.caller.kind === 'clerk' && c.hall === a.caller.id;
              const channelOk = isApplicant
                ? a.channel === 'web' || a.channel === 'kiosk'
                : isHallClerk && a.channel === 'window';
              const reached = a.stage === 'accepted' ? c.accepted || c.completed : c.completed;
              const key = `${o.n}|${a.stage}|${a.channel}`;
              const eligible = (isApplicant || isHallClerk) && channelOk && reached;
              if (!eligible) {
                assert.equal(o.ok, false, `refused: ${JSON.stringify(a)}`);
                if (!isApplicant && !isHallClerk)
                  assert.equal(o.ok === false && o.code, 'RATINGS.CASE_NOT_FOUND');
                continue;
              }
              if (taken.has(key)) {
                assert.equal(o.ok === false && o.code, 'RATINGS.ALREADY_RATED');
                continue;
              }
              keysInPair.set(key, (keysInPair.get(key) ?? 0) + (o.ok ? 1 : 0));
              if (!o.ok) assert.equal(o.code, 'RATINGS.ALREADY_RATED');
            }
            for (const [k, won] of keysInPair) {
              assert.equal(won, 1, `exactly one of the racers wins ${k}`);
              taken.add(k);
              accepted++;
            }
          }
          const rows = await store.db
            .withTables<{ ratings: { case_number: string } }>()
            .selectFrom('ratings')
            .select('case_number')
            .where('case_number', 'in', numbers)
            .execute();
          assert.equal(rows.length, accepted);
        },
      ),
      { numRuns: 40 },
    );
    const rated = (await committedEvents(store)).filter((e) => e.type === 'ratings.rated').length;
    assert.equal(rated, await svc.countRatings());
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Principal } from '../../platform/access.js';
import { KIOSK_RATABLE_CASES, kioskRatingPort } from './halls.adapters.js';

// the kiosk's "what can I rate" (issue 14): the person's latest cases read once and their ratings
// in one batch, never a read per case; what it offers is what the per-case read offered
describe('halls adapters › the kiosk rating port', () => {
  const person = { accountId: 'p1', kind: 'person', grants: [] } as unknown as Principal;
  const numbers = Array.from({ length: 25 }, (_, i) => `C${i}`);
  const calls = { myCases: 0, batch: 0, asked: [] as string[][] };
  const port = kioskRatingPort({
    identity: { principalForAccount: async (id) => (id === 'p1' ? person : undefined) },
    cases: {
      async myCases(_p, page, pageSize) {
        calls.myCases++;
        return numbers.slice((page - 1) * pageSize, page * pageSize).map((case_number) => ({ case_number }));
      },
    },
    ratings: {
      async ratingsOfCases(caseNumbers) {
        calls.batch++;
        calls.asked.push([...caseNumbers]);
        return caseNumbers.map((n, i) => ({
          case: {
            caseNumber: n,
            itemName: `item ${n}`,
            channel: i % 2 ? 'online' : 'window',
            acceptedReached: i < 3,
            completedReached: i === 0,
          },
          // C0: its acceptance already rated at a kiosk; C1: rated on another channel only
          ratings:
            i === 0
              ? [{ channel: 'kiosk', stage: 'accepted', followUp: false }]
              : i === 1
                ? [{ channel: 'pc', stage: 'accepted', followUp: false }]
                : [],
        }));
      },
      rate: async () => undefined,
    },
    indicatorsFor: (c) => (c === 'online' ? ['usability'] : ['attitude']),
  });

  test('one read of the cases and one batch of ratings for the latest 20; the stages not yet rated at a kiosk', async () => {
    const out = await port.ratable('p1');
    assert.equal(calls.myCases, 1);
    assert.equal(calls.batch, 1);
    assert.deepEqual(calls.asked[0], numbers.slice(0, KIOSK_RATABLE_CASES));
    assert.deepEqual(
      out.map((r) => [r.caseNumber, [...r.stages], [...r.indicators]]),
      [
        ['C0', ['completed'], ['attitude']],
        ['C1', ['accepted'], ['usability']],
        ['C2', ['accepted'], ['attitude']],
      ],
    );
  });

  test('an unknown account: nothing offered, nothing read; rating for one is refused', async () => {
    const before = calls.batch;
    assert.deepEqual(await port.ratable('nobody'), []);
    assert.equal(calls.batch, before);
    await assert.rejects(
      port.rate('nobody', 'C0', { level: 5, stage: 'accepted', indicators: [] }),
      (e: { code?: string }) => e.code === 'RATINGS.CASE_NOT_FOUND',
    );
  });
});

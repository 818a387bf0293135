import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Store } from '../../src/platform/db/index.js';
import { type ReplayResult, replayYear } from '../helpers/disclosure-replay.js';
import { openTestStore } from '../helpers/store.js';

/**
 * "What it must show" at a test's size: a generated year of 2,000 依申请公开 requests replayed
 * through the requests service day by day; every due date the service states against a day-by-day
 * count over chinese-days, and the annual report against a recount of what was done.
 * (bench/disclosure.bench.ts replays 20,000 and times it.)
 */
describe('a year of 依申请公开 requests, replayed', () => {
  let store: Store;
  let r: ReplayResult;
  before(async () => {
    store = await openTestStore();
    r = await replayYear({ store, n: Number(process.env.REPLAY_REQUESTS ?? 2000), seed: 7 });
  });
  after(async () => store.close());

  test('every step of the plan was accepted', () => {
    assert.deepEqual(r.refused, []);
    assert.ok(r.requests >= 1900, `${r.requests} filed`);
    assert.ok(r.actions >= r.requests * 0.7, `${r.actions} actions`);
  });

  test('every due date equals the independent day-by-day count', () => {
    assert.ok(r.dueChecks >= r.requests * 2 + r.actions, `${r.dueChecks} checks`);
    assert.deepEqual(r.dueMismatches, []);
  });

  test('the annual report equals the recount, by requester column and row', () => {
    assert.deepEqual(r.reportMismatches, []);
  });
});

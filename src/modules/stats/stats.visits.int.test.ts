import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { testDialect } from '../../../test/helpers/store.js';
import { ManualClock } from '../../kernel/index.js';
import { type NewEvent, appendEvents } from '../../platform/events/index.js';
import { recountPerformance } from './stats.recount.js';
import { allPerformanceCells } from './stats.store.js';

/**
 * 最多跑一次 counts the halls' visits (issue 14): a ticket for a case called to a window
 * (`halls.visit`) is a visit of that case, except a 出件 ticket (line C), whose visit the result's
 * handover at a window already counts; a visit after completion counts for nothing. The consumer's
 * figures equal the recount's.
 */
const DEPT = 'dept-410105-rsj';
const REGION = '410105';

describe(`supervision figures count the halls' visits (${testDialect()})`, () => {
  let t: TongbanApp;
  const clock = new ManualClock('2026-12-07T02:00:00Z');
  before(async () => {
    t = await buildTestApp({ demo: 'off', clock });
    const ev = (type: string, n: string, payload: Record<string, unknown>): NewEvent => ({
      type,
      aggregateType: 'case',
      aggregateId: n,
      regionCode: REGION,
      payload: { caseNumber: n, departmentId: DEPT, ...payload },
    });
    const submitted = (n: string, channel = 'online') => ev('cases.submitted', n, { channel });
    const visit = (n: string, line: string) =>
      ev('halls.visit', n, { hallId: 'H410105001', window: 2, line });
    const done = (n: string) =>
      ev('cases.completed', n, {
        action: 'complete',
        status: 'completed',
        promisedDays: 5,
        clock: { state: 'stopped', onTime: true, elapsedWorkingDays: 2 },
      });
    const result = (n: string) =>
      ev('cases.resultIssued', n, { action: 'issueResult', status: 'resultIssued', delivery: 'window' });
    const events: NewEvent[] = [
      // X1: online, called to a window once for 补正: one visit
      submitted('X1'),
      visit('X1', 'A'),
      done('X1'),
      // X2: online, called twice (A, then B): two visits
      submitted('X2'),
      visit('X2', 'A'),
      visit('X2', 'B'),
      done('X2'),
      // X3: online, the result collected at a window with a C ticket: one visit, not two
      submitted('X3'),
      result('X3'),
      visit('X3', 'C'),
      done('X3'),
      // X4: fully online; a visit after completion changes nothing
      submitted('X4'),
      done('X4'),
      visit('X4', 'A'),
    ];
    await t.store.db.transaction().execute((trx) => appendEvents(trx, clock, events));
    await t.events.drain();
  });
  after(async () => t?.close());

  test('最多跑一次 and 全程网办 from the visits; the projection equals the recount', async () => {
    const projected = await allPerformanceCells(t.store.db);
    const cell = projected.find((c) => c.key.departmentId === DEPT && c.key.regionCode === REGION);
    assert.ok(cell);
    assert.equal(cell.counters.completed, 4);
    assert.equal(cell.counters.at_most_one_visit, 3); // X1, X3, X4 (not X2)
    assert.equal(cell.counters.fully_online, 1); // X4 only: X1 and X3 came to a window
    const recounted = await recountPerformance(t.store.db);
    const r = recounted.find((c) => c.key.departmentId === DEPT && c.key.regionCode === REGION);
    assert.deepEqual(r?.counters, cell.counters);
  });
});

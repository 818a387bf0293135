import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { testDialect } from '../../../test/helpers/store.js';
import { ManualClock, seededRandom } from '../../kernel/index.js';
import { sql } from '../../platform/db/index.js';
import { EventBus, type NewEvent, appendEvents } from '../../platform/events/index.js';
import { PERFORMANCE_CONSUMER, applyPerformance } from './stats.consumer.js';
import { COUNTERS } from './stats.performance.js';
import { recountPerformance } from './stats.recount.js';
import { allPerformanceCells } from './stats.store.js';

/**
 * The supervision figures equal a full recount (issue 16 item 4): a generated year of cases through
 * the cases service, ratings, rectifications and complaints appended as the ratings module writes
 * them, folded by a consumer that crashes inside two in five of its batches (after writing, before its
 * position moves) and is restarted; every counter of every department × region × month cell then
 * equals the recount from the whole event stream.
 */
const quiet = () => ({ tick() {}, done() {} });
const sortCells = (cells: Awaited<ReturnType<typeof recountPerformance>>) =>
  cells
    .map((c) => ({ ...c.key, ...c.counters }))
    .sort((a, b) =>
      `${a.month}|${a.regionCode}|${a.departmentId}`.localeCompare(
        `${b.month}|${b.regionCode}|${b.departmentId}`,
      ),
    );

describe(`supervision figures on ${testDialect()}`, () => {
  let t: TongbanApp;
  let crashes = 0;
  before(async () => {
    // a fixed instant (Sunday 6 December 2026, noon in China). With the wall clock the generated
    // year and the three sweeps below moved with the moment the test ran, and at some moments
    // (16:00:30 and 16:23 UTC on 6 December, not 15:59 or 16:59) no case turned yellow between the
    // sweeps: the check that every counter has something behind it failed by the hour, not the code
    const now = new ManualClock(new Date('2026-12-06T04:00:00Z'));
    t = await buildTestApp({ demo: 'on', clock: now });
    // a year of cases through the service: every check, action row and event as in live use
    await t.modules.find((m) => m.name === 'cases')!.seedScale!({ cases: 240, progress: quiet });
    // the warning sweep a few days ago (黄牌 for some) and today (红牌)
    const today = now.now().getTime();
    for (const back of [4, 2, 0]) {
      now.set(new Date(today - back * 86_400_000));
      await t.cases.sweepClocks();
    }
    // ratings, rectifications and complaints as the ratings module appends them
    const completed = await sql<{ case_number: string; department_id: string; decide_region_code: string }>`
      select case_number, department_id, decide_region_code from cases where status = 'completed'
      order by case_number`.execute(t.store.db);
    assert.ok(completed.rows.length > 50, 'the generator completed cases');
    const rnd = seededRandom(16);
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const events: Array<{ at: string; e: NewEvent }> = [];
    // the last minutes of a UTC month are the first of the next China month: both sides of it
    const instants = ['2026-03-31T15:59:00Z', '2026-03-31T16:00:00Z', '2026-06-30T23:59:00Z'];
    completed.rows.forEach((c, i) => {
      const at = instants[i % instants.length]!;
      const level = 1 + Math.floor(rnd() * 5);
      const realName = rnd() < 0.7;
      const anonymous = !realName && rnd() < 0.5;
      const base = { regionCode: c.decide_region_code, aggregateType: 'rating', aggregateId: `R${i}` };
      events.push({
        at,
        e: {
          ...base,
          type: 'ratings.rated',
          payload: {
            caseNumber: c.case_number,
            stage: 'completed',
            channel: 'pc',
            level,
            departmentId: c.department_id,
            regionCode: c.decide_region_code,
            itemCode: null,
            realName,
            anonymous,
          },
        },
      });
      if (level <= 2) {
        const rectificationId = `RX${i}`;
        const dept = { rectificationId, departmentId: c.department_id };
        events.push({
          at,
          e: {
            ...base,
            type: 'ratings.rectification-opened',
            payload: { ...dept, caseNumber: c.case_number, dueOn: '2026-04-21' },
          },
        });
        if (rnd() < 0.8)
          events.push({
            at: '2026-04-02T02:00:00Z',
            e: { ...base, type: 'ratings.callback-recorded', payload: { ...dept, realName } },
          });
        if (rnd() < 0.7)
          events.push({
            at: '2026-04-10T02:00:00Z',
            e: {
              ...base,
              type: 'ratings.rectification-closed',
              payload: { ...dept, outcome: 'fixed', onTime: rnd() < 0.8 },
            },
          });
      }
      if (i % 7 === 0) {
        const complaintNumber = `TS${i}`;
        const who = { complaintNumber, departmentId: c.department_id };
        events.push({
          at,
          e: {
            type: 'complaints.filed',
            aggregateType: 'complaint',
            aggregateId: complaintNumber,
            regionCode: c.decide_region_code,
            payload: { ...who, kind: 'complaint', dueOn: '2026-04-15', channel: 'pc' },
          },
        });
        events.push({
          at: '2026-04-08T01:00:00Z',
          e: {
            type: 'complaints.answered',
            aggregateType: 'complaint',
            aggregateId: complaintNumber,
            regionCode: c.decide_region_code,
            payload: { ...who, onTime: i % 2 === 0 },
          },
        });
      }
    });
    // the sweep and the generator poke the app's own bus, which then folds events in the background
    // with the same consumer name: let it finish now, so the crashing bus below meets these events
    // (without this the app's bus could take them first, and the consumer would never be killed)
    await t.events.drain();
    await t.store.db.transaction().execute(async (trx) => {
      for (const x of events) {
        clock.set(new Date(x.at));
        await appendEvents(trx, clock, [x.e]);
      }
    });
    // the consumer, killed inside two in five of its batches after its writes, restarted each time
    const crashing = seededRandom(4);
    const bus = new EventBus(t.store, clock);
    bus.register({
      name: PERFORMANCE_CONSUMER,
      batchSize: 23,
      async handle(trx, batch) {
        await applyPerformance(trx, batch);
        if (crashing() < 0.4) throw new Error('killed mid-batch');
      },
    });
    for (let round = 0; ; round++) {
      assert.ok(round < 500, 'the consumer finishes');
      try {
        await bus.drain();
        break;
      } catch (e) {
        assert.match(String(e), /killed mid-batch/);
        crashes++;
      }
    }
    // the app's own consumers (the same position row for stats.performance) catch up too
    await t.events.drain();
  });
  after(async () => t?.close());

  test('every counter of every department × region × China month equals the recount, after crashes', async () => {
    assert.ok(crashes > 3, `the consumer was killed (${crashes} times)`);
    const projected = sortCells(await allPerformanceCells(t.store.db));
    const recounted = sortCells(await recountPerformance(t.store.db));
    assert.ok(projected.length > 10);
    assert.deepEqual(projected, recounted);
    const total = (k: (typeof COUNTERS)[number]) => projected.reduce((s, c) => s + c[k], 0);
    // every figure has something behind it (a recount of zeros would prove nothing)
    for (const k of COUNTERS) assert.ok(total(k) > 0, `${k} counted`);
  });

  test('办结 equals the cases the cases module holds as completed; months are China months', async () => {
    const cells = await allPerformanceCells(t.store.db);
    const completed = await sql<{
      n: number;
    }>`select count(*) as n from cases where status = 'completed'`.execute(t.store.db);
    assert.equal(
      cells.reduce((s, c) => s + c.counters.completed, 0),
      Number(completed.rows[0]!.n),
    );
    // 2026-03-31T16:00Z is 1 April in Zhengzhou; 15:59Z is still 31 March
    const ratingsIn = (m: string) =>
      cells.filter((c) => c.key.month === m).reduce((s, c) => s + c.counters.ratings, 0);
    assert.ok(ratingsIn('2026-03') > 0 && ratingsIn('2026-04') > 0);
    assert.ok(ratingsIn('2026-07') > 0, '2026-06-30T23:59Z rated in July, China time');
  });

  test('the open cases behind 红黄牌 are the open cases of that colour', async () => {
    const theirs = await sql<{ case_number: string; colour: string }>`
      select case_number, colour from cases where open = 1 and colour in ('yellow', 'red') order by case_number`.execute(
      t.store.db,
    );
    const ours = await sql<{ case_number: string; colour: string }>`
      select case_number, colour from stats_open_cases where colour in ('yellow', 'red') order by case_number`.execute(
      t.store.db,
    );
    assert.ok(theirs.rows.length > 0, 'the generated year leaves late cases open');
    assert.deepEqual(ours.rows, theirs.rows);
  });
});

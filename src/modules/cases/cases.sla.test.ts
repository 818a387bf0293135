import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chinaDate } from '../../platform/calendar/index.js';
import { type RecordedAction, computeClock, dateOf, dayNumber, explainClock } from './cases.sla.js';
import { fakeCalendar, pick, randomCalendar, seeded } from './cases.testkit.js';
import type { CaseAction } from './cases.workflow.js';

/** An action recorded at noon China time on a date. */
const at = (date: string, action: CaseAction): RecordedAction => ({ action, at: `${date}T04:00:00.000Z` });
const cal = fakeCalendar();
const limits = { promisedDays: 5, statutoryDays: 20 };

describe('China dates of instants', () => {
  test('UTC+8: 16:00Z is the next day in China; an offset instant of the same hour text is not mixed up', () => {
    assert.equal(chinaDate('2025-09-15T15:59:59.000Z'), '2025-09-15');
    assert.equal(chinaDate('2025-09-15T16:00:00.000Z'), '2025-09-16');
    assert.equal(chinaDate('2025-09-15T20:00:00.000Z'), '2025-09-16');
    // the same "2025-09-15T20" with +08:00 is 12:00 UTC, still 15 September in China
    assert.equal(chinaDate('2025-09-15T20:00:00+08:00'), '2025-09-15');
    assert.equal(chinaDate('2025-09-15T20:30:00.000Z'), '2025-09-16');
  });
});

describe('cases clocks', () => {
  test('期间开始之日不计算在内 › the day of acceptance is not counted', () => {
    // Monday 2025-09-15 accepted; 5 working days → Monday 2025-09-22
    const c = computeClock(
      [at('2025-09-15', { type: 'submit' }), at('2025-09-15', { type: 'accept' })],
      limits,
      cal,
      '2025-09-15',
    );
    assert.equal(c.promisedDue, '2025-09-22');
    assert.equal(c.remainingWorkingDays, 5);
    assert.equal(c.state, 'running');
    assert.equal(c.colour, 'green');
  });

  test('国庆 › holidays are skipped and the 调休 Saturday counts', () => {
    // accepted Friday 2025-09-26: Sat 27 off, Sun 28 make-up (counted: 1), Mon 29 (2), Tue 30 (3),
    // 1–8 Oct off except Sat/Sun 4–5 which are weekends anyway, Thu 9 (4), Fri 10 (5)
    const c = computeClock([at('2025-09-26', { type: 'accept' })], limits, cal, '2025-09-26');
    assert.equal(c.promisedDue, '2025-10-10');
  });

  test('即办件 › a 0-day limit is due on the day of acceptance', () => {
    const c = computeClock(
      [at('2025-09-15', { type: 'accept' })],
      { promisedDays: 0, statutoryDays: 0 },
      cal,
      '2025-09-15',
    );
    assert.equal(c.promisedDue, '2025-09-15');
    assert.equal(c.colour, 'yellow');
  });

  test('warnings › yellow at 2 days left, red after the due date, thresholds configurable', () => {
    const acts = [at('2025-09-15', { type: 'accept' })];
    assert.equal(computeClock(acts, limits, cal, '2025-09-18').colour, 'yellow'); // 3 elapsed, 2 left
    assert.equal(computeClock(acts, limits, cal, '2025-09-22').colour, 'yellow'); // due today
    assert.equal(computeClock(acts, limits, cal, '2025-09-23').colour, 'red');
    assert.equal(computeClock(acts, limits, cal, '2025-09-23').remainingWorkingDays, -1);
    assert.equal(
      computeClock(acts, limits, cal, '2025-09-17', { yellowWithin: 3, redBelow: 0 }).colour,
      'yellow',
    );
  });

  test('特别程序 › a hearing pauses the clock and moves the due date', () => {
    const acts = [
      at('2025-09-15', { type: 'accept' }),
      at('2025-09-16', { type: 'suspend', procedure: 'hearing' }),
      at('2025-09-19', { type: 'resume' }),
    ];
    const c = computeClock(acts, limits, cal, '2025-09-19');
    // counted: 16 (1); paused 17, 18, 19; then 22 (2), 23, 24, 25 (5)
    assert.equal(c.promisedDue, '2025-09-25');
    assert.equal(c.pausedWorkingDays, 3);
    assert.equal(c.remainingWorkingDays, 4);
  });

  test('行政许可法 art. 42 › an extension adds its days to both deadlines', () => {
    const acts = [
      at('2025-09-15', { type: 'accept' }),
      at('2025-09-16', { type: 'extend', days: 10, approvedBy: 'head' }),
    ];
    const c = computeClock(acts, limits, cal, '2025-09-16');
    assert.equal(c.extensionDays, 10);
    assert.equal(c.remainingWorkingDays, 14);
  });

  test('the decision stops the clock and records whether it was on time', () => {
    const acts = [at('2025-09-15', { type: 'accept' }), at('2025-09-19', { type: 'approve' })];
    const c = computeClock(acts, limits, cal, '2025-12-01');
    assert.equal(c.state, 'stopped');
    assert.equal(c.onTime, true);
    assert.equal(c.colour, 'none');
    assert.equal(c.remainingWorkingDays, 1);
  });

  test('explanation › each day says why it counts; the due day is marked', () => {
    const days = explainClock([at('2025-09-26', { type: 'accept' })], limits, cal, '2025-09-26');
    assert.equal(days[0]?.reason, 'start');
    const sunday = days.find((d) => d.date === '2025-09-28');
    assert.deepEqual([sunday?.counted, sunday?.ordinal, sunday?.note], [true, 1, '调休']);
    const holiday = days.find((d) => d.date === '2025-10-01');
    assert.deepEqual([holiday?.counted, holiday?.note], [false, '国庆节']);
    assert.deepEqual(days.find((d) => d.date === '2025-10-10')?.due, ['promised']);
  });

  test('property › clocks never count a non-working day, nor a paused one', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = seeded(seed);
      const rule = randomCalendar(rnd, '2025-01-01', 400);
      const start = dayNumber('2025-01-01') + Math.floor(rnd() * 200);
      const acts: RecordedAction[] = [at(dateOf(start), { type: 'accept' })];
      let d = start;
      let open = false;
      for (let i = 0; i < 6; i++) {
        d += Math.floor(rnd() * 6);
        if (open)
          acts.push(at(dateOf(d), pick(rnd, [{ type: 'resume' }, { type: 'supplement' }] as CaseAction[])));
        else
          acts.push(
            at(
              dateOf(d),
              pick(rnd, [
                { type: 'suspend', procedure: 'testing' },
                { type: 'requestSupplement', missing: ['x'] },
              ] as CaseAction[]),
            ),
          );
        open = !open;
      }
      const lim = { promisedDays: Math.floor(rnd() * 15), statutoryDays: 20 };
      const today = dateOf(d + Math.floor(rnd() * 30));
      const days = explainClock(acts, lim, rule, today);
      const clock = computeClock(acts, lim, rule, today);
      for (const day of days) {
        if (day.counted)
          assert.ok(rule.isWorkingDay(day.date), `seed ${seed}: counted non-working ${day.date}`);
        if (day.reason === 'paused') assert.equal(day.counted, false);
      }
      const counted = days.filter((x) => x.counted && x.date <= today).length;
      assert.equal(counted, clock.elapsedWorkingDays, `seed ${seed}: elapsed`);
    }
  });

  test('property › a paused clock does not move', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = seeded(seed * 7919);
      const rule = randomCalendar(rnd, '2025-01-01', 400);
      const start = dayNumber('2025-01-01') + Math.floor(rnd() * 200);
      const pauseDay = start + Math.floor(rnd() * 10);
      const acts = [
        at(dateOf(start), { type: 'accept' }),
        at(
          dateOf(pauseDay),
          pick(rnd, [
            { type: 'suspend', procedure: 'hearing' },
            { type: 'requestSupplement', missing: ['x'] },
          ] as CaseAction[]),
        ),
      ];
      const lim = { promisedDays: 1 + Math.floor(rnd() * 20), statutoryDays: 30 };
      const atPause = computeClock(acts, lim, rule, dateOf(pauseDay));
      assert.equal(atPause.state, 'paused');
      for (let k = 1; k <= 40; k += 1 + Math.floor(rnd() * 5)) {
        const later = computeClock(acts, lim, rule, dateOf(pauseDay + k));
        assert.equal(later.state, 'paused');
        assert.equal(
          later.remainingWorkingDays,
          atPause.remainingWorkingDays,
          `seed ${seed}: moved after ${k} days`,
        );
        assert.equal(later.elapsedWorkingDays, atPause.elapsedWorkingDays);
      }
    }
  });
});

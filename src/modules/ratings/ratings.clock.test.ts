import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_RATINGS_CONFIG } from '../../config/index.js';
import { colourOf, dueAfter, nextDate, workingDaysUsed } from './ratings.clock.js';
import { rectificationDaysFor } from './ratings.context.js';

/** A calendar: weekends off unless made up (调休), plus holidays off, from the arbitrary sets. */
const calendarArb = fc
  .record({
    holidays: fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 40 }),
    makeup: fc.uniqueArray(fc.integer({ min: 0, max: 400 }), { maxLength: 8 }),
  })
  .map(({ holidays, makeup }) => {
    const base = '2025-01-01';
    const off = new Set(holidays.map((i) => nextDate(base, i)));
    const on = new Set(makeup.map((i) => nextDate(base, i)));
    return (d: string) => {
      if (on.has(d)) return true;
      if (off.has(d)) return false;
      const w = new Date(`${d}T00:00:00Z`).getUTCDay();
      return w !== 0 && w !== 6;
    };
  });
const startArb = fc.integer({ min: 0, max: 300 }).map((i) => nextDate('2025-01-01', i));

describe('差评整改 clock › working days (property)', () => {
  test('the clock never counts a non-working day: exactly n working days in (start, due], due itself working', () => {
    fc.assert(
      fc.property(calendarArb, startArb, fc.integer({ min: 1, max: 30 }), (isWorking, start, n) => {
        const due = dueAfter(start, n, isWorking);
        assert.ok(isWorking(due), `due ${due} is a working day`);
        // count day by day, independently of the implementation
        let counted = 0;
        for (let d = nextDate(start); d <= due; d = nextDate(d)) if (isWorking(d)) counted++;
        assert.equal(counted, n);
        assert.equal(workingDaysUsed(start, due, isWorking), n);
      }),
      { numRuns: 300 },
    );
  });

  test('a non-working day never moves the count: used(d) = used(day before) when d is off', () => {
    fc.assert(
      fc.property(calendarArb, startArb, fc.integer({ min: 1, max: 60 }), (isWorking, start, k) => {
        const d = nextDate(start, k);
        const before = workingDaysUsed(start, nextDate(d, -1), isWorking);
        assert.equal(workingDaysUsed(start, d, isWorking), before + (isWorking(d) ? 1 : 0));
      }),
      { numRuns: 300 },
    );
  });

  test('red only after the due date, yellow on the last two working days, stopped when closed', () => {
    fc.assert(
      fc.property(
        calendarArb,
        startArb,
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 40 }),
        (w, start, n, k) => {
          const due = dueAfter(start, n, w);
          const today = nextDate(start, k);
          const c = colourOf(due, today, false, w);
          assert.equal(c.colour === 'red', today > due);
          if (today <= due) assert.equal(c.colour === 'yellow', workingDaysUsed(today, due, w) <= 2);
          assert.equal(colourOf(due, today, true, w).colour, 'stopped');
        },
      ),
      { numRuns: 300 },
    );
  });

  test('国庆 2025: 15 working days from Monday 15 September fall on Saturday 11 October (调休)', () => {
    const off = new Set(['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06', '2025-10-07', '2025-10-08']);
    const on = new Set(['2025-09-28', '2025-10-11']);
    const w = (d: string) =>
      on.has(d) || (!off.has(d) && ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()));
    assert.equal(dueAfter('2025-09-15', 15, w), '2025-10-11');
  });

  test('per city: the longest configured region prefix sets the working days', () => {
    const settings = { ...DEFAULT_RATINGS_CONFIG, rectificationDays: { '': 15, '41': 12, '4101': 10 } };
    assert.equal(rectificationDaysFor(settings, '410105'), 10);
    assert.equal(rectificationDaysFor(settings, '410305'), 12);
    assert.equal(rectificationDaysFor(settings, '110101'), 15);
  });
});

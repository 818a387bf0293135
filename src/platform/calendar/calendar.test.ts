import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../../kernel/index.js';
import { chinaDate, dateAt, dayIndex, weekdayAt } from './calendar.dates.js';
import { calendarMessages } from './calendar.messages.js';
import { packageDays } from './calendar.package.js';
import {
  type IndexedEntry,
  buildTable,
  describeAt,
  dueIndex,
  explainPeriod,
  isWorkingAt,
  workingBetween,
} from './calendar.table.js';
import type { DayEntry } from './calendar.types.js';

const indexed = (days: readonly Pick<DayEntry, 'date' | 'kind' | 'name' | 'nameEn'>[]): IndexedEntry[] =>
  days.map((entry) => ({ index: dayIndex(entry.date), entry }));
const national = indexed(packageDays());
const table = buildTable(national, []);
const due = (start: string, n: number, t = table): string => dateAt(dueIndex(t, dayIndex(start), n));
const between = (a: string, b: string, t = table): number => workingBetween(t, dayIndex(a), dayIndex(b));
const working = (d: string, t = table): boolean => isWorkingAt(t, dayIndex(d));

describe('calendar dates', () => {
  test('parses only real dates of 2000–2099', () => {
    assert.equal(dateAt(dayIndex('2025-10-01')), '2025-10-01');
    assert.equal(dayIndex('2000-01-01'), 0);
    for (const bad of [
      '2025-02-29',
      '2025-13-01',
      '2025-00-10',
      '1999-12-31',
      '2100-01-01',
      '2025-1-01',
      '20251001',
      'x',
      '',
    ])
      assert.equal(dayIndex(bad), -1, bad);
    assert.notEqual(dayIndex('2024-02-29'), -1);
  });
  test('weekday: 2025-10-01 was a Wednesday, 2025-09-28 a Sunday', () => {
    assert.equal(weekdayAt(dayIndex('2025-10-01')), 3);
    assert.equal(weekdayAt(dayIndex('2025-09-28')), 0);
  });
  test('China date: an instant after 16:00 UTC is already the next day in Asia/Shanghai', () => {
    assert.equal(chinaDate('2025-09-30T16:00:00Z'), '2025-10-01');
    assert.equal(chinaDate('2025-09-30T15:59:59.999Z'), '2025-09-30');
    assert.equal(chinaDate('2025-10-01T00:30:00+08:00'), '2025-10-01');
    assert.equal(chinaDate(new Date('2025-12-31T16:00:00Z')), '2026-01-01');
    assert.throws(() => chinaDate('not a time'));
  });
});

describe('国务院办公厅 2025 notice › National Day and Mid-Autumn: Oct 1–8 off, Sep 28 (Sun) and Oct 11 (Sat) worked', () => {
  test('Oct 1–8 are days off', () => {
    for (let d = 1; d <= 8; d++) assert.equal(working(`2025-10-0${d}`), false, `2025-10-0${d}`);
  });
  test('Sep 28 (Sunday) and Oct 11 (Saturday) are make-up working days', () => {
    assert.equal(working('2025-09-28'), true);
    assert.equal(working('2025-10-11'), true);
    assert.equal(describeAt(table, dayIndex('2025-09-28')).reason, 'makeup');
    assert.equal(describeAt(table, dayIndex('2025-10-11')).name?.zh, '国庆节');
  });
  test('1 working day after Sep 30 is Oct 9; 2 after Oct 9 is Oct 11 (a Saturday, worked)', () => {
    assert.equal(due('2025-09-30', 1), '2025-10-09');
    assert.equal(due('2025-10-09', 2), '2025-10-11');
  });
  test('the start day is not counted: 1 working day after Sep 26 (Fri) is Sep 28 (the make-up Sunday)', () => {
    assert.equal(due('2025-09-26', 1), '2025-09-28');
  });
  test('working days in (Sep 26, Oct 11] are 6: Sep 28, 29, 30, Oct 9, 10, 11', () => {
    assert.equal(between('2025-09-26', '2025-10-11'), 6);
    assert.equal(between('2025-10-11', '2025-09-26'), -6);
  });
  test('the explanation names every skipped and specially counted day', () => {
    const e = explainPeriod(table, dayIndex('2025-09-30'), dayIndex('2025-10-11'));
    assert.deepEqual(
      e.map((d) => [d.date, d.counted, d.reason]),
      [
        ['2025-09-30', false, 'start'],
        ['2025-10-01', false, 'holiday'],
        ['2025-10-02', false, 'holiday'],
        ['2025-10-03', false, 'holiday'],
        ['2025-10-04', false, 'holiday'],
        ['2025-10-05', false, 'holiday'],
        ['2025-10-06', false, 'holiday'],
        ['2025-10-07', false, 'holiday'],
        ['2025-10-08', false, 'holiday'],
        ['2025-10-11', true, 'makeup'],
      ],
    );
    assert.equal(e.at(-1)?.ordinal, 3);
    assert.equal(e[1]?.name?.zh, '国庆节');
    assert.equal(e[6]?.name?.zh, '中秋');
  });
});

describe('国务院办公厅 2026 notice › Spring Festival: Feb 15–23 off, Feb 14 (Sat) and Feb 28 (Sat) worked', () => {
  test('Feb 15–23 are days off named 春节', () => {
    for (let d = 15; d <= 23; d++) {
      const date = `2026-02-${d}`;
      assert.equal(working(date), false, date);
      assert.equal(describeAt(table, dayIndex(date)).name?.zh, '春节');
    }
    assert.equal(working('2026-02-24'), true);
  });
  test('Feb 14 and Feb 28 (Saturdays) are worked', () => {
    assert.equal(working('2026-02-14'), true);
    assert.equal(working('2026-02-28'), true);
    assert.equal(working('2026-02-07'), false);
  });
  test('5 working days after Feb 12: Feb 13, 14 (make-up), 24, 25, 26', () => {
    assert.equal(due('2026-02-12', 5), '2026-02-26');
  });
});

describe('working-day rule', () => {
  test('n = 0: the start day when it is a working day, else the next working day', () => {
    assert.equal(due('2025-09-30', 0), '2025-09-30');
    assert.equal(due('2025-10-01', 0), '2025-10-09');
    assert.equal(due('2025-10-04', 0), '2025-10-09');
  });
  test('a result past 2099 is -1 (the service turns it into CALENDAR.OUT_OF_RANGE)', () => {
    assert.equal(dueIndex(table, dayIndex('2099-12-30'), 10), -1);
  });
});

describe('local overrides › the most specific region prefix wins', () => {
  const province = indexed([{ date: '2025-10-10', kind: 'off', name: '省庆', nameEn: 'Province day' }]);
  const county = indexed([{ date: '2025-10-10', kind: 'work', name: '县补班', nameEn: '' }]);
  const city = indexed([{ date: '2025-10-09', kind: 'off', name: '市休', nameEn: 'City day' }]);
  const t41 = buildTable(national, [province]);
  const t4101 = buildTable(national, [province, city]);
  const t410102 = buildTable(national, [province, city, county]);
  test('a province day off applies below it', () => {
    assert.equal(working('2025-10-10', t41), false);
    assert.equal(describeAt(t41, dayIndex('2025-10-10')).reason, 'localOff');
    assert.equal(due('2025-09-30', 1, t41), '2025-10-09');
  });
  test('a city adds its own day off', () => {
    assert.equal(due('2025-09-30', 1, t4101), '2025-10-11');
  });
  test('a county turns the province day off back into a working day', () => {
    assert.equal(working('2025-10-10', t410102), true);
    assert.equal(describeAt(t410102, dayIndex('2025-10-10')).reason, 'localWork');
    assert.equal(describeAt(t410102, dayIndex('2025-10-10')).name?.en, '县补班');
  });
  test('the national table is untouched', () => assert.equal(working('2025-10-10'), true));
});

describe('property › due dates land on working days and count back to n', () => {
  const local = buildTable(national, [
    indexed([{ date: '2025-10-10', kind: 'off', name: '地方', nameEn: '' }]),
  ]);
  test('for 20,000 random (start, n, region) in 2004–2026', () => {
    const r = seededRandom(20251001);
    const lo = dayIndex('2004-01-01');
    const hi = dayIndex('2026-12-31');
    for (let k = 0; k < 20_000; k++) {
      const t = k % 2 ? table : local;
      const s = lo + Math.floor(r() * (hi - lo));
      const n = Math.floor(r() * 60);
      const d = dueIndex(t, s, n);
      const ctx = `start ${dateAt(s)} n ${n}`;
      assert.equal(isWorkingAt(t, d), true, ctx);
      if (n > 0) {
        assert.equal(workingBetween(t, s, d), n, ctx);
        assert.equal(workingBetween(t, s, d - 1), n - 1, ctx);
      } else assert.ok(d >= s, ctx);
    }
  });
});

describe('calendar messages', () => {
  test('zh-CN and en have the same keys', () => {
    assert.deepEqual(Object.keys(calendarMessages['zh-CN']).sort(), Object.keys(calendarMessages.en).sort());
  });
  test('every reason has a message', () => {
    for (const r of ['start', 'sameDay', 'workday', 'weekend', 'holiday', 'makeup', 'localOff', 'localWork'])
      assert.ok(`calendar.reason.${r}` in calendarMessages.en, r);
  });
});

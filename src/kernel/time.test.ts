import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chinaDate, chinaDateTime, chinaDateTimeSeconds, chinaIso, chinaMonth } from './time.js';

test('an instant late on 4 December UTC is 5 December in China', () => {
  const at = '2026-12-04T18:47:09.123Z';
  assert.equal(chinaDate(at), '2026-12-05');
  assert.equal(chinaDateTime(at), '2026-12-05 02:47');
  assert.equal(chinaDateTimeSeconds(at), '2026-12-05 02:47:09');
  assert.equal(chinaIso(at), '2026-12-05T02:47:09+08:00');
});

test('month and year boundaries follow China time', () => {
  assert.equal(chinaMonth('2026-12-31T16:00:00Z'), '2027-01');
  assert.equal(chinaMonth('2026-12-31T15:59:59Z'), '2026-12');
  assert.equal(chinaDate(new Date(Date.UTC(2026, 0, 1, 0, 0))), '2026-01-01');
});

test('a string that is not an instant is refused, not shown as a wrong date', () => {
  assert.throws(() => chinaDate('not a date'), RangeError);
});

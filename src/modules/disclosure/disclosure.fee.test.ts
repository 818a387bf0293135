import assert from 'node:assert/strict';
import { test } from 'node:test';
import { processingFeeFen } from './disclosure.fee.js';

test('the first ten requests of a month are free, the 11th to the 30th cost 100 yuan each', () => {
  for (const n of [1, 5, 10]) assert.equal(processingFeeFen(n), 0);
  for (const n of [11, 20, 30]) assert.equal(processingFeeFen(n), 10_000);
});

test('from the 31st the charge rises by 100 yuan for each further block of ten', () => {
  assert.equal(processingFeeFen(31), 20_000);
  assert.equal(processingFeeFen(40), 20_000);
  assert.equal(processingFeeFen(41), 30_000);
  assert.equal(processingFeeFen(51), 40_000);
});

test('a place that is not a positive whole number is refused', () => {
  for (const n of [0, -1, 1.5, Number.NaN]) assert.throws(() => processingFeeFen(n), RangeError);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffGuides } from './catalog.diff.js';

describe('guide diff', () => {
  test('lists changed leaves by path with before and after', () => {
    const a = { name: 'x', limit: { days: 10 }, list: [1, 2] };
    const b = { name: 'x', limit: { days: 8 }, list: [1, 2, 3] };
    assert.deepEqual(diffGuides(a, b), [
      { path: 'limit.days', before: 10, after: 8 },
      { path: 'list.2', before: null, after: 3 },
    ]);
  });

  test('identical guides have no changes', () => {
    assert.deepEqual(diffGuides({ a: [{ b: 1 }] }, { a: [{ b: 1 }] }), []);
  });
});

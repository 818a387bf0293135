import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prefixUpperBound } from './prefix.js';

test('the upper bound of a digit prefix: the next prefix of the same or shorter length', () => {
  assert.equal(prefixUpperBound('4101'), '4102');
  assert.equal(prefixUpperBound('410105'), '410106');
  assert.equal(prefixUpperBound('41019'), '4102');
  assert.equal(prefixUpperBound('4199'), '42');
  assert.equal(prefixUpperBound('0'), '1');
  assert.equal(prefixUpperBound('999'), undefined);
});

test('every code that starts with a prefix is in [prefix, bound), and no other', () => {
  const codes: string[] = [];
  for (let i = 0; i < 20_000; i++) codes.push(String(Math.floor(Math.random() * 1e6)).padStart(6, '0'));
  for (const prefix of ['4', '41', '4101', '410105', '1999', '0', '09', '99', '199999']) {
    const upper = prefixUpperBound(prefix);
    for (const c of [...codes, prefix, `${prefix}0`, upper ?? '']) {
      const inRange = c >= prefix && (upper === undefined || c < upper);
      assert.equal(inRange, c.startsWith(prefix), `${c} against ${prefix}`);
    }
  }
});

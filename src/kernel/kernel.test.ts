import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DomainError, defineErrors, idTime, isId, newId } from './index.js';

describe('ids (RFC 9562 UUIDv7)', () => {
  test('are version 7 with the RFC variant', () => {
    const id = newId();
    assert.ok(isId(id), id);
  });
  test('sort by creation time, strictly, even within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newId(1_700_000_000_000));
    const sorted = [...ids].sort();
    assert.deepEqual(ids, sorted);
    assert.equal(new Set(ids).size, ids.length);
  });
  test('carry their time', () => {
    const t = Date.UTC(2026, 10, 26, 4, 0, 0);
    assert.equal(idTime(newId(t + 1000)).getTime() >= t, true);
  });
});

describe('coded errors', () => {
  defineErrors({ 'TEST.THING_MISSING': { status: 404, zh: '找不到{what}', en: 'No {what} found' } });
  test('carry status and messages in both languages with parameters', () => {
    const e = new DomainError('TEST.THING_MISSING', { params: { what: 'X' } });
    assert.equal(e.status, 404);
    assert.equal(e.expose, true);
    assert.equal(e.messageIn('zh-CN'), '找不到X');
    assert.equal(e.messageIn('en'), 'No X found');
  });
  test('an unknown code is a 500 that is not shown', () => {
    const e = new DomainError('TEST.NOT_REGISTERED');
    assert.equal(e.status, 500);
    assert.equal(e.expose, false);
  });
  test('a code cannot be defined twice with different texts', () => {
    assert.throws(() => defineErrors({ 'TEST.THING_MISSING': { status: 400, zh: 'x', en: 'x' } }));
  });
});

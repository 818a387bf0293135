import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashPassword, passwordWeakness, verifyPassword } from './identity.password.js';

describe('password hashing (scrypt, RFC 7914)', () => {
  const fast = { N: 2 ** 10, r: 8, p: 1 };
  test('verifies the right password and refuses a wrong one', async () => {
    const h = await hashPassword('tongban-demo', fast);
    assert.match(h, /^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    assert.equal((await verifyPassword('tongban-demo', h, fast)).ok, true);
    assert.equal((await verifyPassword('tongban-demo!', h, fast)).ok, false);
  });
  test('a salt makes two hashes of one password differ', async () => {
    assert.notEqual(await hashPassword('tongban-demo', fast), await hashPassword('tongban-demo', fast));
  });
  test('a hash with weaker parameters than the current ones asks to be re-hashed', async () => {
    const h = await hashPassword('tongban-demo', fast);
    assert.deepEqual(await verifyPassword('tongban-demo', h, { N: 2 ** 11, r: 8, p: 1 }), {
      ok: true,
      needsRehash: true,
    });
  });
  test('a malformed stored hash never verifies', async () => {
    assert.equal((await verifyPassword('x', 'md5$abc')).ok, false);
  });
  test('the default parameters are N=2^14, r=8, p=1', async () => {
    assert.match(await hashPassword('tongban-demo'), /^scrypt\$16384\$8\$1\$/);
  });
});

describe('password rules', () => {
  test('too short', () => assert.equal(passwordWeakness('ab1-ab1'), 'length'));
  test('one character class only', () => assert.equal(passwordWeakness('abcdefghijkl'), 'classes'));
  test('a common password', () => assert.equal(passwordWeakness('Password123'), 'common'));
  test('containing the account name', () =>
    assert.equal(passwordWeakness('zhangsan-2024', { login: 'zhangsan' }), 'login'));
  test('containing the ID number tail', () =>
    assert.equal(passwordWeakness('pw-070114-xy', { idNumber: '410105199003070114' }), 'idNumber'));
  test('the demo password is acceptable', () =>
    assert.equal(passwordWeakness('tongban-demo', { login: 'citizen' }), null));
});

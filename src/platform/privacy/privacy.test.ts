import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createPersonalDataCipher,
  maskAddress,
  maskBankCard,
  maskEmail,
  maskIdNumber,
  maskMobile,
  maskName,
  maskPlate,
  seal,
  unseal,
} from './index.js';

describe('personal data at rest', () => {
  const c = createPersonalDataCipher(Buffer.alloc(32, 1));
  test('encrypts to a different envelope each time and decrypts back', () => {
    const a = c.encrypt('410102199003071234');
    const b = c.encrypt('410102199003071234');
    assert.notEqual(a, b);
    assert.equal(c.decrypt(a), '410102199003071234');
  });
  test('encryptMany › each value in the one envelope, each under its own IV, opening as encrypt does', () => {
    const values = ['410102199003071234', '410102199003071234', '河南省郑州市金水区经八路1号', ''];
    const many = c.encryptMany(values);
    assert.equal(many.length, values.length);
    assert.deepEqual(
      many.map((m) => c.decrypt(m)),
      values,
    );
    const ivs = many.map((m) => m.split('.')[1]);
    assert.equal(new Set(ivs).size, ivs.length, 'no IV reused within a batch');
    assert.notEqual(many[0], many[1]);
    assert.ok(many.every((m) => /^v1\.[\w-]{16}\.[\w-]+$/.test(m)));
    assert.throws(() => createPersonalDataCipher(Buffer.alloc(32, 2)).decrypt(many[0]!));
  });
  test('a tampered envelope fails to decrypt', () => {
    const a = c.encrypt('13812341234');
    // the second-to-last character changed (to another one, whatever it was)
    const at = a.length - 2;
    const bad = `${a.slice(0, at)}${a[at] === 'A' ? 'B' : 'A'}${a.slice(at + 1)}`;
    assert.notEqual(bad, a);
    assert.throws(() => c.decrypt(bad));
  });
  test('lookup hash is stable, keyed and separated by kind', () => {
    assert.equal(c.lookupHash('id', '41010219900307123x'), c.lookupHash('id', '41010219900307123X'));
    assert.notEqual(c.lookupHash('id', '1'), c.lookupHash('mobile', '1'));
    assert.notEqual(
      c.lookupHash('id', '1'),
      createPersonalDataCipher(Buffer.alloc(32, 2)).lookupHash('id', '1'),
    );
  });
});

describe('the sealed-value envelope', () => {
  test('opens only with the same key and the same bound name', () => {
    const key = Buffer.alloc(32, 7);
    const sealed = seal(key, 'secret seed', 'key-1');
    assert.match(sealed, /^v1\.[\w-]+\.[\w-]+$/);
    assert.equal(unseal(key, sealed, 'key-1').toString('utf8'), 'secret seed');
    assert.throws(() => unseal(key, sealed, 'key-2'));
    assert.throws(() => unseal(Buffer.alloc(32, 8), sealed, 'key-1'));
    assert.throws(() => unseal(key, `v2${sealed.slice(2)}`, 'key-1'));
  });
});

describe('DOMAIN §8 masking', () => {
  test('name keeps the first character', () => assert.equal(maskName('张三丰'), '张**'));
  test('ID number keeps first 1 and last 2, or 6 + 4', () => {
    assert.equal(maskIdNumber('410102199003071234'), '4***************34');
    assert.equal(maskIdNumber('410102199003071234', '6+4'), '410102********1234');
  });
  test('mobile 138****1234', () => assert.equal(maskMobile('13812341234'), '138****1234'));
  test('address masks the last 8 characters', () =>
    assert.equal(maskAddress('河南省郑州市金水区花园路100号院3号楼'), '河南省郑州市金水区花园路********'));
  test('e-mail keeps first char and domain', () =>
    assert.equal(maskEmail('zhang@example.cn'), 'z***@example.cn'));
  test('bank card keeps 4 + 4 grouped', () =>
    assert.equal(maskBankCard('6222021234567890123'), '6222 **** **** ***0 123'));
  test('plate masks the middle', () => assert.equal(maskPlate('豫A12345'), '豫A***45'));
});

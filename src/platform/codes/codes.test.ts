import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkCreditCode,
  checkIdNumber,
  creditCodeCheckChar,
  generateCreditCode,
  generateIdNumber,
  idNumberCheckChar,
  isValidCreditCode,
  isValidOrganizationCode,
  organizationCodeCheckChar,
  parseIdNumber,
} from './index.js';

const today = '2026-11-26';

describe('GB 11643 公民身份号码', () => {
  test('GB 11643 › accepts the examples printed in the standard', () => {
    // GB 11643-1999 annex examples (check characters recomputed by hand: Σ mod 11 = 2 → X, 10 → 4)
    assert.deepEqual(checkIdNumber('11010519491231002X', { today }), {
      ok: true,
      value: { regionCode: '110105', birthDate: '1949-12-31', sex: 'female' },
    });
    assert.deepEqual(parseIdNumber('440524188001010014', { today }), {
      regionCode: '440524',
      birthDate: '1880-01-01',
      sex: 'male',
    });
  });

  test('GB 11643 › the check character follows the weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2', () => {
    assert.equal(idNumberCheckChar('11010519491231002'), 'X');
    assert.equal(idNumberCheckChar('44052418800101001'), '4');
  });

  test('GB 11643 › accepts a lower-case x as check character', () => {
    assert.equal(checkIdNumber('11010519491231002x', { today }).ok, true);
  });

  test('GB 11643 › rejects a wrong check digit', () => {
    assert.deepEqual(checkIdNumber('110105194912310021', { today }), {
      ok: false,
      failures: ['GB11643.CHECK_CHAR'],
    });
    assert.deepEqual(checkIdNumber('440524188001010015', { today }), {
      ok: false,
      failures: ['GB11643.CHECK_CHAR'],
    });
  });

  test('GB 11643 › rejects a wrong length or characters', () => {
    assert.deepEqual(checkIdNumber('11010519491231002'), { ok: false, failures: ['GB11643.LENGTH'] });
    assert.deepEqual(checkIdNumber('1101051949123100AX'), { ok: false, failures: ['GB11643.CHARACTERS'] });
  });

  test('GB 11643 › rejects an unknown province in the address code', () => {
    const n = '99010519491231002';
    const r = checkIdNumber(n + idNumberCheckChar(n), { today });
    assert.deepEqual(r, { ok: false, failures: ['GB11643.ADDRESS_CODE'] });
  });

  test('GB 11643 › rejects a birth date that does not exist (2月30日, 2023-02-29)', () => {
    for (const date of ['19900230', '20230229', '19901301']) {
      const n = `410105${date}001`;
      assert.deepEqual(checkIdNumber(n + idNumberCheckChar(n), { today }), {
        ok: false,
        failures: ['GB11643.BIRTH_DATE'],
      });
    }
    const leap = '410105' + '20240229' + '001';
    assert.equal(checkIdNumber(leap + idNumberCheckChar(leap), { today }).ok, true);
  });

  test('GB 11643 › rejects a birth date in the future', () => {
    const n = '41010520261127001';
    assert.deepEqual(checkIdNumber(n + idNumberCheckChar(n), { today }), {
      ok: false,
      failures: ['GB11643.BIRTH_DATE_IN_FUTURE'],
    });
  });

  test('GB 11643 › an odd sequence digit means male, even female; generated numbers are valid', () => {
    for (let seq = 0; seq < 50; seq++) {
      for (const sex of ['male', 'female'] as const) {
        const id = generateIdNumber({
          regionCode: '410105',
          birthDate: '1990-05-17',
          sex,
          sequence: seq * 17,
        });
        const r = checkIdNumber(id, { today });
        assert.ok(r.ok, id);
        assert.equal(r.value.sex, sex);
        assert.equal(r.value.regionCode, '410105');
        assert.equal(r.value.birthDate, '1990-05-17');
      }
    }
  });
});

describe('GB 32100 统一社会信用代码 and GB 11714 组织机构代码', () => {
  // Codes published on the national enterprise credit information system (checked here by hand
  // and by the functions under test: both check characters agree).
  const published = [
    '91350100M000100Y43', // the sample used in GB 32100 explanations
    '91440300708461136T', // 深圳市腾讯计算机系统有限公司
    '91330100716105852F', // 阿里巴巴（中国）有限公司
    '91110000802100433B', // 北京百度网讯科技有限公司
  ];

  test('GB 32100 › accepts published codes', () => {
    for (const c of published) assert.equal(isValidCreditCode(c), true, c);
    assert.deepEqual(checkCreditCode('91440300708461136T'), {
      ok: true,
      value: { authority: '9', category: '1', regionCode: '440300', organizationCode: '708461136' },
    });
  });

  test('GB 32100 › the check character is alphabet[(31 − Σ mod 31) mod 31]', () => {
    assert.equal(creditCodeCheckChar('91350100M000100Y4'), '3');
    assert.equal(creditCodeCheckChar('91440300708461136'), 'T');
  });

  test('GB 32100 › rejects a wrong check character', () => {
    assert.deepEqual(checkCreditCode('91350100M000100Y44'), { ok: false, failures: ['GB32100.CHECK_CHAR'] });
    assert.deepEqual(checkCreditCode('91440300708461136U'), { ok: false, failures: ['GB32100.CHECK_CHAR'] });
  });

  test('GB 32100 › rejects characters outside the alphabet (I, O, S, V, Z) and a wrong length', () => {
    assert.deepEqual(checkCreditCode('91350100M000100YO3'), { ok: false, failures: ['GB32100.CHARACTERS'] });
    assert.deepEqual(checkCreditCode('91350100M000100Y4'), { ok: false, failures: ['GB32100.LENGTH'] });
  });

  test('GB 32100 › rejects an unknown registering authority, category or region', () => {
    const fix = (first17: string) => first17 + creditCodeCheckChar(first17);
    assert.deepEqual(checkCreditCode(fix('B1350100M000100Y4')), {
      ok: false,
      failures: ['GB32100.AUTHORITY'],
    });
    assert.deepEqual(checkCreditCode(fix('94350100M000100Y4')), {
      ok: false,
      failures: ['GB32100.CATEGORY'],
    });
    assert.deepEqual(checkCreditCode(fix('91990100M000100Y4')), {
      ok: false,
      failures: ['GB32100.REGION_CODE'],
    });
  });

  test('GB 11714 › the organisation-code check character is 11 − Σ mod 11 (X for 10, 0 for 11)', () => {
    assert.equal(organizationCodeCheckChar('M000100Y'), '4');
    assert.equal(organizationCodeCheckChar('70846113'), '6');
    assert.equal(isValidOrganizationCode('708461136'), true);
    assert.equal(isValidOrganizationCode('708461137'), false);
    // Σ mod 11 = 1 → 10 → X; Σ mod 11 = 0 → 11 → 0
    assert.equal(organizationCodeCheckChar('00000006'), 'X'); // Σ = 12, 12 mod 11 = 1 → 10
    assert.equal(organizationCodeCheckChar('00000019'), '0'); // Σ = 22, 22 mod 11 = 0 → 11
  });

  test('GB 11714 › rejects a code whose organisation part has a wrong check character', () => {
    const first17 = '91350100M000100Y5';
    const r = checkCreditCode(first17 + creditCodeCheckChar(first17));
    assert.deepEqual(r, { ok: false, failures: ['GB11714.CHECK_CHAR'] });
    assert.equal(
      checkCreditCode(first17 + creditCodeCheckChar(first17), { organizationCode: false }).ok,
      true,
    );
  });

  test('GB 32100 › generated codes for a 机关 in Zhengzhou are valid and unique', () => {
    const seen = new Set<string>();
    for (let serial = 0; serial < 2000; serial++) {
      const c = generateCreditCode({ regionCode: '410100', serial: 41_000_000 + serial * 37 });
      const r = checkCreditCode(c);
      assert.ok(r.ok, c);
      assert.equal(r.value.authority, '1');
      assert.equal(r.value.category, '1');
      assert.equal(r.value.regionCode, '410100');
      seen.add(c);
    }
    assert.equal(seen.size, 2000);
    const social = generateCreditCode({ regionCode: '410105', serial: 7, authority: '5', category: '1' });
    assert.equal(checkCreditCode(social).ok, true);
  });
});

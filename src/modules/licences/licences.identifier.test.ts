import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkCreditCode, creditCodeCheckChar } from '../../platform/codes/index.js';
import {
  formatIdentifier,
  isValidMod3736,
  isValidUscc,
  mod3736,
  parseIdentifier,
} from './licences.identifier.js';
import { DEMO_ISSUERS, DEMO_TYPES } from './licences.catalog.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

describe('ISO 7064 MOD 37,36 (the GB/T 36904 check character)', () => {
  // GB/T 36904's own text gives no worked identifier we could obtain; these are published
  // examples of the same algorithm: the IFPI Global Release Identifier example A1-2425G-ABC1234002-M,
  // and the ISAN root 0000-0000-C36D-002B → K (ISO 15706 uses MOD 37,36 for its check characters).
  test('published example › GRid A12425GABC1234002 → M', () => {
    assert.equal(mod3736('A12425GABC1234002'), 'M');
    assert.equal(isValidMod3736('A12425GABC1234002M'), true);
  });
  test('published example › ISAN root 00000000C36D002B → K', () => {
    assert.equal(mod3736('00000000C36D002B'), 'K');
  });
  test('independently computed › "RABD" → A, worked by hand', () => {
    // P=36; R(27): (36+27) mod 36=27 → P=54 mod 37=17; A(10): 27 → 54 mod 37=17; B(11): 28 → 56 mod 37=19;
    // D(13): 32 → 64 mod 37=27; check c with (27+c) mod 36 = 1 → c = 10 = 'A'
    assert.equal(mod3736('RABD'), 'A');
  });
  test('detects every single-character substitution', () => {
    const base = 'A12425GABC1234002M';
    for (let i = 0; i < base.length; i++) {
      for (const ch of ALPHABET) {
        if (ch === base[i]) continue;
        const changed = base.slice(0, i) + ch + base.slice(i + 1);
        assert.equal(isValidMod3736(changed), false, changed);
      }
    }
  });
  test('detects every adjacent transposition of distinct characters', () => {
    const base = 'A12425GABC1234002M';
    for (let i = 0; i + 1 < base.length; i++) {
      if (base[i] === base[i + 1]) continue;
      const swapped = base.slice(0, i) + base[i + 1] + base[i] + base.slice(i + 2);
      assert.equal(isValidMod3736(swapped), false, swapped);
    }
  });
  test('refuses characters outside 0-9A-Z', () => {
    assert.equal(mod3736('abc'), undefined);
  });
});

describe('GB/T 36904 licence identifier', () => {
  const type = DEMO_TYPES[0]!;
  const issuer = DEMO_ISSUERS.amrJinshui.code;
  const id = formatIdentifier({ typeCode: type.code, issuerCode: issuer, serial: '00000001', version: 1 });

  test('shape › 1.2.156.3005.2.<type 21>.<issuer 18>.<serial>.<version 3>.<check>', () => {
    assert.match(id, /^1\.2\.156\.3005\.2\.[0-9A-Z]{21}\.[0-9A-Z]{18}\.\d{8}\.001\.[0-9A-Z]$/);
    const p = parseIdentifier(id);
    assert.ok(p.ok);
    assert.deepEqual(
      { t: p.value.typeCode, i: p.value.issuerCode, s: p.value.serial, v: p.value.version },
      { t: type.code, i: issuer, s: '00000001', v: 1 },
    );
  });
  test('the check character covers type ‖ issuer ‖ serial ‖ version without the dots', () => {
    assert.equal(id.slice(-1), mod3736(`${type.code}${issuer}00000001001`));
  });
  test('lower case is accepted (people type it)', () => {
    assert.equal(parseIdentifier(id.toLowerCase()).ok, true);
  });
  test('a wrong check character is reported as such, not as malformed', () => {
    const last = id.slice(-1);
    const wrong = id.slice(0, -1) + (last === '0' ? '1' : '0');
    const p = parseIdentifier(wrong);
    assert.deepEqual(p.ok ? 'ok' : p.problem, 'CHECK_CHARACTER');
  });
  test('malformed › wrong prefix, missing parts, bad credit code, version 000', () => {
    for (const bad of [
      '1.2.156.3005.1.x',
      'hello',
      '',
      id.replace('.001.', '.01.'),
      id.replace(issuer, `${issuer.slice(0, 17)}${issuer[17] === '0' ? '1' : '0'}`),
    ]) {
      const p = parseIdentifier(bad);
      assert.equal(p.ok ? 'ok' : p.problem, 'MALFORMED', bad);
    }
  });
  test('credit-code parts › the GB 32100 check character only, not the stricter register rules', () => {
    // authority B and region 990000 fail checkCreditCode, but an identifier already issued with
    // such a code must still parse; a wrong check character or a character outside the alphabet does not
    const first17 = 'BY990000ABCDEFGH1';
    const code = first17 + creditCodeCheckChar(first17);
    assert.equal(checkCreditCode(code).ok, false);
    assert.equal(isValidUscc(code), true);
    assert.equal(isValidUscc(first17 + (code[17] === '0' ? '1' : '0')), false);
    assert.equal(isValidUscc(`I${code.slice(1)}`), false);
    assert.equal(isValidUscc(code.slice(0, 17)), false);
    const id = formatIdentifier({ typeCode: `${code}001`, issuerCode: code, serial: '1', version: 1 });
    assert.equal(parseIdentifier(id).ok, true);
  });
  test('at least 30 demo licence types, each with a defining authority', () => {
    assert.ok(DEMO_TYPES.length >= 30);
    for (const t of DEMO_TYPES) assert.ok(t.authorityName && t.code.startsWith(t.authorityCode));
    assert.equal(new Set(DEMO_TYPES.map((t) => t.code)).size, DEMO_TYPES.length);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalJson } from './canonical-json.js';

describe('RFC 8785 canonical JSON (string/integer subset)', () => {
  test('§3.2.3 › members sorted by UTF-16 code units, no whitespace', () => {
    // '\u20ac' (€) sorts after '\r' and digits; an astral char (surrogate pair D83D…) sorts before U+FB33
    const v = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew',
      '1': 'One',
      '\ud83d\ude00': 'Emoji',
      b: [1, 2],
    };
    assert.equal(
      canonicalJson(v),
      '{"\\r":"Carriage Return","1":"One","b":[1,2],"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji","\ufb33":"Hebrew"}',
    );
  });
  test('§3.2.2.2 › strings escaped as ECMAScript JSON.stringify does; non-ASCII kept as UTF-8', () => {
    assert.equal(canonicalJson({ a: '证照\n"\u0001' }), '{"a":"证照\\n\\"\\u0001"}');
  });
  test('nested objects are sorted too; integers in decimal', () => {
    assert.equal(
      canonicalJson({ z: { b: 2, a: -1 }, a: null, t: true }),
      '{"a":null,"t":true,"z":{"a":-1,"b":2}}',
    );
  });
  test('refuses what the subset does not cover: fractions, lone surrogates', () => {
    assert.throws(() => canonicalJson({ a: 1.5 }));
    assert.throws(() => canonicalJson({ a: '\ud800' }));
  });
});

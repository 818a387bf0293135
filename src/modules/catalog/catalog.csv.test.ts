import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csvLine, parseCsv } from './catalog.csv.js';
import { diffGuides } from './catalog.diff.js';

describe('RFC 4180 CSV', () => {
  test('quotes fields holding commas, quotes and line breaks, and reads them back', () => {
    const values = ['plain', 'a,b', 'say "hi"', 'two\nlines', '{"json":[1,2]}', ''];
    const [rec] = parseCsv(`${csvLine(values)}\n`);
    assert.deepEqual(rec!.fields, values);
  });

  test('a record spanning lines reports the line it starts on', () => {
    const text = ['h1,h2', 'a,"x', 'y"', 'b,c'].join('\r\n');
    assert.deepEqual(
      parseCsv(text).map((r) => r.line),
      [1, 2, 4],
    );
  });

  test('a byte-order mark is ignored; an unterminated quote is an error', () => {
    assert.deepEqual(parseCsv('\ufeffa,b')[0]!.fields, ['a', 'b']);
    assert.throws(() => parseCsv('a,"b'));
  });
});

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

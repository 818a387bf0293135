import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csvField, csvLine, parseCsv } from './csv.js';

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

describe('OWASP CSV injection', () => {
  const hostile = [
    '=1+1',
    '+1+1',
    '-1+1',
    '@SUM(A1)',
    '\t=1+1',
    '\r=1+1',
    '=HYPERLINK("http://evil.example","x")',
    "'=1+1",
    "''@x",
  ];

  test('no written cell starts with = + - @, tab or carriage return', () => {
    const cells = parseCsv(csvLine(hostile), { asWritten: true })[0]!.fields;
    assert.equal(cells.length, hostile.length);
    for (const c of cells) assert.doesNotMatch(c, /^[=+\-@\t\r]/, JSON.stringify(c));
  });

  test('what is written reads back exactly, apostrophes of the value included', () => {
    const values = [...hostile, "'plain", "it's", '-', 'a=b', '中文=1'];
    assert.deepEqual(parseCsv(csvLine(values))[0]!.fields, values);
  });

  test('a cell that is not a formula is written as it is', () => {
    for (const v of ['plain', "'quoted", 'a-b', '3.14', '中文']) assert.equal(csvField(v), v);
  });
});

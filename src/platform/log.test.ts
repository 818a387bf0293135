import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from './log.js';

test('logs redact personal fields and never print query strings', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const log = createLogger('info', sink);
  log.info(
    {
      idNumber: '410105199003071234',
      applicant: { mobile: '13812341234' },
      req: { url: '/api/v1/search?q=410105199003071234' },
    },
    'x',
  );
  const out = lines.join('');
  assert.doesNotMatch(out, /410105199003071234/);
  assert.doesNotMatch(out, /13812341234/);
  assert.match(out, /\[masked\]/);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as tick } from 'node:timers/promises';
import { collectGarbage } from './gc.js';

describe('collectGarbage', () => {
  test('collects what nothing references, without exposing gc to the program', async () => {
    const ref = (() => new WeakRef({ payload: new Array(1000).fill('x') }))();
    // a WeakRef keeps its target until the end of the job that made it
    await tick(0);
    assert.equal(collectGarbage(), true);
    assert.equal(ref.deref(), undefined);
    // the flag was on only to take V8's gc: a new context does not see it
    const { runInNewContext } = await import('node:vm');
    assert.equal(runInNewContext('typeof gc'), 'undefined');
    // and a second collection works as well
    assert.equal(collectGarbage(), true);
  });
});

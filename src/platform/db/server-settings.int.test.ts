import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTestStore, testDialect } from '../../../test/helpers/store.js';
import { sql } from './index.js';
import { serverSettingWarnings, warningsFor } from './server-settings.js';

test('a server that will not vacuum is named: autovacuum or track_counts off, each once', () => {
  assert.deepEqual(
    warningsFor(
      new Map([
        ['autovacuum', 'off'],
        ['track_counts', 'on'],
      ]),
    ).map((w) => [w.setting, w.value]),
    [['autovacuum', 'off']],
  );
  assert.deepEqual(
    warningsFor(
      new Map([
        ['autovacuum', 'off'],
        ['track_counts', 'off'],
      ]),
    ).map((w) => w.setting),
    ['autovacuum', 'track_counts'],
  );
  assert.deepEqual(
    warningsFor(
      new Map([
        ['autovacuum', 'on'],
        ['track_counts', 'on'],
      ]),
    ),
    [],
  );
  assert.match(
    warningsFor(new Map([['autovacuum', 'off']]))[0]!.message,
    /autovacuum is off.*docs\/operations\.md/,
  );
});

test('the store says what its server is set to: PostgreSQL as SHOW reads it; SQLite nothing', async () => {
  const store = await openTestStore();
  try {
    const got = await serverSettingWarnings(store);
    if (testDialect() === 'sqlite') {
      assert.deepEqual(got, []);
      return;
    }
    for (const setting of ['autovacuum', 'track_counts']) {
      const shown = (await sql<{ v: string }>`select current_setting(${setting}) as v`.execute(store.db))
        .rows[0]!.v;
      assert.equal(
        got.some((w) => w.setting === setting),
        shown === 'off',
        `${setting} is ${shown}`,
      );
    }
  } finally {
    await store.close();
  }
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestStore, testDialect } from '../../../test/helpers/store.js';
import { type Store, inTransaction, migrate } from '../../platform/db/index.js';
import { addCounts, countsByType, statsMigrations } from './stats.store.js';

describe(`stats counters on ${testDialect()}`, () => {
  let store: Store;
  before(async () => {
    store = await openTestStore();
    await migrate(store.db, statsMigrations);
  });
  after(async () => store.close());

  test('counts add up across batches larger than one statement, with repeated keys summed', async () => {
    // 1,200 keys: more than one multi-row statement; each key given twice in the first batch
    const keys = Array.from({ length: 1200 }, (_, i) => ({
      day: `2026-01-${String((i % 28) + 1).padStart(2, '0')}`,
      type: `test.t${i % 3}`,
      regionCode: String(410100 + Math.floor(i / 84)),
    }));
    await inTransaction(store.db, (trx) =>
      addCounts(trx, [...keys.map((k) => ({ ...k, n: 1 })), ...keys.map((k) => ({ ...k, n: 2 }))]),
    );
    await inTransaction(store.db, (trx) =>
      addCounts(
        trx,
        keys.slice(0, 600).map((k) => ({ ...k, n: 10 })),
      ),
    );
    await inTransaction(store.db, (trx) => addCounts(trx, []));
    const total = (await countsByType(store.db, {})).reduce((s, r) => s + r.count, 0);
    assert.equal(total, 1200 * 3 + 600 * 10);
    const one = await countsByType(store.db, {
      from: '2026-01-01',
      to: '2026-01-01',
      regionPrefix: '410100',
    });
    // i = 0, 28, 56 have day 01 and region 410100 (i < 84): types t0, t1, t2; each 1 + 2 + 10
    assert.deepEqual(one, [
      { type: 'test.t0', count: 13 },
      { type: 'test.t1', count: 13 },
      { type: 'test.t2', count: 13 },
    ]);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { runCli } from '../../../test/helpers/cli.js';
import type { TongbanApp } from '../../app.js';
import { seedCommand } from './seed.js';

describe('tongban seed › the size flags', () => {
  let t: TongbanApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t.close());

  test('--people and --companies take a whole number up to 16,000,000, and only with --scale', async () => {
    const refused: Array<Record<string, string>> = [
      { people: '1000' },
      { scale: 'zhengzhou', people: 'many' },
      { scale: 'zhengzhou', companies: '-5' },
      { scale: 'zhengzhou', people: '16000001' },
      { scale: 'zhengzhou', people: '1e6' },
    ];
    for (const flags of refused) {
      const r = await runCli(t, seedCommand, flags);
      assert.equal(r.code, 2, JSON.stringify(flags));
      assert.match(
        r.err.join('\n'),
        /--(people|companies) takes a whole number up to 16000000, with --scale/,
      );
    }
    const rows = await t.store.db
      .withTables<{ exchange_population: { id_hash: string } }>()
      .selectFrom('exchange_population')
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    assert.equal(Number(rows?.n), 0, 'nothing seeded when a flag is refused');
  });
});

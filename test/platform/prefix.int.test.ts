import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Store, sql, startsWithPrefix } from '../../src/platform/db/index.js';
import { openTestStore, testDialect } from '../helpers/store.js';

/**
 * A division prefix as an index range (platform/db/prefix.ts) selects, in the store's own
 * collation, exactly the codes a `like 'prefix%'` selects — the edges included: the bound itself,
 * the prefix alone, codes of other lengths, a run of nines.
 */
let store: Store;
before(async () => {
  store = await openTestStore();
  await sql`create table prefix_codes (code text not null)`.execute(store.db);
  const codes = [
    '41',
    '4',
    '40',
    '42',
    '4100',
    '4101',
    '41010',
    '410100',
    '410105',
    '410105001',
    '410106',
    '41019',
    '4102',
    '410199',
    '4102000',
    '4199',
    '41999',
    '42',
    '49',
    '5',
    '9',
    '99',
    '999',
    '9990',
    '1000',
    '410',
    '4109',
    '41090',
    '410999999999',
  ];
  await sql`insert into prefix_codes (code) values ${sql.join(codes.map((c) => sql`(${c})`))}`.execute(
    store.db,
  );
});
after(async () => {
  await sql`drop table if exists prefix_codes`.execute(store.db);
  await store.close();
});

test(`a prefix as a range selects what like selects (${testDialect()})`, async () => {
  for (const prefix of [
    '',
    '4',
    '41',
    '4101',
    '410105',
    '41019',
    '4199',
    '99',
    '999',
    '9',
    '410999999999',
    '7',
  ]) {
    const range = await sql<{ code: string }>`select code from prefix_codes
      where ${startsWithPrefix('code', prefix)} order by code`.execute(store.db);
    const like = await sql<{ code: string }>`select code from prefix_codes
      where code like ${`${prefix}%`} order by code`.execute(store.db);
    assert.deepEqual(
      range.rows.map((r) => r.code),
      like.rows.map((r) => r.code),
      `prefix '${prefix}'`,
    );
  }
});

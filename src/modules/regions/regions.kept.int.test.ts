import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DomainError, systemClock } from '../../kernel/index.js';
import { type Store, migrate } from '../../platform/db/index.js';
import { eventsMigrations } from '../../platform/events/index.js';
import { openTestStore } from '../../../test/helpers/store.js';
import { createRegionsService } from './regions.service.js';
import { regionsMigrations } from './regions.store.js';

// The directory kept per node (regions.service.ts, DIRECTORY_KEPT_MS): what was not found is never
// kept, so a node that looked before the seed sees the seeded directory; a caller changing what it
// got back does not change what the next caller gets.
let store: Store;
before(async () => {
  store = await openTestStore();
  await migrate(store.db, { ...eventsMigrations, ...regionsMigrations });
});
after(() => store.close());

test('a lookup before the seed is not kept: another node’s seed is seen at once', async () => {
  const reader = createRegionsService({ db: store.db, clock: systemClock });
  const seeder = createRegionsService({ db: store.db, clock: systemClock });
  assert.equal(await reader.getRegion('410100'), undefined);
  assert.deepEqual(await reader.findPath('410105'), []);
  assert.deepEqual(await reader.children('410100'), []);
  await assert.rejects(
    reader.departments('410100'),
    (e: unknown) => e instanceof DomainError && e.code === 'REGIONS.NOT_FOUND',
  );
  assert.ok(await seeder.seedDemo());
  assert.equal((await reader.getRegion('410100'))?.code, '410100');
  assert.deepEqual(
    (await reader.findPath('410105')).map((r) => r.code),
    ['410000', '410100', '410105'],
  );
  assert.equal((await reader.departments('410100')).length, 62);
  assert.equal((await reader.children('410100')).length, 15);
});

test('what a caller gets is its own copy', async () => {
  const s = createRegionsService({ db: store.db, clock: systemClock });
  const first = await s.departments('410100');
  first.length = 0;
  const kids = await s.children('410100');
  kids.reverse().pop();
  assert.equal((await s.departments('410100')).length, 62);
  assert.equal((await s.children('410100')).length, 15);
  const path = await s.findPath('410105');
  path.pop();
  assert.equal((await s.findPath('410105')).length, 3);
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Store, metaMigrations, migrate, sql } from '../../platform/db/index.js';
import { openTestStore } from '../../../test/helpers/store.js';
import { createHallFeed } from './halls.feed.js';
import { hallsMigrations } from './halls.store.js';
import type { CallEvent } from './halls.types.js';

const call = (store: Store, seq: number, ticket: string) =>
  sql`insert into halls_calls (seq, hall_id, region_code, ticket, ticket_id, "window", kind, at)
      values (${seq}, 'H410105001', '410105001', ${ticket}, ${`t-${seq}`}, 1, 'call', '2026-12-07T02:00:00Z')`.execute(
    store.db,
  );

describe('halls › the feed passes a gap only after its grace, and never delivers twice', () => {
  let store: Store;
  before(async () => {
    store = await openTestStore();
    await migrate(store.db, { ...metaMigrations, ...hallsMigrations });
  });
  after(async () => store.close());

  test('a seq that commits late is still delivered; one that never commits is passed after the grace', async () => {
    let t = 0;
    const feed = createHallFeed(store.db, { now: () => t, gapGraceMs: 5000 });
    await feed.start();
    await feed.stop(); // no timer: the test polls
    const got: CallEvent[] = [];
    feed.subscribe('H410105001', (e) => got.push(e));
    const other = createHallFeed(store.db, { now: () => t });
    other.subscribe('H410105002', () => assert.fail('another hall'));
    await call(store, 1, 'A001');
    await call(store, 3, 'A003'); // seq 2 is still open (or rolled back)
    await feed.pollOnce();
    assert.deepEqual(
      got.map((e) => e.ticket),
      ['A001', 'A003'],
    );
    t = 1000;
    await call(store, 2, 'A002'); // commits late, within the grace
    await feed.pollOnce();
    await feed.pollOnce();
    assert.deepEqual(
      got.map((e) => e.ticket),
      ['A001', 'A003', 'A002'],
    );
    await call(store, 5, 'A005'); // 4 never commits
    await feed.pollOnce();
    t = 7000;
    await feed.pollOnce();
    await call(store, 6, 'A006');
    await feed.pollOnce();
    await call(store, 4, 'A004'); // too late: passed
    await feed.pollOnce();
    assert.deepEqual(
      got.map((e) => e.ticket),
      ['A001', 'A003', 'A002', 'A005', 'A006'],
    );
    await other.pollOnce();
  });
});

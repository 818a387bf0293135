import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../../kernel/index.js';
import type { Store } from '../../platform/db/index.js';
import { metaMigrations, migrate } from '../../platform/db/index.js';
import { appendEvent, eventsMigrations } from '../../platform/events/index.js';
import { createLogger } from '../../platform/log.js';
import { openTestStore } from '../../../test/helpers/store.js';
import { createSearchService } from './search.service.js';
import { memorySource } from './search.sources.js';
import type { SearchDoc } from './search.types.js';

/**
 * Polls until `ready` holds. On PostgreSQL an event becomes readable only once every older
 * transaction of the cluster has finished (the outbox's ordering rule), so one poll right after a
 * commit may not see it yet; the change must show up within a few polls.
 */
async function pollUntil(poll: () => Promise<void>, ready: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await poll();
    if (ready()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const doc = (id: string, title: string): SearchDoc => ({
  kind: 'item',
  id,
  title,
  body: `${title}办事指南`,
  url: `/items/${id}`,
});

describe('search service › build, swap and freshness', () => {
  let store: Store;
  before(async () => {
    store = await openTestStore();
    await migrate(store.db, { ...metaMigrations, ...eventsMigrations });
  });
  after(async () => store.close());

  test('a rebuild swaps in a new index: queries during the build see the old one, never an empty one', async () => {
    let gate: Promise<void> | undefined;
    const src = memorySource('test', [doc('a', '企业设立登记'), doc('b', '养犬登记')]);
    const scan = src.scan.bind(src);
    src.scan = async (cursor, limit) => {
      if (gate) await gate;
      return scan(cursor, limit);
    };
    const svc = createSearchService({ store, sources: [src], log: createLogger('silent') });
    await svc.rebuild();
    assert.equal(svc.search({ q: '养犬登记' }).total, 1);

    let release!: () => void;
    gate = new Promise<void>((r) => {
      release = r;
    });
    src.docs.splice(0, src.docs.length, doc('c', '结婚登记'));
    const rebuilding = svc.rebuild();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setImmediate(r));
      // the old index still answers while the new one is being built
      assert.equal(svc.search({ q: '养犬登记' }).total, 1);
      assert.ok(svc.current.size > 0);
    }
    release();
    await rebuilding;
    assert.ok(!svc.search({ q: '养犬登记' }).hits.some((h) => h.id === 'b'), 'the old document is gone');
    assert.equal(svc.search({ q: '结婚登记' }).hits[0]?.id, 'c');
    assert.equal(svc.status().rebuilds, 2);
  });

  test('an event makes a change searchable by polling; a bulk event rebuilds', async () => {
    const src = memorySource('test', [doc('a', '企业设立登记')], (e) => {
      if (e.type === 'test.published') return { op: 'upsert', kind: 'item', id: e.aggregateId };
      if (e.type === 'test.withdrawn') return { op: 'remove', kind: 'item', id: e.aggregateId };
      if (e.type === 'test.bulk') return { op: 'rebuild' };
      return undefined;
    });
    const svc = createSearchService({ store, sources: [src], log: createLogger('silent') });
    await svc.rebuild();
    src.docs.push(doc('n', '出生医学证明办理'));
    await store.db
      .transaction()
      .execute((trx) =>
        appendEvent(trx, systemClock, { type: 'test.published', aggregateType: 'test', aggregateId: 'n' }),
      );
    assert.equal(svc.search({ q: '出生医学证明办理' }).total, 0, 'not before the poll');
    await pollUntil(svc.poll, () => svc.current.has('item', 'n'));
    assert.equal(svc.search({ q: '出生医学证明办理' }).hits[0]?.id, 'n');

    await store.db
      .transaction()
      .execute((trx) =>
        appendEvent(trx, systemClock, { type: 'test.withdrawn', aggregateType: 'test', aggregateId: 'a' }),
      );
    await pollUntil(svc.poll, () => !svc.current.has('item', 'a'));
    assert.equal(svc.search({ q: '企业设立登记' }).total, 0);

    const before = svc.status().rebuilds;
    src.docs.push(doc('m', '生育登记'));
    await store.db
      .transaction()
      .execute((trx) =>
        appendEvent(trx, systemClock, { type: 'test.bulk', aggregateType: 'test', aggregateId: 'x' }),
      );
    await pollUntil(svc.poll, () => svc.status().rebuilds > before);
    assert.equal(svc.status().rebuilds, before + 1);
    assert.equal(svc.search({ q: '生育登记' }).total, 1);
  });

  test('an empty or over-long query is refused with a code', async () => {
    const svc = createSearchService({ store, sources: [], log: createLogger('silent') });
    assert.throws(() => svc.search({ q: '   ' }), { code: 'SEARCH.QUERY_EMPTY' });
    assert.throws(() => svc.search({ q: '办'.repeat(101) }), { code: 'SEARCH.QUERY_TOO_LONG' });
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '../../kernel/index.js';
import { type Store, metaMigrations, migrate } from '../../platform/db/index.js';
import { eventsMigrations } from '../../platform/events/index.js';
import { committedEvents, openTestStore } from '../../../test/helpers/store.js';
import { generateConvenience, generatePublications } from './disclosure.generate.js';
import { DISCLOSURE_EVENTS, createDisclosureService } from './disclosure.service.js';
import { disclosureMigrations } from './disclosure.store.js';
import { publishingMigrations } from './disclosure.publishing.store.js';
import './disclosure.errors.js';

describe('disclosure › publications and convenience entries', () => {
  let store: Store;
  let svc: ReturnType<typeof createDisclosureService>;
  before(async () => {
    store = await openTestStore();
    await migrate(store.db, {
      ...metaMigrations,
      ...eventsMigrations,
      ...disclosureMigrations,
      ...publishingMigrations,
    });
    svc = createDisclosureService({ store, clock: systemClock });
  });
  after(async () => store.close());

  test('publishing writes the record and its event together, without personal data', async () => {
    const p = await svc.publish({
      regionCode: '410100',
      department: '郑州市民政局',
      domain: '社会救助',
      category: '公示公告',
      title: '2025年第一批最低生活保障对象名单公示',
      body: '现将名单予以公示。',
      publishedOn: '2025-02-01',
    });
    assert.equal((await svc.getPublication(p.id)).title, p.title);
    const events = await committedEvents(store);
    const e = events.find((x) => x.aggregateId === p.id);
    assert.equal(e?.type, DISCLOSURE_EVENTS.published);
    assert.deepEqual(e?.payload, { domain: '社会救助' });
  });

  test('invalid input is refused with a code before anything is written', async () => {
    const before = await svc.counts();
    await assert.rejects(svc.publish({ title: '' }), { code: 'DISCLOSURE.INVALID' });
    await assert.rejects(svc.addConvenience({ class: '火星基地', name: 'x' }), {
      code: 'DISCLOSURE.INVALID',
    });
    assert.deepEqual(await svc.counts(), before);
  });

  test('a bulk import writes every row and one event; the index scan pages through all of them', async () => {
    const before = await svc.counts();
    const r = await svc.bulkImport(generatePublications(1234), generateConvenience(567));
    assert.deepEqual(r, { publications: 1234, convenience: 567 });
    const after = await svc.counts();
    assert.equal(after.publications - before.publications, 1234);
    assert.equal(after.convenience - before.convenience, 567);
    const events = await committedEvents(store);
    assert.equal(events.filter((e) => e.type === DISCLOSURE_EVENTS.bulkImported).length, 1);
    let cursor: string | undefined;
    let n = 0;
    do {
      const page = await svc.scanForIndex(cursor, 500);
      n += page.publications.length + page.convenience.length;
      cursor = page.next;
    } while (cursor !== undefined);
    assert.equal(n, after.publications + after.convenience);
  });

  test('the list filters by domain and by region prefix, newest first', async () => {
    const r = await svc.list({ domain: '社会救助', region: '410100', page: 1 });
    assert.ok(r.total >= 1);
    assert.ok(r.rows.every((p) => p.domain === '社会救助'));
    const dates = r.rows.map((p) => p.publishedOn);
    assert.deepEqual(dates, [...dates].sort().reverse());
  });
});

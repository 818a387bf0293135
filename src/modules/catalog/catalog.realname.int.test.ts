import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestStore } from '../../../test/helpers/store.js';
import { systemClock } from '../../kernel/index.js';
import { type Store, metaMigrations, migrate, sql } from '../../platform/db/index.js';
import { eventsMigrations } from '../../platform/events/index.js';
import { parseDemoLines } from './catalog.demo.js';
import { csvHeader, csvRow, exportJsonText } from './catalog.io.js';
import { createLists } from './catalog.lists.js';
import { localRegions } from './catalog.regions.js';
import { type CatalogService, createCatalogService } from './catalog.service.js';
import { catalogMigrations, versionRow } from './catalog.store.js';
import { TEST_DEPARTMENT, clone, permitGuide } from './catalog.testkit.js';
import { Guide, implementationCodeOf } from './catalog.types.js';

/**
 * 实名等级 declared by each item (issue 11 item 6): the guide's `realNameLevel`, its column, the
 * migration that gives items stored before it the default, and import/export carrying it.
 */
const regions = () => {
  const local = localRegions();
  return {
    ...local,
    departmentById: async (id: string) =>
      id === TEST_DEPARTMENT.id ? TEST_DEPARTMENT : local.departmentById(id),
  };
};

describe('实名等级 declared by the catalogue', () => {
  let store: Store;
  let service: CatalogService;
  before(async () => {
    store = await openTestStore();
    await migrate(store.db, { ...metaMigrations, ...eventsMigrations, ...catalogMigrations });
    service = createCatalogService({ db: store.db, clock: systemClock, regions: regions() });
  });
  after(() => store.close());

  test('an application needs L2 unless the item says otherwise; 1, 2 and 3 are the only levels', () => {
    const { realNameLevel: _, ...undeclared } = permitGuide();
    assert.equal(Guide.parse(undeclared).realNameLevel, 2);
    for (const bad of [0, 4, '3', null]) {
      const r = Guide.safeParse({ ...undeclared, realNameLevel: bad });
      assert.equal(r.success, false, String(bad));
      assert.deepEqual(r.error?.issues[0]?.path, ['realNameLevel']);
    }
  });

  test('the demo marks the items whose law has the applicant appear in person L3', () => {
    const inPerson = parseDemoLines()
      .filter((s) => s.realNameLevel === 3)
      .map((s) => s.name)
      .sort();
    assert.deepEqual(
      inPerson,
      ['居民身份证换领补领', '居民身份证首次申领', '普通护照签发', '结婚登记', '补领结婚证'].sort(),
    );
    assert.equal(permitGuide().realNameLevel, 2);
  });

  test('JSON and CSV exports carry the level, and an import keeps it', async () => {
    const inPerson = permitGuide({ name: '居民身份证换领补领（测试）', serial: 9001, realNameLevel: 3 });
    const online = permitGuide({ name: '食品经营许可证核发（测试）', serial: 9002 });
    const json = JSON.parse(exportJsonText([inPerson])) as { items: Array<Record<string, unknown>> };
    assert.equal(json.items[0]!.realNameLevel, 3);
    const r1 = await service.importText(exportJsonText([inPerson]), 'json');
    assert.deepEqual(r1.issues, []);
    assert.equal((await service.getPublishedItem(implementationCodeOf(inPerson)))?.guide.realNameLevel, 3);

    const header = csvHeader();
    assert.ok(header.split(',').includes('realNameLevel'));
    const r2 = await service.importText([header, csvRow(online)].join('\n'), 'csv');
    assert.deepEqual(r2.issues, []);
    const back = await service.getPublishedItem(implementationCodeOf(online));
    assert.equal(back?.guide.realNameLevel, 2);
  });

  test('a CSV exported before the level existed imports with the default, L2', async () => {
    const g = permitGuide({ name: '旧导出事项', serial: 9003, realNameLevel: 3 });
    const cols = csvHeader().split(',');
    const at = cols.indexOf('realNameLevel');
    const drop = (line: string) =>
      line
        .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
        .filter((_, i) => i !== at)
        .join(',');
    const r = await service.importText([drop(csvHeader()), drop(csvRow(g))].join('\n'), 'csv');
    assert.deepEqual(r.issues, []);
    assert.equal((await service.getPublishedItem(implementationCodeOf(g)))?.guide.realNameLevel, 2);
  });

  test('an import with a level that is not 1, 2 or 3 is refused on that field; nothing written', async () => {
    const g = clone(permitGuide({ name: '等级有误事项', serial: 9004 }));
    const row = { ...JSON.parse(JSON.stringify(g)), realNameLevel: 5 };
    const r = await service.importText(JSON.stringify({ items: [row] }), 'json');
    assert.equal(r.imported, 0);
    assert.ok(r.issues.some((i) => i.field === 'realNameLevel' && i.rule.startsWith('SCHEMA.')));
    assert.equal(await service.getPublishedItem(implementationCodeOf(g)), undefined);
  });
});

describe('migration catalog.0002_real_name_level', () => {
  let store: Store;
  after(() => store.close());

  test('an item stored before the level existed keeps its guide and needs L2', async () => {
    store = await openTestStore();
    const { 'catalog.0001_versions': first } = catalogMigrations;
    await migrate(store.db, { ...metaMigrations, ...eventsMigrations, 'catalog.0001_versions': first! });
    // a published row as catalog.0001 wrote it: no column, and a guide without the field
    const { realNameLevel: _, ...old } = permitGuide({ name: '旧事项', serial: 9005 });
    const { real_name_level: _col, ...row } = versionRow(old as Guide, {
      version: 1,
      status: 'published',
      now: '2025-01-01T00:00:00.000Z',
      actor: null,
      publishedAt: '2025-01-01T00:00:00.000Z',
    });
    await store.db
      .withTables<{ catalog_item_versions: typeof row }>()
      .insertInto('catalog_item_versions')
      .values(row)
      .execute();
    const { 'catalog.0002_real_name_level': second } = catalogMigrations;
    assert.deepEqual(
      await migrate(store.db, {
        ...metaMigrations,
        ...eventsMigrations,
        'catalog.0001_versions': first!,
        'catalog.0002_real_name_level': second!,
      }),
      ['catalog.0002_real_name_level'],
    );
    const service = createCatalogService({ db: store.db, clock: systemClock, regions: regions() });
    const v = await service.getPublishedItem(implementationCodeOf(old as Guide));
    assert.equal(v?.guide.name, '旧事项');
    assert.equal(v?.guide.realNameLevel, 2);
  });
});

describe('migration catalog.0003_negative_list_editions', () => {
  let store: Store;
  after(() => store.close());

  test('the seed-time negative list becomes the 2022 edition, read by /lists/negative; the old table goes', async () => {
    store = await openTestStore();
    const { 'catalog.0001_versions': first } = catalogMigrations;
    await migrate(store.db, { ...metaMigrations, ...eventsMigrations, 'catalog.0001_versions': first! });
    await store.db
      .withTables<{
        catalog_negative_list: {
          code: string;
          region_code: string;
          category: string;
          measure: string;
          basic_codes: string;
        };
      }>()
      .insertInto('catalog_negative_list')
      .values([
        {
          code: 'N-101',
          region_code: '100000',
          category: 'prohibited',
          measure: '禁止违规开展金融相关经营活动',
          basic_codes: '[]',
        },
        {
          code: 'P-201',
          region_code: '100000',
          category: 'permitted',
          measure: '未获得许可，不得从事食品生产经营',
          basic_codes: '[]',
        },
      ])
      .execute();
    await migrate(store.db, { ...metaMigrations, ...eventsMigrations, ...catalogMigrations });
    const lists = createLists(store.db);
    const v = await lists.negative({});
    assert.equal(v.edition?.edition, '2022');
    assert.deepEqual(
      v.measures.map((m) => [m.code, m.category]),
      [
        ['N-101', 'prohibited'],
        ['P-201', 'permitted'],
      ],
    );
    await assert.rejects(sql`select count(*) from catalog_negative_list`.execute(store.db));
  });
});

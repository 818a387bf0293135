import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openTestStore } from '../../../test/helpers/store.js';
import { ManualClock } from '../../kernel/index.js';
import { type Store, migrate, sql } from '../../platform/db/index.js';
import { eventsMigrations } from '../../platform/events/index.js';
import { createFileSealer } from '../../platform/privacy/index.js';
import { draftsByPersonMigrations, sealedFilesMigrations, sealStoredFiles } from './cases.files.js';
import { createCasesService } from './cases.service.js';
import { casesMigrations } from './cases.store.js';
import { ITEM_CITY, PRINCIPALS, fakePorts } from './cases.testkit.js';

const secret = Buffer.alloc(32, 11);
const form = { applicantName: '张三', phone: '13800000000', purpose: '新办' };
const pdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** every value of the file tables (drafts' before and after cases.0007): no upload's bytes, no SHA-256 */
async function assertNothingInTheClear(store: Store, uploads: readonly Buffer[]) {
  for (const table of ['case_blobs', 'case_materials', 'case_draft_materials', 'case_draft_files']) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db))
      .rows;
    for (const row of rows)
      for (const [column, v] of Object.entries(row))
        for (const u of uploads) {
          if (v instanceof Uint8Array)
            assert.ok(!Buffer.from(v).includes(u.subarray(9)), `${table}.${column} holds an upload`);
          if (typeof v === 'string') assert.ok(!v.includes(sha256(u)), `${table}.${column} holds a SHA-256`);
        }
  }
}

async function generations(store: Store): Promise<number[]> {
  const r = await sql<{ g: number }>`select key_generation as g from case_blobs
    union all select key_generation as g from case_draft_files`.execute(store.db);
  return [...new Set(r.rows.map((x) => Number(x.g)))].sort();
}

describe('uploaded files at rest › the upgrade seals what was stored before, a rotation reseals', () => {
  let store: Store;
  const clock = new ManualClock('2025-09-15T02:00:00Z');
  const caseScan = pdf();
  const draftId = pdf();
  const draftPlan = pdf();
  let caseNumber = '';

  before(async () => {
    store = await openTestStore();
    // the store as the release before sealing left it
    // (with the draft tables of cases.0007, which this release's submit writes; the drafts stored in
    // the old tables are copied on by cases.0008 below)
    const upTo0002 = Object.fromEntries(
      Object.entries(casesMigrations).filter(
        ([k]) => k < 'cases.0003' || k === 'cases.0007_drafts_by_person',
      ),
    );
    await migrate(store.db, { ...eventsMigrations, ...upTo0002 });
    const old = createCasesService({ store, clock, ports: fakePorts() });
    caseNumber = (
      await old.submit(PRINCIPALS.citizen, { implementationCode: ITEM_CITY, regionCode: '410105', form })
    ).caseNumber;
    const caseId = (
      await sql<{ id: string }>`select id from cases where case_number = ${caseNumber}`.execute(store.db)
    ).rows[0]!.id;
    const now = clock.now().toISOString();
    await sql`insert into case_blobs (sha256, media_type, size, data, region_code, created_at)
      values (${sha256(caseScan)}, 'application/pdf', ${caseScan.length}, ${caseScan}, '410105', ${now})`.execute(
      store.db,
    );
    await sql`insert into case_materials (id, case_id, code, name, trust_level, licence_identifier, blob_sha256, media_type, size, region_code, created_at)
      values ('mat-legacy', ${caseId}, 'plan', '经营场所平面图', 'C', null, ${sha256(caseScan)}, 'application/pdf', ${caseScan.length}, '410105', ${now})`.execute(
      store.db,
    );
    for (const [code, data] of [
      ['id-card', draftId],
      ['plan', draftPlan],
    ] as const)
      await sql`insert into case_draft_materials (applicant_id, implementation_code, material_code, filename, media_type, size, sha256, data, updated_at)
        values (${PRINCIPALS.otherCitizen.accountId}, ${ITEM_CITY}, ${code}, ${`${code}.pdf`}, 'application/pdf', ${data.length}, ${sha256(data)}, ${data}, ${now})`.execute(
        store.db,
      );
  });
  after(async () => store.close());

  test('the upgrade › files stored as uploaded are sealed and still open, by the same SHA-256', async () => {
    const files = createFileSealer(secret, 1);
    await migrate(store.db, {
      ...eventsMigrations,
      ...casesMigrations,
      ...sealedFilesMigrations(files),
      // the drafts keyed by person (cases.0007/0008): the files stored before copied on
      ...draftsByPersonMigrations(undefined, files),
    });
    await assertNothingInTheClear(store, [caseScan, draftId, draftPlan]);
    assert.deepEqual(await generations(store), [1]);
    const svc = createCasesService({ store, clock, ports: fakePorts(), files });
    const v = await svc.view(caseNumber, PRINCIPALS.citizen);
    assert.equal(v.materials[0]?.sha256, sha256(caseScan));
    assert.deepEqual(
      Buffer.from((await svc.blob(caseNumber, sha256(caseScan), PRINCIPALS.citizen)).data),
      caseScan,
    );
    // the draft's files, uploaded before the upgrade, go into a case as they were uploaded
    await svc.saveDraft(PRINCIPALS.otherCitizen, ITEM_CITY, { regionCode: '410105', ...form });
    const r = await svc.submitDraft(PRINCIPALS.otherCitizen, ITEM_CITY);
    const fromDraft = await svc.view(r.caseNumber!, PRINCIPALS.otherCitizen);
    const plan = fromDraft.materials.find((m) => m.code === 'plan')!;
    assert.equal(plan.sha256, sha256(draftPlan));
    assert.deepEqual(
      Buffer.from((await svc.blob(r.caseNumber!, sha256(draftPlan), PRINCIPALS.otherCitizen)).data),
      draftPlan,
    );
  });

  test('key rotation › files of the earlier generation open under the new one, and `files reseal` rewrites them all', async () => {
    const g2 = createFileSealer(secret, 2);
    const svc = createCasesService({ store, clock, ports: fakePorts(), files: g2 });
    await svc.saveDraftFiles(PRINCIPALS.otherCitizen, ITEM_CITY, {
      files: [{ code: 'plan', filename: 'p.pdf', data: draftPlan }],
    });
    // before the reseal: both generations in the store, both open
    assert.deepEqual(await generations(store), [1, 2]);
    assert.deepEqual(
      Buffer.from((await svc.blob(caseNumber, sha256(caseScan), PRINCIPALS.citizen)).data),
      caseScan,
    );
    const done = await sealStoredFiles(store.db, g2);
    assert.ok(done.caseFiles >= 1 && done.materials >= 1);
    assert.deepEqual(await generations(store), [2]);
    const sealedSha = await sql<{ s: Uint8Array }>`select sha256_sealed as s from case_materials
      where sha256_sealed is not null`.execute(store.db);
    for (const r of sealedSha.rows) assert.equal(g2.generationOf(r.s), 2);
    // a second run finds nothing left to do
    assert.deepEqual(await sealStoredFiles(store.db, g2), { caseFiles: 0, materials: 0, draftFiles: 0 });
    assert.deepEqual(
      Buffer.from((await svc.blob(caseNumber, sha256(caseScan), PRINCIPALS.citizen)).data),
      caseScan,
    );
    await assertNothingInTheClear(store, [caseScan, draftId, draftPlan]);
  });
});

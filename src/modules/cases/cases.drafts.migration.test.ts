import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { openTestStore } from '../../../test/helpers/store.js';
import { ManualClock } from '../../kernel/index.js';
import { type Store, migrate, sql } from '../../platform/db/index.js';
import { eventsMigrations } from '../../platform/events/index.js';
import { createFileSealer, createPersonalDataCipher } from '../../platform/privacy/index.js';
import { draftKeyOf } from './cases.application.js';
import { draftFileName, draftsByPersonMigrations, sealedFilesMigrations } from './cases.files.js';
import { createCasesService } from './cases.service.js';
import { casesMigrations } from './cases.store.js';
import { ITEM_CITY, PRINCIPALS, fakePorts } from './cases.testkit.js';

/**
 * cases.0007/0008: the drafts stored before, keyed (account, item), are copied into the tables keyed
 * (account, on-behalf-of, item): an agent's draft for a person under that person, its file sealed
 * again under its new name; the account's own draft under ''.
 */
describe('drafts keyed by person › the upgrade copies the drafts stored before', () => {
  let store: Store;
  const clock = new ManualClock('2025-09-15T02:00:00Z');
  const secret = Buffer.alloc(32, 7);
  const cipher = createPersonalDataCipher(secret);
  const files = createFileSealer(secret, 1);
  const agent = PRINCIPALS.citizen;
  const PERSON = '0190a1b2-0000-7000-8000-000000000001';
  const scan = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64)]);

  before(async () => {
    store = await openTestStore();
    const before0007 = Object.fromEntries(
      Object.entries({ ...casesMigrations, ...sealedFilesMigrations(files) }).filter(
        ([k]) => k < 'cases.0007',
      ),
    );
    await migrate(store.db, { ...eventsMigrations, ...before0007 });
    const now = clock.now().toISOString();
    // the agent's draft of the item for the person (as startAssisted wrote it), with a file
    await sql`insert into case_drafts (applicant_id, implementation_code, data, region_code, updated_at)
      values (${agent.accountId}, ${ITEM_CITY}, ${cipher.encrypt(JSON.stringify({ onBehalfOf: PERSON, regionCode: '410105', contactName: '代办' }))}, '410105', ${now})`.execute(
      store.db,
    );
    const row = { applicant_id: agent.accountId, implementation_code: ITEM_CITY, material_code: 'plan' };
    await sql`insert into case_draft_materials (applicant_id, implementation_code, material_code, filename, media_type, size, data, key_generation, updated_at)
      values (${agent.accountId}, ${ITEM_CITY}, 'plan', 'plan.pdf', 'application/pdf', ${scan.length},
        ${files.seal(scan, draftFileName(row))}, 1, ${now})`.execute(store.db);
    // another account's own draft
    await sql`insert into case_drafts (applicant_id, implementation_code, data, region_code, updated_at)
      values (${PRINCIPALS.otherCitizen.accountId}, ${ITEM_CITY}, ${cipher.encrypt(JSON.stringify({ contactName: '自己' }))}, '410105', ${now})`.execute(
      store.db,
    );
  });
  after(async () => store.close());

  test('each draft under its person, the files still open', async () => {
    await migrate(store.db, {
      ...eventsMigrations,
      ...casesMigrations,
      ...sealedFilesMigrations(files),
      ...draftsByPersonMigrations(cipher, files),
    });
    const rows = await sql<{ applicant_id: string; on_behalf_of: string }>`select applicant_id, on_behalf_of
      from case_draft_answers order by applicant_id`.execute(store.db);
    assert.deepEqual(
      rows.rows.map((r) => [r.applicant_id, r.on_behalf_of]).sort(),
      [
        [agent.accountId, PERSON],
        [PRINCIPALS.otherCitizen.accountId, ''],
      ].sort(),
    );
    const svc = createCasesService({ store, clock, ports: fakePorts(), files, cipher });
    const key = draftKeyOf(ITEM_CITY, PERSON);
    assert.equal((await svc.loadDraft(agent, key))?.contactName, '代办');
    assert.equal(await svc.loadDraft(agent, ITEM_CITY), undefined, 'not the agent’s own');
    assert.equal((await svc.loadDraft(PRINCIPALS.otherCitizen, ITEM_CITY))?.contactName, '自己');
    assert.deepEqual(
      (await svc.draftFiles(agent, key)).map((f) => f.materialCode),
      ['plan'],
    );
    const f = (
      await sql<{
        data: Uint8Array;
      }>`select data from case_draft_files where on_behalf_of = ${PERSON}`.execute(store.db)
    ).rows[0]!;
    const name = draftFileName({
      applicant_id: agent.accountId,
      implementation_code: ITEM_CITY,
      material_code: 'plan',
      on_behalf_of: PERSON,
    });
    assert.deepEqual(Buffer.from(files.open(f.data, name)), scan);
    // two drafts, no more
    const again = await sql<{ n: number }>`select count(*) as n from case_draft_answers`.execute(store.db);
    assert.equal(Number(again.rows[0]!.n), 2);
  });
});

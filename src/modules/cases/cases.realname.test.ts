import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestStore } from '../../../test/helpers/store.js';
import { DomainError, ManualClock } from '../../kernel/index.js';
import { type Store, migrate, sql } from '../../platform/db/index.js';
import { eventsMigrations } from '../../platform/events/index.js';
import './cases.errors.js';
import { createCasesService } from './cases.service.js';
import { casesMigrations } from './cases.store.js';
import { ITEM_CITY, ITEM_COUNTY, PRINCIPALS, fakeItem, fakePorts } from './cases.testkit.js';

/**
 * 实名等级 at submission (issue 11 item 6): each item declares the level its applicant needs
 * (the catalogue's `realNameLevel`); submission refuses a person below it, saying how to raise it.
 */
const PDF = Buffer.from('%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const form = { applicantName: '张三', phone: '13800000000', purpose: '新办' };

async function counts(store: Store) {
  const q = async (t: string) =>
    Number(
      (await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(store.db)).rows[0]?.n,
    );
  return { cases: await q('cases'), actions: await q('case_actions'), events: await q('events') };
}

async function rejects(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DomainError, String(e));
    assert.equal(e.code, code);
    return true;
  });
}

describe('实名等级 (real-name levels) at submission', () => {
  let store: Store;
  const clock = new ManualClock('2025-09-15T02:00:00Z');
  const ports = fakePorts();
  // an item whose law has the applicant appear in person (e.g. 《婚姻登记条例》第七条)
  const ITEM_IN_PERSON = '114101000012345671070010110000' + '00';
  ports.items.set(
    ITEM_IN_PERSON,
    fakeItem({ implementationCode: ITEM_IN_PERSON, name: '居民身份证换领', realNameLevel: 3 }),
  );
  // a person who registered but never verified their name (L1), known to the walk-in look-up
  const unverified = { ...PRINCIPALS.citizen, accountId: 'acc-l1', login: 'l1', realNameLevel: 1 as const };
  const known = ports.identity.applicant;
  const identity = {
    ...ports.identity,
    applicant: async (ref: string) =>
      ref === unverified.accountId
        ? { accountId: ref, kind: 'person' as const, realNameLevel: 1 }
        : known(ref),
  };
  let svc: ReturnType<typeof createCasesService>;
  const plan = {
    code: 'plan',
    filename: 'plan.pdf',
    mediaType: 'application/pdf',
    contentBase64: PDF.toString('base64'),
  };

  before(async () => {
    store = await openTestStore();
    await migrate(store.db, { ...eventsMigrations, ...casesMigrations });
    svc = createCasesService({ store, clock, ports: { ...ports, identity } });
  });
  after(async () => store.close());

  test('an L1 account cannot apply for an item that needs L2: told how to verify online; nothing written', async () => {
    const before = await counts(store);
    await assert.rejects(
      svc.submit(unverified, {
        implementationCode: ITEM_CITY,
        regionCode: '410105001',
        form,
        materials: [plan],
      }),
      (e: unknown) => {
        assert.ok(e instanceof DomainError, String(e));
        assert.equal(e.code, 'CASES.REAL_NAME_LEVEL');
        assert.equal(e.status, 403);
        assert.match(e.messageIn('zh-CN'), /当前为 L1.*我的账号.*实名核验/);
        assert.match(e.messageIn('en'), /L1.*verify your identity/);
        return true;
      },
    );
    assert.deepEqual(await counts(store), before);
  });

  test('an item the law has applied for in person (L3) refuses an L2 citizen, saying how to be checked in person', async () => {
    await assert.rejects(
      svc.submit(PRINCIPALS.citizen, { implementationCode: ITEM_IN_PERSON, regionCode: '410105001', form }),
      (e: unknown) => {
        assert.ok(e instanceof DomainError, String(e));
        assert.equal(e.code, 'CASES.REAL_NAME_IN_PERSON');
        assert.match(e.messageIn('zh-CN'), /本人到场.*L3.*当前为 L2.*居民身份证.*现场核验码/);
        return true;
      },
    );
    const l3 = { ...PRINCIPALS.citizen, realNameLevel: 3 as const };
    const s = await svc.submit(l3, {
      implementationCode: ITEM_IN_PERSON,
      regionCode: '410105001',
      form,
      materials: [plan],
    });
    assert.equal(s.status, 'submitted');
  });

  test('a walk-in counts the applicant’s level, not the clerk’s (L3 by appointment)', async () => {
    await rejects(
      svc.submit(PRINCIPALS.zhongyuanClerk, {
        implementationCode: ITEM_COUNTY,
        regionCode: '410105001',
        form,
        hallId: 'hall-zhongyuan',
        applicantId: unverified.accountId,
      }),
      'CASES.REAL_NAME_LEVEL',
    );
  });

  test('一件事 › a bundle asks the highest level of its members, before anything is written', async () => {
    const birth = ports.bundles.get('BIRTH')!;
    ports.bundles.set('IN-PERSON', {
      ...birth,
      code: 'IN-PERSON',
      members: [...birth.members, { implementationCode: ITEM_IN_PERSON, name: '居民身份证换领' }],
    });
    assert.equal((await svc.application('bundle:IN-PERSON'))?.realNameLevel, 3);
    const before = await counts(store);
    await rejects(
      svc.submitBundle(PRINCIPALS.citizen, { bundleCode: 'IN-PERSON', regionCode: '410105', form }),
      'CASES.REAL_NAME_IN_PERSON',
    );
    assert.deepEqual(await counts(store), before);
  });

  test('an organisation: verified to apply at all, and verified in person for an item that needs L3', async () => {
    const org = (realNameLevel: 1 | 2 | 3) => ({
      ...PRINCIPALS.citizen,
      accountId: `acc-org-${realNameLevel}`,
      kind: 'organization' as const,
      login: `org${realNameLevel}`,
      realNameLevel,
    });
    await rejects(
      svc.submit(org(1), { implementationCode: ITEM_CITY, regionCode: '410105001', form }),
      'CASES.ORGANIZATION_UNVERIFIED',
    );
    await assert.rejects(
      svc.submit(org(2), { implementationCode: ITEM_IN_PERSON, regionCode: '410105001', form }),
      (e: unknown) => {
        assert.ok(e instanceof DomainError, String(e));
        assert.equal(e.code, 'CASES.ORGANIZATION_IN_PERSON');
        assert.match(e.messageIn('zh-CN'), /现场核验.*当前为 L2.*营业执照/);
        return true;
      },
    );
    const s = await svc.submit(org(3), {
      implementationCode: ITEM_IN_PERSON,
      regionCode: '410105001',
      form,
      materials: [plan],
    });
    assert.equal(s.status, 'submitted');
  });
});

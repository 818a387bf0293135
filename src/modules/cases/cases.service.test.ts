import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { openTestStore, testDialect } from '../../../test/helpers/store.js';
import { DomainError, ManualClock } from '../../kernel/index.js';
import { type Store, migrate, sql } from '../../platform/db/index.js';
import { allows } from '../../platform/http/index.js';
import { createFileSealer, createPersonalDataCipher } from '../../platform/privacy/index.js';
import { eventToInsert, eventsMigrations, readEvents } from '../../platform/events/index.js';
import { addMessages } from '../../platform/i18n/index.js';
import { casesMessages } from './cases.messages.js';
import { notificationsConsumer } from './cases.notify.js';
import { createCasesService, toAction } from './cases.service.js';
import { computeClock } from './cases.sla.js';
import {
  actAlone,
  actionsOf,
  caseByNumber,
  type CaseRow,
  caseForAction,
  casesMigrations,
  changedOnly,
  submitAlone,
  toRecorded,
} from './cases.store.js';
import {
  ITEM_CITY,
  ITEM_COUNTY,
  ITEM_DEPTH1,
  ITEM_IMMEDIATE,
  PRINCIPALS,
  fakeCalendar,
  fakePorts,
  pick,
  seeded,
} from './cases.testkit.js';
import type { ActionInput } from './cases.types.js';
import { ACTION_PERMISSION } from './cases.access.js';
import type { Principal } from '../../platform/access.js';
import { deriveState } from './cases.workflow.js';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
const form = { applicantName: '张三', phone: '13800000000', purpose: '新办' };

async function counts(store: Store) {
  const q = async (t: string) =>
    Number(
      (await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(store.db)).rows[0]?.n,
    );
  return {
    cases: await q('cases'),
    actions: await q('case_actions'),
    events: await q('events'),
    blobs: await q('case_blobs'),
  };
}

/** The statements this process sent to PostgreSQL while `fn` ran, and what it returned. */
async function sentDuring<T>(fn: () => Promise<T>): Promise<{ sent: string[]; value: T }> {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    sent.push(typeof q === 'string' ? q : (q.text ?? ''));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  try {
    return { sent, value: await fn() };
  } finally {
    pg.Client.prototype.query = query;
  }
}

async function rejects(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DomainError, String(e));
    assert.equal(e.code, code);
    return true;
  });
}

describe('cases service', () => {
  let store: Store;
  const clock = new ManualClock('2025-09-15T02:00:00Z'); // Monday 10:00 in Zhengzhou
  let svc: ReturnType<typeof createCasesService>;

  before(async () => {
    // SQLite as a node runs it (a file, group commit): the path an action takes only there
    store = await openTestStore({ shipped: true });
    await migrate(store.db, { ...eventsMigrations, ...casesMigrations });
    svc = createCasesService({ store, clock, ports: fakePorts() });
  });
  after(async () => store.close());

  test('a 承诺件 runs its whole lifecycle; each step is an action and an event', async () => {
    const s = await svc.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_CITY,
      regionCode: '410105001',
      form,
      materials: [
        {
          code: 'plan',
          filename: 'plan.pdf',
          mediaType: 'application/pdf',
          contentBase64: PDF.toString('base64'),
        },
      ],
    });
    assert.match(s.caseNumber, new RegExp(`^${ITEM_CITY}20250915\\d{6}$`));
    assert.equal(s.status, 'submitted');
    const n = s.caseNumber;
    const acc = await svc.act(n, { action: 'accept' }, PRINCIPALS.cityClerk);
    // 10 working days from Monday 15 September, counting the 调休 Sunday 28 September
    assert.equal(acc.clock.due, '2025-09-28');
    await svc.act(n, { action: 'startStep', step: '审核' }, PRINCIPALS.approver);
    await svc.act(n, { action: 'completeStep' }, PRINCIPALS.approver);
    await svc.act(n, { action: 'approve' }, PRINCIPALS.approver);
    await svc.act(n, { action: 'issueResult', delivery: 'online' }, PRINCIPALS.approver);
    const done = await svc.act(n, { action: 'complete' }, PRINCIPALS.approver);
    assert.equal(done.status, 'completed');
    assert.equal(done.clock.state, 'stopped');
    const v = await svc.view(n, PRINCIPALS.citizen);
    assert.deepEqual(
      v.actions.map((a) => a.action),
      ['submit', 'accept', 'startStep', 'completeStep', 'approve', 'issueResult', 'complete'],
    );
    assert.equal(v.materials[0]?.trustLevel, 'C');
    assert.equal(v.result?.outcome, 'approved');
    const ev = await sql<{
      type: string;
    }>`select type from events where aggregate_id = ${n} order by seq`.execute(store.db);
    assert.deepEqual(
      ev.rows.map((r) => r.type),
      [
        'cases.submitted',
        'cases.accepted',
        'cases.stepStarted',
        'cases.stepCompleted',
        'cases.approved',
        'cases.resultIssued',
        'cases.completed',
      ],
    );
  });

  test('出证 › the e-licence commits with the issueResult action, or neither does', async () => {
    const ports = fakePorts();
    const item = ports.items.get(ITEM_CITY)!;
    ports.items.set(ITEM_CITY, { ...item, resultLicenceType: '测试许可证' });
    let fail = true;
    const issued: string[] = [];
    const withLicences = createCasesService({
      store,
      clock,
      ports: {
        ...ports,
        licences: {
          verifyForCase: async () => false,
          prepareIssue:
            async ({ caseNumber }) =>
            async (trx) => {
              // what an issuer writes inside the case's transaction
              await sql`insert into events (id, type, aggregate_type, aggregate_id, payload, created_at)
              values (${`lic-${caseNumber}-${issued.length}`}, 'licences.issued', 'licence', ${caseNumber}, '{}', '2025-09-15T02:00:00Z')`.execute(
                trx,
              );
              if (fail) throw new Error('issuer key store unavailable');
              issued.push(caseNumber);
              return `1.2.156.3005.2.test.${caseNumber}`;
            },
        },
      },
    });
    const n = (
      await withLicences.submit(PRINCIPALS.citizen, {
        implementationCode: ITEM_CITY,
        regionCode: '410105001',
        form,
      })
    ).caseNumber;
    await withLicences.act(n, { action: 'accept' }, PRINCIPALS.cityClerk);
    await withLicences.act(n, { action: 'startStep', step: '审核' }, PRINCIPALS.approver);
    await withLicences.act(n, { action: 'completeStep' }, PRINCIPALS.approver);
    await withLicences.act(n, { action: 'approve' }, PRINCIPALS.approver);
    await assert.rejects(
      withLicences.act(n, { action: 'issueResult', delivery: 'online' }, PRINCIPALS.approver),
      /unavailable/,
    );
    const licenceRows = () =>
      sql<{
        n: number;
      }>`select count(*) as n from events where type = 'licences.issued' and aggregate_id = ${n}`.execute(
        store.db,
      );
    assert.equal(Number((await licenceRows()).rows[0]?.n), 0, 'the failed issue left nothing');
    assert.equal((await withLicences.view(n, PRINCIPALS.citizen)).status, 'approved');
    fail = false;
    await withLicences.act(n, { action: 'issueResult', delivery: 'online' }, PRINCIPALS.approver);
    const v = await withLicences.view(n, PRINCIPALS.citizen);
    assert.equal(v.result?.licenceIdentifier, `1.2.156.3005.2.test.${n}`);
    assert.equal(Number((await licenceRows()).rows[0]?.n), 1);
  });

  test('用证记录 › each confirmed e-licence is recorded as used, in the case’s own transaction', async () => {
    const uses: Array<{ identifier: string; caseNumber: string; materialName: string; by: string }> = [];
    const withLicences = createCasesService({
      store,
      clock,
      ports: {
        ...fakePorts(),
        licences: {
          verifyForCase: async () => true,
          prepareUse:
            async ({ holderAccountId, departmentId }) =>
            async (trx, use) => {
              // what the licences module writes inside the case's transaction
              await sql`insert into events (id, type, aggregate_type, aggregate_id, payload, created_at)
              values (${`use-${use.caseNumber}`}, 'licences.used', 'licence', ${use.identifier}, '{}', '2025-09-15T02:00:00Z')`.execute(
                trx,
              );
              uses.push({ ...use, by: `${holderAccountId}@${departmentId}` });
            },
        },
      },
    });
    const input = {
      implementationCode: ITEM_CITY,
      regionCode: '410105',
      form,
      licenceMaterials: { 'id-card': '1.2.156.3005.2.test.id' },
    };
    const s = await withLicences.submit(PRINCIPALS.citizen, input);
    assert.deepEqual(uses, [
      {
        identifier: '1.2.156.3005.2.test.id',
        caseNumber: s.caseNumber,
        materialName: '身份证明',
        by: `${PRINCIPALS.citizen.accountId}@dept-city-amr`,
      },
    ]);
    // a submission that fails after the case is written (a second click: no draft left) leaves no use
    const before = await counts(store);
    await rejects(
      withLicences.submit(PRINCIPALS.citizen, input, { fromDraft: true }),
      'CASES.ALREADY_SUBMITTED',
    );
    assert.deepEqual(await counts(store), before);
  });

  test('case numbers › 实施编码 + date + a sequence per day', async () => {
    const a = await svc.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_IMMEDIATE,
      regionCode: '410105',
      form,
    });
    const b = await svc.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_IMMEDIATE,
      regionCode: '410105',
      form,
    });
    assert.equal(Number(b.caseNumber.slice(-6)), Number(a.caseNumber.slice(-6)) + 1);
  });

  test('routing › a county item goes to the applicant’s county body', async () => {
    const s = await svc.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_COUNTY,
      regionCode: '410102003',
      form,
    });
    assert.equal(s.departmentId, 'dept-county-amr-410102');
  });

  test('补正 › one notice lists every missing item; the clock has not started', async () => {
    const s = await svc.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_CITY,
      regionCode: '410105',
      form,
    });
    const r = await svc.act(
      s.caseNumber,
      { action: 'requestSupplement', missing: ['身份证明', '经营场所平面图'] },
      PRINCIPALS.cityClerk,
    );
    assert.equal(r.status, 'awaitingSupplement');
    assert.equal(r.clock.state, 'notStarted');
    const back = await svc.act(s.caseNumber, { action: 'supplement' }, PRINCIPALS.citizen);
    assert.equal(back.status, 'submitted');
  });

  test('bad input › a form that fails its schema: a clear error and nothing written', async () => {
    const before = await counts(store);
    await assert.rejects(
      svc.submit(PRINCIPALS.citizen, {
        implementationCode: ITEM_CITY,
        regionCode: '410105',
        form: { applicantName: '', purpose: '其他', extra: 1 },
      }),
      (e: unknown) => {
        assert.ok(e instanceof DomainError);
        assert.equal(e.code, 'CASES.FORM_INVALID');
        const fields = (e.details as Array<{ field: string }>).map((i) => i.field).sort();
        assert.deepEqual(fields, ['applicantName', 'extra', 'phone', 'purpose']);
        return true;
      },
    );
    assert.deepEqual(await counts(store), before);
  });

  test('bad input › oversized and mislabelled uploads are refused by content', async () => {
    const before = await counts(store);
    const small = createCasesService({ store, clock, ports: fakePorts(), options: { maxUploadBytes: 16 } });
    await rejects(
      small.submit(PRINCIPALS.citizen, {
        implementationCode: ITEM_CITY,
        regionCode: '410105',
        form,
        materials: [
          { code: 'plan', filename: 'big.pdf', contentBase64: Buffer.concat([PDF, PDF]).toString('base64') },
        ],
      }),
      'CASES.UPLOAD_TOO_LARGE',
    );
    await rejects(
      svc.submit(PRINCIPALS.citizen, {
        implementationCode: ITEM_CITY,
        regionCode: '410105',
        form,
        materials: [
          {
            code: 'plan',
            filename: 'plan.pdf',
            mediaType: 'application/pdf',
            contentBase64: PNG.toString('base64'),
          },
        ],
      }),
      'CASES.UPLOAD_LABEL',
    );
    await rejects(
      svc.submit(PRINCIPALS.citizen, {
        implementationCode: ITEM_CITY,
        regionCode: '410105',
        form,
        materials: [
          {
            code: 'plan',
            filename: 'plan.pdf',
            contentBase64: Buffer.from('MZ\x90\x00 not a pdf').toString('base64'),
          },
        ],
      }),
      'CASES.UPLOAD_TYPE',
    );
    assert.deepEqual(await counts(store), before);
  });

  test('bad input › an action the current status does not allow; nothing written', async () => {
    const s = await svc.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_CITY,
      regionCode: '410105',
      form,
    });
    const before = await counts(store);
    await rejects(
      svc.act(s.caseNumber, { action: 'approve' }, PRINCIPALS.approver),
      'CASES.TRANSITION_NOT_ALLOWED',
    );
    assert.deepEqual(await counts(store), before);
  });

  test('PostgreSQL › an action is one statement that commits alone: no BEGIN or COMMIT, its rows all or none, its event read in order', {
    skip: testDialect() !== 'postgres',
  }, async () => {
    const s = await svc.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_CITY,
      regionCode: '410105',
      form,
    });
    const before = await counts(store);
    const { sent, value: acted } = await sentDuring(() =>
      svc.act(s.caseNumber, { action: 'accept' }, PRINCIPALS.cityClerk),
    );
    assert.equal(acted.status, 'accepted');
    assert.deepEqual(
      sent.filter((t) => /^\s*(begin|start|commit|rollback|savepoint)/i.test(t)),
      [],
      'no transaction control',
    );
    const writes = sent.filter((t) => /\b(insert|update|delete)\b/i.test(t));
    assert.equal(writes.length, 1, writes.join('\n'));
    assert.match(writes[0]!, /update "cases"[\s\S]*insert into "case_actions"[\s\S]*insert into "events"/);
    const after = await counts(store);
    assert.deepEqual([after.actions - before.actions, after.events - before.events], [1, 1]);
    // the event is in the stream after the submission's, with its transaction id
    // in the stream after the submission's event, in its own later transaction (read from the table:
    // readEvents waits for every older transaction of the whole server, other tests' included)
    const stream = await sql<{ type: string; status: string; tx: string }>`
      select type, payload::json->>'status' as status, tx::text as tx from events
      where aggregate_id = ${s.caseNumber} order by tx, seq`.execute(store.db);
    assert.deepEqual(
      stream.rows.map((e) => [e.type, e.status]),
      [
        ['cases.submitted', null],
        ['cases.accepted', 'accepted'],
      ],
    );
    assert.ok(BigInt(stream.rows[1]!.tx) > BigInt(stream.rows[0]!.tx));
    // an action that read the case before this one wrote: the guard finds it moved on, nothing is written
    const row = (await caseForAction(store.db, s.caseNumber))!;
    const stale = await actAlone(
      store.db,
      row.id,
      row.action_count - 1,
      {
        status: 'refused',
        open: 0,
        accepted_on: null,
        promised_due: null,
        statutory_due: null,
        clock_state: 'stopped',
        colour: 'green',
        remaining_days: null,
        action_count: row.action_count,
        projection: '{}',
        updated_at: clock.now().toISOString(),
      },
      {
        case_id: row.id,
        seq: row.action_count,
        type: 'refuse',
        actor_id: 'x',
        region_code: row.region_code,
        payload: '{}',
        at: clock.now().toISOString(),
      },
      eventToInsert(clock, { type: 'cases.refused', aggregateType: 'case', aggregateId: s.caseNumber }),
    );
    assert.equal(stale, false);
    assert.deepEqual(await counts(store), after);
    assert.equal((await svc.view(s.caseNumber, PRINCIPALS.citizen)).status, 'accepted');
  });

  test('PostgreSQL › a submission without materials is its number and one statement: the case, its record, its event and the draft’s end, all or none', {
    skip: testDialect() !== 'postgres',
  }, async () => {
    const who = PRINCIPALS.otherCitizen;
    await svc.saveDraft(who, ITEM_CITY, { regionCode: '410105', ...form });
    await svc.saveDraftFiles(who, ITEM_CITY, { files: [{ code: 'plan', filename: 'p.pdf', data: PDF }] });
    const draftRows = async () =>
      Number(
        (
          await sql<{
            n: number;
          }>`select (select count(*) from case_draft_answers where applicant_id = ${who.accountId})
            + (select count(*) from case_draft_files where applicant_id = ${who.accountId}) as n`.execute(
            store.db,
          )
        ).rows[0]?.n,
      );
    assert.equal(await draftRows(), 2);
    const before = await counts(store);
    const { sent, value: s } = await sentDuring(() =>
      svc.submit(who, { implementationCode: ITEM_CITY, regionCode: '410105', form }),
    );
    assert.deepEqual(
      sent.filter((t) => /^\s*(begin|start|commit|rollback|savepoint)/i.test(t)),
      [],
      'no transaction control',
    );
    const writes = sent.filter((t) => /\b(insert|update|delete)\b/i.test(t));
    assert.equal(writes.length, 2, writes.join('\n'));
    assert.match(writes[0]!, /case_sequences/);
    assert.match(
      writes[1]!,
      /insert into "cases"[\s\S]*insert into "case_actions"[\s\S]*insert into "events"[\s\S]*delete from "case_draft_answers"[\s\S]*delete from "case_draft_files"/,
    );
    const after = await counts(store);
    assert.deepEqual(
      [after.cases - before.cases, after.actions - before.actions, after.events - before.events],
      [1, 1, 1],
    );
    assert.equal(await draftRows(), 0, 'the draft and its files are gone with the submission');
    const v = await svc.view(s.caseNumber, who);
    assert.equal(v.status, 'submitted');
    assert.deepEqual(
      v.actions.map((a) => a.action),
      ['submit'],
    );
    // the same case number again (a number drawn twice could never happen; a row left half-written would): nothing is written
    const row = (await caseForAction(store.db, s.caseNumber))!;
    await assert.rejects(
      submitAlone(
        store.db,
        { ...(await caseByNumber(store.db, s.caseNumber))!, id: `${row.id}-again` },
        {
          case_id: `${row.id}-again`,
          seq: 1,
          type: 'submit',
          actor_id: who.accountId,
          region_code: '410105',
          payload: '{}',
          at: clock.now().toISOString(),
        },
        eventToInsert(clock, { type: 'cases.submitted', aggregateType: 'case', aggregateId: s.caseNumber }),
        who.accountId,
        ITEM_CITY,
      ),
      /duplicate key|unique/i,
    );
    assert.deepEqual(await counts(store), after);
  });

  test('concurrency › the same action sent at once on several cases: one wins per case; the refused leave the others’ writes', async () => {
    const submitted = await Promise.all(
      [0, 1, 2].map(() =>
        svc.submit(PRINCIPALS.citizen, { implementationCode: ITEM_CITY, regionCode: '410105', form }),
      ),
    );
    const before = await counts(store);
    // three accepts of each case at once (on a file store with group commit they share batches)
    const tries = await Promise.allSettled(
      submitted.flatMap((s) =>
        [0, 1, 2].map(() => svc.act(s.caseNumber, { action: 'accept' }, PRINCIPALS.cityClerk)),
      ),
    );
    const won = tries.filter((t) => t.status === 'fulfilled');
    assert.equal(won.length, 3);
    for (const t of tries)
      if (t.status === 'rejected') {
        const code = (t.reason as DomainError).code;
        assert.ok(['CASES.TRANSITION_NOT_ALLOWED', 'CASES.CONCURRENT_CHANGE'].includes(code), code);
      }
    const after = await counts(store);
    assert.deepEqual([after.actions - before.actions, after.events - before.events], [3, 3]);
    for (const s of submitted)
      assert.equal((await svc.view(s.caseNumber, PRINCIPALS.citizen)).status, 'accepted');
  });

  test('bad input › the wrong region’s clerk cannot accept; nothing written', async () => {
    const s = await svc.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_COUNTY,
      regionCode: '410105001',
      form,
    });
    const before = await counts(store);
    await rejects(
      svc.act(s.caseNumber, { action: 'accept' }, PRINCIPALS.zhongyuanClerk),
      'CASES.OUT_OF_SCOPE',
    );
    await rejects(svc.act(s.caseNumber, { action: 'withdraw' }, PRINCIPALS.otherCitizen), 'CASES.NOT_FOUND');
    await rejects(svc.act(s.caseNumber, { action: 'approve' }, PRINCIPALS.citizen), 'COMMON.FORBIDDEN');
    assert.deepEqual(await counts(store), before);
  });

  test('depth Ⅰ items cannot be applied for online', async () => {
    await rejects(
      svc.submit(PRINCIPALS.citizen, { implementationCode: ITEM_DEPTH1, regionCode: '410105', form }),
      'CASES.ITEM_NOT_ONLINE',
    );
  });

  test('全城通办 › a county item is accepted at another district’s hall (walk-in by a clerk)', async () => {
    const s = await svc.submit(PRINCIPALS.zhongyuanClerk, {
      implementationCode: ITEM_COUNTY,
      regionCode: '410105001',
      form,
      hallId: 'hall-zhongyuan',
      applicantId: PRINCIPALS.citizen.accountId,
    });
    assert.equal(s.departmentId, 'dept-county-amr-410105');
    const r = await svc.act(s.caseNumber, { action: 'accept' }, PRINCIPALS.zhongyuanClerk);
    assert.equal(r.status, 'accepted');
    const v = await svc.view(s.caseNumber, PRINCIPALS.citizen);
    assert.equal(v.hallId, 'hall-zhongyuan');
    assert.equal(v.channel, 'window');
  });

  test('一件事 › one submission creates linked sub-cases with one progress', async () => {
    const b = await svc.submitBundle(PRINCIPALS.citizen, { bundleCode: 'BIRTH', regionCode: '410105', form });
    assert.equal(b.cases.length, 2);
    const v = await svc.bundleView(b.bundleNumber, PRINCIPALS.citizen);
    assert.deepEqual(v.progress, { done: 0, total: 2 });
    for (const c of b.cases) {
      await svc.act(
        c.caseNumber,
        { action: 'refuse', reason: '不属于本机关职权范围', legalBasis: '《行政许可法》第三十二条' },
        PRINCIPALS.cityClerk,
      );
    }
    const v2 = await svc.bundleView(b.bundleNumber, PRINCIPALS.citizen);
    assert.equal(v2.complete, true);
  });

  test('clock warnings › yellow then red, each raised once, by the sweep', async () => {
    const s = await svc.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_CITY,
      regionCode: '410105',
      form,
    });
    await svc.act(s.caseNumber, { action: 'accept' }, PRINCIPALS.cityClerk); // due 2025-09-28
    clock.set('2025-09-25T02:00:00Z'); // Thursday: 2 working days left (26, and the 调休 Sunday 28)
    const y = await svc.sweepClocks();
    assert.ok(y.yellow >= 1);
    const again = await svc.sweepClocks();
    assert.equal(again.yellow, 0);
    clock.set('2025-10-09T02:00:00Z');
    const r = await svc.sweepClocks();
    assert.ok(r.red >= 1);
    const v = await svc.view(s.caseNumber, PRINCIPALS.approver);
    assert.equal(v.clock.colour, 'red');
    const ev = await sql<{
      type: string;
    }>`select type from events where aggregate_id = ${s.caseNumber} and type like 'cases.warning.%' order by seq`.execute(
      store.db,
    );
    assert.deepEqual(
      ev.rows.map((x) => x.type),
      ['cases.warning.yellow', 'cases.warning.red'],
    );
    clock.set('2025-09-15T02:00:00Z');
  });

  test('queues › a department’s open cases by due date, with counts by colour', async () => {
    const q = await svc.departmentQueue(PRINCIPALS.approver, {
      departmentId: 'dept-city-amr',
      page: 1,
      pageSize: 50,
    });
    const dues = q.rows.map((r) => r.promised_due).filter((d): d is string => d !== null);
    assert.deepEqual(dues, [...dues].sort());
    assert.ok(q.rows.every((r) => r.status !== 'completed'));
    assert.ok(Object.values(q.counts).reduce((a, b) => a + b, 0) >= q.rows.length);
    await rejects(
      svc.departmentQueue(PRINCIPALS.approver, { departmentId: 'dept-other', page: 1, pageSize: 10 }),
      'CASES.OUT_OF_SCOPE',
    );
  });

  test('queues › a slow department’s counts are reused for a moment, its list never; a quick one’s are read every time', async () => {
    const q = { departmentId: 'dept-city-amr', page: 1, pageSize: 500 };
    const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    const withReuse = (slowMs: number, reuseMs: number) =>
      createCasesService({ store, clock, ports: fakePorts(), options: { countsReuse: { slowMs, reuseMs } } });
    // every count "slow" (0 ms): reused for 300 ms
    const reusing = withReuse(0, 300);
    const before = await reusing.departmentQueue(PRINCIPALS.approver, q);
    await reusing.submit(PRINCIPALS.citizen, { implementationCode: ITEM_CITY, regionCode: '410105', form });
    const soon = await reusing.departmentQueue(PRINCIPALS.approver, q);
    assert.equal(total(soon.counts), total(before.counts), 'the counts of a moment ago');
    assert.equal(soon.rows.length, before.rows.length + 1, 'the list is read anew');
    await new Promise((r) => setTimeout(r, 350));
    const later = await reusing.departmentQueue(PRINCIPALS.approver, q);
    assert.equal(total(later.counts), total(before.counts) + 1);
    // the counts kept for the department are served only to who may view it: after the check
    const otherDepartment: Principal = {
      ...PRINCIPALS.approver,
      accountId: 'acc-approver-other',
      grants: PRINCIPALS.approver.grants.map((g) => ({ ...g, departmentId: 'dept-other' })),
    };
    for (const who of [
      PRINCIPALS.citizen,
      PRINCIPALS.otherCitizen,
      PRINCIPALS.zhongyuanClerk,
      otherDepartment,
    ])
      await rejects(reusing.departmentQueue(who, q), 'CASES.OUT_OF_SCOPE');
    // no count is slow (an hour): read every time
    const fresh = withReuse(3_600_000, 60_000);
    const a = await fresh.departmentQueue(PRINCIPALS.approver, q);
    await fresh.submit(PRINCIPALS.citizen, { implementationCode: ITEM_CITY, regionCode: '410105', form });
    const b = await fresh.departmentQueue(PRINCIPALS.approver, q);
    assert.equal(total(b.counts), total(a.counts) + 1);
  });

  test('bulk › several actions on one case in the caller’s transaction: each checked, each an action and an event; a rolled-back batch leaves nothing', async () => {
    const before = await counts(store);
    const n = await store.db.transaction().execute(async (trx) => {
      const w = { within: trx };
      const s = await svc.submit(
        PRINCIPALS.citizen,
        { implementationCode: ITEM_CITY, regionCode: '410105001', form },
        w,
      );
      await svc.act(s.caseNumber, { action: 'accept' }, PRINCIPALS.cityClerk, w);
      // the guards still apply to the state this transaction just wrote
      await rejects(
        svc.act(s.caseNumber, { action: 'accept' }, PRINCIPALS.cityClerk, w),
        'CASES.TRANSITION_NOT_ALLOWED',
      );
      await rejects(
        svc.act(s.caseNumber, { action: 'approve' }, PRINCIPALS.cityClerk, w),
        'COMMON.FORBIDDEN',
      );
      await svc.act(s.caseNumber, { action: 'startStep', step: '审核' }, PRINCIPALS.approver, w);
      await svc.act(s.caseNumber, { action: 'completeStep' }, PRINCIPALS.approver, w);
      return s.caseNumber;
    });
    const after1 = await counts(store);
    assert.equal(after1.cases, before.cases + 1);
    assert.equal(after1.actions, before.actions + 4);
    assert.equal(after1.events, before.events + 4);
    assert.equal((await svc.view(n, PRINCIPALS.citizen)).status, 'accepted');
    // a batch that fails after acting is rolled back whole; the next action reads the committed case
    await assert.rejects(
      store.db.transaction().execute(async (trx) => {
        await svc.act(n, { action: 'approve' }, PRINCIPALS.approver, { within: trx });
        throw new Error('batch failed');
      }),
      /batch failed/,
    );
    assert.deepEqual(await counts(store), after1);
    const ok = await svc.act(n, { action: 'approve' }, PRINCIPALS.approver);
    assert.equal(ok.status, 'approved');
  });

  test('projection › the cached fold of every case equals deriveState and the clock of its recorded actions', async () => {
    const rows = await sql<{
      id: string;
      status: string;
      projection: string;
      promised_due: string | null;
      promised_days: number;
      statutory_days: number;
    }>`select id, status, projection, promised_due, promised_days, statutory_days from cases`.execute(
      store.db,
    );
    assert.ok(rows.rows.length > 10);
    for (const r of rows.rows) {
      const recorded = toRecorded(await actionsOf(store.db, r.id));
      const derived = deriveState(recorded.map((x) => x.action));
      assert.deepEqual(JSON.parse(r.projection).state, derived);
      assert.equal(r.status, derived.status);
      const full = computeClock(
        recorded,
        { promisedDays: r.promised_days, statutoryDays: r.statutory_days },
        fakeCalendar(),
        '2025-09-15',
      );
      const cached = computeClock(
        JSON.parse(r.projection).clock,
        { promisedDays: r.promised_days, statutoryDays: r.statutory_days },
        fakeCalendar(),
        '2025-09-15',
      );
      assert.deepEqual(cached, full);
    }
  });

  test('projection › each action leaves the case’s columns as a whole rewrite would, the sweep’s colours between included', async () => {
    // SQLite as shipped (this suite's store: a file, group commit; the action reads its case
    // inside its transaction) writes only the columns an action changes (changedOnly): what it
    // leaves must already be what the action computes, however the row got it (the action before,
    // or the clock sweep). PostgreSQL rewrites them all: the same check holds there.
    if (testDialect() === 'sqlite') assert.ok(store.groupCommit, 'the shipped SQLite store: group commit');
    const s = await svc.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_CITY,
      regionCode: '410105',
      form,
    });
    const n = s.caseNumber;
    const columns = async (today: string) => {
      const r = (
        await sql<
          Pick<
            CaseRow,
            | 'id'
            | 'status'
            | 'open'
            | 'accepted_on'
            | 'promised_due'
            | 'statutory_due'
            | 'clock_state'
            | 'colour'
            | 'remaining_days'
            | 'promised_days'
            | 'statutory_days'
            | 'action_count'
          >
        >`select id, status, open, accepted_on, promised_due, statutory_due, clock_state, colour,
             remaining_days, promised_days, statutory_days, action_count
           from cases where case_number = ${n}`.execute(store.db)
      ).rows[0]!;
      const recorded = toRecorded(await actionsOf(store.db, r.id));
      const c = computeClock(
        recorded,
        { promisedDays: r.promised_days, statutoryDays: r.statutory_days },
        fakeCalendar(),
        today,
      );
      const status = deriveState(recorded.map((x) => x.action)).status;
      assert.equal(r.action_count, recorded.length);
      assert.deepEqual(
        {
          status: r.status,
          open: Number(r.open),
          accepted_on: r.accepted_on,
          promised_due: r.promised_due,
          statutory_due: r.statutory_due,
          clock_state: r.clock_state,
          colour: r.colour,
          remaining_days: r.remaining_days === null ? null : Number(r.remaining_days),
        },
        {
          status,
          open: status === 'completed' ? 0 : 1,
          accepted_on: c.startDate,
          promised_due: c.promisedDue,
          statutory_due: c.statutoryDue,
          clock_state: c.state,
          colour: c.colour,
          remaining_days: c.remainingWorkingDays,
        },
        `${n} after ${recorded.at(-1)?.action.type} on ${today}`,
      );
      return r;
    };
    try {
      await columns('2025-09-15');
      await svc.act(n, { action: 'accept' }, PRINCIPALS.cityClerk); // due 2025-09-28
      assert.equal((await columns('2025-09-15')).colour, 'green');
      await svc.act(n, { action: 'startStep', step: '审核' }, PRINCIPALS.approver);
      await columns('2025-09-15');
      // Thursday 25: two working days left, the sweep turns it yellow; the next action computes
      // yellow too and need not write it
      clock.set('2025-09-25T02:00:00Z');
      await svc.sweepClocks();
      assert.equal((await columns('2025-09-25')).colour, 'yellow');
      await svc.act(n, { action: 'suspend', procedure: 'hearing' }, PRINCIPALS.approver);
      assert.equal((await columns('2025-09-25')).clock_state, 'paused');
      clock.set('2025-10-09T02:00:00Z');
      await svc.act(n, { action: 'resume' }, PRINCIPALS.approver);
      await columns('2025-10-09');
      // past the due date with no sweep since: the action itself turns it red
      clock.set('2025-10-20T02:00:00Z');
      await svc.act(n, { action: 'completeStep' }, PRINCIPALS.approver);
      assert.equal((await columns('2025-10-20')).colour, 'red');
      // the decision stops the clock
      await svc.act(n, { action: 'approve' }, PRINCIPALS.approver);
      assert.equal((await columns('2025-10-20')).clock_state, 'stopped');
      await svc.act(n, { action: 'issueResult', delivery: 'online' }, PRINCIPALS.approver);
      await columns('2025-10-20');
      await svc.act(n, { action: 'complete' }, PRINCIPALS.approver);
      const done = await columns('2025-10-20');
      assert.equal(Number(done.open), 0);
      assert.equal(done.clock_state, 'stopped');
    } finally {
      clock.set('2025-09-15T02:00:00Z');
    }
  });

  test('changedOnly › only the columns whose values differ; null and 0 kept apart', () => {
    const p = {
      status: 'processing',
      open: 1,
      accepted_on: '2025-09-15',
      promised_due: null,
      statutory_due: '2025-10-10',
      clock_state: 'running',
      colour: 'green',
      remaining_days: 0,
      action_count: 4,
      projection: '{}',
      updated_at: '2025-09-15T02:00:00.000Z',
      result: undefined,
    } as const;
    assert.deepEqual(
      changedOnly(p, {
        status: 'processing',
        open: 1,
        accepted_on: '2025-09-15',
        promised_due: null,
        statutory_due: '2025-10-09',
        clock_state: 'running',
        colour: 'yellow',
        remaining_days: null,
        action_count: 3,
        projection: '{}',
      }),
      {
        statutory_due: '2025-10-10',
        colour: 'green',
        remaining_days: 0,
        action_count: 4,
        updated_at: '2025-09-15T02:00:00.000Z',
      },
    );
  });

  test('notifications › the applicant is told each step; a bundle gets one notice when all is done', async () => {
    addMessages('cases', casesMessages);
    const sent: Array<{ to: string; subject: string; body: string }> = [];
    const consumer = notificationsConsumer({
      identity: {
        prefill: async () => ({}),
        applicant: async () => undefined,
        contacts: async (ids) => new Map(ids.map((id) => [id, { mobile: '13800000000' }])),
      },
      notifier: { sendAll: async (_trx, ns) => void sent.push(...ns) },
    });
    const start =
      (await sql<{ n: number }>`select max(seq) as n from events`.execute(store.db)).rows[0]?.n ?? 0;
    const b = await svc.submitBundle(PRINCIPALS.citizen, { bundleCode: 'BIRTH', regionCode: '410105', form });
    const single = await svc.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_IMMEDIATE,
      regionCode: '410105',
      form,
    });
    await svc.act(single.caseNumber, { action: 'accept' }, PRINCIPALS.cityClerk);
    for (const c of b.cases) {
      await svc.act(
        c.caseNumber,
        { action: 'refuse', reason: '不属于本机关职权范围', legalBasis: '《行政许可法》第三十二条' },
        PRINCIPALS.cityClerk,
      );
    }
    // on PostgreSQL the stream shows a transaction once every older one has ended (cluster-wide)
    const last = b.cases[b.cases.length - 1]?.caseNumber;
    let events = await readEvents(store.db, { tx: '0', seq: Number(start) }, 1000);
    for (
      let i = 0;
      i < 200 && !events.some((e) => e.type === 'cases.refused' && e.aggregateId === last);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 25));
      events = await readEvents(store.db, { tx: '0', seq: Number(start) }, 1000);
    }
    await store.db.transaction().execute((trx) => consumer.handle(trx, events));
    await store.db.transaction().execute((trx) => consumer.handle(trx, events)); // a replayed batch sends nothing new for the bundle
    const bundleNotices = sent.filter((n) => n.subject.includes(b.bundleNumber));
    assert.equal(bundleNotices.length, 1);
    assert.ok(sent.some((n) => n.subject.includes(single.caseNumber)));
    assert.ok(sent.every((n) => !n.body.includes('张三')));
  });

  test('notifications › a batch is told in a few reads and one send, the same messages in the same order as event by event', async () => {
    addMessages('cases', casesMessages);
    const start =
      (await sql<{ n: number }>`select max(seq) as n from events`.execute(store.db)).rows[0]?.n ?? 0;
    const mine: string[] = [];
    for (const who of [PRINCIPALS.citizen, PRINCIPALS.otherCitizen, PRINCIPALS.citizen]) {
      const s = await svc.submit(who, { implementationCode: ITEM_CITY, regionCode: '410105', form });
      mine.push(s.caseNumber);
      await svc.act(s.caseNumber, { action: 'accept' }, PRINCIPALS.cityClerk);
    }
    await svc.act(mine[0]!, { action: 'startStep', step: '审核' }, PRINCIPALS.approver);
    await svc.act(mine[0]!, { action: 'completeStep' }, PRINCIPALS.approver);
    await svc.act(mine[0]!, { action: 'approve' }, PRINCIPALS.approver);
    let events = await readEvents(store.db, { tx: '0', seq: Number(start) }, 1000);
    for (
      let i = 0;
      i < 200 && !events.some((e) => e.type === 'cases.approved' && e.aggregateId === mine[0]);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 25));
      events = await readEvents(store.db, { tx: '0', seq: Number(start) }, 1000);
    }
    const mobile = (id: string) => `1380000${id.length.toString().padStart(4, '0')}`;
    const base = { prefill: async () => ({}), applicant: async () => undefined };
    const oneByOne: unknown[] = [];
    const single = notificationsConsumer({
      identity: { ...base, contacts: async (ids) => new Map(ids.map((id) => [id, { mobile: mobile(id) }])) },
      notifier: { sendAll: async (_trx, ns) => void oneByOne.push(...ns) },
    });
    const asked: string[][] = [];
    const batches: unknown[][] = [];
    const batched = notificationsConsumer({
      identity: {
        ...base,
        contacts: async (ids) => {
          asked.push([...ids]);
          return new Map(ids.map((id) => [id, { mobile: mobile(id) }]));
        },
      },
      notifier: { sendAll: async (_trx, ns) => void batches.push([...ns]) },
    });
    // the same events handed over one at a time, then as one batch
    for (const e of events) await store.db.transaction().execute((trx) => single.handle(trx, [e]));
    await store.db.transaction().execute((trx) => batched.handle(trx, events));
    assert.equal(asked.length, 1, 'the applicants’ contacts in one read');
    assert.deepEqual(
      new Set(asked[0]),
      new Set([PRINCIPALS.citizen.accountId, PRINCIPALS.otherCitizen.accountId]),
    );
    assert.equal(batches.length, 1, 'one send for the batch');
    assert.deepEqual(batches[0], oneByOne);
    // three acceptances and an approval of these cases, in the events' order
    const ours = (oneByOne as Array<{ subject: string; body: string }>).filter((n) =>
      mine.some((c) => n.subject.includes(c)),
    );
    assert.deepEqual(
      ours.map((n) => mine.findIndex((c) => n.subject.includes(c))),
      [0, 1, 2, 0],
    );
  });

  test('property › an action succeeds exactly when a grant holds its permission for the case’s region and department', async () => {
    const rnd = seeded(2025);
    const perms = [
      'cases.accept',
      'cases.refuse',
      'cases.requestSupplement',
      'cases.review',
      'cases.decide',
      'cases.read',
    ];
    const hallActions: ActionInput[] = [
      { action: 'accept' },
      { action: 'refuse', reason: '不属于本机关职权范围', legalBasis: '《行政许可法》第三十二条' },
      { action: 'requestSupplement', missing: ['身份证明'] },
    ];
    const deptActions: ActionInput[] = [
      { action: 'startStep', step: '审核' },
      { action: 'approve' },
      { action: 'reject', reason: '不符合法定条件', legalBasis: '《行政许可法》第三十八条' },
      { action: 'suspend', procedure: 'hearing' },
    ];
    const admin = {
      ...PRINCIPALS.cityClerk,
      grants: [{ role: 'admin', permissions: ['cases.accept'], regionPrefix: '', departmentId: null }],
    };
    for (let i = 0; i < 80; i++) {
      const grant = {
        role: 'random',
        permissions: perms.filter(() => rnd() < 0.5),
        regionPrefix: pick(rnd, ['', '41', '4101', '410100', '410105', '410102']),
        departmentId: pick(rnd, [null, 'dept-city-amr', 'dept-other']),
      };
      const p = { ...PRINCIPALS.cityClerk, accountId: `acc-random-${i}`, grants: [grant] };
      const s = await svc.submit(PRINCIPALS.citizen, {
        implementationCode: ITEM_CITY,
        regionCode: '410105001',
        form,
      });
      const hall = rnd() < 0.5;
      if (!hall) await svc.act(s.caseNumber, { action: 'accept' }, admin);
      const a = pick(rnd, hall ? hallActions : deptActions);
      const perm = ACTION_PERMISSION[toAction(a).type];
      // ITEM_CITY is decided by dept-city-amr in 410100; an online case has no receiving hall
      const scope = hall ? { regionCode: '410100' } : { regionCode: '410100', departmentId: 'dept-city-amr' };
      const expected = allows(p, perm, scope);
      const got = await svc.act(s.caseNumber, a, p).then(
        () => true,
        (e: unknown) => {
          assert.ok(
            e instanceof DomainError &&
              ['CASES.OUT_OF_SCOPE', 'COMMON.FORBIDDEN', 'CASES.NOT_FOUND'].includes(e.code),
            String(e),
          );
          return false;
        },
      );
      assert.equal(got, expected, `seed 2025 #${i}: ${JSON.stringify(grant)} ${a.action}`);
    }
  });

  test('personal data › the application form is sealed at rest; events carry no personal data', async () => {
    const cipher = createPersonalDataCipher(Buffer.alloc(32, 7));
    const sealed = createCasesService({ store, clock, ports: fakePorts(), cipher });
    const s = await sealed.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_CITY,
      regionCode: '410105',
      form,
    });
    const row = (
      await sql<{
        form_data: string;
      }>`select form_data from cases where case_number = ${s.caseNumber}`.execute(store.db)
    ).rows[0];
    assert.ok(row && !row.form_data.includes('13800000000') && !row.form_data.includes('张三'));
    assert.deepEqual(JSON.parse(cipher.decrypt(row.form_data)), form);
    const ev = await sql<{
      payload: string;
    }>`select payload from events where aggregate_id = ${s.caseNumber}`.execute(store.db);
    for (const e of ev.rows) assert.ok(!e.payload.includes('13800000000') && !e.payload.includes('张三'));
  });

  test('uploaded files at rest › sealed, deduplicated by a keyed hash: the store holds neither the bytes nor their SHA-256', async () => {
    const files = createFileSealer(Buffer.alloc(32, 9));
    const sealedSvc = createCasesService({ store, clock, ports: fakePorts(), files });
    // a scan someone else may hold too (a leaked ID card): its bytes and its SHA-256 are known
    const marker = randomBytes(48);
    const scan = Buffer.concat([PDF, marker]);
    const sha = createHash('sha256').update(scan).digest('hex');
    const upload = { code: 'plan', filename: 'id.pdf', contentBase64: scan.toString('base64') };
    const before = await counts(store);
    const a = await sealedSvc.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_CITY,
      regionCode: '410105',
      form,
      materials: [upload],
    });
    const b = await sealedSvc.submit(PRINCIPALS.citizen, {
      implementationCode: ITEM_CITY,
      regionCode: '410105',
      form,
      materials: [upload],
    });
    assert.equal((await counts(store)).blobs, before.blobs + 1, 'one stored file for the same bytes');
    const r = await sealedSvc.saveDraftFiles(PRINCIPALS.otherCitizen, ITEM_CITY, {
      files: [{ code: 'plan', filename: 'id.pdf', data: scan }],
    });
    assert.deepEqual(r.problems, []);
    for (const table of ['case_blobs', 'case_materials', 'case_draft_files']) {
      const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db))
        .rows;
      assert.ok(rows.length > 0, table);
      for (const row of rows)
        for (const [column, v] of Object.entries(row)) {
          if (v instanceof Uint8Array)
            assert.ok(!Buffer.from(v).includes(marker), `${table}.${column} holds the bytes`);
          if (typeof v === 'string') assert.ok(!v.includes(sha), `${table}.${column} holds the SHA-256`);
        }
    }
    // the contract still speaks of the public SHA-256, and the file opens as uploaded
    for (const n of [a.caseNumber, b.caseNumber]) {
      const v = await sealedSvc.view(n, PRINCIPALS.citizen);
      assert.equal(v.materials[0]?.sha256, sha);
      const f = await sealedSvc.blob(n, sha, PRINCIPALS.citizen);
      assert.deepEqual(Buffer.from(f!.data), scan);
    }
  });

  test('一件事 material set: one code per document name, stable; asked of the applicant if any member asks', async () => {
    const ports = fakePorts();
    const city = ports.items.get(ITEM_CITY)!;
    const immediate = ports.items.get(ITEM_IMMEDIATE)!;
    // the same code means different documents in the two members; one document is read from
    // shared data by one member and asked of the applicant by the other
    ports.items.set(ITEM_CITY, {
      ...city,
      materials: [
        { code: 'm02-doc', name: '住院分娩记录', required: true, source: 'applicant' },
        { code: 'm03-edu', name: '学历证明', required: true, source: 'government', sharedData: '学历信息' },
      ],
    });
    ports.items.set(ITEM_IMMEDIATE, {
      ...immediate,
      materials: [
        { code: 'm02-doc', name: '免冠照片', required: true, source: 'applicant' },
        { code: 'm09-edu', name: '学历证明', required: false, source: 'applicant' },
      ],
    });
    const s2 = createCasesService({ store, clock, ports });
    const app = await s2.application('bundle:BIRTH');
    assert.ok(app);
    const byName = Object.fromEntries(app.materials.map((m) => [m.name, m]));
    assert.deepEqual(Object.keys(byName).sort(), ['住院分娩记录', '免冠照片', '学历证明'].sort());
    assert.notEqual(byName.住院分娩记录!.code, byName.免冠照片!.code);
    assert.match(byName.学历证明!.code, /^b-[0-9a-f]{12}$/);
    // one member reads it from shared data, the other asks the applicant: it is asked
    assert.equal(byName.学历证明!.sharedData, undefined);
    assert.equal(byName.学历证明!.required, true);
    // the codes do not depend on the members' order
    ports.bundles.set('BIRTH', {
      ...ports.bundles.get('BIRTH')!,
      members: [...ports.bundles.get('BIRTH')!.members].reverse(),
    });
    const again = await createCasesService({ store, clock, ports }).application('bundle:BIRTH');
    assert.deepEqual(
      Object.fromEntries(again!.materials.map((m) => [m.name, m.code])),
      Object.fromEntries(app.materials.map((m) => [m.name, m.code])),
    );
    // each member gets the file under its own code
    const shares = app.members!([{ code: byName.免冠照片!.code, filename: 'p.pdf', data: PDF }], {});
    const mine = shares.find((x) => x.implementationCode === ITEM_IMMEDIATE)!;
    assert.deepEqual(
      mine.files.map((f) => f.code),
      ['m02-doc'],
    );
    assert.equal(shares.find((x) => x.implementationCode === ITEM_CITY)!.files.length, 0);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { validForm } from '../../../test/helpers/forms.js';
import { testDialect } from '../../../test/helpers/store.js';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';
import { sql } from '../../platform/db/index.js';

// The free text of 好差评 and 政民互动 — a comment, a complaint's title and body, the department's
// answer, a rectification's notes — can name people and carry their phone numbers, so it is sealed
// at rest like the rest of the personal data (the attack: read the tables, find the person)
const CITY_ITEM = '11410100297017523N01003401100000';
const COUNTY_ITEM = '11410105414644738F05001200400000';
const HALL = 'H410105001';
const PHONE = '13912345678';

describe(`ratings › free text sealed at rest (${testDialect()})`, () => {
  let t: TongbanApp;
  const clock = new ManualClock('2025-09-15T02:00:00Z');
  const bearer = async (login: string) => ({
    authorization: `Bearer ${(await t.identity.tokenForLogin(login)).token}`,
  });
  const post = async (login: string, url: string, payload: unknown) =>
    t.app.inject({ method: 'POST', url, headers: await bearer(login), payload: payload as object });
  const get = async (login: string, url: string) => t.app.inject({ url, headers: await bearer(login) });

  /** Every text value of the ratings module's tables, as stored. */
  async function stored(): Promise<string> {
    const out: string[] = [];
    for (const table of [
      'ratings',
      'ratings_complaints',
      'ratings_rectification_steps',
      'ratings_deliveries',
    ]) {
      const r = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(t.store.db);
      for (const row of r.rows) out.push(JSON.stringify(row));
    }
    return out.join('\n');
  }

  let caseA = '';
  let caseB = '';
  let complaintNumber = '';
  let rectificationId = '';
  before(async () => {
    t = await buildTestApp({ demo: 'on', clock });
    const a = await post('citizen', '/api/v1/cases', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await validForm(t, CITY_ITEM),
    });
    assert.equal(a.statusCode, 201, a.body);
    caseA = a.json().caseNumber;
    const b = await post('clerk', '/api/v1/cases', {
      implementationCode: COUNTY_ITEM,
      regionCode: '410105001',
      form: await validForm(t, COUNTY_ITEM),
      hallId: HALL,
      applicantId: await t.identity.accountIdByLogin('citizen'),
    });
    assert.equal(b.statusCode, 201, b.body);
    caseB = b.json().caseNumber;
    assert.equal(
      (await post('admin', `/api/v1/cases/${caseA}/actions`, { action: 'accept' })).statusCode,
      200,
    );
    assert.equal(
      (await post('clerk', `/api/v1/cases/${caseB}/actions`, { action: 'accept' })).statusCode,
      200,
    );
    await t.events.drain();
  });
  after(async () => t.close());

  test('a comment, a complaint, its answer and a rectification’s notes are read back, and never stored in clear', async () => {
    const good = await post('citizen', `/api/v1/cases/${caseA}/ratings`, {
      level: 5,
      stage: 'accepted',
      channel: 'web',
      indicators: [],
      text: `窗口王小明很耐心，有事打我 ${PHONE}`,
    });
    assert.equal(good.statusCode, 201, good.body);
    assert.match(good.json().text, /王小明/);
    const bad = await post('citizen', `/api/v1/cases/${caseB}/ratings`, {
      level: 2,
      stage: 'accepted',
      channel: 'kiosk',
      indicators: ['attitude'],
      text: '态度差，家住金水路88号',
    });
    assert.equal(bad.statusCode, 201, bad.body);
    rectificationId = bad.json().rectificationId;
    const cb = await post('admin', `/api/v1/rectifications/${rectificationId}/steps`, {
      action: 'callback',
      note: `已电话回访 ${PHONE}`,
    });
    assert.equal(cb.statusCode, 200, cb.body);
    const f = await post('citizen', '/api/v1/complaints', {
      kind: 'complaint',
      subject: { type: 'case', caseNumber: caseA },
      title: '王小明的办件进度慢',
      body: `受理后一直没有进展，联系电话 ${PHONE}。`,
    });
    assert.equal(f.statusCode, 201, f.body);
    complaintNumber = f.json().complaintNumber;
    assert.equal(
      (
        await post('approver', `/api/v1/complaints/${complaintNumber}/answer`, {
          answer: '已联系王小明，今日办结。',
        })
      ).statusCode,
      200,
    );
    await t.events.drain();

    // read back in clear by those who may
    const mine = await get('citizen', `/api/v1/complaints/${complaintNumber}`);
    assert.equal(mine.statusCode, 200, mine.body);
    assert.equal(mine.json().title, '王小明的办件进度慢');
    assert.match(mine.json().body, new RegExp(PHONE));
    assert.equal(mine.json().answer, '已联系王小明，今日办结。');
    const rect = await get('supervisor', `/api/v1/rectifications/${rectificationId}`);
    assert.equal(rect.statusCode, 200, rect.body);
    assert.ok(rect.json().steps.some((s: { note: string }) => s.note === `已电话回访 ${PHONE}`));

    // and nowhere in the tables in clear
    const raw = await stored();
    for (const secret of [PHONE, '王小明', '金水路88号', '进展', '今日办结'])
      assert.ok(!raw.includes(secret), `stored in clear: ${secret}`);
  });

  test('rows written in clear (before this release, or by its nodes during the upgrade) are sealed by the upgrade step and still read', async () => {
    await sql`update ratings set text = ${`旧评价 ${PHONE}`} where case_number = ${caseA}`.execute(
      t.store.db,
    );
    await sql`update ratings_complaints set title = '旧标题王小明', body = ${`旧内容 ${PHONE}`}, answer = '旧答复'
      where complaint_number = ${complaintNumber}`.execute(t.store.db);
    await sql`update ratings_rectification_steps set note = ${`旧说明 ${PHONE}`}
      where rectification_id = ${rectificationId} and action = 'callback'`.execute(t.store.db);
    // in clear, they still read (an old node's row is not an error)
    const before = await get('citizen', `/api/v1/complaints/${complaintNumber}`);
    assert.equal(before.json().title, '旧标题王小明');
    const n = await t.ratings.sealStoredText();
    assert.equal(n, 3, 'the rating, the complaint and the step');
    assert.equal(await t.ratings.sealStoredText(), 0, 'a second pass finds nothing in clear');
    assert.ok(!(await stored()).includes(PHONE));
    assert.ok(!(await stored()).includes('旧'));
    const after = await get('citizen', `/api/v1/complaints/${complaintNumber}`);
    assert.equal(after.json().title, '旧标题王小明');
    assert.equal(after.json().answer, '旧答复');
    const mine = await get('citizen', '/api/v1/ratings/mine');
    assert.ok(
      mine.json().ratings.some((r: { text: string | null }) => r.text === `旧评价 ${PHONE}`),
      mine.body,
    );
  });

  test('the notes the system makes (the days allowed, a 追评’s level) name no one: stored clear, and seal-text leaves them so', async () => {
    const notes = async () =>
      (
        await sql<{ action: string; note: string }>`select action, note from ratings_rectification_steps
          where rectification_id = ${rectificationId} order by seq`.execute(t.store.db)
      ).rows;
    const opened = (await notes()).find((s) => s.action === 'opened');
    assert.match(opened?.note ?? '', /^\d+$/, 'the days allowed, in clear');
    await t.ratings.sealStoredText();
    assert.deepEqual(
      (await notes()).find((s) => s.action === 'opened'),
      opened,
    );
    const rect = await get('supervisor', `/api/v1/rectifications/${rectificationId}`);
    assert.ok(
      rect
        .json()
        .steps.some(
          (s: { action: string; note: string }) => s.action === 'opened' && s.note === opened?.note,
        ),
    );
  });

  test('a clear text that itself starts with “v1.” (or has the envelope’s shape) is told from a sealed one: seal-text seals it, the reader reads it back', async () => {
    const shaped = `v1.${'A'.repeat(16)}.${'B'.repeat(22)}`;
    await sql`update ratings set text = ${'v1.hello'} where case_number = ${caseA}`.execute(t.store.db);
    await sql`update ratings_complaints set answer = ${shaped} where complaint_number = ${complaintNumber}`.execute(
      t.store.db,
    );
    // in clear, read as they are
    assert.equal((await get('citizen', `/api/v1/complaints/${complaintNumber}`)).json().answer, shaped);
    assert.equal(await t.ratings.sealStoredText(), 2, 'the rating and the complaint');
    assert.equal(await t.ratings.sealStoredText(), 0, 'a second pass finds nothing in clear');
    const raw = await stored();
    assert.ok(!raw.includes('"v1.hello"'), 'v1.hello sealed');
    assert.ok(!raw.includes(shaped), 'the envelope-shaped text sealed');
    assert.equal((await get('citizen', `/api/v1/complaints/${complaintNumber}`)).json().answer, shaped);
    const mine = await get('citizen', '/api/v1/ratings/mine');
    assert.ok(
      mine.json().ratings.some((r: { text: string | null }) => r.text === 'v1.hello'),
      mine.body,
    );
  });
});

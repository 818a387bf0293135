import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { validForm } from '../../../test/helpers/forms.js';
import { committedEvents } from '../../../test/helpers/store.js';
import type { TongbanApp } from '../../app.js';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../identity/identity.demo.js';
import { ManualClock } from '../../kernel/index.js';
import { sql } from '../../platform/db/index.js';

// 食品小经营店登记: applied for online, decided by 郑州市市场监督管理局 (the demo `approver`)
const CITY_ITEM = '11410100297017523N01003401100000';
// 失业保险金申领: 金水区人社局; the walk-in is received at the demo clerk's hall
const COUNTY_ITEM = '11410105414644738F05001200400000';
const HALL = 'H410105001';

let t: TongbanApp;
// Monday 15 September 2025, 10:00 China time: 15 working days run over National Day (1–8 October
// off, Sunday 28 September and Saturday 11 October worked)
const clock = new ManualClock('2025-09-15T02:00:00Z');
const tokens = new Map<string, string>();
const as = (login: string) => ({ authorization: `Bearer ${tokens.get(login)}` });
let caseA = '';
let caseB = '';

async function post(login: string | undefined, url: string, payload: unknown) {
  return t.app.inject({ method: 'POST', url, headers: login ? as(login) : {}, payload: payload as object });
}
const rate = (login: string | undefined, n: string, body: Record<string, unknown>) =>
  post(login, `/api/v1/cases/${n}/ratings`, body);
const count = async (table: string) =>
  Number(
    (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(t.store.db)).rows[0]?.n,
  );

before(async () => {
  t = await buildTestApp({ demo: 'on', clock });
  await t.identity.service.register({
    kind: 'person',
    login: 'citizen2',
    password: DEMO_PASSWORD,
    name: DEMO_PEOPLE.unregistered.name,
    idNumber: DEMO_PEOPLE.unregistered.idNumber,
    mobile: DEMO_PEOPLE.unregistered.mobile,
  });
  for (const l of ['citizen', 'citizen2', 'clerk', 'approver', 'county-approver', 'supervisor', 'admin'])
    tokens.set(l, (await t.identity.tokenForLogin(l)).token);
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
  await t.events.drain();
});
after(async () => t.close());

describe('好差评 › a rating is tied to a real case of the rater, at a stage it reached', () => {
  test('before 受理 no stage is reached: 409, nothing written', async () => {
    const r = await rate('citizen', caseA, { level: 5, stage: 'accepted', channel: 'web', indicators: [] });
    assert.equal(r.statusCode, 409, r.body);
    assert.equal(r.json().error.code, 'RATINGS.STAGE_NOT_REACHED');
    assert.equal(await count('ratings'), 0);
  });

  test('after 受理 the applicant rates on the case page; the event holds no personal data', async () => {
    const acc = await post('admin', `/api/v1/cases/${caseA}/actions`, { action: 'accept' });
    assert.equal(acc.statusCode, 200, acc.body);
    const r = await rate('citizen', caseA, {
      level: 5,
      stage: 'accepted',
      channel: 'web',
      indicators: ['efficiency', 'guideAccuracy'],
      text: '指南清楚，办得快',
    });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().rectificationId, null);
    const e = (await committedEvents(t.store)).filter((x) => x.type === 'ratings.rated');
    assert.equal(e.length, 1);
    const dept = r.json().departmentId;
    assert.deepEqual(e[0]?.payload, {
      caseNumber: caseA,
      stage: 'accepted',
      channel: 'web',
      level: 5,
      departmentId: dept,
      regionCode: '410100',
      itemCode: CITY_ITEM,
      realName: true,
      anonymous: false,
    });
    assert.equal(e[0]?.regionCode, '410100');
    assert.doesNotMatch(JSON.stringify(e), /指南清楚|13800000000|410105199003070114/);
  });

  test('once per case × stage × channel: a second rating is 409, a racing burst gives one 201', async () => {
    const again = await rate('citizen', caseA, { level: 1, stage: 'accepted', channel: 'web' });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'RATINGS.ALREADY_RATED');
    const burst = await Promise.all(
      Array.from({ length: 8 }, () =>
        rate('citizen', caseA, { level: 4, stage: 'accepted', channel: 'kiosk' }),
      ),
    );
    assert.deepEqual(burst.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
    assert.equal(await count('ratings'), 2);
  });

  test('strangers: anonymous 401, another citizen and staff elsewhere get the same 404 as no case', async () => {
    const body = { level: 1, stage: 'accepted', channel: 'web' };
    assert.equal((await rate(undefined, caseA, body)).statusCode, 401);
    for (const who of ['citizen2', 'county-approver', 'supervisor', 'clerk']) {
      const r = await rate(
        who,
        caseA,
        who === 'clerk' ? { ...body, channel: 'window', window: 'A01' } : body,
      );
      assert.equal(r.statusCode, 404, `${who}: ${r.body}`);
      assert.equal(r.json().error.code, 'RATINGS.CASE_NOT_FOUND');
    }
    assert.equal((await rate('citizen', 'NOSUCHCASE00000000', body)).statusCode, 404);
    assert.equal(await count('ratings'), 2);
  });

  test('bad input is a coded 400 and writes nothing; indicators must fit how the case was handled', async () => {
    for (const bad of [
      { level: 7, stage: 'accepted', channel: 'web' },
      { level: 3, stage: 'decided', channel: 'web' },
      { level: 3, stage: 'accepted', channel: 'fax' },
      { level: 3, stage: 'accepted', channel: 'web', indicators: ['speed'] },
      { level: 3, stage: 'accepted', channel: 'web', extra: 1 },
    ]) {
      const r = await rate('citizen', caseA, bad);
      assert.equal(r.statusCode, 400, JSON.stringify(bad));
      assert.match(r.json().error.code, /^COMMON\.VALIDATION$/);
    }
    // an online case is rated on the online indicators, not on the window's attitude
    const r = await rate('citizen', caseA, { level: 3, stage: 'accepted', channel: 'sms', indicators: [] });
    assert.equal(r.json().error.code, 'RATINGS.CHANNEL_NOT_ALLOWED');
    const online = await post('citizen2', '/api/v1/complaints', { nonsense: true });
    assert.equal(online.statusCode, 400);
    assert.equal(await count('ratings'), 2);
    assert.equal(await count('ratings_complaints'), 0);
  });

  test('the window pad (一次一评): the receiving hall clerk records it, tied to the window and the clerk', async () => {
    const acc = await post('clerk', `/api/v1/cases/${caseB}/actions`, { action: 'accept' });
    assert.equal(acc.statusCode, 200, acc.body);
    const wrong = await rate('clerk', caseB, { level: 5, stage: 'accepted', channel: 'web' });
    assert.equal(wrong.json().error.code, 'RATINGS.CHANNEL_NOT_ALLOWED');
    const noWindow = await rate('clerk', caseB, { level: 5, stage: 'accepted', channel: 'window' });
    assert.equal(noWindow.json().error.code, 'RATINGS.WINDOW_REQUIRED');
    const online = await rate('clerk', caseB, {
      level: 5,
      stage: 'accepted',
      channel: 'window',
      window: 'A03',
      indicators: ['guideAccuracy'],
    });
    assert.equal(online.json().error.code, 'RATINGS.INDICATOR_NOT_APPLICABLE');
    const r = await rate('clerk', caseB, {
      level: 4,
      stage: 'accepted',
      channel: 'window',
      window: 'A03',
      indicators: ['attitude', 'skill'],
    });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().windowCode, 'A03');
    const [row] = (
      await sql<{
        clerk_id: string;
        rater_id: string;
      }>`select clerk_id, rater_id from ratings where case_number = ${caseB}`.execute(t.store.db)
    ).rows;
    assert.equal(row?.clerk_id, await t.identity.accountIdByLogin('clerk'));
    assert.equal(row?.rater_id, await t.identity.accountIdByLogin('citizen'));
  });
});

describe('好差评 › the signed one-time link (SMS after 受理, the window QR)', () => {
  let token = '';
  test('受理 texts the applicant a link; it rates once, without a login', async () => {
    await t.events.drain();
    const sms = (await t.identity.service.notifications(100)).filter((n) => n.body.includes(`/r/`));
    const forA = sms.find((n) => n.body.includes(caseA));
    assert.ok(forA, 'a rating link was texted for case A');
    token = /\/r\/([^\s]+)/.exec(forA.body)?.[1] ?? '';
    const r = await post(undefined, `/api/v1/ratings/links/${token}`, {
      level: 5,
      indicators: ['convenience'],
    });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().channel, 'sms');
    assert.equal(r.json().stage, 'accepted');
    const again = await post(undefined, `/api/v1/ratings/links/${token}`, { level: 1 });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'RATINGS.LINK_USED');
  });

  test('a forged or altered token is refused before the store; an expired one says so', async () => {
    const [id, exp] = token.split('.');
    const forged = await post(undefined, `/api/v1/ratings/links/${id}.${exp}.${'A'.repeat(43)}`, {
      level: 5,
    });
    assert.equal(forged.json().error.code, 'RATINGS.LINK_INVALID');
    const longer = await post(
      undefined,
      `/api/v1/ratings/links/${id}.${Number(exp) + 86400}.${token.split('.')[2]}`,
      {
        level: 5,
      },
    );
    assert.equal(longer.json().error.code, 'RATINGS.LINK_INVALID');
    const qr = await post('clerk', `/api/v1/cases/${caseB}/ratings/links`, {
      stage: 'accepted',
      window: 'A03',
    });
    assert.equal(qr.statusCode, 201, qr.body);
    const qrToken = String(qr.json().url).split('/r/')[1];
    clock.set(new Date(clock.now().getTime() + 31 * 86_400_000));
    const expired = await post(undefined, `/api/v1/ratings/links/${qrToken}`, { level: 5 });
    assert.equal(expired.statusCode, 410);
    clock.set(new Date(clock.now().getTime() - 31 * 86_400_000));
    // the pad already took this case's window rating at 受理: one per stage and channel, and the
    // refused rating leaves the link unused (one transaction)
    const taken = await post(undefined, `/api/v1/ratings/links/${qrToken}`, {
      level: 3,
      indicators: ['attitude'],
    });
    assert.equal(taken.json().error.code, 'RATINGS.ALREADY_RATED');
    const [link] = (
      await sql<{
        used_at: string | null;
      }>`select used_at from ratings_links where channel = 'window'`.execute(t.store.db)
    ).rows;
    assert.equal(link?.used_at, null);
  });
});

describe('差评整改 › a poor rating opens a rectification on a working-day clock', () => {
  let id = '';
  test('a level-2 rating opens one, due 15 working days later on the calendar (National Day skipped)', async () => {
    const r = await rate('citizen', caseB, {
      level: 2,
      stage: 'accepted',
      channel: 'kiosk',
      indicators: ['attitude'],
    });
    assert.equal(r.statusCode, 201, r.body);
    id = r.json().rectificationId;
    assert.ok(id);
    const q = await t.app.inject({ url: '/api/v1/rectifications', headers: as('supervisor') });
    assert.equal(q.statusCode, 200, q.body);
    const mine = q.json().rectifications.find((x: { id: string }) => x.id === id);
    assert.equal(mine.dueOn, '2025-10-11');
    assert.equal(mine.colour, 'green');
    const opened = (await committedEvents(t.store)).find((e) => e.type === 'ratings.rectification-opened');
    assert.deepEqual(Object.keys(opened?.payload ?? {}).sort(), [
      'caseNumber',
      'departmentId',
      'dueOn',
      'rectificationId',
    ]);
  });

  test('the department calls back before it settles; an appeal is the supervisor’s to decide', async () => {
    // the 金水区人社局 has no demo handler: the admin acts for it; the city approver may not
    const step = (login: string, body: unknown) => post(login, `/api/v1/rectifications/${id}/steps`, body);
    assert.equal((await step('approver', { action: 'callback', note: '电话回访' })).statusCode, 404);
    assert.equal((await step('citizen', { action: 'callback', note: '电话回访' })).statusCode, 403);
    const early = await step('admin', { action: 'fix', note: '已整改窗口服务' });
    assert.equal(early.json().error.code, 'RATINGS.CALLBACK_FIRST');
    assert.equal((await step('admin', { action: 'callback', note: '已电话回访申请人' })).statusCode, 200);
    const appeal = await step('admin', { action: 'appeal', ground: 'mistaken', note: '申请人误评' });
    assert.equal(appeal.json().status, 'appealed');
    const noReason = await step('supervisor', { action: 'decideAppeal', upheld: false, note: '' });
    assert.equal(noReason.statusCode, 400);
    const decided = await step('supervisor', {
      action: 'decideAppeal',
      upheld: false,
      note: '回访记录显示评价属实',
    });
    assert.equal(decided.statusCode, 200, decided.body);
    assert.equal(decided.json().status, 'open');
    const fixed = await step('admin', { action: 'fix', note: '已对窗口人员进行培训' });
    assert.equal(fixed.json().status, 'closed');
    assert.equal(fixed.json().outcome, 'fixed');
    assert.equal(fixed.json().onTime, true);
    const events = await committedEvents(t.store);
    const closed = events.find((e) => e.type === 'ratings.rectification-closed');
    assert.deepEqual(closed?.payload, {
      rectificationId: id,
      departmentId: fixed.json().departmentId,
      outcome: 'fixed',
      onTime: true,
    });
    const cb = events.find((e) => e.type === 'ratings.callback-recorded');
    assert.deepEqual(cb?.payload, {
      rectificationId: id,
      departmentId: fixed.json().departmentId,
      realName: true,
    });
  });

  test('the rater rates the fix with a follow-up (追评), once', async () => {
    const r = await rate('citizen', caseB, { level: 4, stage: 'accepted', channel: 'kiosk', followUp: true });
    assert.equal(r.statusCode, 201, r.body);
    const v = await t.app.inject({ url: `/api/v1/rectifications/${id}`, headers: as('supervisor') });
    assert.equal(v.json().fixLevel, 4);
    const twice = await rate('citizen', caseB, {
      level: 5,
      stage: 'accepted',
      channel: 'kiosk',
      followUp: true,
    });
    assert.equal(twice.json().error.code, 'RATINGS.ALREADY_RATED');
    const none = await rate('citizen', caseB, {
      level: 5,
      stage: 'accepted',
      channel: 'web',
      followUp: true,
    });
    assert.equal(none.json().error.code, 'RATINGS.NOTHING_TO_FOLLOW');
  });

  test('ratings and their handling are in the transparency log, by hash, without text or names', async () => {
    await t.events.drain();
    const leaves = (
      await sql<{
        event_type: string;
        entry: string;
      }>`select event_type, entry from ledger_leaves where event_type like 'ratings.%'`.execute(t.store.db)
    ).rows;
    const types = new Set(leaves.map((l) => l.event_type));
    for (const ty of [
      'ratings.rated',
      'ratings.rectification-opened',
      'ratings.callback-recorded',
      'ratings.rectification-closed',
      'ratings.followed-up',
    ])
      assert.ok(types.has(ty), `${ty} recorded`);
    assert.doesNotMatch(JSON.stringify(leaves), /指南清楚|张三|13800000000/);
  });

  test('public monthly results per department, no personal data', async () => {
    const r = await t.app.inject({ url: '/api/v1/ratings/results?region=4101&month=2025-09' });
    assert.equal(r.statusCode, 200, r.body);
    const d = r.json().departments as Array<{ ratings: number; rectificationRate: number | null }>;
    assert.ok(d.length >= 2);
    assert.ok(d.some((x) => x.rectificationRate === 1));
    assert.doesNotMatch(r.body, /张三|13800000000/);
  });
});

describe('政民互动 › complaints routed on a clock; the 12345 intake is idempotent and answered back', () => {
  test('a complaint about one’s case goes to its department; answered once; the filer rates the answer', async () => {
    const f = await post('citizen', '/api/v1/complaints', {
      kind: 'complaint',
      subject: { type: 'case', caseNumber: caseA },
      title: '办理进度慢',
      body: '受理后一直没有进展，请尽快处理。',
    });
    assert.equal(f.statusCode, 201, f.body);
    const c = f.json();
    assert.match(c.complaintNumber, /^ZM20250915\d{6}$/);
    assert.equal(c.dueOn, '2025-09-28'); // 10 working days: Sunday 28 September is a worked 调休 day
    const other = await post('citizen2', '/api/v1/complaints', {
      kind: 'complaint',
      subject: { type: 'case', caseNumber: caseA },
      title: '冒名投诉',
      body: '这不是我的办件。',
    });
    assert.equal(other.json().error.code, 'RATINGS.SUBJECT_NOT_FOUND');
    assert.equal(
      (
        await post('county-approver', `/api/v1/complaints/${c.complaintNumber}/answer`, {
          answer: '已处理完毕。',
        })
      ).statusCode,
      404,
    );
    const early = await post('citizen', `/api/v1/complaints/${c.complaintNumber}/rating`, { level: 5 });
    assert.equal(early.json().error.code, 'RATINGS.NOT_ANSWERED');
    const a = await post('approver', `/api/v1/complaints/${c.complaintNumber}/answer`, {
      answer: '已督促办理，今日办结。',
    });
    assert.equal(a.statusCode, 200, a.body);
    assert.equal(a.json().onTime, true);
    const twice = await post('approver', `/api/v1/complaints/${c.complaintNumber}/answer`, {
      answer: '再次答复。。',
    });
    assert.equal(twice.json().error.code, 'RATINGS.ALREADY_ANSWERED');
    const rated = await post('citizen', `/api/v1/complaints/${c.complaintNumber}/rating`, { level: 5 });
    assert.equal(rated.json().answerLevel, 5);
  });

  test('enquiries about an item and a hall are routed to the department that answers for them', async () => {
    const item = await post('citizen', '/api/v1/complaints', {
      kind: 'enquiry',
      subject: { type: 'item', implementationCode: CITY_ITEM },
      title: '需要哪些材料',
      body: '请问食品小经营店登记需要哪些材料？',
    });
    assert.equal(item.statusCode, 201, item.body);
    assert.equal(item.json().dueOn, '2025-09-22'); // 5 working days
    const hall = await post('citizen', '/api/v1/complaints', {
      kind: 'suggestion',
      subject: { type: 'hall', hallCode: HALL },
      title: '增加周末窗口',
      body: '建议周六上午开放一个综合窗口。',
    });
    assert.equal(hall.statusCode, 201, hall.body);
    assert.equal(hall.json().regionCode.slice(0, 6), '410105');
  });

  test('12345: a hotline client files tickets idempotently; the answer is posted back, retried and recorded', async () => {
    const c = await t.identity.createClient({
      name: '郑州12345热线',
      redirectUris: [],
      grantTypes: ['client_credentials'],
      roles: ['hotline'],
    });
    const tok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      headers: {
        authorization: `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'grant_type=client_credentials',
    });
    assert.equal(tok.statusCode, 200, tok.body);
    const h = { authorization: `Bearer ${tok.json().access_token}` };
    const ticket = {
      ticket: 'GD20250915-0001',
      kind: 'complaint',
      subject: { type: 'item', implementationCode: CITY_ITEM },
      title: '窗口推诿',
      body: '来电人反映窗口人员让其多次往返。',
    };
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/v1/complaints/hotline',
      headers: h,
      payload: ticket,
    });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.json().channel, '12345');
    const same = await Promise.all(
      [1, 2, 3].map(() =>
        t.app.inject({ method: 'POST', url: '/api/v1/complaints/hotline', headers: h, payload: ticket }),
      ),
    );
    for (const s of same) {
      assert.equal(s.statusCode, 200, s.body);
      assert.equal(s.json().complaintNumber, first.json().complaintNumber);
    }
    const changed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/complaints/hotline',
      headers: h,
      payload: { ...ticket, body: '另一件事。。。' },
    });
    assert.equal(changed.json().error.code, 'RATINGS.TICKET_CONFLICT');
    // a citizen may not use the intake
    assert.equal((await post('citizen', '/api/v1/complaints/hotline', ticket)).statusCode, 403);
    const n = first.json().complaintNumber;
    const ans = await post('approver', `/api/v1/complaints/${n}/answer`, {
      answer: '经核实已约谈窗口人员。',
    });
    assert.equal(ans.statusCode, 200, ans.body);
    await t.events.drain();
    // no hotline URL configured in this app: nothing is queued
    assert.equal(await t.ratings.deliveryOf(n), undefined);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';
import { sql } from '../../platform/db/index.js';
import { DEMO_PASSWORD } from '../identity/identity.demo.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { committedEvents } from '../../../test/helpers/store.js';

/**
 * 依申请公开 through the real app (2019 条例, ch. IV): each reply type with its legal reference,
 * the extension, 补正 and its lapse, the third-party pause, bad input refused with a code and
 * nothing written, and who may see and act. Dates run on a manual clock over the real calendar
 * (2025: 中秋 + 国庆 1–8 October, 调休 Sunday 28 September and Saturday 11 October).
 */

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
/** 10:00 China time on a date */
const at = (date: string) => `${date}T02:00:00.000Z`;

describe('依申请公开 › requests on the statutory clock', () => {
  let t: TongbanApp;
  const clock = new ManualClock(at('2025-09-01'));
  let cityAmr = '';
  let jinshuiAmr = '';

  /** the n-th working day after a date, walked day by day over the calendar (independent of the fold) */
  const nthAfter = (from: string, n: number, skip: (d: string) => boolean = () => false) => {
    let d = new Date(`${from}T00:00:00Z`);
    let k = 0;
    for (;;) {
      d = new Date(d.getTime() + 86_400_000);
      const s = d.toISOString().slice(0, 10);
      if (!skip(s) && t.calendar.isWorkingDay(s, '410100') && ++k === n) return s;
    }
  };

  const call = async (who: string | undefined, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    // a fresh token each call: the manual clock moves across days
    const token = who ? (await t.identity.tokenForLogin(who)).token : undefined;
    const r = await t.app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
    return { status: r.statusCode, json: () => r.json(), body: r.body, headers: r.headers };
  };
  const requester = {
    kind: 'person',
    name: '张三',
    phone: '13812345678',
    address: '郑州市金水区经八路 1 号',
  };
  const fileOnline = async (extra: Record<string, unknown> = {}) => {
    const r = await call('citizen', 'POST', '/api/v1/disclosure/requests', {
      body: cityAmr,
      description: '2024 年度食品安全抽检结果及不合格产品处置情况',
      purpose: '研究',
      requester,
      ...extra,
    });
    assert.equal(r.status, 201, r.body);
    return r.json() as { requestNumber: string; receivedOn: string; dueOn: string };
  };
  const act = (who: string, n: string, body: Record<string, unknown>) =>
    call(who, 'POST', `/api/v1/disclosure/requests/${n}/actions`, body);
  const view = async (who: string, n: string) => {
    const r = await call(who, 'GET', `/api/v1/disclosure/requests/${n}`);
    assert.equal(r.status, 200, r.body);
    return r.json();
  };
  const counts = async () => {
    const one = async (table: string) =>
      Number(
        (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(t.store.db)).rows[0]
          ?.n,
      );
    return {
      requests: await one('disclosure_requests'),
      actions: await one('disclosure_request_actions'),
      files: await one('disclosure_files'),
      events: await one('events'),
    };
  };

  before(async () => {
    t = await buildTestApp({ demo: 'on', clock });
    const departments = (await t.app.inject({ url: '/api/v1/departments?region=410100' })).json()
      .departments as Array<{ id: string; name: string }>;
    cityAmr = departments.find((d) => d.name === '郑州市市场监督管理局')?.id ?? '';
    const jinshui = (await t.app.inject({ url: '/api/v1/departments?region=410105' })).json()
      .departments as Array<{ id: string; name: string }>;
    jinshuiAmr = jinshui.find((d) => d.name === '金水区市场监督管理局')?.id ?? '';
    assert.ok(cityAmr && jinshuiAmr);
    await t.identity.service.createStaff({
      login: 'amr-officer',
      name: '公开专员',
      password: DEMO_PASSWORD,
      regionCode: '410100',
      departmentId: cityAmr,
      hallId: null,
      grants: [{ role: 'departmentAdmin', regionPrefix: '4101', departmentId: cityAmr }],
    });
    await t.identity.service.createStaff({
      login: 'jinshui-officer',
      name: '金水公开',
      password: DEMO_PASSWORD,
      regionCode: '410105',
      departmentId: jinshuiAmr,
      hallId: null,
      grants: [{ role: 'departmentAdmin', regionPrefix: '410105', departmentId: jinshuiAmr }],
    });
  });
  after(async () => t.close());

  test('art. 31/33 › online: received the day it is filed, due 20 working days later (调休 Sunday counts)', async () => {
    clock.set(at('2025-09-01'));
    const r = await fileOnline();
    assert.equal(r.receivedOn, '2025-09-01');
    assert.equal(r.dueOn, nthAfter('2025-09-01', 20));
    assert.equal(r.dueOn, '2025-09-28');
    assert.match(r.requestNumber, /^GK41010020250901\d{5}$/);
    const v = await view('citizen', r.requestNumber);
    assert.equal(v.state, 'running');
    assert.equal(v.feeFen, 0);
    assert.deepEqual(v.requester, requester);
    assert.equal(v.clock.remainingWorkingDays, 20);
  });

  test('art. 31 › post: received the day it was signed for; in person: that day; a clerk of the body enters them', async () => {
    clock.set(at('2025-09-01'));
    const post = await call('amr-officer', 'POST', '/api/v1/disclosure/requests', {
      body: cityAmr,
      channel: 'post',
      receivedOn: '2025-08-29',
      description: '某小区食品经营许可的批准文件',
      requester: { kind: 'person', name: '李四', address: '郑州市二七区大学路 2 号' },
    });
    assert.equal(post.status, 201, post.body);
    assert.equal(post.json().receivedOn, '2025-08-29');
    assert.equal(post.json().dueOn, nthAfter('2025-08-29', 20));
    const inPerson = await call('amr-officer', 'POST', '/api/v1/disclosure/requests', {
      body: cityAmr,
      channel: 'inPerson',
      description: '本局 2025 年行政处罚决定书目录',
      requester: { kind: 'organization', name: '郑州某某科技有限公司', phone: '0371-66666666' },
    });
    assert.equal(inPerson.status, 201, inPerson.body);
    assert.equal(inPerson.json().receivedOn, '2025-09-01');
    // a post request needs the signed-for day, never after today
    for (const receivedOn of [undefined, '2025-09-02']) {
      const bad = await call('amr-officer', 'POST', '/api/v1/disclosure/requests', {
        body: cityAmr,
        channel: 'post',
        ...(receivedOn ? { receivedOn } : {}),
        description: 'x',
        requester: { kind: 'person', name: '王五' },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.json().error.code, 'DISCLOSURE.RECEIVED_ON_INVALID');
    }
    // staff of another body, and a citizen, cannot enter a posted request for this body
    for (const who of ['jinshui-officer', 'citizen']) {
      const r = await call(who, 'POST', '/api/v1/disclosure/requests', {
        body: cityAmr,
        channel: 'post',
        receivedOn: '2025-08-29',
        description: 'x',
        requester: { kind: 'person', name: '王五' },
      });
      assert.equal(r.status, 403, who);
    }
  });

  test('art. 36 › every reply type stops the clock, cites its article, and is logged without personal data', async () => {
    clock.set(at('2025-09-01'));
    const replies: Array<[Record<string, unknown>, string]> = [
      [{ kind: 'disclose', text: '现将所申请信息提供给您，见附件。' }, '第三十六条第（二）项'],
      [
        {
          kind: 'partial',
          text: '部分公开，涉及个人信息的部分已作删除处理。',
          redactions: [{ part: '当事人姓名、身份证号码', ground: 'privacy' }],
        },
        '第三十七条',
      ],
      [{ kind: 'refuse', text: '所申请信息属于国家秘密。', ground: 'stateSecret' }, '第三十六条第（三）项'],
      [{ kind: 'mayWithhold', text: '所申请信息属于过程性信息。', ground: 'processInformation' }, '第十六条'],
      [{ kind: 'notExist', text: '经检索，本机关未制作或获取该信息。' }, '第三十六条第（四）项'],
      [{ kind: 'duplicate', text: '本机关已就相同信息作出答复。' }, '第三十六条第（六）项'],
      [
        { kind: 'notResponsible', text: '该信息由金水区市场监督管理局负责公开。', rightBody: jinshuiAmr },
        '第三十六条第（五）项',
      ],
    ];
    for (const [reply, article] of replies) {
      const { requestNumber } = await fileOnline();
      const r = await act('amr-officer', requestNumber, { action: 'reply', ...reply });
      assert.equal(r.status, 200, `${reply.kind}: ${r.body}`);
      const v = r.json();
      assert.equal(v.state, 'answered');
      assert.equal(v.clock.onTime, true);
      const last = v.actions.at(-1);
      assert.equal(last.type, 'reply');
      assert.equal(last.payload.kind, reply.kind);
      assert.ok(String(last.payload.legalReference).includes(article), `${reply.kind} cites ${article}`);
      assert.equal(last.payload.feeFen, 0);
      // the clock has stopped: nothing more but reading
      assert.deepEqual(v.mayAct, []);
      const again = await act('amr-officer', requestNumber, { action: 'extend', reason: '再议' });
      assert.equal(again.status, 409);
      assert.equal(again.json().error.details.reason, 'closed');
    }
    const events = (await committedEvents(t.store)).filter((e) => e.type.startsWith('disclosure.request.'));
    assert.ok(events.length >= replies.length * 2);
    for (const e of events) {
      const s = JSON.stringify(e.payload);
      for (const personal of [requester.name, requester.phone, requester.address, '食品安全抽检'])
        assert.ok(!s.includes(personal), `event ${e.type} holds ${personal}`);
    }
  });

  test('art. 36 › a 不予公开 ground comes from the closed list; 部分公开 lists its redactions', async () => {
    const { requestNumber } = await fileOnline();
    const bad = [
      { kind: 'refuse', text: '不予公开', ground: 'internalAffairs' },
      { kind: 'refuse', text: '不予公开', ground: '影响稳定' },
      { kind: 'mayWithhold', text: '可不予公开', ground: 'stateSecret' },
      { kind: 'partial', text: '部分公开', redactions: [] },
      { kind: 'notResponsible', text: '非本机关', rightBody: 'no-such-body' },
      { kind: 'notResponsible', text: '非本机关', rightBody: cityAmr },
    ];
    const before = await counts();
    for (const b of bad) {
      const r = await act('amr-officer', requestNumber, { action: 'reply', ...b });
      assert.equal(r.status, 400, JSON.stringify(b));
    }
    assert.deepEqual(await counts(), before);
    assert.equal((await view('citizen', requestNumber)).state, 'running');
  });

  test('art. 36(5) › 非本机关负责 names the right body and forwards the request to it', async () => {
    clock.set(at('2025-09-01'));
    const { requestNumber } = await fileOnline({ publicRegister: true });
    clock.set(at('2025-09-03'));
    const r = await act('amr-officer', requestNumber, {
      action: 'reply',
      kind: 'notResponsible',
      text: '该信息由金水区市场监督管理局负责公开，已转送。',
      rightBody: jinshuiAmr,
      forward: true,
    });
    assert.equal(r.status, 200, r.body);
    const reply = r.json().actions.at(-1).payload;
    assert.equal(reply.rightBodyName, '金水区市场监督管理局');
    const forwarded = await view('jinshui-officer', reply.forwardedTo);
    assert.equal(forwarded.channel, 'forwarded');
    assert.equal(forwarded.forwardedFrom, requestNumber);
    assert.equal(forwarded.receivedOn, '2025-09-03');
    assert.equal(forwarded.dueOn, nthAfter('2025-09-03', 20));
    assert.deepEqual(forwarded.requester, requester);
    // the requester follows the forwarded one too; the first body's officer does not
    assert.equal((await view('citizen', reply.forwardedTo)).body.id, jinshuiAmr);
    assert.equal(
      (await call('amr-officer', 'GET', `/api/v1/disclosure/requests/${reply.forwardedTo}`)).status,
      404,
    );
  });

  test('art. 33 › one extension of 20 working days, with a reason, before the due date only', async () => {
    clock.set(at('2025-09-01'));
    const { requestNumber, dueOn } = await fileOnline();
    clock.set(at('2025-09-20'));
    const r = await act('amr-officer', requestNumber, { action: 'extend', reason: '需调取多个科室档案' });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json().dueOn, nthAfter('2025-09-01', 40));
    assert.ok(r.json().actions.at(-1).payload.legalReference.includes('第三十三条'));
    const twice = await act('amr-officer', requestNumber, { action: 'extend', reason: '再延' });
    assert.equal(twice.status, 409);
    assert.equal(twice.json().error.details.reason, 'alreadyExtended');
    // another request, past its due date: too late to extend; the clock is red
    clock.set(at('2025-09-01'));
    const late = await fileOnline();
    clock.set(at(nthAfter(dueOn, 1)));
    assert.equal((await view('amr-officer', late.requestNumber)).clock.colour, 'red');
    const tooLate = await act('amr-officer', late.requestNumber, { action: 'extend', reason: '迟了' });
    assert.equal(tooLate.status, 409);
    assert.equal(tooLate.json().error.details.reason, 'extensionTooLate');
  });

  test('art. 30 › 补正 stops the clock; an answer restarts 20 working days; no answer in 15 working days lapses', async () => {
    clock.set(at('2025-09-01'));
    const a = await fileOnline();
    clock.set(at('2025-09-02'));
    let r = await act('amr-officer', a.requestNumber, {
      action: 'requestSupplement',
      points: ['请明确所需信息的年份', '请说明所指的具体抽检批次'],
    });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json().state, 'awaitingSupplement');
    assert.equal(r.json().dueOn, null);
    assert.equal(r.json().clock.supplementDueOn, nthAfter('2025-09-02', 15));
    // a second 补正 notice is refused (一次性告知); a reply must wait for the answer
    assert.equal(
      (await act('amr-officer', a.requestNumber, { action: 'requestSupplement', points: ['再补'] })).status,
      409,
    );
    assert.equal(
      (await act('amr-officer', a.requestNumber, { action: 'reply', kind: 'notExist', text: 'x' })).status,
      409,
    );
    clock.set(at('2025-09-10'));
    r = await act('citizen', a.requestNumber, { action: 'supplement', text: '2024 年第三季度抽检' });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json().state, 'running');
    assert.equal(r.json().clock.countsFrom, '2025-09-10');
    assert.equal(r.json().dueOn, nthAfter('2025-09-10', 20));

    // no answer: lapsed the day after the 15th working day, recorded by the sweep
    clock.set(at('2025-09-01'));
    const b = await fileOnline();
    clock.set(at('2025-09-02'));
    assert.equal(
      (await act('amr-officer', b.requestNumber, { action: 'requestSupplement', points: ['补充'] })).status,
      200,
    );
    const last = nthAfter('2025-09-02', 15);
    clock.set(at(last));
    assert.equal((await view('citizen', b.requestNumber)).state, 'awaitingSupplement');
    assert.equal(await t.disclosureRequests.sweepLapsed(), 0);
    clock.set(at(nthAfter(last, 1)));
    assert.equal((await view('citizen', b.requestNumber)).state, 'lapsed');
    assert.ok((await t.disclosureRequests.sweepLapsed()) >= 1);
    const v = await view('citizen', b.requestNumber);
    assert.equal(v.state, 'lapsed');
    assert.equal(v.actions.at(-1).type, 'lapse');
    const answer = await act('citizen', b.requestNumber, { action: 'supplement', text: '晚了' });
    assert.equal(answer.status, 409);

    // the notice itself is due within 7 working days of receipt
    clock.set(at('2025-09-01'));
    const c = await fileOnline();
    clock.set(at(nthAfter('2025-09-01', 8)));
    const tooLate = await act('amr-officer', c.requestNumber, { action: 'requestSupplement', points: ['x'] });
    assert.equal(tooLate.status, 409);
    assert.equal(tooLate.json().error.details.reason, 'supplementTooLate');
  });

  test('art. 32 › a third-party consultation is not counted; at most 15 working days', async () => {
    clock.set(at('2025-09-01'));
    const { requestNumber } = await fileOnline();
    clock.set(at('2025-09-03'));
    let r = await act('amr-officer', requestNumber, {
      action: 'consultThirdParty',
      thirdParty: '郑州某食品有限公司',
    });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json().state, 'consulting');
    assert.equal(r.json().actions.at(-1).payload.commentsBy, nthAfter('2025-09-03', 15));
    clock.set(at('2025-09-10'));
    r = await act('amr-officer', requestNumber, {
      action: 'thirdPartyReplied',
      consents: false,
      note: '涉及商业秘密',
    });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json().state, 'running');
    const paused = (d: string) => d > '2025-09-03' && d <= '2025-09-10';
    assert.equal(r.json().dueOn, nthAfter('2025-09-01', 20, paused));
    assert.notEqual(r.json().dueOn, nthAfter('2025-09-01', 20));
    // a consultation that is never answered ends after its 15 working days
    clock.set(at('2025-09-01'));
    const other = await fileOnline();
    clock.set(at('2025-09-02'));
    await act('amr-officer', other.requestNumber, { action: 'consultThirdParty', thirdParty: '某公司' });
    const end = nthAfter('2025-09-02', 15);
    clock.set(at(nthAfter(end, 1)));
    const v = await view('amr-officer', other.requestNumber);
    assert.equal(v.state, 'running');
    assert.equal(
      v.dueOn,
      nthAfter('2025-09-01', 20, (d) => d > '2025-09-02' && d <= end),
    );
  });

  test('bad input › an unknown body, an empty description, an oversized or unknown attachment: a code, nothing written', async () => {
    const before = await counts();
    const base = { body: cityAmr, description: '某信息', requester };
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ ...base, body: 'dept-999999-none' }, 400, 'DISCLOSURE.UNKNOWN_BODY'],
      [{ ...base, description: '   ' }, 400, 'COMMON.VALIDATION'],
      [{ ...base, requester: { kind: 'person', name: '' } }, 400, 'COMMON.VALIDATION'],
      [
        {
          ...base,
          attachments: [
            {
              filename: 'big.pdf',
              contentBase64: Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024)]).toString('base64'),
            },
          ],
        },
        413,
        'DISCLOSURE.ATTACHMENT_TOO_LARGE',
      ],
      [
        {
          ...base,
          attachments: [{ filename: 'a.pdf', contentBase64: Buffer.from('<html>').toString('base64') }],
        },
        415,
        'DISCLOSURE.ATTACHMENT_TYPE',
      ],
    ];
    for (const [payload, status, code] of cases) {
      const r = await call('citizen', 'POST', '/api/v1/disclosure/requests', payload);
      assert.equal(r.status, status, `${code}: ${r.body}`);
      assert.equal(r.json().error.code, code);
    }
    assert.deepEqual(await counts(), before);
  });

  test('attachments › a reply with a PDF: the requester downloads it, nobody else finds it', async () => {
    clock.set(at('2025-09-01'));
    const { requestNumber } = await fileOnline();
    const r = await act('amr-officer', requestNumber, {
      action: 'reply',
      kind: 'disclose',
      text: '见附件',
      attachments: [{ filename: '抽检结果.pdf', contentBase64: PDF.toString('base64') }],
    });
    assert.equal(r.status, 200, r.body);
    const f = r.json().actions.at(-1).payload.attachments[0];
    assert.equal(f.mediaType, 'application/pdf');
    const url = `/api/v1/disclosure/requests/${requestNumber}/attachments/${f.sha256}`;
    const mine = await call('citizen', 'GET', url);
    assert.equal(mine.status, 200);
    assert.equal(mine.headers['content-type'], 'application/pdf');
    assert.equal((await call('enterprise', 'GET', url)).status, 404);
    assert.equal((await call(undefined, 'GET', url)).status, 401);
  });

  test('art. 42 › 信息处理费: the first ten requests of a month are free, the 11th given information costs 100 yuan', async () => {
    clock.set(at('2026-03-02'));
    const numbers: string[] = [];
    for (let i = 0; i < 12; i++) numbers.push((await fileOnline()).requestNumber);
    const reply = async (n: string, kind: string) => {
      const r = await act('amr-officer', n, {
        action: 'reply',
        kind,
        text: kind === 'disclose' ? '现将所申请信息提供给您。' : '经检索，本机关未制作或获取该信息。',
      });
      assert.equal(r.status, 200, r.body);
      return (await view('citizen', n)).feeFen as number;
    };
    assert.equal(await reply(numbers[0]!, 'disclose'), 0, 'the first of the month is free');
    assert.equal(await reply(numbers[10]!, 'disclose'), 10_000, 'the 11th costs 100 yuan');
    assert.equal(await reply(numbers[11]!, 'notExist'), 0, 'no information given, nothing charged');
  });

  test('access › the requester and the body see it; others do not; only the body replies', async () => {
    clock.set(at('2025-09-01'));
    const { requestNumber } = await fileOnline();
    const url = `/api/v1/disclosure/requests/${requestNumber}`;
    assert.equal((await call(undefined, 'GET', url)).status, 401);
    assert.equal((await call('enterprise', 'GET', url)).status, 404);
    assert.equal((await call('jinshui-officer', 'GET', url)).status, 404);
    assert.equal((await call('clerk', 'GET', url)).status, 404);
    assert.equal((await call('amr-officer', 'GET', url)).status, 200);
    const byRequester = await act('citizen', requestNumber, {
      action: 'reply',
      kind: 'disclose',
      text: '自答',
    });
    assert.equal(byRequester.status, 403);
    const byOther = await act('jinshui-officer', requestNumber, {
      action: 'reply',
      kind: 'disclose',
      text: 'x',
    });
    assert.equal(byOther.status, 404);
    // the body's queue shows it with its clock; another body's staff may not read this queue
    const q = await call('amr-officer', 'GET', `/api/v1/disclosure/queue?body=${cityAmr}`);
    assert.equal(q.status, 200);
    assert.ok(q.json().rows.some((x: { requestNumber: string }) => x.requestNumber === requestNumber));
    assert.equal(
      (await call('jinshui-officer', 'GET', `/api/v1/disclosure/queue?body=${cityAmr}`)).status,
      403,
    );
    assert.equal((await call('citizen', 'GET', `/api/v1/disclosure/queue?body=${cityAmr}`)).status, 403);
    // the requester withdraws
    const w = await act('citizen', requestNumber, { action: 'withdraw', reason: '不再需要' });
    assert.equal(w.status, 200);
    assert.equal(w.json().state, 'withdrawn');
  });

  test('the public register › answered requests whose requesters agreed, without their names, searchable', async () => {
    clock.set(at('2025-09-01'));
    const shown = await fileOnline({
      publicRegister: true,
      description: '2024 年度餐饮服务单位量化分级评定结果汇总',
    });
    const hidden = await fileOnline({
      publicRegister: false,
      description: '2024 年度餐饮服务单位量化分级评定原始记录',
    });
    for (const n of [shown.requestNumber, hidden.requestNumber])
      assert.equal(
        (
          await act('amr-officer', n, {
            action: 'reply',
            kind: 'disclose',
            text: '汇总表见附件，已在本局网站公开。',
          })
        ).status,
        200,
      );
    const list = await call(undefined, 'GET', '/api/v1/disclosure/register');
    assert.equal(list.status, 200);
    const numbers = list.json().entries.map((e: { requestNumber: string }) => e.requestNumber);
    assert.ok(numbers.includes(shown.requestNumber));
    assert.ok(!numbers.includes(hidden.requestNumber));
    for (const personal of [requester.name, requester.phone, requester.address])
      assert.ok(!list.body.includes(personal));
    const page = await call(undefined, 'GET', `/disclosure/register/${shown.requestNumber}`);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes('予以公开') && page.body.includes('第三十六条第（二）项'));
    assert.ok(!page.body.includes(requester.name) && !page.body.includes(requester.phone));
    assert.equal((await call(undefined, 'GET', `/disclosure/register/${hidden.requestNumber}`)).status, 404);
    // the reply's event puts it in the search index (search polls the stream every 500 ms)
    await t.events.drain();
    let hits: Array<{ id: string; url: string }> = [];
    for (let i = 0; i < 50 && !hits.some((h) => h.id === shown.requestNumber); i++) {
      hits = (await call(undefined, 'GET', `/api/v1/search?q=${encodeURIComponent('量化分级评定')}`)).json()
        .hits;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(
      hits.some(
        (h) => h.id === shown.requestNumber && h.url === `/disclosure/register/${shown.requestNumber}`,
      ),
    );
    assert.ok(!hits.some((h) => h.id === hidden.requestNumber));
  });
});

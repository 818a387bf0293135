import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';
import { buildTestApp } from '../../../test/helpers/app.js';

/**
 * 年度报告 (2019 条例 art. 50, the national template): a body's year counted from its records —
 * received by requester type, carried over from the year before and into the next, results by the
 * template's rows, 主动公开 counts, and the review and litigation counts its staff enter; the
 * same figures as JSON, a page and a PDF.
 */
const at = (date: string) => `${date}T02:00:00.000Z`;

describe('年度报告 › counted from the records', () => {
  let t: TongbanApp;
  const clock = new ManualClock(at('2024-12-20'));
  let cityAmr = '';
  const call = async (who: string | undefined, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const token = who ? (await t.identity.tokenForLogin(who)).token : undefined;
    const r = await t.app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
    return {
      status: r.statusCode,
      json: () => r.json(),
      body: r.body,
      headers: r.headers,
      raw: r.rawPayload,
    };
  };
  const file = async (kind: 'person' | 'organization' = 'person', orgType?: string) => {
    const r = await call('discloser', 'POST', '/api/v1/disclosure/requests', {
      body: cityAmr,
      channel: 'inPerson',
      description: '某项统计数据',
      requester: { kind, name: kind === 'person' ? '王五' : '某公司', ...(orgType ? { orgType } : {}) },
    });
    assert.equal(r.status, 201, r.body);
    return r.json().requestNumber as string;
  };
  const reply = async (n: string, body: Record<string, unknown>) =>
    assert.equal(
      (
        await call('discloser', 'POST', `/api/v1/disclosure/requests/${n}/actions`, {
          action: 'reply',
          text: '答复',
          ...body,
        })
      ).status,
      200,
    );

  before(async () => {
    t = await buildTestApp({ demo: 'on', clock });
    const departments = (await t.app.inject({ url: '/api/v1/departments?region=410100' })).json()
      .departments as Array<{ id: string; name: string }>;
    cityAmr = departments.find((d) => d.name === '郑州市市场监督管理局')?.id ?? '';
    // 2024: one answered within the year (not in 2025's report), two carried into 2025
    const done2024 = await file();
    await reply(done2024, { kind: 'disclose' });
    const carried1 = await file();
    const carried2 = await file('organization', 'legalService');
    // 2025: five received (two organisations); results of several kinds; one lapses; one open at the end
    clock.set(at('2025-01-06'));
    await reply(carried1, { kind: 'refuse', ground: 'stateSecret' });
    await reply(carried2, { kind: 'partial', redactions: [{ part: '身份证号', ground: 'privacy' }] });
    const a = await file();
    const b = await file('organization', 'business');
    const c = await file('organization', 'research');
    const d = await file();
    await reply(a, { kind: 'notExist' });
    await reply(b, { kind: 'mayWithhold', ground: 'processInformation' });
    await reply(c, { kind: 'duplicate' });
    assert.equal(
      (
        await call('discloser', 'POST', `/api/v1/disclosure/requests/${d}/actions`, {
          action: 'requestSupplement',
          points: ['年份'],
        })
      ).status,
      200,
    );
    clock.set(at('2025-03-03'));
    await t.disclosureRequests.sweepLapsed();
    clock.set(at('2025-12-30'));
    await file();
    // 2026: not in 2025's report
    clock.set(at('2026-01-05'));
  });
  after(async () => t.close());

  test('the body’s 2025 figures by the template', async () => {
    const r = await call(undefined, 'GET', `/api/v1/disclosure/annual-report?body=${cityAmr}&year=2025`);
    assert.equal(r.status, 200, r.body);
    const rep = r.json();
    assert.deepEqual(rep.received, { person: 3, organization: 2, total: 5 });
    assert.equal(rep.carriedIn, 2);
    assert.equal(rep.results['refused.stateSecret'], 1);
    assert.equal(rep.results.partial, 1);
    assert.equal(rep.results['unable.notHeld'], 1);
    assert.equal(rep.results['refused.processInformation'], 1);
    assert.equal(rep.results['notHandled.duplicate'], 1);
    assert.equal(rep.results['other.lapsed'], 1);
    assert.equal(rep.results.disclosed, 0);
    assert.equal(rep.results.total, 6);
    assert.equal(rep.carriedOut, 1);
    // received + carried in = handled + carried out
    assert.equal(rep.received.total + rep.carriedIn, rep.results.total + rep.carriedOut);
    assert.equal(rep.review, null);
  });

  test('table 三 by requester: 自然人 and the five kinds of 法人或其他组织, each row adding up', async () => {
    const rep = (
      await call(undefined, 'GET', `/api/v1/disclosure/annual-report?body=${cityAmr}&year=2025`)
    ).json();
    const m = rep.byRequester;
    assert.deepEqual(m.columns, [
      'person',
      'business',
      'research',
      'publicInterest',
      'legalService',
      'other',
    ]);
    assert.deepEqual(m.received, {
      person: 3,
      business: 1,
      research: 1,
      publicInterest: 0,
      legalService: 0,
      other: 0,
      total: 5,
    });
    assert.equal(m.carriedIn.legalService, 1);
    assert.equal(m.carriedIn.person, 1);
    assert.equal(m.carriedIn.total, rep.carriedIn);
    assert.equal(m.results.partial.legalService, 1, 'the carried-in organisation’s partial reply');
    assert.equal(m.results['refused.processInformation'].business, 1);
    assert.equal(m.results['notHandled.duplicate'].research, 1);
    assert.equal(m.results['refused.stateSecret'].person, 1);
    assert.equal(m.carriedOut.total, rep.carriedOut);
    // every row's columns add up to its total; the columns' totals to the flat figures
    for (const row of [m.received, m.carriedIn, m.carriedOut, ...Object.values(m.results)] as Array<
      Record<string, number>
    >)
      assert.equal(
        m.columns.reduce((n: number, c: string) => n + row[c]!, 0),
        row.total,
      );
    for (const k of Object.keys(rep.results))
      if (k !== 'total') assert.equal(m.results[k].total, rep.results[k]);
    assert.equal(m.results.total.total, rep.results.total);
    const page = await call(undefined, 'GET', `/disclosure/annual-report?body=${cityAmr}&year=2025`);
    assert.ok(page.body.includes('法人或其他组织：商业企业'));
    assert.ok(page.body.includes('法人或其他组织：法律服务机构'));
    // an unknown organisation type is refused before anything is written
    const bad = await call('discloser', 'POST', '/api/v1/disclosure/requests', {
      body: cityAmr,
      channel: 'inPerson',
      description: '某项统计数据',
      requester: { kind: 'organization', name: '某公司', orgType: 'government' },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json().error.code, 'COMMON.VALIDATION');
  });

  test('review and litigation counts entered by the body’s staff; the page and the PDF', async () => {
    const counts = { upheld: 2, corrected: 1, other: 0, pending: 1 };
    const zero = { upheld: 0, corrected: 0, other: 0, pending: 0 };
    const e = await call('discloser', 'POST', '/api/v1/disclosure/annual-report/review-counts', {
      body: cityAmr,
      year: 2025,
      review: counts,
      litigationDirect: zero,
      litigationAfterReview: { ...zero, upheld: 1 },
    });
    assert.equal(e.status, 204, e.body);
    assert.equal(
      (
        await call('citizen', 'POST', '/api/v1/disclosure/annual-report/review-counts', {
          body: cityAmr,
          year: 2025,
          review: counts,
          litigationDirect: zero,
          litigationAfterReview: zero,
        })
      ).status,
      403,
    );
    const rep = (
      await call(undefined, 'GET', `/api/v1/disclosure/annual-report?body=${cityAmr}&year=2025`)
    ).json();
    assert.deepEqual(rep.review.review, counts);
    assert.equal(rep.review.litigationAfterReview.upheld, 1);
    // the city's report includes the body's figures
    const city = (await call(undefined, 'GET', '/api/v1/disclosure/annual-report?year=2025')).json();
    assert.ok(city.received.total >= 5);
    const page = await call(undefined, 'GET', `/disclosure/annual-report?body=${cityAmr}&year=2025`);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes('（三）不予公开：属于国家秘密'));
    const pdf = await call(undefined, 'GET', `/disclosure/annual-report.pdf?body=${cityAmr}&year=2025`);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal(pdf.raw.subarray(0, 5).toString(), '%PDF-');
    const unknown = await call(
      undefined,
      'GET',
      '/api/v1/disclosure/annual-report?body=dept-000000-none&year=2025',
    );
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json().error.code, 'DISCLOSURE.UNKNOWN_BODY');
  });
});

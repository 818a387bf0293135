import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';
import { sql } from '../../platform/db/index.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { DEMO_PEOPLE } from '../identity/identity.demo.js';
import { DEMO_RESOURCES } from './exchange.seed.js';

/**
 * 校核纠错 pushed (issue 12 item 6): when the provider corrects a record, each consumer department
 * whose reads answered the old value of a corrected field gets a notice — through the outbox, one
 * event per consumer — in its notification list (JSON and the department's page) and, where its
 * consumer system registered one, at its webhook, retried until delivered. A department that read
 * other fields only, or whose read was refused, gets nothing. No personal data in a notice.
 */

const CITIZEN = DEMO_PEOPLE.citizen;
const NEW_ADDRESS = '河南省郑州市金水区纬五路88号院1号楼101室';

describe('exchange › 校核纠错 notices to the consumers that read the old value', () => {
  let t: TongbanApp;
  const clock = new ManualClock('2026-12-07T02:00:00Z');
  const tokens: Record<'scjgj' | 'mzj' | 'fgj', string> = { scjgj: '', mzj: '', fgj: '' };
  const dept: Record<string, string> = {};
  const reads: Record<string, string> = {};
  let noticeEvents = 0;

  before(async () => {
    t = await buildTestApp({ demo: 'on', clock });
    for (const kind of ['scjgj', 'mzj', 'fgj', 'gaj'])
      dept[kind] = (
        await sql<{
          id: string;
        }>`select id from regions_departments where kind = ${kind} and region_code = '410100'`.execute(
          t.store.db,
        )
      ).rows[0]!.id;
    for (const kind of ['scjgj', 'mzj', 'fgj'] as const) {
      const c = await t.exchange.addConsumer({
        departmentId: dept[kind]!,
        name: `纠错通知-${kind}`,
        // 市场监管 and 民政 registered webhooks; 住房保障 did not
        ...(kind === 'fgj' ? {} : { webhookUrl: `https://${kind}.consumer.example/notices` }),
      });
      tokens[kind] = (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/token',
          payload: {
            grant_type: 'client_credentials',
            client_id: c.client_id,
            client_secret: c.client_secret,
          },
        })
      ).json().access_token;
    }
    // 市场监管 reads the citizen's address; 民政 reads the citizen without it (its grant has no
    // address); 住房保障 holds no grant, so its read is refused
    for (const kind of ['scjgj', 'mzj', 'fgj'] as const) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/exchange/lookup',
        headers: { authorization: `Bearer ${tokens[kind]}` },
        payload: {
          resource: DEMO_RESOURCES.population,
          key: CITIZEN.idNumber,
          purpose: '核验申请人户籍信息',
        },
      });
      assert.equal(r.statusCode, kind === 'fgj' ? 403 : 200, r.body);
      if (kind !== 'fgj') reads[kind] = r.json().accessId;
    }
    clock.advance(60_000);
    // the citizen objects to 市场监管's read; the 公安局 (here the platform administrator) corrects
    // the address
    const citizen = (await t.identity.tokenForLogin('citizen', 3600_000)).token;
    const objection = await t.app.inject({
      method: 'POST',
      url: `/api/v1/me/data-access/${reads.scjgj}/objections`,
      headers: { authorization: `Bearer ${citizen}` },
      payload: { text: '户籍地址已变更，登记有误' },
    });
    assert.equal(objection.statusCode, 201, objection.body);
    const admin = (await t.identity.tokenForLogin('admin', 3600_000)).token;
    const answered = await t.app.inject({
      method: 'POST',
      url: `/api/v1/exchange/objections/${objection.json().id}/answer`,
      headers: { authorization: `Bearer ${admin}` },
      payload: {
        result: 'corrected',
        answer: '经核查户籍档案，地址已更正',
        corrections: [{ field: 'address', value: NEW_ADDRESS }],
      },
    });
    assert.equal(answered.statusCode, 200, answered.body);
    noticeEvents = Number(
      (
        await sql<{
          n: number;
        }>`select count(*) as n from events where type = 'exchange.correctionNotice'`.execute(t.store.db)
      ).rows[0]!.n,
    );
    await t.events.drain();
  });
  after(async () => t.close());

  const notices = async (kind: 'scjgj' | 'mzj' | 'fgj') => {
    const r = await t.app.inject({
      url: '/api/v1/exchange/notices',
      headers: { authorization: `Bearer ${tokens[kind]}` },
    });
    assert.equal(r.statusCode, 200, r.body);
    return r.json() as {
      total: number;
      notices: Array<{ id: string; accessIds: string[]; fields: string[] }>;
    };
  };

  test('one outbox event per consumer that read the old value; its notice names its read, no values', async () => {
    assert.equal(noticeEvents, 1, 'one notice event: 市场监管 only');
    const mine = await notices('scjgj');
    assert.equal(mine.total, 1);
    assert.deepEqual(mine.notices[0]!.accessIds, [reads.scjgj]);
    assert.deepEqual(mine.notices[0]!.fields, ['address']);
    const body = JSON.stringify(mine);
    for (const secret of [NEW_ADDRESS, CITIZEN.idNumber, CITIZEN.name, '纬五路'])
      assert.ok(!body.includes(secret), `a notice carries no personal data (${secret})`);
  });

  test('a consumer that read the subject but not the corrected field, and one whose read was refused, get nothing', async () => {
    assert.equal((await notices('mzj')).total, 0);
    assert.equal((await notices('fgj')).total, 0);
    const rows = await sql<{
      department_id: string;
    }>`select department_id from exchange_notices`.execute(t.store.db);
    assert.deepEqual(
      rows.rows.map((r) => r.department_id),
      [dept.scjgj],
    );
  });

  test('the webhook: posted with no personal data, a failure retried after its back-off until delivered, every attempt recorded', async () => {
    const posts: Array<{ url: string; body: string; notice: string | null }> = [];
    let answer = 503;
    const stub = (async (url: string | URL | Request, init?: RequestInit) => {
      posts.push({
        url: String(url),
        body: String(init?.body),
        notice: new Headers(init?.headers).get('x-tongban-notice'),
      });
      return new Response(null, { status: answer });
    }) as typeof fetch;
    const log = { warn: () => undefined };
    assert.deepEqual(await t.exchange.service.deliverNotices(log, stub), { delivered: 0, failed: 1 });
    assert.equal(posts.length, 1, 'only 市场监管 read the old value: one delivery, to its webhook');
    assert.equal(posts[0]!.url, 'https://scjgj.consumer.example/notices');
    const sent = JSON.parse(posts[0]!.body);
    const notice = (await notices('scjgj')).notices[0]!;
    assert.deepEqual(sent, {
      type: 'exchange.correction',
      notice: notice.id,
      resource: DEMO_RESOURCES.population,
      fields: ['address'],
      accessIds: [reads.scjgj],
      correctedAt: sent.correctedAt,
    });
    assert.equal(posts[0]!.notice, notice.id);
    for (const secret of [NEW_ADDRESS, CITIZEN.idNumber, CITIZEN.name])
      assert.ok(!posts[0]!.body.includes(secret));
    // not due again before its back-off
    answer = 200;
    assert.deepEqual(await t.exchange.service.deliverNotices(log, stub), { delivered: 0, failed: 0 });
    clock.advance(61_000);
    assert.deepEqual(await t.exchange.service.deliverNotices(log, stub), { delivered: 1, failed: 0 });
    assert.deepEqual(await t.exchange.service.deliverNotices(log, stub), { delivered: 0, failed: 0 });
    const d = await sql<{
      attempts: number;
      delivered_at: string | null;
      last_status: number;
    }>`select attempts, delivered_at, last_status from exchange_notice_deliveries`.execute(t.store.db);
    assert.equal(d.rows.length, 1);
    assert.equal(Number(d.rows[0]!.attempts), 2);
    assert.ok(d.rows[0]!.delivered_at);
    assert.equal(Number(d.rows[0]!.last_status), 200);
  });

  test('the notices on the department pages: received by the consumer, sent by the provider', async () => {
    const admin = (await t.identity.tokenForLogin('admin', 3600_000)).token;
    const page = async (department: string) =>
      (
        await t.app.inject({
          url: `/exchange/provider?department=${department}`,
          headers: { authorization: `Bearer ${admin}`, accept: 'text/html' },
        })
      ).body;
    const consumer = await page(dept.scjgj!);
    assert.match(consumer, /本部门读取过的数据已更正（共 1 条/);
    assert.ok(consumer.includes(reads.scjgj!));
    const provider = await page(dept.gaj!);
    assert.match(provider, /本部门更正后发出的通知（共 1 条）/);
    const other = await page(dept.mzj!);
    assert.match(other, /本部门读取过的数据已更正（共 0 条/);
    assert.ok(!other.includes(reads.scjgj!));
  });

  test('a consumer system registers its webhook: https only; a citizen or staff cannot', async () => {
    const put = (token: string, url: unknown) =>
      t.app.inject({
        method: 'PUT',
        url: '/api/v1/exchange/consumer/webhook',
        headers: { authorization: `Bearer ${token}` },
        payload: { url },
      });
    // SSRF: the platform would post to itself, its database's machine or the cloud metadata service
    for (const bad of [
      'http://fgj.example/hook',
      'https://user:pw@fgj.example/hook',
      'not a url',
      'https://127.0.0.1:5432/',
      'https://localhost/hook',
      'https://api.localhost/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://0.0.0.0/hook',
    ]) {
      const r = await put(tokens.fgj, bad);
      assert.equal(r.statusCode, 400, bad);
    }
    const ok = await put(tokens.fgj, 'https://fgj.consumer.example/hook');
    assert.equal(ok.statusCode, 200, ok.body);
    const row = await sql<{ webhook_url: string | null }>`select webhook_url from exchange_consumers
      where department_id = ${dept.fgj}`.execute(t.store.db);
    assert.ok(row.rows.some((r) => r.webhook_url === 'https://fgj.consumer.example/hook'));
    assert.equal((await put(tokens.fgj, null)).json().url, null);
    const citizen = (await t.identity.tokenForLogin('citizen', 3600_000)).token;
    assert.equal((await put(citizen, 'https://x.example/')).statusCode, 403);
    assert.throws(
      () => t.exchange.addConsumer({ departmentId: dept.fgj!, name: 'x', webhookUrl: 'http://x.example/' }),
      /EXCHANGE\.INVALID|incomplete/,
    );
  });
});

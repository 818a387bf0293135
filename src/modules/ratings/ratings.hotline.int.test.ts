import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openTestStore } from '../../../test/helpers/store.js';
import { DEFAULT_RATINGS_CONFIG } from '../../config/index.js';
import { ManualClock } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { type Store, metaMigrations, migrate } from '../../platform/db/index.js';
import { EventBus, eventsMigrations } from '../../platform/events/index.js';
import { createLogger } from '../../platform/log.js';
import { createRatingsContext } from './ratings.context.js';
import './ratings.errors.js';
import { ratingsConsumer, retryDelayMs } from './ratings.outbox.js';
import { createRatingsService } from './ratings.service.js';
import { ratingsMigrations } from './ratings.store.js';

/**
 * 12345 answers go back through the outbox: the answer's event queues a delivery (in the
 * consumer's transaction, once however often the consumer restarts), the worker posts it, and a
 * failed post is retried with back-off, every attempt recorded.
 */
const ITEM = '11410100297017523N01003401100000';
const hotline: Principal = {
  accountId: 'client:tbc_12345',
  kind: 'client',
  login: 'tbc_12345',
  displayName: '12345',
  realNameLevel: 0,
  clientId: 'tbc_12345',
  grants: [{ role: 'hotline', permissions: ['complaints.intake'], regionPrefix: '', departmentId: null }],
  via: 'bearer',
};
const handler: Principal = {
  accountId: 'staff-1',
  kind: 'staff',
  login: 'approver',
  displayName: '审批',
  realNameLevel: 2,
  grants: [
    { role: 'approver', permissions: ['ratings.handle'], regionPrefix: '4101', departmentId: 'dept-amr' },
  ],
  via: 'bearer',
};

describe('12345 › answers posted back through the outbox, retried and recorded', () => {
  let store: Store;
  let bus: EventBus;
  const clock = new ManualClock('2025-09-15T02:00:00Z');
  let svc: ReturnType<typeof createRatingsService>;
  const posts: Array<{ url: string; body: unknown; auth: string | null }> = [];
  let answers: number[] = [];
  const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    posts.push({
      url: String(url),
      body: JSON.parse(String(init?.body)),
      auth: new Headers(init?.headers).get('authorization'),
    });
    const status = answers.shift() ?? 200;
    if (status === 0) throw new Error('connect ECONNREFUSED');
    return new Response(null, { status });
  }) as typeof fetch;

  before(async () => {
    store = await openTestStore();
    await migrate(store.db, { ...metaMigrations, ...eventsMigrations, ...ratingsMigrations });
    const ctx = createRatingsContext({
      store,
      clock,
      ports: {
        cases: { facts: async () => undefined },
        calendar: { isWorkingDay: (d) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()) },
        directory: {
          itemDepartment: async (code) =>
            code === ITEM
              ? { departmentId: 'dept-amr', regionCode: '410100', name: '郑州市市场监督管理局' }
              : undefined,
          hallDepartment: async () => undefined,
          department: async () => undefined,
          departments: async () => [],
        },
      },
      settings: {
        ...DEFAULT_RATINGS_CONFIG,
        hotlineAnswerUrl: 'https://12345.example.gov.cn/answers',
        hotlineAnswerToken: 'secret-token',
      },
      publicUrl: 'http://test',
      secretKey: Buffer.alloc(32, 5),
    });
    svc = createRatingsService(ctx);
    bus = new EventBus(store, clock);
    bus.register(ratingsConsumer(ctx));
  });
  after(async () => store.close());

  test('a ticket answered is queued once, delivered after two failures, each attempt recorded', async () => {
    const filed = await svc.intakeHotline(
      {
        ticket: 'GD-2025-0915-77',
        kind: 'enquiry',
        subject: { type: 'item', implementationCode: ITEM },
        title: '材料咨询',
        body: '来电人询问需要哪些材料。',
      },
      hotline,
    );
    assert.equal(filed.created, true);
    assert.equal(filed.complaint.dueOn, '2025-09-22');
    const n = filed.complaint.complaintNumber;
    await svc.answerComplaint(n, { answer: '需要营业执照和身份证明。' }, handler);
    await bus.drain();
    await bus.drain();
    const queued = await svc.deliveryOf(n);
    assert.ok(queued);
    assert.equal(queued.attempts, 0);

    const log = createLogger('silent');
    answers = [503, 0];
    assert.deepEqual(await svc.deliverDue(log, fakeFetch), { delivered: 0, failed: 1 });
    let d = await svc.deliveryOf(n);
    assert.equal(d?.attempts, 1);
    assert.equal(d?.last_status, 503);
    assert.equal(d?.next_at, new Date(clock.now().getTime() + retryDelayMs(1)).toISOString());
    // not due yet: nothing is posted
    assert.deepEqual(await svc.deliverDue(log, fakeFetch), { delivered: 0, failed: 0 });
    clock.set(new Date(clock.now().getTime() + retryDelayMs(1)));
    assert.deepEqual(await svc.deliverDue(log, fakeFetch), { delivered: 0, failed: 1 });
    d = await svc.deliveryOf(n);
    assert.equal(d?.attempts, 2);
    assert.match(String(d?.last_error), /ECONNREFUSED/);
    clock.set(new Date(clock.now().getTime() + retryDelayMs(2)));
    assert.deepEqual(await svc.deliverDue(log, fakeFetch), { delivered: 1, failed: 0 });
    d = await svc.deliveryOf(n);
    assert.equal(d?.attempts, 3);
    assert.ok(d?.delivered_at);
    assert.equal(d?.last_status, 200);
    assert.equal(posts.length, 3);
    assert.deepEqual(posts[2], {
      url: 'https://12345.example.gov.cn/answers',
      auth: 'Bearer secret-token',
      body: {
        ticket: 'GD-2025-0915-77',
        complaintNumber: n,
        answer: '需要营业执照和身份证明。',
        answeredAt: d?.created_at,
        onTime: true,
      },
    });
    // delivered: never posted again
    clock.set(new Date(clock.now().getTime() + 86_400_000));
    assert.deepEqual(await svc.deliverDue(log, fakeFetch), { delivered: 0, failed: 0 });
  });

  test('web complaints are not posted anywhere', async () => {
    const citizen: Principal = {
      ...handler,
      accountId: 'p1',
      kind: 'person',
      grants: [{ role: 'citizen', permissions: ['ratings.give'], regionPrefix: '', departmentId: null }],
    };
    const c = await svc.fileComplaint(
      {
        kind: 'suggestion',
        subject: { type: 'item', implementationCode: ITEM },
        title: '建议',
        body: '建议增加网上预约。',
      },
      citizen,
    );
    await svc.answerComplaint(c.complaintNumber, { answer: '感谢建议，已采纳。' }, handler);
    await bus.drain();
    assert.equal(await svc.deliveryOf(c.complaintNumber), undefined);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import { type ZodTypeProvider, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { buildApp, type TongbanApp } from '../../app.js';
import { testConfig } from '../../config/index.js';
import { ManualClock } from '../../kernel/index.js';
import { committedEvents, openTestStore } from '../../../test/helpers/store.js';
import type { Store } from '../db/index.js';
import {
  type App,
  type Principal,
  enforceRoutePermission,
  errorBody,
  requestLang,
  toDomainError,
} from '../http/index.js';
import { type WorkingCalendar, calendarRoutes, createCalendar } from './index.js';

/**
 * Through the real app on SQLite and PostgreSQL (TONGBAN_TEST_DATABASE_URL). The store is opened
 * here rather than by buildTestApp so the test can read the event stream and start a second
 * calendar on the same store (another node).
 */
const clock = new ManualClock('2026-11-26T02:00:00Z');
let store: Store;
let t: TongbanApp;

before(async () => {
  store = await openTestStore();
  t = await buildApp({ config: testConfig(), store, clock, demo: 'off', startConsumers: false });
});
after(async () => {
  await t.close();
  await store.close();
});

const get = (url: string, lang?: 'en') =>
  t.app.inject({ method: 'GET', url, headers: lang ? { 'accept-language': 'en' } : {} });

/** The calendar.changed events written so far (read from the table; see committedEvents). */
async function calendarEvents() {
  return (await committedEvents(store)).filter((e) => e.type === 'calendar.changed');
}

/**
 * No identity module answers logins yet, so the administrators' routes are exercised on a small
 * Fastify app with the platform's permission check and error mapping, and a test principal.
 */
async function adminApp(cal: WorkingCalendar): Promise<App> {
  const app = Fastify().withTypeProvider<ZodTypeProvider>() as unknown as App;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('principal', undefined);
  app.decorateRequest('lang', 'zh-CN');
  app.addHook('onRequest', async (req) => {
    req.lang = requestLang(req);
    const prefix = req.headers['x-test-region-prefix'];
    if (typeof prefix === 'string') {
      const p: Principal = {
        accountId: 'acct-admin',
        kind: 'staff',
        login: 'admin',
        displayName: '管理员',
        realNameLevel: 3,
        via: 'bearer',
        grants: [
          {
            role: 'admin',
            permissions: ['calendar.manage'],
            regionPrefix: prefix === 'all' ? '' : prefix,
            departmentId: null,
          },
        ],
      };
      req.principal = p;
    }
  });
  app.addHook('preHandler', enforceRoutePermission);
  app.setErrorHandler((e, req, reply) => {
    const err = toDomainError(e, 'test');
    return reply.code(err.status).send(errorBody(err, req.lang, 'test'));
  });
  calendarRoutes(app, cal);
  await app.ready();
  return app;
}

describe('calendar › seeded from chinese-days at start', () => {
  test('national years 2004–2026 are present; 2027 (next year) is reported missing', async () => {
    const r = await get('/api/v1/calendar/years');
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.years[0], 2004);
    assert.equal(body.years.at(-1), 2026);
    assert.equal(body.currentYear, 2026);
    assert.deepEqual(body.missing, [2027]);
    assert.deepEqual(t.calendar.yearsWithoutData(2025), []);
    assert.deepEqual(t.calendar.yearsWithoutData(2026), [2027]);
  });
  test('seeding is idempotent: a second load adds no rows and no event', async () => {
    const before = (await calendarEvents()).length;
    const v = t.calendar.version;
    await t.calendar.load();
    assert.equal((await calendarEvents()).length, before);
    assert.equal(t.calendar.version, v);
    const days = await t.calendar.listDays('', 2025);
    assert.equal(days.filter((d) => d.date.startsWith('2025-10-')).length, 9);
  });
});

describe('GET /api/v1/calendar/deadline', () => {
  test('2025 National Day: 1 working day after Sep 30 is Oct 9, Oct 1–8 explained as holidays', async () => {
    const r = await get('/api/v1/calendar/deadline?start=2025-09-30&workingDays=1&region=');
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.due, '2025-10-09');
    assert.equal(body.explanation[0].reason, 'start');
    assert.equal(body.explanation[0].counted, false);
    const skipped = body.explanation.filter((e: { reason: string }) => e.reason === 'holiday');
    assert.equal(skipped.length, 8);
    assert.equal(skipped[0].text, '法定节假日：国庆节');
    assert.deepEqual(body.explanation.at(-1), {
      date: '2025-10-09',
      counted: true,
      reason: 'workday',
      text: '工作日',
      ordinal: 1,
    });
  });
  test('make-up Sunday Sep 28, 2025 counts, explained in English', async () => {
    const r = await get('/api/v1/calendar/deadline?start=2025-09-26&workingDays=1', 'en');
    const body = r.json();
    assert.equal(body.due, '2025-09-28');
    assert.equal(body.explanation.at(-1).text, 'Make-up working day (National Day)');
  });
  test('2026 Spring Festival (Feb 15–23 off, Feb 14 and 28 worked): 3 working days after Feb 13 is Feb 25', async () => {
    const body = (await get('/api/v1/calendar/deadline?start=2026-02-13&workingDays=3')).json();
    assert.equal(body.due, '2026-02-25');
    assert.equal(body.explanation[1].date, '2026-02-14');
    assert.equal(body.explanation[1].reason, 'makeup');
  });
  test('n = 0 on a working day is due that day', async () => {
    const body = (await get('/api/v1/calendar/deadline?start=2025-09-30&workingDays=0')).json();
    assert.deepEqual(body, {
      due: '2025-09-30',
      explanation: [{ date: '2025-09-30', counted: true, reason: 'sameDay', text: '当日办结（0 个工作日）' }],
    });
  });
  for (const [what, qs, code] of [
    ['a malformed date', 'start=2025-9-30&workingDays=1', 'COMMON.VALIDATION'],
    ['an impossible date', 'start=2025-02-30&workingDays=1', 'CALENDAR.BAD_DATE'],
    ['a date outside 2000–2099', 'start=1999-12-31&workingDays=1', 'CALENDAR.BAD_DATE'],
    ['a negative N', 'start=2025-09-30&workingDays=-1', 'COMMON.VALIDATION'],
    ['a huge N', 'start=2025-09-30&workingDays=100000000', 'COMMON.VALIDATION'],
    ['a fractional N', 'start=2025-09-30&workingDays=1.5', 'COMMON.VALIDATION'],
    ['a missing N', 'start=2025-09-30', 'COMMON.VALIDATION'],
    ['a bad region', 'start=2025-09-30&workingDays=1&region=41ab', 'COMMON.VALIDATION'],
    ['a result past 2099', 'start=2099-12-20&workingDays=30', 'CALENDAR.OUT_OF_RANGE'],
  ] as const) {
    test(`bad input › ${what} is a 400 ${code} with a message in the caller's language`, async () => {
      const zh = await get(`/api/v1/calendar/deadline?${qs}`);
      assert.equal(zh.statusCode, 400);
      assert.equal(zh.json().error.code, code);
      const en = await get(`/api/v1/calendar/deadline?${qs}`, 'en');
      assert.equal(en.statusCode, 400);
      assert.notEqual(en.json().error.message, zh.json().error.message);
    });
  }
});

describe('GET /calendar (public page)', () => {
  test('shows the due date and the day-by-day table', async () => {
    const r = await t.app.inject({
      method: 'GET',
      url: '/calendar?start=2025-09-30&workingDays=1',
      headers: { accept: 'text/html' },
    });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /2025-10-09/);
    assert.match(r.body, /<caption>[^<]*2025-09-30/);
    assert.match(r.body, /法定节假日：中秋/);
  });
  test('a bad date is shown as a field error, not a fault', async () => {
    const r = await t.app.inject({
      method: 'GET',
      url: '/calendar?start=2025-02-30&workingDays=x',
      headers: { accept: 'text/html' },
    });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /error-summary/);
  });
});

describe('administrators › entering days', () => {
  test('the routes refuse an anonymous caller (401) on the real app', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/calendar/days',
      headers: { authorization: 'Bearer nobody' },
      payload: { regionCode: '', days: [{ date: '2027-01-01', kind: 'off', name: '元旦' }] },
    });
    assert.equal(r.statusCode, 401);
  });

  test('a city administrator may not change the national calendar (403) but may set the city’s days', async () => {
    const app = await adminApp(t.calendar);
    try {
      const national = await app.inject({
        method: 'POST',
        url: '/api/v1/calendar/days',
        headers: { 'x-test-region-prefix': '4101' },
        payload: { regionCode: '', days: [{ date: '2027-01-01', kind: 'off', name: '元旦' }] },
      });
      assert.equal(national.statusCode, 403);
      const bad = await app.inject({
        method: 'POST',
        url: '/api/v1/calendar/days',
        headers: { 'x-test-region-prefix': '4101' },
        payload: { regionCode: '4101', days: [{ date: '2025-02-30', kind: 'off', name: 'x' }] },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'COMMON.VALIDATION');
      const dup = await app.inject({
        method: 'POST',
        url: '/api/v1/calendar/days',
        headers: { 'x-test-region-prefix': '4101' },
        payload: {
          regionCode: '4101',
          days: [
            { date: '2025-10-10', kind: 'off', name: 'x' },
            { date: '2025-10-10', kind: 'work', name: 'y' },
          ],
        },
      });
      assert.equal(dup.json().error.code, 'CALENDAR.DUPLICATE_DATE');
    } finally {
      await app.close();
    }
  });

  test('local override › a Zhengzhou day off moves its deadlines, not others’, and emits calendar.changed', async () => {
    const app = await adminApp(t.calendar);
    try {
      const before = (await calendarEvents()).length;
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/calendar/days',
        headers: { 'x-test-region-prefix': '4101' },
        payload: {
          regionCode: '4101',
          days: [
            { date: '2025-10-09', kind: 'off', name: '郑州市临时休息日', nameEn: 'Zhengzhou local day off' },
          ],
        },
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json().dates, ['2025-10-09']);

      const events = await calendarEvents();
      assert.equal(events.length, before + 1);
      const e = events.at(-1)!;
      assert.equal(e.regionCode, '4101');
      assert.equal(e.actor, 'acct-admin');
      assert.deepEqual(e.payload.dates, ['2025-10-09']);
      assert.equal(e.payload.version, r.json().version);

      // this node reloaded at once
      assert.equal(
        (await get('/api/v1/calendar/deadline?start=2025-09-30&workingDays=1&region=410102')).json().due,
        '2025-10-10',
      );
      const body = (await get('/api/v1/calendar/deadline?start=2025-09-30&workingDays=1&region=4101')).json();
      assert.equal(body.explanation.at(-2).text, '本地休息日：郑州市临时休息日');
      // another city and the nation are untouched
      assert.equal(
        (await get('/api/v1/calendar/deadline?start=2025-09-30&workingDays=1&region=4102')).json().due,
        '2025-10-09',
      );
      assert.equal(
        (await get('/api/v1/calendar/deadline?start=2025-09-30&workingDays=1')).json().due,
        '2025-10-09',
      );

      // a county inside the city works that day after all: the more specific prefix wins
      await t.calendar.setDays(
        { regionCode: '410102', days: [{ date: '2025-10-09', kind: 'work', name: '区工作日' }] },
        'acct-admin',
      );
      assert.equal(t.calendar.dueDate('2025-09-30', 1, '410102001'), '2025-10-09');
      assert.equal(t.calendar.dueDate('2025-09-30', 1, '410103'), '2025-10-10');

      const del = await app.inject({
        method: 'DELETE',
        url: '/api/v1/calendar/days',
        headers: { 'x-test-region-prefix': '4101' },
        payload: { regionCode: '4101', dates: ['2025-10-09'] },
      });
      assert.equal(del.statusCode, 200);
      assert.equal(t.calendar.dueDate('2025-09-30', 1, '410103'), '2025-10-09');
      const again = await app.inject({
        method: 'DELETE',
        url: '/api/v1/calendar/days',
        headers: { 'x-test-region-prefix': '4101' },
        payload: { regionCode: '4101', dates: ['2025-10-09'] },
      });
      assert.equal(again.statusCode, 404);
      assert.equal(again.json().error.code, 'CALENDAR.DAY_NOT_FOUND');
    } finally {
      await app.close();
    }
  });

  test('entering next year’s notice clears the missing-year alert, and another node picks it up by version', async () => {
    const other = createCalendar({ store, clock, refreshIntervalMs: 0 });
    await other.load();
    assert.deepEqual(other.yearsWithoutData(2026), [2027]);
    const app = await adminApp(t.calendar);
    try {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/calendar/days',
        headers: { 'x-test-region-prefix': 'all', 'accept-language': 'en' },
        payload: {
          days: [
            { date: '2027-01-01', kind: 'off', name: '元旦', nameEn: "New Year's Day" },
            { date: '2027-01-04', kind: 'work', name: '元旦', nameEn: "New Year's Day" },
          ],
        },
      });
      assert.equal(r.statusCode, 200, r.body);
    } finally {
      await app.close();
    }
    assert.deepEqual((await get('/api/v1/calendar/years')).json().missing, []);
    // the other node still answers from its loaded tables until it checks the version
    assert.equal(other.isWorkingDay('2027-01-01'), true);
    assert.equal(await other.refreshIfStale(), true);
    assert.equal(other.isWorkingDay('2027-01-01'), false);
    assert.equal(other.version, t.calendar.version);
    assert.equal(await other.refreshIfStale(), false);
  });

  test('a node serving the calendar routes picks up another node’s change on its own timer, with no request, until it closes', async () => {
    const other = createCalendar({ store, clock, refreshIntervalMs: 20 });
    await other.load();
    const otherApp = await adminApp(other); // registering the routes starts the watch
    const change = async (date: string) => {
      const app = await adminApp(t.calendar);
      try {
        const r = await app.inject({
          method: 'POST',
          url: '/api/v1/calendar/days',
          headers: { 'x-test-region-prefix': '4109' },
          payload: { regionCode: '4109', days: [{ date, kind: 'off', name: '测试', nameEn: 'Test' }] },
        });
        assert.equal(r.statusCode, 200, r.body);
      } finally {
        await app.close();
      }
    };
    const within = async (ms: number, done: () => boolean) => {
      const until = performance.now() + ms;
      while (!done() && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
      return done();
    };
    try {
      assert.equal(other.isWorkingDay('2026-12-01', '410901'), true);
      await change('2026-12-01');
      // no request reaches the other node: its timer alone reads the new version
      assert.ok(await within(1000, () => other.version === t.calendar.version), 'not picked up in time');
      assert.equal(other.isWorkingDay('2026-12-01', '410901'), false);
    } finally {
      await otherApp.close();
    }
    // closed: the timer is gone, so a later change is not read
    await change('2026-12-02');
    assert.equal(await within(150, () => other.version === t.calendar.version), false);
    assert.equal(other.isWorkingDay('2026-12-02', '410901'), true);
  });
});

describe('property › through the service: due dates are working days and count back to n', () => {
  test('300 random (start, n, region)', () => {
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const regions = [undefined, '4101', '410102', '410102001', '4201'];
    for (let k = 0; k < 300; k++) {
      const start = new Date(Date.UTC(2004, 0, 1) + Math.floor(next() * 8400) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const n = Math.floor(next() * 45);
      const region = regions[k % regions.length];
      const { due, explanation } = t.calendar.addWorkingDays(start, n, region);
      assert.equal(t.calendar.isWorkingDay(due, region), true, `${start} + ${n}`);
      if (n > 0) {
        assert.equal(t.calendar.workingDaysBetween(start, due, region), n, `${start} + ${n}`);
        assert.equal(explanation.at(-1)?.ordinal, n);
      }
    }
  });
});

describe('dayRule › the per-region rule a clock engine asks day by day', () => {
  test('answers working days and names the reason of the others', () => {
    const rule = t.calendar.dayRule('410102');
    assert.equal(rule.isWorkingDay('2025-10-08'), false);
    assert.equal(rule.describe('2025-10-08'), '法定节假日：国庆节');
    assert.equal(rule.describe('2025-09-28'), '调休上班日（国庆节）');
    assert.equal(rule.describe('2025-09-29'), undefined);
    assert.equal(t.calendar.dayRule('', 'en').describe('2025-10-04'), 'Public holiday: National Day');
  });
});

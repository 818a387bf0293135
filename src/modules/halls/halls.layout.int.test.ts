import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSession as Browser } from '../../../test/helpers/session.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { committedEvents, testDialect } from '../../../test/helpers/store.js';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';
import { DEMO_PASSWORD } from '../identity/identity.demo.js';
import { layoutIssues } from './halls.layout.js';

// 大厅管理 (issue 14 item 6): the hall manager sets windows, the lines and items each serves, the
// staff on duty and the hours of 金水区经八路街道便民服务中心; checked whole, written in one go
const HALL = 'H410105001';
const MONDAY_10 = '2026-12-07T02:00:00Z';
const ITEM = '11410105414644738F05001200400000'; // 失业保险金申领
const OTHER = '11410100297017523N01003401100000'; // 食品小经营店登记

const GOOD = {
  windows: [
    { number: 1, kind: 'enquiry', lines: ['B'] },
    { number: 2, kind: 'general', lines: ['A'], staff: ['clerk'] },
    { number: 3, kind: 'general', lines: ['A'], items: [ITEM] },
    { number: 4, kind: 'delivery', lines: ['C'] },
  ],
  hours: [
    { days: 'weekdays', from: '09:00', to: '12:00' },
    { days: 'weekdays', from: '13:00', to: '17:00' },
  ],
};

describe(`halls › the hall manager's windows, lines, staff and hours (${testDialect()})`, () => {
  let t: TongbanApp;
  const clock = new ManualClock(MONDAY_10);
  const tok = new Map<string, string>();
  const req = (who: string, method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tok.get(who)}` },
      ...(payload ? { payload: payload as Record<string, unknown> } : {}),
    });
  const layoutEvents = async () =>
    (await committedEvents(t.store)).filter((e) => e.type === 'halls.layoutChanged').length;

  before(async () => {
    t = await buildTestApp({ demo: 'on', clock });
    // (the hall's manager is the demo's `hall-manager`)
    for (const [login, role, region] of [
      ['clerk-2', 'windowClerk', '410105001'],
      ['clerk-other', 'windowClerk', '410105002'],
    ] as const)
      await t.identity.service.createStaff({
        login,
        name: '测试',
        password: DEMO_PASSWORD,
        regionCode: region,
        departmentId: null,
        hallId: null,
        grants: [{ role, regionPrefix: region, departmentId: null }],
      });
    for (const who of ['hall-manager', 'clerk', 'clerk-2', 'clerk-other', 'citizen'])
      tok.set(who, (await t.identity.tokenForLogin(who)).token);
  });
  after(async () => t.close());

  test('before any is saved, the regions module’s windows and hours, with the lines of their kinds', async () => {
    const r = await req('hall-manager', 'GET', `/api/v1/halls/${HALL}/layout`);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().managed, false);
    assert.deepEqual(
      r.json().windows.map((w: { number: number; lines: string[] }) => [w.number, w.lines.join('')]),
      [
        [1, 'B'],
        [2, 'A'],
        [3, 'A'],
        [4, 'C'],
      ],
    );
    for (const who of ['clerk', 'clerk-other', 'citizen'])
      assert.equal((await req(who, 'GET', `/api/v1/halls/${HALL}/layout`)).statusCode, 403, who);
  });

  test('a bad layout is refused whole with coded field issues, and nothing is written', async () => {
    const bad = {
      windows: [
        { number: 1, kind: 'enquiry', lines: ['B'], staff: ['clerk-other'] },
        { number: 1, kind: 'general', lines: ['A'], staff: ['citizen'] },
        { number: 2, kind: 'general', lines: ['A'], staff: ['clerk'] },
        { number: 3, kind: 'general', lines: ['A'], staff: ['clerk'] },
      ],
      hours: [
        { days: 'weekdays', from: '12:00', to: '09:00' },
        { days: 'daily', from: '08:00', to: '10:00' },
        { days: 'weekdays', from: '09:30', to: '11:00' },
      ],
    };
    const r = await req('hall-manager', 'PUT', `/api/v1/halls/${HALL}/layout`, bad);
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().error.code, 'HALLS.LAYOUT_INVALID');
    const rules = (r.json().error.details as Array<{ field: string; rule: string }>).map(
      (i) => `${i.field} ${i.rule}`,
    );
    for (const x of [
      'windows.1.number LAYOUT.WINDOW_DUPLICATE',
      'windows LAYOUT.LINE_UNSERVED_C',
      'windows.3.staff LAYOUT.STAFF_TWICE',
      'hours.0.to LAYOUT.HOURS_ORDER',
      'hours.2.from LAYOUT.HOURS_OVERLAP',
      'windows.0.staff LAYOUT.STAFF_UNKNOWN', // a clerk of another hall
      'windows.1.staff LAYOUT.STAFF_UNKNOWN', // a citizen
    ])
      assert.ok(rules.includes(x), `${x} in ${rules.join('; ')}`);
    const schema = await req('hall-manager', 'PUT', `/api/v1/halls/${HALL}/layout`, {
      windows: [{ number: 0, kind: 'general', lines: [] }],
      hours: [{ days: 'weekdays', from: '9:00', to: '25:00' }],
    });
    assert.equal(schema.statusCode, 400);
    assert.equal(schema.json().error.code, 'COMMON.VALIDATION');
    assert.equal((await req('hall-manager', 'GET', `/api/v1/halls/${HALL}/layout`)).json().managed, false);
    assert.equal(await layoutEvents(), 0);
    // a clerk of the hall may not set it
    assert.equal((await req('clerk', 'PUT', `/api/v1/halls/${HALL}/layout`, GOOD)).statusCode, 403);
  });

  test('a saved layout is what the hall runs by: lines, items, staff on duty and hours', async () => {
    const r = await req('hall-manager', 'PUT', `/api/v1/halls/${HALL}/layout`, GOOD);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().managed, true);
    assert.deepEqual(r.json().windows[1].staff, ['clerk']);
    assert.equal(await layoutEvents(), 1);
    // staff on duty: at window 2 only the clerk assigned (or the manager); window 3 any clerk
    const other = await req('clerk', 'POST', `/api/v1/halls/${HALL}/tickets`, { line: 'A', item: OTHER });
    assert.equal(other.statusCode, 201, other.body);
    const notOnDuty = await req('clerk-2', 'POST', `/api/v1/halls/${HALL}/windows/2/call`);
    assert.equal(notOnDuty.statusCode, 403);
    assert.equal(notOnDuty.json().error.code, 'HALLS.NOT_ON_DUTY');
    // window 3 serves only 失业保险金申领: the ticket for another item waits for window 2
    assert.equal((await req('clerk-2', 'POST', `/api/v1/halls/${HALL}/windows/3/call`)).json().ticket, null);
    const mine = await req('clerk-2', 'POST', `/api/v1/halls/${HALL}/tickets`, { line: 'A', item: ITEM });
    const c3 = await req('clerk-2', 'POST', `/api/v1/halls/${HALL}/windows/3/call`);
    assert.equal(c3.json().ticket, mine.json().ticket);
    const c2 = await req('clerk', 'POST', `/api/v1/halls/${HALL}/windows/2/call`);
    assert.equal(c2.json().ticket, other.json().ticket);
    // hours: 17:15 is open by the regions' hours (to 17:30), not by the manager's (to 17:00)
    clock.set('2026-12-07T09:15:00Z');
    try {
      const early = await t.app.inject({
        method: 'POST',
        url: `/api/v1/halls/${HALL}/tickets`,
        headers: { authorization: `Bearer ${(await t.identity.tokenForLogin('clerk')).token}` },
        payload: { line: 'A' },
      });
      assert.equal(early.statusCode, 409, early.body);
      assert.equal(early.json().error.code, 'HALLS.CLOSED');
    } finally {
      clock.set(MONDAY_10);
    }
  });

  test('the page: a form without scripts, problems listed and linked to their fields, saved whole', async () => {
    const b = new Browser(t);
    await b.login('hall-manager');
    const page = await b.get(`/halls/${HALL}/manage/layout`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /name="windows\.1\.staff" [^>]*value="clerk"/);
    const form: Record<string, string> = {
      windowRows: '2',
      hourRows: '1',
      'windows.0.number': '1',
      'windows.0.kind': 'general',
      'windows.0.lineA': '1',
      'windows.0.lineB': '1',
      'windows.1.number': '2',
      'windows.1.kind': 'delivery',
      'windows.1.lineC': '1',
      'windows.1.staff': 'nobody-here',
      'hours.0.days': 'weekdays',
      'hours.0.from': '09:00',
      'hours.0.to': '08:00',
    };
    const bad = await b.post(`/halls/${HALL}/manage/layout`, form, { from: `/halls/${HALL}/manage/layout` });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /class="error-summary"/);
    assert.match(bad.body, /href="#f-windows-1-staff"/);
    assert.match(bad.body, /href="#f-hours-0-to"/);
    const ok = await b.post(
      `/halls/${HALL}/manage/layout`,
      { ...form, 'windows.1.staff': 'clerk-2', 'hours.0.to': '17:30' },
      { from: `/halls/${HALL}/manage/layout` },
    );
    assert.equal(ok.statusCode, 303, ok.body);
    const v = (await req('hall-manager', 'GET', `/api/v1/halls/${HALL}/layout`)).json();
    assert.deepEqual(
      v.windows.map((w: { number: number; lines: string[]; staff: string[] }) => [
        w.number,
        w.lines,
        w.staff,
      ]),
      [
        [1, ['A', 'B'], []],
        [2, ['C'], ['clerk-2']],
      ],
    );
    assert.deepEqual(v.hours, [{ days: 'weekdays', from: '09:00', to: '17:30' }]);
  });

  test('layoutIssues: a 调休 Saturday opens by weekday hours only, so weekday and Saturday periods may overlap', () => {
    assert.deepEqual(
      layoutIssues({
        windows: [{ number: 1, kind: 'general', lines: ['A', 'B', 'C'], items: [], staff: [] }],
        hours: [
          { days: 'weekdays', from: '09:00', to: '12:00' },
          { days: 'saturday', from: '09:00', to: '12:00' },
        ],
      }),
      [],
    );
  });
});

import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type TongbanApp, buildApp } from '../../app.js';
import { testConfig } from '../../config/index.js';
import { ManualClock } from '../../kernel/index.js';
import { sql } from '../../platform/db/index.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { committedEvents, testDialect } from '../../../test/helpers/store.js';
import { validForm } from '../../../test/helpers/forms.js';
import { registerPerson } from '../../../test/helpers/people.js';
import { DEMO_PASSWORD } from '../identity/identity.demo.js';
import type { CallEvent } from './halls.types.js';

// 金水区经八路街道便民服务中心: the demo clerk's hall, four windows (1 咨询, 2–3 综合, 4 出件)
const HALL = 'H410105001';
// Monday 7 December 2026, 10:00 in Zhengzhou
const MONDAY_10 = '2026-12-07T02:00:00Z';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

describe(`halls › tickets, calls and the screens' feed (${testDialect()})`, () => {
  let t: TongbanApp;
  const clock = new ManualClock(MONDAY_10);
  const tok = new Map<string, string>();
  let visitCase = '';
  const as = (who: string) => ({ authorization: `Bearer ${tok.get(who)}` });
  const post = (who: string | undefined, url: string, payload?: unknown) =>
    t.app.inject({ method: 'POST', url, headers: who ? as(who) : {}, ...(payload ? { payload } : {}) });

  before(async () => {
    t = await buildTestApp({ demo: 'on', clock });
    // a clerk of another township hall (金水区花园路街道), and the hall's manager
    await t.identity.service.createStaff({
      login: 'clerk-other',
      name: '林窗口',
      password: DEMO_PASSWORD,
      regionCode: '410105002',
      departmentId: null,
      hallId: null,
      grants: [{ role: 'windowClerk', regionPrefix: '410105002', departmentId: null }],
    });
    // the hall's manager: the demo's `hall-manager`
    for (const who of ['citizen', 'clerk', 'clerk-other', 'enterprise', 'hall-manager'])
      tok.set(who, (await t.identity.tokenForLogin(who)).token);
  });
  after(async () => t.close());

  test('a clerk takes tickets for walk-ins: numbered per line and day, with the position', async () => {
    const a1 = await post('clerk', `/api/v1/halls/${HALL}/tickets`, { line: 'A' });
    assert.equal(a1.statusCode, 201, a1.body);
    assert.equal(a1.json().ticket, 'A001');
    assert.equal(a1.json().position, 0);
    const a2 = await post('clerk', `/api/v1/halls/${HALL}/tickets`, { line: 'A' });
    assert.deepEqual([a2.json().ticket, a2.json().position], ['A002', 1]);
    const b1 = await post('clerk', `/api/v1/halls/${HALL}/tickets`, { line: 'B' });
    assert.deepEqual([b1.json().ticket, b1.json().position], ['B001', 0]);
    // the citizen's phone: position and wait by the unguessable id, nothing personal
    const v = await t.app.inject({ url: `/api/v1/halls/${HALL}/tickets/${a2.json().id}` });
    assert.equal(v.statusCode, 200);
    assert.equal(v.json().position, 1);
    assert.equal(v.json().estimatedWaitMinutes, 4); // 8 min per ticket, two general windows
    const page = await t.app.inject({ url: a2.json().url, headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /A002/);
  });

  test('who may take a ticket: a citizen online (once at a time), not a stranger or another hall’s clerk', async () => {
    const r = await post('citizen', `/api/v1/halls/${HALL}/tickets`, { line: 'A' });
    assert.equal(r.statusCode, 201, r.body);
    const again = await post('citizen', `/api/v1/halls/${HALL}/tickets`, { line: 'B' });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'HALLS.ALREADY_WAITING');
    assert.equal((await post(undefined, `/api/v1/halls/${HALL}/tickets`, {})).statusCode, 401);
    assert.equal((await post('clerk-other', `/api/v1/halls/${HALL}/tickets`, {})).statusCode, 403);
    assert.equal((await post('clerk', '/api/v1/halls/H410105999/tickets', {})).statusCode, 404);
    const bad = await post('clerk', `/api/v1/halls/${HALL}/tickets`, { line: 'Z' });
    assert.equal(bad.statusCode, 400);
  });

  test('one waiting ticket per person holds under concurrency: 20 requests at once give exactly one', async () => {
    await registerPerson(t, 'racer', DEMO_PASSWORD);
    const token = (await t.identity.tokenForLogin('racer')).token;
    const rs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/halls/${HALL}/tickets`,
          headers: { authorization: `Bearer ${token}` },
          payload: { line: i % 2 ? 'A' : 'B' },
        }),
      ),
    );
    const codes = rs.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [201, ...Array(19).fill(409)], rs.map((r) => r.body).join('\n'));
    assert.ok(
      rs.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'HALLS.ALREADY_WAITING'),
    );
    const id = await t.identity.accountIdByLogin('racer');
    const held = await sql<{
      n: number;
    }>`select count(*) as n from halls_tickets where account_id = ${id} and status = 'waiting'`.execute(
      t.store.db,
    );
    assert.equal(Number(held.rows[0]!.n), 1);
  });

  test('no tickets on a 法定节假日 or a weekend the hall is closed; a 调休 working day is open', async () => {
    // a token issued at the moment the clock says (a token from another day has expired)
    const takeAt = async (at: string) => {
      clock.set(at);
      const token = (await t.identity.tokenForLogin('clerk')).token;
      return t.app.inject({
        method: 'POST',
        url: `/api/v1/halls/${HALL}/tickets`,
        headers: { authorization: `Bearer ${token}` },
        payload: {},
      });
    };
    try {
      const r = await takeAt('2026-10-01T02:00:00Z'); // 国庆节
      assert.equal(r.statusCode, 409, r.body);
      assert.equal(r.json().error.code, 'HALLS.CLOSED');
      assert.equal((await takeAt('2026-12-06T02:00:00Z')).statusCode, 409); // a Sunday
      assert.equal((await takeAt('2026-12-07T13:00:00Z')).statusCode, 409); // 21:00 on Monday, after hours
      // 2026-10-10 (Saturday) is a 调休 working day after 国庆 (when the year's table has it)
      if (t.calendar.describeDay('2026-10-10').working)
        assert.equal((await takeAt('2026-10-10T02:00:00Z')).statusCode, 201);
    } finally {
      clock.set(MONDAY_10);
    }
  });

  test('300 tickets taken at once get 300 different numbers', async () => {
    const rs = await Promise.all(
      Array.from({ length: 300 }, () => post('clerk', `/api/v1/halls/${HALL}/tickets`, { line: 'C' })),
    );
    assert.deepEqual(
      rs.map((r) => r.statusCode).filter((s) => s !== 201),
      [],
    );
    const labels = new Set(rs.map((r) => r.json().ticket as string));
    assert.equal(labels.size, 300);
    assert.ok(labels.has('C001') && labels.has('C300'));
  });

  test('windows calling at once never call one ticket twice; the window serves its lines', async () => {
    // window 4 (出件) serves line C: 300 waiting; windows 2 and 3 serve A
    const calls = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post('clerk', `/api/v1/halls/${HALL}/windows/${4}/call`).then((r) => ({ r, i })),
      ),
    );
    const got = calls.map((c) => c.r.json().ticket as string | null);
    assert.ok(got.every((x) => x?.startsWith('C')));
    assert.equal(new Set(got).size, 60);
    const both = await Promise.all([
      post('clerk', `/api/v1/halls/${HALL}/windows/2/call`),
      post('clerk', `/api/v1/halls/${HALL}/windows/3/call`),
    ]);
    const [x, y] = both.map((r) => r.json().ticket as string);
    assert.ok(x && y && x !== y && x.startsWith('A') && y.startsWith('A'));
    const rows = await sql<{
      n: number;
    }>`select count(*) as n from halls_tickets where status = 'called' and hall_id = ${HALL}`.execute(
      t.store.db,
    );
    assert.equal(Number(rows.rows[0]!.n), 3); // the last per window: each window's earlier call was finished
    assert.equal((await post('clerk-other', `/api/v1/halls/${HALL}/windows/2/call`)).statusCode, 403);
    assert.equal((await post('citizen', `/api/v1/halls/${HALL}/windows/2/call`)).statusCode, 403);
    assert.equal((await post('clerk', `/api/v1/halls/${HALL}/windows/9/call`)).statusCode, 404);
  });

  test('recall, skip and transfer: a transferred ticket is the other window’s next', async () => {
    const first = await post('clerk', `/api/v1/halls/${HALL}/windows/2/call`);
    const id = first.json().id as string;
    const recall = await post('clerk', `/api/v1/halls/${HALL}/tickets/${id}/actions`, { action: 'recall' });
    assert.equal(recall.statusCode, 200, recall.body);
    const moved = await post('clerk', `/api/v1/halls/${HALL}/tickets/${id}/actions`, {
      action: 'transfer',
      window: 3,
    });
    assert.equal(moved.json().status, 'waiting');
    const next3 = await post('clerk', `/api/v1/halls/${HALL}/windows/3/call`);
    assert.equal(next3.json().id, id);
    const skip = await post('clerk', `/api/v1/halls/${HALL}/tickets/${id}/actions`, { action: 'skip' });
    assert.equal(skip.json().status, 'skipped');
    const again = await post('clerk', `/api/v1/halls/${HALL}/tickets/${id}/actions`, { action: 'recall' });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'HALLS.TICKET_NOT_CALLED');
    const kinds = await sql<{
      kind: string;
    }>`select kind from halls_calls where ticket_id = ${id} order by seq`.execute(t.store.db);
    assert.deepEqual(
      kinds.rows.map((r) => r.kind),
      ['call', 'recall', 'transfer', 'call', 'skip'],
    );
  });

  test('a ticket for a case counts a visit of that case when called (halls.visit)', async () => {
    // a walk-in case the clerk entered at this hall for the citizen (失业保险金申领, 金水区人社局)
    const item = '11410105414644738F05001200400000';
    const material = (await t.catalog.getPublishedItem(item))?.materials[0]?.code;
    assert.ok(material);
    const created = await post('clerk', '/api/v1/cases', {
      implementationCode: item,
      regionCode: '410105001',
      form: await validForm(t, item),
      materials: [
        {
          code: material,
          filename: 'id-card-scan.pdf',
          mediaType: 'application/pdf',
          contentBase64: PDF.toString('base64'),
        },
      ],
      hallId: HALL,
      applicantId: await t.identity.accountIdByLogin('citizen'),
    });
    assert.equal(created.statusCode, 201, created.body);
    const n = created.json().caseNumber as string;
    visitCase = n;
    // a case the caller may not see is refused: another hall's clerk, a made-up number
    assert.equal(
      (await post('clerk', `/api/v1/halls/${HALL}/tickets`, { line: 'A', caseNumber: 'ZZ-NOT-A-CASE-000' }))
        .statusCode,
      404,
    );
    // drain line A first, so the next A ticket is this one
    for (;;) if (!(await post('clerk', `/api/v1/halls/${HALL}/windows/2/call`)).json().ticket) break;
    const r = await post('clerk', `/api/v1/halls/${HALL}/tickets`, { line: 'A', caseNumber: n });
    assert.equal(r.statusCode, 201, r.body);
    const c = await post('clerk', `/api/v1/halls/${HALL}/windows/2/call`);
    assert.equal(c.json().caseNumber, n);
    assert.equal(c.json().open, `/workbench/cases/${n}`);
    assert.equal(await t.halls.service.visitsOf(n), 1);
    // recalling is the same visit
    await post('clerk', `/api/v1/halls/${HALL}/tickets/${c.json().id}/actions`, { action: 'recall' });
    assert.equal(await t.halls.service.visitsOf(n), 1);
    const e = (await committedEvents(t.store)).filter((x) => x.type === 'halls.visit');
    assert.equal(e.length, 1);
    assert.deepEqual(
      { ...e[0]!.payload, window: undefined },
      {
        caseNumber: n,
        hallId: HALL,
        departmentId: created.json().departmentId ?? e[0]!.payload.departmentId,
        window: undefined,
        line: 'A',
      },
    );
    assert.ok(typeof e[0]!.payload.departmentId === 'string');
  });

  test('就近办: nearest first from a division or a map point, the item’s accepting halls, today’s hours and wait', async () => {
    const r = await t.app.inject({ url: '/api/v1/halls/nearest?region=410105001&limit=5' });
    assert.equal(r.statusCode, 200, r.body);
    const b = r.json();
    assert.equal(b.halls[0].id, HALL);
    assert.equal(b.halls[0].distanceKm, 0);
    assert.equal(b.halls[0].openToday, true);
    assert.deepEqual(b.halls[0].todayHours, ['08:30–12:00', '14:00–17:30']);
    assert.ok(b.halls[0].waiting > 0); // the tickets taken above
    const km = b.halls.map((h: { distanceKm: number }) => h.distanceKm);
    assert.deepEqual(
      km,
      [...km].sort((x: number, y: number) => x - y),
    );
    // every demo hall has its own position: a point at another hall finds that hall first
    const far = b.halls[4];
    const p = (
      await t.app.inject({ url: `/api/v1/halls/nearest?lat=${far.lat}&lng=${far.lng}&limit=1` })
    ).json();
    assert.equal(p.halls[0].id, far.id);
    // 失业保险金申领 (金水区人社局): only the halls that accept it for an applicant of 410105001
    const item = '11410105414644738F05001200400000';
    const i = (await t.app.inject({ url: `/api/v1/halls/nearest?region=410105001&item=${item}` })).json();
    assert.ok(i.halls.length > 0);
    assert.ok(i.halls.every((h: { id: string }) => h.id.startsWith('H410105')));
    assert.equal(
      (await t.app.inject({ url: '/api/v1/halls/nearest' })).json().error.code,
      'HALLS.NEAREST_NEEDS_ORIGIN',
    );
    const page = await t.app.inject({
      url: '/halls/nearest?region=410105001',
      headers: { accept: 'text/html' },
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /经八路街道/);
  });

  test('the hall manager sees the day’s figures (tickets, wait, service, by hour, ratings) and sets quotas', async () => {
    // the walk-in case accepted at window 2, rated on its window pad (poor) and by the citizen online
    assert.equal(
      (await post('clerk', `/api/v1/cases/${visitCase}/actions`, { action: 'accept' })).statusCode,
      200,
    );
    const pad = await post('clerk', `/api/v1/cases/${visitCase}/ratings`, {
      level: 2,
      stage: 'accepted',
      channel: 'window',
      window: '2',
    });
    assert.equal(pad.statusCode, 201, pad.body);
    const web = await post('citizen', `/api/v1/cases/${visitCase}/ratings`, {
      level: 5,
      stage: 'accepted',
      channel: 'web',
    });
    assert.equal(web.statusCode, 201, web.body);
    const r = await t.app.inject({ url: `/api/v1/halls/${HALL}/figures`, headers: as('hall-manager') });
    assert.equal(r.statusCode, 200, r.body);
    const f = r.json();
    const c = f.lines.find((l: { line: string }) => l.line === 'C');
    assert.equal(c.taken, 300);
    assert.equal(c.called, 60);
    assert.equal(f.byHour.find((h: { hour: string }) => h.hour === '10:00').C, 300);
    assert.deepEqual(
      { ...f.ratings, byWindow: undefined },
      { count: 2, good: 1, poor: 1, average: 3.5, byWindow: undefined },
    );
    assert.deepEqual(f.ratings.byWindow, [{ window: '2', clerk: 'clerk', count: 1, poor: 1, average: 2 }]);
    // another day has none
    const y = await t.app.inject({
      url: `/api/v1/halls/${HALL}/figures?date=2026-12-06`,
      headers: as('hall-manager'),
    });
    assert.equal(y.json().ratings.count, 0);
    assert.equal(
      (await t.app.inject({ url: `/api/v1/halls/${HALL}/figures`, headers: as('clerk') })).statusCode,
      403,
    );
    const page = await t.app.inject({
      url: `/halls/${HALL}/manage`,
      headers: { ...as('hall-manager'), accept: 'text/html' },
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<svg/);
    assert.match(page.body, /<caption>/);
  });

  test('a second node on the same store learns every call from the store (one poller per node)', async () => {
    const node2 = await buildApp({
      config: testConfig(),
      store: t.store,
      clock,
      migrate: false,
      demo: 'off',
      startConsumers: false,
    });
    try {
      const seen: CallEvent[] = [];
      const off = node2.halls.feed.subscribe(HALL, (e) => seen.push(e));
      await post('clerk', `/api/v1/halls/${HALL}/tickets`, { line: 'B' });
      const c = await post('clerk', `/api/v1/halls/${HALL}/windows/1/call`);
      await node2.halls.feed.pollOnce();
      off();
      assert.deepEqual(
        seen.map((e) => [e.ticket, e.window, e.kind]),
        [[c.json().ticket, 1, 'call']],
      );
    } finally {
      // the whole node: its PostgreSQL listener too (left open, it held the test database's drop
      // for 100 s)
      await node2.close();
    }
  });

  test('the screen streams calls as server-sent events, and its page renders without scripts', async () => {
    const page = await t.app.inject({ url: `/halls/${HALL}/screen`, headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /http-equiv="refresh"/);
    assert.match(page.body, /screen\.js/);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as AddressInfo).port;
    const got = await new Promise<string>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', path: `/api/v1/halls/${HALL}/events` }, (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
        let buf = '';
        res.on('data', async (d: Buffer) => {
          buf += d.toString();
          if (buf.startsWith('retry:') && !buf.includes('event: call')) {
            if (buf === 'retry: 3000\n\n') {
              await post('clerk', `/api/v1/halls/${HALL}/tickets`, { line: 'B' });
              await post('clerk', `/api/v1/halls/${HALL}/windows/1/call`);
              await t.halls.feed.pollOnce();
            }
            return;
          }
          if (buf.includes('\n\n', buf.indexOf('event: call'))) {
            req.destroy();
            resolve(buf);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    const data = /data: (.*)\n/.exec(got)?.[1];
    assert.ok(data);
    const e = JSON.parse(data) as CallEvent;
    assert.equal(e.hallId, HALL);
    assert.equal(e.window, 1);
    assert.match(e.ticket, /^B\d{3}$/);
    assert.equal((await t.app.inject({ url: '/api/v1/halls/H000000/events' })).statusCode, 404);
  });
});

describe(`halls › the one-waiting-ticket migration on a store that already holds duplicates (${testDialect()})`, () => {
  test('the earliest waiting ticket of each person stays waiting, the later ones are cancelled, then the index holds', async () => {
    const t = await buildTestApp({ demo: 'off', clock: new ManualClock(MONDAY_10) });
    try {
      const db = t.store.db;
      await sql`drop index halls_tickets_one_waiting`.execute(db);
      const row = (id: string, number: number, takenAt: string, source = 'online') => sql`
        insert into halls_tickets (id, hall_id, region_code, day, line, number, label, source, priority,
          account_id, status, taken_at, calls)
        values (${id}, ${HALL}, '410105001', '2026-12-07', 'A', ${number}, ${`A00${number}`}, ${source}, 0,
          'acct-1', 'waiting', ${takenAt}, 0)`;
      await row('t1', 1, '2026-12-07T01:00:00.000Z').execute(db);
      await row('t2', 2, '2026-12-07T01:00:01.000Z').execute(db);
      await row('t3', 3, '2026-12-07T01:00:02.000Z').execute(db);
      // a check-in from an appointment is exempt, and stays waiting
      await row('t4', 4, '2026-12-07T01:00:03.000Z', 'appointment').execute(db);
      const { hallsMigrations } = await import('./halls.store.js');
      await hallsMigrations['halls.0004_one_waiting_ticket']!.up(db as never);
      const rows = await sql<{
        id: string;
        status: string;
      }>`select id, status from halls_tickets where account_id = 'acct-1' order by id`.execute(db);
      assert.deepEqual(
        rows.rows.map((r) => `${r.id}:${r.status}`),
        ['t1:waiting', 't2:cancelled', 't3:cancelled', 't4:waiting'],
      );
      await assert.rejects(row('t5', 5, '2026-12-07T01:00:04.000Z').execute(db));
    } finally {
      await t.close();
    }
  });
});

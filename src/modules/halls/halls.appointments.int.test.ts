import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { ManualClock, isDomainError } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { sql } from '../../platform/db/index.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { testDialect } from '../../../test/helpers/store.js';

// 金水区经八路街道便民服务中心: 08:30–12:00 and 14:00–17:30 on working days; windows 1 咨询,
// 2–3 综合, 4 出件
const HALL = 'H410105001';
const MONDAY_10 = '2026-12-07T02:00:00Z';

/** A person as the route would resolve them (the service takes principals; no account needed). */
const person = (accountId: string): Principal => ({
  accountId,
  kind: 'person',
  login: accountId,
  displayName: '*',
  realNameLevel: 2,
  grants: [{ role: 'citizen', permissions: ['halls.appointment'], regionPrefix: '', departmentId: null }],
  via: 'bearer',
});
const manager: Principal = {
  ...person('manager'),
  kind: 'staff',
  grants: [
    { role: 'departmentAdmin', permissions: ['halls.manage'], regionPrefix: '410105001', departmentId: null },
  ],
};

describe(`halls › appointments (${testDialect()})`, () => {
  let t: TongbanApp;
  const clock = new ManualClock(MONDAY_10);
  let citizen: string;
  const post = (url: string, payload: Record<string, unknown>, token = citizen) =>
    t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });

  before(async () => {
    t = await buildTestApp({ demo: 'on', clock });
    citizen = (await t.identity.tokenForLogin('citizen')).token;
  });
  after(async () => t.close());

  test('slots are the opening hours cut into hours, per line, with quotas from the windows', async () => {
    const r = await t.app.inject({ url: `/api/v1/halls/${HALL}/slots?date=2026-12-08` });
    assert.equal(r.statusCode, 200, r.body);
    const b = r.json();
    assert.equal(b.open, true);
    const a = b.slots.filter((s: { line: string }) => s.line === 'A');
    assert.deepEqual(
      a.map((s: { start: string }) => s.start),
      ['08:30', '09:30', '10:30', '11:30', '14:00', '15:00', '16:00', '17:00'],
    );
    assert.equal(a[3].end, '12:00');
    assert.equal(a[0].quota, 4); // two general windows, two places each
    // a 法定节假日 and a Sunday have none
    for (const date of ['2026-10-01', '2026-12-06']) {
      const c = (await t.app.inject({ url: `/api/v1/halls/${HALL}/slots?date=${date}` })).json();
      assert.deepEqual([c.open, c.slots.length], [false, 0]);
    }
    assert.equal((await t.app.inject({ url: `/api/v1/halls/${HALL}/slots?date=tomorrow` })).statusCode, 400);
  });

  test('book, refuse a second that day, change, cancel; a confirmation goes by SMS', async () => {
    const smsBefore = await sms();
    const r = await post(`/api/v1/halls/${HALL}/appointments`, { date: '2026-12-08', start: '09:30' });
    assert.equal(r.statusCode, 201, r.body);
    const id = r.json().id as string;
    assert.equal(r.json().status, 'booked');
    assert.equal(await sms(), smsBefore + 1);
    const twice = await post(`/api/v1/halls/${HALL}/appointments`, { date: '2026-12-08', start: '10:30' });
    assert.equal(twice.json().error.code, 'HALLS.ALREADY_BOOKED');
    for (const [body, code] of [
      [{ date: '2026-12-08', start: '09:00' }, 'HALLS.SLOT_NOT_FOUND'],
      [{ date: '2027-03-01', start: '09:30' }, 'HALLS.DATE_OUT_OF_RANGE'],
      [{ date: '2026-12-06', start: '09:30' }, 'HALLS.DATE_OUT_OF_RANGE'],
    ] as const) {
      const x = await post(`/api/v1/halls/${HALL}/appointments`, body);
      assert.equal(x.json().error.code, code, x.body);
    }
    const booked = async (start: string) =>
      (await t.halls.service.slots(HALL, '2026-12-08')).slots.find(
        (s) => s.start === start && s.line === 'A',
      )!.booked;
    assert.equal(await booked('09:30'), 1);
    const ch = await post(`/api/v1/halls/${HALL}/appointments/${id}/actions`, {
      action: 'change',
      date: '2026-12-08',
      start: '14:00',
    });
    assert.equal(ch.statusCode, 200, ch.body);
    assert.deepEqual([await booked('09:30'), await booked('14:00')], [0, 1]);
    // someone else's appointment is not found, not forbidden
    const other = (await t.identity.tokenForLogin('enterprise')).token;
    const x = await post(`/api/v1/halls/${HALL}/appointments/${id}/actions`, { action: 'cancel' }, other);
    assert.equal(x.statusCode, 404);
    const c = await post(`/api/v1/halls/${HALL}/appointments/${id}/actions`, { action: 'cancel' });
    assert.equal(c.json().status, 'cancelled');
    assert.equal(await booked('14:00'), 0);
    const again = await post(`/api/v1/halls/${HALL}/appointments/${id}/actions`, { action: 'cancel' });
    assert.equal(again.json().error.code, 'HALLS.APPOINTMENT_NOT_ACTIVE');
    const clerk = (await t.identity.tokenForLogin('clerk')).token;
    assert.equal(
      (await post(`/api/v1/halls/${HALL}/appointments`, { date: '2026-12-08', start: '09:30' }, clerk))
        .statusCode,
      403,
    );
  });

  test('1,000 concurrent bookings for 10 places book exactly 10', async () => {
    await t.halls.service.setQuota(manager, HALL, { line: 'B', perSlot: 10 });
    const results = await Promise.allSettled(
      Array.from({ length: 1000 }, (_, i) =>
        t.halls.service.book(person(`contender-${i}`), HALL, {
          date: '2026-12-09',
          start: '08:30',
          line: 'B',
        }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const full = results.filter(
      (r) => r.status === 'rejected' && isDomainError(r.reason) && r.reason.code === 'HALLS.SLOT_FULL',
    ).length;
    assert.deepEqual([ok, full], [10, 990]);
    const rows = await sql<{ n: number }>`select count(*) as n from halls_appointments
      where hall_id = ${HALL} and day = '2026-12-09' and line = 'B' and status = 'booked'`.execute(
      t.store.db,
    );
    assert.equal(Number(rows.rows[0]!.n), 10);
    const slot = (await t.halls.service.slots(HALL, '2026-12-09')).slots.find(
      (s) => s.start === '08:30' && s.line === 'B',
    )!;
    assert.deepEqual([slot.quota, slot.booked, slot.available], [10, 10, 0]);
  });

  test('three no-shows in 30 days suspend online booking for 30 days from the third', async () => {
    const p = person('absent-minded');
    for (const date of ['2026-12-08', '2026-12-10', '2026-12-11'])
      await t.halls.service.book(p, HALL, { date, start: '15:00' });
    try {
      clock.set('2026-12-14T02:00:00Z'); // all three days have passed, nobody came
      const mine = await t.halls.service.myAppointments(p);
      assert.deepEqual(
        mine.map((a) => a.status),
        ['noShow', 'noShow', 'noShow'],
      );
      await assert.rejects(t.halls.service.book(p, HALL, { date: '2026-12-15', start: '15:00' }), {
        code: 'HALLS.BOOKING_SUSPENDED',
        params: { count: 3, until: '2027-01-10' },
      });
      clock.set('2027-01-11T02:00:00Z');
      const again = await t.halls.service.book(p, HALL, { date: '2027-01-12', start: '15:00' });
      assert.equal(again.status, 'booked');
    } finally {
      clock.set(MONDAY_10);
    }
  });

  test('check-in on the day turns the appointment into a ticket that goes first', async () => {
    const p = person('on-time');
    const a = await t.halls.service.book(p, HALL, { date: '2026-12-07', start: '10:30' });
    const clerk = (await t.identity.tokenForLogin('clerk')).token;
    const walkIn = await post(`/api/v1/halls/${HALL}/tickets`, { line: 'A' }, clerk);
    assert.equal(walkIn.statusCode, 201);
    const c = await t.halls.service.actOnAppointment(p, HALL, a.id, { action: 'checkIn' });
    assert.equal(c.status, 'checkedIn');
    assert.match(c.ticket ?? '', /^A\d{3}$/);
    const called = await post(`/api/v1/halls/${HALL}/windows/2/call`, {}, clerk);
    assert.equal(called.json().ticket, c.ticket);
    await assert.rejects(t.halls.service.actOnAppointment(p, HALL, a.id, { action: 'checkIn' }), {
      code: 'HALLS.APPOINTMENT_NOT_ACTIVE',
    });
  });

  test('the day-before reminder is texted once, however often the sweep runs', async () => {
    // tomorrow (8 December): the citizen's booking, and one of an account with no mobile
    const r = await post(`/api/v1/halls/${HALL}/appointments`, { date: '2026-12-08', start: '16:00' });
    assert.equal(r.statusCode, 201, r.body);
    const before = await sms();
    assert.equal(await t.halls.service.remindTomorrow(), 2);
    assert.equal(await t.halls.service.remindTomorrow(), 0);
    assert.equal(await sms(), before + 1);
  });

  async function sms(): Promise<number> {
    const r = await sql<{
      n: number;
    }>`select count(*) as n from identity_notifications where subject = '预约提醒'`.execute(t.store.db);
    return Number(r.rows[0]!.n);
  }
});

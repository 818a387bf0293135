import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { buildTestApp } from '../../../test/helpers/app.js';

/** The administrators' routes on the real app, with the demo city's accounts and bearer tokens. */
let t: TongbanApp;
before(async () => {
  t = await buildTestApp({ demo: 'on' });
});
after(() => t.close());

const post = async (login: string, payload: Record<string, unknown>) => {
  const { token } = await t.identity.tokenForLogin(login);
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/calendar/days',
    headers: { authorization: `Bearer ${token}` },
    payload,
  });
};

describe('POST /api/v1/calendar/days › with the demo accounts', () => {
  test('the platform admin enters next year’s New Year holiday; the deadline follows at once', async () => {
    const before = t.calendar.dueDate('2026-12-31', 1);
    assert.equal(before, '2027-01-01');
    const r = await post('admin', {
      regionCode: '',
      days: [{ date: '2027-01-01', kind: 'off', name: '元旦', nameEn: "New Year's Day" }],
    });
    assert.equal(r.statusCode, 200, r.body);
    const d = await t.app.inject({
      method: 'GET',
      url: '/api/v1/calendar/deadline?start=2026-12-31&workingDays=1',
    });
    assert.equal(d.json().due, '2027-01-04');
    assert.equal(d.json().explanation[1].text, '法定节假日：元旦');
  });
  test('a window clerk may not change the calendar (403)', async () => {
    const r = await post('clerk', {
      regionCode: '',
      days: [{ date: '2027-01-02', kind: 'off', name: '元旦' }],
    });
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().error.code, 'COMMON.FORBIDDEN');
  });
});

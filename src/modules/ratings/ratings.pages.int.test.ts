import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { validForm } from '../../../test/helpers/forms.js';
import { WebSession } from '../../../test/helpers/session.js';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';

/**
 * The pages, as a person uses them without JavaScript: the rating form from the case page, its
 * refusals listed, my ratings; the SMS link's page; a complaint and its status; the staff queue
 * with the overdue rectification in red; the supervisor's appeals; the public results.
 */
const CITY_ITEM = '11410100297017523N01003401100000';
let t: TongbanApp;
const clock = new ManualClock('2025-09-15T02:00:00Z');
let caseA = '';

before(async () => {
  t = await buildTestApp({ demo: 'on', clock });
  const tok = (await t.identity.tokenForLogin('citizen')).token;
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers: { authorization: `Bearer ${tok}` },
    payload: { implementationCode: CITY_ITEM, regionCode: '410105001', form: await validForm(t, CITY_ITEM) },
  });
  caseA = r.json().caseNumber;
  const admin = (await t.identity.tokenForLogin('admin')).token;
  const acc = await t.app.inject({
    method: 'POST',
    url: `/api/v1/cases/${caseA}/actions`,
    headers: { authorization: `Bearer ${admin}` },
    payload: { action: 'accept' },
  });
  assert.equal(acc.statusCode, 200, acc.body);
  await t.events.drain();
});
after(async () => t.close());

describe('ratings pages', () => {
  test('the case page links to the rating form; a missing level is listed, nothing is written', async () => {
    const s = new WebSession(t);
    await s.login('citizen');
    const casePage = await s.get(`/cases/${caseA}`);
    assert.match(casePage.body, new RegExp(`href="/cases/${caseA}/rate"`));
    const form = await s.get(`/cases/${caseA}/rate`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /办事指南准确性/);
    assert.doesNotMatch(form.body, /服务态度/, 'an online case is rated on the online indicators');
    const bad = await s.post(`/cases/${caseA}/rate`, { stage: 'accepted' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /error-summary/);
    assert.match(bad.body, /href="#f-level"/);
    const ok = await s.post(`/cases/${caseA}/rate`, {
      stage: 'accepted',
      level: '2',
      indicators: 'efficiency',
      text: '等待时间太长',
    });
    assert.equal(ok.statusCode, 303, ok.body);
    const done = await s.get(String(ok.headers.location));
    assert.match(done.body, /感谢您的评价/);
    assert.match(done.body, /不满意/);
    assert.match(done.body, /UTC\+8/);
    const mine = await s.get('/ratings');
    assert.match(mine.body, new RegExp(caseA));
  });

  test('the window pad: the clerk of the receiving hall opens it for the applicant, offline indicators, tied to the window', async () => {
    const clerk = (await t.identity.tokenForLogin('clerk')).token;
    const walkIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${clerk}` },
      payload: {
        implementationCode: '11410105414644738F05001200400000',
        regionCode: '410105001',
        form: await validForm(t, '11410105414644738F05001200400000'),
        hallId: 'H410105001',
        applicantId: await t.identity.accountIdByLogin('citizen'),
      },
    });
    const n = walkIn.json().caseNumber;
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${n}/actions`,
      headers: { authorization: `Bearer ${clerk}` },
      payload: { action: 'accept' },
    });
    const s = new WebSession(t);
    await s.login('clerk');
    const pad = await s.get(`/workbench/rate/${n}?window=A03`);
    assert.equal(pad.statusCode, 200, pad.body);
    assert.match(pad.body, /服务态度/);
    assert.match(pad.body, /value="A03"/);
    const sent = await s.post(`/workbench/rate/${n}`, {
      window: 'A03',
      stage: 'accepted',
      level: '5',
      indicators: 'attitude',
    });
    assert.equal(sent.statusCode, 303, sent.body);
    assert.match((await s.get(String(sent.headers.location))).body, /感谢您的评价/);
    const citizen = new WebSession(t);
    await citizen.login('citizen');
    assert.equal((await citizen.get(`/workbench/rate/${n}`)).statusCode, 403);
  });

  test('the SMS link opens a form without a login and takes one rating', async () => {
    const sms = (await t.identity.service.notifications(50)).find(
      (n) => n.body.includes('/r/') && n.body.includes(caseA),
    );
    assert.ok(sms);
    const path = `/r/${/\/r\/(\S+)/.exec(sms.body)?.[1]}`;
    const s = new WebSession(t);
    const form = await s.get(path);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /受理环节|name="stage"/);
    const sent = await s.post(path, { level: '5', indicators: 'convenience' });
    assert.equal(sent.statusCode, 200, sent.body);
    assert.match(sent.body, /评价已提交/);
    const again = await s.get(path);
    assert.equal(again.statusCode, 409);
  });

  test('a complaint from the form; its page shows the due date; the answer is rated', async () => {
    const s = new WebSession(t);
    await s.login('citizen');
    const form = await s.get(`/complaints/new?case=${caseA}`);
    assert.match(form.body, new RegExp(`value="${caseA}"`));
    const bad = await s.post('/complaints', {
      kind: 'complaint',
      subjectType: 'case',
      subjectRef: caseA,
      title: '',
      body: '',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /error-summary/);
    const filed = await s.post('/complaints', {
      kind: 'complaint',
      subjectType: 'case',
      subjectRef: caseA,
      title: '等待时间长',
      body: '受理后没有任何进展通知。',
    });
    assert.equal(filed.statusCode, 303, filed.body);
    const page = await s.get(String(filed.headers.location));
    assert.match(page.body, /2025-09-28/);
    const staff = new WebSession(t);
    await staff.login('approver');
    const queue = await staff.get('/staff/complaints');
    assert.match(queue.body, /等待时间长/);
    const n = /ZM\d+/.exec(String(filed.headers.location))?.[0];
    const answered = await staff.post(
      `/staff/complaints/${n}/answer`,
      { answer: '已督促办理，请留意短信。' },
      { from: `/staff/complaints/${n}` },
    );
    assert.equal(answered.statusCode, 303, answered.body);
    const rated = await s.post(`/complaints/${n}/rating`, { level: '4' }, { from: `/complaints/${n}` });
    assert.equal(rated.statusCode, 303, rated.body);
    assert.match((await s.get(`/complaints/${n}`)).body, /您对答复的评价：满意/);
  });

  test('the staff queue shows the overdue rectification in red, in words too; a citizen is refused', async () => {
    clock.set(new Date('2025-10-20T02:00:00Z'));
    const staff = new WebSession(t);
    await staff.login('approver');
    const q = await staff.get('/staff/rectifications');
    assert.equal(q.statusCode, 200);
    assert.match(q.body, /tag-red/);
    assert.match(q.body, /已超期/);
    const citizen = new WebSession(t);
    await citizen.login('citizen');
    assert.equal((await citizen.get('/staff/rectifications')).statusCode, 403);
    const id = /\/staff\/rectifications\/([0-9a-f-]{36})/.exec(q.body)?.[1];
    assert.ok(id);
    const early = await staff.post(`/staff/rectifications/${id}`, { action: 'fix', note: '已整改' });
    assert.equal(early.statusCode, 409);
    assert.match(early.body, /须先回访/);
    const cb = await staff.post(`/staff/rectifications/${id}`, { action: 'callback', note: '已电话回访' });
    assert.equal(cb.statusCode, 303, cb.body);
    const appeal = await staff.post(`/staff/rectifications/${id}`, {
      action: 'appeal',
      ground: 'malicious',
      note: '评价人承认误操作',
    });
    assert.equal(appeal.statusCode, 303, appeal.body);
    const sup = new WebSession(t);
    await sup.login('supervisor');
    const appeals = await sup.get('/supervision/appeals');
    assert.match(appeals.body, new RegExp(caseA));
    const decided = await sup.post(`/staff/rectifications/${id}`, {
      action: 'decideAppeal',
      upheld: 'true',
      note: '回访录音证实为误操作',
    });
    assert.equal(decided.statusCode, 303, decided.body);
    assert.match((await sup.get(`/staff/rectifications/${id}`)).body, /申诉成立/);
    clock.set(new Date('2025-09-15T02:00:00Z'));
  });

  test('the public results page: a chart with its table, in English too', async () => {
    const r = await t.app.inject({
      url: '/ratings/results?month=2025-09&region=4101',
      headers: { accept: 'text/html' },
    });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<svg/);
    assert.match(r.body, /郑州市市场监督管理局/);
    const en = await t.app.inject({
      url: '/ratings/results?month=2025-09&region=4101',
      headers: { accept: 'text/html', 'accept-language': 'en' },
    });
    assert.match(en.body, /Rectification rate/);
  });
});

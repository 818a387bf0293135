import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { validForm } from '../../../test/helpers/forms.js';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';
import { createCalendar } from '../../platform/calendar/index.js';
import { sql } from '../../platform/db/index.js';

// demo catalogue items: a city 许可-type registration decided by 郑州市市场监督管理局 (the
// `approver`'s department), and a county item each 区 implements
const CITY_ITEM = '11410100297017523N01003401100000'; // 食品小经营店登记, 3 working days
const COUNTY_ITEM = '11410105414644738F05001200400000'; // 失业保险金申领 (金水区)
const ORG_ITEM = '11410100297017523N01003400500000'; // 食品经营许可证核发 (organisations)

let t: TongbanApp;
const clock = new ManualClock('2025-09-15T02:00:00Z');
before(async () => {
  t = await buildTestApp({ demo: 'on', clock, shipped: true });
});
after(async () => t.close());

const bearer = async (login: string) => ({
  authorization: `Bearer ${(await t.identity.tokenForLogin(login)).token}`,
});

const formFor = (code: string) => validForm(t, code);

async function submit(login: string, body: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: await bearer(login), payload: body });
}

async function act(login: string, caseNumber: string, body: Record<string, unknown>) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/cases/${caseNumber}/actions`,
    headers: await bearer(login),
    payload: body,
  });
}

describe('cases through the app (demo city)', () => {
  let caseNumber = '';

  test('POST /api/v1/cases › 201 with the case number (实施编码 + date + sequence)', async () => {
    const res = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
    });
    assert.equal(res.statusCode, 201, res.body);
    caseNumber = res.json().caseNumber;
    assert.match(caseNumber, new RegExp(`^${CITY_ITEM}20250915\\d{6}$`));
    assert.equal(res.json().status, 'submitted');
  });

  test('a window accepts, the department decides, the clock runs in working days', async () => {
    const acc = await act('admin', caseNumber, { action: 'accept' });
    assert.equal(acc.statusCode, 200, acc.body);
    assert.equal(acc.json().clock.state, 'running');
    assert.equal(acc.json().clock.due, '2025-09-18'); // 3 working days after Monday 15 September
    for (const a of [
      { action: 'startStep', step: '审核' },
      { action: 'completeStep' },
      { action: 'approve' },
      { action: 'issueResult', delivery: 'online' },
      { action: 'complete' },
    ]) {
      const r = await act('approver', caseNumber, a);
      assert.equal(r.statusCode, 200, `${a.action}: ${r.body}`);
    }
    const v = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cases/${caseNumber}`,
      headers: await bearer('citizen'),
    });
    assert.equal(v.statusCode, 200);
    assert.equal(v.json().status, 'completed');
    assert.equal(v.json().clock.state, 'stopped');
    assert.equal(v.json().actions.length, 7);
    assert.equal(v.json().actions[1].actor, 'staff');
  });

  test('notifications › the applicant is told each step by SMS through the outbox (dev mailbox)', async () => {
    await t.events.drain();
    const box = await t.app.inject({ method: 'GET', url: '/dev/mailbox' });
    assert.equal(box.statusCode, 200);
    assert.ok(box.body.includes(caseNumber), 'the case number is in a message');
    assert.doesNotMatch(box.body, /13800000000/, 'the mobile is masked in the mailbox');
  });

  test('bad input › a form that fails its schema is a 400 with the fields, and nothing is written', async () => {
    const before = await t.app.inject({
      method: 'GET',
      url: '/api/v1/cases',
      headers: await bearer('citizen'),
    });
    const res = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: { mobile: 'abc' },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'CASES.FORM_INVALID');
    assert.ok(res.json().error.details.some((d: { field: string }) => d.field === 'mobile'));
    const afterList = await t.app.inject({
      method: 'GET',
      url: '/api/v1/cases',
      headers: await bearer('citizen'),
    });
    assert.equal(afterList.json().cases.length, before.json().cases.length);
  });

  test('bad input › an action not allowed now is a 409; by the wrong region’s clerk a 403', async () => {
    const res = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
    });
    const n = res.json().caseNumber;
    const early = await act('approver', n, { action: 'approve' });
    assert.equal(early.statusCode, 409);
    assert.equal(early.json().error.code, 'CASES.TRANSITION_NOT_ALLOWED');
    // the township clerk (410105001) cannot accept a case the city bureau decides
    const wrong = await act('clerk', n, { action: 'accept' });
    assert.equal(wrong.statusCode, 403);
    assert.equal(wrong.json().error.code, 'CASES.OUT_OF_SCOPE');
    const v = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cases/${n}`,
      headers: await bearer('citizen'),
    });
    assert.equal(v.json().actions.length, 1);
  });

  test('bad input › a mislabelled upload is a 415 by content', async () => {
    const it = await t.catalog.getPublishedItem(CITY_ITEM);
    const material = it?.materials[0]?.code;
    assert.ok(material);
    const res = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
      materials: [
        {
          code: material,
          filename: 'photo.pdf',
          mediaType: 'application/pdf',
          contentBase64: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2]).toString(
            'base64',
          ),
        },
      ],
    });
    assert.equal(res.statusCode, 415);
    assert.equal(res.json().error.code, 'CASES.UPLOAD_LABEL');
  });

  test('routing › a county item goes to the applicant’s own 区', async () => {
    const a = await submit('citizen', {
      implementationCode: COUNTY_ITEM,
      regionCode: '410105001',
      form: await formFor(COUNTY_ITEM),
    });
    assert.equal(a.statusCode, 201, a.body);
    const b = await submit('citizen', {
      implementationCode: COUNTY_ITEM,
      regionCode: '410102001',
      form: await formFor(COUNTY_ITEM),
    });
    assert.equal(b.statusCode, 201, b.body);
    assert.notEqual(a.json().departmentId, b.json().departmentId);
  });

  test('一件事 › the birth bundle creates one sub-case per department', async () => {
    const bundle = (await t.catalog.listBundles()).find((x) => x.code === 'BIRTH');
    assert.ok(bundle);
    const form: Record<string, unknown> = {};
    for (const m of bundle.members) Object.assign(form, await formFor(m.implementationCode));
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/bundles',
      headers: await bearer('citizen'),
      payload: { bundleCode: 'BIRTH', regionCode: '410105001', form },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().cases.length, bundle.members.length);
    const v = await t.app.inject({
      method: 'GET',
      url: `/api/v1/bundles/${res.json().bundleNumber}`,
      headers: await bearer('citizen'),
    });
    assert.deepEqual(v.json().progress, { done: 0, total: bundle.members.length });
  });

  test('pages › my cases, the case page with its clock, and the workbench queue render', async () => {
    const mine = await t.app.inject({ method: 'GET', url: '/cases', headers: await bearer('citizen') });
    assert.equal(mine.statusCode, 200);
    assert.ok(mine.body.includes(caseNumber));
    const page = await t.app.inject({
      method: 'GET',
      url: `/cases/${caseNumber}`,
      headers: await bearer('citizen'),
    });
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('已办结'));
    const wb = await t.app.inject({ method: 'GET', url: '/workbench', headers: await bearer('approver') });
    assert.equal(wb.statusCode, 200, wb.body);
    // the admin accepts everywhere: its window queue lists the applications waiting for acceptance
    const waiting = await t.app.inject({ method: 'GET', url: '/workbench', headers: await bearer('admin') });
    assert.equal(waiting.statusCode, 200, waiting.body);
    assert.ok(waiting.body.includes('待受理的申请'));
    const sup = await t.app.inject({ method: 'GET', url: '/workbench', headers: await bearer('supervisor') });
    assert.equal(sup.statusCode, 200, sup.body);
    assert.ok(sup.body.includes('时限预警'));
    const explain = await t.app.inject({
      method: 'GET',
      url: `/cases/${caseNumber}/clock`,
      headers: await bearer('citizen'),
    });
    assert.equal(explain.statusCode, 200);
    const other = await t.app.inject({
      method: 'GET',
      url: `/cases/${caseNumber}`,
      headers: await bearer('enterprise'),
    });
    assert.equal(other.statusCode, 404);
  });

  test('clock warnings › the sweep raises a yellow warning once', async () => {
    const res = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
    });
    const n = res.json().caseNumber;
    await act('admin', n, { action: 'accept' });
    clock.set('2025-09-17T02:00:00Z'); // 1 working day left
    const r = await t.cases.sweepClocks();
    assert.ok(r.yellow >= 1);
    const v = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cases/${n}`,
      headers: await bearer('approver'),
    });
    assert.equal(v.json().clock.colour, 'yellow');
    clock.set('2025-09-15T02:00:00Z');
  });

  /** A 3-working-day case accepted on Monday 15 September: due Thursday the 18th. */
  async function acceptedOnMonday(): Promise<string> {
    const res = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
    });
    const n = res.json().caseNumber as string;
    const acc = await act('admin', n, { action: 'accept' });
    assert.equal(acc.json().clock.due, '2025-09-18');
    return n;
  }

  test('a calendar change applies to running cases: a local day off moves the due date', async () => {
    const n = await acceptedOnMonday();
    await t.calendar.setDays(
      { regionCode: '4101', days: [{ date: '2025-09-16', kind: 'off', name: '测试调整' }] },
      null,
    );
    await t.events.drain();
    const q = await t.app.inject({
      method: 'GET',
      url: '/api/v1/workbench/queue?status=accepted&pageSize=100',
      headers: await bearer('approver'),
    });
    assert.equal(q.statusCode, 200, q.body);
    const row = q.json().cases.find((c: { caseNumber: string }) => c.caseNumber === n);
    assert.equal(row?.promisedDue, '2025-09-19');
    await t.calendar.removeDays({ regionCode: '4101', dates: ['2025-09-16'] }, null);
    await t.events.drain();
  });

  test('a calendar change made by another node reaches running cases: the consumer re-reads the calendar first', async () => {
    const n = await acceptedOnMonday();
    // another node (the CLI, a second server) changes the calendar in the same store: this app's
    // calendar has not re-read it when the event reaches its consumer
    const other = createCalendar({ store: t.store, clock });
    await other.load();
    await other.setDays(
      { regionCode: '4101', days: [{ date: '2025-09-17', kind: 'off', name: '另一节点' }] },
      null,
    );
    await t.events.drain({ timeoutMs: 20_000 });
    const v = await t.app.inject({ url: `/api/v1/cases/${n}`, headers: await bearer('approver') });
    assert.equal(v.json().clock.due, '2025-09-19');
    await other.removeDays({ regionCode: '4101', dates: ['2025-09-17'] }, null);
    await t.events.drain({ timeoutMs: 20_000 });
  });

  test('免提交 › a material the applicant’s own e-licence supplies is trust level A; someone else’s is refused', async () => {
    const lic = await t.app.inject({
      method: 'GET',
      url: '/api/v1/licences?holder=me',
      headers: await bearer('citizen'),
    });
    const identifier = lic.json().licences[0]?.identifier as string;
    const other = await t.app.inject({
      method: 'GET',
      url: '/api/v1/licences?holder=me',
      headers: await bearer('enterprise'),
    });
    const notMine = other.json().licences[0]?.identifier as string;
    const material = (await t.catalog.getPublishedItem(CITY_ITEM))?.materials[0]?.code as string;
    const ok = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
      licenceMaterials: { [material]: identifier },
    });
    assert.equal(ok.statusCode, 201, ok.body);
    const v = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cases/${ok.json().caseNumber}`,
      headers: await bearer('citizen'),
    });
    assert.deepEqual(
      v
        .json()
        .materials.map((m: { trustLevel: string; licenceIdentifier: string }) => [
          m.trustLevel,
          m.licenceIdentifier,
        ]),
      [['A', identifier]],
    );
    const bad = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
      licenceMaterials: { [material]: notMine },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'CASES.LICENCE_NOT_USABLE');
  });

  test('免提交 › each e-licence a case uses is recorded (recordUse) and the holder’s wallet shows who used it, for which case, when', async () => {
    const citizenId = (await t.identity.accountIdByLogin('citizen'))!;
    const lic = await t.app.inject({ url: '/api/v1/licences?holder=me', headers: await bearer('citizen') });
    const identifier = lic.json().licences[0]?.identifier as string;
    const material = (await t.catalog.getPublishedItem(CITY_ITEM))?.materials[0]?.code as string;
    const before = (await t.licences.usesOf(identifier, citizenId)).length;
    const bad = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: { ...(await formFor(CITY_ITEM)), unknownField: 1 },
      licenceMaterials: { [material]: identifier },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(
      (await t.licences.usesOf(identifier, citizenId)).length,
      before,
      'a refused case uses nothing',
    );
    const ok = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
      licenceMaterials: { [material]: identifier },
    });
    assert.equal(ok.statusCode, 201, ok.body);
    const n = ok.json().caseNumber as string;
    const uses = await t.licences.usesOf(identifier, citizenId);
    assert.equal(uses.length, before + 1);
    assert.equal(uses[0]?.caseNumber, n);
    assert.equal(uses[0]?.departmentId, ok.json().departmentId);
    assert.equal(uses[0]?.usedAt, clock.now().toISOString());
    const wallet = await t.app.inject({
      url: '/licences',
      headers: { ...(await bearer('citizen')), accept: 'text/html' },
    });
    assert.equal(wallet.statusCode, 200);
    assert.match(wallet.body, new RegExp(n));
    assert.match(wallet.body, /郑州市市场监督管理局/, 'who used it, by name');
  });

  test('出证 › approving an item whose result is an e-licence issues it into the applicant’s wallet', async () => {
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/items?q=个体工商户设立登记&region=410105&pageSize=5',
    });
    const code = list.json().items.find((i: { region: string }) => i.region === '410105')
      ?.implementationCode as string;
    assert.ok(code, 'a 金水区 个体工商户设立登记 implementation');
    const s = await submit('citizen', {
      implementationCode: code,
      regionCode: '410105001',
      form: await formFor(code),
    });
    assert.equal(s.statusCode, 201, s.body);
    const n = s.json().caseNumber as string;
    for (const a of [
      { action: 'accept' },
      { action: 'startStep', step: '审核' },
      { action: 'completeStep' },
      { action: 'approve' },
      { action: 'issueResult', delivery: 'online' },
    ]) {
      const r = await act('admin', n, a);
      assert.equal(r.statusCode, 200, `${a.action}: ${r.body}`);
    }
    const v = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cases/${n}`,
      headers: await bearer('citizen'),
    });
    const identifier = v.json().result?.licenceIdentifier as string;
    assert.match(identifier ?? '', /^1\.2\.156\.3005\.2\./);
    const verify = await t.app.inject({ method: 'GET', url: `/api/v1/licences/${identifier}/verify` });
    assert.equal(verify.statusCode, 200);
    assert.equal(verify.json().valid, true);
    const wallet = await t.app.inject({
      method: 'GET',
      url: '/api/v1/licences?holder=me',
      headers: await bearer('citizen'),
    });
    assert.ok(wallet.json().licences.some((l: { identifier: string }) => l.identifier === identifier));
    // every step of the case, and the licence's issuance, are provable in the transparency log
    await t.events.drain();
    const caseLog = await t.app.inject({ method: 'GET', url: `/log/object?type=case&id=${n}` });
    assert.equal(caseLog.statusCode, 200);
    assert.equal((caseLog.body.match(/href="\/log\/verify\?index=\d+"/g) ?? []).length, 6);
    const licLog = await t.app.inject({ method: 'GET', url: `/log/object?type=licence&id=${identifier}` });
    assert.match(licLog.body, /licences\.issued/);
  });

  test('OpenAPI › the cases routes are described', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    const paths = Object.keys(res.json().paths);
    for (const p of [
      '/api/v1/cases',
      '/api/v1/cases/{caseNumber}',
      '/api/v1/cases/{caseNumber}/actions',
      '/api/v1/bundles',
      '/api/v1/workbench/queue',
    ])
      assert.ok(paths.includes(p), p);
  });

  test('tongban seed --cases N › generated historical cases go through the service', async () => {
    const m = t.modules.find((x) => x.name === 'cases');
    const bar = { tick() {}, done() {} };
    await m?.seedScale?.({ cases: 60, progress: () => bar });
    const counts = await t.cases.colourCountsInRegion('');
    assert.ok(Object.values(counts).reduce((a, b) => a + b, 0) > 0);
    const ev = await t.app.inject({ method: 'GET', url: '/api/v1/stats/events' });
    assert.equal(ev.statusCode, 200);
  });

  test('walk-in › an applicant the platform does not know (no account, no ID number on record, a staff account) is refused; nothing written', async () => {
    const count = async () =>
      Number((await sql<{ n: number }>`select count(*) as n from cases`.execute(t.store.db)).rows[0]?.n ?? 0);
    const before = await count();
    for (const applicantId of [
      'nobody-at-all',
      '11010519491231002X', // a valid ID number no account holds
      String(await t.identity.accountIdByLogin('approver')),
    ]) {
      const res = await submit('clerk', {
        implementationCode: COUNTY_ITEM,
        regionCode: '410105001',
        form: await formFor(COUNTY_ITEM),
        hallId: 'H410105001',
        applicantId,
      });
      assert.equal(res.statusCode, 400, `${applicantId}: ${res.body}`);
      assert.equal(res.json().error.code, 'CASES.APPLICANT_UNKNOWN');
    }
    assert.equal(await count(), before);
  });

  test('walk-in › the first action and the cases.submitted event name both the clerk who acted and the person applied for', async () => {
    const clerkId = (await t.identity.accountIdByLogin('clerk'))!;
    const citizenId = (await t.identity.accountIdByLogin('citizen'))!;
    const res = await submit('clerk', {
      implementationCode: COUNTY_ITEM,
      regionCode: '410105001',
      form: await formFor(COUNTY_ITEM),
      hallId: 'H410105001',
      applicantId: citizenId,
    });
    assert.equal(res.statusCode, 201, res.body);
    const n = res.json().caseNumber as string;
    const v = await t.app.inject({ url: `/api/v1/cases/${n}`, headers: await bearer('clerk') });
    const first = v.json().actions[0] as { action: string; actor: string; details: Record<string, unknown> };
    assert.equal(first.action, 'submit');
    assert.equal(first.actor, clerkId);
    assert.equal(first.details.onBehalfOf, citizenId);
    const ev = await sql<{ actor: string; payload: string }>`select actor, payload from events
      where aggregate_id = ${n} and type = 'cases.submitted'`.execute(t.store.db);
    assert.equal(ev.rows[0]?.actor, clerkId);
    assert.equal(JSON.parse(ev.rows[0]!.payload).onBehalfOf, citizenId);
  });

  test('walk-in › the clerk may name the applicant by the ID number on their card', async () => {
    const citizenId = (await t.identity.accountIdByLogin('citizen'))!;
    const idNumber = (await t.identity.personalData(citizenId))!.idNumber!;
    const res = await submit('clerk', {
      implementationCode: COUNTY_ITEM,
      regionCode: '410105001',
      form: await formFor(COUNTY_ITEM),
      hallId: 'H410105001',
      applicantId: idNumber.toLowerCase(),
    });
    assert.equal(res.statusCode, 201, res.body);
    const mine = await t.app.inject({
      url: `/api/v1/cases/${res.json().caseNumber}`,
      headers: await bearer('citizen'),
    });
    assert.equal(mine.statusCode, 200, 'the case is the citizen’s');
  });

  test('walk-in › a clerk enters an application for a citizen at the hall; the hall queue lists it; the clerk accepts', async () => {
    const applicantId = await t.identity.accountIdByLogin('citizen');
    const res = await submit('clerk', {
      implementationCode: COUNTY_ITEM,
      regionCode: '410105001',
      form: await formFor(COUNTY_ITEM),
      hallId: 'H410105001',
      applicantId,
    });
    assert.equal(res.statusCode, 201, res.body);
    const n = res.json().caseNumber;
    const q = await t.app.inject({
      method: 'GET',
      url: '/api/v1/workbench/queue?hall=H410105001',
      headers: await bearer('clerk'),
    });
    assert.equal(q.statusCode, 200, q.body);
    assert.ok(q.json().cases.some((c: { caseNumber: string }) => c.caseNumber === n));
    const acc = await act('clerk', n, { action: 'accept' });
    assert.equal(acc.statusCode, 200, acc.body);
    const mine = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cases/${n}`,
      headers: await bearer('citizen'),
    });
    assert.equal(mine.json().channel, 'window');
  });
});

describe('idempotent requests › a client requestId', () => {
  const eventsOf = async (aggregateId: string) =>
    (
      await sql<{ type: string }>`select type from events where aggregate_id = ${aggregateId}`.execute(
        t.store.db,
      )
    ).rows.map((r) => r.type);
  // counted in the store: the API lists a page of 20
  const myCaseCount = async (login: string) => {
    const id = await t.identity.accountIdByLogin(login);
    const r = await sql<{ n: number }>`select count(*) as n from cases where applicant_id = ${id}`.execute(
      t.store.db,
    );
    return Number(r.rows[0]?.n);
  };
  const actionsOf = async (caseNumber: string) =>
    (await t.app.inject({ url: `/api/v1/cases/${caseNumber}`, headers: await bearer('citizen') })).json()
      .actions as Array<{ action: string }>;
  const id = () => `req-${randomUUID()}`;

  test('a submission retried after it succeeded gets the first answer (201, same case); no second case or event', async () => {
    const body = {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
      requestId: id(),
    };
    const before = await myCaseCount('citizen');
    const first = await submit('citizen', body);
    assert.equal(first.statusCode, 201, first.body);
    const again = await submit('citizen', body);
    assert.equal(again.statusCode, 201, again.body);
    assert.deepEqual(again.json(), first.json());
    assert.equal(await myCaseCount('citizen'), before + 1);
    assert.deepEqual(await eventsOf(first.json().caseNumber), ['cases.submitted']);
  });

  test('an action retried after it succeeded gets the first answer, not TRANSITION_NOT_ALLOWED; one action recorded', async () => {
    const s = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
    });
    const n = s.json().caseNumber as string;
    const accept = { action: 'accept', requestId: id() };
    const first = await act('admin', n, accept);
    assert.equal(first.statusCode, 200, first.body);
    const again = await act('admin', n, accept);
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json(), first.json());
    assert.deepEqual(
      (await actionsOf(n)).map((a) => a.action),
      ['submit', 'accept'],
    );
    // the request id is the request's, not the case record's
    const view = await t.app.inject({ url: `/api/v1/cases/${n}`, headers: await bearer('admin') });
    assert.deepEqual(view.json().actions[1].details, {});
    // control: the same act as a new request is refused by the workflow
    const fresh = await act('admin', n, { action: 'accept', requestId: id() });
    assert.equal(fresh.statusCode, 409);
    assert.equal(fresh.json().error.code, 'CASES.TRANSITION_NOT_ALLOWED');
  });

  test('a requestId reused for a different request is refused (422 CASES.REQUEST_ID_REUSED, zh and en) and nothing is written', async () => {
    const requestId = id();
    const form = await formFor(CITY_ITEM);
    const first = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form,
      requestId,
    });
    assert.equal(first.statusCode, 201, first.body);
    const before = await myCaseCount('citizen');
    const other = { implementationCode: CITY_ITEM, regionCode: '410105002', form, requestId };
    const zh = await submit('citizen', other);
    assert.equal(zh.statusCode, 422, zh.body);
    assert.equal(zh.json().error.code, 'CASES.REQUEST_ID_REUSED');
    assert.match(zh.json().error.message, /请求编号/);
    const en = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { ...(await bearer('citizen')), 'accept-language': 'en' },
      payload: other,
    });
    assert.equal(en.statusCode, 422);
    assert.match(en.json().error.message, /request ID was already used/);
    // an action under a submission's id is another request too
    const reused = await act('admin', first.json().caseNumber, { action: 'accept', requestId });
    assert.equal(reused.statusCode, 200, 'ids are per account: the clerk’s is its own');
    const mine = await act('citizen', first.json().caseNumber, { action: 'withdraw', requestId });
    assert.equal(mine.statusCode, 422);
    assert.equal(await myCaseCount('citizen'), before);
    assert.deepEqual(
      (await actionsOf(first.json().caseNumber)).map((a) => a.action),
      ['submit', 'accept'],
    );
  });

  test('a requestId is per account: another applicant using the same one makes their own case', async () => {
    const requestId = id();
    const mine = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
      requestId,
    });
    // 食品经营许可证核发, an organisation's item
    const theirs = await submit('enterprise', {
      implementationCode: ORG_ITEM,
      regionCode: '410105001',
      form: { ...(await formFor(ORG_ITEM)), creditCode: '91410105202600012R' },
      requestId,
    });
    assert.equal(mine.statusCode, 201, mine.body);
    assert.equal(theirs.statusCode, 201, theirs.body);
    assert.notEqual(mine.json().caseNumber, theirs.json().caseNumber);
  });

  test('一件事 › a bundle submission retried gets the same bundle and sub-cases', async () => {
    const bundle = (await t.catalog.listBundles()).find((x) => x.code === 'BIRTH');
    assert.ok(bundle);
    const form: Record<string, unknown> = {};
    for (const m of bundle.members) Object.assign(form, await formFor(m.implementationCode));
    const post = async () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/bundles',
        headers: await bearer('citizen'),
        payload: { bundleCode: 'BIRTH', regionCode: '410105001', form, requestId: 'birth-bundle-once' },
      });
    const first = await post();
    assert.equal(first.statusCode, 201, first.body);
    const again = await post();
    assert.equal(again.statusCode, 201, again.body);
    assert.deepEqual(again.json(), first.json());
    assert.deepEqual(await eventsOf(first.json().bundleNumber), ['cases.bundleSubmitted']);
  });

  test('concurrent duplicates › the same request sent eight times at once makes one case and one action, every answer the first', async () => {
    const before = await myCaseCount('citizen');
    const body = {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
      requestId: id(),
    };
    const headers = await bearer('citizen');
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.app.inject({ method: 'POST', url: '/api/v1/cases', headers, payload: body }),
      ),
    );
    assert.deepEqual(
      answers.map((r) => r.statusCode),
      Array(8).fill(201),
      answers.map((r) => r.body).join('\n'),
    );
    const numbers = new Set(answers.map((r) => r.json().caseNumber as string));
    assert.equal(numbers.size, 1);
    assert.equal(await myCaseCount('citizen'), before + 1);
    const [n] = [...numbers] as [string];
    const admin = await bearer('admin');
    const accept = { action: 'accept', requestId: id() };
    const acted = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.app.inject({ method: 'POST', url: `/api/v1/cases/${n}/actions`, headers: admin, payload: accept }),
      ),
    );
    assert.deepEqual(
      acted.map((r) => r.statusCode),
      Array(8).fill(200),
      acted.map((r) => r.body).join('\n'),
    );
    assert.equal(new Set(acted.map((r) => r.body)).size, 1);
    assert.deepEqual(
      (await actionsOf(n)).map((a) => a.action),
      ['submit', 'accept'],
    );
  });

  test('pages › a re-posted action form (same requestId) lands where the first did; one action', async () => {
    const s = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
    });
    const n = s.json().caseNumber as string;
    const page = await t.app.inject({ url: `/workbench/cases/${n}`, headers: await bearer('admin') });
    const requestId = /name="requestId" value="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(requestId, 'each action form carries its own request id');
    const post = async () =>
      t.app.inject({
        method: 'POST',
        url: `/workbench/cases/${n}/actions`,
        headers: { ...(await bearer('admin')), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ action: 'accept', requestId }).toString(),
      });
    const first = await post();
    const again = await post();
    assert.equal(first.statusCode, 303, first.body);
    assert.equal(again.statusCode, 303, again.body);
    assert.equal(again.headers.location, first.headers.location);
    assert.deepEqual(
      (await actionsOf(n)).map((a) => a.action),
      ['submit', 'accept'],
    );
  });

  test('the workbench case page › the clock explained in a sentence; every action form asks for its reasons', async () => {
    const s = await submit('citizen', {
      implementationCode: CITY_ITEM,
      regionCode: '410105001',
      form: await formFor(CITY_ITEM),
    });
    const n = s.json().caseNumber as string;
    const accepted = await act('admin', n, { action: 'accept' });
    assert.equal(accepted.statusCode, 200, accepted.body);
    const before = clock.now();
    clock.set('2025-09-22T02:00:00Z'); // a week later: Monday, two weekend days between
    try {
      const page = await t.app.inject({ url: `/workbench/cases/${n}`, headers: await bearer('admin') });
      assert.equal(page.statusCode, 200);
      const m =
        /(\d{4}-\d{2}-\d{2}) 受理，受理当日不计入。截至今天已计 (\d+) 个工作日，其间 (\d+) 个非工作日/.exec(
          page.body,
        );
      assert.ok(m, 'the clock sentence');
      // every day after acceptance up to today is either counted or skipped as not a working day
      const days = (Date.parse('2025-09-22') - Date.parse(m[1]!)) / 86_400_000;
      assert.equal(Number(m[2]) + Number(m[3]), days);
      assert.ok(Number(m[3]) >= 2, 'the weekend skipped');
      // the action forms: a refusal's reason and legal basis required, optional reasons offered
      const forms = [...page.body.matchAll(/<form[^>]*class="action-form"[^>]*>([\s\S]*?)<\/form>/g)].map(
        (f) => f[1]!,
      );
      const form = (a: string) => forms.find((f) => f.includes(`name="action" value="${a}"`));
      const reject = form('reject');
      if (reject) {
        assert.match(reject, /name="reject\.reason"[^>]*required/);
        assert.match(reject, /name="reject\.legalBasis"[^>]*required/);
      }
      const extend = form('extend');
      assert.ok(extend, 'extend offered on an accepted case');
      assert.match(extend, /name="extend\.approvedBy"[^>]*required/);
      assert.match(extend, /name="extend\.reason"/);
      const suspend = form('suspend');
      assert.ok(suspend, 'suspend offered on an accepted case');
      assert.match(suspend, /name="suspend\.note"/);
      // a refusal posted without its reason is refused with a coded 400 and nothing recorded
      if (reject) {
        const r = await t.app.inject({
          method: 'POST',
          url: `/workbench/cases/${n}/actions`,
          headers: { ...(await bearer('admin')), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({
            action: 'reject',
            'reject.reason': '',
            'reject.legalBasis': '',
          }).toString(),
        });
        assert.equal(r.statusCode, 400, r.body.slice(0, 300));
      }
      assert.deepEqual(
        (await actionsOf(n)).map((a) => a.action),
        ['submit', 'accept'],
      );
    } finally {
      clock.set(before);
    }
  });

  test('OpenAPI › requestId is documented on submissions, bundles and actions', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
    const bodyOf = (path: string) =>
      JSON.stringify(doc.paths[path].post.requestBody.content['application/json'].schema);
    for (const p of ['/api/v1/cases', '/api/v1/bundles', '/api/v1/cases/{caseNumber}/actions']) {
      const schema = bodyOf(p);
      assert.match(schema, /"requestId"/, p);
      assert.match(schema, /idempotency key/, p);
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { validForm } from '../../../test/helpers/forms.js';
import { type FilePart, WebSession, tokenOn } from '../../../test/helpers/session.js';
import { committedEvents, testDialect } from '../../../test/helpers/store.js';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';
import { sql } from '../../platform/db/index.js';
import { DEMO_GRID_REGION, DEMO_PASSWORD, DEMO_PEOPLE } from '../identity/identity.demo.js';
import { allPerformanceCells } from '../stats/stats.store.js';
import { formSteps } from './cases.forms.js';

/**
 * 帮办代办 on the pages and 出件 (issue 14 item 5): the demo 网格员 of 体育社区 (`grid-worker`)
 * applies for the demo elderly resident (`elder`, who gave a 委托 for every item) through the same
 * apply journey as the web, follows only the cases of those who delegated to them, and records
 * collecting a result waiting at the window. Attackers — another grid's worker, a resident of the
 * same grid who never delegated, a 委托 for another item or one expired — are refused with a coded
 * error and nothing is written.
 */
const ITEM = '11410100297017523N01003401100000'; // 食品小经营店登记 (persons, online)
const OTHER_ITEM = '11410105414644738F05001200400000'; // 失业保险金申领 (金水区)
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const pdf = (code: string): FilePart => ({
  field: `file.${code}`,
  filename: `${code}.pdf`,
  type: 'application/pdf',
  data: PDF,
});
const loc = (r: { headers: Record<string, unknown> }) => String(r.headers.location ?? '');

describe(`cases › 帮办代办 on the pages and 出件 (${testDialect()})`, () => {
  let t: TongbanApp;
  const clock = new ManualClock('2025-09-15T02:00:00Z');
  const ids: Record<string, string> = {};
  const bearer = async (login: string) => ({
    authorization: `Bearer ${(await t.identity.tokenForLogin(login)).token}`,
  });
  const count = async (table: 'cases' | 'case_draft_answers' | 'case_actions') =>
    Number(
      (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(t.store.db)).rows[0]!
        .n,
    );
  /** A resident of the demo grid: a person of the demo population register, living in 体育社区. */
  async function resident(
    login: string,
    who: { name: string; idNumber: string; mobile: string; bankCard: string },
  ) {
    const a = await t.identity.service.register({
      kind: 'person',
      login,
      password: DEMO_PASSWORD,
      name: who.name,
      idNumber: who.idNumber,
      mobile: who.mobile,
    });
    await t.identity.service.verifyRealName(a.id, { mobile: who.mobile, bankCard: who.bankCard });
    await sql`update identity_accounts set region_code = ${DEMO_GRID_REGION} where id = ${a.id}`.execute(
      t.store.db,
    );
    return a.id;
  }
  /** Every question page of the journey answered, then the required materials uploaded. */
  async function fillJourney(b: WebSession, code: string, regionCode: string, base = `/items/${code}/apply`) {
    const app = await t.cases.application(code);
    assert.ok(app);
    for (const step of formSteps(app.formFields, true)) {
      if (step.kind === 'materials') break;
      const page = await b.get(`${base}/${step.id}`);
      assert.equal(page.statusCode, 200, step.id);
      const answers: Record<string, string> = step.kind === 'applicant' ? { regionCode } : {};
      const form = await validForm(t, code);
      for (const f of step.fields) answers[f.name] = String(form[f.name] ?? '张小宝');
      const r = await b.post(`${base}/${step.id}`, answers, { from: `${base}/${step.id}` });
      assert.equal(r.statusCode, 303, `${step.id}: ${r.body.slice(0, 400)}`);
    }
    const files = app.materials.filter((m) => m.required).map((m) => pdf(m.code));
    const up = await b.postMultipart(`${base}/materials`, {}, files, { from: `${base}/materials` });
    assert.equal(up.statusCode, 303, up.body.slice(0, 400));
  }

  before(async () => {
    t = await buildTestApp({ demo: 'on', clock });
    // a 网格员 of another community of the same street, with no 委托 from anyone
    await t.identity.service.createStaff({
      login: 'grid-other',
      name: '网格员',
      password: DEMO_PASSWORD,
      regionCode: '410105001001',
      departmentId: null,
      hallId: null,
      grants: [{ role: 'gridWorker', regionPrefix: '410105001001', departmentId: null }],
    });
    for (const login of ['elder', 'grid-worker', 'grid-other', 'citizen'])
      ids[login] = (await t.identity.accountIdByLogin(login))!;
    // 王五 lives in the same grid and never delegated; 李四 delegated one item only, for 20 minutes
    ids.neighbour = await resident('resident-wang', DEMO_PEOPLE.unregistered);
    ids.li = await resident('resident-li', DEMO_PEOPLE.enterpriseAgent);
    const li = (await t.identity.principalForAccount(ids.li))!;
    ids.liDelegation = await t.identity.service.createDelegation(li, {
      agentLogin: 'grid-worker',
      scopes: [ITEM],
      validTo: new Date(clock.now().getTime() + 20 * 60_000).toISOString(),
    });
  });
  after(async () => t?.close());

  test('the demo logins: grid-worker of 体育社区 holding the elder’s 委托, hall-manager of H410105001', async () => {
    const grid = (await t.identity.principalForAccount(ids['grid-worker']!))!;
    assert.deepEqual(
      grid.grants.map((g) => [g.role, g.regionPrefix]),
      [['gridWorker', DEMO_GRID_REGION]],
    );
    const given = (await t.identity.service.delegationsOf(ids.elder!)).filter((d) => d.active);
    assert.deepEqual(
      given.map((d) => [d.direction, d.agentLogin, d.scopes]),
      [['given', 'grid-worker', ['*']]],
    );
    for (const login of ['grid-worker', 'hall-manager', 'elder']) {
      const b = new WebSession(t);
      const r = await b.login(login);
      assert.equal(r.statusCode, 303, `${login} signs in with the demo password`);
    }
    const manager = new WebSession(t);
    await manager.login('hall-manager');
    assert.equal((await manager.get('/halls/H410105001/manage')).statusCode, 200);
    assert.equal((await manager.get('/halls/H410102001/manage')).statusCode, 403);
  });

  test('attack › no 委托, another’s 委托, another item: refused with CASES.NOT_DELEGATED, nothing written', async () => {
    const before = { cases: await count('cases'), drafts: await count('case_draft_answers') };
    const grid = new WebSession(t);
    await grid.login('grid-worker');
    const other = new WebSession(t);
    await other.login('grid-other');
    const chooser = await grid.get('/cases/assisted/apply');
    const elderDelegation = /\/cases\/assisted\/apply\/([0-9a-f-]{36})"[^>]*>为孙\*+申请/.exec(
      chooser.body,
    )?.[1];
    assert.ok(elderDelegation, chooser.body.slice(0, 2000));
    // another grid's worker: not offered, and the elder's 委托 named outright is refused
    assert.doesNotMatch((await other.get('/cases/assisted/apply')).body, /孙\*/);
    assert.equal((await other.get(`/cases/assisted/apply/${elderDelegation}`)).statusCode, 403);
    const forged = await other.post(
      `/cases/assisted/apply/${elderDelegation}`,
      { itemCode: ITEM },
      { from: '/cases/assisted/apply' },
    );
    assert.equal(forged.statusCode, 403);
    assert.match(forged.body, /没有委托您/);
    // a made-up 委托
    const made = await grid.post(
      '/cases/assisted/apply/00000000-0000-7000-8000-000000000000',
      { itemCode: ITEM },
      { from: '/cases/assisted/apply' },
    );
    assert.equal(made.statusCode, 403);
    // 李四's 委托 covers ITEM only
    const narrow = await grid.post(
      `/cases/assisted/apply/${ids.liDelegation}`,
      { itemCode: OTHER_ITEM },
      { from: `/cases/assisted/apply/${ids.liDelegation}` },
    );
    assert.equal(narrow.statusCode, 403, narrow.body.slice(0, 300));
    assert.match(narrow.body, /没有委托您/);
    // through the API: for the neighbour who never delegated, for the elder by another grid's worker
    for (const [login, whom] of [
      ['grid-worker', ids.neighbour],
      ['grid-other', ids.elder],
      ['grid-worker', ids.citizen],
    ] as const) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: await bearer(login),
        payload: {
          implementationCode: ITEM,
          regionCode: DEMO_GRID_REGION,
          form: await validForm(t, ITEM),
          onBehalfOf: whom,
        },
      });
      assert.equal(r.statusCode, 403, `${login} for ${whom}`);
      assert.equal(r.json().error.code, 'CASES.NOT_DELEGATED');
    }
    assert.deepEqual({ cases: await count('cases'), drafts: await count('case_draft_answers') }, before);
  });

  let elderCase = '';
  test('the journey › the grid worker chooses the elder, the item, fills the same form and submits; the case is hers and says who acted', async () => {
    const grid = new WebSession(t);
    await grid.login('grid-worker');
    const chooser = await grid.get('/cases/assisted/apply');
    assert.equal(chooser.statusCode, 200);
    assert.match(chooser.body, /全部事项/); // the scope
    assert.match(chooser.body, /有效期至/);
    assert.match(chooser.body, /2026-09-15/); // expiry: a year after the demo was seeded
    assert.doesNotMatch(chooser.body, /孙秀英/); // the name masked
    const id = /\/cases\/assisted\/apply\/([0-9a-f-]{36})"[^>]*>为孙\*+申请/.exec(chooser.body)?.[1];
    assert.ok(id);
    const pick = await grid.get(`/cases/assisted/apply/${id}`);
    assert.match(pick.body, /name="itemCode"/);
    const start = await grid.post(
      `/cases/assisted/apply/${id}`,
      { itemCode: ITEM },
      { from: `/cases/assisted/apply/${id}` },
    );
    assert.equal(start.statusCode, 303, start.body.slice(0, 400));
    // the draft is the grid worker's for this person and item
    const base = `/items/${ITEM}/for/${ids.elder}/apply`;
    assert.equal(loc(start), base);
    const first = await grid.get(base);
    assert.match(first.body, /您正在按孙\*+的委托/);
    assert.doesNotMatch(first.body, /已从您的账户预填/); // nothing of the grid worker's own
    await fillJourney(grid, ITEM, DEMO_GRID_REGION, base);
    const check = await grid.get(`${base}/check`);
    assert.match(check.body, /代谁申请/);
    const requestId = /name="requestId" value="([^"]+)"/.exec(check.body)?.[1];
    assert.ok(requestId);
    const done = await grid.post(`${base}/confirm`, { requestId }, { token: tokenOn(check) });
    // the same post again (a second click): where the first landed, though the draft is gone
    const again = await grid.post(`${base}/confirm`, { requestId }, { token: tokenOn(check) });
    assert.equal(again.statusCode, 303, again.body.slice(0, 400));
    assert.equal(loc(again), loc(done));
    assert.equal(done.statusCode, 303, done.body.slice(0, 1000));
    const m = /^\/cases\/assisted\?done=submit&case=(.+)$/.exec(loc(done));
    assert.ok(m, loc(done));
    elderCase = decodeURIComponent(m[1]!);
    assert.match((await grid.get(loc(done))).body, new RegExp(`已代委托人提交申请，办件编号 ${elderCase}`));
    // the case is the elder's, online, its first action the grid worker's under her 委托
    const v = await t.app.inject({ url: `/api/v1/cases/${elderCase}`, headers: await bearer('elder') });
    assert.equal(v.statusCode, 200, v.body);
    assert.equal(v.json().channel, 'online');
    assert.deepEqual(v.json().actions[0].details, {
      onBehalfOf: ids.elder,
      delegationId: id,
      agent: 'gridWorker',
    });
    assert.equal(v.json().actions[0].actor, 'agent');
    const e = (await committedEvents(t.store)).find(
      (x) => x.type === 'cases.submitted' && x.aggregateId === elderCase,
    );
    assert.equal(e?.actor, ids['grid-worker']);
  });

  test('drafts › one per resident per item: starting for a second resident leaves the first one’s draft (and the worker’s own) as they were; starting again for the same one continues it', async () => {
    const grid = new WebSession(t);
    await grid.login('grid-worker');
    const gw = ids['grid-worker']!;
    const elderDelegation = /\/cases\/assisted\/apply\/([0-9a-f-]{36})"[^>]*>为孙\*+申请/.exec(
      (await grid.get('/cases/assisted/apply')).body,
    )?.[1];
    assert.ok(elderDelegation);
    const start = (id: string) =>
      grid.post(`/cases/assisted/apply/${id}`, { itemCode: ITEM }, { from: `/cases/assisted/apply/${id}` });
    const drafts = async () =>
      Number(
        (
          await sql<{ n: number }>`select count(*) as n from case_draft_answers
          where applicant_id = ${gw} and implementation_code = ${ITEM}`.execute(t.store.db)
        ).rows[0]!.n,
      );
    const li = await start(ids.liDelegation!);
    assert.equal(li.statusCode, 303, li.body.slice(0, 400));
    const liBase = loc(li);
    assert.match(liBase, new RegExp(`^/items/${ITEM}/for/[0-9a-f-]{36}/apply$`));
    await fillJourney(grid, ITEM, DEMO_GRID_REGION, liBase);
    const summary = (html: string) =>
      html.slice(html.indexOf('<h2>'), html.indexOf('<form method="post" action="/items'));
    const filled = (await grid.get(`${liBase}/check`)).body;
    assert.match(filled, /李\*/);
    assert.ok(summary(filled).includes('已上传'));
    // the elder's application of the same item is a draft of its own
    const elder = await start(elderDelegation);
    assert.equal(elder.statusCode, 303, elder.body.slice(0, 400));
    const elderBase = loc(elder);
    assert.equal(elderBase, `/items/${ITEM}/for/${ids.elder}/apply`);
    assert.equal(await drafts(), 2);
    const elderCheck = (await grid.get(`${elderBase}/check`)).body;
    assert.match(elderCheck, /孙\*/);
    assert.doesNotMatch(elderCheck, /李\*/);
    assert.ok(!summary(elderCheck).includes('已上传'), 'no file of 李四’s draft in the elder’s');
    // 李四's is as it was, and starting again for 李四 continues it
    assert.equal(summary((await grid.get(`${liBase}/check`)).body), summary(filled));
    const again = await start(ids.liDelegation!);
    assert.equal(loc(again), liBase);
    assert.equal(summary((await grid.get(`${liBase}/check`)).body), summary(filled));
    // the grid worker's own draft of the item is a third, never touched by a resident's
    await sql`insert into case_draft_answers (applicant_id, on_behalf_of, implementation_code, data, region_code, updated_at)
      values (${gw}, '', ${ITEM}, ${JSON.stringify({ regionCode: DEMO_GRID_REGION, contactName: '自己的' })},
        ${DEMO_GRID_REGION}, ${clock.now().toISOString()})`.execute(t.store.db);
    assert.equal((await start(elderDelegation)).statusCode, 303);
    assert.match(
      (
        await sql<{ data: string }>`select data from case_draft_answers
          where applicant_id = ${gw} and on_behalf_of = ''`.execute(t.store.db)
      ).rows[0]!.data,
      /自己的/,
    );
    // a journey for someone the worker started nothing for (a made-up or another's person): refused
    // before anything is read or written
    for (const person of ['00000000-0000-7000-8000-000000000000', ids.neighbour!]) {
      const forged = await grid.get(`/items/${ITEM}/for/${person}/apply`);
      assert.equal(forged.statusCode, 403, forged.body.slice(0, 300));
      const post = await grid.post(
        `/items/${ITEM}/for/${person}/apply/applicant`,
        { regionCode: DEMO_GRID_REGION },
        { from: `${liBase}/applicant` },
      );
      assert.equal(post.statusCode, 403);
    }
    assert.equal(await drafts(), 3);
    await sql`delete from case_draft_answers where applicant_id = ${gw}`.execute(t.store.db);
    await sql`delete from case_draft_files where applicant_id = ${gw}`.execute(t.store.db);
  });

  test('the list › a grid worker follows the open cases of those who delegated only: not a same-grid neighbour’s own', async () => {
    // 王五, of the same grid, applies himself
    const own = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: await bearer('resident-wang'),
      payload: { implementationCode: ITEM, regionCode: DEMO_GRID_REGION, form: await validForm(t, ITEM) },
    });
    assert.equal(own.statusCode, 201, own.body);
    const neighbourCase = own.json().caseNumber as string;
    const list = await t.app.inject({ url: '/api/v1/cases/assisted', headers: await bearer('grid-worker') });
    const numbers = list.json().cases.map((c: { caseNumber: string }) => c.caseNumber);
    assert.ok(numbers.includes(elderCase));
    assert.ok(!numbers.includes(neighbourCase), 'a resident who did not delegate is not followed');
    const grid = new WebSession(t);
    await grid.login('grid-worker');
    const html = (await grid.get('/cases/assisted')).body;
    assert.match(html, new RegExp(elderCase));
    assert.doesNotMatch(html, new RegExp(neighbourCase));
    const other = await t.app.inject({ url: '/api/v1/cases/assisted', headers: await bearer('grid-other') });
    assert.deepEqual(other.json().cases, []);
  });

  test('出件 › refused before the result waits at the window, for another grid, twice; recorded once, shown to the resident, one visit', async () => {
    const act = async (action: Record<string, unknown>) => {
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${elderCase}/actions`,
        headers: await bearer('admin'),
        payload: action,
      });
      assert.equal(r.statusCode, 200, r.body);
    };
    const collect = async (login: string, n = elderCase) =>
      t.app.inject({ method: 'POST', url: `/api/v1/cases/${n}/collect`, headers: await bearer(login) });
    await act({ action: 'accept' });
    await act({ action: 'approve' });
    const actionsBefore = await count('case_actions');
    const early = await collect('grid-worker');
    assert.equal(early.statusCode, 409, early.body);
    assert.equal(early.json().error.code, 'CASES.RESULT_NOT_READY');
    await act({ action: 'issueResult', delivery: 'window' });
    // attackers: another grid's worker, a citizen, a case number that does not exist
    for (const [login, n] of [
      ['grid-other', elderCase],
      ['citizen', elderCase],
      ['grid-worker', `${elderCase.slice(0, -6)}999999`],
    ] as const) {
      const r = await collect(login, n);
      assert.equal(r.statusCode, 403, `${login}: ${r.body}`);
      assert.equal(r.json().error.code, 'CASES.NOT_DELEGATED');
    }
    const grid = new WebSession(t);
    await grid.login('grid-worker');
    const list = await grid.get('/cases/assisted');
    assert.match(list.body, /结果待窗口领取/);
    const formAction = `/cases/assisted/${encodeURIComponent(elderCase)}/collect`;
    assert.ok(list.body.includes(`action="${formAction}"`));
    assert.equal(await count('case_actions'), actionsBefore + 1); // the issueResult only
    const done = await grid.post(formAction, {}, { from: '/cases/assisted' });
    assert.equal(done.statusCode, 303, done.body.slice(0, 400));
    assert.match((await grid.get(loc(done))).body, /已记录：您已代领并转交/);
    // once: a second collection is refused, on the page with its message
    const again = await grid.post(formAction, {}, { from: '/cases/assisted' });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /尚未在窗口等待领取/);
    // the timeline: who (the agent, under which 委托), when — as the resident and as staff see it
    const v = await t.app.inject({ url: `/api/v1/cases/${elderCase}`, headers: await bearer('elder') });
    const last = v.json().actions.at(-1);
    assert.equal(last.action, 'collectResult');
    assert.equal(last.actor, 'agent');
    const delegationId = v.json().actions[0].details.delegationId;
    assert.deepEqual(last.details, { onBehalfOf: ids.elder, delegationId, agent: 'gridWorker' });
    const staff = await t.app.inject({ url: `/api/v1/cases/${elderCase}`, headers: await bearer('admin') });
    assert.equal(staff.json().actions.at(-1).actor, ids['grid-worker']);
    const elder = new WebSession(t);
    await elder.login('elder');
    const page = await elder.get(`/cases/${encodeURIComponent(elderCase)}`);
    assert.match(page.body, /代领出件/);
    assert.match(page.body, /受托代办人/);
    // 最多跑一次: the handover at the window is the case's one visit — the agent's collection is
    // that visit, not a second (completed +1, at most one visit +1, fully online +0)
    await t.events.drain();
    const cellOf = async () => {
      const v2 = v.json();
      const sum = { completed: 0, at_most_one_visit: 0, fully_online: 0 };
      for (const c of await allPerformanceCells(t.store.db))
        if (c.key.departmentId === v2.departmentId)
          for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += c.counters[k];
      return sum;
    };
    const before = await cellOf();
    await act({ action: 'complete' });
    await t.events.drain();
    const afterwards = await cellOf();
    assert.equal(afterwards.completed - before.completed, 1);
    assert.equal(afterwards.at_most_one_visit - before.at_most_one_visit, 1);
    assert.equal(afterwards.fully_online - before.fully_online, 0);
  });

  test('attack › a 委托 that expires between the start and the submission: refused at submission, nothing written', async () => {
    const grid = new WebSession(t);
    await grid.login('grid-worker');
    const start = await grid.post(
      `/cases/assisted/apply/${ids.liDelegation}`,
      { itemCode: ITEM },
      { from: `/cases/assisted/apply/${ids.liDelegation}` },
    );
    assert.equal(start.statusCode, 303, start.body.slice(0, 400));
    const base = loc(start);
    await fillJourney(grid, ITEM, DEMO_GRID_REGION, base);
    const checkToken = await grid.get(`${base}/check`);
    assert.match(checkToken.body, /李\*/);
    clock.advance(25 * 60_000); // the 委托 has expired (the grid worker's session has not)
    const before = await count('cases');
    const done = await grid.post(`${base}/confirm`, {}, { from: `${base}/check` });
    assert.equal(done.statusCode, 403, done.body.slice(0, 400));
    assert.match(done.body, /没有委托您/);
    assert.match(done.body, /href="\/cases\/assisted\/apply"/);
    assert.equal(await count('cases'), before);
    // no longer offered, nor started again by its id, and the API refuses alike
    assert.doesNotMatch((await grid.get('/cases/assisted/apply')).body, /李\*/);
    const restart = await grid.post(
      `/cases/assisted/apply/${ids.liDelegation}`,
      { itemCode: ITEM },
      { from: '/cases/assisted/apply' },
    );
    assert.equal(restart.statusCode, 403);
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: await bearer('grid-worker'),
      payload: {
        implementationCode: ITEM,
        regionCode: DEMO_GRID_REGION,
        form: await validForm(t, ITEM),
        onBehalfOf: ids.li,
      },
    });
    assert.equal(r.json().error.code, 'CASES.NOT_DELEGATED');
    assert.equal(await count('cases'), before);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TongbanApp, buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config/index.js';
import { sql } from '../../src/platform/db/index.js';
import { ManualClock } from '../../src/kernel/index.js';
import { openTestStore, testDialect } from '../helpers/store.js';

/**
 * The lived-in demo (issue 16 item 6): a start that seeds the demo city generates its history in
 * the background — /readyz says `seeding` meanwhile — and then the demo staff's queues hold open
 * cases in every status and clock colour, the clerk's window 即办件 to accept in bulk, and the
 * supervisor's figures ratings, 差评 under rectification and complaints.
 */
describe(`demo history on ${testDialect()}`, () => {
  let t: TongbanApp;
  const get = async (url: string, who?: string) =>
    t.app.inject({
      url,
      headers: who ? { authorization: `Bearer ${(await t.identity.tokenForLogin(who)).token}` } : {},
    });

  before(async () => {
    const store = await openTestStore();
    const app = await buildApp({
      config: testConfig(),
      store,
      // a fixed instant: Monday 00:34 in China, after a weekend — the hardest hour for the desk's
      // colours (a case accepted on Sunday has Monday counted already: yellow, not green, for a
      // three-day item); the desk's fresh acceptance is made at this instant, so one case is green
      clock: new ManualClock(new Date('2026-12-06T16:34:00Z')),
      demo: 'on',
      startConsumers: false,
      demoHistory: { cases: 150 },
    });
    t = {
      ...app,
      async close() {
        await app.close();
        await store.close();
      },
    };
  });
  after(async () => t?.close());

  test('/readyz says seeding while the history is generated, ok after', async () => {
    assert.equal(t.seeded, true);
    // before the background generator has begun (it starts a second after the start returns),
    // /readyz already says so — never a moment of `ok` on a demo that is not lived-in yet
    const before = await get('/readyz');
    assert.equal(before.statusCode, 503, before.body.slice(0, 600));
    assert.equal(before.json().status, 'seeding');
    void t.history.start();
    const during = await get('/readyz');
    assert.equal(during.statusCode, 503, during.body.slice(0, 600));
    assert.equal(during.json().status, 'seeding');
    await t.history.start();
    assert.equal(t.history.state(), 'done');
    await t.events.drain();
    const afterwards = await get('/readyz');
    assert.equal(afterwards.statusCode, 200, afterwards.body.slice(0, 2000));
    assert.equal(afterwards.json().demoHistory, 'done');
  });

  test("the approver's queue: open cases in every status and clock colour", async () => {
    const d = await sql<{
      id: string;
    }>`select id from regions_departments where name = '郑州市市场监督管理局'`.execute(t.store.db);
    const rows = await sql<{ status: string; colour: string }>`
      select status, colour from cases where department_id = ${d.rows[0]!.id} and open = 1`.execute(
      t.store.db,
    );
    const statuses = new Set(rows.rows.map((r) => r.status));
    for (const s of [
      'submitted',
      'awaitingSupplement',
      'accepted',
      'inStep',
      'suspended',
      'approved',
      'resultIssued',
    ])
      assert.ok(statuses.has(s), `status ${s}`);
    const colours = new Set(rows.rows.map((r) => r.colour));
    for (const c of ['green', 'yellow', 'red'])
      assert.ok(colours.has(c), `colour ${c} in ${JSON.stringify(rows.rows)}`);
    const page = await t.app.inject({
      url: '/workbench',
      headers: {
        accept: 'text/html',
        authorization: `Bearer ${(await t.identity.tokenForLogin('approver')).token}`,
      },
    });
    assert.match(page.body, /tag-red/);
  });

  test("the clerk's window: 即办件 waiting, ticked for bulk acceptance", async () => {
    const page = await t.app.inject({
      url: '/workbench',
      headers: {
        accept: 'text/html',
        authorization: `Bearer ${(await t.identity.tokenForLogin('clerk')).token}`,
      },
    });
    assert.match(page.body, /name="cases"/);
  });

  test("the supervisor's figures: a year of cases, ratings, 差评 under rectification, complaints", async () => {
    const r = await get('/api/v1/stats/performance', 'supervisor');
    assert.equal(r.statusCode, 200, r.body);
    const f = r.json().total;
    assert.ok(f.completed > 50, `completed ${f.completed}`);
    assert.ok(f.ratings > 10, `ratings ${f.ratings}`);
    assert.ok(f.rectificationsOpened > 0, 'rectifications');
    assert.ok(f.complaints > 0, 'complaints');
    assert.ok(r.json().cards.red > 0 && r.json().cards.yellow > 0, '红黄牌');
    const months = r.json().months.filter((m: { completed: number }) => m.completed > 0);
    assert.ok(months.length >= 10, `completions in ${months.length} months`);
  });
});

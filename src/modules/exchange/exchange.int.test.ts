import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buildApp } from '../../app.js';
import type { TongbanApp } from '../../app.js';
import { testConfig } from '../../config/index.js';
import { sql } from '../../platform/db/index.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { committedEvents } from '../../../test/helpers/store.js';
import { WebSession } from '../../../test/helpers/session.js';
import { validForm } from '../../../test/helpers/forms.js';
import { DEMO_ORGANIZATION, DEMO_PEOPLE } from '../identity/identity.demo.js';
import { DEMO_RESOURCES, scaleSeedState, seedRegisters } from './exchange.seed.js';
import { generatedCompany, generatedPerson, readRecord } from './exchange.registers.js';
import { isValidCreditCode, isValidIdNumber } from '../../platform/codes/index.js';
import { ManualClock } from '../../kernel/index.js';
import { GRANT_RECHECK_MS } from './exchange.store.js';
import { CLIENT_TOKEN_RECHECK_MS } from '../identity/identity.principal.js';

const CITIZEN = DEMO_PEOPLE.citizen;

/**
 * The first node's clock: the system's, moved ahead when a test lets the grants this node keeps
 * (ADR 0029) reach their age limit, instead of sleeping.
 */
const nodeClock = { ahead: 0, now: () => new Date(Date.now() + nodeClock.ahead) };

async function departmentId(t: TongbanApp, kind: string): Promise<string> {
  const r = await sql<{
    id: string;
  }>`select id from regions_departments where kind = ${kind} and region_code = '410100'`.execute(t.store.db);
  const id = r.rows[0]?.id;
  if (!id) throw new Error(`no department ${kind}`);
  return id;
}

/** A consumer system of a department with a client-credentials token, as a real consumer gets one. */
async function consumer(t: TongbanApp, kind: string): Promise<string> {
  const c = await t.exchange.addConsumer({
    departmentId: await departmentId(t, kind),
    name: `测试系统-${kind}`,
  });
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    payload: { grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret },
  });
  assert.equal(r.statusCode, 200, r.body);
  return r.json().access_token as string;
}

const lookup = (t: TongbanApp, token: string, body: Record<string, unknown>) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/exchange/lookup',
    headers: { authorization: `Bearer ${token}` },
    payload: body,
  });

describe('exchange › catalogue, grants, lookups and the record of every read', () => {
  let t: TongbanApp;
  let mzj: string; // 民政局: granted the population register at seed
  let fgj: string; // 住房保障: no grant
  let admin: string;
  before(async () => {
    t = await buildTestApp({ demo: 'on', clock: nodeClock });
    mzj = await consumer(t, 'mzj');
    fgj = await consumer(t, 'fgj');
    admin = (await t.identity.tokenForLogin('admin', 3600_000)).token;
  });
  after(async () => t.close());

  test('the catalogue lists the base registers of every share type, with their items for staff', async () => {
    const r = await t.app.inject({
      url: '/api/v1/exchange/resources',
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(r.statusCode, 200);
    const codes = r.json().resources.map((x: { code: string }) => x.code);
    for (const c of Object.values(DEMO_RESOURCES)) assert.ok(codes.includes(c), c);
    const pop = r.json().resources.find((x: { code: string }) => x.code === DEMO_RESOURCES.population);
    assert.equal(pop.shareType, 'unconditional');
    assert.match(pop.providerName, /公安局/);
    assert.ok(pop.items.some((i: { name: string }) => i.name === 'idNumber'));
    const page = await t.app.inject({
      url: '/exchange?shareType=conditional',
      headers: { accept: 'text/html' },
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /婚姻登记与生死状态信息/);
    assert.doesNotMatch(page.body, /人口基本信息/);
    const detail = await t.app.inject({
      url: `/exchange/resources/${DEMO_RESOURCES.population}`,
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(detail.statusCode, 200);
    assert.match(detail.body, /公民身份号码/);
  });

  test('a granted lookup answers only the granted fields, masked unless the grant allows clear, recorded before it answers', async () => {
    const r = await lookup(t, mzj, {
      resource: DEMO_RESOURCES.population,
      key: CITIZEN.idNumber,
      purpose: '最低生活保障家庭经济状况核对',
      caseNumber: 'MZ-2026-0001',
    });
    assert.equal(r.statusCode, 200, r.body);
    const { record, accessId } = r.json();
    assert.deepEqual(Object.keys(record).sort(), [
      'birthDate',
      'division',
      'gender',
      'householdType',
      'idNumber',
      'name',
    ]);
    assert.equal(record.name, '张*');
    assert.equal(record.idNumber, '4***************14');
    assert.equal(record.birthDate, '1990-**-**');
    assert.equal(record.gender, '男');
    assert.equal(record.division, '410105');
    assert.ok(!r.body.includes(CITIZEN.idNumber) && !r.body.includes(CITIZEN.name));
    const rows = await sql<{ outcome: string; subject_hash: string; case_number: string }>`
      select outcome, subject_hash, case_number from exchange_access where id = ${accessId}`.execute(
      t.store.db,
    );
    assert.equal(rows.rows[0]?.outcome, 'ok');
    assert.equal(rows.rows[0]?.case_number, 'MZ-2026-0001');
    const e = (await committedEvents(t.store)).find((x) => x.aggregateId === accessId);
    assert.equal(e?.type, 'exchange.accessed');
    const payload = JSON.stringify(e?.payload);
    assert.ok(
      !payload.includes(CITIZEN.idNumber) && !payload.includes(CITIZEN.name) && !payload.includes('MZ-2026'),
    );
    // the transparency log takes the read
    await t.events.drain();
    const log = await t.app.inject({ url: `/log/object?type=exchangeAccess&id=${accessId}` });
    assert.equal(log.statusCode, 200);
    assert.match(log.body, /exchange\.accessed/);
    // and it proves into a signed checkpoint
    const index = /\/log\/verify\?index=(\d+)/.exec(log.body)?.[1];
    assert.ok(index, 'a verify link for the read');
    await t.app.inject({ url: '/log/checkpoint' });
    const proof = await t.app.inject({ url: `/log/verify?index=${index}` });
    assert.equal(proof.statusCode, 200);
    assert.match(proof.body, /核验通过/);
  });

  test('concurrent lookups are committed in groups, each answered only with its own durable record', async () => {
    const body = { resource: DEMO_RESOURCES.population, key: CITIZEN.idNumber, purpose: '并发核对' };
    const answers = await Promise.all(Array.from({ length: 40 }, () => lookup(t, mzj, body)));
    assert.deepEqual(new Set(answers.map((r) => r.statusCode)), new Set([200]));
    const ids = answers.map((r) => r.json().accessId as string);
    assert.equal(new Set(ids).size, 40);
    const rows = await sql<{
      n: number;
    }>`select count(*) as n from exchange_access where purpose = '并发核对' and outcome = 'ok'`.execute(
      t.store.db,
    );
    assert.equal(Number(rows.rows[0]?.n), 40);
  });

  test('refusals are coded 4xx and recorded too', async () => {
    const base = { resource: DEMO_RESOURCES.population, key: CITIZEN.idNumber, purpose: '住房保障资格审核' };
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      [fgj, base, 403, 'EXCHANGE.NO_GRANT'],
      [mzj, { ...base, fields: ['name', 'address'] }, 403, 'EXCHANGE.FIELD_NOT_GRANTED'],
      [mzj, { ...base, resource: '9-000000-XX-0000' }, 404, 'EXCHANGE.RESOURCE_UNKNOWN'],
      [mzj, { ...base, key: '410105199003070115' }, 400, 'EXCHANGE.KEY_INVALID'],
      [mzj, { ...base, key: '410105200001010017' }, 404, 'EXCHANGE.SUBJECT_NOT_FOUND'],
      [mzj, { ...base, resource: DEMO_RESOURCES.biometrics }, 409, 'EXCHANGE.NOT_SHARED'],
      [admin, base, 403, 'EXCHANGE.NOT_CONSUMER'],
      [(await t.identity.tokenForLogin('citizen', 3600_000)).token, base, 403, 'COMMON.FORBIDDEN'],
    ];
    for (const [token, body, status, code] of cases) {
      const before = await sql<{ n: number }>`select count(*) as n from exchange_access`.execute(t.store.db);
      const r = await lookup(t, token, body);
      assert.equal(r.statusCode, status, `${code}: ${r.body}`);
      assert.equal(r.json().error.code, code);
      const after = await sql<{ n: number }>`select count(*) as n from exchange_access`.execute(t.store.db);
      // every refused read past the route's permission is recorded (a citizen does not get past it)
      if (code === 'COMMON.FORBIDDEN') assert.equal(Number(after.rows[0]?.n), Number(before.rows[0]?.n));
      else {
        assert.equal(Number(after.rows[0]?.n), Number(before.rows[0]?.n) + 1, code);
        const last = await sql<{
          outcome: string;
        }>`select outcome from exchange_access order by at desc, id desc limit 1`.execute(t.store.db);
        assert.equal(last.rows[0]?.outcome, code);
      }
    }
  });

  test('有条件: the provider answers within 10 working days, a refusal needs a reason; a grant opens lookups, revocation closes them on another node within GRANT_RECHECK_MS', async () => {
    const ask = (fields: string[]) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/exchange/requests',
        headers: { authorization: `Bearer ${fgj}` },
        payload: {
          resource: DEMO_RESOURCES.marriage,
          fields,
          purpose: '公共租赁住房申请家庭婚姻状况核验',
          legalBasis: '《公共租赁住房管理办法》第七条',
          period: { from: '2026-01-01', to: '2030-12-31' },
          volume: 300,
        },
      });
    const r1 = await ask(['name', 'maritalStatus']);
    assert.equal(r1.statusCode, 201, r1.body);
    assert.equal(r1.json().status, 'pending');
    assert.equal(r1.json().clock.colour, 'green');
    assert.ok(r1.json().clock.remainingWorkingDays >= 9);
    const decide = (id: string, body: Record<string, unknown>, token = admin) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/exchange/requests/${id}/decision`,
        headers: { authorization: `Bearer ${token}` },
        payload: body,
      });
    const noReason = await decide(r1.json().id, { decision: 'refuse', reason: '' });
    assert.equal(noReason.statusCode, 400);
    assert.equal(noReason.json().error.code, 'EXCHANGE.REASON_REQUIRED');
    const byConsumer = await decide(r1.json().id, { decision: 'grant' }, fgj);
    assert.equal(byConsumer.statusCode, 403);
    const refused = await decide(r1.json().id, {
      decision: 'refuse',
      reason: '申请的数据项超出办理事项所需范围',
    });
    assert.equal(refused.json().status, 'refused');
    assert.equal(
      (await decide(r1.json().id, { decision: 'grant' })).json().error.code,
      'EXCHANGE.REQUEST_DECIDED',
    );

    const r2 = await ask(['maritalStatus']);
    const granted = await decide(r2.json().id, { decision: 'grant' });
    assert.equal(granted.json().status, 'granted');
    const read = await lookup(t, fgj, {
      resource: DEMO_RESOURCES.marriage,
      key: CITIZEN.idNumber,
      purpose: '公租房资格核验',
    });
    assert.equal(read.statusCode, 200, read.body);
    assert.deepEqual(read.json().record, { maritalStatus: '******' });

    // a second node on the same store revokes; this node refuses the first lookup once the grants
    // it keeps are GRANT_RECHECK_MS old (ADR 0029; the issue asks for within a second)
    const node2 = await buildApp({
      config: testConfig(),
      store: t.store,
      migrate: false,
      demo: 'off',
      startConsumers: false,
      warmUp: false,
    });
    try {
      const rev = await node2.app.inject({
        method: 'POST',
        url: `/api/v1/exchange/grants/${granted.json().grantId}/status`,
        headers: { authorization: `Bearer ${admin}` },
        payload: { status: 'revoked', reason: '核验事项已办结' },
      });
      assert.equal(rev.statusCode, 200, rev.body);
    } finally {
      await node2.close();
    }
    nodeClock.ahead += GRANT_RECHECK_MS;
    const after = await lookup(t, fgj, {
      resource: DEMO_RESOURCES.marriage,
      key: CITIZEN.idNumber,
      purpose: '公租房资格核验',
    });
    assert.equal(after.statusCode, 403);
    assert.equal(after.json().error.code, 'EXCHANGE.GRANT_REVOKED');
  });

  test('kept grants and client tokens: a revoked grant is refused at once on the node that revokes it and on another node once its copy is GRANT_RECHECK_MS old; a revoked client token likewise', async () => {
    const jyj = await consumer(t, 'jyj');
    const req = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/requests',
      headers: { authorization: `Bearer ${jyj}` },
      payload: {
        resource: DEMO_RESOURCES.legalPersons,
        fields: ['name', 'status'],
        purpose: '校外培训机构资质核验',
        legalBasis: '《民办教育促进法》',
        period: { from: '2026-01-01', to: '2030-12-31' },
        volume: 100,
      },
    });
    assert.equal(req.json().status, 'granted', req.body);
    const grantId = req.json().grantId as string;
    const body = {
      resource: DEMO_RESOURCES.legalPersons,
      key: DEMO_ORGANIZATION.creditCode,
      purpose: '资质核验',
    };
    // a second node on the same store, with its own kept grants and tokens and a clock of its own
    const clock2 = new ManualClock(new Date());
    const node2 = await buildApp({
      config: testConfig(),
      store: t.store,
      migrate: false,
      demo: 'off',
      startConsumers: false,
      warmUp: false,
      clock: clock2,
    });
    try {
      // both nodes answer, and now keep the grant and the token
      assert.equal((await lookup(t, jyj, body)).statusCode, 200);
      assert.equal((await lookup(node2, jyj, body)).statusCode, 200);
      // this node revokes: it refuses the very next lookup
      const rev = await t.app.inject({
        method: 'POST',
        url: `/api/v1/exchange/grants/${grantId}/status`,
        headers: { authorization: `Bearer ${admin}` },
        payload: { status: 'revoked', reason: '核验事项已办结' },
      });
      assert.equal(rev.statusCode, 200, rev.body);
      const here = await lookup(t, jyj, body);
      assert.equal(here.json().error?.code, 'EXCHANGE.GRANT_REVOKED', here.body);
      // the other node reads the grants again once its copy is GRANT_RECHECK_MS old
      clock2.advance(GRANT_RECHECK_MS);
      const there = await lookup(node2, jyj, body);
      assert.equal(there.statusCode, 403, there.body);
      assert.equal(there.json().error.code, 'EXCHANGE.GRANT_REVOKED');

      // the consumer's token, revoked in the store (by whatever path): refused once the node's
      // copy is CLIENT_TOKEN_RECHECK_MS old, with no answer and no record past the route
      const me = () => node2.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${jyj}` } });
      assert.equal((await me()).statusCode, 200);
      const hash = createHash('sha256').update(jyj).digest('hex');
      await sql`update identity_tokens set revoked_at = ${new Date().toISOString()}
        where token_hash = ${hash}`.execute(t.store.db);
      clock2.advance(CLIENT_TOKEN_RECHECK_MS);
      assert.equal((await me()).statusCode, 401);
      const refused = await lookup(node2, jyj, body);
      assert.equal(refused.statusCode, 401, refused.body);
    } finally {
      await node2.close();
    }
  });

  test('a grant’s rate limit is enforced per minute (refusals recorded)', async () => {
    const req = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/requests',
      headers: { authorization: `Bearer ${fgj}` },
      payload: {
        resource: DEMO_RESOURCES.legalPersons,
        fields: ['name', 'status'],
        purpose: '住房租赁企业备案核验',
        legalBasis: '《住房租赁条例》',
        period: { from: '2026-01-01', to: '2030-12-31' },
        volume: 10,
        ratePerMinute: 2,
      },
    });
    assert.equal(req.json().status, 'granted', req.body);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await lookup(t, fgj, {
        resource: DEMO_RESOURCES.legalPersons,
        key: DEMO_ORGANIZATION.creditCode,
        purpose: '备案核验',
      });
      codes.push(r.statusCode);
    }
    // the minute may turn between the calls: then the third is the first of a new minute
    assert.ok(codes[0] === 200 && codes[1] === 200, String(codes));
    if (codes[2] !== 200) assert.equal(codes[2], 429);
  });

  test('我的数据使用记录: the citizen sees every read of their data with a proof link, and objects to one', async () => {
    const s = new WebSession(t);
    await s.login('citizen');
    const r = await s.get('/api/v1/me/data-access');
    assert.equal(r.statusCode, 200, r.body);
    const records = JSON.parse(r.body).records as Array<{
      id: string;
      outcome: string;
      proof: string;
      purpose: string;
    }>;
    const ok = records.find((x) => x.outcome === 'ok');
    assert.ok(ok);
    assert.ok(records.some((x) => x.outcome === 'EXCHANGE.NO_GRANT'));
    const page = await s.get('/account/data-access');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /最低生活保障家庭经济状况核对/);
    assert.match(page.body, /北京时间/);
    assert.ok(page.body.includes(ok.proof.replaceAll('&', '&amp;')));
    const objected = await s.post(
      `/account/data-access/${ok.id}/objection`,
      { text: '我没有申请低保，不应读取我的信息' },
      { from: '/account/data-access' },
    );
    assert.equal(objected.statusCode, 200, objected.body);
    assert.match(objected.body, /异议已提交/);
    // another citizen's read is not theirs to object to
    const other = new WebSession(t);
    await other.login('legalrep');
    const no = await other.post(
      `/account/data-access/${ok.id}/objection`,
      { text: '不是我的记录但想提异议' },
      { from: '/account/data-access' },
    );
    assert.equal(no.statusCode, 404);
  });

  test('the city-scale generator streams valid, distinct people and companies with progress, and a re-run adds nothing', async () => {
    const count = async (table: string) =>
      Number(
        (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(t.store.db)).rows[0]
          ?.n,
      );
    const before = [await count('exchange_population'), await count('exchange_legal_persons')];
    let ticks = 0;
    const progress = () => ({
      tick: (n = 1) => {
        ticks += n;
      },
      done() {},
    });
    const opts = { store: t.store, secret: testConfig().secretKey, progress, batch: 1000 };
    await seedRegisters(t.exchange.service.ctx, { ...opts, people: 2500, companies: 400 });
    assert.equal(ticks, 2 * 2500 + 400, 'the keyed hashes, then the people, then the companies');
    await seedRegisters(t.exchange.service.ctx, { ...opts, people: 2500, companies: 400 });
    assert.deepEqual(
      [await count('exchange_population'), await count('exchange_legal_persons')],
      [before[0]! + 2500, before[1]! + 400],
    );
    for (let i = 0; i < 50; i++) {
      assert.ok(isValidIdNumber(generatedPerson(i * 199_999).idNumber));
      assert.ok(isValidCreditCode(generatedCompany(i * 29_999).creditCode));
    }
    // the rows written: valid keys with their check digits, real divisions, demo-marked, found by
    // the keyed hash a lookup computes, each insurance record a person's
    const cipher = t.exchange.service.ctx.cipher;
    const db = t.store.db;
    const divisions = new Set(
      (await sql<{ code: string }>`select code from regions_divisions`.execute(db)).rows.map((r) => r.code),
    );
    const people = (
      await sql<{
        id_hash: string;
        id_sealed: string;
        region_code: string;
        birth_date: string;
        demo: number;
      }>`select id_hash, id_sealed, region_code, birth_date, demo from exchange_population`.execute(db)
    ).rows;
    assert.equal(people.length, before[0]! + 2500);
    for (const p of people) {
      const id = cipher.decrypt(p.id_sealed);
      assert.ok(isValidIdNumber(id), id);
      assert.equal(cipher.lookupHash('idNumber', id), p.id_hash);
      assert.equal(Number(p.demo), 1);
      assert.ok(divisions.has(p.region_code), p.region_code);
      assert.equal(id.slice(0, 6), p.region_code);
      assert.equal(id.slice(6, 14), p.birth_date.replaceAll('-', ''));
    }
    const generated = generatedPerson(200 + 1234);
    const found = await readRecord(db, cipher, 'population', generated.idNumber);
    assert.equal(found?.name, generated.name);
    assert.equal(found?.address, generated.address);
    const insured = (
      await sql<{ id_hash: string; demo: number; months_paid: number }>`
        select id_hash, demo, months_paid from exchange_social_insurance`.execute(db)
    ).rows;
    const hashes = new Set(people.map((p) => p.id_hash));
    assert.ok(insured.length > 1000, `${insured.length} insured of 2,500 generated`);
    assert.ok(
      insured.every((r) => hashes.has(r.id_hash) && Number(r.demo) === 1 && Number(r.months_paid) > 0),
    );
    const companies = (
      await sql<{ credit_code: string; region_code: string; demo: number; legal_rep_id_sealed: string }>`
        select credit_code, region_code, demo, legal_rep_id_sealed from exchange_legal_persons`.execute(db)
    ).rows;
    assert.equal(companies.length, before[1]! + 400);
    for (const c of companies) {
      assert.ok(isValidCreditCode(c.credit_code), c.credit_code);
      assert.ok(divisions.has(c.region_code), c.region_code);
      assert.equal(Number(c.demo), 1);
      assert.ok(isValidIdNumber(cipher.decrypt(c.legal_rep_id_sealed)));
    }
    // the representative's index, dropped for the load, is back; the seed is marked finished
    const rep = generatedCompany(50 + 77);
    const represented = await t.exchange.legalPersons.representedBy(rep.legalRepresentative.idNumber);
    assert.ok(represented.some((x) => x.creditCode === rep.creditCode));
    assert.equal((await scaleSeedState(db))?.state, 'done');
  });

  test('the provider dashboard charts who read its resources, the refused reads and the requests waiting, with their tables', async () => {
    const s = new WebSession(t);
    await s.login('admin');
    const page = await s.get(`/exchange/provider?department=${await departmentId(t, 'gaj')}`);
    assert.equal(page.statusCode, 200, page.body.slice(0, 300));
    assert.match(page.body, /<svg/);
    assert.match(page.body, /郑州市民政局/);
    assert.match(page.body, /人口基本信息/);
  });

  test('the demo enterprise was verified against the exchange’s 法人库', async () => {
    const rows = await sql<{
      n: number;
    }>`select count(*) as n from exchange_legal_persons where credit_code = ${DEMO_ORGANIZATION.creditCode}`.execute(
      t.store.db,
    );
    assert.equal(Number(rows.rows[0]?.n), 1);
    const s = new WebSession(t);
    await s.login('enterprise');
    const me = await s.get('/api/v1/me');
    assert.match(me.body, new RegExp(DEMO_ORGANIZATION.creditCode));
  });
});

describe('exchange › cases read registered facts at submission instead of asking for them', () => {
  // 失业保险金申领: decided by 金水区人力资源和社会保障局; 社会保险缴费记录 comes from the register
  const ITEM = '11410105414644738F05001200400000';
  const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
  let t: TongbanApp;
  let citizen: string;
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    citizen = (await t.identity.tokenForLogin('citizen', 3600_000)).token;
  });
  after(async () => t.close());

  const submit = async () => {
    const it = await t.catalog.getPublishedItem(ITEM);
    const idScan = it?.materials.find((m) => m.name === '居民身份证')?.code;
    assert.ok(idScan);
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${citizen}` },
      payload: {
        implementationCode: ITEM,
        regionCode: '410105001',
        form: await validForm(t, ITEM),
        materials: [
          {
            code: idScan,
            filename: 'id.pdf',
            mediaType: 'application/pdf',
            contentBase64: PDF.toString('base64'),
          },
        ],
      },
    });
    assert.equal(r.statusCode, 201, r.body);
    const view = await t.app.inject({
      url: `/api/v1/cases/${r.json().caseNumber}`,
      headers: { authorization: `Bearer ${citizen}` },
    });
    return { caseNumber: r.json().caseNumber as string, view: view.json() };
  };

  test('the 社会保险缴费记录 is read through the deciding department’s grant, attached as trust A with its access id, and the citizen sees the read', async () => {
    const { caseNumber, view } = await submit();
    const shared = view.materials.find((m: { accessId: string | null }) => m.accessId);
    assert.ok(shared, JSON.stringify(view.materials));
    assert.equal(shared.trustLevel, 'A');
    assert.match(shared.name, /社会保险缴费记录/);
    const s = new WebSession(t);
    await s.login('citizen');
    const mine = JSON.parse((await s.get('/api/v1/me/data-access')).body).records as Array<{
      id: string;
      caseNumber: string | null;
      outcome: string;
    }>;
    const read = mine.find((x) => x.id === shared.accessId);
    assert.equal(read?.caseNumber, caseNumber);
    assert.equal(read?.outcome, 'ok');
    // staff see the material on the case page with the link to its record in the log
    const staff = new WebSession(t);
    await staff.login('admin');
    const page = await staff.get(`/workbench/cases/${caseNumber}`);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes(`/log/object?type=exchangeAccess&amp;id=${shared.accessId}`));
    // …and beside the materials the reads made for the case: resource, fields, purpose, outcome
    const reads = page.body.slice(page.body.indexOf('id="reads-h"'));
    assert.ok(reads.length > 20, 'the shared-data section');
    assert.match(reads, /社会保险参保缴费信息/);
    assert.match(reads, /monthsPaid/);
    assert.match(reads, /办理“失业保险金申领”：社会保险缴费记录/);
    assert.match(reads, /已获取/);
    assert.match(reads, /UTC\+8/);
    // the clock beside it says in words why it has not started
    assert.match(page.body, /计时从受理之日起算，本件尚未受理。/);
  });

  test('when the read is refused the case is still submitted, the material left to the applicant, the refusal recorded', async () => {
    const dept = (
      await sql<{
        id: string;
      }>`select id from regions_departments where kind = 'rsj' and region_code = '410105'`.execute(t.store.db)
    ).rows[0]!.id;
    await sql`update exchange_grants set status = 'suspended' where department_id = ${dept}`.execute(
      t.store.db,
    );
    const { caseNumber, view } = await submit();
    assert.ok(!view.materials.some((m: { accessId: string | null }) => m.accessId));
    const denied = await sql<{
      outcome: string;
    }>`select outcome from exchange_access where case_number = ${caseNumber}`.execute(t.store.db);
    assert.deepEqual(
      denied.rows.map((r) => r.outcome),
      ['EXCHANGE.GRANT_REVOKED'],
    );
    // the workbench shows the refused read too
    const staff = new WebSession(t);
    await staff.login('admin');
    const page = await staff.get(`/workbench/cases/${caseNumber}`);
    const reads = page.body.slice(page.body.indexOf('id="reads-h"'));
    assert.match(reads, /被拒绝（EXCHANGE\.GRANT_REVOKED）/);
  });
});

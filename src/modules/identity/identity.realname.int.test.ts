import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { WebSession } from '../../../test/helpers/session.js';
import { openTestStore } from '../../../test/helpers/store.js';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';
import { migrate, sql } from '../../platform/db/index.js';
import { generateIdNumber } from '../../platform/codes/index.js';
import { exportJsonText } from '../catalog/index.js';
import { DEMO_TYPES } from '../licences/index.js';
import { testConfig } from '../../config/index.js';
import { createPersonalDataCipher } from '../../platform/privacy/index.js';
import { DEMO_PEOPLE } from './identity.demo.js';
import { releasedClaims } from './identity.oidc.js';
import { identityMigrations } from './identity.store.js';

/**
 * 实名等级 against an attacker (issue 11 item 6). A squatter registers someone else's ID number:
 * at L1 it reaches nothing (no licences, no applications), it locks nobody out, and the owner
 * takes the number back — online with factors the squatter lacks, or in person at a window,
 * where the check raises the account that shows the one-time code, never whichever account holds
 * the number. Each attack is performed first.
 */
const OWNER = DEMO_PEOPLE.unregistered; // 王五: in the demo population register, no account
const COUNTY_ITEM = '11410105414644738F05001200400000'; // 失业保险金申领 (金水区), needs L2
const ORG_ITEM = '11410100297017523N01003400500000'; // 食品经营许可证核发 (organisations)

let t: TongbanApp;
const clock = new ManualClock('2026-03-02T02:00:00Z');
before(async () => {
  t = await buildTestApp({ demo: 'on', clock });
});
after(async () => t.close());

const bar = () => ({ tick() {}, done() {} });
const json = { 'content-type': 'application/json' };
const bearerOf = async (login: string) => ({
  authorization: `Bearer ${(await t.identity.tokenForLogin(login)).token}`,
});

/** The code of the latest registration message to a phone (the dev mailbox keeps it masked). */
async function registrationCode(mobile: string): Promise<string> {
  const masked = `${mobile.slice(0, 3)}****${mobile.slice(-4)}`;
  const sms = (await t.identity.service.notifications(1000)).find(
    (n) => n.recipient_masked === masked && n.subject === 'registration-code',
  );
  const code = /\b(\d{6})\b/.exec(sms?.body ?? '')?.[1];
  assert.ok(code, `a registration code went to ${masked}`);
  return code;
}

let addresses = 0;
/** Registers through both steps, each from its own address: the answer of step two (201). */
async function register(login: string, name: string, idNumber: string, mobile: string) {
  const remoteAddress = `203.0.113.${++addresses}`;
  const started = await t.app.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    headers: json,
    remoteAddress,
    payload: { kind: 'person', login, password: 'a-strong-pass-1', name, idNumber, mobile },
  });
  assert.equal(started.statusCode, 202, started.body);
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/accounts/confirm',
    headers: json,
    remoteAddress,
    payload: { registrationId: started.json().registrationId, code: await registrationCode(mobile) },
  });
}

async function me(login: string) {
  return (await t.app.inject({ url: '/api/v1/me', headers: await bearerOf(login) })).json() as {
    realNameLevel: number;
    idNumberMasked: string | null;
  };
}

async function verifyOnline(login: string, factors: Record<string, string>) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/me/real-name',
    headers: { ...json, ...(await bearerOf(login)) },
    payload: factors,
  });
}

async function wallet(login: string): Promise<string[]> {
  const r = await t.app.inject({ url: '/api/v1/licences?holder=me', headers: await bearerOf(login) });
  assert.equal(r.statusCode, 200, r.body);
  return (r.json().licences as Array<{ identifier: string }>).map((l) => l.identifier);
}

async function pdf(login: string, identifier: string) {
  return t.app.inject({ url: `/licences/${identifier}.pdf`, headers: await bearerOf(login) });
}

async function codeFor(login: string): Promise<string> {
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/v1/me/in-person-code',
    headers: await bearerOf(login),
  });
  assert.equal(r.statusCode, 201, r.body);
  assert.match(r.json().code, /^\d{8}$/);
  return r.json().code;
}

async function clerkChecks(body: Record<string, unknown>) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/accounts/verify-in-person',
    headers: { ...json, ...(await bearerOf('clerk')) },
    payload: body,
  });
}

/** An e-licence of the person with this ID number, imported (存量证照入库) before they have an account. */
async function importLicenceOf(name: string, idNumber: string): Promise<string> {
  const type = DEMO_TYPES.find((x) => x.name === '机动车驾驶证')!;
  const issuer = await sql<{ code: string }>`select code from licence_issuers
    where name = '郑州市公安局金水分局'`.execute(t.store.db);
  const r = await t.licences.importLicences(
    [
      {
        typeCode: type.code,
        issuerCode: issuer.rows[0]!.code,
        holder: { name, idType: '111', idNumber },
        fields: { 准驾车型: 'C1' },
        validFrom: '2024-01-01',
        validTo: '2030-01-01',
      },
    ],
    bar,
  );
  assert.ok('imported' in r, JSON.stringify(r));
  return r.identifiers[0]!;
}

async function applyFor(login: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers: { ...json, ...(await bearerOf(login)) },
    payload: { implementationCode: COUNTY_ITEM, regionCode: '410105001', form: {} },
  });
}

describe('a squatter at L1 gets nothing, and the owner reclaims the number online', () => {
  let licence: string;
  before(async () => {
    licence = await importLicenceOf(OWNER.name, OWNER.idNumber);
  });

  test('the owner may register with a number a squatter claimed first (no lock-out, no ID_NUMBER_TAKEN oracle)', async () => {
    const squatter = await register('squatter-a', OWNER.name, OWNER.idNumber, '13900000001');
    assert.equal(squatter.statusCode, 201, squatter.body);
    assert.equal(squatter.json().realNameLevel, 1);
    const owner = await register('wangwu-a', OWNER.name, OWNER.idNumber, OWNER.mobile);
    assert.equal(owner.statusCode, 201, owner.body);
  });

  test('at L1 the squatter sees none of the owner’s licences, cannot open the PDF, cannot apply for an L2 item', async () => {
    assert.deepEqual(await wallet('squatter-a'), []);
    const doc = await pdf('squatter-a', licence);
    assert.ok(doc.statusCode === 403 || doc.statusCode === 404, `PDF answered ${doc.statusCode}`);
    const applied = await applyFor('squatter-a');
    assert.equal(applied.statusCode, 403, applied.body);
    assert.equal(applied.json().error.code, 'CASES.REAL_NAME_LEVEL');
  });

  test('a clerk’s walk-in by that ID number does not file the case in the squatter’s account', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { ...json, ...(await bearerOf('clerk')) },
      payload: {
        implementationCode: COUNTY_ITEM,
        regionCode: '410105001',
        form: {},
        hallId: 'H410105001',
        applicantId: OWNER.idNumber,
      },
    });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().error.code, 'CASES.APPLICANT_UNKNOWN');
  });

  test('the squatter cannot pass L2 without the owner’s factors', async () => {
    const r = await verifyOnline('squatter-a', { mobile: '13900000001', bankCard: '6222020000000000099' });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.code, 'IDENTITY.VERIFICATION_FAILED');
    assert.equal((await me('squatter-a')).realNameLevel, 1);
  });

  test('the owner passes L2: the squatter loses the number (and is told), the owner gets the licences', async () => {
    const r = await verifyOnline('wangwu-a', { mobile: OWNER.mobile, bankCard: OWNER.bankCard });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().realNameLevel, 2);
    const s = await me('squatter-a');
    assert.equal(s.realNameLevel, 1);
    assert.equal(s.idNumberMasked, null);
    assert.ok(
      (await t.identity.service.notifications()).some(
        (n) => n.subject === 'id-number-released' && n.recipient_masked === '139****0001',
      ),
    );
    assert.deepEqual(await wallet('wangwu-a'), [licence]);
    assert.equal((await pdf('wangwu-a', licence)).statusCode, 200);
    assert.deepEqual(await wallet('squatter-a'), []);
    // the number is no longer the squatter's to verify, even with the right factors
    const again = await verifyOnline('squatter-a', { mobile: OWNER.mobile, bankCard: OWNER.bankCard });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'IDENTITY.ID_NUMBER_RELEASED');
  });

  test('a later claim reaches nothing, and online factors cannot take a verified number', async () => {
    const late = await register('squatter-b', OWNER.name, OWNER.idNumber, '13900000002');
    assert.equal(late.statusCode, 201, late.body);
    assert.deepEqual(await wallet('squatter-b'), []);
    const cipher = createPersonalDataCipher(testConfig().secretKey);
    const released = await releasedClaims(
      t.store.db,
      cipher,
      (await t.identity.accountIdByLogin('squatter-b'))!,
      undefined,
    );
    assert.ok(!released!.some((c) => c.claim === 'id_number'), 'a claim is not asserted to other sites');
    const r = await verifyOnline('squatter-b', { mobile: OWNER.mobile, bankCard: OWNER.bankCard });
    assert.equal(r.statusCode, 409);
    assert.equal(r.json().error.code, 'IDENTITY.ID_NUMBER_VERIFIED');
    assert.equal((await me('wangwu-a')).realNameLevel, 2);
  });
});

describe('the in-person check (L3) raises the account that shows the code, and reclaims the number', () => {
  // a person of the register whose factors a thief has stolen: the thief verifies online first
  const victim = { ...DEMO_PEOPLE.citizen, name: '赵敏', idNumber: '' };
  let licence: string;
  before(async () => {
    victim.idNumber = generateIdNumber({ regionCode: '410105', birthDate: '1988-08-08', sex: 'female' });
    licence = await importLicenceOf(victim.name, victim.idNumber);
    const thief = await register('thief-c', victim.name, victim.idNumber, '13900000003');
    assert.equal(thief.statusCode, 201, thief.body);
  });

  test('attack › a clerk’s check of an ID number held by a squatter’s account does not raise the squatter', async () => {
    const r = await clerkChecks({ idNumber: victim.idNumber });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal((await me('thief-c')).realNameLevel, 1);
  });

  test('a thief that verified online with stolen factors holds the number at L2 and sees the licence', async () => {
    // as the verifier would have it with the victim's stolen factors (the demo register does not
    // know this generated person)
    await sql`update identity_accounts set real_name_level = 2, id_number_hash = id_number_claim_hash
      where login = 'thief-c'`.execute(t.store.db);
    assert.deepEqual(await wallet('thief-c'), [licence]);
  });

  test('the victim may still register, and gets a code; the code does not work for another account', async () => {
    const owner = await register('zhaomin', victim.name, victim.idNumber, '13900000004');
    assert.equal(owner.statusCode, 201, owner.body);
    const code = await codeFor('zhaomin');
    const wrongAccount = await clerkChecks({
      login: 'thief-c',
      code,
      name: victim.name,
      idNumber: victim.idNumber,
    });
    assert.equal(wrongAccount.statusCode, 400);
    assert.equal(wrongAccount.json().error.code, 'IDENTITY.IN_PERSON_CODE_INVALID');
    assert.equal((await me('thief-c')).realNameLevel, 2);
  });

  test('the thief’s own code with the thief’s own card does not take the victim’s number', async () => {
    const code = await codeFor('thief-c');
    const ownCard = generateIdNumber({ regionCode: '410102', birthDate: '1990-01-01', sex: 'male' });
    const r = await clerkChecks({ login: 'thief-c', code, name: '钱八', idNumber: ownCard });
    assert.equal(r.statusCode, 400);
    assert.equal(r.json().error.code, 'IDENTITY.IN_PERSON_MISMATCH');
    assert.equal((await me('thief-c')).realNameLevel, 2);
  });

  test('the clerk checks the victim with their code and card: their account is L3, the thief loses the number and the licences', async () => {
    const code = await codeFor('zhaomin');
    const r = await clerkChecks({
      login: 'zhaomin',
      code: `${code.slice(0, 4)} ${code.slice(4)}`,
      name: victim.name,
      idNumber: victim.idNumber.toLowerCase(),
    });
    assert.equal(r.statusCode, 204, r.body);
    assert.equal((await me('zhaomin')).realNameLevel, 3);
    const thief = await me('thief-c');
    assert.equal(thief.realNameLevel, 1);
    assert.equal(thief.idNumberMasked, null);
    assert.deepEqual(await wallet('thief-c'), []);
    const doc = await pdf('thief-c', licence);
    assert.ok(doc.statusCode === 403 || doc.statusCode === 404, `PDF answered ${doc.statusCode}`);
    assert.deepEqual(await wallet('zhaomin'), [licence]);
    // the check is the event of the account checked, by the clerk who checked it
    const ev = await sql<{ actor: string; payload: string }>`select actor, payload from events
      where type = 'identity.realNameVerified' and aggregate_id = ${(await t.identity.accountIdByLogin('zhaomin'))!}`.execute(
      t.store.db,
    );
    assert.equal(ev.rows[0]?.actor, await t.identity.accountIdByLogin('clerk'));
    assert.equal(JSON.parse(ev.rows[0]!.payload).method, 'in-person');
    assert.ok(!ev.rows[0]!.payload.includes(victim.idNumber));
  });
});

describe('the one-time code', () => {
  test('single use: the same code a second time is refused', async () => {
    const p = DEMO_PEOPLE.enterpriseAgent;
    assert.equal((await register('lisi', p.name, p.idNumber, p.mobile)).statusCode, 201);
    const code = await codeFor('lisi');
    const body = { login: 'lisi', code, name: p.name, idNumber: p.idNumber };
    assert.equal((await clerkChecks(body)).statusCode, 204);
    const second = await clerkChecks(body);
    assert.equal(second.statusCode, 400);
    assert.equal(second.json().error.code, 'IDENTITY.IN_PERSON_CODE_INVALID');
  });

  test('short-lived: a code is refused once its minutes are over; a new code replaces the old', async () => {
    const id = generateIdNumber({ regionCode: '410105', birthDate: '1992-02-02', sex: 'male' });
    assert.equal((await register('sunqi', '孙七', id, '13900000005')).statusCode, 201);
    const old = await codeFor('sunqi');
    clock.advance(16 * 60_000);
    const late = await clerkChecks({ login: 'sunqi', code: old, name: '孙七', idNumber: id });
    assert.equal(late.json().error.code, 'IDENTITY.IN_PERSON_CODE_INVALID');
    const first = await codeFor('sunqi');
    const second = await codeFor('sunqi');
    if (first !== second) {
      const replaced = await clerkChecks({ login: 'sunqi', code: first, name: '孙七', idNumber: id });
      assert.equal(replaced.json().error.code, 'IDENTITY.IN_PERSON_CODE_INVALID');
    }
    assert.equal(
      (await clerkChecks({ login: 'sunqi', code: second, name: '孙七', idNumber: id })).statusCode,
      204,
    );
  });

  test('five wrong tries void the code, the right one included', async () => {
    const id = generateIdNumber({ regionCode: '410105', birthDate: '1993-03-03', sex: 'female' });
    assert.equal((await register('zhouba', '周八', id, '13900000006')).statusCode, 201);
    const code = await codeFor('zhouba');
    const wrong = code === '00000000' ? '00000001' : '00000000';
    for (let i = 0; i < 5; i++)
      assert.equal(
        (await clerkChecks({ login: 'zhouba', code: wrong, name: '周八', idNumber: id })).statusCode,
        400,
      );
    const r = await clerkChecks({ login: 'zhouba', code, name: '周八', idNumber: id });
    assert.equal(r.json().error.code, 'IDENTITY.IN_PERSON_CODE_INVALID');
    assert.equal((await me('zhouba')).realNameLevel, 1);
  });

  test('only a person gets a code; only a clerk may check one', async () => {
    const org = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/in-person-code',
      headers: await bearerOf('enterprise'),
    });
    assert.equal(org.statusCode, 400);
    assert.equal(org.json().error.code, 'IDENTITY.IN_PERSON_PERSONS_ONLY');
    const byCitizen = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts/verify-in-person',
      headers: { ...json, ...(await bearerOf('citizen')) },
      payload: { login: 'citizen', code: '12345678', name: '张三', idNumber: DEMO_PEOPLE.citizen.idNumber },
    });
    assert.equal(byCitizen.statusCode, 403);
  });
});

describe('the pages', () => {
  test('a person gets the code on the account page; the clerk checks it on the in-person page', async () => {
    const id = generateIdNumber({ regionCode: '410105', birthDate: '1994-04-04', sex: 'male' });
    const person = new WebSession(t);
    const reg = await person.post('/register', {
      kind: 'person',
      login: 'wujiu',
      password: 'a-strong-pass-1',
      name: '吴九',
      idNumber: id,
      mobile: '13900000007',
    });
    assert.equal(reg.statusCode, 200);
    const done = await person.post(
      '/register/confirm',
      {
        registrationId: /name="registrationId" value="([^"]+)"/.exec(reg.body)![1]!,
        code: await registrationCode('13900000007'),
      },
      { from: '/register' },
    );
    assert.equal(done.statusCode, 303);
    // an item that needs L2 says so before the applicant starts
    const apply = await person.get(`/items/${COUNTY_ITEM}/apply`);
    assert.match(apply.body, /要求实名等级 L2，您的账户当前为 L1/);
    assert.match(apply.body, /href="\/account"/);
    const got = await person.post('/account/in-person-code', {}, { from: '/account' });
    assert.equal(got.statusCode, 200);
    assert.equal(got.headers['cache-control'], 'no-store');
    const m = /class="one-time-code">(\d{4}) (\d{4})</.exec(got.body);
    assert.ok(m, 'the code is on the page');
    const clerk = new WebSession(t);
    await clerk.login('clerk');
    const form = await clerk.get('/staff/verify-in-person');
    assert.equal(form.statusCode, 200);
    const wrong = await clerk.post(
      '/staff/verify-in-person',
      { login: 'wujiu', code: `${m[1]}${m[2]}`, name: '吴九', idNumber: DEMO_PEOPLE.citizen.idNumber },
      { from: '/staff/verify-in-person' },
    );
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /与该账户登记的不一致/);
    const ok = await clerk.post(
      '/staff/verify-in-person',
      { login: 'wujiu', code: `${m[1]}${m[2]}`, name: '吴九', idNumber: id },
      { from: '/staff/verify-in-person' },
    );
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /账户 wujiu 已完成现场核验/);
    assert.match((await person.get('/account')).body, /L3 已现场核验/);
  });
});

describe('an item that needs L3 binds a verified organisation too', () => {
  test('the enterprise, confirmed by its legal representative (L2), is told and refused until verified in person', async () => {
    // 食品经营许可证核发 republished as an item the law has applied for in person
    const g = (await t.catalog.getPublishedItem(ORG_ITEM))!.guide;
    const r = await t.catalog.importItems(exportJsonText([{ ...g, realNameLevel: 3 }]), 'json');
    assert.deepEqual(r.issues, []);
    assert.equal((await me('enterprise')).realNameLevel, 2);
    const org = new WebSession(t);
    await org.login('enterprise');
    const apply = await org.get(`/items/${ORG_ITEM}/apply`);
    assert.equal(apply.statusCode, 200);
    assert.match(apply.body, /要求单位账号经窗口现场核验（L3），本单位当前为 L2/);
    const submitted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { ...json, ...(await bearerOf('enterprise')) },
      payload: { implementationCode: ORG_ITEM, regionCode: '410105001', form: {} },
    });
    assert.equal(submitted.statusCode, 403, submitted.body);
    assert.equal(submitted.json().error.code, 'CASES.ORGANIZATION_IN_PERSON');
  });
});

describe('migration identity.0003_id_number_claims', () => {
  test('numbers registered at L1 become claims; numbers verified at L2+ stay held, and unique', async () => {
    const store = await openTestStore();
    try {
      const { 'identity.0001_accounts': a1, 'identity.0002_federation_providers': a2 } = identityMigrations;
      await migrate(store.db, { 'identity.0001_accounts': a1!, 'identity.0002_federation_providers': a2! });
      const row = (id: string, level: number, hash: string) => ({
        id,
        kind: 'person',
        login: id,
        name: '测试',
        id_number_enc: 'sealed',
        id_number_hash: hash,
        mobile_enc: null,
        mobile_hash: null,
        email: null,
        credit_code: null,
        legal_rep_name: null,
        region_code: '410105',
        department_id: null,
        hall_id: null,
        password_hash: 'x',
        real_name_level: level,
        real_name_method: null,
        real_name_at: null,
        status: 'active',
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
      });
      await store.db
        .withTables<{ identity_accounts: ReturnType<typeof row> }>()
        .insertInto('identity_accounts')
        .values([row('claimed', 1, 'h-claimed'), row('verified', 2, 'h-verified')])
        .execute();
      // this migration on the rows before it (later migrations are not its concern)
      const { 'identity.0003_id_number_claims': a3 } = identityMigrations;
      assert.deepEqual(
        await migrate(store.db, {
          'identity.0001_accounts': a1!,
          'identity.0002_federation_providers': a2!,
          'identity.0003_id_number_claims': a3!,
        }),
        ['identity.0003_id_number_claims'],
      );
      const rows = await sql<{
        id: string;
        id_number_hash: string | null;
        id_number_claim_hash: string | null;
      }>`
        select id, id_number_hash, id_number_claim_hash from identity_accounts order by id`.execute(store.db);
      assert.deepEqual(rows.rows, [
        { id: 'claimed', id_number_hash: null, id_number_claim_hash: 'h-claimed' },
        { id: 'verified', id_number_hash: 'h-verified', id_number_claim_hash: 'h-verified' },
      ]);
    } finally {
      await store.close();
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { openTestStore } from '../../../test/helpers/store.js';
import { WebSession } from '../../../test/helpers/session.js';
import type { TongbanApp } from '../../app.js';
import { generateCreditCode } from '../../platform/codes/index.js';
import { migrate, sql } from '../../platform/db/index.js';
import { identityMigrations } from './identity.store.js';
import { DEMO_TYPES } from '../licences/index.js';

/**
 * Issue 11 item 1, "organisations are verified, not claimed": the attack first. A stranger
 * registers an 法人 account with the credit code of a real company that holds e-licences but has
 * no verified account, and tries what the company could do: see its licences, download their
 * unmasked PDFs, use one instead of a material (免提交), and keep the real company out.
 */

// 食品经营许可证核发 (organisations): its 营业执照 may come from the wallet (免提交)
const FOOD_LICENCE = '11410100297017523N01003400500000';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

// a company of the demo legal-person register that holds licences and has no account yet
const RESTAURANT = { name: '郑州通办示范餐饮管理有限公司', creditCode: '91410105202600020L' };

let t: TongbanApp;
/** the company's 营业执照: its identifier is printed on it and public; its PDF is the holder's */
let identifier = '';
before(async () => {
  t = await buildTestApp({ demo: 'on' });
  const type = DEMO_TYPES.find((x) => x.name === '营业执照')!;
  const issuer = {
    name: '郑州市金水区市场监督管理局',
    regionCode: '410105',
    code: generateCreditCode({ regionCode: '410105', serial: 88_000_001 }),
  };
  await t.licences.upsertIssuer(issuer);
  ({ identifier } = await t.licences.issueLicence({
    typeCode: type.code,
    issuerCode: issuer.code,
    holder: { name: RESTAURANT.name, idType: '001', idNumber: RESTAURANT.creditCode },
    fields: { 类型: '有限责任公司', 法定代表人: '赵六', 住所: '郑州市金水区示范路102号' },
    validFrom: '2025-01-06',
    regionCode: '410105',
  }));
});
after(async () => t?.close());

const bearer = async (login: string) => ({
  authorization: `Bearer ${(await t.identity.tokenForLogin(login)).token}`,
});

let registered = 0;
/**
 * Registers an organisation account through the public API, both steps (the code comes by text
 * message: the dev mailbox here); answers the second step's response.
 */
async function registerOrganization(creditCode: string, who: { name?: string; agentName?: string } = {}) {
  registered += 1;
  const mobile = `1390000${String(registered).padStart(4, '0')}`;
  // a stranger each: registration is rate-limited per address
  const remoteAddress = `192.0.2.${registered}`;
  const started = await t.app.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    remoteAddress,
    payload: {
      kind: 'organization',
      login: `org-${registered}`,
      password: 'correct-horse-42',
      name: who.name ?? RESTAURANT.name,
      creditCode,
      legalRepresentative: '赵六',
      agentName: who.agentName ?? '钱八',
      agentIdNumber: '410102198802140445',
      // each account its own phone, so the dev mailbox tells them apart
      agentMobile: mobile,
    },
  });
  assert.equal(started.statusCode, 202, started.body);
  const masked = `${mobile.slice(0, 3)}****${mobile.slice(-4)}`;
  const sms = (await t.identity.service.notifications(1000)).find((n) => n.recipient_masked === masked);
  const code = /\b(\d{6})\b/.exec(sms?.body ?? '')?.[1];
  assert.ok(code, `a registration code went to ${masked}: ${sms?.body}`);
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/v1/accounts/confirm',
    remoteAddress,
    payload: { registrationId: started.json().registrationId, code },
  });
  assert.equal(r.statusCode, 201, r.body);
  return r;
}

const json = async (login: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: await bearer(login),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
const idOf = async (login: string) => (await t.identity.accountIdByLogin(login))!;
const stateOf = async (login: string) => (await json(login, 'GET', '/api/v1/me/organization')).json().state;

/** A valid answer for every field of an item's published form schema. */
async function formFor(code: string): Promise<Record<string, unknown>> {
  const it = await t.catalog.getPublishedItem(code);
  assert.ok(it, code);
  const props = it.form.schema.properties as Record<
    string,
    { type: string; enum?: string[]; pattern?: string; format?: string }
  >;
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(props)) {
    if (k === 'creditCode') out[k] = RESTAURANT.creditCode;
    else if (p.enum) out[k] = p.enum[0];
    else if (p.type === 'integer' || p.type === 'number') out[k] = 2;
    else if (p.type === 'boolean') out[k] = true;
    else if (p.format === 'date') out[k] = '2025-06-01';
    else if (p.pattern?.includes('1\\d{10}')) out[k] = '13800138000';
    else if (p.pattern?.includes('\\d{17}')) out[k] = '410105199001011234';
    else if (p.pattern) continue;
    else out[k] = '测试内容';
  }
  return out;
}

/** Applies for the food business licence with the 营业执照 from the wallet (免提交). */
async function applyWithLicence(login: string, identifier: string) {
  const it = await t.catalog.getPublishedItem(FOOD_LICENCE);
  assert.ok(it);
  const uploads = it.materials
    .filter((m) => m.necessity === 'required' && m.code !== 'm02-biz')
    .map((m) => ({ code: m.code, filename: `${m.code}.pdf`, contentBase64: PDF.toString('base64') }));
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/cases',
    headers: await bearer(login),
    payload: {
      implementationCode: FOOD_LICENCE,
      regionCode: '410105001',
      form: await formFor(FOOD_LICENCE),
      materials: uploads,
      licenceMaterials: { 'm02-biz': identifier },
    },
  });
}

async function licencesOf(login: string) {
  const r = await t.app.inject({ url: '/api/v1/licences?holder=me', headers: await bearer(login) });
  assert.equal(r.statusCode, 200, r.body);
  return r.json().licences as Array<{ identifier: string; typeName: string }>;
}

describe('organisations are verified, not claimed (issue 11 item 1): the squatter’s attack', () => {
  let squatter = '';
  let real = '';
  let realId = '';

  test('anyone may register with the credit code of a company that has no verified account', async () => {
    squatter = (await registerOrganization(RESTAURANT.creditCode)).json().login;
  });

  test('an unverified organisation sees none of the company’s e-licences', async () => {
    const mine = await licencesOf(squatter);
    assert.deepEqual(
      mine.map((l) => l.typeName),
      [],
      'a claimed credit code opened the company’s wallet',
    );
  });

  test('an unverified organisation cannot download the company’s licence PDF', async () => {
    const pdf = await t.app.inject({ url: `/licences/${identifier}.pdf`, headers: await bearer(squatter) });
    assert.equal(pdf.statusCode, 403, 'the squatter downloaded the company’s PDF');
    assert.equal(pdf.json().error.code, 'LICENCES.NOT_HOLDER');
  });

  test('an unverified organisation cannot use the company’s licence as a material, nor apply at all', async () => {
    const r = await applyWithLicence(squatter, identifier);
    assert.equal(r.statusCode, 403, r.body);
    assert.equal(r.json().error.code, 'CASES.ORGANIZATION_UNVERIFIED');
    assert.match(r.json().error.message, /法定代表人/);
  });

  test('the real company can still register: a claim locks nobody out', async () => {
    real = (await registerOrganization(RESTAURANT.creditCode, { agentName: '孙经办' })).json().login;
  });

  test('both accounts are only claimed (level 1): their principals say so', async () => {
    for (const login of [squatter, real]) {
      const me = (await json(login, 'GET', '/api/v1/me')).json();
      assert.equal(me.realNameLevel, 1);
      assert.equal(me.organizationState, 'claimed');
      assert.equal(await stateOf(login), 'claimed');
    }
  });

  test('an unverified organisation may still draft: the apply pages open', async () => {
    const r = await t.app.inject({
      url: `/items/${FOOD_LICENCE}/apply/applicant`,
      headers: { ...(await bearer(squatter)), accept: 'text/html' },
    });
    assert.equal(r.statusCode, 200, r.body.slice(0, 500));
    // …and says before it starts that submitting waits for verification, and how to get there
    assert.match(r.body, /本单位账号尚未核验：可以先填写并保存申请，核验后才能提交/);
    const verified = await t.app.inject({
      url: `/items/${FOOD_LICENCE}/apply/applicant`,
      headers: { ...(await bearer('enterprise')), accept: 'text/html' },
    });
    assert.doesNotMatch(verified.body, /本单位账号尚未核验/);
  });

  test('the legal representative (L2, matching the register) sees both claims awaiting confirmation', async () => {
    const r = await json('legalrep', 'GET', '/api/v1/me/pending-organizations');
    assert.equal(r.statusCode, 200, r.body);
    const logins = (r.json().organizations as Array<{ login: string; registerName: string }>).map(
      (o) => o.login,
    );
    assert.deepEqual(logins.sort(), [real, squatter].sort());
    // the demo enterprise is verified already: nothing to confirm there
    assert.ok(!r.body.includes('91410105202600012R'));
  });

  test('nobody else may confirm: another person at L2, the organisation itself, a clerk', async () => {
    for (const who of ['citizen', squatter, 'clerk']) {
      const r = await json(who, 'POST', `/api/v1/organizations/${await idOf(real)}/confirm`);
      assert.equal(r.statusCode, 403, `${who}: ${r.body}`);
      assert.equal(r.json().error.code, 'IDENTITY.NOT_LEGAL_REPRESENTATIVE');
    }
    const pending = await json('citizen', 'GET', '/api/v1/me/pending-organizations');
    assert.deepEqual(pending.json().organizations, []);
    assert.equal(await stateOf(real), 'claimed');
  });

  test('the legal representative confirms the real account: verified (level 2), the squatter loses the code (reclaim)', async () => {
    realId = await idOf(real);
    const r = await json('legalrep', 'POST', `/api/v1/organizations/${realId}/confirm`);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().realNameLevel, 2);
    assert.equal(await stateOf(real), 'verifiedByRepresentative');
    assert.equal((await json(real, 'GET', '/api/v1/me')).json().realNameLevel, 2);
    const lost = (await json(squatter, 'GET', '/api/v1/me')).json();
    assert.equal(lost.organizationState, 'released');
    assert.equal(lost.creditCode, null);
    assert.equal(lost.realNameLevel, 1);
    // confirming again, or confirming the released account, changes nothing
    for (const login of [real, squatter]) {
      const again = await json('legalrep', 'POST', `/api/v1/organizations/${await idOf(login)}/confirm`);
      assert.equal(again.statusCode, 409, again.body);
      assert.equal(again.json().error.code, 'IDENTITY.ORGANIZATION_NOT_PENDING');
    }
  });

  test('the released account is told by SMS (dev mailbox), its number masked', async () => {
    const box = await t.app.inject({ url: '/dev/mailbox', headers: { accept: 'text/html' } });
    assert.match(box.body, new RegExp(`单位账号（登录名 ${squatter}）`));
    assert.match(box.body, /139\*\*\*\*0001/);
    assert.doesNotMatch(box.body, new RegExp(`登录名 ${real}）`));
  });

  test('the verified company sees its licence, downloads its PDF and uses it as a material', async () => {
    assert.deepEqual(
      (await licencesOf(real)).map((l) => l.identifier),
      [identifier],
    );
    const pdf = await t.app.inject({ url: `/licences/${identifier}.pdf`, headers: await bearer(real) });
    assert.equal(pdf.statusCode, 200);
    const r = await applyWithLicence(real, identifier);
    assert.equal(r.statusCode, 201, r.body);
  });

  test('the released account still sees nothing and cannot apply', async () => {
    assert.deepEqual(await licencesOf(squatter), []);
    const r = await applyWithLicence(squatter, identifier);
    assert.equal(r.statusCode, 403, r.body);
    assert.equal(r.json().error.code, 'CASES.ORGANIZATION_UNVERIFIED');
  });

  test('nor may a clerk submit for it at a window (代办): the clerk verifies it first', async () => {
    const it = await t.catalog.getPublishedItem(FOOD_LICENCE);
    const r = await json('clerk', 'POST', '/api/v1/cases', {
      implementationCode: FOOD_LICENCE,
      regionCode: '410105001',
      form: await formFor(FOOD_LICENCE),
      materials: it!.materials
        .filter((m) => m.necessity === 'required')
        .map((m) => ({ code: m.code, filename: `${m.code}.pdf`, contentBase64: PDF.toString('base64') })),
      // the demo clerk's hall: 经八路街道便民服务中心
      hallId: 'H410105001',
      applicantId: await idOf(squatter),
    });
    assert.equal(r.statusCode, 403, r.body);
    assert.equal(r.json().error.code, 'CASES.ORGANIZATION_UNVERIFIED');
  });

  test('events through the outbox name accounts only: no credit code, no name reaches the log', async () => {
    const rows = await t.store.db
      .withTables<{ events: { type: string; aggregate_id: string; actor: string | null; payload: string } }>()
      .selectFrom('events')
      .select(['type', 'aggregate_id', 'actor', 'payload'])
      .where('type', 'in', ['identity.organizationVerified', 'identity.organizationReleased'])
      .execute();
    const verified = rows.find(
      (e) => e.type === 'identity.organizationVerified' && e.aggregate_id === realId,
    );
    const released = rows.find((e) => e.type === 'identity.organizationReleased');
    assert.ok(verified && released);
    assert.equal(verified.actor, await idOf('legalrep'));
    assert.equal(released.aggregate_id, await idOf(squatter));
    for (const e of rows) {
      assert.doesNotMatch(e.payload, /914101|赵六|餐饮|410105197608210336/);
      assert.deepEqual(
        Object.keys(JSON.parse(e.payload)).sort(),
        e.type.endsWith('Verified') ? ['level', 'method', 'released'] : ['by', 'reason'],
      );
    }
  });
});

describe('verification in person at a window (clerk)', () => {
  const TRADING = '91410105202600039H'; // 注销 in the demo register
  const LOGISTICS = '91410106202600055M'; // 上街区: outside the demo clerk's county
  const UNKNOWN = generateCreditCode({ regionCode: '410105', serial: 31_415_926, authority: '9' });

  test('a clerk looks up a code of their county: the register entry and every account claiming it', async () => {
    const r = await json('clerk', 'GET', `/api/v1/organizations?creditCode=${RESTAURANT.creditCode}`);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().register.name, RESTAURANT.name);
    assert.equal(r.json().register.legalRepresentativeMasked, '赵*');
    // the released squatter claims nothing any more: only the verified account is listed
    assert.deepEqual(
      r.json().accounts.map((a: { state: string }) => a.state),
      ['verifiedByRepresentative'],
    );
  });

  test('scope › a clerk cannot look up or verify an organisation registered outside their area (fail closed)', async () => {
    const claim = await registerOrganization(LOGISTICS, { name: '郑州通办示范物流有限公司' });
    assert.equal(claim.statusCode, 201);
    const look = await json('clerk', 'GET', `/api/v1/organizations?creditCode=${LOGISTICS}`);
    assert.equal(look.statusCode, 403);
    assert.equal(look.json().error.code, 'IDENTITY.ORGANIZATION_OUT_OF_SCOPE');
    const v = await json('clerk', 'POST', `/api/v1/organizations/${claim.json().id}/verify-in-person`, {
      creditCode: LOGISTICS,
    });
    assert.equal(v.statusCode, 403);
    assert.equal(await stateOf(claim.json().login), 'claimed');
    // staff without the permission are refused at the route
    const approver = await json(
      'approver',
      'GET',
      `/api/v1/organizations?creditCode=${RESTAURANT.creditCode}`,
    );
    assert.equal(approver.statusCode, 403);
  });

  test('the code read off the licence must be the one the account claims', async () => {
    const claim = await registerOrganization(UNKNOWN, { name: '郑州某未登记公司' });
    const r = await json('clerk', 'POST', `/api/v1/organizations/${claim.json().id}/verify-in-person`, {
      creditCode: RESTAURANT.creditCode,
    });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().error.code, 'IDENTITY.CREDIT_CODE_MISMATCH');
  });

  test('a company the register does not know is verified on the original licence alone (level 3)', async () => {
    const claim = await registerOrganization(UNKNOWN, { name: '郑州某未登记公司' });
    const r = await json('clerk', 'POST', `/api/v1/organizations/${claim.json().id}/verify-in-person`, {
      creditCode: UNKNOWN,
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().realNameLevel, 3);
    assert.equal(await stateOf(claim.json().login), 'verifiedInPerson');
    // …but its legal representative could not have confirmed it online
    const other = await registerOrganization(UNKNOWN, { name: '郑州某未登记公司' });
    const online = await json('legalrep', 'POST', `/api/v1/organizations/${other.json().id}/confirm`);
    assert.equal(online.json().error.code, 'IDENTITY.ORGANIZATION_NOT_IN_REGISTER');
  });

  test('a deregistered (注销) company is verified neither online nor in person', async () => {
    const claim = await registerOrganization(TRADING, { name: '郑州通办示范商贸有限公司' });
    const online = await json('legalrep', 'POST', `/api/v1/organizations/${claim.json().id}/confirm`);
    assert.equal(online.statusCode, 409);
    assert.equal(online.json().error.code, 'IDENTITY.ORGANIZATION_NOT_ACTIVE');
    const window = await json('clerk', 'POST', `/api/v1/organizations/${claim.json().id}/verify-in-person`, {
      creditCode: TRADING,
    });
    assert.equal(window.json().error.code, 'IDENTITY.ORGANIZATION_NOT_ACTIVE');
    assert.equal(await stateOf(claim.json().login), 'claimed');
  });

  test('dispute › a verified holder loses its code only to a clerk who checked the original, and only when told to', async () => {
    const holder = await idOf('enterprise');
    const claim = await registerOrganization('91410105202600012R', { name: '郑州通办示范科技有限公司' });
    // the verified holder is told of the claim at its registered (agent's) phone
    const told = (await t.identity.service.notifications(1000)).filter(
      (n) => n.recipient_masked === '138****0001' && n.subject === 'registration-attempt',
    );
    assert.equal(told.length, 1);
    // the legal representative cannot move it online
    const pending = (await json('legalrep', 'GET', '/api/v1/me/pending-organizations')).json().organizations;
    const row = pending.find((o: { accountId: string }) => o.accountId === claim.json().id);
    assert.equal(row?.heldElsewhere, true);
    const online = await json('legalrep', 'POST', `/api/v1/organizations/${claim.json().id}/confirm`);
    assert.equal(online.json().error.code, 'IDENTITY.ORGANIZATION_VERIFIED_ELSEWHERE');
    // a clerk must say it is a dispute
    const silent = await json('clerk', 'POST', `/api/v1/organizations/${claim.json().id}/verify-in-person`, {
      creditCode: '91410105202600012R',
    });
    assert.equal(silent.statusCode, 409);
    assert.equal(silent.json().error.code, 'IDENTITY.ORGANIZATION_VERIFIED_ELSEWHERE');
    assert.equal(await stateOf('enterprise'), 'verifiedByRepresentative');
    assert.ok((await licencesOf('enterprise')).length > 0);
    const moved = await json('clerk', 'POST', `/api/v1/organizations/${claim.json().id}/verify-in-person`, {
      creditCode: '91410105202600012R',
      dispute: true,
    });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.equal(await stateOf(claim.json().login), 'verifiedInPerson');
    // the former holder loses the code and, at its next read, its licences
    assert.equal(await stateOf('enterprise'), 'released');
    assert.deepEqual(await licencesOf('enterprise'), []);
    assert.ok((await licencesOf(claim.json().login)).length > 0);
    const released = await t.store.db
      .withTables<{
        identity_organization_verifications: { account_id: string; method: string; actor_id: string };
      }>()
      .selectFrom('identity_organization_verifications')
      .selectAll()
      .where('account_id', '=', holder)
      .execute();
    const clerk = await idOf('clerk');
    assert.ok(released.some((r) => r.method === 'disputed' && r.actor_id === clerk));
  });
});

describe('the pages: the organisation’s state, the legal representative’s list, the clerk’s check', () => {
  const CAFE = generateCreditCode({ regionCode: '410105', serial: 27_182_818, authority: '9' });
  let login = '';
  let accountId = '';
  before(async () => {
    const r = await registerOrganization(RESTAURANT.creditCode, { agentName: '周经办' });
    login = r.json().login;
    accountId = r.json().id;
  });

  test('an unverified organisation’s account page shows its state and the two ways to verify', async () => {
    const b = new WebSession(t);
    await b.post('/login', { login, password: 'correct-horse-42' }, { from: '/login' });
    const page = await b.get('/account');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h2 id="org-h">单位核验<\/h2>/);
    assert.match(page.body, /待核验：仅申报了统一社会信用代码/);
    assert.match(page.body, /方式一：法定代表人在线确认/);
    assert.match(page.body, /请法定代表人赵\*用本人的个人账号登录/);
    assert.match(page.body, new RegExp(`方式二：到窗口现场核验[\\s\\S]*登录名 ${login}`));
    const en = await b.get('/account?lang=en');
    assert.match(en.body, /Way 2: at a service hall window/);
  });

  test('the legal representative’s account page lists the claims; confirming one verifies it', async () => {
    const logistics = await registerOrganization('91410106202600055M', {
      name: '郑州通办示范物流有限公司',
      agentName: '吴经办',
    });
    const b = new WebSession(t);
    await b.login('legalrep');
    const page = await b.get('/account');
    assert.match(page.body, /<h2 id="pending-org-h">待您确认的单位账号<\/h2>/);
    assert.match(page.body, new RegExp(`<td>${login}</td>`));
    assert.match(page.body, /周\*/);
    assert.doesNotMatch(page.body, /周经办/, 'the agent’s name is masked');
    // the restaurant has a verified account already: its claim offers no button, only the way to a window
    assert.doesNotMatch(page.body, new RegExp(`/account/organizations/${accountId}/confirm`));
    assert.match(page.body, /该单位已有经核验的账号/);
    const r = await b.post(`/account/organizations/${logistics.json().id}/confirm`, {}, { from: '/account' });
    assert.equal(r.statusCode, 303, r.body.slice(0, 1000));
    const after = await b.get(String(r.headers.location));
    assert.match(after.body, /已确认，该单位账号已核验。/);
    assert.equal(await stateOf(logistics.json().login), 'verifiedByRepresentative');
    // a refused confirmation comes back as the account page with the reason
    const refused = await b.post(`/account/organizations/${accountId}/confirm`, {}, { from: '/account' });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /只能在政务服务大厅窗口核对营业执照原件后变更/);
  });

  test('a person who represents nothing sees no such section', async () => {
    const b = new WebSession(t);
    await b.login('citizen');
    const page = await b.get('/account');
    assert.doesNotMatch(page.body, /pending-org-h/);
    assert.doesNotMatch(page.body, /org-h/);
  });

  test('the clerk’s page: look the code up, tick the check, verify; without the tick nothing changes', async () => {
    const claim = await registerOrganization(CAFE, { name: '郑州某咖啡店' });
    const b = new WebSession(t);
    await b.login('clerk');
    const home = await b.get('/account');
    assert.match(home.body, /href="\/staff\/organizations"/, 'the clerk’s navigation links the page');
    const page = await b.get(`/staff/organizations?creditCode=${CAFE}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /法人库中查不到该代码/);
    assert.match(page.body, new RegExp(`核验账号 ${claim.json().login}`));
    const from = `/staff/organizations?creditCode=${CAFE}`;
    const unticked = await b.post(
      `/staff/organizations/${claim.json().id}/verify`,
      { creditCode: CAFE },
      { from },
    );
    assert.equal(unticked.statusCode, 400);
    assert.match(unticked.body, /请先核对营业执照原件并勾选此项/);
    assert.equal(await stateOf(claim.json().login), 'claimed');
    const done = await b.post(
      `/staff/organizations/${claim.json().id}/verify`,
      { creditCode: CAFE, checked: '1' },
      { from },
    );
    assert.equal(done.statusCode, 200, done.body.slice(0, 1000));
    assert.match(done.body, new RegExp(`账号 ${claim.json().login} 已核验`));
    assert.equal(await stateOf(claim.json().login), 'verifiedInPerson');
    const bad = await b.get('/staff/organizations?creditCode=91410105202600012X');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /校验位不正确/);
  });

  test('the citizen cannot open the clerk’s page', async () => {
    const b = new WebSession(t);
    await b.login('citizen');
    assert.equal((await b.get('/staff/organizations')).statusCode, 403);
  });
});

describe('migration identity.0006_organization_verification', () => {
  test('an organisation registered before verification existed is only claimed: its code moves to the claim', async () => {
    const store = await openTestStore();
    try {
      const before = Object.fromEntries(
        Object.entries(identityMigrations).filter(([k]) => k < 'identity.0006'),
      );
      await migrate(store.db, before);
      const row = (id: string, kind: string, creditCode: string | null) => ({
        id,
        kind,
        login: id,
        name: '测试',
        id_number_enc: null,
        id_number_hash: null,
        mobile_enc: null,
        mobile_hash: null,
        email: null,
        credit_code: creditCode,
        legal_rep_name: null,
        region_code: '410105',
        department_id: null,
        hall_id: null,
        password_hash: 'x',
        real_name_level: kind === 'staff' ? 3 : 1,
        real_name_method: null,
        real_name_at: null,
        status: 'active',
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
      });
      await store.db
        .withTables<{ identity_accounts: ReturnType<typeof row> }>()
        .insertInto('identity_accounts')
        .values([row('org', 'organization', RESTAURANT.creditCode), row('staff', 'staff', null)])
        .execute();
      // this migration alone, whatever migrations come after it
      const upTo = Object.fromEntries(
        Object.entries(identityMigrations).filter(([k]) => k <= 'identity.0006_organization_verification'),
      );
      assert.deepEqual(await migrate(store.db, upTo), ['identity.0006_organization_verification']);
      const rows = await sql<{
        id: string;
        credit_code: string | null;
        claimed_credit_code: string | null;
        real_name_level: number;
      }>`select id, credit_code, claimed_credit_code, real_name_level from identity_accounts order by id`.execute(
        store.db,
      );
      assert.deepEqual(
        rows.rows.map((r) => ({ ...r, real_name_level: Number(r.real_name_level) })),
        [
          { id: 'org', credit_code: null, claimed_credit_code: RESTAURANT.creditCode, real_name_level: 1 },
          { id: 'staff', credit_code: null, claimed_credit_code: null, real_name_level: 3 },
        ],
      );
    } finally {
      await store.close();
    }
  });
});

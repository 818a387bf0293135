import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { WebSession } from '../../../test/helpers/session.js';
import type { TongbanApp } from '../../app.js';
import { generateCreditCode, generateIdNumber } from '../../platform/codes/index.js';
import { DEMO_ORGANIZATION, DEMO_PEOPLE } from './identity.demo.js';

/**
 * Registration is no existence oracle (issue 11, item 7): whether an account name, a citizen ID
 * number or a credit code is already registered, a stranger gets the same answer — "a text
 * message went to the mobile you gave". What happened is told by message: the code to the
 * registrant's phone when the details may be used (an ID number or a credit code always may:
 * registered, each is only claimed), a plain refusal when not, and for a credit code a verified
 * organisation holds, a notice of the claim to that organisation's registered phone.
 */

let t: TongbanApp;
before(async () => {
  t = await buildTestApp({ demo: 'on' });
});
after(async () => t.close());

let serial = 0;
const freshId = () =>
  generateIdNumber({
    regionCode: '410105',
    birthDate: '1990-03-04',
    sex: 'female',
    sequence: 300 + serial++,
  });
const person = (login: string, idNumber: string, mobile: string) => ({
  kind: 'person' as const,
  login,
  password: 'a-strong-pass-1',
  name: '王五',
  idNumber,
  mobile,
});
const organization = (login: string, creditCode: string, agentMobile: string) => ({
  kind: 'organization' as const,
  login,
  password: 'a-strong-pass-1',
  name: '某某有限公司',
  creditCode,
  legalRepresentative: '赵六',
  agentName: '王五',
  agentIdNumber: freshId(),
  agentMobile,
});

/** The mailbox rows sent to a (masked) phone since `since`. */
async function messagesTo(mobile: string, since: string) {
  const masked = `${mobile.slice(0, 3)}****${mobile.slice(-4)}`;
  const all = await t.identity.service.notifications(1000);
  return all.filter((n) => n.recipient_masked === masked && n.created_at >= since);
}
const codeIn = (body: string) => /\b(\d{6})\b/.exec(body)?.[1];

/** An API answer with what differs by nature (the id) taken out. */
function shape(r: { statusCode: number; body: string }) {
  const b = JSON.parse(r.body) as Record<string, unknown>;
  return {
    status: r.statusCode,
    keys: Object.keys(b).sort(),
    sentTo: b.sentTo,
    idLike: typeof b.registrationId,
  };
}

const register = (payload: object, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/accounts', payload, remoteAddress });

describe('registration › no account, ID number or credit-code oracle', () => {
  test('a free login, a taken login, a taken ID number and a taken credit code get the same answer', async () => {
    const since = new Date(0).toISOString();
    const fresh = await register(person('fresh.one', freshId(), '13900000101'), '198.51.100.101');
    const takenLogin = await register(person('citizen', freshId(), '13900000102'), '198.51.100.102');
    const takenId = await register(
      person('fresh.two', DEMO_PEOPLE.citizen.idNumber, '13900000103'),
      '198.51.100.103',
    );
    const takenCode = await register(
      organization('fresh.three', DEMO_ORGANIZATION.creditCode, '13900000104'),
      '198.51.100.104',
    );
    assert.equal(fresh.statusCode, 202, fresh.body);
    const expected = (mobileEnd: string) => ({
      status: 202,
      keys: ['registrationId', 'sentTo'],
      sentTo: `139****${mobileEnd}`,
      idLike: 'string',
    });
    assert.deepEqual(shape(fresh), expected('0101'));
    assert.deepEqual(shape(takenLogin), expected('0102'));
    assert.deepEqual(shape(takenId), expected('0103'));
    assert.deepEqual(shape(takenCode), expected('0104'));
    // nothing is made until the code comes back
    for (const login of ['fresh.one', 'fresh.two', 'fresh.three'])
      assert.equal(await t.identity.accountIdByLogin(login), undefined, login);

    // what happened is said to the phones: a code where the details may be used — a free login,
    // an ID number someone holds and a credit code a verified organisation holds (each a claim,
    // which reaches nothing until verified: issue 11 items 1 and 6)
    for (const m of ['13900000101', '13900000103', '13900000104']) {
      const [got] = await messagesTo(m, since);
      assert.ok(got && codeIn(got.body), `${m} gets a code`);
    }
    const refused = await messagesTo('13900000102', since);
    assert.equal(refused.length, 1);
    assert.equal(codeIn(refused[0]!.body), undefined, 'a taken login gets no code');
    // the verified organisation that holds the credit code is told of the claim at its registered
    // (agent's) phone
    const owner = await messagesTo(DEMO_PEOPLE.enterpriseAgent.mobile, since);
    assert.ok(owner.some((n) => n.subject === 'registration-attempt'));
    // the citizen whose number was typed is not: a claim takes nothing from a verified holder
    const citizen = await messagesTo(DEMO_PEOPLE.citizen.mobile, since);
    assert.equal(citizen.filter((n) => n.subject === 'registration-attempt').length, 0);
  });

  test('the page answers a taken ID number exactly as a free one', async () => {
    const page = async (idNumber: string, mobile: string, login: string) => {
      const b = new WebSession(t);
      const r = await b.post('/register', { ...person(login, idNumber, mobile) });
      return {
        status: r.statusCode,
        body: r.body
          .replace(/name="_csrf" value="[^"]+"/, '')
          .replace(/name="registrationId" value="[^"]+"/, '')
          .replace(/139\*\*\*\*\d{4}/g, 'MOBILE'),
      };
    };
    const free = await page(freshId(), '13900000111', 'page.one');
    const taken = await page(DEMO_PEOPLE.citizen.idNumber, '13900000112', 'page.two');
    assert.equal(free.status, 200);
    assert.deepEqual(taken, free);
  });

  test('the code from the phone finishes the registration; then the account signs in', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const r = await register(person('fresh.four', freshId(), '13900000121'), '198.51.100.121');
    const { registrationId } = r.json();
    const [m] = await messagesTo('13900000121', since);
    const code = codeIn(m!.body)!;
    const done = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts/confirm',
      payload: { registrationId, code },
    });
    assert.equal(done.statusCode, 201, done.body);
    assert.equal(done.json().login, 'fresh.four');
    assert.ok(await t.identity.accountIdByLogin('fresh.four'));
    // a code is used once
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts/confirm',
      payload: { registrationId, code },
    });
    assert.equal(again.statusCode, 400);
    assert.equal(again.json().error.code, 'IDENTITY.REGISTRATION_CODE_INVALID');
  });

  test('a wrong code, an unknown registration and a refused one answer alike; five wrong codes end it', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const ok = await register(person('fresh.five', freshId(), '13900000131'), '198.51.100.131');
    const refused = await register(person('citizen', freshId(), '13900000132'), '198.51.100.132');
    const [m] = await messagesTo('13900000131', since);
    const code = codeIn(m!.body)!;
    const wrong = code === '000000' ? '000001' : '000000';
    const confirm = (registrationId: string, c: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/accounts/confirm', payload: { registrationId, code: c } });
    for (const r of [
      await confirm(refused.json().registrationId, wrong),
      await confirm('01900000-0000-7000-8000-000000000000', wrong),
      await confirm(ok.json().registrationId, wrong),
    ]) {
      assert.equal(r.statusCode, 400);
      assert.equal(r.json().error.code, 'IDENTITY.REGISTRATION_CODE_INVALID');
    }
    for (let i = 0; i < 4; i++) await confirm(ok.json().registrationId, wrong);
    const late = await confirm(ok.json().registrationId, code);
    assert.equal(late.statusCode, 400, 'the right code after five wrong ones is refused');
    assert.equal(await t.identity.accountIdByLogin('fresh.five'), undefined);
  });

  test('a free credit code registers an organisation through the code', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const creditCode = generateCreditCode({
      regionCode: '410105',
      serial: 4242,
      authority: '9',
      category: '1',
    });
    const r = await register(organization('fresh.six', creditCode, '13900000141'), '198.51.100.141');
    assert.equal(r.statusCode, 202, r.body);
    const [m] = await messagesTo('13900000141', since);
    const done = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts/confirm',
      payload: { registrationId: r.json().registrationId, code: codeIn(m!.body) },
    });
    assert.equal(done.statusCode, 201, done.body);
    assert.equal(done.json().kind, 'organization');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../src/app.js';
import { RATE_LIMITS, type RateLimits } from '../../src/config/index.js';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../../src/modules/identity/index.js';
import { generateIdNumber } from '../../src/platform/codes/index.js';
import { buildTestApp } from '../helpers/app.js';
import { HTML, WebSession, tokenOn } from '../helpers/session.js';
import { testDialect } from '../helpers/store.js';

/**
 * Rate limits and sizes everywhere a stranger can knock (issue 11, item 7). Each limit is
 * hammered to one past its allowance and must answer the coded 429 with a Retry-After. The
 * limits are made small here (3 an hour) so the test counts requests, never waits for a clock.
 */

const MAX = 3;
const small: RateLimits = Object.fromEntries(
  Object.entries(RATE_LIMITS).map(([name, l]) => [name, { ...l, max: MAX, windowMs: 3_600_000 }]),
) as RateLimits;

type Call = { statusCode: number; headers: Record<string, unknown>; body: string };

/** The outcome of one call past the allowance: the code (JSON or page) and the Retry-After seconds. */
function refused(r: Call): { status: number; code: string; retryAfter: boolean } {
  const code = /COMMON\.[A-Z_]+/.exec(r.body)?.[0] ?? '';
  const retryAfter = Number(r.headers['retry-after']);
  return { status: r.statusCode, code, retryAfter: Number.isInteger(retryAfter) && retryAfter > 0 };
}
const LIMITED = { status: 429, code: 'COMMON.RATE_LIMITED', retryAfter: true };

/** MAX calls that are answered (whatever the answer), then the one past the allowance. */
async function hammer(call: (i: number) => Promise<Call>): Promise<Call> {
  for (let i = 0; i < MAX; i++) assert.notEqual((await call(i)).statusCode, 429, `call ${i + 1} of ${MAX}`);
  return call(MAX);
}

describe(`rate limits and sizes where a stranger can knock, on ${testDialect()}`, () => {
  let t: TongbanApp;
  before(async () => {
    t = await buildTestApp({ demo: 'on', config: { rateLimits: small } });
  });
  after(async () => t.close());

  const bearer = async (login: string) => `Bearer ${(await t.identity.tokenForLogin(login)).token}`;
  /** a page's CSRF token and cookie, as an anonymous browser has them */
  const anonymousForm = async (url: string) => {
    const page = await t.app.inject({ url, headers: HTML });
    const csrf = page.cookies.find((c) => c.name === 'tb_csrf');
    assert.ok(csrf, 'the page sets its CSRF cookie');
    return { token: tokenOn(page), cookie: `tb_csrf=${csrf.value}` };
  };

  test('registration › per address, the page and the API together', async () => {
    const remoteAddress = '198.51.100.10';
    const last = await hammer((i) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        remoteAddress,
        payload: { kind: 'person', login: `someone${i}`, password: 'x' },
      }),
    );
    assert.deepEqual(refused(last), LIMITED);
    const form = await anonymousForm('/register');
    const page = await t.app.inject({
      method: 'POST',
      url: '/register',
      remoteAddress,
      headers: { ...HTML, cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: form.token, kind: 'person', login: 'another' }).toString(),
    });
    assert.deepEqual(refused(page), LIMITED);
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      remoteAddress: '198.51.100.11',
      payload: { kind: 'person', login: 'someone', password: 'x' },
    });
    assert.equal(elsewhere.statusCode, 400, 'another address is not limited');
  });

  test('registration › per phone texted, from many addresses: no SMS flood; a mistyped form is not counted', async () => {
    const person = (i: number, idNumber: string) => ({
      kind: 'person',
      login: `flood${i}`,
      password: 'a-strong-pass-1',
      name: '王五',
      idNumber,
      mobile: '13900000301',
    });
    const valid = (i: number) =>
      generateIdNumber({ regionCode: '410105', birthDate: '1991-05-06', sex: 'male', sequence: 500 + i });
    const mistyped = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      remoteAddress: '198.51.100.60',
      payload: person(99, `${valid(99).slice(0, 17)}${valid(99).endsWith('0') ? '1' : '0'}`),
    });
    assert.equal(mistyped.statusCode, 400);
    const last = await hammer((i) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        remoteAddress: `198.51.100.${61 + i}`,
        payload: person(i, valid(i)),
      }),
    );
    assert.deepEqual(refused(last), LIMITED);
  });

  test('password reset › per address, whatever account it names', async () => {
    const form = await anonymousForm('/password/reset');
    const last = await hammer((i) =>
      t.app.inject({
        method: 'POST',
        url: '/password/reset/request',
        remoteAddress: '198.51.100.20',
        headers: { ...HTML, cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          _csrf: form.token,
          login: `nobody${i}`,
          mobile: '13900000000',
        }).toString(),
      }),
    );
    assert.deepEqual(refused(last), LIMITED);
  });

  test('password reset › per target from many addresses: no SMS flood to one phone', async () => {
    const form = await anonymousForm('/password/reset');
    const sentBefore = (await t.identity.service.notifications(1000)).filter(
      (n) => n.subject === 'password-reset',
    ).length;
    const last = await hammer((i) =>
      t.app.inject({
        method: 'POST',
        url: '/password/reset/request',
        remoteAddress: `198.51.100.${30 + i}`,
        headers: { ...HTML, cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          _csrf: form.token,
          login: i % 2 ? 'CITIZEN' : ' citizen',
          mobile: DEMO_PEOPLE.citizen.mobile,
        }).toString(),
      }),
    );
    assert.deepEqual(refused(last), LIMITED);
    const sent = (await t.identity.service.notifications(1000)).filter((n) => n.subject === 'password-reset');
    assert.equal(sent.length - sentBefore, MAX, 'one message per allowed request, none past the limit');
  });

  test('real-name verification › per account', async () => {
    const authorization = await bearer('enterprise');
    const last = await hammer(() =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/me/real-name',
        headers: { authorization },
        payload: { mobile: '13900000000' },
      }),
    );
    assert.deepEqual(refused(last), LIMITED);
  });

  test('the current-password check (password change) › per account', async () => {
    const b = new WebSession(t);
    await b.login('citizen', DEMO_PASSWORD);
    const last = await hammer(() =>
      b.post(
        '/account/password',
        { currentPassword: 'not-my-password', newPassword: 'a-new-strong-pass-9' },
        {
          from: '/account',
        },
      ),
    );
    assert.deepEqual(refused(last), LIMITED);
  });

  test('licence PDFs › per account', async () => {
    const authorization = await bearer('citizen');
    const last = await hammer(() =>
      t.app.inject({ method: 'GET', url: '/licences/no-such-licence.pdf', headers: { authorization } }),
    );
    assert.deepEqual(refused(last), LIMITED);
  });

  test('search › per address, the page and the API together', async () => {
    const remoteAddress = '198.51.100.40';
    const last = await hammer(() =>
      t.app.inject({ method: 'GET', url: '/api/v1/search?q=%E5%87%BA%E7%94%9F', remoteAddress }),
    );
    assert.deepEqual(refused(last), LIMITED);
    const page = await t.app.inject({ method: 'GET', url: '/search?q=x', remoteAddress, headers: HTML });
    assert.deepEqual(refused(page), LIMITED);
  });

  test('an IPv6 client is one client across its /64', async () => {
    const last = await hammer((i) =>
      t.app.inject({ method: 'GET', url: '/api/v1/search?q=x', remoteAddress: `2001:db8:1:2::${i + 1}` }),
    );
    assert.deepEqual(refused(last), LIMITED);
  });

  describe('sizes: an anonymous body is as large as the route needs', () => {
    const big = 'x'.repeat(64 * 1024);
    test('registration (JSON) past 16 KiB is a coded 413', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        remoteAddress: '198.51.100.50',
        payload: { kind: 'person', login: 'someone', password: big },
      });
      assert.equal(r.statusCode, 413);
      assert.equal(r.json().error.code, 'COMMON.PAYLOAD_TOO_LARGE');
    });
    test('a public page form past 16 KiB is a coded 413', async () => {
      const form = await anonymousForm('/password/reset');
      const r = await t.app.inject({
        method: 'POST',
        url: '/password/reset/request',
        remoteAddress: '198.51.100.51',
        headers: { ...HTML, cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: form.token, login: big, mobile: '1' }).toString(),
      });
      assert.equal(r.statusCode, 413);
      assert.match(r.body, /COMMON.PAYLOAD_TOO_LARGE/);
    });
    test('a signed-in route is refused before a stranger’s body is read (401, not a parse error)', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: { 'content-type': 'application/json' },
        payload: `{${big}`,
      });
      assert.equal(r.statusCode, 401);
      assert.equal(r.json().error.code, 'COMMON.UNAUTHENTICATED');
    });
  });

  test('one-time rating links › guessing tokens from one address is limited, the page and the API together', async () => {
    const remoteAddress = '198.51.100.40';
    const forged = (i: number) =>
      `00000000-0000-7000-8000-${String(i).padStart(12, '0')}.9999999999.${'A'.repeat(43)}`;
    const last = await hammer((i) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/ratings/links/${forged(i)}`,
        remoteAddress,
        payload: { level: 5 },
      }),
    );
    assert.deepEqual(refused(last), LIMITED);
    const page = await t.app.inject({ url: `/r/${forged(9)}`, remoteAddress, headers: HTML });
    assert.deepEqual(refused(page), LIMITED);
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: `/api/v1/ratings/links/${forged(1)}`,
      remoteAddress: '198.51.100.41',
      payload: { level: 5 },
    });
    assert.equal(elsewhere.statusCode, 404, 'another address is not limited');
  });
});

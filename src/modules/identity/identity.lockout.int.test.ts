import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { registerPerson } from '../../../test/helpers/people.js';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';

/**
 * Sign-in throttling against an attacker (OWASP ASVS 4.0.3 V2.2.1): guesses sent all at once get
 * no more password checks than one at a time, and a stranger's wrong guesses do not lock the owner
 * out. Every request goes through the real app (`inject`), from the address given.
 */
const PASSWORD = 'owner-secret-2026';
const person = (t: TongbanApp, login: string) => registerPerson(t, login, PASSWORD);

function signIn(t: TongbanApp, login: string, password: string, from: string, lang = 'zh-CN') {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: from,
    headers: { 'accept-language': lang },
    payload: { login, password },
  });
}

/** Answers by status; a 401 is a password that was checked and was wrong, a 200 one that was right. */
function tally(rs: ReadonlyArray<{ statusCode: number; json(): { error?: { code: string } } }>) {
  const by = new Map<string, number>();
  for (const r of rs) {
    const k = r.statusCode === 429 ? `429 ${r.json().error?.code}` : String(r.statusCode);
    by.set(k, (by.get(k) ?? 0) + 1);
  }
  return Object.fromEntries(by);
}

describe('sign-in throttling under attack', () => {
  let t: TongbanApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t.close());

  test('1,000 guesses at once from one address: at most five wrong passwords are checked', async (c) => {
    await person(t, 'parallel-one');
    const guesses = Array.from({ length: 1000 }, (_, i) =>
      signIn(t, 'parallel-one', i === 500 ? PASSWORD : `wrong-guess-${i}`, '203.0.113.7'),
    );
    const answers = await Promise.all(guesses);
    const seen = tally(answers);
    c.diagnostic(`answers: ${JSON.stringify(seen)}`);
    assert.ok((seen['401'] ?? 0) <= 5, `wrong passwords checked: ${JSON.stringify(seen)}`);
    assert.ok((seen['200'] ?? 0) <= 1, JSON.stringify(seen));
    // refused while five are being checked (come back in seconds), or once they failed (wait)
    const refused = (seen['429 IDENTITY.SIGNIN_BUSY'] ?? 0) + (seen['429 IDENTITY.SIGNIN_THROTTLED'] ?? 0);
    assert.equal((seen['401'] ?? 0) + (seen['200'] ?? 0) + refused, 1000, JSON.stringify(seen));
    // the owner, elsewhere, is not locked out by it
    assert.equal((await signIn(t, 'parallel-one', PASSWORD, '198.51.100.20')).statusCode, 200);
  });

  test('1,000 guesses at once from 1,000 addresses: at most 100 checked, then the account is locked (a clear attack)', async (c) => {
    await person(t, 'parallel-many');
    const guesses = Array.from({ length: 1000 }, (_, i) =>
      signIn(t, 'parallel-many', `wrong-guess-${i}`, `10.${(i >> 8) + 1}.${i & 255}.9`),
    );
    const seen = tally(await Promise.all(guesses));
    c.diagnostic(`answers: ${JSON.stringify(seen)}`);
    assert.ok((seen['401'] ?? 0) <= 100, `wrong passwords checked: ${JSON.stringify(seen)}`);
    const refused = (seen['429 IDENTITY.SIGNIN_BUSY'] ?? 0) + (seen['429 IDENTITY.ACCOUNT_LOCKED'] ?? 0);
    assert.equal((seen['401'] ?? 0) + refused, 1000, JSON.stringify(seen));
    const owner = await signIn(t, 'parallel-many', PASSWORD, '198.51.100.21', 'en');
    assert.equal(owner.statusCode, 429);
    assert.equal(owner.json().error.code, 'IDENTITY.ACCOUNT_LOCKED');
    assert.match(owner.json().error.message, /try again in 60 min\b/);
  });

  test('a stranger cannot lock a citizen out: five wrong passwords from A throttle A, the owner signs in from B', async () => {
    await person(t, 'stranger-target');
    const a = '203.0.113.50';
    const first = [];
    for (let i = 0; i < 5; i++) first.push((await signIn(t, 'stranger-target', `nope-${i}`, a)).statusCode);
    assert.deepEqual(first, [401, 401, 401, 401, 401]);
    const zh = await signIn(t, 'stranger-target', 'nope-5', a);
    assert.equal(zh.statusCode, 429);
    assert.equal(zh.json().error.code, 'IDENTITY.SIGNIN_THROTTLED');
    assert.match(zh.json().error.message, /1 分钟后重试/);
    assert.equal(zh.headers['retry-after'], '60');
    const en = await signIn(t, 'stranger-target', PASSWORD, a, 'en');
    assert.equal(en.statusCode, 429, 'even the right password waits at the throttled address');
    assert.match(en.json().error.message, /try again in 1 min\b/);
    // the owner, from home
    const owner = await signIn(t, 'stranger-target', PASSWORD, '198.51.100.77');
    assert.equal(owner.statusCode, 200);
    assert.equal((await signIn(t, 'stranger-target', 'nope-6', a)).statusCode, 429, 'A is still throttled');
  });

  test('the sign-in page says the same, in a page', async () => {
    await person(t, 'page-target');
    const from = '203.0.113.51';
    const page = await t.app.inject({ url: '/login', remoteAddress: from, headers: { accept: 'text/html' } });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const post = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: from,
        headers: { accept: 'text/html', cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: token, login: 'page-target', password }).toString(),
      });
    for (let i = 0; i < 5; i++) assert.equal((await post(`nope-${i}`)).statusCode, 401);
    const throttled = await post(PASSWORD);
    assert.equal(throttled.statusCode, 429);
    assert.match(throttled.body, /请在 1 分钟后重试/);
  });
});

describe('sign-in back-off over time', () => {
  const clock = new ManualClock('2026-06-01T02:00:00Z');
  let t: TongbanApp;
  before(async () => {
    t = await buildTestApp({ clock });
  });
  after(async () => t.close());

  test('each wait doubles (1, 2, 4 minutes …) while wrong passwords go on; a right one starts afresh', async () => {
    await person(t, 'backoff');
    const from = '203.0.113.90';
    for (let i = 0; i < 5; i++) assert.equal((await signIn(t, 'backoff', `nope-${i}`, from)).statusCode, 401);
    const waits: string[] = [];
    for (const minutes of [1, 2, 4]) {
      const r = await signIn(t, 'backoff', 'nope', from, 'en');
      assert.equal(r.statusCode, 429);
      waits.push(r.json().error.message);
      clock.advance(minutes * 60_000 - 1000);
      assert.equal((await signIn(t, 'backoff', 'nope', from)).statusCode, 429, 'not before the wait is over');
      clock.advance(1000);
      assert.equal((await signIn(t, 'backoff', 'nope', from)).statusCode, 401, 'one try after the wait');
    }
    assert.match(waits[0]!, /try again in 1 min\b/);
    assert.match(waits[1]!, /try again in 2 min\b/);
    assert.match(waits[2]!, /try again in 4 min\b/);
    clock.advance(8 * 60_000);
    assert.equal((await signIn(t, 'backoff', PASSWORD, from)).statusCode, 200);
    for (let i = 0; i < 5; i++)
      assert.equal((await signIn(t, 'backoff', `again-${i}`, from)).statusCode, 401);
    assert.equal((await signIn(t, 'backoff', 'again', from)).statusCode, 429);
  });

  test('a password reset lifts the waits of the account', async () => {
    const { mobile } = await person(t, 'reset-lifts');
    const from = '203.0.113.91';
    for (let i = 0; i < 6; i++) await signIn(t, 'reset-lifts', `nope-${i}`, from);
    assert.equal((await signIn(t, 'reset-lifts', PASSWORD, from)).statusCode, 429);
    const svc = t.identity.service;
    await svc.requestPasswordReset('reset-lifts', mobile);
    const sms = (await svc.notifications()).find((n) => n.body.includes('/password/reset?token='));
    const token = /token=([A-Za-z0-9_-]+)/.exec(sms!.body)![1]!;
    await svc.resetPassword(token, 'a-new-secret-2026');
    assert.equal((await signIn(t, 'reset-lifts', 'a-new-secret-2026', from)).statusCode, 200);
  });
});

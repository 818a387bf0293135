import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type BuildOptions, type TongbanApp, buildApp } from '../../src/app.js';
import { ConfigError, type Config, loadConfig, testConfig } from '../../src/config/index.js';
import { DEMO_PASSWORD, DEMO_PEOPLE } from '../../src/modules/identity/index.js';
import type { Store } from '../../src/platform/db/index.js';
import { openTestStore, testDialect } from '../helpers/store.js';

/**
 * Production fails closed (issue 11, item 8). The demo city's accounts have published passwords
 * and /dev/mailbox shows every message sent to anyone (reset links included): neither may reach
 * a store that holds real people's data, even when TONGBAN_ENV was forgotten (development is
 * then the default).
 */

const KEY = 'a'.repeat(64);
/** the configuration an operator gets who set no TONGBAN_ENV: development, demo 'auto' */
const forgotten = (extra: Record<string, string> = {}): Config =>
  loadConfig({ TONGBAN_SECRET_KEY: KEY, TONGBAN_LOG_LEVEL: 'silent', ...extra });

/** a production configuration as loadConfig would give it: with a real-name verifier */
const production = (): Config =>
  testConfig({
    env: 'production',
    realNameVerifier: { url: 'https://rn.example.gov.cn/verify', token: undefined, timeoutMs: 5000 },
  });

const build = (store: Store, config: Config, demo?: BuildOptions['demo']) =>
  buildApp({ config, store, demo, startConsumers: false, warmUp: false });

const mailbox = async (t: TongbanApp) =>
  (await t.app.inject({ method: 'GET', url: '/dev/mailbox', headers: { accept: 'text/html' } })).statusCode;

const demoLogin = async (t: TongbanApp) =>
  (
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: 'citizen', password: DEMO_PASSWORD },
    })
  ).statusCode;

describe(`production fails closed, on ${testDialect()}`, () => {
  describe('a store that holds people (not the demo city), started without TONGBAN_ENV', () => {
    let store: Store;
    before(async () => {
      store = await openTestStore();
      // the store's life so far: a live deployment where someone registered
      const live = await build(store, production());
      await live.identity.service.register({
        kind: 'person',
        login: 'wangwu',
        password: 'a-strong-pass-1',
        name: '王五',
        idNumber: DEMO_PEOPLE.unregistered.idNumber,
        mobile: '13800000002',
      });
      await live.close();
    });
    after(async () => store.close());

    test('seeds no demo accounts and shows no /dev/mailbox', async () => {
      const t = await build(store, forgotten());
      try {
        assert.equal(t.seeded, false);
        assert.equal(await t.identity.accountIdByLogin('citizen'), undefined);
        assert.equal(await mailbox(t), 404);
      } finally {
        await t.close();
      }
    });

    test('TONGBAN_DEMO=1 (or `tongban seed`) is refused at start, naming the variable', async () => {
      await assert.rejects(
        () => build(store, forgotten({ TONGBAN_DEMO: '1' })),
        (e: unknown) => e instanceof ConfigError && e.variable === 'TONGBAN_DEMO' && /holds/.test(e.message),
      );
      await assert.rejects(() => build(store, forgotten(), 'on'), ConfigError);
      const t = await build(store, forgotten());
      assert.equal(await t.identity.accountIdByLogin('citizen'), undefined);
      await t.close();
    });
  });

  describe('TONGBAN_DEMO=1 in production', () => {
    test('is refused by the configuration, naming the variable', () => {
      assert.throws(
        () =>
          loadConfig({
            TONGBAN_ENV: 'production',
            TONGBAN_SECRET_KEY: KEY,
            TONGBAN_PUBLIC_URL: 'https://zwfw.example.cn',
            TONGBAN_DEMO: '1',
          }),
        (e: unknown) =>
          e instanceof ConfigError && e.variable === 'TONGBAN_DEMO' && /production/.test(e.message),
      );
    });

    test('`tongban seed` (demo on) in production is refused too, and seeds nothing', async () => {
      const store = await openTestStore();
      try {
        await assert.rejects(() => build(store, production(), 'on'), ConfigError);
        const t = await build(store, production());
        assert.equal(await t.identity.accountIdByLogin('citizen'), undefined);
        assert.equal(await mailbox(t), 404);
        await t.close();
      } finally {
        await store.close();
      }
    });
  });

  describe('the demo population register verifies the demo city only', () => {
    test('production does not start without TONGBAN_REALNAME_VERIFIER_URL, however configured', async () => {
      assert.throws(
        () =>
          loadConfig({
            TONGBAN_ENV: 'production',
            TONGBAN_SECRET_KEY: KEY,
            TONGBAN_PUBLIC_URL: 'https://zwfw.example.cn',
          }),
        (e: unknown) => e instanceof ConfigError && e.variable === 'TONGBAN_REALNAME_VERIFIER_URL',
      );
      const store = await openTestStore();
      try {
        // a configuration built in code, past loadConfig: the identity module refuses it too
        await assert.rejects(
          () => build(store, testConfig({ env: 'production' })),
          (e: unknown) => e instanceof ConfigError && e.variable === 'TONGBAN_REALNAME_VERIFIER_URL',
        );
      } finally {
        await store.close();
      }
    });

    test('outside production, without a service configured, the demo register answers', async () => {
      const store = await openTestStore();
      try {
        const t = await build(store, forgotten());
        const p = DEMO_PEOPLE.unregistered;
        await t.identity.service.register({
          kind: 'person',
          login: 'wangwu',
          password: 'a-strong-pass-1',
          name: p.name,
          idNumber: p.idNumber,
          mobile: p.mobile,
        });
        const token = (await t.identity.tokenForLogin('wangwu')).token;
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/v1/me/real-name',
          headers: { authorization: `Bearer ${token}` },
          payload: { mobile: p.mobile, bankCard: p.bankCard },
        });
        assert.equal(r.json().realNameLevel, 2, r.body);
        await t.close();
      } finally {
        await store.close();
      }
    });
  });

  describe('development keeps its conveniences where nobody real is concerned', () => {
    test('an empty store is seeded with the demo city and shows /dev/mailbox; a restart does both without seeding again', async () => {
      const store = await openTestStore();
      try {
        const first = await build(store, forgotten());
        assert.equal(first.seeded, true);
        assert.equal(await demoLogin(first), 200);
        assert.equal(await mailbox(first), 200);
        await first.close();
        const again = await build(store, forgotten());
        assert.equal(again.seeded, false);
        assert.equal(await mailbox(again), 200);
        await again.close();
      } finally {
        await store.close();
      }
    });

    test('an empty store without the demo (TONGBAN_DEMO=0) shows /dev/mailbox', async () => {
      const store = await openTestStore();
      try {
        const t = await build(store, forgotten({ TONGBAN_DEMO: '0' }));
        assert.equal(t.seeded, false);
        assert.equal(await mailbox(t), 200);
        await t.close();
      } finally {
        await store.close();
      }
    });
  });
});

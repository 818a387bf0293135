import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

const dir = () => mkdtempSync(join(tmpdir(), 'tongban-cfg-'));

describe('config', () => {
  test('development has defaults and a generated secret kept in the data dir', () => {
    const d = dir();
    const a = loadConfig({ TONGBAN_DATA_DIR: d });
    const b = loadConfig({ TONGBAN_DATA_DIR: d });
    assert.equal(a.port, 3000);
    assert.equal(a.host, '127.0.0.1');
    assert.equal(a.env, 'development');
    assert.equal(a.secretKey.length, 32);
    assert.deepEqual(a.secretKey, b.secretKey);
    assert.ok(Object.isFrozen(a));
  });
  test('好差评 clocks: working days per city and per kind of complaint; a bad entry names the variable', () => {
    const d = dir();
    const def = loadConfig({ TONGBAN_DATA_DIR: d });
    assert.deepEqual(def.ratings.rectificationDays, { '': 15 });
    assert.deepEqual(def.ratings.complaintDays, { enquiry: 5, complaint: 10, suggestion: 15 });
    const c = loadConfig({
      TONGBAN_DATA_DIR: d,
      TONGBAN_RECTIFICATION_DAYS: '4101=10, 4103=12, 20',
      TONGBAN_COMPLAINT_DAYS: 'complaint=7',
    });
    assert.deepEqual(c.ratings.rectificationDays, { '': 20, '4101': 10, '4103': 12 });
    assert.equal(c.ratings.complaintDays.complaint, 7);
    assert.equal(c.ratings.complaintDays.enquiry, 5);
    for (const [name, value] of [
      ['TONGBAN_RECTIFICATION_DAYS', '4101=0'],
      ['TONGBAN_RECTIFICATION_DAYS', 'fifteen'],
      ['TONGBAN_COMPLAINT_DAYS', 'praise=3'],
    ] as const)
      assert.throws(
        () => loadConfig({ TONGBAN_DATA_DIR: d, [name]: value }),
        (e: unknown) => e instanceof ConfigError && e.variable === name,
      );
  });
  test('the PostgreSQL pool size: 10 by default, TONGBAN_DB_POOL_SIZE within 1–500, else refused by name', () => {
    const d = dir();
    assert.equal(loadConfig({ TONGBAN_DATA_DIR: d }).dbPoolSize, 10);
    assert.equal(loadConfig({ TONGBAN_DATA_DIR: d, TONGBAN_DB_POOL_SIZE: '24' }).dbPoolSize, 24);
    for (const bad of ['0', '501', 'many', '2.5'])
      assert.throws(
        () => loadConfig({ TONGBAN_DATA_DIR: d, TONGBAN_DB_POOL_SIZE: bad }),
        (e: unknown) => e instanceof ConfigError && e.variable === 'TONGBAN_DB_POOL_SIZE',
        bad,
      );
  });
  test('PostgreSQL prepared statements: on by default, TONGBAN_DB_PREPARED_STATEMENTS=off turns them off', () => {
    const d = dir();
    assert.equal(loadConfig({ TONGBAN_DATA_DIR: d }).dbPreparedStatements, true);
    assert.equal(
      loadConfig({ TONGBAN_DATA_DIR: d, TONGBAN_DB_PREPARED_STATEMENTS: 'off' }).dbPreparedStatements,
      false,
    );
    assert.throws(
      () => loadConfig({ TONGBAN_DATA_DIR: d, TONGBAN_DB_PREPARED_STATEMENTS: 'no' }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'TONGBAN_DB_PREPARED_STATEMENTS',
    );
  });
  test('a bad port names the variable', () => {
    assert.throws(
      () => loadConfig({ TONGBAN_DATA_DIR: dir(), TONGBAN_PORT: 'abc' }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'TONGBAN_PORT' && /abc/.test(e.message),
    );
  });
  test('a database URL must be postgres://', () => {
    assert.throws(
      () => loadConfig({ TONGBAN_DATA_DIR: dir(), TONGBAN_DATABASE_URL: 'mysql://x' }),
      /TONGBAN_DATABASE_URL/,
    );
  });
  test('production refuses to start without its secret and public URL', () => {
    assert.throws(() => loadConfig({ TONGBAN_ENV: 'production' }), /TONGBAN_SECRET_KEY/);
    const key = Buffer.alloc(32, 3).toString('base64');
    assert.throws(
      () => loadConfig({ TONGBAN_ENV: 'production', TONGBAN_SECRET_KEY: key }),
      /TONGBAN_PUBLIC_URL/,
    );
    assert.throws(
      () =>
        loadConfig({
          TONGBAN_ENV: 'production',
          TONGBAN_SECRET_KEY: key,
          TONGBAN_PUBLIC_URL: 'https://zwfw.example.cn',
        }),
      /TONGBAN_REALNAME_VERIFIER_URL/,
    );
    const c = loadConfig({
      TONGBAN_ENV: 'production',
      TONGBAN_SECRET_KEY: key,
      TONGBAN_PUBLIC_URL: 'https://zwfw.example.cn',
      TONGBAN_REALNAME_VERIFIER_URL: 'https://rn.example.gov.cn/verify',
    });
    assert.equal(c.env, 'production');
    assert.deepEqual(c.realNameVerifier, {
      url: 'https://rn.example.gov.cn/verify',
      token: undefined,
      timeoutMs: 5000,
    });
  });
  test('the real-name verifier carries ID numbers: https in production, plain http only on loopback', () => {
    const prod = (url: string) =>
      loadConfig({
        TONGBAN_ENV: 'production',
        TONGBAN_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'),
        TONGBAN_PUBLIC_URL: 'https://zwfw.example.cn',
        TONGBAN_REALNAME_VERIFIER_URL: url,
        TONGBAN_REALNAME_VERIFIER_TOKEN: 'issued-by-the-gateway',
      }).realNameVerifier;
    assert.throws(() => prod('http://rn.example.gov.cn/verify'), /TONGBAN_REALNAME_VERIFIER_URL.*https/);
    assert.throws(() => prod('ftp://rn.example.gov.cn/verify'), /TONGBAN_REALNAME_VERIFIER_URL/);
    assert.throws(() => prod('not a url'), /TONGBAN_REALNAME_VERIFIER_URL/);
    for (const url of ['http://127.0.0.1:8081/verify', 'http://[::1]:8081/verify', 'http://localhost/verify'])
      assert.equal(prod(url)?.url, url);
    assert.equal(prod('https://rn.example.gov.cn/verify')?.token, 'issued-by-the-gateway');
    // outside production none is needed: the demo register answers the demo city
    assert.equal(loadConfig({ TONGBAN_DATA_DIR: dir() }).realNameVerifier, undefined);
    assert.equal(
      loadConfig({ TONGBAN_DATA_DIR: dir(), TONGBAN_REALNAME_VERIFIER_URL: 'http://rn.test/verify' })
        .realNameVerifier?.url,
      'http://rn.test/verify',
    );
  });
  test('a short secret is refused', () => {
    assert.throws(() => loadConfig({ TONGBAN_SECRET_KEY: 'abc', TONGBAN_DATA_DIR: dir() }), /32 bytes/);
  });
  describe('TONGBAN_TRUST_PROXY › a hop count or addresses, never everyone', () => {
    const trust = (value: string) =>
      loadConfig({ TONGBAN_DATA_DIR: dir(), TONGBAN_TRUST_PROXY: value }).trustProxy;
    test('unset or 0 trusts no proxy', () => {
      assert.equal(loadConfig({ TONGBAN_DATA_DIR: dir() }).trustProxy, false);
      assert.equal(trust('0'), false);
    });
    test('a number is the count of proxies in front', () => {
      assert.deepEqual(trust('1'), { hops: 1 });
      assert.deepEqual(trust('2'), { hops: 2 });
    });
    test('addresses and CIDR ranges, comma-separated, IPv4 and IPv6', () => {
      assert.deepEqual(trust('10.0.0.5, 10.1.0.0/16,fd00::/8,::1,loopback'), {
        addresses: ['10.0.0.5', '10.1.0.0/16', 'fd00::/8', '::1', 'loopback'],
      });
    });
    for (const everyone of ['true', 'TRUE', '*', 'all', '0.0.0.0/0', '::/0', '10.0.0.5,0.0.0.0/0'])
      test(`${JSON.stringify(everyone)} is refused at start: it would trust every address`, () => {
        assert.throws(
          () => trust(everyone),
          (e: unknown) =>
            e instanceof ConfigError &&
            e.variable === 'TONGBAN_TRUST_PROXY' &&
            /would trust every address/.test(e.message),
        );
      });
    for (const bad of ['proxy.example.cn', '10.0.0.300', '10.0.0.0/33', '10.0.0.0/x', '-1', '100'])
      test(`${JSON.stringify(bad)} is refused with the variable named`, () => {
        assert.throws(
          () => trust(bad),
          (e: unknown) => e instanceof ConfigError && e.variable === 'TONGBAN_TRUST_PROXY',
        );
      });
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config/index.js';
import { buildTestApp } from '../helpers/app.js';
import { testDialect } from '../helpers/store.js';

/**
 * A client's address keys the rate limits and the login throttle. It may come from
 * X-Forwarded-For only through the proxies TONGBAN_TRUST_PROXY names: a client that writes its
 * own X-Forwarded-For, a new one on every request, is still one client.
 */

// the public licence check allows 60 calls a minute from one address (licences.routes.ts)
const LIMIT = 60;
const PROXY = '10.0.0.5';

const trustProxy = (value: string): Config['trustProxy'] =>
  loadConfig({ TONGBAN_ENV: 'test', TONGBAN_SECRET_KEY: 'a'.repeat(64), TONGBAN_TRUST_PROXY: value })
    .trustProxy;

type From = { remoteAddress: string; forwardedFor?: string };

/** One call of the rate-limited route, from a connection with what it says in X-Forwarded-For. */
const verify = (t: TongbanApp, from: From) =>
  t.app.inject({
    method: 'GET',
    url: '/api/v1/licences/x/verify',
    remoteAddress: from.remoteAddress,
    headers: from.forwardedFor === undefined ? {} : { 'x-forwarded-for': from.forwardedFor },
  });

/** Calls the rate-limited route LIMIT + 1 times as `call(i)` says; the status of the last call. */
async function hammer(
  t: TongbanApp,
  call: (i: number) => From,
): Promise<{ status: number; code: string | undefined }> {
  let last = { status: 0, code: undefined as string | undefined };
  for (let i = 0; i <= LIMIT; i++) {
    const r = await verify(t, call(i));
    last = { status: r.statusCode, code: r.statusCode === 429 ? r.json().error.code : undefined };
  }
  return last;
}

const limited = { status: 429, code: 'COMMON.RATE_LIMITED' };

describe(`TONGBAN_TRUST_PROXY › a spoofed X-Forwarded-For cannot dodge a rate limit, on ${testDialect()}`, () => {
  describe('no proxy configured', () => {
    let t: TongbanApp;
    before(async () => {
      t = await buildTestApp({ config: { trustProxy: trustProxy('0') } });
    });
    after(async () => t.close());

    test('the connection is the client, whatever X-Forwarded-For says', async () => {
      const last = await hammer(t, (i) => ({
        remoteAddress: '203.0.113.1',
        forwardedFor: `198.51.100.${i}`,
      }));
      assert.deepEqual(last, limited);
    });
  });

  describe('proxies named by address', () => {
    let t: TongbanApp;
    before(async () => {
      t = await buildTestApp({ config: { trustProxy: trustProxy(`${PROXY},10.1.0.0/16`) } });
    });
    after(async () => t.close());

    test('a client that is not a proxy is its connection, whatever X-Forwarded-For says', async () => {
      const last = await hammer(t, (i) => ({
        remoteAddress: '203.0.113.2',
        forwardedFor: `198.51.100.${i}`,
      }));
      assert.deepEqual(last, limited);
    });

    test('through the proxy, the address the proxy saw counts, not what the client wrote before it', async () => {
      const last = await hammer(t, (i) => ({
        remoteAddress: PROXY,
        forwardedFor: `198.51.100.${i}, 203.0.113.3`,
      }));
      assert.deepEqual(last, limited);
    });

    test('through the proxy, each client has its own limit (the proxy is not everyone)', async () => {
      const other = await verify(t, { remoteAddress: PROXY, forwardedFor: '203.0.113.4' });
      assert.notEqual(other.statusCode, 429);
    });
  });

  describe('a hop count', () => {
    let t: TongbanApp;
    before(async () => {
      t = await buildTestApp({ config: { trustProxy: trustProxy('1') } });
    });
    after(async () => t.close());

    test('one proxy: the last X-Forwarded-For entry is the client, the ones it wrote itself are not', async () => {
      const last = await hammer(t, (i) => ({
        remoteAddress: PROXY,
        forwardedFor: `198.51.100.${i}, 203.0.113.5`,
      }));
      assert.deepEqual(last, limited);
    });

    test('one proxy: clients behind it are told apart (the hop count is honoured)', async () => {
      const other = await verify(t, { remoteAddress: PROXY, forwardedFor: '203.0.113.6' });
      assert.notEqual(other.statusCode, 429);
    });
  });
});

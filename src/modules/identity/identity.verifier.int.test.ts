import assert from 'node:assert/strict';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import type { TongbanApp } from '../../app.js';
import { DomainError } from '../../kernel/index.js';
import { generateIdNumber } from '../../platform/codes/index.js';
import './identity.errors.js';
import { httpRealNameVerifier } from './identity.verifier.js';

/**
 * The real-name verification service over HTTP (TONGBAN_REALNAME_VERIFIER_URL), against a real
 * HTTP server standing in for the province's gateway: what is sent, and that an answer other than
 * a clear yes or no changes nothing.
 */
type Answer = (req: IncomingMessage, body: string, res: ServerResponse) => void;

describe('the HTTP real-name verifier', () => {
  let server: Server;
  let url: string;
  let answer: Answer = (_req, _body, res) => res.end();
  const seen: Array<{ authorization: string | undefined; type: string | undefined; body: unknown }> = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        seen.push({
          authorization: req.headers.authorization,
          type: req.headers['content-type'],
          body: JSON.parse(body || 'null'),
        });
        answer(req, body, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/verify`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const reply =
    (status: number, body: string): Answer =>
    (_req, _b, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
  const unavailable = (e: unknown) =>
    e instanceof DomainError && e.code === 'IDENTITY.VERIFIER_UNAVAILABLE' && e.status === 503;
  const query = { name: ' 王五 ', idNumber: '410103200101090461', factors: { mobile: '13800000002' } };

  test('posts the name, ID number and factors as JSON with the bearer credential; answers its yes or no', async () => {
    const v = httpRealNameVerifier({ url, token: 'gateway-token', timeoutMs: 5000 });
    answer = reply(200, '{"match":true}');
    assert.equal(await v.verify(query), true);
    assert.deepEqual(seen.at(-1), {
      authorization: 'Bearer gateway-token',
      type: 'application/json',
      body: { name: '王五', idNumber: '410103200101090461', factors: { mobile: '13800000002' } },
    });
    answer = reply(200, '{"match":false}');
    assert.equal(await v.verify(query), false);
    const anonymous = httpRealNameVerifier({ url, token: undefined, timeoutMs: 5000 });
    await anonymous.verify(query);
    assert.equal(seen.at(-1)?.authorization, undefined);
  });

  test('anything but a clear yes or no is "unavailable", never a match', async () => {
    const v = httpRealNameVerifier({ url, token: undefined, timeoutMs: 5000 });
    for (const a of [
      reply(500, '{"match":true}'),
      reply(200, '{"match":"yes"}'),
      reply(200, '{}'),
      reply(200, 'not json'),
      reply(302, ''),
    ]) {
      answer = a;
      await assert.rejects(v.verify(query), unavailable);
    }
    await assert.rejects(
      httpRealNameVerifier({ url: 'http://127.0.0.1:1/verify', token: undefined, timeoutMs: 5000 }).verify(
        query,
      ),
      unavailable,
    );
  });

  test('a service that does not answer within the timeout is unavailable', async () => {
    answer = () => {}; // never answers
    const v = httpRealNameVerifier({ url, token: undefined, timeoutMs: 200 });
    await assert.rejects(v.verify(query), unavailable);
  });

  describe('through the app', () => {
    let t: TongbanApp;
    before(async () => {
      t = await buildTestApp({
        config: { realNameVerifier: { url, token: 'gateway-token', timeoutMs: 1000 } },
      });
    });
    after(async () => t.close());

    async function person(login: string) {
      const idNumber = generateIdNumber({ regionCode: '410105', birthDate: '1990-05-05', sex: 'male' });
      // made at once (registration through the texted code is identity.registration's to test)
      await t.identity.service.register({
        kind: 'person',
        login,
        password: 'a-strong-pass-1',
        name: '郑十',
        idNumber,
        mobile: '13900000010',
      });
      const token = (await t.identity.tokenForLogin(login)).token;
      const verify = () =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/me/real-name',
          headers: { authorization: `Bearer ${token}` },
          payload: { mobile: '13900000010', bankCard: '6222020000000000101' },
        });
      const level = async () =>
        (await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).json()
          .realNameLevel as number;
      return { idNumber, verify, level };
    }

    test('the service’s yes raises the account to L2; it was asked about this person', async () => {
      const p = await person('zhengshi');
      answer = reply(200, '{"match":true}');
      const r = await p.verify();
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(await p.level(), 2);
      assert.deepEqual(seen.at(-1)?.body, {
        name: '郑十',
        idNumber: p.idNumber,
        factors: { mobile: '13900000010', bankCard: '6222020000000000101' },
      });
    });

    test('the service down: a coded 503 that says nothing changed, and the account stays at L1', async () => {
      const p = await person('zhengshi-b');
      answer = reply(503, '');
      const r = await p.verify();
      assert.equal(r.statusCode, 503);
      assert.equal(r.json().error.code, 'IDENTITY.VERIFIER_UNAVAILABLE');
      assert.equal(await p.level(), 1);
      answer = reply(200, '{"match":false}');
      assert.equal((await p.verify()).json().error.code, 'IDENTITY.VERIFICATION_FAILED');
      assert.equal(await p.level(), 1);
    });
  });
});

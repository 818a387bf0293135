import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../src/app.js';
import { addMessages, allKeys } from '../../src/platform/i18n/index.js';
import { buildTestApp, csrfFrom } from '../helpers/app.js';
import { testDialect } from '../helpers/store.js';

describe(`the HTTP edge on ${testDialect()}`, () => {
  let t: TongbanApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t.close());

  test('GET /healthz answers once the store answers', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { status: 'ok' });
  });

  test('assets and health checks look up no session; a page does (and clears a dead one)', async () => {
    const cookie = 'tb_session=not-a-session';
    const cleared = (r: { cookies: Array<{ name: string }> }) =>
      r.cookies.some((c) => c.name === 'tb_session');
    for (const url of ['/healthz', '/assets/app.css'])
      assert.equal(cleared(await t.app.inject({ url, headers: { cookie } })), false, url);
    assert.equal(cleared(await t.app.inject({ url: '/', headers: { cookie, accept: 'text/html' } })), true);
  });

  test('GET /readyz is 200 when every consumer has caught up', async () => {
    await t.events.drain();
    const r = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(r.statusCode, 200, r.body);
  });

  test('an unknown API path is a coded JSON 404 in the request language', async () => {
    const zh = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    assert.equal(zh.statusCode, 404);
    assert.equal(zh.json().error.code, 'COMMON.NOT_FOUND');
    assert.match(zh.json().error.message, /不存在/);
    const en = await t.app.inject({
      method: 'GET',
      url: '/api/v1/nothing-here',
      headers: { 'accept-language': 'en' },
    });
    assert.equal(en.json().error.message, 'Not found');
  });

  test('an unknown page is an HTML 404 page with the shell', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/no-such-page', headers: { accept: 'text/html' } });
    assert.equal(r.statusCode, 404, r.body);
    assert.match(r.headers['content-type'] as string, /text\/html/);
    assert.match(r.body, /<html lang="zh-CN">/);
    assert.match(r.body, /COMMON.NOT_FOUND/);
  });

  test('malformed JSON is a 400 with a code, not a 500', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/calendar/deadline',
      headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
      payload: '{"oops"',
    });
    assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${r.statusCode} ${r.body}`);
    assert.match(r.json().error.code, /^COMMON\./);
  });

  test('a body over the limit is refused with 413', async () => {
    const small = await buildTestApp({ config: { bodyLimitBytes: 2048 } });
    try {
      const r = await small.app.inject({
        method: 'POST',
        url: '/api/v1/anything',
        headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
        payload: JSON.stringify({ pad: 'x'.repeat(5000) }),
      });
      assert.equal(r.statusCode, 413);
      assert.equal(r.json().error.code, 'COMMON.PAYLOAD_TOO_LARGE');
    } finally {
      await small.close();
    }
  });

  test('security headers are set on pages', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/design' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.match(
      String(r.headers['x-frame-options'] ?? r.headers['content-security-policy']),
      /DENY|SAMEORIGIN|frame-ancestors 'none'/,
    );
  });

  test('every answer carries the same security headers: pages, the API, a 404 and a refused request', async () => {
    // helmet's middleware is built once (security.ts); these are the headers it set per request
    // when it was rebuilt for every request, so a change of the set shows here
    const expected = {
      'content-security-policy':
        "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'none';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline'",
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
    };
    for (const req of [
      { url: '/design' },
      { url: `/api/v1/search?q=${encodeURIComponent('社保')}` },
      { url: '/api/v1/search?q=' },
      { url: '/no-such-page', headers: { accept: 'text/html' } },
      { url: '/api/v1/me' },
    ]) {
      const r = await t.app.inject({ method: 'GET', ...req });
      for (const [name, value] of Object.entries(expected))
        assert.equal(r.headers[name], value, `${req.url} ${name}`);
      // not in production: no HSTS (a plain-http demo on a LAN must stay reachable)
      assert.equal(r.headers['strict-transport-security'], undefined, req.url);
    }
  });

  test('a form post without a CSRF token is refused, with the token it passes the check', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/design' });
    const { token, cookie } = csrfFrom(page);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/design',
      headers: { accept: 'text/html' },
      payload: {},
    });
    assert.equal(bad.statusCode, 403);
    assert.match(bad.body, /COMMON.CSRF/);
    const forged = await t.app.inject({
      method: 'POST',
      url: '/design/form',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(`${token}x`)}`,
    });
    assert.equal(forged.statusCode, 403);
    const good = await t.app.inject({
      method: 'POST',
      url: '/design/form',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(token)}&exampleName=&exampleId=410105199003071235`,
    });
    // past the CSRF check, the form reports every problem at once
    assert.equal(good.statusCode, 400);
    assert.match(good.body, /class="error-summary"/);
    assert.match(good.body, /请填写姓名/);
    assert.match(good.body, /公民身份号码不正确/);
  });

  test('OpenAPI 3.1 describes the API', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(r.statusCode, 200);
    const doc = r.json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/api/v1/calendar/deadline'], 'calendar route documented');
    const docs = await t.app.inject({ method: 'GET', url: '/docs' });
    assert.ok([200, 302].includes(docs.statusCode));
  });

  test('zh-CN and en message catalogs have the same keys (every module)', () => {
    const zh = allKeys('zh-CN');
    const en = allKeys('en');
    assert.deepEqual(
      zh.filter((k) => !en.includes(k)),
      [],
      'keys missing in en',
    );
    assert.deepEqual(
      en.filter((k) => !zh.includes(k)),
      [],
      'keys missing in zh-CN',
    );
    assert.ok(zh.length > 40);
    assert.throws(() =>
      addMessages('someone-else', { 'zh-CN': { 'nav.home': 'x' }, en: { 'nav.home': 'x' } }),
    );
  });
});

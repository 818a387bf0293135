import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import type { TongbanApp } from '../../app.js';
import type { Principal } from '../../platform/access.js';
import { DEMO_STAFF } from './identity.demo.js';

/**
 * Route × role (OpenCRVS practice): every registered route, called as every demo role and as
 * nobody. A route that declares a permission the role lacks answers 403; 'authenticated' without a
 * login answers 401; nothing answers 5xx. Placeholder parameters ('0') make most object routes
 * answer 404 or 400, which is fine: this test is about the gate, the module tests about the objects.
 */
const LOGINS = ['citizen', 'enterprise', ...DEMO_STAFF.map((s) => s.login)] as const;

/** routes this walk must not call: they end the caller's own sessions (tested in identity.int) */
const SKIP = new Set(['POST /logout', 'POST /account/logout-all', 'POST /api/v1/auth/logout']);

describe('route × role matrix', () => {
  let t: TongbanApp;
  let machineToken: string;
  let hotlineToken: string;
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    const c = await t.identity.createClient({
      name: 'matrix',
      redirectUris: [],
      grantTypes: ['client_credentials'],
    });
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret },
    });
    machineToken = r.json().access_token;
    // the 12345 hotline system: a machine client that may only forward tickets
    const h = await t.identity.createClient({
      name: 'matrix 12345',
      redirectUris: [],
      grantTypes: ['client_credentials'],
      roles: ['hotline'],
    });
    hotlineToken = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { grant_type: 'client_credentials', client_id: h.client_id, client_secret: h.client_secret },
      })
    ).json().access_token;
  });
  after(async () => t.close());

  test('every route answers each role as its declared permission says', async () => {
    const routes = t.routes.filter(
      (r) =>
        r.method !== 'HEAD' &&
        r.method !== 'OPTIONS' &&
        !r.url.startsWith('/docs') &&
        !r.url.startsWith('/oidc') &&
        !SKIP.has(`${r.method} ${r.url}`),
    );
    assert.ok(routes.length > 20, `only ${routes.length} routes`);
    const failures: string[] = [];
    let calls = 0;
    const callers: Array<{
      name: string;
      token: () => Promise<string | undefined>;
      permissions: () => Promise<Set<string>>;
    }> = [
      { name: 'anonymous', token: async () => undefined, permissions: async () => new Set() },
      ...LOGINS.map((login) => ({
        name: login,
        token: async () => (await t.identity.tokenForLogin(login)).token,
        permissions: async () => {
          const p = await t.identity.principalForAccount((await t.identity.accountIdByLogin(login))!);
          return new Set(p!.grants.flatMap((g) => g.permissions));
        },
      })),
      {
        name: 'data-consumer',
        token: async () => machineToken,
        permissions: async () => new Set(['exchange.read']),
      },
      {
        name: 'hotline',
        token: async () => hotlineToken,
        permissions: async () => new Set(['complaints.intake']),
      },
    ];
    for (const caller of callers) {
      const perms = await caller.permissions();
      for (const r of routes) {
        const url = r.url.replace(/:[A-Za-z_]+/g, '0').replace(/\*/g, '0');
        const token = await caller.token();
        const res = await t.app.inject({
          method: r.method as 'GET',
          url,
          headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
        });
        calls++;
        const where = `${caller.name} ${r.method} ${r.url} → ${res.statusCode}`;
        // /readyz answers 503 by contract while consumers are behind (they do not run in tests)
        if (res.statusCode >= 500 && r.url !== '/readyz') failures.push(`${where} (server error)`);
        const perm = r.permission as 'public' | 'authenticated' | { permission: string } | undefined;
        if (perm === 'authenticated' && !token && res.statusCode !== 401) failures.push(`${where}, want 401`);
        if (perm && typeof perm === 'object') {
          if (!token && res.statusCode !== 401) failures.push(`${where}, want 401`);
          else if (token && !perms.has(perm.permission) && res.statusCode !== 403)
            failures.push(`${where}, want 403 (${perm.permission})`);
          else if (token && perms.has(perm.permission) && res.statusCode === 401)
            failures.push(`${where}, holder refused`);
        }
      }
    }
    assert.ok(calls > 100);
    assert.deepEqual(failures, []);
  });

  test('administration › the account routes as the table says, for every demo caller, a region administrator and a machine', async (tc) => {
    const staff = async (
      login: string,
      regionCode: string,
      role: 'windowClerk' | 'platformAdmin',
      prefix: string,
    ) =>
      t.identity.service.createStaff({
        login,
        name: '矩阵',
        password: 'tongban-demo',
        regionCode,
        departmentId: null,
        hallId: null,
        grants: [{ role, regionPrefix: prefix, departmentId: null }],
      });
    await staff('matrix-zz-admin', '410100', 'platformAdmin', '4101');
    // two objects: a clerk inside 郑州市 (4101) and one of 洛阳市 (4103)
    const targets = {
      zz: await staff('matrix-zz-clerk', '410105001', 'windowClerk', '410105001'),
      ly: await staff('matrix-ly-clerk', '410305001', 'windowClerk', '410305001'),
    };
    const admin = (await t.identity.principalForAccount(
      (await t.identity.accountIdByLogin('admin'))!,
    )) as Principal;
    /** a grant to revoke: a fresh one for a caller that may revoke it, else the standing one */
    const standing = async (id: string) =>
      ((await t.identity.service.adminAccountView(admin, id)).grants[0]?.id as string) ?? 'none';
    const fresh = async (id: string, prefix: string) => {
      await t.identity.service.addGrant(admin, id, {
        role: 'supervisor',
        regionPrefix: prefix,
        departmentId: null,
      });
      return (await t.identity.service.adminAccountView(admin, id)).grants.at(-1)!.id;
    };
    const callers = ['anonymous', ...LOGINS, 'matrix-zz-admin', 'data-consumer'] as const;
    /** who may: the whole-platform admin anywhere, the region's admin inside its region, nobody else */
    const may = (caller: string, target: keyof typeof targets) =>
      caller === 'admin' || (caller === 'matrix-zz-admin' && target === 'zz');
    const want = (caller: string, target: keyof typeof targets, ok: number) =>
      caller === 'anonymous' ? 401 : may(caller, target) ? ok : 403;
    const routes = [
      {
        name: 'GET account',
        ok: 200,
        call: (id: string) => ({ method: 'GET', url: `/api/v1/accounts/${id}` }),
      },
      { name: 'GET page', ok: 200, call: (id: string) => ({ method: 'GET', url: `/admin/accounts/${id}` }) },
      {
        name: 'POST disable',
        ok: 200,
        call: (id: string) => ({
          method: 'POST',
          url: `/api/v1/accounts/${id}/disable`,
          payload: { reason: '矩阵' },
        }),
      },
      {
        name: 'POST enable',
        ok: 200,
        call: (id: string) => ({
          method: 'POST',
          url: `/api/v1/accounts/${id}/enable`,
          payload: { reason: '矩阵' },
        }),
      },
      {
        name: 'POST revoke',
        ok: 204,
        grant: true,
        call: (id: string, grant = '') => ({
          method: 'POST',
          url: `/api/v1/accounts/${id}/grants/${grant}/revoke`,
          payload: { reason: '矩阵' },
        }),
      },
    ] as const;
    const failures: string[] = [];
    const printed: string[] = [
      ['caller', ...routes.flatMap((r) => Object.keys(targets).map((k) => `${r.name} ${k}`))].join(' | '),
    ];
    for (const caller of callers) {
      const token =
        caller === 'anonymous'
          ? undefined
          : caller === 'data-consumer'
            ? machineToken
            : (await t.identity.tokenForLogin(caller)).token;
      const row: string[] = [caller];
      for (const r of routes)
        for (const [k, id] of Object.entries(targets) as Array<[keyof typeof targets, string]>) {
          const grant =
            'grant' in r
              ? may(caller, k)
                ? await fresh(id, k === 'zz' ? '410105001' : '410305001')
                : await standing(id)
              : '';
          const c = r.call(id, grant) as {
            method: 'GET' | 'POST';
            url: string;
            payload?: Record<string, unknown>;
          };
          const res = await t.app.inject({
            method: c.method,
            url: c.url,
            headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
            ...(c.payload ? { payload: c.payload } : {}),
          });
          const expected = want(caller, k, r.ok);
          row.push(String(res.statusCode));
          if (res.statusCode !== expected)
            failures.push(`${caller} ${r.name} ${k} → ${res.statusCode}, want ${expected}`);
        }
      printed.push(row.join(' | '));
    }
    tc.diagnostic('account administration, route × caller × object (status codes):');
    for (const line of printed) tc.diagnostic(line);
    assert.deepEqual(failures, []);
  });

  test("scope › a township clerk gets 403 on another region's case; a clerk whose scope covers it does not", async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n').toString('base64');
    const found = await t.app.inject({ url: '/api/v1/items?pageSize=5&level=county&q=养犬登记' });
    const item = (found.json().items as Array<{ implementationCode: string; region: string }>)[0];
    assert.ok(item, 'the demo catalogue has 养犬登记 at county level');
    const citizen = (await t.identity.tokenForLogin('citizen')).token;
    // 金水区 花园路街道 (410105002): not the demo clerk's 经八路街道 (410105001)
    const submitted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${citizen}` },
      payload: {
        implementationCode: item.implementationCode,
        regionCode: '410105002',
        form: {
          applicantName: '张三',
          idNumber: '410105199003070114',
          mobile: '13800000000',
          requestDetails: '养犬登记',
          deliveryMethod: '窗口领取',
        },
        materials: ['m01-id', 'm02-doc', 'm03-form'].map((code) => ({
          code,
          filename: `${code}.pdf`,
          contentBase64: pdf,
        })),
      },
    });
    assert.equal(submitted.statusCode, 201, submitted.body);
    const caseNumber = submitted.json().caseNumber as string;
    const accept = async (token: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${caseNumber}/actions`,
        headers: { authorization: `Bearer ${token}` },
        payload: { action: 'accept' },
      });
    const wrongClerk = (await t.identity.tokenForLogin('clerk')).token;
    const refused = await accept(wrongClerk);
    assert.equal(refused.statusCode, 403);
    const read = await t.app.inject({
      url: `/api/v1/cases/${caseNumber}`,
      headers: { authorization: `Bearer ${wrongClerk}` },
    });
    assert.ok(read.statusCode === 403 || read.statusCode === 404, `read answered ${read.statusCode}`);
    // control: a clerk scoped to the whole district may act on it
    await t.identity.service.createStaff({
      login: 'district-clerk',
      name: '区窗口',
      password: 'tongban-demo',
      regionCode: '410105',
      departmentId: null,
      hallId: null,
      grants: [{ role: 'windowClerk', regionPrefix: '410105', departmentId: null }],
    });
    const allowed = await accept((await t.identity.tokenForLogin('district-clerk')).token);
    assert.notEqual(allowed.statusCode, 403, allowed.body);
  });
});

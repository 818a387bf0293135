import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { allows, type Grant, type Principal } from '../../platform/http/index.js';
import {
  ALL_PERMISSIONS,
  ROLE_PERMISSIONS,
  ROLES,
  type Role,
  mayGrant,
  permissionsOf,
} from './identity.permissions.js';

/** A small seeded generator (mulberry32), so a failing case can be replayed from its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const REGIONS = ['', '41', '4101', '410102', '410105', '410105001', '410105002', '410122', '4102', '410202'];
const DEPTS = [null, 'dept-scjgj-4101', 'dept-scjgj-410105', 'dept-jyj-4101'];

/**
 * The rule written out independently: region by prefix, department exact. Fail closed: a target
 * without a region is matched only by a grant for every region, one without a department only by a
 * grant without one (the rule before issue 11 let either side be open: that was the hole).
 */
function reference(
  role: Role,
  grantRegion: string,
  grantDept: string | null,
  perm: string,
  targetRegion: string | null,
  targetDept: string | null,
) {
  if (!ROLE_PERMISSIONS[role].includes(perm as never)) return false;
  const regionOk =
    targetRegion === null ? grantRegion === '' : targetRegion.slice(0, grantRegion.length) === grantRegion;
  const deptOk = grantDept === null || grantDept === targetDept;
  return regionOk && deptOk;
}

describe('authorisation › allows() over role × region × department (property test)', () => {
  test('agrees with the reference predicate on 20,000 random cases', () => {
    const r = rng(20261126);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
    for (let i = 0; i < 20_000; i++) {
      const role = pick(ROLES);
      const grantRegion = pick(REGIONS);
      const grantDept = pick(DEPTS);
      const perm = pick(ALL_PERMISSIONS);
      const targetRegion =
        r() < 0.1 ? null : pick(REGIONS.filter((x) => x.length >= 4)) + (r() < 0.5 ? '' : '001');
      const targetDept = pick(DEPTS);
      const grant: Grant = {
        role,
        permissions: permissionsOf(role),
        regionPrefix: grantRegion,
        departmentId: grantDept,
      };
      const p: Principal = {
        accountId: 'a',
        kind: 'staff',
        login: 'x',
        displayName: 'x',
        realNameLevel: 3,
        grants: [grant],
        via: 'bearer',
      };
      const got = allows(p, perm, { regionCode: targetRegion, departmentId: targetDept });
      const want = reference(role, grantRegion, grantDept, perm, targetRegion, targetDept);
      assert.equal(
        got,
        want,
        `case ${i}: ${role} @${grantRegion}/${grantDept} ${perm} on ${targetRegion}/${targetDept}`,
      );
    }
  });

  test('a township clerk may accept in its township and not in the next one', () => {
    const g: Grant = {
      role: 'windowClerk',
      permissions: permissionsOf('windowClerk'),
      regionPrefix: '410105001',
      departmentId: null,
    };
    const p: Principal = {
      accountId: 'a',
      kind: 'staff',
      login: 'clerk',
      displayName: '陈**',
      realNameLevel: 3,
      grants: [g],
      via: 'session',
    };
    assert.equal(allows(p, 'cases.accept', { regionCode: '410105001' }), true);
    assert.equal(allows(p, 'cases.accept', { regionCode: '410105002' }), false);
    assert.equal(allows(p, 'cases.decide', { regionCode: '410105001' }), false);
  });

  test('no principal is allowed anything', () => {
    for (const perm of ALL_PERMISSIONS) assert.equal(allows(undefined, perm), false);
  });
});

describe('the role table', () => {
  test('a platform admin holds every permission; a data consumer only exchange.read', () => {
    assert.deepEqual([...ROLE_PERMISSIONS.platformAdmin].sort(), [...ALL_PERMISSIONS].sort());
    assert.deepEqual(ROLE_PERMISSIONS.dataConsumer, ['exchange.read']);
  });
  test('a supervisor changes nothing but decides appeals against 差评 (2019 好差评 rule)', () => {
    for (const p of ROLE_PERMISSIONS.supervisor)
      if (p !== 'ratings.supervise') assert.match(p, /\.(read|view)$/);
  });
  test('docs/identity.md lists every role with exactly its permissions', () => {
    const doc = readFileSync(new URL('../../../docs/identity.md', import.meta.url), 'utf8');
    for (const role of ROLES) {
      const line = doc.split('\n').find((l) => l.startsWith(`| \`${role}\``));
      assert.ok(line, `docs/identity.md has no row for ${role}`);
      const listed = [...line.matchAll(/`([a-z]+\.[A-Za-z]+)`/g)].map((m) => m[1]).sort();
      const want = role === 'platformAdmin' ? ['*'] : [...ROLE_PERMISSIONS[role]].sort();
      if (role === 'platformAdmin') assert.match(line, /every permission/);
      else assert.deepEqual(listed, want, `docs row for ${role}`);
    }
  });
});

describe('granting › no administrator grants beyond its own authority (ASVS V4.1.3)', () => {
  const admin = (regionPrefix: string, departmentId: string | null = null) => ({
    permissions: permissionsOf('platformAdmin'),
    regionPrefix,
    departmentId,
  });
  const target = (role: Role, regionPrefix: string, departmentId: string | null = null) => ({
    role,
    regionPrefix,
    departmentId,
  });

  test('a platform-wide administrator may grant anywhere', () => {
    assert.equal(mayGrant([admin('')], target('platformAdmin', '')), true);
    assert.equal(mayGrant([admin('')], target('approver', '4102', 'dept-x')), true);
  });
  test("a city's administrator grants inside the city only", () => {
    assert.equal(mayGrant([admin('4101')], target('supervisor', '410105')), true);
    assert.equal(mayGrant([admin('4101')], target('supervisor', '4101')), true);
    for (const beyond of ['', '41', '4102', '410205'])
      assert.equal(mayGrant([admin('4101')], target('supervisor', beyond)), false, beyond);
  });
  test("a bureau's administrator grants for its own bureau only; naming no department is not 'any' (fail closed)", () => {
    assert.equal(mayGrant([admin('4101', 'dept-a')], target('approver', '4101', 'dept-a')), true);
    assert.equal(mayGrant([admin('4101', 'dept-a')], target('approver', '4101', 'dept-b')), false);
    assert.equal(mayGrant([admin('4101', 'dept-a')], target('approver', '4101', null)), false);
  });
  test('no role with a permission the granter lacks there, and none without identity.manage', () => {
    const clerk = { permissions: permissionsOf('windowClerk'), regionPrefix: '', departmentId: null };
    assert.equal(mayGrant([clerk], target('windowClerk', '4101')), false);
    const narrow = {
      permissions: ['identity.manage', ...permissionsOf('supervisor')],
      regionPrefix: '4101',
      departmentId: null,
    };
    assert.equal(mayGrant([narrow], target('supervisor', '410105')), true);
    assert.equal(mayGrant([narrow], target('approver', '410105')), false);
    // permissions held in two grants that both cover the target add up
    const other = { permissions: permissionsOf('approver'), regionPrefix: '41', departmentId: null };
    assert.equal(mayGrant([narrow, other], target('approver', '410105')), true);
    assert.equal(mayGrant([], target('supervisor', '410105')), false);
  });
});

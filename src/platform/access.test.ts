import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Grant, type Principal, allows, holds } from './access.js';

const principal = (...grants: Grant[]): Principal => ({
  accountId: 'a',
  kind: 'staff',
  login: 'x',
  displayName: 'x',
  realNameLevel: 3,
  grants,
  via: 'bearer',
});
// the demo `approver`: 郑州市市场监督管理局, scope 4101
const approver = principal({
  role: 'approver',
  permissions: ['cases.read', 'workbench.view'],
  regionPrefix: '4101',
  departmentId: 'dept-scjgj-4101',
});
const supervisor = principal({
  role: 'supervisor',
  permissions: ['cases.read', 'workbench.view'],
  regionPrefix: '4101',
  departmentId: null,
});

describe('scopes fail closed › allows()', () => {
  test('a department-bound grant does not match a check that names no department (a hall)', () => {
    assert.equal(allows(approver, 'cases.read', { regionCode: '410105001' }), false);
    assert.equal(
      allows(approver, 'cases.read', { regionCode: '410105', departmentId: 'dept-scjgj-4101' }),
      true,
    );
    assert.equal(
      allows(approver, 'cases.read', { regionCode: '410105', departmentId: 'dept-rsj-410105' }),
      false,
    );
  });

  test('a grant without a department matches any department of its region, none outside it', () => {
    assert.equal(allows(supervisor, 'cases.read', { regionCode: '410105001' }), true);
    assert.equal(
      allows(supervisor, 'cases.read', { regionCode: '410105', departmentId: 'dept-rsj-410105' }),
      true,
    );
    assert.equal(
      allows(supervisor, 'cases.read', { regionCode: '410305', departmentId: 'dept-rsj-410305' }),
      false,
    );
  });

  test('a check that names no region matches only a grant for every region', () => {
    assert.equal(allows(supervisor, 'cases.read'), false);
    assert.equal(allows(supervisor, 'cases.read', { departmentId: 'dept-scjgj-4101' }), false);
    const everywhere = principal({
      role: 'citizen',
      permissions: ['cases.readOwn'],
      regionPrefix: '',
      departmentId: null,
    });
    assert.equal(allows(everywhere, 'cases.readOwn'), true);
  });

  test('holds() asks only whether a grant carries the permission, whatever its scope', () => {
    assert.equal(holds(approver, 'cases.read'), true);
    assert.equal(holds(approver, 'cases.decide'), false);
    assert.equal(holds(undefined, 'cases.read'), false);
  });
});

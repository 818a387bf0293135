import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Principal } from '../../platform/access.js';
import {
  ACTION_ACCESS,
  ACTION_PERMISSION,
  type CaseScope,
  type Verdict,
  actionsFor,
  deniedPermission,
  mayAct,
  maySubmit,
} from './cases.access.js';
import { PRINCIPALS } from './cases.testkit.js';
import { ACTION_TYPES, type ActionType } from './cases.workflow.js';

// ITEM_CITY's cases: decided by dept-city-amr in 410100; online, or received at the 中原区 hall
const online: CaseScope = {
  applicant_id: PRINCIPALS.citizen.accountId,
  decide_region_code: '410100',
  department_id: 'dept-city-amr',
  hall_region_code: null,
};
const atZhongyuanHall: CaseScope = { ...online, hall_region_code: '410102' };

const otherDeptApprover: Principal = {
  ...PRINCIPALS.approver,
  accountId: 'acc-other-dept',
  grants: PRINCIPALS.approver.grants.map((g) => ({ ...g, departmentId: 'dept-other' })),
};
const who = { ...PRINCIPALS, otherDeptApprover };
type Who = keyof typeof who;

describe('case access › one table, one predicate', () => {
  test('every action of the workflow has a rule, and every rule lets someone take it', () => {
    assert.deepEqual(Object.keys(ACTION_ACCESS).sort(), [...ACTION_TYPES].sort());
    for (const a of ACTION_TYPES) {
      const r = ACTION_ACCESS[a];
      assert.ok(r.applicant?.length || r.staff?.permissions.length || r.agent?.length, a);
    }
    // 出件 is the applicant's agent's, under a 委托 (act checks the 委托): nobody by role or scope
    assert.deepEqual(
      ACTION_TYPES.filter((a) => ACTION_ACCESS[a].agent),
      ['collectResult'],
    );
    for (const p of Object.values(who))
      for (const c of [online, atZhongyuanHall])
        assert.notEqual(mayAct(p, c, 'collectResult'), 'ok', p.accountId);
    // the applicant's own acts and nothing else
    assert.deepEqual(
      ACTION_TYPES.filter((a) => ACTION_ACCESS[a].applicant),
      ['submit', 'supplement', 'withdraw'],
    );
    assert.equal(ACTION_ACCESS.withdraw.staff, undefined, '撤回 is the applicant’s own act');
  });

  // [caller, case, action, verdict]
  const cases: Array<[Who, 'online' | 'hall', ActionType, Verdict]> = [
    // the applicant's own acts
    ['citizen', 'online', 'withdraw', 'ok'],
    ['citizen', 'online', 'supplement', 'ok'],
    ['otherCitizen', 'online', 'withdraw', 'notFound'],
    ['cityClerk', 'online', 'withdraw', 'forbidden'],
    ['approver', 'online', 'withdraw', 'forbidden'],
    ['zhongyuanClerk', 'online', 'withdraw', 'notFound'],
    // a supplement brought to the window: whoever accepts at the case's hall
    ['cityClerk', 'online', 'supplement', 'ok'],
    ['zhongyuanClerk', 'online', 'supplement', 'outOfScope'],
    ['zhongyuanClerk', 'hall', 'supplement', 'ok'],
    ['approver', 'online', 'supplement', 'forbidden'],
    // acceptance: the hall's scope (online: the deciding body's region)
    ['cityClerk', 'online', 'accept', 'ok'],
    ['zhongyuanClerk', 'online', 'accept', 'outOfScope'],
    ['zhongyuanClerk', 'hall', 'accept', 'ok'],
    ['cityClerk', 'hall', 'refuse', 'ok'],
    ['citizen', 'online', 'accept', 'forbidden'],
    ['otherCitizen', 'online', 'accept', 'notFound'],
    ['approver', 'online', 'accept', 'forbidden'],
    ['otherDeptApprover', 'online', 'accept', 'notFound'],
    // decisions: the deciding body's region and department
    ['approver', 'online', 'approve', 'ok'],
    ['approver', 'online', 'startStep', 'ok'],
    ['otherDeptApprover', 'online', 'approve', 'outOfScope'],
    ['cityClerk', 'online', 'approve', 'forbidden'],
    ['zhongyuanClerk', 'online', 'approve', 'notFound'],
    ['zhongyuanClerk', 'hall', 'approve', 'forbidden'],
    ['citizen', 'online', 'approve', 'forbidden'],
    // 出证 and 办结 with the power to decide
    ['approver', 'online', 'issueResult', 'ok'],
    ['approver', 'online', 'complete', 'ok'],
    ['cityClerk', 'online', 'issueResult', 'forbidden'],
  ];
  for (const [caller, at, action, verdict] of cases) {
    test(`mayAct › ${caller} ${action} on an ${at === 'online' ? 'online' : 'hall-received'} case: ${verdict}`, () => {
      assert.equal(mayAct(who[caller], at === 'online' ? online : atZhongyuanHall, action), verdict);
    });
  }

  test('a refusal names the permission the caller would need, as applicant or as staff', () => {
    assert.equal(deniedPermission('withdraw', false), 'cases.apply');
    assert.equal(deniedPermission('supplement', true), 'cases.apply');
    assert.equal(deniedPermission('supplement', false), 'cases.accept');
    assert.equal(deniedPermission('issueResult', false), 'cases.issueResult');
    assert.equal(deniedPermission('approve', true), 'cases.decide');
    assert.equal(ACTION_PERMISSION.requestSupplement, 'cases.requestSupplement');
    assert.equal(ACTION_PERMISSION.submit, 'cases.apply');
  });

  test('submit › the applicant for themselves; a walk-in only by a clerk whose scope covers the hall', () => {
    assert.equal(maySubmit(PRINCIPALS.citizen), 'ok');
    assert.equal(maySubmit(PRINCIPALS.cityClerk), 'forbidden');
    assert.equal(maySubmit(PRINCIPALS.cityClerk, '410105001'), 'ok');
    assert.equal(maySubmit(PRINCIPALS.zhongyuanClerk, '410105001'), 'outOfScope');
    assert.equal(maySubmit(PRINCIPALS.citizen, '410105001'), 'forbidden');
    assert.equal(maySubmit(PRINCIPALS.approver, '410100'), 'forbidden');
  });

  test('buttons › the portal offers the applicant their own acts (补正 only when asked); the workbench what the caller may do here', () => {
    const citizen = PRINCIPALS.citizen;
    assert.deepEqual(actionsFor(citizen, online, 'submitted', 'portal'), ['withdraw']);
    assert.deepEqual(actionsFor(citizen, online, 'awaitingSupplement', 'portal'), ['supplement', 'withdraw']);
    // after 容缺受理 the table allows a supplement, brought to the window: not offered on the portal
    assert.deepEqual(actionsFor(citizen, online, 'accepted', 'portal'), ['withdraw']);
    assert.deepEqual(actionsFor(citizen, online, 'submitted', 'workbench'), []);
    // staff see no portal buttons on someone else's case
    assert.deepEqual(actionsFor(PRINCIPALS.cityClerk, online, 'submitted', 'portal'), []);
    assert.deepEqual(actionsFor(PRINCIPALS.cityClerk, online, 'submitted', 'workbench'), [
      'preReview',
      'accept',
      'acceptWithDeficiency',
      'acceptWithCommitment',
      'requestSupplement',
      'refuse',
    ]);
    // a clerk whose scope does not cover the case is offered nothing
    assert.deepEqual(actionsFor(PRINCIPALS.zhongyuanClerk, online, 'submitted', 'workbench'), []);
    assert.deepEqual(actionsFor(PRINCIPALS.approver, online, 'accepted', 'workbench'), [
      'startStep',
      'approve',
      'reject',
      'suspend',
      'extend',
    ]);
    assert.deepEqual(actionsFor(otherDeptApprover, online, 'accepted', 'workbench'), []);
    assert.deepEqual(actionsFor(PRINCIPALS.approver, online, 'approved', 'workbench'), ['issueResult']);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO_ORGANIZATION, DEMO_PEOPLE } from './identity.demo.js';
import { registrationIssues } from './identity.types.js';

const today = '2026-11-26';
const person = {
  kind: 'person' as const,
  login: 'zhangsan',
  password: 'a-strong-pass-1',
  name: '张三',
  idNumber: DEMO_PEOPLE.citizen.idNumber,
  mobile: '13800000000',
};

describe('registration rules', () => {
  test('a valid person has no issues', () => assert.deepEqual(registrationIssues(person, today), []));
  test('GB 11643 › rejects a wrong check digit', () =>
    assert.deepEqual(registrationIssues({ ...person, idNumber: '410105199003070115' }, today), [
      { field: 'idNumber', rule: 'GB11643.CHECK_CHAR' },
    ]));
  test('GB 11643 › rejects a birth date after today', () => {
    const issues = registrationIssues({ ...person, idNumber: '410105202712310010' }, today);
    assert.equal(issues[0]?.field, 'idNumber');
  });
  test('a mobile must have 11 digits starting 1[3-9]', () =>
    assert.deepEqual(registrationIssues({ ...person, mobile: '1380000' }, today), [
      { field: 'mobile', rule: 'IDENTITY.MOBILE_FORMAT' },
    ]));
  test('every problem is reported, not only the first', () =>
    assert.equal(
      registrationIssues({ ...person, login: '1', password: 'short', name: 'x', mobile: '' }, today).length,
      4,
    ));
  const org = {
    kind: 'organization' as const,
    login: 'acme-co',
    password: 'a-strong-pass-1',
    name: DEMO_ORGANIZATION.name,
    creditCode: DEMO_ORGANIZATION.creditCode,
    legalRepresentative: '赵六',
    agentName: '李四',
    agentIdNumber: DEMO_PEOPLE.enterpriseAgent.idNumber,
    agentMobile: '13800000001',
  };
  test('a valid organisation has no issues', () => assert.deepEqual(registrationIssues(org, today), []));
  test('GB 32100 › rejects a wrong check character', () =>
    assert.deepEqual(registrationIssues({ ...org, creditCode: '91410105202600012A' }, today), [
      { field: 'creditCode', rule: 'GB32100.CHECK_CHAR' },
    ]));
  test("the agent's ID number is checked under its own field name", () =>
    assert.deepEqual(registrationIssues({ ...org, agentIdNumber: '410105198511200225' }, today), [
      { field: 'agentIdNumber', rule: 'GB11643.CHECK_CHAR' },
    ]));
});

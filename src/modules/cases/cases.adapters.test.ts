import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { calendarPort, licencesPort } from './cases.adapters.js';

describe('calendar port', () => {
  test('a calendar.changed event newer than the loaded calendar makes this node re-read it first', async () => {
    let reloads = 0;
    const cal = {
      version: '01a216ac-0000-7000-8000-000000000001',
      dayRule: () => ({ isWorkingDay: () => true, describe: () => undefined }),
      async reload() {
        reloads++;
        cal.version = '01a216ac-0000-7000-8000-000000000002';
      },
    };
    const port = calendarPort(cal);
    await port.atVersion?.('01a216ac-0000-7000-8000-000000000001'); // the loaded one: nothing to do
    assert.equal(reloads, 0);
    await port.atVersion?.('01a216ac-0000-7000-8000-000000000002'); // a newer change: re-read
    assert.equal(reloads, 1);
    await port.atVersion?.('01a216ac-0000-7000-8000-000000000002');
    assert.equal(reloads, 1);
  });
});

describe('licences port › 出证 only to a verified holder', () => {
  const issued: Array<{ idNumber: string }> = [];
  const licences = {
    materialFromLicence: async () => ({ licenceIdentifier: '', typeName: '' }),
    listTypes: async () => [{ code: '1'.repeat(21), name: '食品经营许可证' }],
    typeByName: async (name: string) =>
      name === '食品经营许可证' ? { code: '1'.repeat(21), name } : undefined,
    recordUse: async () => ({ useId: '' }),
    usableMaterials: async () => [],
    async issueLicence(input: { holder: { idNumber: string } }) {
      issued.push({ idNumber: input.holder.idNumber });
      return { identifier: 'x' };
    },
  };
  const regions = {
    departmentById: async () => ({ creditCode: '11410100MB0000000X', name: '郑州市市场监督管理局' }),
  };
  const person = (realNameLevel: number) => ({
    accountIdByIdNumber: async () => undefined,
    contactsOf: async () => new Map([['acc', { mobile: '13800000002' }]]),
    personalData: async () => ({
      kind: 'person',
      name: '王五',
      idNumber: '410103200101090461',
      creditCode: null,
      regionCode: '410103',
      mobile: '13800000002',
      realNameLevel,
    }),
  });
  const log = { warn() {} };
  const request = {
    caseNumber: 'C1',
    implementationCode: 'X',
    licenceType: '食品经营许可证',
    holderAccountId: 'acc',
    regionCode: '410100',
    departmentId: 'dept',
    today: '2026-03-02',
  };

  test('a person at L1 (an ID number claimed, not verified) is issued no licence in that number', async () => {
    const port = licencesPort(licences, person(1), regions, log);
    assert.equal(await port.prepareIssue?.(request), undefined);
  });

  test('a person verified at L2 is issued the licence in their number', async () => {
    const port = licencesPort(licences, person(2), regions, log);
    const issue = await port.prepareIssue?.(request);
    assert.ok(issue);
    await issue({} as never);
    assert.deepEqual(issued, [{ idNumber: '410103200101090461' }]);
  });
});

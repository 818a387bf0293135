import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { calendarPort } from './cases.adapters.js';

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

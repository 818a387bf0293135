import type { TongbanApp } from '../../src/app.js';
import { generateIdNumber } from '../../src/platform/codes/index.js';

let people = 0;

/**
 * Registers a person of the test's own (L1, a valid generated ID number, a phone of its own), for
 * a test that changes a password, ends sessions or is throttled, so the demo accounts stay as
 * other tests expect them.
 */
export async function registerPerson(
  t: TongbanApp,
  login: string,
  password: string,
): Promise<{ id: string; mobile: string }> {
  people++;
  const mobile = `1370000${String(people).padStart(4, '0')}`;
  const v = await t.identity.service.register({
    kind: 'person',
    login,
    password,
    name: '韩梅梅',
    idNumber: generateIdNumber({
      regionCode: '410105',
      birthDate: '1992-05-06',
      sex: 'female',
      sequence: 500 + people * 2,
    }),
    mobile,
  });
  return { id: v.id, mobile };
}

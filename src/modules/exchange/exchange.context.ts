import type { Clock } from '../../kernel/index.js';
import { DomainError } from '../../kernel/index.js';
import type { WorkingCalendar } from '../../platform/calendar/index.js';
import type { Db } from '../../platform/db/index.js';
import type { PersonalDataCipher } from '../../platform/privacy/index.js';
import type { ExchangePorts } from './exchange.ports.js';

/** What the exchange's use cases take. */
export interface ExchangeContext {
  readonly db: Db;
  readonly clock: Clock;
  readonly cipher: PersonalDataCipher;
  readonly calendar: Pick<WorkingCalendar, 'dueDate' | 'workingDaysBetween'>;
  readonly ports: ExchangePorts;
}

/** Working days a provider has to answer a 有条件 request (政务数据共享条例). */
export const ANSWER_WORKING_DAYS = 10;

/** zod's result as EXCHANGE.INVALID with the fields at fault; nothing is written before this passes. */
export function parse<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: Array<{ path: PropertyKey[]; code: string }> } };
  },
  input: unknown,
): T {
  const r = schema.safeParse(input);
  if (!r.success) {
    const issues = r.error.issues.map((i) => ({ field: i.path.map(String).join('.'), rule: i.code }));
    throw new DomainError('EXCHANGE.INVALID', { details: { issues } });
  }
  return r.data;
}

/** A clock's colour as the cases' clocks show it: yellow within 2 working days, red once past. */
export function clockColour(remaining: number): 'green' | 'yellow' | 'red' {
  return remaining < 0 ? 'red' : remaining <= 2 ? 'yellow' : 'green';
}

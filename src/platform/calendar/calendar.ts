import type { Kysely, Migration } from 'kysely';
import type { Clock } from '../../kernel/index.js';
import type { Store } from '../db/index.js';

/**
 * PLACEHOLDER INTERFACE — being implemented (chinese-days + local overrides).
 * China's working-day calendar: 法定节假日 and 调休 make-up working days, plus regional overrides.
 */
export interface DayExplanation {
  date: string;
  counted: boolean;
  reason: string;
}

export interface WorkingCalendar {
  addWorkingDays(start: string, n: number, regionCode?: string): Promise<{ due: string; explanation: DayExplanation[] }>;
  workingDaysBetween(a: string, b: string, regionCode?: string): Promise<number>;
}

export const calendarMigrations: Record<string, Migration> = {
  'calendar.0001_days': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('calendar_days')
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('date', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('calendar_days_pk', ['region_code', 'date'])
        .execute();
    },
  },
};

export function createCalendar(_deps: { store: Store; clock: Clock }): WorkingCalendar {
  throw new Error('calendar: being implemented');
}

/**
 * China's working-day calendar (法定节假日, 调休 and local overrides) and the deadline maths the
 * case clocks use. The only file other parts import.
 */
import './calendar.messages.js';
import './calendar.errors.js';

export { FIRST_YEAR, LAST_YEAR, chinaDate, chinaYear, isCalendarDate } from './calendar.dates.js';
export { calendarMigrations, type CalendarTables } from './calendar.store.js';
export {
  type CalendarChange,
  type CalendarCoverage,
  type CalendarDeps,
  type WorkingCalendar,
  createCalendar,
} from './calendar.service.js';
export { calendarRoutes, explanationText } from './calendar.routes.js';
export {
  type CalendarChanged,
  type DayEntry,
  type DayKind,
  type DayReason,
  type Deadline,
  type ExplainedDay,
  type HolidayName,
  MAX_WORKING_DAYS,
} from './calendar.types.js';

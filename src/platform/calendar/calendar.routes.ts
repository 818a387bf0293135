import type { App } from '../http/index.js';
import type { WorkingCalendar } from './calendar.js';

export function calendarRoutes(_app: App, _cal: WorkingCalendar): void {}

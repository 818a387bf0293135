import type { Clock } from '../../kernel/index.js';
import type { Executor } from '../../platform/db/index.js';
import type {
  CalendarPort,
  CasesPort,
  ContactPort,
  HallInfo,
  HallWindowInfo,
  NotifierPort,
  RegionsPort,
  RatingsPort,
  StaffPort,
} from './halls.ports.js';

/** What the halls use cases take: the store, the clock and the ports (adapted in app.ts). */
export interface HallsContext {
  readonly db: Executor;
  readonly clock: Clock;
  readonly regions: RegionsPort;
  readonly calendar: CalendarPort;
  readonly cases?: CasesPort;
  readonly notifier?: NotifierPort;
  readonly contact?: ContactPort;
  /** staff by login, for the staff on duty at a window (absent: none can be assigned) */
  readonly staff?: StaffPort;
  /** the ratings of the hall's cases (absent: the figures say none) */
  readonly ratings?: RatingsPort;
  /**
   * this node's halls with their windows and hours, each kept until `until` (performance.now());
   * absent: read every time
   */
  readonly hallCache?: Map<
    string,
    {
      until: number;
      value: {
        hall: HallInfo;
        windows: readonly HallWindowInfo[];
      };
    }
  >;
  /** tells this node's feed that a call was committed here (it polls the store anyway) */
  readonly poke?: () => void;
}

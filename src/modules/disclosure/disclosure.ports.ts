import type { DayRule } from './disclosure.clock.js';

/** What the disclosure module needs of others; app.ts (through index.ts) adapts their public faces. */

/** A public body (行政机关): a department of the regions module. */
export interface Body {
  readonly id: string;
  readonly name: string;
  readonly regionCode: string;
}

export interface BodiesPort {
  body(id: string): Promise<Body | undefined>;
  /** the bodies of a region (for the request form's list) */
  bodiesIn(regionCode: string): Promise<Body[]>;
  /** a division and the divisions directly under it (the form's region choice) */
  divisions(regionCode: string): Promise<Array<{ code: string; name: string }>>;
}

export interface CalendarPort {
  /** the working-day rule of a region (the platform calendar, from memory) */
  rule(regionCode: string): DayRule;
}

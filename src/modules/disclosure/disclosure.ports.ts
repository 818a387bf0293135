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

/** Where a division is: the position of its own service hall (the regions module's directory). */
export interface PlacesPort {
  /** the division's point, else the nearest division above it with one (12 → 9 → 6 → city) */
  placeOf(regionCode: string): Promise<{ lat: number; lng: number; regionCode: string } | undefined>;
  /** the divisions a user may choose to measure from: the city's counties and their townships */
  choices(cityCode: string): Promise<Array<{ code: string; name: string }>>;
}

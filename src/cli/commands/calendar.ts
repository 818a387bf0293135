import { readFileSync } from 'node:fs';
import type { CliCommand } from '../cli.types.js';

/**
 * `tongban calendar years`: which years have public-holiday data. Exits 1 when the current or the
 * next year has none, so a monitoring job can alert the operators to enter the State Council notice.
 */
export const calendarYearsCommand: CliCommand = {
  name: ['calendar', 'years'],
  summary: 'list the years with public-holiday data; exit 1 when this or next year has none',
  async run(_args, ctx) {
    const t = await ctx.boot({ demo: 'off' });
    const c = t.calendar.coverage();
    ctx.out(JSON.stringify(c));
    if (c.missing.length)
      ctx.err(`no public-holiday data for ${c.missing.join(', ')}: enter the State Council notice`);
    return c.missing.length ? 1 : 0;
  },
};

/**
 * `tongban calendar import <file.json>`: enters a notice (or a local decision) from a file shaped
 * like the body of POST /api/v1/calendar/days: {"regionCode":"","days":[{"date","kind","name","nameEn"}]}.
 */
export const calendarImportCommand: CliCommand = {
  name: ['calendar', 'import'],
  summary:
    'enter holidays and make-up working days from a JSON file (same shape as POST /api/v1/calendar/days)',
  usage: '<file.json>',
  async run(args, ctx) {
    const file = args.positional[0];
    if (!file) {
      ctx.err('usage: tongban calendar import <file.json>');
      return 2;
    }
    const t = await ctx.boot({ demo: 'off' });
    const r = await t.calendar.setDays(JSON.parse(readFileSync(file, 'utf8')), 'cli');
    ctx.out(JSON.stringify({ regionCode: r.regionCode, days: r.dates.length, version: r.version }));
    return 0;
  },
};

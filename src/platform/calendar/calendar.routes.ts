import { z } from 'zod';
import { authorize, type App } from '../http/index.js';
import { type Lang, translator } from '../i18n/index.js';
import { sendHtml } from '../views/index.js';
import { dateAt, dayIndex } from './calendar.dates.js';
import { calendarPage, type CalendarPageModel } from './calendar.pages.js';
import type { WorkingCalendar } from './calendar.service.js';
import { CalendarDate, DayInput, type ExplainedDay, MAX_WORKING_DAYS, RegionCode } from './calendar.types.js';

const TAGS = ['calendar'];

/** An explanation item as the API gives it: the reason code plus its text in the caller's language. */
const ExplanationItem = z.object({
  date: z.string(),
  counted: z.boolean(),
  reason: z.string(),
  text: z.string(),
  name: z.string().optional(),
  ordinal: z.number().int().optional(),
});

export function explanationText(
  items: readonly ExplainedDay[],
  lang: Lang,
): Array<z.infer<typeof ExplanationItem>> {
  const t = translator(lang);
  return items.map((d) => {
    const name = d.name ? (lang === 'en' ? d.name.en : d.name.zh) : undefined;
    const out: z.infer<typeof ExplanationItem> = {
      date: d.date,
      counted: d.counted,
      reason: d.reason,
      text: t(`calendar.reason.${d.reason}`, { name: name ?? '' }),
    };
    if (name !== undefined) out.name = name;
    if (d.ordinal !== undefined) out.ordinal = d.ordinal;
    return out;
  });
}

const ChangeResult = z.object({ regionCode: z.string(), dates: z.array(z.string()), version: z.string() });

/**
 * The calendar's routes: the public deadline calculator (JSON and page), the coverage check ops
 * watch, and the administrators' entry of the State Council notice and local changes.
 */
export function calendarRoutes(app: App, cal: WorkingCalendar): void {
  // another node may have changed the calendar: read the version once a second, off the request
  // path, until the app closes
  const stopWatching = cal.watch((err) =>
    app.log.warn({ err }, 'calendar: version check failed; serving the loaded calendar'),
  );
  app.addHook('onClose', async () => stopWatching());

  app.get(
    '/api/v1/calendar/deadline',
    {
      config: { permission: 'public' },
      schema: {
        tags: TAGS,
        summary: 'Due date after N working days (the rule the case clocks use), with its explanation',
        description:
          'The start day is not counted (期间开始之日不计算在内); the due date is the N-th working day after it. N = 0: the start day if it is a working day, else the next one.',
        querystring: z.object({
          start: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/)
            .describe('YYYY-MM-DD, China time'),
          workingDays: z.coerce.number().int().min(0).max(MAX_WORKING_DAYS),
          region: RegionCode.optional().describe(
            'region code (2–12 digits); empty for the national calendar',
          ),
        }),
        response: { 200: z.object({ due: z.string(), explanation: z.array(ExplanationItem) }) },
      },
    },
    async (req) => {
      const r = cal.addWorkingDays(req.query.start, req.query.workingDays, req.query.region || undefined);
      return { due: r.due, explanation: explanationText(r.explanation, req.lang) };
    },
  );

  app.get(
    '/api/v1/calendar/years',
    {
      config: { permission: 'public' },
      schema: {
        tags: TAGS,
        summary:
          'Years with public-holiday data; `missing` lists the current or next year when its notice is not entered',
        response: {
          200: z.object({
            years: z.array(z.number().int()),
            currentYear: z.number().int(),
            missing: z.array(z.number().int()),
            version: z.string(),
          }),
        },
      },
    },
    async () => ({ ...cal.coverage(), version: cal.version }),
  );

  app.get(
    '/api/v1/calendar/days',
    {
      config: { permission: 'public' },
      schema: {
        tags: TAGS,
        summary: 'The days set for a year: the national calendar, or one region’s own overrides',
        querystring: z.object({
          year: z.coerce.number().int().min(2000).max(2099),
          region: RegionCode.optional(),
        }),
        response: {
          200: z.object({
            regionCode: z.string(),
            year: z.number().int(),
            days: z.array(
              z.object({
                date: z.string(),
                kind: z.enum(['off', 'work']),
                name: z.string(),
                nameEn: z.string(),
                source: z.string(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const regionCode = req.query.region ?? '';
      const days = await cal.listDays(regionCode, req.query.year);
      return {
        regionCode,
        year: req.query.year,
        days: days.map((d) => ({
          date: d.date,
          kind: d.kind,
          name: d.name,
          nameEn: d.nameEn,
          source: d.source,
        })),
      };
    },
  );

  app.post(
    '/api/v1/calendar/days',
    {
      config: { permission: { permission: 'calendar.manage' } },
      schema: {
        tags: TAGS,
        summary: 'Enter days off and working days (the State Council notice for a year, or a local decision)',
        description:
          'regionCode "" is the national calendar (needs a platform-wide grant); a region code prefix sets that region’s overrides. Existing days are replaced. Appends a calendar.changed event; running cases follow.',
        body: z.object({ regionCode: RegionCode.default(''), days: z.array(DayInput).min(1).max(200) }),
        response: { 200: ChangeResult },
      },
    },
    async (req) => {
      const p = authorize(req, 'calendar.manage', { regionCode: req.body.regionCode });
      return cal.setDays(req.body, p.accountId);
    },
  );

  app.delete(
    '/api/v1/calendar/days',
    {
      config: { permission: { permission: 'calendar.manage' } },
      schema: {
        tags: TAGS,
        summary: 'Remove days set for a region (back to the national rule, or to weekends only)',
        body: z.object({ regionCode: RegionCode.default(''), dates: z.array(CalendarDate).min(1).max(200) }),
        response: { 200: ChangeResult },
      },
    },
    async (req) => {
      const p = authorize(req, 'calendar.manage', { regionCode: req.body.regionCode });
      return cal.removeDays(req.body, p.accountId);
    },
  );

  app.get(
    '/calendar',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        querystring: z.object({
          start: z.string().max(40).optional(),
          workingDays: z.string().max(20).optional(),
          region: z.string().max(40).optional(),
          lang: z.string().optional(),
        }),
      },
    },
    async (req, reply) => {
      const ctx = req.view(reply);
      const q = req.query;
      const model: CalendarPageModel = {
        values: { start: q.start ?? '', workingDays: q.workingDays ?? '', region: q.region ?? '' },
        errors: {},
        coverage: cal.coverage(),
      };
      if (q.start !== undefined || q.workingDays !== undefined) {
        const start = (q.start ?? '').trim();
        const n = (q.workingDays ?? '').trim();
        const region = (q.region ?? '').trim();
        if (dayIndex(start) < 0) model.errors.start = ctx.t('calendar.error.start');
        if (!/^\d{1,4}$/.test(n) || Number(n) > MAX_WORKING_DAYS)
          model.errors.workingDays = ctx.t('calendar.error.workingDays');
        if (!RegionCode.safeParse(region).success) model.errors.region = ctx.t('calendar.error.region');
        if (Object.keys(model.errors).length === 0) {
          const r = cal.addWorkingDays(start, Number(n), region || undefined);
          model.result = { start, n: Number(n), due: r.due };
          model.days = dayByDay(cal, start, r.due, region || undefined, req.lang);
        }
      }
      return sendHtml(reply, calendarPage(ctx, model), Object.keys(model.errors).length ? 400 : 200);
    },
  );
}

/** Every day from the start to the due date, for the page's table. */
function dayByDay(
  cal: WorkingCalendar,
  start: string,
  due: string,
  region: string | undefined,
  lang: Lang,
): CalendarPageModel['days'] {
  const t = translator(lang);
  const from = dayIndex(start);
  const to = dayIndex(due);
  const out: CalendarPageModel['days'] = [];
  let ordinal = 0;
  for (let i = from; i <= to; i++) {
    const d = cal.describeDay(dateAt(i), region);
    const isStart = i === from;
    const sameDay = isStart && from === to;
    const counted = sameDay || (!isStart && d.working);
    if (counted && !sameDay) ordinal++;
    const reason = sameDay ? 'sameDay' : isStart ? 'start' : d.reason;
    const name = d.name ? (lang === 'en' ? d.name.en : d.name.zh) : '';
    out.push({
      date: d.date,
      weekday: t(`calendar.weekday.${d.weekday}`),
      counted,
      ordinal: counted && !sameDay ? ordinal : undefined,
      reason: t(`calendar.reason.${reason}`, { name }),
    });
  }
  return out;
}

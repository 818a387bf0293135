import { z } from 'zod';
import { type Clock, DomainError } from '../../kernel/index.js';
import { type Principal, allows } from '../../platform/access.js';
import {
  type Kysely,
  type Migration,
  type Store,
  inTransaction,
  sql,
  startsWithPrefix,
} from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { schemaIssues } from '../../platform/input.js';
import type { BodiesPort } from './disclosure.ports.js';
import { ORG_TYPES } from './disclosure.requests.types.js';

/**
 * 年度报告 (2019 条例 art. 50; the national template, 国办公开办函〔2021〕30号): for one body or
 * the whole city and one year — 主动公开 counts, 依申请 requests received (by requester type),
 * carried over from the year before, their results by the template's rows, carried over into the
 * next year, and the administrative review and litigation counts staff enter. Counted from the
 * requests' action records, not the projection.
 */

export const RESULT_ROWS = [
  'disclosed',
  'partial',
  'refused.stateSecret',
  'refused.lawProhibits',
  'refused.security',
  'refused.thirdParty',
  'refused.internalAffairs',
  'refused.processInformation',
  'refused.enforcementFile',
  'unable.notHeld',
  'notHandled.duplicate',
  'other.lapsed',
  'other.withdrawn',
] as const;
export type ResultRow = (typeof RESULT_ROWS)[number];

/** how a reply (kind, ground) or a stop counts in the template */
export function resultRowOf(kind: string, ground?: string): ResultRow {
  switch (kind) {
    case 'disclose':
      return 'disclosed';
    case 'partial':
      return 'partial';
    case 'refuse':
      return ground === 'stateSecret'
        ? 'refused.stateSecret'
        : ground === 'lawProhibits'
          ? 'refused.lawProhibits'
          : ground === 'security'
            ? 'refused.security'
            : 'refused.thirdParty';
    case 'mayWithhold':
      return ground === 'internalAffairs'
        ? 'refused.internalAffairs'
        : ground === 'enforcementFile'
          ? 'refused.enforcementFile'
          : 'refused.processInformation';
    // 信息不存在 and 非本机关负责: the template's 本机关不掌握相关政府信息
    case 'notExist':
    case 'notResponsible':
      return 'unable.notHeld';
    case 'duplicate':
      return 'notHandled.duplicate';
    case 'lapse':
      return 'other.lapsed';
    default:
      return 'other.withdrawn';
  }
}

const REVIEW_KEYS = ['upheld', 'corrected', 'other', 'pending'] as const;
const Outcomes = z.object(
  Object.fromEntries(REVIEW_KEYS.map((k) => [k, z.number().int().min(0).max(1_000_000)])) as {
    [K in (typeof REVIEW_KEYS)[number]]: z.ZodNumber;
  },
);
/** 行政复议 and 行政诉讼 (directly, and after review): entered by staff */
export const ReviewCountsInput = z.object({
  body: z.string().min(1).max(100),
  year: z.number().int().min(2008).max(2100),
  review: Outcomes,
  litigationDirect: Outcomes,
  litigationAfterReview: Outcomes,
});
export type ReviewCountsInput = z.infer<typeof ReviewCountsInput>;

export const reportMigrations: Record<string, Migration> = {
  'disclosure.0004_report_counts': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('disclosure_review_counts')
        .addColumn('body_id', 'text', (c) => c.notNull())
        .addColumn('year', 'integer', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('counts', 'text', (c) => c.notNull())
        .addColumn('entered_by', 'text')
        .addColumn('entered_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('disclosure_review_counts_pk', ['body_id', 'year'])
        .execute();
    },
  },
};

type Counts = Record<string, number>;
export interface AnnualReport {
  readonly year: number;
  readonly body: { readonly id: string; readonly name: string } | null;
  readonly regionCode: string;
  /** 主动公开: published in the year, by domain, and the total */
  readonly published: { readonly total: number; readonly byDomain: Counts; readonly withdrawn: number };
  /** 依申请: received in the year by requester type, carried over from the year before */
  readonly received: { readonly person: number; readonly organization: number; readonly total: number };
  readonly carriedIn: number;
  /** results in the year by the template's rows, and their total */
  readonly results: Readonly<Record<ResultRow, number>> & { readonly total: number };
  readonly carriedOut: number;
  /**
   * The template's table 三 with its columns: 自然人, then 法人或其他组织 by type (商业企业,
   * 科研机构, 社会公益组织, 法律服务机构, 其他), then 总计 — received, carried in, each result row,
   * carried out.
   */
  readonly byRequester: {
    readonly columns: readonly RequesterColumn[];
    readonly received: Readonly<Record<RequesterColumn | 'total', number>>;
    readonly carriedIn: Readonly<Record<RequesterColumn | 'total', number>>;
    readonly results: Readonly<
      Record<ResultRow | 'total', Readonly<Record<RequesterColumn | 'total', number>>>
    >;
    readonly carriedOut: Readonly<Record<RequesterColumn | 'total', number>>;
  };
  readonly review: Readonly<Record<'review' | 'litigationDirect' | 'litigationAfterReview', Counts>> | null;
}

const STOPS = new Set(['reply', 'lapse', 'withdraw']);

/** the template's requester columns: 自然人 and the five kinds of 法人或其他组织 */
export const REQUESTER_COLUMNS = ['person', ...ORG_TYPES] as const;
export type RequesterColumn = (typeof REQUESTER_COLUMNS)[number];
const zeroRow = () =>
  Object.fromEntries([...REQUESTER_COLUMNS, 'total'].map((c) => [c, 0])) as Record<
    RequesterColumn | 'total',
    number
  >;

export function createReports(deps: { store: Store; clock: Clock; bodies: BodiesPort }) {
  const db = deps.store.db;

  async function build(q: { body?: string | undefined; year: number; city: string }): Promise<AnnualReport> {
    const body = q.body ? await deps.bodies.body(q.body) : undefined;
    if (q.body && !body) throw new DomainError('DISCLOSURE.UNKNOWN_BODY', { details: { body: q.body } });
    const start = `${q.year}-01-01`;
    const end = `${q.year}-12-31`;
    const region = body ? body.regionCode : q.city;
    // a body's figures, or the city's: its division code without the trailing zeros as a prefix
    const prefix = region.replace(/0+$/, '');
    const scope = body ? sql`body_id = ${body.id}` : startsWithPrefix('region_code', prefix);

    const pub = (
      await sql<{ domain: string; status: string; n: number }>`
        select domain, status, count(*) as n from disclosure_publications
        where ${body ? sql`department_id = ${body.id}` : startsWithPrefix('region_code', prefix)}
          and published_on between ${start} and ${end} and status in ('published', 'withdrawn')
        group by domain, status`.execute(db)
    ).rows;
    const byDomain: Counts = {};
    let withdrawn = 0;
    for (const r of pub) {
      byDomain[r.domain] = (byDomain[r.domain] ?? 0) + Number(r.n);
      if (r.status === 'withdrawn') withdrawn += Number(r.n);
    }

    // every request received by the year's end that had not stopped before the year began
    const requests = (
      await sql<{
        request_number: string;
        received_on: string;
        requester_kind: string;
        requester_org_type: string | null;
      }>`
        select request_number, received_on, requester_kind, requester_org_type from disclosure_requests
        where ${scope} and received_on <= ${end}`.execute(db)
    ).rows;
    const stopOf = new Map<
      string,
      { day: string; type: string; kind?: string; ground?: string; onTime?: boolean }
    >();
    const acts = (
      await sql<{ request_number: string; type: string; day: string; payload: string; seq: number }>`
        select a.request_number, a.type, a.day, a.payload, a.seq from disclosure_request_actions a
        join disclosure_requests r on r.request_number = a.request_number
        where ${body ? sql`r.body_id = ${body.id}` : startsWithPrefix('r.region_code', prefix)}
          and r.received_on <= ${end} and a.type in ('reply', 'lapse', 'withdraw')
        order by a.request_number, a.seq`.execute(db)
    ).rows;
    for (const a of acts) {
      if (stopOf.has(a.request_number) || !STOPS.has(a.type)) continue;
      const p = JSON.parse(a.payload) as { kind?: string; ground?: string };
      stopOf.set(a.request_number, {
        day: a.day,
        type: a.type,
        ...(p.kind ? { kind: p.kind } : {}),
        ...(p.ground ? { ground: p.ground } : {}),
      });
    }
    const results = Object.fromEntries(RESULT_ROWS.map((r) => [r, 0])) as Record<ResultRow, number>;
    let person = 0;
    let organization = 0;
    let carriedIn = 0;
    let carriedOut = 0;
    let total = 0;
    const m = {
      received: zeroRow(),
      carriedIn: zeroRow(),
      results: Object.fromEntries([...RESULT_ROWS, 'total'].map((r) => [r, zeroRow()])) as Record<
        ResultRow | 'total',
        Record<RequesterColumn | 'total', number>
      >,
      carriedOut: zeroRow(),
    };
    const bump = (row: Record<RequesterColumn | 'total', number>, col: RequesterColumn) => {
      row[col]++;
      row.total++;
    };
    for (const r of requests) {
      const stop = stopOf.get(r.request_number);
      if (stop && stop.day < start) continue;
      const col: RequesterColumn =
        r.requester_kind === 'organization'
          ? (ORG_TYPES as readonly string[]).includes(r.requester_org_type ?? '')
            ? (r.requester_org_type as RequesterColumn)
            : 'other'
          : 'person';
      if (r.received_on >= start) {
        if (r.requester_kind === 'organization') organization++;
        else person++;
        bump(m.received, col);
      } else {
        carriedIn++;
        bump(m.carriedIn, col);
      }
      if (stop && stop.day <= end) {
        const row = resultRowOf(stop.type === 'reply' ? (stop.kind ?? '') : stop.type, stop.ground);
        results[row]++;
        total++;
        bump(m.results[row], col);
        bump(m.results.total, col);
      } else {
        carriedOut++;
        bump(m.carriedOut, col);
      }
    }
    const reviewRows = (
      await sql<{ counts: string }>`
        select counts from disclosure_review_counts
        where ${body ? sql`body_id = ${body.id}` : startsWithPrefix('region_code', prefix)} and year = ${q.year}`.execute(
        db,
      )
    ).rows;
    let review: AnnualReport['review'] = null;
    if (reviewRows.length) {
      const sum: Record<'review' | 'litigationDirect' | 'litigationAfterReview', Counts> = {
        review: {},
        litigationDirect: {},
        litigationAfterReview: {},
      };
      for (const row of reviewRows) {
        const c = JSON.parse(row.counts) as Record<keyof typeof sum, Counts>;
        for (const part of Object.keys(sum) as Array<keyof typeof sum>)
          for (const k of REVIEW_KEYS) sum[part][k] = (sum[part][k] ?? 0) + (c[part]?.[k] ?? 0);
      }
      review = sum;
    }
    return {
      year: q.year,
      body: body ? { id: body.id, name: body.name } : null,
      regionCode: region,
      published: { total: Object.values(byDomain).reduce((a, b) => a + b, 0), byDomain, withdrawn },
      received: { person, organization, total: person + organization },
      carriedIn,
      results: { ...results, total },
      carriedOut,
      byRequester: { columns: REQUESTER_COLUMNS, ...m },
      review,
    };
  }

  /** Staff of the body enter its review and litigation counts for a year (replacing the last entry). */
  async function enterReviewCounts(p: Principal, raw: unknown): Promise<void> {
    const r = ReviewCountsInput.safeParse(raw);
    if (!r.success) throw new DomainError('DISCLOSURE.INVALID', { details: schemaIssues(r.error.issues) });
    const input = r.data;
    const body = await deps.bodies.body(input.body);
    if (!body) throw new DomainError('DISCLOSURE.UNKNOWN_BODY', { details: { body: input.body } });
    if (!allows(p, 'disclosure.publish', { regionCode: body.regionCode, departmentId: body.id }))
      throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'disclosure.publish' } });
    const counts = JSON.stringify({
      review: input.review,
      litigationDirect: input.litigationDirect,
      litigationAfterReview: input.litigationAfterReview,
    });
    const now = deps.clock.now().toISOString();
    await inTransaction(db, async (trx) => {
      await sql`delete from disclosure_review_counts where body_id = ${body.id} and year = ${input.year}`.execute(
        trx,
      );
      await sql`insert into disclosure_review_counts (body_id, year, region_code, counts, entered_by, entered_at)
        values (${body.id}, ${input.year}, ${body.regionCode}, ${counts}, ${p.accountId}, ${now})`.execute(
        trx,
      );
      await appendEvent(trx, deps.clock, {
        type: 'disclosure.report.countsEntered',
        aggregateType: 'disclosure.report',
        aggregateId: `${body.id}:${input.year}`,
        regionCode: body.regionCode,
        actor: p.accountId,
        payload: { body: body.id, year: input.year, counts: JSON.parse(counts) },
      });
    });
  }

  return { build, enterReviewCounts };
}

export type ReportsApi = ReturnType<typeof createReports>;

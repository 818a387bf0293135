/**
 * The full recount: every supervision counter computed again from the whole event stream in SQL,
 * without the consumer's state. It is the reference the projection must equal (the recount test,
 * `tongban stats verify`) and the baseline the supervision bench times beside the dashboard. It
 * reads the events table only (platform/events), never another module's tables.
 */
import { type RawBuilder, sql } from 'kysely';
import { type Executor, dialectOf } from '../../platform/db/index.js';
import { COUNTERS, type CellKey, type Counters, zeroCounters } from './stats.performance.js';

type Sql = RawBuilder<unknown>;

/** SQL fragments for one dialect over an events alias. */
function dialect(db: Executor) {
  const pg = dialectOf(db) === 'postgres';
  /** a JSON value as text (booleans 'true'/'false' on PostgreSQL, 1/0 on SQLite) */
  const text = (a: string, path: string[]): Sql =>
    pg
      ? sql`(${sql.ref(`${a}.payload`)}::jsonb #>> ${`{${path.join(',')}}`})`
      : sql`json_extract(${sql.ref(`${a}.payload`)}, ${`$.${path.join('.')}`})`;
  const isTrue = (a: string, path: string[]): Sql =>
    pg ? sql`(${text(a, path)} = 'true')` : sql`(${text(a, path)} = 1)`;
  const int = (a: string, path: string[]): Sql => sql`cast(${text(a, path)} as integer)`;
  /** the China month (UTC+8) of an event */
  const month = (a: string): Sql =>
    pg
      ? sql`to_char((${sql.ref(`${a}.created_at`)}::timestamptz at time zone 'Asia/Shanghai'), 'YYYY-MM')`
      : sql`strftime('%Y-%m', ${sql.ref(`${a}.created_at`)}, '+8 hours')`;
  const region = (a: string): Sql =>
    sql`coalesce(nullif(${text(a, ['regionCode'])}, ''), ${sql.ref(`${a}.region_code`)}, '')`;
  const department = (a: string): Sql => sql`coalesce(nullif(${text(a, ['departmentId'])}, ''), '')`;
  return { pg, text, isTrue, int, month, region, department };
}

type Row = { month: string; region: string; department: string } & Record<string, unknown>;

/** Recounts every counter of every cell from the events; cells with nothing counted are absent. */
export async function recountPerformance(db: Executor): Promise<Array<{ key: CellKey; counters: Counters }>> {
  const d = dialect(db);
  const cells = new Map<string, { key: CellKey; counters: Counters }>();
  const merge = (rows: Row[]) => {
    for (const r of rows) {
      const k = `${r.month}|${r.region}|${r.department}`;
      let cell = cells.get(k);
      if (!cell) {
        cell = {
          key: { month: r.month, regionCode: r.region, departmentId: r.department },
          counters: zeroCounters(),
        };
        cells.set(k, cell);
      }
      for (const c of COUNTERS) if (r[c] != null) cell.counters[c] += Number(r[c]);
    }
  };
  const action = d.text('e', ['action']);
  const sum = (cond: Sql) => sql`sum(case when ${cond} then 1 else 0 end)`;
  const byCell = sql`group by 1, 2, 3`;
  const cols = (a: string) =>
    sql`${d.month(a)} as month, ${d.region(a)} as region, ${d.department(a)} as department`;

  // the case flow: received, accepted, refused, withdrawn, cards
  merge(
    (
      await sql<Row>`select ${cols('e')},
        ${sum(sql`e.type = 'cases.submitted'`)} as submitted,
        ${sum(sql`e.aggregate_type = 'case' and ${action} in ('accept', 'acceptWithDeficiency', 'acceptWithCommitment')`)} as accepted,
        ${sum(sql`e.aggregate_type = 'case' and ${action} = 'refuse'`)} as refused,
        ${sum(sql`e.aggregate_type = 'case' and ${action} = 'withdraw'`)} as withdrawn,
        ${sum(sql`e.type = 'cases.warning.yellow'`)} as warned_yellow,
        ${sum(sql`e.type = 'cases.warning.red'`)} as warned_red
      from events e
      where e.type like 'cases.%' and e.aggregate_type = 'case'
      ${byCell}`.execute(db)
    ).rows,
  );

  // 办结: on time, days, 即办件, visits (applied at a window; called to one for the case; result collected at one)
  const windowResults = sql`(select count(*) from events r
      where r.aggregate_type = 'case' and r.aggregate_id = e.aggregate_id
        and ${d.text('r', ['action'])} = 'issueResult' and ${d.text('r', ['delivery'])} = 'window')`;
  // tickets for the case called to a window before it was completed (not line C: see HALL_VISIT)
  const hallVisits = sql`(select count(*) from events v
      where v.type = 'halls.visit' and v.aggregate_type = 'case' and v.aggregate_id = e.aggregate_id
        and v.seq > s.seq and v.seq < e.seq and coalesce(${d.text('v', ['line'])}, '') <> 'C')`;
  const channel = sql`coalesce(${d.text('s', ['channel'])}, 'online')`;
  const visits = sql`(case when s.seq is null then 0 else (case when ${channel} = 'online' then 0 else 1 end) + ${windowResults} + ${hallVisits} end)`;
  merge(
    (
      await sql<Row>`select ${cols('e')},
        count(*) as completed,
        ${sum(d.isTrue('e', ['clock', 'onTime']))} as completed_on_time,
        sum(coalesce(${d.int('e', ['clock', 'elapsedWorkingDays'])}, 0)) as days_used,
        sum(coalesce(${d.int('e', ['promisedDays'])}, 0)) as days_promised,
        ${sum(sql`${d.int('e', ['promisedDays'])} = 0`)} as immediate,
        ${sum(sql`s.seq is not null and ${channel} = 'online' and ${visits} = 0`)} as fully_online,
        ${sum(sql`${visits} <= 1`)} as at_most_one_visit
      from events e
      left join events s on s.aggregate_type = 'case' and s.aggregate_id = e.aggregate_id and s.type = 'cases.submitted'
      where e.aggregate_type = 'case' and e.type like 'cases.%' and ${action} = 'complete'
      ${byCell}`.execute(db)
    ).rows,
  );

  // 好差评 and 政民互动
  const level = d.int('e', ['level']);
  merge(
    (
      await sql<Row>`select ${cols('e')},
        ${sum(sql`e.type = 'ratings.rated'`)} as ratings,
        ${sum(sql`e.type = 'ratings.rated' and ${level} >= 4`)} as ratings_good,
        ${sum(sql`e.type = 'ratings.rated' and ${level} between 1 and 2`)} as ratings_bad,
        ${sum(sql`e.type = 'ratings.rated' and ${level} between 1 and 2 and ${d.isTrue('e', ['realName'])} and not coalesce(${d.isTrue('e', ['anonymous'])}, false)`)} as ratings_bad_real_name,
        ${sum(sql`e.type = 'complaints.filed'`)} as complaints_filed,
        ${sum(sql`e.type = 'complaints.answered'`)} as complaints_answered,
        ${sum(sql`e.type = 'complaints.answered' and ${d.isTrue('e', ['onTime'])}`)} as complaints_answered_on_time
      from events e
      where e.type in ('ratings.rated', 'complaints.filed', 'complaints.answered')
      ${byCell}`.execute(db)
    ).rows,
  );

  // 差评整改, each counted in the month (and cell) its rectification was opened
  const rid = (a: string) => d.text(a, ['rectificationId']);
  const after = (a: string, type: string, cond: Sql) =>
    sql`count(distinct case when exists (select 1 from events ${sql.ref(a)}
        where ${sql.ref(`${a}.type`)} = ${type} and ${rid(a)} = ${rid('e')} and ${cond}) then ${rid('e')} end)`;
  merge(
    (
      await sql<Row>`select ${cols('e')},
        count(distinct ${rid('e')}) as rectifications_opened,
        ${after('c', 'ratings.rectification-closed', sql`1 = 1`)} as rectifications_closed,
        ${after('c', 'ratings.rectification-closed', d.isTrue('c', ['onTime']))} as rectifications_closed_on_time,
        ${after('b', 'ratings.callback-recorded', d.isTrue('b', ['realName']))} as rectifications_called_back
      from events e
      where e.type = 'ratings.rectification-opened' and ${rid('e')} is not null
      ${byCell}`.execute(db)
    ).rows,
  );

  return [...cells.values()].filter((c) => COUNTERS.some((k) => c.counters[k] !== 0));
}

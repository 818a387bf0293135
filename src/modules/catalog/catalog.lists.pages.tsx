import {
  Button,
  PageHeading,
  Pagination,
  SelectField,
  Table,
  Tag,
  TextField,
  type ViewContext,
} from '../../platform/views/index.js';
import type { DutyEntry, NegativeListView, PowerEntry } from './catalog.lists.js';
import { POWER_TYPES } from './catalog.types.js';

/**
 * The public pages of 权力清单, 责任清单 and 负面清单: plain GET forms (no script), tables in
 * keyboard-scrollable wrappers, exports linked beside the results with the same filters.
 */

export type ListKind = 'power' | 'duties' | 'negative';
const KINDS: readonly ListKind[] = ['power', 'duties', 'negative'];

function ListTabs({ ctx, current }: { ctx: ViewContext; current: ListKind }) {
  return (
    <nav class="tabs" aria-label={ctx.t('catalog.lists.tabs')}>
      <ul class="tab-list">
        {KINDS.map((k) => (
          <li>
            <a href={`/lists/${k}`} aria-current={k === current ? 'page' : undefined}>
              {ctx.t(`catalog.lists.${k}.title`)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Exports({ ctx, kind, query }: { ctx: ViewContext; kind: ListKind; query: Record<string, string> }) {
  const qs = new URLSearchParams(query).toString();
  const href = (f: 'csv' | 'json') => `/api/v1/lists/${kind}.${f}${qs ? `?${qs}` : ''}`;
  return (
    <p>
      {ctx.t('catalog.lists.export')}{' '}
      <a href={href('csv')} download>
        {ctx.t('catalog.lists.exportCsv')}
      </a>{' '}
      ·{' '}
      <a href={href('json')} download>
        {ctx.t('catalog.lists.exportJson')}
      </a>
    </p>
  );
}

export function ListsIndexPage({ ctx }: { ctx: ViewContext }) {
  return (
    <div>
      <PageHeading caption={ctx.t('catalog.lists.caption')}>{ctx.t('catalog.lists.title')}</PageHeading>
      <p>{ctx.t('catalog.lists.intro')}</p>
      {KINDS.map((k) => (
        <section>
          <h2>
            <a href={`/lists/${k}`}>{ctx.t(`catalog.lists.${k}.title`)}</a>
          </h2>
          <p>{ctx.t(`catalog.lists.${k}.about`)}</p>
        </section>
      ))}
    </div>
  );
}

interface PowerFilters {
  ctx: ViewContext;
  kind: 'power' | 'duties';
  query: Record<string, string>;
  departments: Array<{ id: string; name: string }>;
}

function PowerFilterForm({ ctx, kind, query, departments }: PowerFilters) {
  const opt = (value: string, label: string) => ({ value, label });
  return (
    <form
      method="get"
      action={`/lists/${kind}`}
      class="filter-form"
      aria-label={ctx.t('catalog.lists.filter')}
    >
      <SelectField
        name="department"
        label={ctx.t('catalog.lists.department')}
        value={query.department ?? ''}
        options={[opt('', ctx.t('catalog.filter.all')), ...departments.map((d) => opt(d.id, d.name))]}
      />
      <TextField
        name="q"
        label={ctx.t('catalog.lists.q')}
        value={query.q ?? ''}
        type="search"
        width="medium"
      />
      <SelectField
        name="type"
        label={ctx.t('catalog.lists.type')}
        value={query.type ?? ''}
        options={[
          opt('', ctx.t('catalog.filter.all')),
          ...POWER_TYPES.map((t) => opt(t, ctx.t(`catalog.type.${t}`))),
        ]}
      />
      <TextField
        name="asOf"
        label={ctx.t('catalog.lists.asOf')}
        hint={ctx.t('catalog.lists.asOfHint')}
        value={query.asOf ?? ''}
        type="date"
        width="medium"
      />
      {query.basicCode ? <input type="hidden" name="basicCode" value={query.basicCode} /> : null}
      <Button variant="secondary">{ctx.t('catalog.filter.apply')}</Button>
    </form>
  );
}

function asOfLine(ctx: ViewContext, asOf: string | null, basicCode?: string) {
  return (
    <p>
      {asOf ? ctx.t('catalog.lists.asOfShown', { date: asOf }) : ctx.t('catalog.lists.current')}
      {basicCode ? (
        <>
          {' '}
          {ctx.t('catalog.lists.basicCodeShown', { code: basicCode })}{' '}
          <a href="/lists/power">{ctx.t('catalog.lists.clear')}</a>
        </>
      ) : null}
    </p>
  );
}

export function PowerListPage(
  p: PowerFilters & {
    total: number;
    asOf: string | null;
    items: PowerEntry[];
    page: number;
    pageSize: number;
  },
) {
  const { ctx } = p;
  return (
    <div>
      <PageHeading caption={ctx.t('catalog.lists.caption')}>{ctx.t('catalog.lists.power.title')}</PageHeading>
      <ListTabs ctx={ctx} current="power" />
      <p>{ctx.t('catalog.lists.power.about')}</p>
      <PowerFilterForm {...p} />
      {asOfLine(ctx, p.asOf, p.query.basicCode)}
      <p role="status">{ctx.t('catalog.lists.count', { n: p.total })}</p>
      <Exports ctx={ctx} kind="power" query={p.query} />
      <Table
        caption={ctx.t('catalog.lists.power.title')}
        rows={p.items}
        empty={ctx.t('catalog.lists.empty')}
        columns={[
          {
            header: ctx.t('catalog.col.name'),
            cell: (r) => (
              <>
                <a href={r.url}>{r.name}</a>
                <br />
                <span class="muted">{r.basicCode}</span>
              </>
            ),
          },
          { header: ctx.t('catalog.lists.type'), cell: (r) => ctx.t(`catalog.type.${r.type}`) },
          { header: ctx.t('catalog.lists.department'), cell: (r) => r.department },
          { header: ctx.t('catalog.col.level'), cell: (r) => ctx.t(`catalog.level.${r.level}`) },
          {
            header: ctx.t('catalog.guide.powerSource'),
            cell: (r) => ctx.t(`catalog.powerSource.${r.powerSource}`),
          },
          {
            header: ctx.t('catalog.lists.legalBasis'),
            cell: (r) => (
              <ul class="plain-list">
                {r.legalBasis.map((b) => (
                  <li>
                    {b.law}
                    {b.article}
                  </li>
                ))}
              </ul>
            ),
          },
          { header: ctx.t('catalog.lists.version'), cell: (r) => String(r.version), numeric: true },
        ]}
      />
      <Pagination ctx={ctx} page={p.page} pageSize={p.pageSize} total={p.total} baseQuery={p.query} />
    </div>
  );
}

export function DutyListPage(
  p: PowerFilters & {
    total: number;
    asOf: string | null;
    items: DutyEntry[];
    page: number;
    pageSize: number;
  },
) {
  const { ctx } = p;
  return (
    <div>
      <PageHeading caption={ctx.t('catalog.lists.caption')}>
        {ctx.t('catalog.lists.duties.title')}
      </PageHeading>
      <ListTabs ctx={ctx} current="duties" />
      <p>{ctx.t('catalog.lists.duties.about')}</p>
      <PowerFilterForm {...p} />
      {asOfLine(ctx, p.asOf)}
      <p role="status">{ctx.t('catalog.lists.count', { n: p.total })}</p>
      <Exports ctx={ctx} kind="duties" query={p.query} />
      {p.items.length === 0 ? <p>{ctx.t('catalog.lists.empty')}</p> : null}
      {p.items.map((e) => (
        <section class="duty-item">
          <h2>
            <a href={e.url}>{e.name}</a>
          </h2>
          <p class="muted">
            {e.department} · {ctx.t(`catalog.type.${e.type}`)} · {e.basicCode} ·{' '}
            {ctx.t('catalog.lists.versionN', { n: e.version })}
          </p>
          <Table
            caption={ctx.t('catalog.lists.duties.of', { name: e.name })}
            rows={e.duties}
            empty={ctx.t('catalog.lists.duties.none')}
            columns={[
              { header: ctx.t('catalog.lists.duty'), cell: (d) => d.content },
              { header: ctx.t('catalog.lists.dutyBasis'), cell: (d) => d.basis ?? '—' },
              { header: ctx.t('catalog.lists.accountability'), cell: (d) => d.accountability ?? '—' },
            ]}
          />
          <p>
            {ctx.t('catalog.lists.supervision', {
              complaint: e.supervision.complaint.map((c) => c.value).join('、'),
              reconsideration: e.supervision.reconsideration,
              litigation: e.supervision.litigation,
            })}
          </p>
        </section>
      ))}
      <Pagination ctx={ctx} page={p.page} pageSize={p.pageSize} total={p.total} baseQuery={p.query} />
    </div>
  );
}

export function NegativeListPage({
  ctx,
  view,
  query,
}: {
  ctx: ViewContext;
  view: NegativeListView;
  query: Record<string, string>;
}) {
  const opt = (value: string, label: string) => ({ value, label });
  const e = view.edition;
  return (
    <div>
      <PageHeading caption={ctx.t('catalog.lists.caption')}>
        {ctx.t('catalog.lists.negative.title')}
      </PageHeading>
      <ListTabs ctx={ctx} current="negative" />
      <p>{ctx.t('catalog.lists.negative.about')}</p>
      <form
        method="get"
        action="/lists/negative"
        class="filter-form"
        aria-label={ctx.t('catalog.lists.filter')}
      >
        <SelectField
          name="edition"
          label={ctx.t('catalog.lists.edition')}
          value={e?.edition ?? ''}
          options={view.editions.map((x) => opt(x.edition, x.title))}
        />
        <SelectField
          name="category"
          label={ctx.t('catalog.lists.category')}
          value={query.category ?? ''}
          options={[
            opt('', ctx.t('catalog.filter.all')),
            opt('prohibited', ctx.t('catalog.lists.prohibited')),
            opt('permitted', ctx.t('catalog.lists.permitted')),
          ]}
        />
        <TextField
          name="q"
          label={ctx.t('catalog.lists.q')}
          value={query.q ?? ''}
          type="search"
          width="medium"
        />
        <Button variant="secondary">{ctx.t('catalog.filter.apply')}</Button>
      </form>
      {e ? (
        <p>
          {ctx.t('catalog.lists.negative.edition', {
            title: e.title,
            date: e.publishedOn,
            prohibited: view.counts.prohibited,
            permitted: view.counts.permitted,
          })}
        </p>
      ) : null}
      {view.changes ? (
        <p>
          {ctx.t('catalog.lists.negative.changes', {
            previous: view.changes.previous,
            added: view.changes.added.join('、') || '—',
            removed: view.changes.removed.join('、') || '—',
          })}
        </p>
      ) : null}
      <p role="status">{ctx.t('catalog.lists.measures', { n: view.total })}</p>
      <Exports ctx={ctx} kind="negative" query={{ ...query, ...(e ? { edition: e.edition } : {}) }} />
      <Table
        caption={e?.title ?? ctx.t('catalog.lists.negative.title')}
        rows={view.measures}
        empty={ctx.t('catalog.lists.empty')}
        columns={[
          { header: ctx.t('catalog.lists.code'), cell: (m) => m.code },
          {
            header: ctx.t('catalog.lists.category'),
            cell: (m) => (
              <Tag colour={m.category === 'prohibited' ? 'red' : 'blue'}>
                {ctx.t(`catalog.lists.${m.category}`)}
              </Tag>
            ),
          },
          { header: ctx.t('catalog.lists.measure'), cell: (m) => m.measure },
          { header: ctx.t('catalog.lists.dutyBasis'), cell: (m) => m.basis ?? '—' },
          {
            header: ctx.t('catalog.lists.grantedBy'),
            cell: (m) =>
              m.items.length ? (
                <ul class="plain-list">
                  {m.items.map((i) => (
                    <li>
                      <a href={i.url}>{i.name ?? i.basicCode}</a>{' '}
                      <span class="muted">{ctx.t('catalog.lists.bodies', { n: i.implementations })}</span>
                    </li>
                  ))}
                </ul>
              ) : (
                '—'
              ),
          },
        ]}
      />
    </div>
  );
}

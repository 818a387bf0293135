import {
  Button,
  PageHeading,
  Pagination,
  SelectField,
  Tag,
  TextField,
  type ViewContext,
} from '../../platform/views/index.js';
import type { SearchKind, SearchResult, TextSegment } from './search.types.js';

/** Highlighted text: hit segments inside <mark>, all of it escaped by JSX like any text. */
export function Highlighted({ segments }: { segments: readonly TextSegment[] }) {
  return <>{segments.map((s) => (s.hit ? <mark>{s.text}</mark> : s.text))}</>;
}

export interface SearchPageModel {
  q: string;
  kind: SearchKind | undefined;
  filters: {
    region?: string | undefined;
    department?: string | undefined;
    type?: string | undefined;
    theme?: string | undefined;
    depth?: number | undefined;
  };
  result: SearchResult | undefined;
  facets: { departments: string[]; types: string[]; themes: string[] };
  themeLabel: (code: string) => string;
  suggestions: string[];
  /** a message for a refused query (empty, too long) */
  problem: string | undefined;
}

const TABS: ReadonlyArray<SearchKind | undefined> = [undefined, 'item', 'information', 'convenience'];
const KIND_TAG = { item: 'blue', information: 'grey', convenience: 'green' } as const;

function query(m: SearchPageModel, over: Record<string, string | undefined>): string {
  const p: Record<string, string> = {};
  const base: Record<string, string | undefined> = {
    q: m.q,
    kind: m.kind,
    region: m.filters.region,
    department: m.filters.department,
    type: m.filters.type,
    theme: m.filters.theme,
    depth: m.filters.depth ? String(m.filters.depth) : undefined,
    ...over,
  };
  for (const [k, v] of Object.entries(base)) if (v) p[k] = v;
  return new URLSearchParams(p).toString();
}

export function SearchPage({ ctx, m }: { ctx: ViewContext; m: SearchPageModel }) {
  const { t } = ctx;
  const r = m.result;
  const any = { value: '', label: t('search.filter.any') };
  return (
    <>
      <PageHeading>{t('search.heading')}</PageHeading>
      <search>
        <form method="get" action="/search" class="search-form">
          {m.kind ? <input type="hidden" name="kind" value={m.kind} /> : null}
          <TextField
            name="q"
            type="search"
            label={t('search.label')}
            hint={t('search.hint')}
            value={m.q}
            maxLength={100}
            error={m.problem}
          />
          <Button>{t('search.submit')}</Button>
        </form>
      </search>

      {m.q && !m.problem ? (
        <nav class="tabs" aria-label={t('search.kinds')}>
          <ul class="tab-list">
            {TABS.map((k) => {
              const label = t(`search.kind.${k ?? 'all'}`);
              const n = r
                ? k
                  ? r.kindCounts[k]
                  : r.kindCounts.item + r.kindCounts.information + r.kindCounts.convenience
                : 0;
              return (
                <li>
                  <a
                    href={`/search?${query(m, { kind: k, page: undefined })}`}
                    aria-current={m.kind === k ? 'page' : undefined}
                  >
                    {label} ({n})
                  </a>
                </li>
              );
            })}
          </ul>
        </nav>
      ) : null}

      {m.q && !m.problem && (m.kind === 'item' || m.kind === undefined) ? (
        <details
          class="filters"
          open={Boolean(
            m.filters.department || m.filters.type || m.filters.theme || m.filters.depth || m.filters.region,
          )}
        >
          <summary>{t('search.filters')}</summary>
          <form method="get" action="/search">
            <input type="hidden" name="q" value={m.q} />
            <input type="hidden" name="kind" value="item" />
            <SelectField
              name="department"
              label={t('search.filter.department')}
              value={m.filters.department ?? ''}
              options={[any, ...m.facets.departments.map((d) => ({ value: d, label: d }))]}
            />
            <SelectField
              name="type"
              label={t('search.filter.type')}
              value={m.filters.type ?? ''}
              options={[any, ...m.facets.types.map((x) => ({ value: x, label: t(`search.type.${x}`) }))]}
            />
            <SelectField
              name="theme"
              label={t('search.filter.theme')}
              value={m.filters.theme ?? ''}
              options={[any, ...m.facets.themes.map((x) => ({ value: x, label: m.themeLabel(x) }))]}
            />
            <SelectField
              name="depth"
              label={t('search.filter.depth')}
              value={m.filters.depth ? String(m.filters.depth) : ''}
              options={[
                any,
                ...[1, 2, 3, 4].map((d) => ({ value: String(d), label: t(`search.depth.${d}`) })),
              ]}
            />
            <TextField
              name="region"
              label={t('search.filter.region')}
              value={m.filters.region ?? ''}
              width="short"
              inputmode="numeric"
              maxLength={12}
            />
            <Button variant="secondary">{t('search.filter.apply')}</Button>
          </form>
        </details>
      ) : null}

      {r ? (
        r.total === 0 ? (
          <div class="search-none" role="status">
            <h2>{t('search.none.title', { q: m.q })}</h2>
            {m.suggestions.length > 0 ? (
              <>
                <p>{t('search.none.tryWords')}</p>
                <ul>
                  {m.suggestions.map((s) => (
                    <li>
                      <a href={`/search?${new URLSearchParams({ q: s }).toString()}`}>{s}</a>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            <p>{t('search.none.fewer')}</p>
            <p>{t('search.none.hotline')}</p>
          </div>
        ) : (
          <section aria-labelledby="search-results-heading">
            <h2 id="search-results-heading" class="visually-hidden">
              {t('search.results')}
            </h2>
            <p role="status">{t('search.count', { total: r.total })}</p>
            <ol class="search-results">
              {r.hits.map((h) => (
                <li class="search-hit">
                  <h3>
                    <a href={h.url}>
                      <Highlighted segments={h.titleSegments} />
                    </a>
                  </h3>
                  <p>
                    <Tag colour={KIND_TAG[h.kind]}>{t(`search.kind.${h.kind}`)}</Tag> {h.department ?? ''}
                  </p>
                  <p class="snippet">
                    <Highlighted segments={h.snippetSegments} />
                  </p>
                </li>
              ))}
            </ol>
            <Pagination
              ctx={ctx}
              page={r.page}
              pageSize={r.pageSize}
              total={Math.min(r.total, r.pageSize * 50)}
              baseQuery={Object.fromEntries(new URLSearchParams(query(m, {})))}
            />
          </section>
        )
      ) : null}
    </>
  );
}

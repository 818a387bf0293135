import { Button, type ViewContext, PageHeading, Table, fieldId } from '../../platform/views/index.js';
import type { Hall, OpeningPeriod, Region } from './regions.types.js';

/** The levels of the region switcher, as query parameters of the home page. */
export const SWITCHER_LEVELS = ['city', 'county', 'township', 'village'] as const;
export type SwitcherLevel = (typeof SWITCHER_LEVELS)[number];

export interface HomeView {
  /** the chosen code per level, consistent with each other (a stale lower level is dropped) */
  selected: Partial<Record<SwitcherLevel, string>>;
  /** the options per level: the city's counties, the chosen county's townships … */
  options: Partial<Record<SwitcherLevel, readonly Region[]>>;
  /** the deepest chosen region and its path, province first (none before the city is seeded) */
  region?: Region;
  path: readonly Region[];
  halls: readonly Hall[];
  /** links to pages that exist in this build */
  links: ReadonlyArray<{ href: string; labelKey: string }>;
}

/** Proper names and addresses are Chinese data: marked so on an English page, for screen readers. */
function Zh({ ctx, children }: { ctx: ViewContext; children: string }) {
  return ctx.lang === 'zh-CN' ? children : <span lang="zh-CN">{children}</span>;
}

/** Opening hours, periods of the same days together: 周一至周五 08:30–12:00、14:00–17:30. */
export function formatHours(ctx: ViewContext, hours: readonly OpeningPeriod[]): string {
  const byDays = new Map<string, string[]>();
  for (const h of hours) byDays.set(h.days, [...(byDays.get(h.days) ?? []), `${h.from}–${h.to}`]);
  const sep = ctx.t('regions.hours.periodSeparator');
  return [...byDays]
    .map(([days, ranges]) => ctx.t(`regions.hours.${days}`, { times: ranges.join(sep) }))
    .join('; ');
}

function Switcher({ ctx, view }: { ctx: ViewContext; view: HomeView }) {
  const { t } = ctx;
  return (
    <section class="region-switcher" aria-labelledby="region-switcher-heading">
      <h2 id="region-switcher-heading">{t('regions.switcher.heading')}</h2>
      <form method="get" action="/" class="region-form">
        <p class="field-hint" id="region-switcher-hint">
          {t('regions.switcher.hint')}
        </p>
        {SWITCHER_LEVELS.map((level) => {
          const options = view.options[level];
          if (!options || options.length === 0) return null;
          const id = fieldId(`region-${level}`);
          return (
            <div class="field">
              <label for={id} class="field-label">
                {t(`regions.switcher.${level}`)}
              </label>
              <select
                id={id}
                name={level}
                class="select"
                data-autosubmit=""
                aria-describedby="region-switcher-hint"
              >
                {level === 'city' ? null : <option value="">{t('regions.switcher.all')}</option>}
                {options.map((o) => (
                  <option
                    value={o.code}
                    selected={view.selected[level] === o.code}
                    lang={ctx.lang === 'zh-CN' ? undefined : 'zh-CN'}
                  >
                    {o.name}
                  </option>
                ))}
              </select>
            </div>
          );
        })}
        <Button variant="secondary">{t('regions.switcher.submit')}</Button>
      </form>
      <p class="region-current">
        {t('regions.switcher.current')}
        <Zh ctx={ctx}>
          {view.path
            .filter((r) => r.level !== 'province')
            .map((r) => r.name)
            .join(' › ')}
        </Zh>
      </p>
    </section>
  );
}

export function HomePage({ ctx, view }: { ctx: ViewContext; view: HomeView }) {
  const { t } = ctx;
  return (
    <div class="home">
      <PageHeading>{t('regions.home.heading')}</PageHeading>
      <p class="lead">{t('regions.home.lead')}</p>

      <search class="home-search" aria-labelledby="home-search-heading">
        <h2 id="home-search-heading">{t('regions.search.heading')}</h2>
        <form method="get" action="/search" class="search-form">
          <div class="field">
            <label for="home-q" class="field-label">
              {t('regions.search.label')}
            </label>
            <div id="home-q-hint" class="field-hint">
              {t('regions.search.hint')}
            </div>
            <input
              id="home-q"
              name="q"
              type="search"
              class="input input-full"
              aria-describedby="home-q-hint"
              maxLength={100}
            />
          </div>
          <Button>{t('regions.search.submit')}</Button>
        </form>
      </search>

      {view.region ? <Switcher ctx={ctx} view={view} /> : null}

      {view.region ? (
        <section class="home-halls" aria-labelledby="home-halls-heading">
          <h2 id="home-halls-heading">{t('regions.halls.heading')}</h2>
          <Table<Hall>
            caption={t('regions.halls.caption', { region: view.region.name, n: view.halls.length })}
            rows={view.halls}
            empty={t('regions.halls.empty')}
            columns={[
              { header: t('regions.halls.name'), cell: (h) => <Zh ctx={ctx}>{h.name}</Zh> },
              { header: t('regions.halls.kind'), cell: (h) => t(`regions.hallKind.${h.kind}`) },
              { header: t('regions.halls.address'), cell: (h) => <Zh ctx={ctx}>{h.address}</Zh> },
              { header: t('regions.halls.hours'), cell: (h) => formatHours(ctx, h.hours) },
              {
                header: t('regions.halls.phone'),
                cell: (h) => <a href={`tel:${h.phone.replace(/[^\d+]/g, '')}`}>{h.phone}</a>,
              },
              { header: t('regions.halls.windows'), cell: (h) => h.windows, numeric: true },
            ]}
          />
          {view.halls.some((h) => h.demo) ? <p class="field-hint">{t('regions.halls.demoNote')}</p> : null}
        </section>
      ) : null}

      {view.links.length > 0 ? (
        <nav class="home-links" aria-labelledby="home-links-heading">
          <h2 id="home-links-heading">{t('regions.links.heading')}</h2>
          <ul>
            {view.links.map((l) => (
              <li>
                <a href={l.href}>{t(l.labelKey)}</a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
    </div>
  );
}

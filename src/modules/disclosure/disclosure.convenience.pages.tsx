import {
  Button,
  PageHeading,
  Pagination,
  SelectField,
  Table,
  TextField,
  type ViewContext,
} from '../../platform/views/index.js';
import type { ConvenienceBrowse } from './disclosure.convenience.js';
import { CONVENIENCE_CLASSES, CONVENIENCE_CLASSES_EN, type ConvenienceClass } from './disclosure.types.js';

/** The class's name in the page's language (stored in Chinese). */
export const classLabel = (ctx: ViewContext, c: ConvenienceClass): string =>
  ctx.lang === 'en' ? CONVENIENCE_CLASSES_EN[c] : c;

/**
 * /convenience: a GET form (class, area, where to measure from: a division or a point) and the
 * entries nearest first; the class list with counts; works without script.
 */
export function ConvenienceBrowsePage(p: {
  ctx: ViewContext;
  query: Record<string, string>;
  r: ConvenienceBrowse;
  page: number;
  pageSize: number;
  counts: Map<string, number>;
  regions: Array<{ code: string; name: string }>;
  choices: Array<{ code: string; name: string }>;
}) {
  const { ctx, query, r } = p;
  const t = ctx.t;
  const opt = (value: string, label: string) => ({ value, label });
  const classHref = (c: string) =>
    `/convenience?${new URLSearchParams({ ...query, class: c, page: '1' }).toString()}`;
  const nearName = p.choices.find((c) => c.code === r.origin?.region)?.name ?? r.origin?.region ?? '';
  return (
    <div>
      <PageHeading caption={t('disclosure.nav')}>{t('disclosure.convenience.browse')}</PageHeading>
      <p>{t('disclosure.convenience.intro')}</p>
      <form
        method="get"
        action="/convenience"
        class="filter-form"
        aria-label={t('disclosure.convenience.filter')}
      >
        <SelectField
          name="class"
          label={t('disclosure.convenience.class')}
          value={query.class ?? ''}
          options={[
            opt('', t('disclosure.filter.all')),
            ...CONVENIENCE_CLASSES.map((c) => opt(c, classLabel(ctx, c))),
          ]}
        />
        <SelectField
          name="region"
          label={t('disclosure.convenience.region')}
          value={query.region ?? ''}
          options={[opt('', t('disclosure.filter.all')), ...p.regions.map((d) => opt(d.code, d.name))]}
        />
        <SelectField
          name="near"
          label={t('disclosure.convenience.near')}
          value={query.near ?? ''}
          options={[opt('', t('disclosure.convenience.none')), ...p.choices.map((d) => opt(d.code, d.name))]}
        />
        <fieldset class="fieldset">
          <legend>{t('disclosure.convenience.coords')}</legend>
          <TextField
            name="lat"
            label={t('disclosure.convenience.lat')}
            value={query.lat ?? ''}
            inputmode="text"
            width="medium"
          />
          <TextField
            name="lng"
            label={t('disclosure.convenience.lng')}
            value={query.lng ?? ''}
            inputmode="text"
            width="medium"
          />
        </fieldset>
        <Button variant="secondary">{t('disclosure.filter.apply')}</Button>
      </form>

      <nav aria-label={t('disclosure.convenience.classes')}>
        <h2>{t('disclosure.convenience.classes')}</h2>
        <ul class="tab-list">
          {CONVENIENCE_CLASSES.map((c) => (
            <li>
              <a href={classHref(c)} aria-current={query.class === c ? 'page' : undefined}>
                {classLabel(ctx, c)} ({p.counts.get(c) ?? 0})
              </a>
            </li>
          ))}
        </ul>
      </nav>

      <p>
        {r.origin
          ? r.origin.region
            ? t('disclosure.convenience.fromRegion', { region: nearName })
            : t('disclosure.convenience.fromPoint', { lat: r.origin.lat, lng: r.origin.lng })
          : t('disclosure.convenience.byName')}
      </p>
      <p role="status">{t('disclosure.convenience.count', { n: r.total })}</p>
      <Table
        caption={t('disclosure.convenience.browse')}
        rows={r.items}
        empty={t('disclosure.convenience.empty')}
        columns={[
          { header: t('disclosure.convenience.name'), cell: (c) => <a href={c.url}>{c.name}</a> },
          { header: t('disclosure.convenience.class'), cell: (c) => classLabel(ctx, c.class) },
          { header: t('disclosure.convenience.address'), cell: (c) => c.address },
          { header: t('disclosure.convenience.phone'), cell: (c) => c.phone || '—' },
          ...(r.origin
            ? [
                {
                  header: t('disclosure.convenience.distance'),
                  numeric: true,
                  cell: (c: (typeof r.items)[number]) =>
                    c.distanceKm === null ? '—' : t('disclosure.convenience.km', { km: c.distanceKm }),
                },
              ]
            : []),
        ]}
      />
      <Pagination ctx={ctx} page={p.page} pageSize={p.pageSize} total={r.total} baseQuery={query} />
    </div>
  );
}

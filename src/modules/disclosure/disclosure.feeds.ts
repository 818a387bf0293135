import type { Executor } from '../../platform/db/index.js';
import { countPublished, publishedForFeed, publishedIds } from './disclosure.publishing.store.js';

/**
 * Making the portal findable: Atom feeds (RFC 4287) of published information per domain and per
 * department, and a sitemap (sitemaps.org 0.9): an index of files of at most 50,000 URLs each.
 * Both are generated from the store on request; a feed holds the newest 50 entries.
 */

export const FEED_ENTRIES = 50;
/** sitemaps.org: at most 50,000 URLs (and 50 MB) per file */
export const SITEMAP_URLS = 50_000;

const xml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // characters XML 1.0 does not allow
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

const pubUrl = (base: string, id: string) => `${base}/disclosure/${encodeURIComponent(id)}`;

/** An Atom feed of the newest published information of a domain or a department. */
export async function atomFeed(
  db: Executor,
  base: string,
  q: { domain?: string | undefined; department?: string | undefined; title: string; selfPath: string },
): Promise<string> {
  const rows = await publishedForFeed(db, {
    domain: q.domain,
    department: q.department,
    limit: FEED_ENTRIES,
  });
  const updated = rows[0] ? `${rows[0].published_on}T00:00:00+08:00` : '2000-01-01T00:00:00+08:00';
  const out: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
    `<title>${xml(q.title)}</title>`,
    `<id>${xml(base + q.selfPath)}</id>`,
    `<link rel="self" type="application/atom+xml" href="${xml(base + q.selfPath)}"/>`,
    `<link rel="alternate" type="text/html" href="${xml(`${base}/disclosure`)}"/>`,
    `<updated>${updated}</updated>`,
  ];
  for (const r of rows) {
    const url = pubUrl(base, r.id);
    out.push(
      '<entry>',
      `<title>${xml(r.title)}</title>`,
      `<id>${xml(url)}</id>`,
      `<link rel="alternate" type="text/html" href="${xml(url)}"/>`,
      // dates are China dates: midnight in UTC+8
      `<updated>${r.published_on}T00:00:00+08:00</updated>`,
      `<author><name>${xml(r.department)}</name></author>`,
      `<category term="${xml(r.domain)}"/>`,
      `<summary>${xml(r.body.length > 200 ? `${r.body.slice(0, 200)}…` : r.body)}</summary>`,
      '</entry>',
    );
  }
  out.push('</feed>');
  return out.join('\n');
}

/** How many sitemap files the published items take. */
export async function sitemapFiles(db: Executor): Promise<number> {
  return Math.ceil((await countPublished(db)) / SITEMAP_URLS);
}

/** The sitemap index: the site's own pages and one file per 50,000 published items. */
export function sitemapIndex(base: string, files: number): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    `<sitemap><loc>${xml(`${base}/sitemaps/pages.xml`)}</loc></sitemap>`,
  ];
  for (let i = 1; i <= files; i++)
    out.push(`<sitemap><loc>${xml(`${base}/sitemaps/disclosure-${i}.xml`)}</loc></sitemap>`);
  out.push('</sitemapindex>');
  return out.join('\n');
}

const PAGES = ['/', '/disclosure', '/disclosure/register', '/search', '/items'];

export function sitemapOfPages(base: string, domains: readonly string[]): string {
  const urls = [
    ...PAGES.map((p) => base + p),
    ...domains.map((d) => `${base}/disclosure?domain=${encodeURIComponent(d)}`),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ...urls.map((u) => `<url><loc>${xml(u)}</loc></url>`),
    '</urlset>',
  ].join('\n');
}

/** File n (1-based) of the published items: walks the keyset to its first id, then one page. */
export async function sitemapFile(db: Executor, base: string, n: number): Promise<string | undefined> {
  let after = '';
  for (let i = 1; i < n; i++) {
    const skip = await publishedIds(db, after, SITEMAP_URLS);
    if (skip.length < SITEMAP_URLS) return undefined;
    after = skip[skip.length - 1]!.id;
  }
  const rows = await publishedIds(db, after, SITEMAP_URLS);
  if (rows.length === 0) return undefined;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
  ];
  for (const r of rows)
    out.push(`<url><loc>${xml(pubUrl(base, r.id))}</loc><lastmod>${r.published_on}</lastmod></url>`);
  out.push('</urlset>');
  return out.join('\n');
}

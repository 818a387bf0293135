import { z } from 'zod';
import { type DomainError, isDomainError } from '../../kernel/index.js';
import type { App } from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import { flatten } from './search.highlight.js';
import { SearchPage, type SearchPageModel } from './search.pages.js';
import { suggestions } from './search.segment.js';
import type { SearchService } from './search.service.js';
import {
  MAX_QUERY_CHARS,
  SEARCH_KINDS,
  SearchQuery,
  SearchResponse,
  type SearchKind,
} from './search.types.js';
import { REGION_CODE_RE } from '../../platform/codes/index.js';

export function searchRoutes(
  app: App,
  svc: SearchService,
  themeLabels: Record<string, { zh: string; en: string }>,
): void {
  app.get(
    '/api/v1/search',
    {
      config: { permission: 'public', limits: ['search'] },
      schema: {
        tags: ['search'],
        summary: 'Search service items, government information and convenience information',
        description: `q: 1–${MAX_QUERY_CHARS} characters (Chinese, colloquial or pinyin initials). kind: item | information | convenience (default all). Filters apply as given.`,
        querystring: SearchQuery,
        response: { 200: SearchResponse },
      },
    },
    async (req) => {
      const q = req.query as SearchQuery;
      const r = svc.search({
        q: q.q,
        kind: q.kind === 'all' ? undefined : q.kind,
        page: q.page,
        pageSize: q.pageSize,
        region: q.region,
        department: q.department,
        type: q.type,
        theme: q.theme,
        depth: q.depth,
      });
      return {
        total: r.total,
        hits: r.hits.map((h) => {
          const s = flatten(h.snippetSegments);
          return {
            kind: h.kind,
            id: h.id,
            title: h.title,
            snippet: s.text,
            url: h.url,
            highlights: s.highlights,
          };
        }),
      };
    },
  );

  const PageQuery = z.object({
    q: z.string().max(1000).optional(),
    kind: z.string().max(20).optional(),
    page: z.string().max(4).optional(),
    region: z.string().max(20).optional(),
    department: z.string().max(100).optional(),
    type: z.string().max(20).optional(),
    theme: z.string().max(50).optional(),
    depth: z.string().max(2).optional(),
  });

  app.get(
    '/search',
    { config: { permission: 'public', limits: ['search'] }, schema: { hide: true, querystring: PageQuery } },
    async (req, reply) => {
      const raw = req.query as z.infer<typeof PageQuery>;
      const ctx = req.view(reply);
      const q = (raw.q ?? '').trim();
      const kind = (SEARCH_KINDS as readonly string[]).includes(raw.kind ?? '')
        ? (raw.kind as SearchKind)
        : undefined;
      const depth = raw.depth && /^[1-4]$/.test(raw.depth) ? Number(raw.depth) : undefined;
      const region = raw.region && REGION_CODE_RE.test(raw.region) ? raw.region : undefined;
      const page = raw.page && /^\d{1,2}$/.test(raw.page) ? Math.min(50, Math.max(1, Number(raw.page))) : 1;
      const filters = {
        region,
        department: raw.department || undefined,
        type: raw.type || undefined,
        theme: raw.theme || undefined,
        depth,
      };
      const m: SearchPageModel = {
        q,
        kind,
        filters,
        result: undefined,
        facets: svc.current.itemFacets(),
        themeLabel: (code) => themeLabels[code]?.[ctx.lang === 'en' ? 'en' : 'zh'] ?? code,
        suggestions: [],
        problem: undefined,
      };
      if (q) {
        try {
          m.result = svc.search({ q, kind, page, pageSize: 10, ...filters });
          if (m.result.total === 0) m.suggestions = suggestions(q);
        } catch (e) {
          if (!isDomainError(e) || e.status !== 400) throw e;
          m.problem = (e as DomainError).messageIn(ctx.lang);
        }
      }
      const title = q ? `${q} - ${ctx.t('search.title')}` : ctx.t('search.title');
      return sendHtml(reply, renderPage(ctx, title, <SearchPage ctx={ctx} m={m} />), m.problem ? 400 : 200);
    },
  );
}

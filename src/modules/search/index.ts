import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import { searchMessages } from './search.messages.js';
import { searchRoutes } from './search.routes.js';
import { segmenter } from './search.segment.js';
import { type SearchService, createSearchService } from './search.service.js';
import type { SearchSource } from './search.types.js';
import './search.errors.js';

export type {
  SearchDoc,
  SearchKind,
  SearchRequest,
  SearchResult,
  SearchSource,
  SourceAction,
} from './search.types.js';
export { IndexBuilder, SearchIndex } from './search.index.js';
export type { SearchService, SearchStatus } from './search.service.js';
export { catalogSource, catalogThemeLabels, disclosureSource, memorySource } from './search.sources.js';

/**
 * One Chinese full-text index over service items, government information and convenience
 * information, in memory on every node: rebuilt from the sources at start (warmUp), kept fresh by
 * polling the event stream from an in-memory position, rebuilt beside the serving index and
 * swapped in on bulk imports.
 */
export function createSearchModule(
  deps: PlatformDeps,
  opts: {
    sources: readonly SearchSource[];
    pollMs?: number;
    themeLabels?: Record<string, { zh: string; en: string }>;
  },
) {
  const svc = createSearchService({
    store: deps.store,
    sources: opts.sources,
    log: deps.log,
    ...(deps.wakeups ? { wakeups: deps.wakeups } : {}),
  });
  const definition: ModuleDefinition & { readonly searchService: SearchService } = {
    searchService: svc,
    name: 'search',
    messages: searchMessages,
    routes: (app) => searchRoutes(app, svc, opts.themeLabels ?? {}),
    async warmUp() {
      await svc.rebuild();
      // load jieba's dictionary now, not on the first visitor's query (≈ 0.5 s) — after the build:
      // the build worker's jieba frees its memory when the worker ends, but its allocator keeps
      // the pages for the process; loaded after, this thread's dictionary reuses them (≈ 30 MB
      // of RSS less than loading it before)
      segmenter();
      svc.start(opts.pollMs ?? deps.pollMs ?? 500);
    },
    close: () => svc.stop(),
  };
  return { definition, api: svc };
}

/** The search service behind a module definition (tests and operator tools reach it through the app's module list). */
export function searchServiceOf(modules: readonly ModuleDefinition[]): SearchService | undefined {
  const m = modules.find((x) => x.name === 'search') as
    | (ModuleDefinition & { searchService?: SearchService })
    | undefined;
  return m?.searchService;
}

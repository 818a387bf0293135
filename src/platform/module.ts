import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Migration } from 'kysely';
import type { Config } from '../config/index.js';
import type { Clock } from '../kernel/index.js';
import type { Store } from './db/index.js';
import type { Site } from './demo.js';
import type { Consumer, EventBus, Wakeups } from './events/index.js';
import type { App, Principal } from './http/index.js';
import type { Messages } from './i18n/index.js';
import type { Logger } from './log.js';

/**
 * What every module gets from the app, and what it gives back. app.ts builds each module in
 * dependency order, passing the platform services and the public faces (index.ts) of the
 * modules it may use.
 */
export interface PlatformDeps {
  readonly config: Config;
  readonly store: Store;
  readonly clock: Clock;
  readonly events: EventBus;
  readonly log: Logger;
  /** rows committed on any node, at once (NOTIFY on PostgreSQL; in process on SQLite): the pollers' wake-up */
  readonly wakeups?: Wakeups;
  /** how often each node polls the store for what other nodes wrote (the fallback of the wake-ups) */
  readonly pollMs?: number;
}

export interface ModuleDefinition {
  /** folder name under src/modules */
  readonly name: string;
  /** keyed `<module>.<nnnn>_<what>`, run in name order */
  readonly migrations?: Record<string, Migration>;
  /** message catalogs; keys are prefixed with the module name (`regions.hall.title`) */
  readonly messages?: { readonly 'zh-CN': Messages; readonly en: Messages };
  /** consumers of the event stream, started with the app */
  readonly consumers?: readonly Consumer[];
  /** registers JSON routes (under /api/v1) and pages; `site` says what this start serves (demo, development aids) */
  readonly routes?: (app: App, site: Site) => Promise<void> | void;
  /** seeds the demo city (only called when the store is being seeded) */
  readonly seedDemo?: () => Promise<void>;
  /**
   * `tongban seed --scale zhengzhou [--cases N]`: adds generated city-scale data. Long work reports
   * through `progress` (a bar on a terminal).
   */
  readonly seedScale?: (opts: {
    scale?: string | undefined;
    cases?: number | undefined;
    /** with scale: generated people and companies instead of the scale's (a smaller city, tests) */
    people?: number | undefined;
    companies?: number | undefined;
    progress: (label: string, total: number) => { tick(n?: number): void; done(): void };
  }) => Promise<void>;
  /** work after migrations and before listening (e.g. build an in-memory index) */
  readonly warmUp?: () => Promise<void>;
  /** released on shutdown */
  readonly close?: () => Promise<void>;
  /** resolves the caller (identity module): from a session cookie or a bearer token */
  readonly authenticate?: (req: FastifyRequest, reply: FastifyReply) => Promise<Principal | undefined>;
  /** navigation links this module offers to the signed-in (or anonymous) user */
  readonly nav?: (p: Principal | undefined) => ReadonlyArray<{ href: string; labelKey: string }>;
}

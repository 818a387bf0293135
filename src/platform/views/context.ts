import type { Lang, Translate } from '../i18n/index.js';

/** What every page needs to render its shell; built once per request by the app. */
export interface ViewContext {
  readonly lang: Lang;
  readonly t: Translate;
  /** the request path with its query, for the language switch and "back" links */
  readonly path: string;
  readonly csrfToken: string;
  readonly requestId: string;
  readonly demo: boolean;
  /** links the modules offer in the navigation, for this user or an anonymous visitor */
  readonly nav: ReadonlyArray<{ readonly href: string; readonly labelKey: string }>;
  readonly user?: {
    readonly displayName: string;
    readonly kind: string;
  };
}

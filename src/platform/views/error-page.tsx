import { renderPage } from './render.js';
import type { DomainError } from '../../kernel/index.js';
import type { ViewContext } from './context.js';

/** Where the refusal sends the person on, when it names a page of this site (`details.next`). */
function nextOf(error: DomainError): string | undefined {
  const next = (error.details as { next?: unknown } | undefined)?.next;
  return typeof next === 'string' && /^\/(?!\/)/.test(next) ? next : undefined;
}

export function ErrorPage({ ctx, error }: { ctx: ViewContext; error: DomainError }) {
  const title = error.status === 404 ? ctx.t('error.notFoundTitle') : ctx.t('error.pageTitle');
  const next = nextOf(error);
  return (
    <div class="error-page">
      <h1>{title}</h1>
      <p class="lead">{error.expose ? error.messageIn(ctx.lang) : ctx.t('error.pageTitle')}</p>
      <p class="muted">{ctx.t('error.code', { code: error.code })}</p>
      <p class="muted">{ctx.t('error.requestId', { id: ctx.requestId })}</p>
      {next ? (
        <p>
          <a href={next}>{ctx.t('error.next')}</a>
        </p>
      ) : null}
      <p>
        <a href="/">{ctx.t('error.home')}</a>
      </p>
    </div>
  );
}

/** The full HTML error page for a DomainError. */
export function renderErrorPage(ctx: ViewContext, error: DomainError): string {
  const title = error.status === 404 ? ctx.t('error.notFoundTitle') : ctx.t('error.pageTitle');
  return renderPage(ctx, title, <ErrorPage ctx={ctx} error={error} />);
}

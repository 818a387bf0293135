import type { ComponentChildren } from 'preact';
import type { ViewContext } from './context.js';

export interface LayoutProps {
  ctx: ViewContext;
  title: string;
  children: ComponentChildren;
  /** wide pages (workbench tables) use the full width */
  wide?: boolean;
}

function langSwitchHref(path: string, lang: string): string {
  const target = lang === 'en' ? 'zh-CN' : 'en';
  const u = new URL(path, 'http://x');
  u.searchParams.set('lang', target);
  return `${u.pathname}${u.search}`;
}

/** The page shell: skip link, header with navigation and language switch, main, footer. */
export function Layout({ ctx, title, children, wide }: LayoutProps) {
  const { t } = ctx;
  // header, main and footer share one box, so a wide page's content lines up with the brand and nav
  const box = wide ? 'container container-wide' : 'container';
  const nav: Array<{ href: string; labelKey: string }> = [
    { href: '/', labelKey: 'nav.home' },
    { href: '/search', labelKey: 'nav.search' },
    ...ctx.nav,
  ];
  return (
    <html lang={ctx.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} - ${t('app.fullName')}`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
        <script src="/assets/htmx.min.js" defer />
        <script src="/assets/app.js" defer />
      </head>
      <body>
        <a class="skip-link" href="#main">
          {t('app.skipToContent')}
        </a>
        {ctx.demo ? (
          <div class="demo-banner" role="note">
            {t('app.demoBanner')}
          </div>
        ) : null}
        <header class="site-header">
          <div class={`${box} header-row`}>
            <a class="brand" href="/">
              <span class="brand-mark" aria-hidden="true">
                通
              </span>
              <span class="brand-name">{t('app.fullName')}</span>
            </a>
            <div class="header-tools">
              <a
                class="lang-switch"
                href={langSwitchHref(ctx.path, ctx.lang)}
                hreflang={ctx.lang === 'en' ? 'zh-CN' : 'en'}
                lang={ctx.lang === 'en' ? 'zh-CN' : 'en'}
              >
                {t('lang.switch')}
              </a>
              {ctx.user ? (
                <form method="post" action="/logout" class="inline-form">
                  <input type="hidden" name="_csrf" value={ctx.csrfToken} />
                  <span class="user-name">{ctx.user.displayName}</span>{' '}
                  <button type="submit" class="link-button">
                    {t('nav.logout')}
                  </button>
                </form>
              ) : (
                <a href={`/login?next=${encodeURIComponent(ctx.path)}`}>{t('nav.login')}</a>
              )}
            </div>
          </div>
          <nav class="site-nav" aria-label={t('nav.main')}>
            <ul class={`${box} nav-list`}>
              {nav.map((n) => (
                <li>
                  <a href={n.href} aria-current={isCurrent(ctx.path, n.href) ? 'page' : undefined}>
                    {t(n.labelKey)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </header>
        <main id="main" class={box} tabIndex={-1}>
          {children}
        </main>
        <footer class="site-footer">
          <div class={`${box} footer-row`}>
            <p>{t('footer.sponsor')}</p>
            <p>{t('footer.help')}</p>
            <ul class="footer-links">
              <li>
                <a href="/log">{t('footer.transparency')}</a>
              </li>
              <li>
                <a href="/docs">{t('nav.api')}</a>
              </li>
              <li>
                <a href="/design">{t('nav.design')}</a>
              </li>
            </ul>
          </div>
        </footer>
      </body>
    </html>
  );
}

function isCurrent(path: string, href: string): boolean {
  const p = path.split('?')[0] ?? '';
  return href === '/' ? p === '/' : p === href || p.startsWith(`${href}/`);
}

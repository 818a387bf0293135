import type { ComponentChildren } from 'preact';
import { render } from 'preact-render-to-string';
import { CHINA_TIME_LABEL, chinaDateTime } from '../../kernel/index.js';
import type { ViewContext } from '../../platform/views/index.js';
import type { HallInfo } from './halls.ports.js';
import type { KioskRatable } from './halls.kiosk.js';
import type { Line, TicketView } from './halls.types.js';

/**
 * The kiosk's pages: their own shell (no site navigation), touch targets of at least 64 px, large
 * type and high contrast; 适老化 mode larger still, with a longer idle time. Signed in, the page
 * resets itself after the idle time — by kiosk.js on the last touch, and without scripts by a
 * meta refresh to /kiosk/reset.
 */
export interface KioskModel {
  readonly ctx: ViewContext;
  readonly hall: HallInfo;
  readonly care: boolean;
  readonly signedIn?: string | undefined;
}

export const idleSeconds = (care: boolean) => (care ? 120 : 60);

function Shell({ m, title, children }: { m: KioskModel; title: string; children: ComponentChildren }) {
  const { ctx, hall, care } = m;
  const q = `hall=${encodeURIComponent(hall.id)}`;
  return (
    <html lang={ctx.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} - ${hall.name}`}</title>
        {m.signedIn ? (
          // without scripts the page still resets itself; with them kiosk.js warns first and
          // lets a touch extend the time (WCAG 2.2.1)
          <noscript>
            <meta http-equiv="refresh" content={`${idleSeconds(care)};url=/kiosk/reset?${q}`} />
          </noscript>
        ) : null}
        <link rel="stylesheet" href="/halls/assets/halls.css" />
        <script src="/kiosk/kiosk.js" defer />
      </head>
      <body
        class={care ? 'kiosk kiosk-care' : 'kiosk'}
        data-hall={hall.id}
        data-idle={m.signedIn ? String(idleSeconds(care)) : ''}
        data-offline={ctx.t('halls.kiosk.offline')}
        data-warn={ctx.t('halls.kiosk.idleWarning')}
      >
        <header class="kiosk-header">
          <p class="kiosk-hall">{hall.name}</p>
          {ctx.demo ? <p class="kiosk-demo">{ctx.t('app.demoBanner')}</p> : null}
          <p id="kiosk-network" class="kiosk-network" role="status" aria-live="polite" />
        </header>
        <main id="main" class="kiosk-main">
          <h1>{title}</h1>
          {children}
        </main>
        <footer class="kiosk-footer">
          <a class="kiosk-button kiosk-secondary" href={`/kiosk?${q}&care=${care ? '0' : '1'}`}>
            {ctx.t(care ? 'halls.kiosk.careOff' : 'halls.kiosk.careOn')}
          </a>
          <a
            class="kiosk-button kiosk-secondary"
            href={`${ctx.path.split('?')[0]}?${q}&lang=${ctx.lang === 'en' ? 'zh-CN' : 'en'}`}
            lang={ctx.lang === 'en' ? 'zh-CN' : 'en'}
          >
            {ctx.t('lang.switch')}
          </a>
          {m.signedIn ? (
            <form method="post" action={`/kiosk/signout?${q}`}>
              <input type="hidden" name="_csrf" value={ctx.csrfToken} />
              <button type="submit" class="kiosk-button kiosk-secondary" id="kiosk-signout">
                {ctx.t('halls.kiosk.signOut')}
              </button>
            </form>
          ) : null}
        </footer>
      </body>
    </html>
  );
}

const page = (m: KioskModel, title: string, body: ComponentChildren) =>
  `<!doctype html>${render(
    <Shell m={m} title={title}>
      {body}
    </Shell>,
  )}`;

export function kioskWelcome(m: KioskModel, error?: string): string {
  const { t, csrfToken } = m.ctx;
  const q = `hall=${encodeURIComponent(m.hall.id)}`;
  return page(
    m,
    t('halls.kiosk.welcome'),
    <>
      {error ? (
        <p class="kiosk-error" role="alert">
          {error}
        </p>
      ) : null}
      <form method="post" action={`/kiosk/card?${q}`}>
        <input type="hidden" name="_csrf" value={csrfToken} />
        <button type="submit" class="kiosk-button kiosk-primary" id="kiosk-card">
          {t('halls.kiosk.readCard')}
        </button>
      </form>
      <p class="kiosk-hint">{t('halls.kiosk.readCardHint')}</p>
      <a class="kiosk-button kiosk-secondary" href={`/kiosk/guide?${q}`}>
        {t('halls.kiosk.guide')}
      </a>
    </>,
  );
}

export function kioskMenu(m: KioskModel): string {
  const { t, csrfToken } = m.ctx;
  const q = `hall=${encodeURIComponent(m.hall.id)}`;
  return page(
    m,
    t('halls.kiosk.menu', { name: m.signedIn ?? '' }),
    <>
      <h2>{t('halls.kiosk.take')}</h2>
      <form method="post" action={`/kiosk/ticket?${q}`} class="kiosk-grid">
        <input type="hidden" name="_csrf" value={csrfToken} />
        {(['A', 'B', 'C'] as const).map((l) => (
          <button
            type="submit"
            name="line"
            value={l}
            class="kiosk-button kiosk-primary"
            id={`kiosk-line-${l}`}
          >
            {l} {t(`halls.line.${l}`)}
          </button>
        ))}
      </form>
      <h2>{t('halls.kiosk.apply')}</h2>
      <form method="get" action="/search" class="kiosk-search">
        <label for="kiosk-q">{t('halls.kiosk.findItem')}</label>
        <input id="kiosk-q" name="q" class="kiosk-input" maxLength={40} />
        <button type="submit" class="kiosk-button kiosk-secondary">
          {t('halls.kiosk.find')}
        </button>
      </form>
      <p class="kiosk-hint">{t('halls.kiosk.applyHint')}</p>
      <h2>{t('halls.kiosk.rateHeading')}</h2>
      <a class="kiosk-button kiosk-secondary" id="kiosk-rate" href={`/kiosk/rate?${q}`}>
        {t('halls.kiosk.rateMine')}
      </a>
    </>,
  );
}

/**
 * 好差评 at the kiosk (channel `kiosk`): the signed-in person's cases with a stage to rate, or the
 * form for one of them — five large level buttons as radios, the indicators that fit the case, an
 * optional text; posted as a plain form (no script needed).
 */
export function kioskRate(
  m: KioskModel,
  v: {
    cases: readonly KioskRatable[];
    chosen?: KioskRatable | undefined;
    error?: string | undefined;
    done?: boolean;
  },
): string {
  const { t, csrfToken } = m.ctx;
  const q = `hall=${encodeURIComponent(m.hall.id)}`;
  const c = v.chosen;
  return page(
    m,
    t('halls.kiosk.rateHeading'),
    <>
      {v.done ? (
        <p class="kiosk-ok" role="status" id="kiosk-rated">
          {t('ratings.rate.thanks')}
        </p>
      ) : null}
      {v.error ? (
        <p class="kiosk-error" role="alert">
          {v.error}
        </p>
      ) : null}
      {c ? (
        <form method="post" action={`/kiosk/rate?${q}`} id="kiosk-rate-form">
          <input type="hidden" name="_csrf" value={csrfToken} />
          <input type="hidden" name="case" value={c.caseNumber} />
          <p>
            {c.itemName} · {c.caseNumber}
          </p>
          <fieldset class="kiosk-fieldset">
            <legend>{t('ratings.field.stage')}</legend>
            {c.stages.map((st, i) => (
              <label class="kiosk-choice">
                <input type="radio" name="stage" value={st} checked={i === 0} required />{' '}
                {t(`ratings.stage.${st}`)}
              </label>
            ))}
          </fieldset>
          <fieldset class="kiosk-fieldset">
            <legend>{t('ratings.field.level')}</legend>
            {[5, 4, 3, 2, 1].map((l) => (
              <label class="kiosk-choice">
                <input type="radio" name="level" value={String(l)} required /> {t(`ratings.level.${l}`)}
              </label>
            ))}
          </fieldset>
          <fieldset class="kiosk-fieldset">
            <legend>{t('ratings.field.indicators')}</legend>
            {c.indicators.map((ind) => (
              <label class="kiosk-choice">
                <input type="checkbox" name="indicators" value={ind} /> {t(`ratings.indicator.${ind}`)}
              </label>
            ))}
          </fieldset>
          <label for="kiosk-rate-text">{t('ratings.field.text')}</label>
          <textarea id="kiosk-rate-text" name="text" class="kiosk-input" maxLength={500} rows={3} />
          <button type="submit" class="kiosk-button kiosk-primary" id="kiosk-rate-submit">
            {t('halls.kiosk.rateSubmit')}
          </button>
        </form>
      ) : v.cases.length === 0 ? (
        <p class="kiosk-hint" id="kiosk-rate-none">
          {t('halls.kiosk.rateNone')}
        </p>
      ) : (
        <ul class="kiosk-list">
          {v.cases.map((x) => (
            <li>
              <a
                class="kiosk-button kiosk-secondary"
                href={`/kiosk/rate?${q}&case=${encodeURIComponent(x.caseNumber)}`}
              >
                {x.itemName} · {x.stages.map((st) => t(`ratings.stage.${st}`)).join('、')}
              </a>
            </li>
          ))}
        </ul>
      )}
      <a class="kiosk-button kiosk-secondary" href={`/kiosk?${q}`}>
        {t('halls.kiosk.backToMenu')}
      </a>
    </>,
  );
}

export function kioskReceipt(m: KioskModel, v: TicketView, printed: boolean): string {
  const { t, csrfToken } = m.ctx;
  const q = `hall=${encodeURIComponent(m.hall.id)}`;
  return page(
    m,
    t('halls.ticket.title', { ticket: v.ticket }),
    <>
      <p class="kiosk-ticket" id="kiosk-ticket">
        {v.ticket}
      </p>
      <dl class="kiosk-facts">
        <dt>{t('halls.ticket.line')}</dt>
        <dd>
          {v.line} {t(`halls.line.${v.line as Line}`)}
        </dd>
        <dt>{t('halls.ticket.position')}</dt>
        <dd>{t('halls.ticket.positionValue', { n: v.position })}</dd>
        <dt>{t('halls.ticket.takenAt', { zone: CHINA_TIME_LABEL })}</dt>
        <dd>{chinaDateTime(v.takenAt)}</dd>
      </dl>
      {printed ? (
        <p class="kiosk-ok" role="status" id="kiosk-printed">
          {t('halls.kiosk.printed')}
        </p>
      ) : (
        <form method="post" action={`/kiosk/print?${q}`}>
          <input type="hidden" name="_csrf" value={csrfToken} />
          <input type="hidden" name="ticket" value={v.id} />
          <button type="submit" class="kiosk-button kiosk-primary" id="kiosk-print">
            {t('halls.kiosk.print')}
          </button>
        </form>
      )}
      {v.caseNumber ? (
        <a
          class="kiosk-button kiosk-secondary"
          href={`/kiosk/rate?${q}&case=${encodeURIComponent(v.caseNumber)}`}
        >
          {t('halls.kiosk.rate')}
        </a>
      ) : null}
      <p class="kiosk-hint">{t('halls.kiosk.follow', { url: `/halls/${m.hall.id}/tickets/${v.id}` })}</p>
    </>,
  );
}

export function kioskGuide(m: KioskModel): string {
  const { t } = m.ctx;
  const q = `hall=${encodeURIComponent(m.hall.id)}`;
  return page(
    m,
    t('halls.kiosk.guide'),
    <>
      <p>{m.hall.address}</p>
      <p>
        {t('halls.kiosk.phone')}: {m.hall.phone}
      </p>
      <h2>{t('halls.kiosk.hours', { zone: CHINA_TIME_LABEL })}</h2>
      <ul class="kiosk-list">
        {m.hall.hours.map((h) => (
          <li>
            {t(`halls.kiosk.days.${h.days}`)} {h.from}–{h.to}
          </li>
        ))}
      </ul>
      <h2>{t('halls.kiosk.steps')}</h2>
      <ol class="kiosk-list">
        <li>{t('halls.kiosk.step1')}</li>
        <li>{t('halls.kiosk.step2')}</li>
        <li>{t('halls.kiosk.step3')}</li>
      </ol>
      <p class="kiosk-hint">{t('halls.kiosk.offlineReady')}</p>
      <a class="kiosk-button kiosk-secondary" href={`/kiosk?${q}`}>
        {t('halls.kiosk.back')}
      </a>
    </>,
  );
}

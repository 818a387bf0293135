import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, type Page, chromium } from 'playwright-core';
import type { TongbanApp } from '../../src/app.js';
import { buildTestApp } from './app.js';

/** Debian's Chromium, headless, with the flags this closed network needs (STACK.md). */
export const CHROMIUM = process.env.TONGBAN_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = (): boolean => existsSync(CHROMIUM);

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

/**
 * axe-core's WCAG 2.1 A/AA rules on the current page; returns the violations, readable.
 *
 * Only violations are collected (`resultTypes`: the passing and inapplicable checks are not
 * detailed; every rule still runs on every node). A page without frames — all of this app's — is
 * scanned with `axe.run` in the page itself (the builder's legacy mode); its default mode injects
 * axe into every frame, then opens a blank page, injects axe there too and hands it the frames'
 * partial results: the same rules and findings for a frameless page, at five times the CPU (about
 * 0.6 s of Chromium and node per scan against 0.1 s). A page with frames gets the default mode,
 * which also reaches frames of another origin.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const builder = new AxeBuilder({ page })
    .options({ resultTypes: ['violations'] })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  const framed = page.frames().length > 1 || (await page.locator('iframe, frame, object, embed').count()) > 0;
  const r = await (framed ? builder : builder.setLegacyMode()).analyze();
  return r.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(', ')}`,
  );
}

/** true when the page is wider than the viewport (a phone would scroll sideways). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  // on an emulated phone the layout viewport grows to fit wide content, so compare with the screen
  return page.evaluate(
    () => document.documentElement.scrollWidth > Math.min(window.innerWidth, window.screen.width) + 1,
  );
}

/**
 * The demo app listening on a free port with Chromium launched, for one test file:
 * `const s = await servedInBrowser()` in `before`, `await s.close()` in `after`.
 */
export async function servedInBrowser(): Promise<{
  t: TongbanApp;
  browser: Browser;
  base: string;
  close(): Promise<void>;
}> {
  const t = await buildTestApp({ demo: 'on' });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  return {
    t,
    browser,
    base,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

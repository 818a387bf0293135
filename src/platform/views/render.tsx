import type { FastifyReply } from 'fastify';
import type { ComponentChildren } from 'preact';
import { render } from 'preact-render-to-string';
import type { ViewContext } from './context.js';
import { Layout } from './layout.js';

/** Renders a full page; text is escaped by preact, so user data can never become markup. */
export function renderPage(
  ctx: ViewContext,
  title: string,
  body: ComponentChildren,
  opts: { wide?: boolean } = {},
): string {
  return `<!doctype html>${render(
    <Layout ctx={ctx} title={title} wide={opts.wide}>
      {body}
    </Layout>,
  )}`;
}

export function sendHtml(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

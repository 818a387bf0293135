import { randomBytes } from 'node:crypto';
import type { TongbanApp } from '../../src/app.js';

/**
 * A browser without a browser, for inject() tests of the pages: keeps cookies between requests
 * and posts forms (urlencoded or multipart with files) with the page's CSRF token, as a real
 * form does.
 */

export const HTML = { accept: 'text/html' };

export type Res = {
  body: string;
  cookies: Array<{ name: string; value: string }>;
  statusCode: number;
  headers: Record<string, unknown>;
};

export const tokenOn = (r: { body: string }): string => {
  const m = /name="_csrf" value="([^"]+)"/.exec(r.body);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1]!;
};

export interface FilePart {
  readonly field: string;
  readonly filename: string;
  /** what the browser declares */
  readonly type: string;
  readonly data: Buffer;
}

/** A multipart/form-data body as a browser sends it (text fields first, then the files). */
export function multipartBody(
  fields: Record<string, string>,
  files: readonly FilePart[],
): { payload: Buffer; contentType: string } {
  const boundary = `----tongbanTest${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`,
      ),
      f.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export class WebSession {
  cookies = new Map<string, string>();
  constructor(private readonly t: TongbanApp) {}
  private keep(r: Res) {
    for (const c of r.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const gone = c.value === '' || (c.expires && c.expires.getTime() < Date.now());
      if (gone) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }
  get cookie() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async get(url: string): Promise<Res> {
    const r = (await this.t.app.inject({ url, headers: { ...HTML, cookie: this.cookie } })) as unknown as Res;
    this.keep(r);
    return r;
  }
  /** posts `fields` with the CSRF token of the page at `from` (or the token given) */
  async post(
    url: string,
    fields: Record<string, string>,
    opts: { from?: string; token?: string } = {},
  ): Promise<Res> {
    let token = opts.token;
    if (token === undefined) token = tokenOn(await this.get(opts.from ?? url));
    const r = (await this.t.app.inject({
      method: 'POST',
      url,
      headers: { ...HTML, cookie: this.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: token, ...fields }).toString(),
    })) as unknown as Res;
    this.keep(r);
    return r;
  }
  /** posts a multipart form (`enctype="multipart/form-data"`) with files; `token: ''` sends none */
  async postMultipart(
    url: string,
    fields: Record<string, string>,
    files: readonly FilePart[],
    opts: { from?: string; token?: string } = {},
  ): Promise<Res> {
    let token = opts.token;
    if (token === undefined) token = tokenOn(await this.get(opts.from ?? url));
    const body = multipartBody(token === '' ? fields : { _csrf: token, ...fields }, files);
    const r = (await this.t.app.inject({
      method: 'POST',
      url,
      headers: { ...HTML, cookie: this.cookie, 'content-type': body.contentType },
      payload: body.payload,
    })) as unknown as Res;
    this.keep(r);
    return r;
  }
  async login(login: string, password = 'tongban-demo') {
    return this.post('/login', { login, password, next: '/account' });
  }
}

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { runCli } from '../../../test/helpers/cli.js';
import type { TongbanApp } from '../../app.js';
import { hotlineClientAddCommand } from './ratings.js';

describe('tongban hotline client add', () => {
  let t: TongbanApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(async () => t.close());
  const run = (flags: Record<string, string>) => runCli(t, hotlineClientAddCommand, flags);

  test('prints credentials that take a token of the hotline role, which may forward tickets only', async () => {
    const r = await run({ name: '郑州12345热线', region: '4101' });
    assert.equal(r.code, 0, r.err.join('\n'));
    const c = JSON.parse(r.out[0] ?? '{}');
    const tok = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret },
    });
    assert.equal(tok.statusCode, 200, tok.body);
    const me = await t.app.inject({
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${tok.json().access_token}` },
    });
    assert.deepEqual(
      me.json().roles.map((x: { role: string }) => x.role),
      ['hotline'],
    );
  });

  test('a missing name is refused with usage, nothing made', async () => {
    const r = await run({});
    assert.equal(r.code, 2);
    assert.match(r.err.join(''), /--name/);
  });
});

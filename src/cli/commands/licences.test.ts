import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { runCli } from '../../../test/helpers/cli.js';
import type { TongbanApp } from '../../app.js';
import { DEMO_ISSUERS, demoType } from '../../modules/licences/licences.catalog.js';
import { licencesKeyRotateCommand } from './licences.js';

describe('tongban licences key rotate', () => {
  let t: TongbanApp;
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
  });
  after(async () => t.close());
  const run = (flags: Record<string, string>) => runCli(t, licencesKeyRotateCommand, flags);

  test('prints the new key id; the issuer signs with it from then on', async () => {
    const issuer = DEMO_ISSUERS[demoType('食品经营许可证').defaultIssuer].code;
    const r = await run({ issuer });
    assert.equal(r.code, 0, r.err.join('\n'));
    const keyId = r.out[0];
    assert.ok(keyId);
    const again = await run({ issuer });
    assert.equal(again.code, 0);
    assert.notEqual(again.out[0], keyId, 'each rotation makes a new key');
  });

  test('an unknown issuer is refused with its code in both languages, exit 1', async () => {
    const r = await run({ issuer: 'NOSUCHISSUER' });
    assert.equal(r.code, 1);
    assert.match(r.err.join('\n'), /LICENCES\.UNKNOWN_ISSUER/);
    assert.match(r.err.join('\n'), /未知的颁发机构 NOSUCHISSUER/);
  });

  test('no issuer: usage, exit 2', async () => {
    const r = await run({});
    assert.equal(r.code, 2);
    assert.match(r.err.join('\n'), /usage/);
  });
});

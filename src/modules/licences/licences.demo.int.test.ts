import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import type { TongbanApp } from '../../app.js';
import { buildTestApp } from '../../../test/helpers/app.js';

let t: TongbanApp;
before(async () => {
  t = await buildTestApp({ demo: 'on' });
});
after(async () => {
  await t.close();
});

const bearer = async (login: string) => `Bearer ${(await t.identity.tokenForLogin(login)).token}`;

describe('demo e-licences (CONTRACT: the demo seeds e-licences for the demo accounts)', () => {
  test('GET /api/v1/licences?holder=me lists the citizen’s licences, the child’s birth certificate included', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/licences?holder=me',
      headers: { authorization: await bearer('citizen') },
    });
    assert.equal(res.statusCode, 200);
    const names = res.json().licences.map((l: { typeName: string }) => l.typeName);
    for (const n of ['居民户口簿', '结婚证', '出生医学证明', '不动产权证书']) assert.ok(names.includes(n), n);
    for (const l of res.json().licences) assert.match(l.holderIdMasked, /\*/);
  });

  test('the enterprise holds its 营业执照 and 食品经营许可证', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/licences?holder=me',
      headers: { authorization: await bearer('enterprise') },
    });
    assert.equal(res.statusCode, 200);
    const names = res
      .json()
      .licences.map((l: { typeName: string }) => l.typeName)
      .sort();
    assert.deepEqual(names, ['营业执照', '食品经营许可证'].sort());
  });

  test('the wallet page and the holder’s PDF; another account may not download it', async () => {
    const auth = await bearer('citizen');
    const page = await t.app.inject({
      method: 'GET',
      url: '/licences',
      headers: { authorization: auth, accept: 'text/html' },
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<caption>我的电子证照列表<\/caption>/);
    const list = (
      await t.app.inject({
        method: 'GET',
        url: '/api/v1/licences?holder=me',
        headers: { authorization: auth },
      })
    ).json();
    const id = list.licences[0].identifier as string;
    const pdf = await t.app.inject({
      method: 'GET',
      url: `/licences/${id}.pdf`,
      headers: { authorization: auth },
    });
    assert.equal(pdf.statusCode, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.equal((await PDFDocument.load(pdf.rawPayload)).getSubject(), id);
    const other = await t.app.inject({
      method: 'GET',
      url: `/licences/${id}.pdf`,
      headers: { authorization: await bearer('enterprise') },
    });
    assert.equal(other.statusCode, 403);
    assert.equal(other.json().error.code, 'LICENCES.NOT_HOLDER');
  });
});

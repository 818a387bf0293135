import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { validForm } from '../../../test/helpers/forms.js';
import { testDialect } from '../../../test/helpers/store.js';
import { ManualClock } from '../../kernel/index.js';

/**
 * China time on the case pages (issue 16 item 5): a case filed at 02:47 on 5 December in Zhengzhou
 * (2026-12-04T18:47Z) carries 20261205 in its number, and its pages show 2026-12-05 and 02:47
 * labelled UTC+8 — never the UTC date 2026-12-04 or "18:47 UTC".
 */
// 食品小经营店登记 (郑州市市场监督管理局, the demo approver's department), persons, depth 4
const CITY_ITEM = '11410100297017523N01003401100000';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

describe(`case pages in China time on ${testDialect()}`, () => {
  let t: TongbanApp;
  let caseNumber = '';
  const clock = new ManualClock(new Date('2026-12-04T18:47:00Z'));
  const tokens = new Map<string, string>();
  const page = (url: string, who: string) =>
    t.app.inject({ url, headers: { accept: 'text/html', authorization: `Bearer ${tokens.get(who)}` } });

  before(async () => {
    t = await buildTestApp({ demo: 'on', clock });
    for (const c of ['citizen', 'approver']) tokens.set(c, (await t.identity.tokenForLogin(c)).token);
    const material = (await t.catalog.getPublishedItem(CITY_ITEM))?.materials[0]?.code;
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${tokens.get('citizen')}` },
      payload: {
        implementationCode: CITY_ITEM,
        regionCode: '410105001',
        form: await validForm(t, CITY_ITEM),
        materials: [
          {
            code: material,
            filename: 'id.pdf',
            mediaType: 'application/pdf',
            contentBase64: PDF.toString('base64'),
          },
        ],
      },
    });
    assert.equal(r.statusCode, 201, r.body);
    caseNumber = r.json().caseNumber;
  });
  after(async () => t?.close());

  test('the case number carries the China date', () => {
    assert.ok(caseNumber.includes('20261205'), caseNumber);
  });

  for (const [who, label, url] of [
    ['citizen', '/cases/:n', () => `/cases/${caseNumber}`],
    ['citizen', '/cases', () => '/cases'],
    ['approver', '/workbench/cases/:n', () => `/workbench/cases/${caseNumber}`],
  ] as const) {
    test(`${who} · ${label} › 2026-12-05, 02:47 UTC+8`, async () => {
      const r = await page(url(), who);
      assert.equal(r.statusCode, 200, r.body);
      assert.ok(r.body.includes(caseNumber));
      assert.match(r.body, /2026-12-05/);
      assert.doesNotMatch(r.body, /2026-12-04/);
      assert.doesNotMatch(r.body, /18:47/);
      assert.doesNotMatch(r.body, /\d UTC(?!\+8)/);
    });
  }

  test('the timeline shows the minute in China time, labelled', async () => {
    const r = await page(`/cases/${caseNumber}`, 'citizen');
    assert.match(r.body, /2026-12-05 02:47 UTC\+8/);
  });

  test('the log page of the case and the daily event counts are in China time too', async () => {
    await t.events.drain();
    const log = await t.app.inject({
      url: `/log/object?type=case&id=${caseNumber}`,
      headers: { accept: 'text/html' },
    });
    assert.equal(log.statusCode, 200);
    assert.match(log.body, /2026-12-05 02:47:\d\d UTC\+8/);
    assert.doesNotMatch(log.body, /18:47/);
    assert.doesNotMatch(log.body, /2026-12-04/);
    const day = async (d: string) =>
      (
        (await t.app.inject({ url: `/api/v1/stats/events?from=${d}&to=${d}` })).json().counts as Array<{
          type: string;
          count: number;
        }>
      ).find((c) => c.type === 'cases.submitted')?.count ?? 0;
    assert.equal(await day('2026-12-05'), 1, 'filed on the 5th, China time');
    assert.equal(await day('2026-12-04'), 0, 'not on the UTC day');
  });
});

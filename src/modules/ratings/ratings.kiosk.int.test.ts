import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { validForm } from '../../../test/helpers/forms.js';
import { WebSession, tokenOn } from '../../../test/helpers/session.js';
import { testDialect } from '../../../test/helpers/store.js';
import type { TongbanApp } from '../../app.js';
import { sql } from '../../platform/db/index.js';

/**
 * 好差评 at the hall (issue 16 item 1): the kiosk's rating page (channel kiosk, the person the ID
 * card and face identified, their own cases only, once per stage), and the window pad's QR code of
 * a one-time link tied to the window and the clerk, drawn on the server as SVG.
 */
// 失业保险金申领 (金水区人社局), received as a walk-in at the demo clerk's hall
const COUNTY_ITEM = '11410105414644738F05001200400000';
const HALL = 'H410105001';

describe(`ratings at the kiosk and the window's QR on ${testDialect()}`, () => {
  let t: TongbanApp;
  let caseNumber = '';
  const ratingsOf = async (n: string) =>
    (
      await sql<{
        channel: string;
        stage: string;
        level: number;
        window_code: string | null;
        clerk_id: string | null;
      }>`select channel, stage, level, window_code, clerk_id from ratings where case_number = ${n} order by created_at`.execute(
        t.store.db,
      )
    ).rows;

  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    const clerk = (await t.identity.tokenForLogin('clerk')).token;
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${clerk}` },
      payload: {
        implementationCode: COUNTY_ITEM,
        regionCode: '410105001',
        form: await validForm(t, COUNTY_ITEM),
        hallId: HALL,
        applicantId: await t.identity.accountIdByLogin('citizen'),
      },
    });
    assert.equal(r.statusCode, 201, r.body);
    caseNumber = r.json().caseNumber;
    const admin = (await t.identity.tokenForLogin('admin')).token;
    const acc = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseNumber}/actions`,
      headers: { authorization: `Bearer ${admin}` },
      payload: { action: 'accept' },
    });
    assert.equal(acc.statusCode, 200, acc.body);
  });
  after(async () => t?.close());

  test('the kiosk › the signed-in person rates their accepted case once, channel kiosk', async () => {
    const kiosk = new WebSession(t);
    // not signed in at the kiosk: no rating page, nothing written
    const out = await kiosk.get(`/kiosk/rate?hall=${HALL}`);
    assert.equal(out.statusCode, 401);
    const card = await kiosk.post(`/kiosk/card?hall=${HALL}`, {}, { from: `/kiosk?hall=${HALL}` });
    assert.equal(card.statusCode, 303, card.body);
    const menu = await kiosk.get(`/kiosk?hall=${HALL}`);
    assert.match(menu.body, /href="\/kiosk\/rate\?hall=H410105001"/);
    const list = await kiosk.get(`/kiosk/rate?hall=${HALL}`);
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes(`case=${caseNumber}`), 'the accepted case is offered');
    const form = await kiosk.get(`/kiosk/rate?hall=${HALL}&case=${caseNumber}`);
    assert.match(form.body, /id="kiosk-rate-form"/);
    assert.match(form.body, /name="stage" value="accepted"/);
    // the case was applied at a window: the offline indicators (业务水平, 服务态度)
    assert.match(form.body, /value="attitude"/);
    assert.doesNotMatch(form.body, /value="usability"/);
    const post = (fields: Record<string, string>) =>
      kiosk.post(`/kiosk/rate?hall=${HALL}`, fields, { token: tokenOn(form) });
    const bad = await post({ case: caseNumber, stage: 'accepted', level: '9' });
    assert.equal(bad.statusCode, 400, bad.body.slice(0, 300));
    assert.deepEqual(await ratingsOf(caseNumber), []);
    const done = await post({ case: caseNumber, stage: 'accepted', level: '5', indicators: 'attitude' });
    assert.equal(done.statusCode, 303, done.body.slice(0, 300));
    assert.match(String(done.headers.location), /done=1/);
    const rows = await ratingsOf(caseNumber);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.channel, 'kiosk');
    assert.equal(rows[0]!.stage, 'accepted');
    assert.equal(Number(rows[0]!.level), 5);
    // once per case × stage × channel: not offered again, and a second post is refused
    const after = await kiosk.get(`/kiosk/rate?hall=${HALL}&done=1`);
    assert.match(after.body, /id="kiosk-rated"/);
    assert.ok(!after.body.includes(`case=${caseNumber}`), 'no longer offered');
    const again = await post({ case: caseNumber, stage: 'accepted', level: '1' });
    assert.equal(again.statusCode, 409, again.body.slice(0, 300));
    // a case that is not theirs (or none): the same refusal, nothing written
    const other = await post({ case: `${caseNumber.slice(0, -1)}9`, stage: 'accepted', level: '1' });
    assert.equal(other.statusCode, 404, other.body.slice(0, 300));
    assert.equal((await ratingsOf(caseNumber)).length, 1);
  });

  test('the window pad › a QR code (SVG) of a one-time link tied to the window and the clerk', async () => {
    const clerk = new WebSession(t);
    await clerk.login('clerk');
    const pad = await clerk.get(`/workbench/rate/${caseNumber}?window=A03`);
    assert.equal(pad.statusCode, 200);
    assert.match(pad.body, new RegExp(`action="/workbench/rate/${caseNumber}/qr"`));
    const qrPath = `/workbench/rate/${caseNumber}/qr`;
    const badWindow = await clerk.post(
      qrPath,
      { window: 'A 03!', stage: 'accepted' },
      { from: `/workbench/rate/${caseNumber}?window=A03` },
    );
    assert.equal(badWindow.statusCode, 400);
    const r = await clerk.post(
      qrPath,
      { window: 'A03', stage: 'accepted' },
      { from: `/workbench/rate/${caseNumber}?window=A03` },
    );
    assert.equal(r.statusCode, 200, r.body.slice(0, 300));
    const qr = r.body.slice(r.body.indexOf('id="window-qr"'));
    assert.match(qr, /^id="window-qr"[^>]*>\s*<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(r.body, /role="img" aria-label="一次性评价链接的二维码"/);
    const url = /<figcaption><a href="([^"]+)"/.exec(r.body)?.[1];
    assert.ok(url, 'the link written out under the code');
    const path = new URL(url).pathname;
    assert.match(path, /^\/r\/[\w.-]+$/);
    // the link needs no login: the applicant rates on their own phone, as window A03 and this clerk
    const page = await t.app.inject({ url: path, headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 200);
    const token = path.slice(3);
    const rated = await t.app.inject({
      method: 'POST',
      url: `/api/v1/ratings/links/${token}`,
      payload: { level: 4, indicators: ['skill'] },
    });
    assert.equal(rated.statusCode, 201, rated.body);
    const window = (await ratingsOf(caseNumber)).find((x) => x.channel === 'window');
    assert.equal(window?.window_code, 'A03');
    assert.equal(window?.clerk_id, await t.identity.accountIdByLogin('clerk'));
    // the link is one-time
    const twice = await t.app.inject({
      method: 'POST',
      url: `/api/v1/ratings/links/${token}`,
      payload: { level: 1, indicators: [] },
    });
    assert.equal(twice.statusCode >= 400 && twice.statusCode < 500, true, twice.body);
    // only who accepts at the receiving hall may issue one
    const citizen = new WebSession(t);
    await citizen.login('citizen');
    const refused = await citizen.post(qrPath, { window: 'A03', stage: 'accepted' }, { from: '/account' });
    assert.equal(refused.statusCode, 403);
  });

  test('the batch read › ratingsOfCases answers each own case as ratingsOfCase does, in one call, and leaves out another’s', async () => {
    const citizen = (await t.identity.principalForAccount((await t.identity.accountIdByLogin('citizen'))!))!;
    const legalrep = (await t.identity.principalForAccount(
      (await t.identity.accountIdByLogin('legalrep'))!,
    ))!;
    const own = (await t.cases.myCases(citizen, 1, 20)).map((r) => r.case_number);
    assert.ok(own.includes(caseNumber));
    const batch = await t.ratings.ratingsOfCases([...own, 'NO-SUCH-CASE'], citizen);
    assert.deepEqual(
      batch.map((b) => b.case.caseNumber),
      own,
    );
    for (const b of batch) assert.deepEqual(b, await t.ratings.ratingsOfCase(b.case.caseNumber, citizen));
    // the rating given at the kiosk is among them
    assert.ok(
      batch.find((b) => b.case.caseNumber === caseNumber)?.ratings.some((r) => r.channel === 'kiosk'),
    );
    // another person asking for the citizen's cases gets none of them
    assert.deepEqual(await t.ratings.ratingsOfCases(own, legalrep), []);
    // the kiosk's port offers what the per-case read offered: the kiosk stage is rated, nothing left
    const ratable = await t.halls.kiosk.ratings!.ratable(citizen.accountId);
    assert.equal(
      ratable.some((r) => r.caseNumber === caseNumber && r.stages.includes('accepted')),
      false,
    );
  });
});

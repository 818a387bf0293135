import { createHash, randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { type FilePart, WebSession, multipartBody } from '../../../test/helpers/session.js';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';
import type { Principal } from '../../platform/http/index.js';
import { formSteps } from './cases.forms.js';

// 食品小经营店登记 (persons, depth 4): 居民身份证 (an e-licence type), an application form, a
// proof of premises and a health certificate, all required
const CITY_ITEM = '11410100297017523N01003401100000';
// 食品经营许可证核发 (organisations): its premises questions share a page; 营业执照 may come
// from the enterprise's e-licence wallet (免提交)
const FOOD_LICENCE = '11410100297017523N01003400500000';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 1),
]);
const pdf = (code: string, name = `${code}.pdf`): FilePart => ({
  field: `file.${code}`,
  filename: name,
  type: 'application/pdf',
  data: PDF,
});

let t: TongbanApp;
const clock = new ManualClock('2025-09-15T02:00:00Z');
before(async () => {
  t = await buildTestApp({ demo: 'on', clock });
});
after(async () => t.close());

const bearer = async (login: string) => ({
  authorization: `Bearer ${(await t.identity.tokenForLogin(login)).token}`,
});
async function accountOf(login: string): Promise<string> {
  const r = await t.app.inject({ url: '/api/v1/me', headers: await bearer(login) });
  return r.json().id ?? r.json().accountId;
}
const draftFileCount = async (accountId: string, code: string) =>
  (await t.cases.draftFiles({ accountId } as Principal, code)).length;
const loc = (r: { headers: Record<string, unknown> }) => String(r.headers.location ?? '');

/**
 * Answers every question page of a journey with values its schema takes (the page's own prefilled
 * values kept), as a browser would post them; `extra` goes with the first page.
 */
async function answerEverything(
  b: WebSession,
  base: string,
  fields: Parameters<typeof formSteps>[0],
  extra: Record<string, string>,
) {
  for (const step of formSteps(fields, true)) {
    if (step.kind === 'materials') break;
    const page = await b.get(`${base}/${step.id}`);
    assert.equal(page.statusCode, 200, step.id);
    const answers: Record<string, string> = {};
    for (const m of page.body.matchAll(/name="(\w+)" type="text" value="([^"]*)"/g)) answers[m[1]!] = m[2]!;
    if (step.kind === 'applicant') Object.assign(answers, extra);
    for (const f of step.fields) {
      if (answers[f.name]) continue;
      answers[f.name] =
        f.type === 'enum'
          ? (f.options?.[0] ?? '')
          : f.type === 'date'
            ? '2026-03-01'
            : f.type === 'number' || f.type === 'integer'
              ? '1'
              : f.name === 'idNumber'
                ? '410105199001011234'
                : f.name === 'mobile'
                  ? '13800138000'
                  : '张小宝';
    }
    const r = await b.post(`${base}/${step.id}`, answers, { from: `${base}/${step.id}` });
    assert.equal(r.statusCode, 303, `${step.id}: ${r.body.slice(0, 300)}`);
  }
}

describe('apply pages: one question per page, uploads, check your answers', () => {
  const s = () => new WebSession(t);
  let citizen: WebSession;
  let citizenId = '';
  const base = `/items/${CITY_ITEM}/apply`;

  before(async () => {
    citizen = s();
    await citizen.login('citizen');
    citizenId = await accountOf('citizen');
  });

  test('the first page: the applicant’s details, prefilled from the account, with the step count', async () => {
    const r = await citizen.get(base);
    assert.equal(r.statusCode, 200, r.body);
    assert.match(r.body, /第 1 步，共 5 步/);
    assert.match(r.body, /已从您的账户预填/);
    assert.match(r.body, /name="applicantName" type="text" value="[^"]+"/);
    assert.match(r.body, new RegExp(`action="${base}/applicant"`));
  });

  test('each step saves the draft and moves on; a question alone is the page heading', async () => {
    const page = await citizen.get(base);
    const val = (name: string) =>
      new RegExp(`name="${name}" type="text" value="([^"]*)"`).exec(page.body)?.[1];
    const r = await citizen.post(`${base}/applicant`, {
      regionCode: '410105001',
      applicantName: val('applicantName') ?? '张三',
      idNumber: val('idNumber') ?? '',
      mobile: val('mobile') ?? '',
      address: '郑州市金水区示范路1号',
    });
    assert.equal(r.statusCode, 303, r.body);
    assert.equal(loc(r), `${base}/q-requestDetails`);

    const q = await citizen.get(`${base}/q-requestDetails`);
    assert.equal(q.statusCode, 200);
    // the label is the h1: one heading that names the page and labels the answer
    assert.match(q.body, /<h1 class="field-heading"><label for="f-requestDetails"/);
    assert.match(q.body, /第 2 步，共 5 步/);

    const empty = await citizen.post(`${base}/q-requestDetails`, { requestDetails: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.body, /error-summary/);
    assert.match(empty.body, /请填写“申请事项说明”/);

    const ok = await citizen.post(`${base}/q-requestDetails`, { requestDetails: '开办社区便民小店' });
    assert.equal(ok.statusCode, 303);
    assert.equal(loc(ok), `${base}/delivery`);
    const d = await citizen.post(`${base}/delivery`, { deliveryMethod: '邮寄送达' });
    assert.equal(loc(d), `${base}/materials`);
    // the draft kept every answer: leaving and coming back shows them
    const again = await citizen.get(`${base}/q-requestDetails`);
    assert.match(again.body, /开办社区便民小店/);
  });

  test('with JavaScript an answer is saved as it changes, unchecked, before “continue”', async () => {
    const b = s();
    await b.login('citizen');
    const r = await b.post(
      `${base}/q-requestDetails/draft`,
      { requestDetails: '写了一半' },
      { from: `${base}/q-requestDetails` },
    );
    assert.equal(r.statusCode, 204);
    const page = await b.get(`${base}/q-requestDetails`);
    assert.match(page.body, /写了一半/);
    assert.match(page.body, new RegExp(`data-autosave="${base}/q-requestDetails/draft"`));
    // the materials step has no draft endpoint: files are kept only by their own post
    const m = await b.post(`${base}/materials/draft`, {}, { from: `${base}/materials` });
    assert.equal(m.statusCode, 404);
    // (the same citizen's draft as the journey above: put its answer back)
    await b.post(
      `${base}/q-requestDetails/draft`,
      { requestDetails: '开办社区便民小店' },
      { from: `${base}/q-requestDetails` },
    );
  });

  test('an unknown step is 404, not an error', async () => {
    const r = await citizen.get(`${base}/q-nothing`);
    assert.equal(r.statusCode, 404);
  });

  test('an item code with the draft key’s separator (“:”) is refused as a bad code: the plain route reaches no one’s 帮办 draft and no bundle', async () => {
    const bad = await citizen.get('/items/short/apply');
    assert.equal(bad.statusCode, 400, 'a malformed code');
    for (const code of [
      `for:${citizenId}:${CITY_ITEM}`,
      `for:${randomUUID()}:${CITY_ITEM}`,
      'bundle:BIRTH',
      `${CITY_ITEM}:x`,
    ]) {
      const url = `/items/${encodeURIComponent(code)}/apply`;
      for (const r of [
        await citizen.get(url),
        await citizen.get(`${url}/applicant`),
        await citizen.get(`${url}/check`),
      ]) {
        assert.equal(r.statusCode, 400, `${code}: ${r.statusCode}`);
        assert.equal(
          r.body.includes('VALIDATION') || r.body.includes('INPUT'),
          bad.body.includes('VALIDATION') || bad.body.includes('INPUT'),
        );
      }
      const posted = await citizen.post(`${url}/applicant`, { name: '张三' }, { from: base });
      assert.equal(posted.statusCode, 400, `${code}: post ${posted.statusCode}`);
    }
  });

  test('uploads › a file whose content is not what it claims is refused, and nothing of the post is kept', async () => {
    const text = Buffer.from('this is not a PDF at all');
    const r = await citizen.postMultipart(
      `${base}/materials`,
      {},
      [
        pdf('m02-form'),
        { field: 'file.m03-doc', filename: '场所证明.pdf', type: 'application/pdf', data: text },
      ],
      { from: `${base}/materials` },
    );
    assert.equal(r.statusCode, 415, r.body);
    assert.match(r.body, /不是 PDF、PNG 或 JPEG 文件/);
    assert.equal(await draftFileCount(citizenId, CITY_ITEM), 0);

    const mislabelled = await citizen.postMultipart(
      `${base}/materials`,
      {},
      [{ field: 'file.m04-doc', filename: '健康证明.pdf', type: 'application/pdf', data: PNG }],
      { from: `${base}/materials` },
    );
    assert.equal(mislabelled.statusCode, 415);
    assert.match(mislabelled.body, /声明类型与文件内容不符/);
    assert.equal(await draftFileCount(citizenId, CITY_ITEM), 0);
  });

  test('uploads › a file over 10 MB is refused (413) and not kept', async () => {
    const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]);
    const r = await citizen.postMultipart(
      `${base}/materials`,
      {},
      [{ field: 'file.m02-form', filename: 'big.pdf', type: 'application/pdf', data: big }],
      { from: `${base}/materials` },
    );
    assert.equal(r.statusCode, 413, r.body.slice(0, 300));
    assert.match(r.body, /超过 10 MB 的上限/);
    assert.equal(await draftFileCount(citizenId, CITY_ITEM), 0);
  });

  test('uploads › files that together pass 30 MB: the one past the limit is named, nothing is kept', async () => {
    const nine = Buffer.concat([PDF, Buffer.alloc(9 * 1024 * 1024)]);
    const files = ['m01-id', 'm02-form', 'm03-doc', 'm04-doc'].map((code) => ({
      field: `file.${code}`,
      filename: `${code}.pdf`,
      type: 'application/pdf',
      data: nine,
    }));
    const r = await citizen.postMultipart(`${base}/materials`, {}, files, { from: `${base}/materials` });
    assert.equal(r.statusCode, 413);
    assert.match(r.body, /合计超过 30 MB，“m04-doc\.pdf”未能接收/);
    assert.equal(await draftFileCount(citizenId, CITY_ITEM), 0);
  });

  test('uploads › files are taken only where a page takes them: anywhere else (even signing in) is 415, unread', async () => {
    for (const url of ['/login', '/design/form', '/logout']) {
      const body = multipartBody({ login: 'citizen' }, [pdf('m01-id')]);
      const r = await t.app.inject({
        method: 'POST',
        url,
        headers: { accept: 'text/html', 'content-type': body.contentType },
        payload: body.payload,
      });
      assert.equal(r.statusCode, 415, `${url}: ${r.statusCode}`);
    }
  });

  test('uploads › a multipart post without the CSRF token is refused and nothing is kept', async () => {
    const r = await citizen.postMultipart(`${base}/materials`, {}, [pdf('m02-form')], { token: '' });
    assert.equal(r.statusCode, 403);
    assert.equal(await draftFileCount(citizenId, CITY_ITEM), 0);
  });

  test('uploads › required materials must all be provided before moving on; the ones given are kept', async () => {
    const r = await citizen.postMultipart(`${base}/materials`, {}, [pdf('m01-id'), pdf('m02-form')], {
      from: `${base}/materials`,
    });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /请提供“经营场所使用证明”/);
    assert.match(r.body, /请提供“健康证明”/);
    assert.equal(await draftFileCount(citizenId, CITY_ITEM), 2);
    const page = await citizen.get(`${base}/materials`);
    assert.match(page.body, /已上传：m01-id\.pdf/);
    assert.match(page.body, /enctype="multipart\/form-data"/);
  });

  test('uploads › the rest, then check your answers lists every answer and file with a change link', async () => {
    const r = await citizen.postMultipart(
      `${base}/materials`,
      {},
      [
        pdf('m03-doc', '场所证明.pdf'),
        { field: 'file.m04-doc', filename: '健康证明.png', type: 'image/png', data: PNG },
      ],
      { from: `${base}/materials` },
    );
    assert.equal(r.statusCode, 303, r.body);
    assert.equal(loc(r), `${base}/check`);
    const check = await citizen.get(`${base}/check`);
    assert.equal(check.statusCode, 200);
    assert.match(check.body, /开办社区便民小店/);
    assert.match(check.body, /邮寄送达/);
    assert.match(check.body, /已上传：健康证明\.png（image\/png，1 KB）/);
    assert.match(check.body, new RegExp(`href="${base}/q-requestDetails\\?change=1"`));
  });

  test('change an answer from the check page: back to the check page after it', async () => {
    const page = await citizen.get(`${base}/q-requestDetails?change=1`);
    assert.match(page.body, /name="returnTo" value="check"/);
    const r = await citizen.post(
      `${base}/q-requestDetails`,
      { requestDetails: '开办社区便民小店（改）', returnTo: 'check' },
      { from: `${base}/q-requestDetails?change=1` },
    );
    assert.equal(loc(r), `${base}/check`);
  });

  test('remove a kept file: it is gone from the draft and the page asks for it again', async () => {
    const r = await citizen.postMultipart(`${base}/materials`, { 'remove.m02-form': '1' }, [], {
      from: `${base}/materials`,
    });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /请提供“小经营店登记申请表”/);
    assert.equal(await draftFileCount(citizenId, CITY_ITEM), 3);
    const put = await citizen.postMultipart(`${base}/materials`, {}, [pdf('m02-form')], {
      from: `${base}/materials`,
    });
    assert.equal(put.statusCode, 303);
  });

  test('confirm submits the draft: the case holds the files, the draft and its files are gone', async () => {
    const r = await citizen.post(`${base}/confirm`, {}, { from: `${base}/check` });
    assert.equal(r.statusCode, 303, r.body);
    const m = /^\/cases\/([^?]+)\?done=submit$/.exec(loc(r));
    assert.ok(m, loc(r));
    const caseNumber = decodeURIComponent(m[1]!);
    const v = await t.app.inject({ url: `/api/v1/cases/${caseNumber}`, headers: await bearer('citizen') });
    const mats = v.json().materials as Array<{ code: string; sha256: string | null; trustLevel: string }>;
    assert.deepEqual(mats.map((x) => x.code).sort(), ['m01-id', 'm02-form', 'm03-doc', 'm04-doc']);
    assert.ok(mats.every((x) => x.sha256 && x.trustLevel === 'C'));
    assert.equal(await draftFileCount(citizenId, CITY_ITEM), 0);
    const fresh = await citizen.get(base);
    assert.match(fresh.body, /已从您的账户预填/);
  });

  /** A draft answered and with every file, its check page, and how many cases the citizen has. */
  async function readyToSubmit(b: WebSession) {
    const app = await t.cases.application(CITY_ITEM);
    assert.ok(app);
    await answerEverything(b, base, app.formFields, { regionCode: '410105001' });
    const up = await b.postMultipart(
      `${base}/materials`,
      {},
      app.materials.map((m) => pdf(m.code)),
      { from: `${base}/materials` },
    );
    assert.equal(up.statusCode, 303);
    const check = await b.get(`${base}/check`);
    const token = /name="_csrf" value="([^"]+)"/.exec(check.body)![1]!;
    return { check, token, cases: await caseCount() };
  }
  const caseCount = async () =>
    (await t.app.inject({ url: '/api/v1/cases', headers: await bearer('citizen') })).json().cases
      .length as number;

  test('“submit” clicked twice, one after the other or at once: one case', async () => {
    const b = s();
    await b.login('citizen');
    for (const together of [false, true]) {
      const { token, cases } = await readyToSubmit(b);
      const post = () => b.post(`${base}/confirm`, {}, { token });
      const [one, two] = together ? await Promise.all([post(), post()]) : [await post(), await post()];
      const targets = [loc(one), loc(two)].sort();
      assert.equal(targets.filter((x) => x === '/cases').length, 1, targets.join(' '));
      assert.equal(
        targets.filter((x) => /^\/cases\/\d|^\/cases\/[0-9A-Z]+\?done=submit$/.test(x)).length,
        1,
        targets.join(' '),
      );
      assert.equal(await caseCount(), cases + 1);
    }
  });

  test('the check page re-posted with its request id, one after the other or at once: both land on the one case it made', async () => {
    const b = s();
    await b.login('citizen');
    for (const together of [false, true]) {
      const { check, token, cases } = await readyToSubmit(b);
      const requestId = /name="requestId" value="([^"]+)"/.exec(check.body)?.[1];
      assert.ok(requestId, 'the submit form carries its own request id');
      const post = () => b.post(`${base}/confirm`, { requestId }, { token });
      const [one, two] = together ? await Promise.all([post(), post()]) : [await post(), await post()];
      assert.match(loc(one), /^\/cases\/[^?]+\?done=submit$/);
      assert.equal(loc(two), loc(one));
      assert.equal(await caseCount(), cases + 1);
    }
  });

  test('confirm with the draft incomplete: every problem listed, each linking to its page; nothing submitted', async () => {
    const b = s();
    await b.login('citizen');
    await b.post(`${base}/applicant`, { regionCode: '410105001' }, { from: base });
    const before = await t.app.inject({ url: '/api/v1/cases', headers: await bearer('citizen') });
    const r = await b.post(`${base}/confirm`, {}, { from: `${base}/check` });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, new RegExp(`href="${base}/q-requestDetails\\?change=1"`));
    assert.match(r.body, new RegExp(`href="${base}/materials\\?change=1"`));
    const after = await t.app.inject({ url: '/api/v1/cases', headers: await bearer('citizen') });
    assert.equal(after.json().cases.length, before.json().cases.length);
  });
});

describe('免提交 on the pages: an e-licence from the wallet instead of an upload', () => {
  const base = `/items/${FOOD_LICENCE}/apply`;
  // the demo wallet's licences are issued in 2026
  before(() => clock.set('2026-03-02T02:00:00Z'));
  after(() => clock.set('2025-09-15T02:00:00Z'));

  test('questions a form groups share a page; the others are one per page', async () => {
    const b = new WebSession(t);
    await b.login('enterprise');
    const r = await b.get(`${base}/p-premises`);
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /<h1>经营场所、经营场所面积（平方米）<\/h1>/);
    assert.match(r.body, /name="premisesAddress"/);
    assert.match(r.body, /name="premisesArea"/);
    const one = await b.get(`${base}/q-operatorType`);
    assert.match(one.body, /<h1 class="field-heading"><label for="f-operatorType"/);
  });

  test('the wallet’s 营业执照 is offered; choosing it supplies the material at trust level A', async () => {
    const b = new WebSession(t);
    await b.login('enterprise');
    const page = await b.get(`${base}/materials`);
    assert.equal(page.statusCode, 200);
    const id = /name="licence\.m02-biz" value="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(id, 'the enterprise’s business licence is offered');
    // someone else's (or a made-up) licence is refused, nothing kept
    const wrong = await b.postMultipart(
      `${base}/materials`,
      { 'licence.m02-biz': `${id.slice(0, -1)}0` },
      [],
      {
        from: `${base}/materials`,
      },
    );
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /不属于申请人或已失效/);

    const ok = await b.postMultipart(
      `${base}/materials`,
      { 'licence.m02-biz': id },
      [pdf('m01-form'), pdf('m03-doc'), pdf('m04-doc')],
      { from: `${base}/materials` },
    );
    assert.equal(ok.statusCode, 303, ok.body);
    const check = await b.get(`${base}/check`);
    assert.match(check.body, new RegExp(`使用电子证照 ${id}`));
    // fill in the questions and submit through the API view of the draft
    const steps: Array<[string, Record<string, string>]> = [
      ['applicant', { regionCode: '410105', agentName: '李经办' }],
      ['q-operatorType', { operatorType: '餐饮服务经营者' }],
      ['q-operatingItems', { operatingItems: '热食类食品制售' }],
      ['p-premises', { premisesAddress: '郑州市金水区示范路100号', premisesArea: '120' }],
      ['q-foodSafetyManager', { foodSafetyManager: '王管理' }],
      ['delivery', { deliveryMethod: '电子证照' }],
    ];
    for (const [step, fields] of steps) {
      const form = await b.get(`${base}/${step}`);
      const keep: Record<string, string> = {};
      for (const m of form.body.matchAll(/name="(\w+)" type="text" value="([^"]*)"/g)) keep[m[1]!] = m[2]!;
      const r = await b.post(`${base}/${step}`, { ...keep, ...fields }, { from: `${base}/${step}` });
      assert.equal(r.statusCode, 303, `${step}: ${r.body.slice(0, 2000)}`);
    }
    const done = await b.post(`${base}/confirm`, {}, { from: `${base}/check` });
    assert.equal(done.statusCode, 303, done.body);
    const caseNumber = decodeURIComponent(/^\/cases\/([^?]+)/.exec(loc(done))![1]!);
    const v = await t.app.inject({ url: `/api/v1/cases/${caseNumber}`, headers: await bearer('enterprise') });
    const biz = (
      v.json().materials as Array<{ code: string; trustLevel: string; licenceIdentifier: string }>
    ).find((x) => x.code === 'm02-biz');
    assert.equal(biz?.trustLevel, 'A');
    assert.equal(biz?.licenceIdentifier, id);
  });
});

describe('补正 on the pages: the one-time notice and the files it asks for', () => {
  async function awaitingSupplement(): Promise<string> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: await bearer('citizen'),
      payload: {
        implementationCode: CITY_ITEM,
        regionCode: '410105001',
        form: {
          applicantName: '张三',
          idNumber: '410105199001011234',
          mobile: '13800138000',
          requestDetails: '开办便民小店',
          deliveryMethod: '窗口领取',
        },
      },
    });
    assert.equal(res.statusCode, 201, res.body);
    const n = res.json().caseNumber as string;
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${n}/actions`,
      headers: await bearer('admin'),
      payload: { action: 'requestSupplement', missing: ['健康证明（有效期内）', '经营场所使用证明'] },
    });
    assert.equal(r.statusCode, 200, r.body);
    return n;
  }

  test('the case page lists what was asked and takes the files; a wrong file records nothing', async () => {
    const n = await awaitingSupplement();
    const b = new WebSession(t);
    await b.login('citizen');
    const page = await b.get(`/cases/${n}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /健康证明（有效期内）/);
    assert.match(page.body, /enctype="multipart\/form-data"/);

    const bad = await b.postMultipart(
      `/cases/${n}/actions`,
      { action: 'supplement' },
      [{ field: 'file.m04-doc', filename: '健康证明.jpg', type: 'image/jpeg', data: PDF }],
      { from: `/cases/${n}` },
    );
    assert.equal(bad.statusCode, 415);
    assert.match(bad.body, /声明类型与文件内容不符/);
    const still = await t.app.inject({ url: `/api/v1/cases/${n}`, headers: await bearer('citizen') });
    assert.equal(still.json().status, 'awaitingSupplement');
    assert.equal(still.json().materials.length, 0);

    const ok = await b.postMultipart(
      `/cases/${n}/actions`,
      { action: 'supplement', 'supplement.note': '已补齐' },
      [pdf('m04-doc'), pdf('m03-doc')],
      { from: `/cases/${n}` },
    );
    assert.equal(ok.statusCode, 303, ok.body);
    const v = await t.app.inject({ url: `/api/v1/cases/${n}`, headers: await bearer('citizen') });
    assert.equal(v.json().status, 'submitted');
    assert.deepEqual((v.json().materials as Array<{ code: string }>).map((m) => m.code).sort(), [
      'm03-doc',
      'm04-doc',
    ]);
    const last = (v.json().actions as Array<{ action: string; details: { materials?: string[] } }>).at(-1);
    assert.equal(last?.action, 'supplement');
    assert.deepEqual(last?.details.materials?.sort(), ['健康证明', '经营场所使用证明'].sort());
  });

  test('the API takes a supplement’s materials as base64; materials with another action are refused', async () => {
    const n = await awaitingSupplement();
    const wrong = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${n}/actions`,
      headers: await bearer('admin'),
      payload: { action: 'accept', materials: [] },
    });
    assert.equal(wrong.statusCode, 409); // accept is not allowed while awaiting the supplement
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${n}/actions`,
      headers: await bearer('citizen'),
      payload: {
        action: 'supplement',
        materials: [{ code: 'm04-doc', filename: '健康证明.pdf', contentBase64: PDF.toString('base64') }],
      },
    });
    assert.equal(r.statusCode, 200, r.body);
    const v = await t.app.inject({ url: `/api/v1/cases/${n}`, headers: await bearer('citizen') });
    assert.equal(v.json().materials.length, 1);
  });
});

describe('一件事 on the pages: one combined form and material set, one progress', () => {
  const base = '/bundles/BIRTH/apply';
  const fileFor = (code: string): FilePart => ({
    field: `file.${code}`,
    filename: `${code}.pdf`,
    type: 'application/pdf',
    data: Buffer.concat([PDF, Buffer.from(`%${code}\n`)]),
  });

  test('every member’s questions once, the same document asked once; submitting makes the linked sub-cases', async () => {
    const b = new WebSession(t);
    await b.login('citizen');
    const app = await t.cases.application('bundle:BIRTH');
    assert.ok(app);
    // a question several members ask is asked once
    assert.equal(app.formFields.filter((f) => f.name === 'newbornName').length, 1);
    const ids = app.materials.filter((m) => m.name === '居民身份证');
    assert.equal(ids.length, 1);

    await answerEverything(b, base, app.formFields, { regionCode: '410105001' });
    const files = app.materials.filter((m) => m.required).map((m) => fileFor(m.code));
    const up = await b.postMultipart(`${base}/materials`, {}, files, { from: `${base}/materials` });
    assert.equal(up.statusCode, 303, up.body.slice(0, 500));
    const done = await b.post(`${base}/confirm`, {}, { from: `${base}/check` });
    assert.equal(done.statusCode, 303, done.body.slice(0, 2000));
    const m = /^\/cases\/bundles\/([^?]+)\?done=submit$/.exec(loc(done));
    assert.ok(m, loc(done));
    const progress = await b.get(loc(done));
    assert.equal(progress.statusCode, 200);
    assert.match(progress.body, /已完成 0 \/ 4 项/);

    const view = await t.app.inject({ url: `/api/v1/bundles/${m[1]}`, headers: await bearer('citizen') });
    const cases = view.json().cases as Array<{ caseNumber: string; itemName: string }>;
    assert.equal(cases.length, 4);
    // each department's case holds the files under its own codes: the photo the social-security
    // card asks for (its m02-doc) is the photo, not the birth record (m02-doc of another member)
    const card = cases.find((c) => c.itemName === '社会保障卡申领')!;
    const cv = await t.app.inject({
      url: `/api/v1/cases/${card.caseNumber}`,
      headers: await bearer('citizen'),
    });
    const photo = app.materials.find((x) => x.name === '近期免冠彩色数码照片')!;
    const sha = createHash('sha256').update(fileFor(photo.code).data).digest('hex');
    const m02 = (cv.json().materials as Array<{ code: string; sha256: string }>).find(
      (x) => x.code === 'm02-doc',
    );
    assert.equal(m02?.sha256, sha);
    assert.equal(await draftFileCount(await accountOf('citizen'), 'bundle:BIRTH'), 0);
  });
});

describe('walk-in on the pages: a clerk applies for a citizen at the hall', () => {
  test('the clerk names the hall and the applicant, scans the papers, and the case is the citizen’s, by window', async () => {
    const COUNTY_ITEM = '11410105414644738F05001200400000'; // 失业保险金申领 (金水区)
    const base = `/items/${COUNTY_ITEM}/apply`;
    const b = new WebSession(t);
    await b.login('clerk');
    const first = await b.get(base);
    assert.match(first.body, /name="hallId"/);
    assert.doesNotMatch(first.body, /已从您的账户预填/); // nothing of the clerk's own is prefilled
    const app = await t.cases.application(COUNTY_ITEM);
    assert.ok(app);
    const applicantId = String(await t.identity.accountIdByLogin('citizen'));
    await answerEverything(b, base, app.formFields, {
      regionCode: '410105001',
      hallId: 'H410105001',
      applicantId,
    });
    const files = app.materials.filter((m) => m.required).map((m) => pdf(m.code));
    const up = await b.postMultipart(`${base}/materials`, {}, files, { from: `${base}/materials` });
    assert.equal(up.statusCode, 303, up.body.slice(0, 500));
    const done = await b.post(`${base}/confirm`, {}, { from: `${base}/check` });
    assert.equal(done.statusCode, 303, done.body.slice(0, 1000));
    const n = /^\/workbench\/cases\/([^?]+)\?done=submit$/.exec(loc(done))?.[1];
    assert.ok(n, loc(done));
    const v = await t.app.inject({
      url: `/api/v1/cases/${decodeURIComponent(n)}`,
      headers: await bearer('citizen'),
    });
    assert.equal(v.statusCode, 200);
    assert.equal(v.json().channel, 'window');
    assert.equal(v.json().hallId, 'H410105001');
    assert.equal(v.json().materials.length, files.length);
  });

  test('the applicant step says at once when the person named is not known to the platform', async () => {
    const COUNTY_ITEM = '11410105414644738F05001200400000';
    const base = `/items/${COUNTY_ITEM}/apply`;
    const b = new WebSession(t);
    await b.login('clerk');
    const r = await b.post(
      `${base}/applicant`,
      { hallId: 'H410105001', applicantId: 'nobody-at-all', regionCode: '410105001' },
      { from: base },
    );
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /未找到该申请人/);
    assert.match(r.body, /href="#f-applicantId"/, 'the error summary links to the field');
  });

  test('the next citizen at the window starts afresh: nothing of the previous walk-in carries over', async () => {
    const COUNTY_ITEM = '11410105414644738F05001200400000';
    const base = `/items/${COUNTY_ITEM}/apply`;
    const b = new WebSession(t);
    await b.login('clerk');
    const clerkId = await accountOf('clerk');
    const first = String(await t.identity.accountIdByLogin('citizen'));
    const a = await b.post(
      `${base}/applicant`,
      { hallId: 'H410105001', applicantId: first, regionCode: '410105001', applicantName: '张三' },
      { from: base },
    );
    assert.equal(a.statusCode, 400); // not every answer yet; the draft is kept all the same
    const app = await t.cases.application(COUNTY_ITEM);
    const code = app!.materials[0]!.code;
    await b.postMultipart(`${base}/materials`, {}, [pdf(code)], { from: `${base}/materials` });
    assert.equal(await draftFileCount(clerkId, COUNTY_ITEM), 1);
    // the clerk's materials page offers no e-licences: the clerk's wallet is not the applicant's
    assert.doesNotMatch((await b.get(`${base}/materials`)).body, /name="licence\./);
    await b.post(
      `${base}/applicant`,
      { hallId: 'H410105001', applicantId: 'another-citizen', regionCode: '410105001' },
      { from: base },
    );
    assert.equal(await draftFileCount(clerkId, COUNTY_ITEM), 0);
    const page = await b.get(base);
    assert.doesNotMatch(page.body, /张三/);
  });
});

describe('abandoned drafts', () => {
  test('a draft and its files untouched for 30 days are let go; a draft in use stays', async () => {
    const COUNTY_ITEM = '11410105414644738F05001200400000';
    const b = new WebSession(t);
    await b.login('citizen');
    const citizenId = await accountOf('citizen');
    const app = await t.cases.application(COUNTY_ITEM);
    const code = app?.materials.find((m) => !m.licenceType)?.code ?? app?.materials[0]?.code ?? 'm01-doc';
    const base = `/items/${COUNTY_ITEM}/apply`;
    await b.postMultipart(`${base}/materials`, {}, [pdf(code)], { from: `${base}/materials` });
    assert.equal(await draftFileCount(citizenId, COUNTY_ITEM), 1);
    const was = clock.now().toISOString();
    try {
      clock.set(new Date(clock.now().getTime() + 31 * 86_400_000).toISOString());
      // another draft, touched today (through the service: the sign-in has expired by now)
      const me = { accountId: citizenId } as Principal;
      await t.cases.saveDraft(me, CITY_ITEM, { regionCode: '410105001', requestDetails: '今天' });
      const swept = await t.cases.sweepDrafts(30);
      assert.ok(swept.files >= 1, JSON.stringify(swept));
      assert.equal(await draftFileCount(citizenId, COUNTY_ITEM), 0);
      assert.equal((await t.cases.loadDraft(me, CITY_ITEM))?.requestDetails, '今天');
      assert.equal(await t.cases.loadDraft(me, COUNTY_ITEM), undefined);
    } finally {
      clock.set(was);
    }
  });
});

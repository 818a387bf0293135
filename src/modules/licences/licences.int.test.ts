import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { sql } from 'kysely';
import { type TongbanApp, buildApp } from '../../app.js';
import { testConfig } from '../../config/index.js';
import type { Store } from '../../platform/db/index.js';
import { ManualClock } from '../../kernel/index.js';
import { generateIdNumber } from '../../platform/codes/index.js';
import { publicKeyFromPem, sm2Verify } from '../../platform/crypto/index.js';
import type { EventsTables } from '../../platform/events/index.js';
import { openTestStore } from '../../../test/helpers/store.js';
import { DEMO_HOLDERS, DEMO_ISSUERS, DEMO_TYPES, demoType } from './licences.catalog.js';
import { renderLicencePdf } from './licences.pdf.js';
import type { HolderInput } from './licences.types.js';
import { translator } from '../../platform/i18n/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tongban-lic-'));
const clock = new ManualClock('2026-06-01T08:00:00Z');
let t: TongbanApp;
let store: Store;

before(async () => {
  store = await openTestStore();
  t = await buildApp({ config: testConfig(), store, clock, demo: 'off', startConsumers: false });
  await t.licences.upsertTypes(DEMO_TYPES);
  for (const i of Object.values(DEMO_ISSUERS)) await t.licences.upsertIssuer(i);
});
after(async () => {
  await t.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const issue = (
  typeName: string,
  holder: HolderInput = DEMO_HOLDERS.citizen,
  validTo: string | null = null,
  extra = {},
) => {
  const type = demoType(typeName);
  return t.licences.issueLicence({
    typeCode: type.code,
    issuerCode: DEMO_ISSUERS[type.defaultIssuer].code,
    holder: { ...holder },
    fields: { 住址: '郑州市金水区示范路1号' },
    validFrom: '2026-01-01',
    validTo,
    ...extra,
  });
};
const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers });
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: 'pipe' });

describe('e-licence lifecycle (issue → verify → revoke → verify)', () => {
  test('an issued licence verifies as valid, with a masked holder and a good signature', async () => {
    const { identifier } = await issue('居民户口簿');
    const res = await get(`/api/v1/licences/${identifier}/verify`);
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(body, {
      valid: true,
      status: 'valid',
      revoked: false,
      expired: false,
      identifier,
      type: '居民户口簿',
      issuer: '郑州市公安局金水分局',
      holder: '张*',
      validFrom: '2026-01-01',
      validTo: null,
      signatureValid: true,
    });
  });

  test('after revocation the public check says revoked and not valid', async () => {
    const { identifier } = await issue('结婚证');
    await t.licences.revokeLicence({ identifier, reason: '登记机关撤销' });
    const body = (await get(`/api/v1/licences/${identifier}/verify`)).json();
    assert.equal(body.revoked, true);
    assert.equal(body.valid, false);
    assert.equal(body.signatureValid, true);
    await assert.rejects(t.licences.revokeLicence({ identifier, reason: 'again' }), {
      code: 'LICENCES.ALREADY_REVOKED',
    });
  });

  test('a change issues version 002 with the same serial; the old version reads as revoked', async () => {
    const v1 = await issue('不动产权证书');
    const v2 = await issue('不动产权证书', DEMO_HOLDERS.citizen, null, { replaces: v1.identifier });
    assert.equal(v2.version, 2);
    assert.equal(
      v1.identifier.split('.').slice(0, -2).join('.'),
      v2.identifier.split('.').slice(0, -2).join('.'),
    );
    assert.match(v2.identifier, /\.002\.[0-9A-Z]$/);
    assert.equal((await get(`/api/v1/licences/${v1.identifier}/verify`)).json().revoked, true);
    assert.equal((await get(`/api/v1/licences/${v2.identifier}/verify`)).json().valid, true);
  });

  test('a replaced version reads as superseded (API and page), not as revoked', async () => {
    const v1 = await issue('不动产权证书');
    await issue('不动产权证书', DEMO_HOLDERS.citizen, null, { replaces: v1.identifier });
    assert.equal((await get(`/api/v1/licences/${v1.identifier}/verify`)).json().status, 'superseded');
    const page = await get(`/licences/verify/${v1.identifier}`, { accept: 'text/html' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /已换发新版本/);
    assert.doesNotMatch(page.body, /已注销/);
    const revoked = await issue('结婚证');
    await t.licences.revokeLicence({ identifier: revoked.identifier, reason: '登记机关撤销' });
    const revokedPage = await get(`/licences/verify/${revoked.identifier}`, { accept: 'text/html' });
    assert.match(revokedPage.body, /已注销/);
  });

  test('"today" is the date in China: at 01:00 Beijing (17:00 UTC the day before) it is already the next day', async () => {
    clock.set('2026-06-01T17:00:00Z');
    try {
      const { identifier } = await issue('居民户口簿', DEMO_HOLDERS.citizen, null, {
        validFrom: '2026-06-02',
      });
      const body = (await get(`/api/v1/licences/${identifier}/verify`)).json();
      assert.equal(body.status, 'valid');
      const s = (await get(`/api/v1/licences/${identifier}/signature`)).json();
      assert.equal(JSON.parse(Buffer.from(s.signedBytes, 'base64').toString('utf8')).issueDate, '2026-06-02');
    } finally {
      clock.set('2026-06-01T08:00:00Z');
    }
  });

  test('expiry is an event: past its end date a licence verifies as expired', async () => {
    const { identifier } = await issue('机动车驾驶证', DEMO_HOLDERS.citizen, '2026-06-30');
    clock.set('2026-07-02T08:00:00Z');
    try {
      assert.equal(await t.licences.markExpired(), 1);
      const body = (await get(`/api/v1/licences/${identifier}/verify`)).json();
      assert.equal(body.expired, true);
      assert.equal(body.valid, false);
      assert.equal(await t.licences.markExpired(), 0);
    } finally {
      clock.set('2026-06-01T08:00:00Z');
    }
  });

  test('events carry identifier, type and issuer only — no names or ID numbers', async () => {
    // read the outbox table directly: readEvents on PostgreSQL waits for every older transaction
    // in the cluster, which other test databases may hold open
    const mine = await store.db
      .withTables<EventsTables>()
      .selectFrom('events')
      .select(['type', 'payload', 'actor'])
      .where('type', 'like', 'licences.%')
      .execute();
    assert.ok(mine.some((e) => e.type === 'licences.issued'));
    assert.ok(mine.some((e) => e.type === 'licences.revoked'));
    assert.ok(mine.some((e) => e.type === 'licences.expired'));
    const text = JSON.stringify(mine);
    for (const h of Object.values(DEMO_HOLDERS)) {
      assert.equal(text.includes(h.idNumber), false);
      assert.equal(text.includes(h.name), false);
    }
  });
});

describe('signatures anyone can check with openssl', () => {
  test('signedBytes + signature + publicKeyPem from the API verify with `openssl dgst -sm3 -verify`', async () => {
    const { identifier } = await issue('营业执照', DEMO_HOLDERS.enterprise);
    const s = (await get(`/api/v1/licences/${identifier}/signature`)).json();
    assert.equal(s.algorithm, 'SM2-SM3');
    assert.equal(s.distinguishingId, '1234567812345678');
    const signed = Buffer.from(s.signedBytes, 'base64');
    // the signed bytes are RFC 8785 canonical JSON naming this licence
    assert.equal(JSON.parse(signed.toString('utf8')).identifier, identifier);
    assert.equal(signed.toString('utf8').includes(DEMO_HOLDERS.citizen.idNumber), false);
    writeFileSync(join(dir, 'pub.pem'), s.publicKeyPem);
    writeFileSync(join(dir, 'sig.der'), Buffer.from(s.signature, 'base64'));
    writeFileSync(join(dir, 'signed.json'), signed);
    const out = openssl(
      'dgst',
      '-sm3',
      '-verify',
      join(dir, 'pub.pem'),
      '-sigopt',
      'distid:1234567812345678',
      '-signature',
      join(dir, 'sig.der'),
      join(dir, 'signed.json'),
    );
    assert.match(out, /Verified OK/);

    // a tampered byte fails, with openssl and with the platform
    const tampered = Buffer.from(signed);
    tampered[20] = tampered[20]! ^ 0x01;
    writeFileSync(join(dir, 'tampered.json'), tampered);
    assert.throws(() =>
      openssl(
        'dgst',
        '-sm3',
        '-verify',
        join(dir, 'pub.pem'),
        '-sigopt',
        'distid:1234567812345678',
        '-signature',
        join(dir, 'sig.der'),
        join(dir, 'tampered.json'),
      ),
    );
    const pub = publicKeyFromPem(s.publicKeyPem);
    assert.equal(sm2Verify(signed, Buffer.from(s.signature, 'base64'), pub), true);
    assert.equal(sm2Verify(tampered, Buffer.from(s.signature, 'base64'), pub), false);
  });

  test('key rotation: new licences use the new key; older ones still verify with theirs', async () => {
    const type = demoType('食品经营许可证');
    const issuer = DEMO_ISSUERS[type.defaultIssuer].code;
    const before = await issue('食品经营许可证', DEMO_HOLDERS.enterprise, '2031-01-31');
    const oldKey = (await get(`/api/v1/licences/${before.identifier}/signature`)).json().keyId;
    const newKey = await t.licences.rotateKey(issuer);
    assert.notEqual(newKey, oldKey);
    const afterIssue = await issue('食品经营许可证', DEMO_HOLDERS.enterprise, '2031-01-31');
    assert.equal((await get(`/api/v1/licences/${afterIssue.identifier}/signature`)).json().keyId, newKey);
    assert.equal((await get(`/api/v1/licences/${before.identifier}/verify`)).json().signatureValid, true);
  });

  test('rotation for an issuer that does not exist is refused, and nothing is written', async () => {
    const keysBefore = await sql<{ n: number }>`select count(*) as n from licence_keys`.execute(store.db);
    await assert.rejects(t.licences.rotateKey('NOSUCHISSUER'), (e: unknown) => {
      assert.equal((e as { code?: string }).code, 'LICENCES.UNKNOWN_ISSUER');
      return true;
    });
    const keysAfter = await sql<{ n: number }>`select count(*) as n from licence_keys`.execute(store.db);
    assert.equal(Number(keysAfter.rows[0]!.n), Number(keysBefore.rows[0]!.n));
  });
});

describe('bad identifiers get a clear answer, never a 500', () => {
  test('unknown (well-formed, right check character) → 404 LICENCES.NOT_FOUND', async () => {
    const { identifier } = await issue('居民户口簿');
    const parts = identifier.split('.');
    const { formatIdentifier } = await import('./licences.identifier.js');
    const unknown = formatIdentifier({
      typeCode: parts[5]!,
      issuerCode: parts[6]!,
      serial: '99999999',
      version: 1,
    });
    const res = await get(`/api/v1/licences/${unknown}/verify`);
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'LICENCES.NOT_FOUND');
  });
  test('malformed → 400 LICENCES.MALFORMED_IDENTIFIER (API and signature endpoint)', async () => {
    for (const url of ['/api/v1/licences/not-an-id/verify', '/api/v1/licences/1.2.156.3005.2.X/signature']) {
      const res = await get(url);
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().error.code, 'LICENCES.MALFORMED_IDENTIFIER');
    }
  });
  test('a check character that does not match → 400 LICENCES.CHECK_CHARACTER, in English when asked', async () => {
    const { identifier } = await issue('居民户口簿');
    const last = identifier.slice(-1);
    const wrong = identifier.slice(0, -1) + (last === 'Z' ? 'Y' : 'Z');
    const res = await get(`/api/v1/licences/${wrong}/verify`, { 'accept-language': 'en' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'LICENCES.CHECK_CHARACTER');
    assert.match(res.json().error.message, /check character/);
  });
  test('the public page shows the problem on the form (400), not an error page', async () => {
    const res = await get('/licences/verify?id=1.2.3', { accept: 'text/html' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /证照标识格式不正确/);
    assert.match(res.body, /<label for="f-id"/);
  });
});

describe('public verification page and rate limit', () => {
  test('the page shows status, issuer, masked holder and the signature result without login', async () => {
    const { identifier } = await issue('居民户口簿');
    const res = await get(`/licences/verify/${identifier}`, { accept: 'text/html' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /该证照真实有效/);
    assert.match(res.body, /签名核验通过/);
    assert.match(res.body, /张\*/);
    assert.equal(res.body.includes(DEMO_HOLDERS.citizen.idNumber), false);
    const form = await get(`/licences/verify?id=${identifier.toLowerCase()}`, { accept: 'text/html' });
    assert.equal(form.statusCode, 200);
  });
  test('the verify API answers 429 COMMON.RATE_LIMITED past its limit', async () => {
    let last = 0;
    let code = '';
    for (let i = 0; i < 70; i++) {
      const r = await t.app.inject({
        method: 'GET',
        url: '/api/v1/licences/x/verify',
        remoteAddress: '10.9.9.9',
      });
      last = r.statusCode;
      if (last === 429) {
        code = r.json().error.code;
        break;
      }
    }
    assert.equal(last, 429);
    assert.equal(code, 'COMMON.RATE_LIMITED');
  });
});

describe('wallet and reuse (免提交)', () => {
  test('the wallet API needs a signed-in caller', async () => {
    const res = await get('/api/v1/licences?holder=me');
    assert.equal(res.statusCode, 401);
  });
  test('a linked account lists its licences; the ward’s licence shows to the guardian', async () => {
    const mine = await issue('出生医学证明', DEMO_HOLDERS.child);
    await t.licences.addGuardian({ ...DEMO_HOLDERS.child }, { ...DEMO_HOLDERS.citizen });
    await t.licences.linkHolderAccount('acct-citizen', DEMO_HOLDERS.citizen.idNumber);
    const list = await t.licences.listForAccount('acct-citizen');
    assert.ok(list.some((l) => l.typeName === '居民户口簿'));
    assert.ok(list.some((l) => l.identifier === mine.identifier));
    assert.equal((await t.licences.listForAccount('acct-stranger')).length, 0);
  });
  test('a material from a licence is trust level A; the use is recorded (who, which case, when)', async () => {
    const { identifier } = await issue('营业执照', DEMO_HOLDERS.enterprise);
    await t.licences.linkHolderAccount('acct-enterprise', DEMO_HOLDERS.enterprise.idNumber, '001');
    const offered = await t.licences.usableMaterials('acct-enterprise', [demoType('营业执照').code]);
    assert.ok(offered.some((o) => o.licenceIdentifier === identifier && o.trustLevel === 'A'));
    const m = await t.licences.materialFromLicence(identifier, 'acct-enterprise');
    assert.equal(m.trustLevel, 'A');
    assert.equal(m.licenceIdentifier, identifier);
    await t.licences.recordUse({
      identifier,
      accountId: 'acct-enterprise',
      caseNumber: 'ZZ2026060100001',
      departmentId: 'dept-1',
      purpose: '食品经营许可申请',
    });
    const uses = await t.licences.usesOf(identifier, 'acct-enterprise');
    assert.deepEqual(
      uses.map((u) => [u.caseNumber, u.departmentId, u.purpose]),
      [['ZZ2026060100001', 'dept-1', '食品经营许可申请']],
    );
    await assert.rejects(t.licences.materialFromLicence(identifier, 'acct-other'), {
      code: 'LICENCES.NOT_HOLDER',
    });
    await t.licences.revokeLicence({ identifier, reason: '吊销' });
    await assert.rejects(t.licences.materialFromLicence(identifier, 'acct-enterprise'), {
      code: 'LICENCES.NOT_USABLE',
    });
  });
  test('the wallet reads every licence’s uses at once, the same as usesOf per licence', async () => {
    await t.licences.linkHolderAccount('acct-wallet', DEMO_HOLDERS.enterprise.idNumber, '001');
    const a = await issue('营业执照', DEMO_HOLDERS.enterprise);
    const b = await issue('食品经营许可证', DEMO_HOLDERS.enterprise, '2031-01-31');
    const use = (identifier: string, caseNumber: string) =>
      t.licences.recordUse({
        identifier,
        accountId: 'acct-wallet',
        caseNumber,
        departmentId: null,
        purpose: '申请',
      });
    await use(a.identifier, 'ZZ2026060100011');
    clock.set('2026-06-01T09:00:00Z');
    try {
      await use(a.identifier, 'ZZ2026060100012');
      await use(b.identifier, 'ZZ2026060100013');
    } finally {
      clock.set('2026-06-01T08:00:00Z');
    }
    const wallet = await t.licences.walletOf('acct-wallet');
    assert.deepEqual(
      wallet.licences.map((l) => l.identifier).sort(),
      (await t.licences.listForAccount('acct-wallet')).map((l) => l.identifier).sort(),
    );
    for (const l of wallet.licences)
      assert.deepEqual(wallet.uses.get(l.identifier), await t.licences.usesOf(l.identifier, 'acct-wallet'));
    assert.deepEqual(
      wallet.uses.get(a.identifier)?.map((u) => u.caseNumber),
      ['ZZ2026060100012', 'ZZ2026060100011'],
    );
    assert.deepEqual(
      wallet.uses.get(b.identifier)?.map((u) => u.caseNumber),
      ['ZZ2026060100013'],
    );
  });
  test('the holder’s PDF parses, names the licence and embeds its identifier', async () => {
    const { identifier } = await issue('居民户口簿');
    await t.licences.linkHolderAccount('acct-pdf', DEMO_HOLDERS.citizen.idNumber);
    const doc = await t.licences.documentFor(identifier, 'acct-pdf');
    const pdf = await renderLicencePdf(
      {
        typeName: doc.summary.typeName,
        identifier,
        licenceNumber: doc.summary.licenceNumber,
        holderName: doc.holderName,
        holderId: doc.holderId,
        issuerName: doc.summary.issuerName,
        issueDate: doc.summary.issueDate,
        validity: '2026-01-01 — 长期',
        version: 1,
        keyId: doc.keyId,
        fields: doc.fields,
        verifyUrl: `http://127.0.0.1:3000/licences/verify/${identifier}`,
      },
      translator('zh-CN'),
    );
    const parsed = await PDFDocument.load(pdf);
    assert.equal(parsed.getPageCount(), 1);
    assert.equal(parsed.getSubject(), identifier);
    assert.match(parsed.getTitle() ?? '', /居民户口簿/);
    assert.match(Buffer.from(pdf).toString('latin1'), /FontFile3|FontFile2/);
  });
});

describe('contract', () => {
  test('the licence routes are in the OpenAPI document', async () => {
    const doc = (await get('/api/openapi.json')).json();
    for (const p of [
      '/api/v1/licences',
      '/api/v1/licences/{identifier}/verify',
      '/api/v1/licences/{identifier}/signature',
    ]) {
      assert.ok(doc.paths[p]?.get, p);
    }
  });
  test('zh-CN and en messages have the same keys', async () => {
    const { licencesMessages } = await import('./licences.messages.js');
    assert.deepEqual(Object.keys(licencesMessages.en).sort(), Object.keys(licencesMessages['zh-CN']).sort());
  });
});

describe('import (存量证照入库)', () => {
  const type = DEMO_TYPES.find((x) => x.name === '道路运输经营许可证')!;
  const row = (n: number) => ({
    typeCode: type.code,
    issuerCode: DEMO_ISSUERS.transport.code,
    holder: { ...DEMO_HOLDERS.enterprise },
    licenceNumber: `豫交运管许可郑字${410100000000 + n}号`,
    validFrom: '2025-01-01',
    validTo: '2028-12-31',
  });
  const bar = () => ({ tick() {}, done() {} });
  test('all or nothing: a bad row imports nothing and is reported by its row number', async () => {
    const before = (await t.licences.listForAccount('acct-import')).length;
    const bad = { ...row(2), holder: { ...DEMO_HOLDERS.citizen, idNumber: '410105199003070115' } };
    const r = await t.licences.importLicences([row(1), bad, { ...row(3), typeCode: 'NOPE' }], () => bar());
    assert.ok('problems' in r);
    assert.deepEqual(
      r.problems.map((p) => [p.row, p.field]),
      [
        [2, 'holder.idNumber'],
        [3, 'typeCode'],
      ],
    );
    await t.licences.linkHolderAccount('acct-import', DEMO_HOLDERS.enterprise.idNumber, '001');
    assert.equal(
      (await t.licences.listForAccount('acct-import')).filter((l) => l.typeName === type.name).length,
      before,
    );
  });
  test('a newborn’s ID number is checked against the date in China and the injected clock', async () => {
    const birth = demoType('出生医学证明');
    const newborn = {
      typeCode: birth.code,
      issuerCode: DEMO_ISSUERS[birth.defaultIssuer].code,
      holder: {
        name: '张小宝',
        idType: '111',
        idNumber: generateIdNumber({ regionCode: '410105', birthDate: '2026-06-02', sex: 'male' }),
      },
      validFrom: '2026-06-02',
      validTo: null,
    };
    // 2026-06-01 20:00 UTC is 2026-06-02 04:00 in Beijing: born today, not in the future
    clock.set('2026-06-01T20:00:00Z');
    try {
      const r = await t.licences.importLicences([newborn], () => bar());
      assert.ok('imported' in r, JSON.stringify(r));
      assert.equal(r.imported, 1);
    } finally {
      clock.set('2026-06-01T08:00:00Z');
    }
    // the day before in China, the same birth date is in the future
    const early = await t.licences.importLicences([newborn], () => bar());
    assert.ok('problems' in early);
    assert.deepEqual(
      early.problems.map((p) => [p.row, p.field, p.code]),
      [[1, 'holder.idNumber', 'LICENCES.INVALID_HOLDER']],
    );
  });
  test('a clean file is imported in one go', async () => {
    const r = await t.licences.importLicences([row(4), row(5)], () => bar());
    assert.ok('imported' in r);
    assert.equal(r.imported, 2);
    assert.equal((await get(`/api/v1/licences/${r.identifiers[0]}/verify`)).json().valid, true);
  });
});

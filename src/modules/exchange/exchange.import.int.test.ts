import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { sql } from '../../platform/db/index.js';
import { generateCreditCode, generateIdNumber } from '../../platform/codes/index.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { DEMO_PEOPLE } from '../identity/identity.demo.js';
import { DEMO_RESOURCES } from './exchange.seed.js';

/** The base registers import CSV and JSON all or nothing, with the catalogue import's row check. */

const person = (seq: number, over: Record<string, string> = {}) => {
  const idNumber = generateIdNumber({
    regionCode: '410105',
    birthDate: '1985-04-0' + (1 + (seq % 9)),
    sex: 'male',
    sequence: seq,
  });
  return {
    idNumber,
    name: `导入${seq}`,
    gender: '男',
    birthDate: `1985-04-0${1 + (seq % 9)}`,
    division: '410105',
    address: `河南省郑州市金水区经三路${seq}号`,
    householdType: '家庭户',
    relationToHead: '户主',
    maritalStatus: '已婚',
    ...over,
  };
};
const flipCheck = (id: string) => id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
const csvOf = (rows: Array<Record<string, string>>) => {
  const cols = Object.keys(rows[0]!);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => r[c] ?? '').join(','))].join('\n');
};
const count = async (t: TongbanApp, table: string) =>
  Number(
    (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(t.store.db)).rows[0]!.n,
  );

describe('exchange › register import (CSV and JSON, all or nothing)', () => {
  let t: TongbanApp;
  let admin: string;
  let discloser: string; // provider of 法人库 (市场监管), not of 人口库 (公安)
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    admin = (await t.identity.tokenForLogin('admin', 3600_000)).token;
    discloser = (await t.identity.tokenForLogin('discloser', 3600_000)).token;
  });
  after(async () => t.close());

  const post = (token: string, register: string, format: 'csv' | 'json', data: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/exchange/registers/${register}/import`,
      headers: { authorization: `Bearer ${token}` },
      payload: { format, data },
    });

  test('bad rows: every one listed by row number, column and rule, without its values; nothing written', async () => {
    const before = await count(t, 'exchange_population');
    const good = person(201);
    const rows = [
      good,
      { ...person(202), idNumber: flipCheck(person(202).idNumber) }, // bad check character
      person(203, { birthDate: '1990-01-01' }), // does not match the ID number
      person(204, { maritalStatus: '同居' }), // not an allowed value
      { ...good, name: '重复' }, // duplicate of row 2 (line 2)
      person(205, { name: '' }), // required
    ];
    const r = await post(admin, 'population', 'csv', csvOf(rows));
    assert.equal(r.statusCode, 422, r.body);
    const e = r.json().error;
    assert.equal(e.code, 'EXCHANGE.IMPORT_INVALID');
    const got = e.details.issues.map((i: { row: number; field: string; rule: string }) => [
      i.row,
      i.field,
      i.rule,
    ]);
    assert.deepEqual(got, [
      [3, 'idNumber', 'IMPORT.INVALID_ID_NUMBER'],
      [4, 'birthDate', 'IMPORT.ID_MISMATCH'],
      [5, 'maritalStatus', 'IMPORT.BAD_VALUE'],
      [6, 'idNumber', 'IMPORT.DUPLICATE_KEY'],
      [7, 'name', 'IMPORT.REQUIRED'],
    ]);
    for (const i of e.details.issues) assert.ok(i.message.zh && i.message.en);
    assert.ok(!r.body.includes(good.idNumber), 'no ID number in the report');
    assert.equal(await count(t, 'exchange_population'), before, 'nothing written');
    // JSON rows are numbered from 1
    const j = await post(admin, 'population', 'json', JSON.stringify([good, person(206, { gender: '女' })]));
    assert.equal(j.statusCode, 422);
    assert.deepEqual(
      j.json().error.details.issues.map((i: { row: number; rule: string }) => [i.row, i.rule]),
      [[2, 'IMPORT.ID_MISMATCH']],
    );
    assert.equal(await count(t, 'exchange_population'), before);
    // a file that cannot be read at all
    const cols = await post(admin, 'population', 'csv', 'idNumber,shoeSize\n1,2');
    assert.equal(cols.statusCode, 400);
    assert.equal(cols.json().error.code, 'EXCHANGE.IMPORT_FORMAT');
    const notJson = await post(admin, 'population', 'json', '{"rows": 3');
    assert.equal(notJson.json().error.code, 'EXCHANGE.IMPORT_FORMAT');
  });

  test('good rows are written (sealed, found by their keyed hash) and read through a lookup; a re-import replaces', async () => {
    const rows = [person(301), person(302), person(303)];
    const r = await post(admin, 'population', 'csv', csvOf(rows));
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().imported, 3);
    const raw = await sql<{ id_sealed: string; address_sealed: string }>`
      select id_sealed, address_sealed from exchange_population where name = ${'导入301'}`.execute(
      t.store.db,
    );
    assert.equal(raw.rows.length, 1);
    assert.ok(
      !raw.rows[0]!.id_sealed.includes(rows[0]!.idNumber) && !raw.rows[0]!.address_sealed.includes('经三路'),
    );
    const again = await post(
      admin,
      'population',
      'json',
      JSON.stringify({ rows: [{ ...rows[0], maritalStatus: '离婚' }] }),
    );
    assert.equal(again.json().imported, 1);
    const m = await sql<{
      marital_status: string;
    }>`select marital_status from exchange_population where name = ${'导入301'}`.execute(t.store.db);
    assert.deepEqual(
      m.rows.map((x) => x.marital_status),
      ['离婚'],
    );
    // the imported person answers a lookup (民政局 holds the population grant at seed)
    const dept = (
      await sql<{
        id: string;
      }>`select id from regions_departments where kind = 'mzj' and region_code = '410100'`.execute(t.store.db)
    ).rows[0]!.id;
    const c = await t.exchange.addConsumer({ departmentId: dept, name: 'import-test' });
    const tok = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret },
      })
    ).json().access_token;
    const read = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/lookup',
      headers: { authorization: `Bearer ${tok}` },
      payload: { resource: DEMO_RESOURCES.population, key: rows[1]!.idNumber, purpose: '导入核对' },
    });
    assert.equal(read.statusCode, 200, read.body);
    assert.equal(read.json().record.name, '导****'); // 导入302, masked
  });

  test('legal persons and social insurance import; only a provider of the register may import', async () => {
    const code = generateCreditCode({
      regionCode: '410105',
      serial: 77_000_001,
      authority: '9',
      category: '1',
    });
    const lp = {
      creditCode: code,
      name: '郑州导入测试有限公司',
      type: '有限责任公司',
      legalRepresentative: '李导入',
      legalRepresentativeIdNumber: person(401).idNumber,
      registeredCapitalFen: '100000000',
      address: '河南省郑州市金水区花园路1号',
      status: '存续',
      establishedOn: '2020-05-06',
      division: '410105',
    };
    // 市场监管 provides 法人库: it may import legal persons, not people
    const ok = await post(discloser, 'legalPersons', 'csv', csvOf([lp]));
    assert.equal(ok.statusCode, 200, ok.body);
    const e = await t.exchange.legalPersons.lookup(code);
    assert.equal(e?.name, '郑州导入测试有限公司');
    const before = await count(t, 'exchange_population');
    const attack = await post(discloser, 'population', 'csv', csvOf([person(402)]));
    assert.equal(attack.statusCode, 403);
    assert.equal(attack.json().error.code, 'EXCHANGE.NOT_PROVIDER');
    assert.equal(await count(t, 'exchange_population'), before);
    const bad = await post(
      discloser,
      'legalPersons',
      'csv',
      csvOf([{ ...lp, creditCode: '91410105MA00000000' }]),
    );
    assert.equal(bad.statusCode, 422);
    assert.equal(bad.json().error.details.issues[0].rule, 'IMPORT.INVALID_CREDIT_CODE');
    const si = {
      idNumber: person(403).idNumber,
      name: '社保导入',
      insuranceTypes: '职工基本养老保险',
      employer: '郑州导入测试有限公司',
      status: '正常参保',
      firstInsuredOn: '2015-07-01',
      monthsPaid: 'many',
    };
    const badSi = await post(admin, 'socialInsurance', 'json', JSON.stringify([si]));
    assert.equal(badSi.statusCode, 422);
    assert.equal(badSi.json().error.details.issues[0].field, 'monthsPaid');
    const goodSi = await post(
      admin,
      'socialInsurance',
      'json',
      JSON.stringify([{ ...si, monthsPaid: '120' }]),
    );
    assert.equal(goodSi.statusCode, 200, goodSi.body);
    assert.equal(goodSi.json().imported, 1);
  });

  test('bulk files: only for a bulk grant, masked per the grant, every line an access record the subject sees', async () => {
    const tokenOf = async (kind: string) => {
      const dept = (
        await sql<{
          id: string;
        }>`select id from regions_departments where kind = ${kind} and region_code = '410100'`.execute(
          t.store.db,
        )
      ).rows[0]!.id;
      const c = await t.exchange.addConsumer({ departmentId: dept, name: `bulk-${kind}` });
      return (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/token',
          payload: {
            grant_type: 'client_credentials',
            client_id: c.client_id,
            client_secret: c.client_secret,
          },
        })
      ).json().access_token as string;
    };
    const fgj = await tokenOf('fgj');
    const mzj = await tokenOf('mzj'); // its seeded grant is for lookups, not bulk files
    const exp = (token: string, body: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/exchange/exports',
        headers: { authorization: `Bearer ${token}` },
        payload: body,
      });
    const citizen = DEMO_PEOPLE.citizen;
    const absent = generateIdNumber({
      regionCode: '410105',
      birthDate: '1999-09-09',
      sex: 'female',
      sequence: 998,
    });
    const keys = [citizen.idNumber, 'not-an-id', absent];
    const base = { resource: DEMO_RESOURCES.population, keys, purpose: '公租房年度资格复核' };
    // no bulk grant: refused, and a refused read recorded for every key asked
    const before = await count(t, 'exchange_access');
    const refused = await exp(mzj, base);
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().error.code, 'EXCHANGE.BULK_NOT_GRANTED');
    assert.equal(await count(t, 'exchange_access'), before + 3);
    // 住房保障 asks for a bulk grant (无条件: granted at once) on three fields, name in clear not allowed
    const req = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/requests',
      headers: { authorization: `Bearer ${fgj}` },
      payload: {
        resource: DEMO_RESOURCES.population,
        fields: ['name', 'gender', 'birthDate'],
        clearFields: ['gender'],
        purpose: '公共租赁住房年度资格复核',
        legalBasis: '《公共租赁住房管理办法》第七条',
        period: { from: '2026-01-01', to: '2030-12-31' },
        volume: 5000,
        bulk: true,
      },
    });
    assert.equal(req.json().status, 'granted', req.body);
    const notGranted = await exp(fgj, { ...base, fields: ['name', 'address'] });
    assert.equal(notGranted.json().error.code, 'EXCHANGE.FIELD_NOT_GRANTED');
    const csv = await exp(fgj, base);
    assert.equal(csv.statusCode, 200, csv.body);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    assert.equal(lines[0], 'row,accessId,outcome,name,gender,birthDate');
    const cells = lines.slice(1).map((l) => l.split(','));
    assert.deepEqual(
      cells.map((c) => [c[0], c[2], c[3], c[4], c[5]]),
      [
        ['1', 'ok', '张*', '男', '1990-**-**'],
        ['2', 'EXCHANGE.KEY_INVALID', '', '', ''],
        ['3', 'EXCHANGE.SUBJECT_NOT_FOUND', '', '', ''],
      ],
    );
    assert.ok(
      !csv.body.includes(citizen.name) &&
        !csv.body.includes(citizen.idNumber) &&
        !csv.body.includes('1990-03-07'),
    );
    // every line is a committed access record with the grant; the citizen sees the export's read
    const ids = cells.map((c) => c[1]!);
    const rows = await sql<{ id: string; outcome: string; grant_id: string | null }>`
      select id, outcome, grant_id from exchange_access where id in (${sql.join(ids)})`.execute(t.store.db);
    assert.equal(rows.rows.length, 3);
    assert.ok(rows.rows.every((r) => r.grant_id));
    const me = (await t.identity.tokenForLogin('citizen', 3600_000)).token;
    const mine = await t.app.inject({
      url: '/api/v1/me/data-access',
      headers: { authorization: `Bearer ${me}` },
    });
    assert.ok(
      mine
        .json()
        .records.some(
          (r: { id: string; purpose: string }) => r.id === ids[0] && r.purpose === '公租房年度资格复核',
        ),
    );
    // JSON carries the same lines
    const json = await exp(fgj, { ...base, keys: [citizen.idNumber], format: 'json' });
    assert.equal(json.statusCode, 200, json.body);
    assert.deepEqual(json.json().rows[0].record, { name: '张*', gender: '男', birthDate: '1990-**-**' });
  });
});

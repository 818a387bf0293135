import { chinaDate } from '../../kernel/index.js';
import { parseIdNumber } from '../../platform/codes/index.js';
import { inTransaction } from '../../platform/db/index.js';
import { publishResource } from './exchange.catalogue.js';
import type { ExchangeContext } from './exchange.context.js';
import { addConsumer, decideRequest, requestResource } from './exchange.grants.js';
import {
  type PersonFacts,
  generatedCompany,
  generatedPerson,
  insertRows,
  legalPersonRow,
  populationRow,
  registerStatus,
} from './exchange.registers.js';
import type { DataItem, ResourceInput } from './exchange.types.js';

/** The demo catalogue's resource codes (信息资源代码: 类-区划-提供方-库-序号). */
export const DEMO_RESOURCES = {
  population: '1-410100-GA-RK-0001',
  marriage: '1-410100-MZ-HY-0001',
  legalPersons: '1-410100-SJ-FR-0001',
  socialInsurance: '3-410100-RS-SB-0001',
  biometrics: '1-410100-GA-RK-0009',
  businessLicence: '2-410100-SJ-ZZ-0001',
} as const;

const item = (
  name: string,
  label: string,
  type: DataItem['type'],
  sensitivity: DataItem['sensitivity'],
  mask: DataItem['mask'],
): DataItem => ({ name, label, type, sensitivity, mask });

/** The demo catalogue: the base registers' resources, of each share type. */
export function demoCatalogue(providers: {
  gaj: string;
  mzj: string;
  scjgj: string;
  rsj: string;
}): ResourceInput[] {
  const common = { regionCode: '410100', demo: true, openType: 'notOpen' as const };
  return [
    {
      ...common,
      code: DEMO_RESOURCES.population,
      name: '人口基本信息',
      classification: 'basic',
      category: '1/01/001/0001',
      providerDepartmentId: providers.gaj,
      summary: '人口库中的公民身份号码、姓名、性别、出生日期、户籍地址等基本信息。',
      register: 'population',
      items: [
        item('idNumber', '公民身份号码', 'code', 'sensitive', 'idNumber'),
        item('name', '姓名', 'string', 'sensitive', 'name'),
        item('gender', '性别', 'code', 'internal', 'none'),
        item('birthDate', '出生日期', 'date', 'internal', 'date'),
        item('division', '户籍地行政区划', 'code', 'internal', 'none'),
        item('address', '户籍地址', 'string', 'sensitive', 'address'),
        item('householdType', '户别', 'code', 'internal', 'none'),
        item('relationToHead', '与户主关系', 'code', 'internal', 'none'),
      ],
      shareType: 'unconditional',
      legalBasis: '《政务数据共享条例》第十二条（基础库无条件共享）',
      methods: ['api', 'bulk'],
      updateCycle: 'realtime',
    },
    {
      ...common,
      code: DEMO_RESOURCES.marriage,
      name: '婚姻登记与生死状态信息',
      classification: 'theme',
      category: '2/03/002/0001',
      providerDepartmentId: providers.mzj,
      summary: '婚姻状况与死亡登记信息，用于婚育、社会救助、养老待遇资格核验。',
      register: 'population',
      items: [
        item('idNumber', '公民身份号码', 'code', 'sensitive', 'idNumber'),
        item('name', '姓名', 'string', 'sensitive', 'name'),
        item('maritalStatus', '婚姻状况', 'code', 'sensitive', 'hidden'),
        item('deathDate', '死亡日期', 'date', 'sensitive', 'hidden'),
      ],
      shareType: 'conditional',
      shareCondition: '仅限办理婚育、社会救助、养老待遇等法定事项时核验使用',
      legalBasis: '《婚姻登记条例》；《社会救助暂行办法》',
      methods: ['api'],
      updateCycle: 'daily',
    },
    {
      ...common,
      code: DEMO_RESOURCES.legalPersons,
      name: '法人基本信息',
      classification: 'basic',
      category: '1/02/001/0001',
      providerDepartmentId: providers.scjgj,
      summary: '法人库中的统一社会信用代码、名称、类型、法定代表人、注册资本、住所和登记状态。',
      register: 'legalPersons',
      items: [
        item('creditCode', '统一社会信用代码', 'code', 'public', 'none'),
        item('name', '名称', 'string', 'public', 'none'),
        item('type', '类型', 'code', 'public', 'none'),
        item('legalRepresentative', '法定代表人', 'string', 'internal', 'name'),
        item('legalRepresentativeIdNumber', '法定代表人身份号码', 'code', 'sensitive', 'idNumber'),
        item('registeredCapital', '注册资本（分）', 'money', 'public', 'none'),
        item('address', '住所', 'string', 'public', 'none'),
        item('status', '登记状态', 'code', 'public', 'none'),
        item('establishedOn', '成立日期', 'date', 'public', 'none'),
        item('division', '登记机关区划', 'code', 'public', 'none'),
      ],
      shareType: 'unconditional',
      legalBasis: '《政务数据共享条例》第十二条（基础库无条件共享）',
      methods: ['api', 'bulk'],
      updateCycle: 'realtime',
    },
    {
      // the e-licence directory (电子证照目录) as a register: read from the licences module
      ...common,
      code: DEMO_RESOURCES.businessLicence,
      name: '电子营业执照',
      classification: 'theme',
      category: '2/02/003/0001',
      providerDepartmentId: providers.scjgj,
      summary: '电子证照目录中市场主体持有的营业执照（标识、编号、状态、签发与有效期）及其他有效证照类型。',
      register: 'licences',
      items: [
        item('creditCode', '统一社会信用代码', 'code', 'public', 'none'),
        item('businessLicence', '营业执照证照标识', 'code', 'public', 'none'),
        item('businessLicenceNumber', '营业执照编号', 'code', 'public', 'none'),
        item('businessLicenceStatus', '营业执照状态', 'code', 'public', 'none'),
        item('businessLicenceIssuedOn', '签发日期', 'date', 'public', 'none'),
        item('businessLicenceValidTo', '有效期至', 'date', 'public', 'none'),
        item('businessLicenceIssuer', '发证机关', 'string', 'public', 'none'),
        item('validLicenceTypes', '持有的有效证照类型', 'string', 'public', 'none'),
        item('licenceCount', '有效证照数', 'integer', 'public', 'none'),
      ],
      shareType: 'unconditional',
      legalBasis: '《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》（电子证照共享互认）',
      methods: ['api', 'bulk'],
      updateCycle: 'realtime',
    },
    {
      ...common,
      code: DEMO_RESOURCES.socialInsurance,
      name: '社会保险参保缴费信息',
      classification: 'department',
      category: '3/05/001/0002',
      providerDepartmentId: providers.rsj,
      summary: '参保险种、参保单位、参保状态、首次参保日期和累计缴费月数。',
      register: 'socialInsurance',
      items: [
        item('idNumber', '公民身份号码', 'code', 'sensitive', 'idNumber'),
        item('name', '姓名', 'string', 'sensitive', 'name'),
        item('insuranceTypes', '参保险种', 'string', 'internal', 'none'),
        item('employer', '参保单位', 'string', 'internal', 'none'),
        item('status', '参保状态', 'code', 'internal', 'none'),
        item('firstInsuredOn', '首次参保日期', 'date', 'internal', 'date'),
        item('monthsPaid', '累计缴费月数', 'integer', 'internal', 'none'),
      ],
      shareType: 'conditional',
      shareCondition: '用于就业、社保待遇、人才引进等事项的资格核验',
      legalBasis: '《中华人民共和国社会保险法》',
      methods: ['api'],
      updateCycle: 'monthly',
    },
    {
      ...common,
      code: DEMO_RESOURCES.biometrics,
      name: '人口生物识别信息',
      classification: 'basic',
      category: '1/01/001/0009',
      providerDepartmentId: providers.gaj,
      summary: '人像、指纹等生物识别信息，不予共享。',
      register: 'population',
      items: [item('idNumber', '公民身份号码', 'code', 'sensitive', 'idNumber')],
      shareType: 'none',
      legalBasis: '《中华人民共和国个人信息保护法》第二十八条、《中华人民共和国居民身份证法》第六条',
      methods: ['api'],
      updateCycle: 'realtime',
    },
  ];
}

const DEMO_ADDRESS = '河南省郑州市金水区经八路街道纬五路21号院3号楼2单元501室';
const DEMO_EMPLOYER = '郑州通办示范科技有限公司';

/** A demo person's register facts from their ID number (birth date, sex and division come from it). */
export function demoPersonFacts(p: { name: string; idNumber: string }, i: number): PersonFacts {
  const parsed = parseIdNumber(p.idNumber);
  return {
    idNumber: p.idNumber,
    name: p.name,
    gender: parsed?.sex === 'female' ? '女' : '男',
    birthDate: parsed?.birthDate ?? '1990-01-01',
    regionCode: p.idNumber.slice(0, 6),
    address: DEMO_ADDRESS.replace('501', String(501 + i)),
    householdType: '家庭户',
    relationToHead: i === 0 ? '户主' : '配偶',
    maritalStatus: '已婚',
    deathDate: null,
  };
}

/** How many generated people and companies the default demo adds beside the named ones. */
export const DEMO_GENERATED = { people: 200, companies: 50 } as const;

/**
 * The demo: the catalogue, the registers (the demo people and companies, then a few hundred
 * generated ones, all marked demo), two consumer departments — 民政局 with a grant on the
 * population register, 住房保障和房地产管理局 without one — and the 市场监督管理局 (which decides
 * the demo items) with one, for cases.
 */
export async function seedDemo(ctx: ExchangeContext): Promise<void> {
  const by = async (kind: string) => (await ctx.ports.regions.departmentByKind('410100', kind))?.id;
  const [gaj, mzj, scjgj, rsj, fgj] = await Promise.all(['gaj', 'mzj', 'scjgj', 'rsj', 'fgj'].map(by));
  if (!gaj || !mzj || !scjgj || !rsj || !fgj) return;
  for (const r of demoCatalogue({ gaj, mzj, scjgj, rsj })) await publishResource(ctx, null, r);

  const now = ctx.clock.now().toISOString();
  const people = ctx.ports.demo?.people() ?? [];
  const companies = ctx.ports.demo?.companies() ?? [];
  await inTransaction(ctx.db, async (trx) => {
    const pop = people.map((p, i) => populationRow(ctx.cipher, demoPersonFacts(p, i), true, now));
    for (let i = 0; i < DEMO_GENERATED.people; i++)
      pop.push(populationRow(ctx.cipher, generatedPerson(i), true, now));
    await insertRows(trx, 'exchange_population', pop);
    const lp = companies.map((c, i) =>
      legalPersonRow(
        ctx.cipher,
        {
          creditCode: c.creditCode,
          name: c.name,
          type: '有限责任公司',
          legalRepresentative: c.legalRepresentative,
          registeredCapitalFen: 100_000_000 * (i + 1),
          address: `河南省郑州市金水区经八路${10 + i}号`,
          status: registerStatus(c.status),
          establishedOn: '2026-01-05',
          regionCode: c.creditCode.slice(2, 8),
        },
        true,
        now,
      ),
    );
    for (let i = 0; i < DEMO_GENERATED.companies; i++)
      lp.push(legalPersonRow(ctx.cipher, generatedCompany(i), true, now));
    await insertRows(trx, 'exchange_legal_persons', lp);
    await insertRows(
      trx,
      'exchange_social_insurance',
      people.map((p, i) => ({
        id_hash: ctx.cipher.lookupHash('idNumber', p.idNumber),
        name: p.name,
        insurance_types: '职工基本养老保险、职工基本医疗保险、失业保险、工伤保险',
        employer: DEMO_EMPLOYER,
        status: '正常参保',
        first_insured_on: `201${i}-07-01`,
        months_paid: 96 - i * 12,
        region_code: '410105',
        demo: 1,
        updated_at: now,
      })),
    );
  });

  // consumer departments: each a registered client (its secret is not kept: `tongban exchange
  // consumer add` gives a department new credentials); grants are held by the department
  const today = chinaDate(now);
  const period = { from: today, to: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}` };
  for (const [dept, name] of [
    [mzj, '社会救助核对系统'],
    [fgj, '住房保障审核系统'],
    [scjgj, '市场主体登记系统'],
  ] as const)
    await addConsumer(ctx, { departmentId: dept, name });
  const seedProvider = {
    accountId: 'system:seed',
    kind: 'staff' as const,
    login: 'seed',
    displayName: 'seed',
    realNameLevel: 0 as const,
    grants: [{ role: 'seed', permissions: ['exchange.manage'], regionPrefix: '', departmentId: null }],
    via: 'bearer' as const,
  };
  const system = {
    accountId: 'system:seed',
    kind: 'staff' as const,
    login: 'seed',
    displayName: 'seed',
    realNameLevel: 0 as const,
    grants: [],
    via: 'bearer' as const,
  };
  await requestResource(
    ctx,
    system,
    {
      resource: DEMO_RESOURCES.population,
      fields: ['idNumber', 'name', 'gender', 'birthDate', 'division', 'householdType'],
      clearFields: ['gender', 'division'],
      purpose: '最低生活保障申请家庭经济状况核对',
      legalBasis: '《社会救助暂行办法》第十一条',
      period,
      volume: 2000,
    },
    { departmentId: mzj },
  );
  // name and address in clear: the apply forms of its items are prefilled from them (the applicant
  // confirms them; issue 12 item 7), so the 公安局 decides the request (sensitive items in clear)
  const scjgjPopulation = await requestResource(
    ctx,
    system,
    {
      resource: DEMO_RESOURCES.population,
      fields: [
        'idNumber',
        'name',
        'gender',
        'birthDate',
        'division',
        'address',
        'householdType',
        'relationToHead',
      ],
      clearFields: ['name', 'address'],
      purpose: '办理市场主体登记及许可事项时核验申请人身份与户籍信息，并预填申请表',
      legalBasis: '《中华人民共和国市场主体登记管理条例》第十五条',
      period,
      volume: 5000,
    },
    { departmentId: scjgj },
  );
  if (scjgjPopulation.status === 'pending')
    await decideRequest(ctx, seedProvider, scjgjPopulation.id, { decision: 'grant' });
  await requestResource(
    ctx,
    system,
    {
      resource: DEMO_RESOURCES.legalPersons,
      fields: [
        'creditCode',
        'name',
        'type',
        'legalRepresentative',
        'registeredCapital',
        'address',
        'status',
        'establishedOn',
      ],
      clearFields: ['legalRepresentative'],
      purpose: '办理许可事项时核验市场主体登记信息（免交营业执照），并预填申请表',
      legalBasis: '《优化营商环境条例》第三十五条',
      period,
      volume: 5000,
    },
    { departmentId: scjgj },
  );
  // 营业执照 at submission from the e-licence directory, for the items the 市场监管 decides
  await requestResource(
    ctx,
    system,
    {
      resource: DEMO_RESOURCES.businessLicence,
      fields: [
        'creditCode',
        'businessLicence',
        'businessLicenceNumber',
        'businessLicenceStatus',
        'businessLicenceIssuedOn',
        'businessLicenceValidTo',
        'businessLicenceIssuer',
      ],
      purpose: '办理市场主体变更及许可事项时调取营业执照（免交营业执照）',
      legalBasis: '《优化营商环境条例》第三十五条',
      period,
      volume: 5000,
    },
    { departmentId: scjgj },
  );
  // the 公安局 reads the 户口 facts of the people applying for its 户口 items (免交户口簿)
  await requestResource(
    ctx,
    system,
    {
      resource: DEMO_RESOURCES.population,
      fields: ['name', 'gender', 'birthDate', 'division', 'address', 'householdType', 'relationToHead'],
      purpose: '办理户口登记和迁移事项时核验申请人户籍信息（免交户口簿）',
      legalBasis: '《中华人民共和国户口登记条例》',
      period,
      volume: 5000,
    },
    { departmentId: gaj },
  );
  // 婚姻 facts at submission instead of a 结婚证 (有条件, granted by the 民政局): the 公安局's 户口
  // items and the 住房公积金管理中心's loan read the applicant's marital status
  for (const kind of ['gaj', 'gjj']) {
    const dept = (await ctx.ports.regions.departmentByKind('410100', kind))?.id;
    if (!dept) continue;
    const asked = await requestResource(
      ctx,
      system,
      {
        resource: DEMO_RESOURCES.marriage,
        fields: ['name', 'maritalStatus'],
        clearFields: ['maritalStatus'],
        purpose: '办理户口和住房公积金贷款事项时核验申请人婚姻状况（免交结婚证）',
        legalBasis: '《婚姻登记条例》；《住房公积金管理条例》第二十六条',
        period,
        volume: 2000,
      },
      { departmentId: dept },
    );
    await decideRequest(ctx, seedProvider, asked.id, { decision: 'grant' });
  }
  // the city's and 金水区's 人力资源和社会保障局 decide 失业保险金申领 and read the 社会保险缴费记录
  // at submission instead of asking for it (有条件: granted by the provider)
  for (const region of ['410100', '410105']) {
    const dept = (await ctx.ports.regions.departmentByKind(region, 'rsj'))?.id;
    if (!dept) continue;
    const asked = await requestResource(
      ctx,
      system,
      {
        resource: DEMO_RESOURCES.socialInsurance,
        fields: ['name', 'insuranceTypes', 'employer', 'status', 'firstInsuredOn', 'monthsPaid'],
        clearFields: ['insuranceTypes', 'employer', 'status', 'firstInsuredOn', 'monthsPaid'],
        purpose: '办理社会保险待遇和就业补贴事项时核验参保缴费情况（免交缴费记录）',
        legalBasis: '《中华人民共和国社会保险法》；《失业保险条例》第十六条',
        period,
        volume: 2000,
      },
      { departmentId: dept },
    );
    await decideRequest(ctx, seedProvider, asked.id, { decision: 'grant' });
  }
}

/** `tongban seed --scale zhengzhou`: Zhengzhou's registered population (≈ 10 million) and legal persons. */
export const ZHENGZHOU_SCALE = { people: 10_000_000, companies: 1_500_000 } as const;

type Progress = (label: string, total: number) => { tick(n?: number): void; done(): void };

/**
 * Streams generated people and companies into the registers, BATCH rows per transaction, so memory
 * stays flat at any size. Generated rows start after the demo's (the same generator, the same
 * indexes, so a re-run inserts nothing twice: conflicts are skipped). Answers rows written.
 */
export async function seedRegisters(
  ctx: ExchangeContext,
  opts: { people: number; companies: number; progress: Progress; batch?: number },
): Promise<{ people: number; companies: number }> {
  const batch = opts.batch ?? 5000;
  const now = ctx.clock.now().toISOString();
  const run = async <R>(
    label: string,
    total: number,
    first: number,
    make: (i: number) => R,
    write: (rows: R[]) => Promise<void>,
  ) => {
    const bar = opts.progress(label, total);
    for (let done = 0; done < total; done += batch) {
      const n = Math.min(batch, total - done);
      const rows: R[] = new Array(n);
      for (let k = 0; k < n; k++) rows[k] = make(first + done + k);
      await write(rows);
      bar.tick(n);
    }
    bar.done();
  };
  await run(
    '人口库',
    opts.people,
    DEMO_GENERATED.people,
    (i) => populationRow(ctx.cipher, generatedPerson(i), true, now),
    (rows) => inTransaction(ctx.db, (trx) => insertRows(trx, 'exchange_population', rows, 500, true)),
  );
  await run(
    '法人库',
    opts.companies,
    DEMO_GENERATED.companies,
    (i) => legalPersonRow(ctx.cipher, generatedCompany(i), true, now),
    (rows) => inTransaction(ctx.db, (trx) => insertRows(trx, 'exchange_legal_persons', rows, 500, true)),
  );
  return { people: opts.people, companies: opts.companies };
}
